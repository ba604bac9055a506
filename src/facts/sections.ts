// The probe's output grammar, read back. The probe prints `@@kf:section NAME` lines; inside a section,
// plain lines are facts for that section's parser, and file contents are framed as
//   @@kf:file LABEL / [@@kf:meta PERMS UID GID] / base64 (or hex) lines / @@kf:eof
// or `@@kf:none LABEL` when the file is missing or unreadable. Base64 and hex never start with `@`, so
// any file content is safe inside the frame.
import type { FileEntry } from '../model/index.js';

export const MARK = '@@kf:';

/** Malformed probe output; names the section so the report points at the fragment that broke. */
export class ProbeParseError extends Error {
  constructor(
    readonly section: string,
    message: string,
  ) {
    super(`probe output, section ${section}: ${message}`);
    this.name = 'ProbeParseError';
  }
}

export interface ProbeFile {
  /** A path for files; a key (sysctl, module.param) for values. */
  label: string;
  /** Permissions, uid and gid (`ls -ldnL` cut to three fields, the same under every shell), when asked. */
  meta: string | null;
  /** null: missing or unreadable. */
  content: string | null;
}

export interface ProbeSection {
  name: string;
  /** Plain fact lines, in order. */
  lines: string[];
  files: ProbeFile[];
}

export type ProbeSections = Map<string, ProbeSection>;

type Encoding = 'base64' | 'hex';

interface OpenFile {
  label: string;
  meta: string | null;
  data: string[];
}

/** Splits probe output into sections and decodes framed files; throws ProbeParseError on any malformation. */
export function readProbeOutput(output: string): ProbeSections {
  const sections: ProbeSections = new Map();
  let current: ProbeSection | null = null;
  let open: OpenFile | null = null;
  let encoding: Encoding | null = null;
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (!line.startsWith(MARK)) {
      if (open) open.data.push(line);
      else if (current) current.lines.push(line);
      else if (line.trim() !== '') throw new ProbeParseError('(start)', `text before the first section: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const [directive, rest] = splitDirective(line);
    if (directive === 'section') {
      if (open) throw new ProbeParseError(current?.name ?? '(start)', `file ${open.label} is not closed`);
      if (sections.has(rest)) throw new ProbeParseError(rest, 'appears twice');
      if (current?.name === 'probe') encoding = readEncoding(current);
      current = { name: rest, lines: [], files: [] };
      sections.set(rest, current);
      continue;
    }
    if (!current) throw new ProbeParseError('(start)', `${MARK}${directive} before the first section`);
    if (directive === 'file') {
      if (open) throw new ProbeParseError(current.name, `file ${open.label} is not closed before ${rest}`);
      open = { label: rest, meta: null, data: [] };
    } else if (directive === 'meta') {
      if (!open || open.data.length > 0) throw new ProbeParseError(current.name, 'meta line outside a file header');
      open.meta = rest;
    } else if (directive === 'eof') {
      if (!open) throw new ProbeParseError(current.name, 'eof without a file');
      current.files.push({ label: open.label, meta: open.meta, content: decodeData(current.name, open, encoding) });
      open = null;
    } else if (directive === 'none') {
      if (open) throw new ProbeParseError(current.name, `file ${open.label} is not closed before ${rest}`);
      current.files.push({ label: rest, meta: null, content: null });
    } else {
      throw new ProbeParseError(current.name, `unknown directive ${MARK}${directive}`);
    }
  }
  if (open) throw new ProbeParseError(current?.name ?? '(start)', `file ${open.label} is not closed (output truncated?)`);
  if (!sections.has('end')) throw new ProbeParseError('end', 'missing: the output is truncated or the probe stopped early');
  return sections;
}

function splitDirective(line: string): [string, string] {
  const body = line.slice(MARK.length);
  const space = body.indexOf(' ');
  return space < 0 ? [body, ''] : [body.slice(0, space), body.slice(space + 1)];
}

function readEncoding(probe: ProbeSection): Encoding {
  const value = lineValue(probe, 'encoding');
  if (value === 'base64' || value === 'hex') return value;
  throw new ProbeParseError('probe', `unknown encoding ${JSON.stringify(value)}`);
}

function decodeData(section: string, file: OpenFile, encoding: Encoding | null): string {
  if (!encoding) throw new ProbeParseError(section, 'file content before the probe section declared an encoding');
  const text = file.data.join('').replace(/\s+/g, '');
  const valid = encoding === 'base64' ? /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 : /^([0-9a-f]{2})*$/i.test(text);
  if (!valid) throw new ProbeParseError(section, `file ${file.label} is not valid ${encoding}`);
  return Buffer.from(text, encoding).toString('utf8');
}

export function requireSection(sections: ProbeSections, name: string): ProbeSection {
  const section = sections.get(name);
  if (!section) throw new ProbeParseError(name, 'missing');
  return section;
}

/** The value of the first `key value` line, '' for a bare `key` line; undefined when there is none. */
export function lineValue(section: ProbeSection, key: string): string | undefined {
  return lineValues(section, key)[0];
}

/** Values of every `key value` line, in order. */
export function lineValues(section: ProbeSection, key: string): string[] {
  const values: string[] = [];
  for (const line of section.lines) {
    if (line === key) values.push('');
    else if (line.startsWith(`${key} `)) values.push(line.slice(key.length + 1));
  }
  return values;
}

/** A count line (`iommu-groups 3`); throws when it is missing or not a number. */
export function lineCount(section: ProbeSection, key: string): number {
  const value = lineValue(section, key)?.trim();
  if (value === undefined || !/^\d+$/.test(value)) throw new ProbeParseError(section.name, `${key} is not a count: ${JSON.stringify(value)}`);
  return Number(value);
}

export function findFile(section: ProbeSection, label: string): ProbeFile | undefined {
  return section.files.find((f) => f.label === label);
}

/** Value files hold one line: the trailing newline is the kernel's, not the value's. */
export function fileValue(file: ProbeFile | undefined): string | null {
  if (!file || file.content === null) return null;
  return file.content.replace(/\n$/, '');
}

/** Files that exist, as FileEntry with mode and owner from their ls line when the probe sent one. */
export function presentFiles(section: ProbeSection): FileEntry[] {
  return section.files.filter((f) => f.content !== null).map((f) => toFileEntry(section.name, f));
}

export function toFileEntry(section: string, file: ProbeFile): FileEntry {
  const entry: FileEntry = { path: file.label, content: file.content ?? '' };
  if (file.meta !== null) Object.assign(entry, parseLsLine(section, file.meta));
  return entry;
}

/** `-rw-r--r-- 0 0` (perms, uid, gid cut from `ls -ldnL`) → mode 0644, owner 0:0. */
export function parseLsLine(section: string, line: string): { mode: string; owner: string } {
  const fields = line.trim().split(/\s+/);
  const perms = fields[0] ?? '';
  if (!/^[-dlcbps][-rwxsStT]{9}/.test(perms) || fields.length < 3) throw new ProbeParseError(section, `unreadable ls line: ${JSON.stringify(line)}`);
  return { mode: permsToOctal(perms.slice(1, 10)), owner: `${fields[1]}:${fields[2]}` };
}

function permsToOctal(perms: string): string {
  let special = 0;
  const digits = [0, 1, 2].map((i) => {
    const [r, w, x] = perms.slice(i * 3, i * 3 + 3);
    if (x === 's' || x === 'S' || x === 't' || x === 'T') special |= 4 >> i;
    return (r === 'r' ? 4 : 0) + (w === 'w' ? 2 : 0) + (x === 'x' || x === 's' || x === 't' ? 1 : 0);
  });
  return `${special}${digits.join('')}`;
}
