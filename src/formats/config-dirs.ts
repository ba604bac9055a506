// The drop-in directory convention shared by sysctl.d, modprobe.d and modules-load.d (systemd's
// conf_files_list and kmod follow it alike): the same file name in several directories means the
// first directory's file replaces the others (an empty file or a /dev/null link masks), and the
// surviving files are read in file-name order, whatever directory each came from.
import type { FileEntry } from '../model/index.js';

/** Byte order of the UTF-8 names, as the C tools sort (not the locale's collation). */
export function compareFileNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function splitPath(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return { dir: slash <= 0 ? '/' : path.slice(0, slash), name: path.slice(slash + 1) };
}

/**
 * The files of `dirs` (highest priority first) whose name ends with one of `suffixes`, with shadowed
 * names dropped, sorted by file name. Files outside `dirs` are ignored.
 */
export function orderDropInFiles(files: FileEntry[], dirs: string[], suffixes: string[]): FileEntry[] {
  const chosen = new Map<string, { file: FileEntry; rank: number }>();
  for (const file of files) {
    const { dir, name } = splitPath(file.path);
    const rank = dirs.indexOf(dir);
    if (rank < 0 || name.startsWith('.') || !suffixes.some((s) => name.endsWith(s))) continue;
    const current = chosen.get(name);
    if (!current || rank < current.rank) chosen.set(name, { file, rank });
  }
  return [...chosen.entries()].sort(([a], [b]) => compareFileNames(a, b)).map(([, { file }]) => file);
}

/** Lines of a file with their 1-based numbers; a trailing newline does not make an extra line. */
export function numberLines(content: string): { text: string; line: number }[] {
  const lines = content.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((text, i) => ({ text, line: i + 1 }));
}
