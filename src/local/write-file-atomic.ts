// Files kernfleet writes on the controller (--out reports, saved plans, run journals): written whole or
// not at all — temp file in the same directory, fsync, rename — so a crash never leaves half a file.
import { unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Below V8's large-object size: a batch dies young, where big ones waited for a full collection and, at
// the end of a 1000-host apply, added 50 MB to the controller's peak.
const BATCH = 64 * 1024;

// Temp files being written. A hard exit (a second Ctrl-C during apply) runs no finally block, only the
// process's 'exit' listeners: this one removes them, so the run directory keeps no half of RUN.json.
const writing = new Set<string>();
process.on('exit', () => {
  for (const left of writing) {
    try {
      unlinkSync(left);
    } catch {
      // gone already
    }
  }
});

/** The text whole, or in pieces (see jsonChunks), written in 64 KiB batches. */
export async function writeFileAtomic(path: string, text: string | Iterable<string>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', 0o644);
  writing.add(temp);
  try {
    try {
      await writeAll(handle, text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    writing.delete(temp);
  }
}

async function writeAll(handle: FileHandle, text: string | Iterable<string>): Promise<void> {
  if (typeof text === 'string') return handle.writeFile(text);
  let batch = '';
  for (const piece of text) {
    batch += piece;
    if (batch.length >= BATCH) {
      await handle.writeFile(batch);
      batch = '';
    }
  }
  if (batch !== '') await handle.writeFile(batch);
}
