// I/O: the files every connection consults (ssh config, known_hosts) are parsed once per version of the
// file, not once per host. At 1000 hosts, parsing an 11,000-line ssh config for each connection was half
// of the controller's CPU and most of its garbage. A file is read again when its identity, size or
// times change (known_hosts grows as new keys are accepted).
import { readFile, stat } from 'node:fs/promises';

export type ParsedFileReader<T> = (path: string) => Promise<T>;

/**
 * A file changed this recently may change again within its timestamps' granularity (coarse clock ticks;
 * whole seconds on some network filesystems) with the same size, and so the same version: it is parsed
 * on every call until it has been still for this long (git's "racy clean" rule).
 */
const RACY_MS = 2_000;

/** `parse` gets the text, or null when the file does not exist. */
export function createParsedFileCache<T>(parse: (text: string | null, path: string) => T): ParsedFileReader<T> {
  const cache = new Map<string, { version: string; value: Promise<T> }>();
  return async (path) => {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    const version = info ? `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` : 'missing';
    const cached = cache.get(path);
    if (cached?.version === version) return cached.value;
    const value = (info ? readFile(path, 'utf8') : Promise.resolve(null)).then((text) => parse(text, path));
    if (info && Date.now() - info.mtimeMs < RACY_MS) return value;
    cache.set(path, { version, value });
    // A failed read is not remembered: the next connection tries again and reports its own error.
    value.catch(() => { if (cache.get(path)?.value === value) cache.delete(path); });
    return value;
  };
}
