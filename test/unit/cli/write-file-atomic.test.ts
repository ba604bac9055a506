import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/local/write-file-atomic.js';

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
});
