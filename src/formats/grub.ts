// /etc/default/grub and /etc/default/grub.d/*.cfg: shell fragments sourced in that order. We evaluate
// the simple assignments (with $VAR / ${VAR} expansion) to know the effective values and which file
// line decides each, and edit exactly that line, keeping every other byte of the file.
//
// Editing a command line that a drop-in builds from the previous value (`X="$X console=ttyS0"`) works on
// the literal text of that line: every expansion ($X, ${X}, $(...)) stays as an opaque parameter, the
// literal parameters around it are edited like any command line, and the line is written back in its
// own quoting style. editGrubCmdline walks such a chain of self-references back to the first line, so a
// parameter is replaced where it is written and removed from every line that writes it.
import type { FileEntry } from '../model/index.js';
import { cmdlineValue, editCmdline, parseCmdline, type CmdlineParam } from './cmdline.js';
import { compareFileNames, splitPath } from './config-dirs.js';
import { assignmentTarget, lexShell, literalWord, type ShellStatement, type WordPart } from './shell-words.js';
import { decodeTemplate, encodeTemplate, findAssignment, quoteStyle } from './grub-template.js';

export interface GrubAssignment {
  name: string;
  /** Value after quote removal and expansion. */
  value: string;
  path: string;
  line: number;
  /** false when the line is not a plain assignment we can rewrite (command substitution, conditionals, append via other vars we cannot resolve...). */
  plain: boolean;
  /** Why the assignment is not plain; absent when it is. */
  reason?: string;
  /** The earlier assignment of the same variable that this one expands (`X="$X more"`), if any. */
  previous?: GrubAssignment;
}

export interface GrubEvaluation {
  /** Variable → the assignment that decides its final value. */
  vars: Record<string, GrubAssignment>;
  /** Files in sourcing order (main file, then grub.d/*.cfg sorted). */
  order: string[];
}

export const GRUB_DEFAULT_FILE = '/etc/default/grub';
export const GRUB_DROPIN_DIR = '/etc/default/grub.d';

/** The files grub-mkconfig sources, in its order: the main file, then grub.d/*.cfg by name. */
export function orderGrubFiles(files: FileEntry[]): FileEntry[] {
  const main = files.filter((f) => f.path === GRUB_DEFAULT_FILE);
  const dropIns = files
    .filter((f) => splitPath(f.path).dir === GRUB_DROPIN_DIR && f.path.endsWith('.cfg'))
    .sort((a, b) => compareFileNames(splitPath(a.path).name, splitPath(b.path).name));
  return [...main, ...dropIns];
}

const OPENERS = new Set(['if', 'case', 'for', 'while', 'until']);
const CLOSERS = new Set(['fi', 'esac', 'done']);
const LEADERS = new Set(['then', 'else', 'elif', 'do', '{', '}', '!']);
const DECLARERS = new Set(['export', 'readonly', 'declare', 'typeset', 'local']);

type Env = Map<string, GrubAssignment>;

function expandValue(parts: WordPart[], env: Env, self: string): { value: string; problems: string[]; previous?: GrubAssignment } {
  let value = '';
  const problems: string[] = [];
  let previous: GrubAssignment | undefined;
  for (const part of parts) {
    if (part.kind === 'text') {
      value += part.text;
    } else if (part.kind === 'opaque') {
      problems.push(part.reason);
    } else {
      const current = env.get(part.name);
      if (!current) problems.push(`$${part.name} is not set in these files`);
      else if (part.name === self) previous = current;
      value += current?.value ?? '';
    }
  }
  return { value, problems, ...(previous ? { previous } : {}) };
}

function evaluateStatement(statement: ShellStatement, path: string, env: Env, context: { depth: number; sharedLine: boolean }): void {
  let words = statement.words;
  while (words.length > 0 && LEADERS.has(literalWord(words[0]) ?? '')) words = words.slice(1);
  const head = literalWord(words[0]);
  if (head && OPENERS.has(head)) {
    context.depth++;
    return;
  }
  if (head && CLOSERS.has(head)) {
    context.depth = Math.max(0, context.depth - 1);
    return;
  }
  const problems: string[] = [];
  if (context.depth > 0) problems.push('inside a conditional or loop');
  if (statement.complex) problems.push('not a simple command');
  if (context.sharedLine) problems.push('shares its line with other commands');
  if (statement.firstLine !== statement.lastLine) problems.push('spans several lines');
  if (head === 'unset') {
    for (const word of words.slice(1)) {
      const name = literalWord(word);
      if (name) env.set(name, { name, value: '', path, line: statement.firstLine, plain: false, reason: 'unset' });
    }
    return;
  }
  let assignWords = words;
  if (head && DECLARERS.has(head)) {
    assignWords = words.slice(1).filter((w) => !literalWord(w)?.startsWith('-'));
    if (head !== 'export') problems.push(`declared with ${head}`);
  }
  const targets = assignWords.map(assignmentTarget);
  // `A=1 cmd` only sets A in cmd's environment; the shell's own variable is untouched.
  if (!(head && DECLARERS.has(head)) && targets.some((t) => t === null)) return;
  const assignments = targets.filter((t) => t !== null);
  if (assignments.length > 1) problems.push('several assignments on one line');
  for (const target of assignments) {
    const expanded = expandValue(target.valueParts, env, target.name);
    const own = [...problems, ...expanded.problems];
    let value = expanded.value;
    let previous = expanded.previous;
    if (target.append) {
      own.push('appends with +=');
      previous = env.get(target.name);
      value = (previous?.value ?? '') + value;
    }
    const assignment: GrubAssignment = { name: target.name, value, path, line: statement.firstLine, plain: own.length === 0 };
    if (own.length > 0) assignment.reason = own.join('; ');
    if (previous) assignment.previous = previous;
    env.set(target.name, assignment);
  }
}

export function evaluateGrub(files: FileEntry[]): GrubEvaluation {
  const env: Env = new Map();
  const ordered = orderGrubFiles(files);
  for (const file of ordered) {
    const statements = lexShell(file.content);
    const context = { depth: 0, sharedLine: false };
    statements.forEach((statement, i) => {
      const before = statements[i - 1];
      const sameLineAsBefore = before !== undefined && before.terminator !== '\n' && before.lastLine === statement.firstLine;
      context.sharedLine = sameLineAsBefore || statement.terminator !== '\n';
      evaluateStatement(statement, file.path, env, context);
    });
  }
  return { vars: Object.fromEntries(env), order: ordered.map((f) => f.path) };
}

/**
 * The parameters grub-mkconfig writes on the default entry's `linux` line: GRUB_CMDLINE_LINUX, then
 * GRUB_CMDLINE_LINUX_DEFAULT (recovery entries get only the first). Root and BOOT_IMAGE come on top.
 */
export function grubKernelParams(evaluation: GrubEvaluation): CmdlineParam[] {
  const linux = evaluation.vars.GRUB_CMDLINE_LINUX?.value ?? '';
  const linuxDefault = evaluation.vars.GRUB_CMDLINE_LINUX_DEFAULT?.value ?? '';
  return parseCmdline(`${linux} ${linuxDefault}`);
}

function appendAssignment(content: string, name: string, value: string): string {
  const sep = content === '' || content.endsWith('\n') ? '' : '\n';
  return `${content}${sep}${name}=${encodeTemplate(value, [], 'double')}\n`;
}

function replaceValue(content: string, found: { valueStart: number; valueEnd: number }, text: string): string {
  return content.slice(0, found.valueStart) + text + content.slice(found.valueEnd);
}

/**
 * Rewrites the assignment of `name` at `line` of `content` to `value` (quoted as the original was,
 * double quotes by default), or appends `NAME="value"` when line is null. Every other line is unchanged.
 * The value is literal: a `$` in it is escaped. Throws when `line` holds no assignment of `name`.
 */
export function setGrubVar(content: string, name: string, value: string, line: number | null): string {
  if (line === null) return appendAssignment(content, name, value);
  const found = findAssignment(content, name, line);
  const current = decodeTemplate(found.valueParts);
  if (current.opaque.length === 0 && current.template === value) return content;
  return replaceValue(content, found, encodeTemplate(value, [], quoteStyle(found.valueParts)));
}

/**
 * Edits the command-line parameters written on the assignment of `name` at `line`: sets, appends and
 * removes like editCmdline, while expansions in the value ($X, ${X}, $(...)) stay where they are as
 * opaque parameters. Quoting style, indentation, `export` and a trailing comment are kept.
 */
export function editGrubVarParams(content: string, name: string, line: number, set: Record<string, string | null>, remove: string[]): string {
  const found = findAssignment(content, name, line);
  const { template, opaque } = decodeTemplate(found.valueParts);
  const edited = editCmdline(template, set, remove);
  if (edited === template) return content;
  return replaceValue(content, found, encodeTemplate(edited, opaque, quoteStyle(found.valueParts)));
}

/** The literal parameters written on an assignment line (expansions excluded). */
function literalParams(content: string, assignment: GrubAssignment): Set<string> {
  const { template } = decodeTemplate(findAssignment(content, assignment.name, assignment.line).valueParts);
  return new Set(parseCmdline(template).map((p) => p.key));
}

export interface GrubFileEdit {
  path: string;
  /** null: the file does not exist yet. */
  before: string | null;
  after: string;
}

export interface GrubCmdlineEdit {
  /** Files whose content changes (none when the value already holds). */
  edits: GrubFileEdit[];
  /** Why the wanted value cannot be reached by rewriting plain assignments; null when it can. */
  blocked: string | null;
}

/**
 * The file edits that give `name` (GRUB_CMDLINE_LINUX or _DEFAULT) the wanted parameters: a parameter
 * already written somewhere in the deciding chain is replaced at its first place and dropped from the
 * others, a new one is appended to the deciding line, removed ones go from every line of the chain. An
 * undefined variable is appended to /etc/default/grub. The result is checked by evaluating the edited
 * files; lines that are not plain assignments are never rewritten.
 */
export function editGrubCmdline(files: FileEntry[], name: string, set: Record<string, string | null>, remove: string[]): GrubCmdlineEdit {
  const deciding = evaluateGrub(files).vars[name];
  const contents = new Map(files.map((f) => [f.path, f.content]));
  if (!deciding) {
    const before = contents.get(GRUB_DEFAULT_FILE) ?? null;
    const value = editCmdline('', set, []);
    return { edits: value ? [{ path: GRUB_DEFAULT_FILE, before, after: appendAssignment(before ?? '', name, value) }] : [], blocked: null };
  }
  if (unmetParams(deciding.value, set, remove).length === 0) return { edits: [], blocked: null };
  const chain: GrubAssignment[] = [];
  for (let a: GrubAssignment | undefined = deciding; a; a = a.previous) chain.unshift(a);
  const present = chain.map((a) => (a.plain ? literalParams(contents.get(a.path)!, a) : new Set<string>()));
  const owner = new Map<string, GrubAssignment>();
  for (const key of Object.keys(set)) {
    const index = present.findIndex((keys) => keys.has(key));
    owner.set(key, chain[index] ?? deciding);
  }
  for (const assignment of chain) {
    const own = Object.fromEntries(Object.entries(set).filter(([key]) => owner.get(key) === assignment));
    const drop = [...remove, ...Object.keys(set).filter((key) => owner.get(key) !== assignment)];
    if (!assignment.plain) {
      if (Object.keys(own).length > 0) return blockedBy(assignment);
      continue;
    }
    const content = contents.get(assignment.path)!;
    contents.set(assignment.path, editGrubVarParams(content, name, assignment.line, own, drop));
  }
  const edits = files.filter((f) => contents.get(f.path) !== f.content).map((f) => ({ path: f.path, before: f.content, after: contents.get(f.path)! }));
  const after = evaluateGrub(files.map((f) => ({ ...f, content: contents.get(f.path)! }))).vars[name];
  const unmet = unmetParams(after?.value ?? '', set, remove);
  if (unmet.length > 0) {
    const where = chain.find((a) => !a.plain) ?? deciding;
    const why = where.reason ? `: ${where.reason}` : '';
    return { edits: [], blocked: `${name}: rewriting its plain assignments cannot give ${unmet.join(', ')} the wanted value (see ${where.path}:${where.line}${why})` };
  }
  return { edits, blocked: null };
}

function blockedBy(assignment: GrubAssignment): GrubCmdlineEdit {
  return { edits: [], blocked: `${assignment.name} at ${assignment.path}:${assignment.line} is not a plain assignment (${assignment.reason ?? 'unknown'})` };
}

function unmetParams(value: string, set: Record<string, string | null>, remove: string[]): string[] {
  const params = parseCmdline(value);
  return [
    ...Object.entries(set).filter(([key, want]) => !remove.includes(key) && cmdlineValue(params, key) !== want).map(([key]) => key),
    ...remove.filter((key) => cmdlineValue(params, key) !== undefined),
  ];
}
