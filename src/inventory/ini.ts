// Ansible INI inventory → InventoryDraft: `[group]` host lines with key=value vars, `[group:vars]`,
// `[group:children]`, hosts before any section are ungrouped; ranges as in the YAML form.
import type { Diagnostic, SourceRef } from '../model/index.js';
import { addChildGroup, createDraft, declareHost, ensureGroup, type InventoryDraft } from './draft.js';
import { expandHostRange, splitHostPort } from './host-range.js';

type Section = { kind: 'hosts' | 'vars' | 'children'; group: string };

/** Pure: INI inventory text → draft and diagnostics (file:line:col for every bad line). */
export function parseIniInventory(file: string, text: string): { draft: InventoryDraft; diagnostics: Diagnostic[] } {
  const draft = createDraft();
  const diagnostics: Diagnostic[] = [];
  // null after a bad header: its lines are skipped rather than reported once more each.
  let section: Section | null = { kind: 'hosts', group: 'ungrouped' };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const at: SourceRef = { file, line: index + 1, col: raw.indexOf(line) + 1 };
    const fail = (code: string, message: string, hint?: string): void => {
      diagnostics.push({ severity: 'error', code, message, ...(hint ? { hint } : {}), source: at });
    };
    const header = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      const parsed = parseSectionHeader(header[1]!.trim());
      section = 'error' in parsed ? null : parsed;
      if ('error' in parsed) return fail('ini-syntax', parsed.error, 'sections are [group], [group:vars] or [group:children]');
      ensureGroup(draft, parsed.group);
      return;
    }
    if (section === null) return;
    if (section.kind === 'children') {
      if (!/^[A-Za-z0-9_.-]+$/.test(line)) return fail('ini-syntax', `"${line}" is not a group name`);
      addChildGroup(draft, section.group, line);
      return;
    }
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) return fail('ini-syntax', `expected key=value, got "${line}"`);
      ensureGroup(draft, section.group).vars[line.slice(0, eq).trim()] = parseIniValue(line.slice(eq + 1).trim());
      return;
    }
    const tokens = splitIniWords(line);
    if ('error' in tokens) return fail('ini-syntax', tokens.error);
    const [declaration, ...assignments] = tokens.words;
    if (declaration === undefined) return;
    const vars: Record<string, unknown> = {};
    for (const assignment of assignments) {
      const eq = assignment.indexOf('=');
      if (eq <= 0) return fail('ini-syntax', `expected key=value after the host name, got "${assignment}"`);
      vars[assignment.slice(0, eq)] = parseIniValue(assignment.slice(eq + 1));
    }
    const { name, port } = splitHostPort(declaration);
    if (port !== null) vars.ansible_port = port;
    const expanded = expandHostRange(name);
    if ('error' in expanded) return fail('invalid-host-range', expanded.error);
    for (const host of expanded.names) declareHost(draft, section.group, host, vars, at);
  });
  return { draft, diagnostics };
}

function parseSectionHeader(inner: string): Section | { error: string } {
  const match = /^([A-Za-z0-9_.-]+)(?::(vars|children))?$/.exec(inner);
  if (!match) return { error: `"[${inner}]" is not a valid section` };
  const kind = match[2] === 'vars' ? 'vars' : match[2] === 'children' ? 'children' : 'hosts';
  return { kind, group: match[1]! };
}

// Ansible splits host lines with shlex (comments on): quotes group words and are removed, a # outside
// quotes ends the line.
function splitIniWords(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '#') {
      break;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch === '\\' && i + 1 < line.length ? line[++i] : ch;
      inWord = true;
    }
  }
  if (quote) return { error: `unclosed ${quote} quote` };
  if (inWord) words.push(current);
  return { words };
}

// Ansible runs INI values through Python's literal_eval: numbers, True/False/None and quoted strings
// become those values; anything else stays the text it is.
function parseIniValue(text: string): unknown {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^-?\d+\.\d+$/.test(text)) return Number(text);
  if (text === 'True' || text === 'False') return text === 'True';
  if (text === 'None') return null;
  const quoted = /^(["'])(.*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}
