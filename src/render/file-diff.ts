// Unified diffs of the files a step writes, so a reviewer sees exactly what lands on the host.
import { formatPatch, structuredPatch } from 'diff';
import type { FileEdit } from '../model/index.js';
import type { Palette } from './colour.js';

const CONTEXT_LINES = 3;
const NO_FILE = '/dev/null';

/** Plain unified diff (`--- old`, `+++ new`, hunks); a missing side is /dev/null, as git shows it. */
export function buildFilePatch(edit: FileEdit): string {
  const oldName = edit.before === null ? NO_FILE : edit.path;
  const newName = edit.after === null ? NO_FILE : edit.path;
  const patch = structuredPatch(oldName, newName, edit.before ?? '', edit.after ?? '', undefined, undefined, {
    context: CONTEXT_LINES,
  });
  // formatPatch opens with "Index:" and a ruler meant for patch files; a plan only needs the headers.
  const body = formatPatch(patch)
    .split('\n')
    .filter((line) => !line.startsWith('Index: ') && !/^=+$/.test(line))
    .join('\n');
  const lines = body.endsWith('\n') ? body : `${body}\n`;
  return patch.hunks.length === 0 ? `${lines}(content unchanged)\n` : lines;
}

/** What happens to the file, in words: the diff alone does not say "created with mode 0600". */
export function describeFileEdit(edit: FileEdit): string {
  if (edit.before === null) return `create ${edit.path}${edit.mode ? ` (mode ${edit.mode})` : ''}`;
  if (edit.after === null) return `delete ${edit.path}`;
  return `edit ${edit.path}`;
}

export function renderFileDiff(edit: FileEdit, palette: Palette): string {
  const lines = buildFilePatch(edit).replace(/\n$/, '').split('\n');
  return lines
    .map((line, index) => {
      // The first two lines are the ---/+++ headers; a removed line "-- x" must not be mistaken for one.
      if (index < 2) return palette.bold(line);
      if (line.startsWith('@@')) return palette.cyan(line);
      if (line.startsWith('+')) return palette.green(line);
      if (line.startsWith('-')) return palette.red(line);
      if (line.startsWith('\\')) return palette.dim(line);
      return line;
    })
    .join('\n');
}
