import { appendFileSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParsedFileCache } from '../../../src/transport/parsed-file-cache.js';

/** A file last changed a minute ago: past the window in which a same-size rewrite could go unseen. */
function settled(file: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
}

function counting(): { parse: (text: string | null) => string[]; calls: () => number } {
  let calls = 0;
  return { parse: (text) => { calls++; return text === null ? [] : text.split('\n').filter(Boolean); }, calls: () => calls };
}

describe('createParsedFileCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kf-parsed-'));

  it('parses a file once while it is unchanged, also for callers that ask at the same time', async () => {
    const file = join(dir, 'config');
    writeFileSync(file, 'a\nb\n');
    settled(file);
    const c = counting();
    const read = createParsedFileCache(c.parse);
    const all = await Promise.all(Array.from({ length: 20 }, () => read(file)));
    expect(all[0]).toEqual(['a', 'b']);
    expect(new Set(all).size).toBe(1);
    expect(await read(file)).toBe(all[0]);
    expect(c.calls()).toBe(1);
  });

  it('parses a file changed in the last moments on every call, since a same-size rewrite could keep its version', async () => {
    // Written, read, rewritten with the same size in the same clock tick: the second read must see "b".
    const file = join(dir, 'racy');
    writeFileSync(file, 'a\n');
    const c = counting();
    const read = createParsedFileCache(c.parse);
    expect(await read(file)).toEqual(['a']);
    writeFileSync(file, 'b\n');
    expect(await read(file)).toEqual(['b']);
    expect(c.calls()).toBe(2);
    settled(file);
    await read(file);
    await read(file);
    expect(c.calls()).toBe(3);
  });

  it('reads the file again once it grows or is replaced', async () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, 'one\n');
    const c = counting();
    const read = createParsedFileCache(c.parse);
    expect(await read(file)).toEqual(['one']);
    appendFileSync(file, 'two\n');
    expect(await read(file)).toEqual(['one', 'two']);
    writeFileSync(join(dir, 'next'), 'three\n');
    renameSync(join(dir, 'next'), file);
    expect(await read(file)).toEqual(['three']);
    expect(c.calls()).toBe(3);
  });

  it('hands null to the parser for a missing file and notices when it appears', async () => {
    const file = join(dir, 'absent');
    const c = counting();
    const read = createParsedFileCache(c.parse);
    expect(await read(file)).toEqual([]);
    writeFileSync(file, 'now\n');
    expect(await read(file)).toEqual(['now']);
  });

  it('does not remember a failure', async () => {
    const file = join(dir, 'flaky');
    writeFileSync(file, 'x\n');
    let fail = true;
    const read = createParsedFileCache((text) => {
      if (fail) throw new Error('cannot parse');
      return text;
    });
    await expect(read(file)).rejects.toThrow('cannot parse');
    fail = false;
    expect(await read(file)).toBe('x\n');
  });
});
