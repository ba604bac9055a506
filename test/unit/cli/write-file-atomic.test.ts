import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/local/write-file-atomic.js';

const MODULE = resolve(import.meta.dirname, '../../../src/local/write-file-atomic.ts');

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kf-atomic-'));

  it('writes pieces in order, across its write batches, and leaves no temp file', async () => {
    const pieces = Array.from({ length: 5000 }, (_, i) => `${String(i).padStart(4, '0')}:${'x'.repeat(500)}\n`);
    const path = join(dir, 'big.json');
    await writeFileAtomic(path, (function* () { yield* pieces; })());
    expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
    expect(readdirSync(dir)).toEqual(['big.json']);
  });

  it('keeps the old file whole when producing the pieces fails midway', async () => {
    const path = join(dir, 'kept.json');
    writeFileSync(path, 'old\n');
    const failing = (function* () {
      yield 'x'.repeat(3 << 20);
      throw new Error('cannot serialise');
    })();
    await expect(writeFileAtomic(path, failing)).rejects.toThrow('cannot serialise');
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.includes('kept'))).toEqual(['kept.json']);
  });

  it('leaves no temp file when the process exits in the middle of a write', () => {
    // A second Ctrl-C during apply exits at once, while RUN.json is being written: the old one stays, whole.
    const path = join(dir, 'RUN.json');
    writeFileSync(path, 'old\n');
    const script = [
      `import { writeFileAtomic } from ${JSON.stringify(MODULE)};`,
      'function* pieces() {',
      '  for (let i = 0; ; i++) {',
      "    if (i === 1000) setImmediate(() => process.exit(130));",
      "    yield 'x'.repeat(1000);",
      '  }',
      '}',
      `await writeFileAtomic(${JSON.stringify(path)}, pieces());`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(130);
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.includes('RUN'))).toEqual(['RUN.json']);
  });
});
