import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../../src/render/json-chunks.js';

const VALUE = {
  format_version: '1.0',
  empty: { list: [], record: {} },
  skipped: undefined,
  plan: {
    hosts: [
      { host: 'hv01', steps: [{ id: 'a', files: [{ path: '/etc/x', after: 'line one\nline "two"\n', before: null }] }], n: 3, ok: true },
      { host: 'hv02', steps: [], gone: undefined, list: [1, undefined, () => 1, 'x'] },
    ],
  },
  hosts: { hv01: { status: 'done', steps: [{ id: 'a', at: 't' }] }, 'odd "name"': { status: 'failed', steps: [] } },
  list: [[1, [2, [3]]], { deep: { deeper: { deepest: [] } } }],
  // What JSON.stringify asks toJSON for: a Date's ISO string, a value that turns itself into an omission.
  dates: { at: new Date(0), list: [new Date(86_400_000)] },
  custom: { keyed: { toJSON: (key: string) => `key ${key}` }, dropped: { toJSON: () => undefined }, inList: [{ toJSON: () => undefined }] },
};

describe('jsonChunks', () => {
  it('writes what JSON.stringify(value, null, 2) writes, at every depth', () => {
    for (const depth of [0, 1, 2, 3, 4, 10]) {
      expect([...jsonChunks(VALUE, depth)].join(''), `depth ${depth}`).toBe(JSON.stringify(VALUE, null, 2));
    }
    expect([...jsonChunks([], 3)].join('')).toBe('[]');
    expect([...jsonChunks('text', 3)].join('')).toBe('"text"');
  });

  it('hands out a large list a member at a time', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => ({ host: `hv${i}`, steps: [{ id: 'x' }] }));
    const pieces = [...jsonChunks({ plan: { hosts } }, 3)];
    expect(pieces.length).toBeGreaterThan(2000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(200);
  });
});
