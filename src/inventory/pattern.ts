// Ansible host patterns → host names, in inventory order.
// Semantics follow ansible-core's InventoryManager: terms split on `,` (or `:` outside [ranges]);
// plain terms are unioned first, then `&` terms intersect and `!` terms exclude, whatever order they
// were written in; a term names a group (its hosts, children included) or a host, by exact name,
// glob (`hv*`, `hv0?`, `hv[0-4]*`) or `~regex` (matched from the start of the name); `name[i]` and
// `name[i:j]` pick from the matched hosts.
import type { Diagnostic, Inventory } from '../model/index.js';
import { didYouMean } from '../manifest/suggest.js';

interface InventoryIndex {
  order: Map<string, number>;
  members: Map<string, string[]>;
}

const indexes = new WeakMap<Inventory, InventoryIndex>();

function indexOf(inventory: Inventory): InventoryIndex {
  let index = indexes.get(inventory);
  if (!index) {
    const members = new Map<string, string[]>();
    for (const host of inventory.hosts) {
      for (const group of host.groups) members.set(group, [...(members.get(group) ?? []), host.name]);
    }
    index = { order: new Map(inventory.hosts.map((h, i) => [h.name, i])), members };
    indexes.set(inventory, index);
  }
  return index;
}

export function splitPattern(pattern: string): string[] {
  const terms = pattern.includes(',') ? pattern.split(',') : (pattern.match(/(?:~.*$|[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function matchHosts(inventory: Inventory, pattern: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  const index = indexOf(inventory);
  const diagnostics: Diagnostic[] = [];
  const terms = splitPattern(pattern);
  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const ordered = [...(plain.length > 0 ? plain : ['all']), ...terms.filter((t) => t.startsWith('&')), ...terms.filter((t) => t.startsWith('!'))];
  let selected = new Set<string>();
  for (const term of ordered) {
    const operator = term[0] === '&' || term[0] === '!' ? term[0] : '';
    const matched = new Set(matchTerm(inventory, index, term.slice(operator.length), diagnostics));
    if (operator === '&') selected = new Set([...selected].filter((h) => matched.has(h)));
    else if (operator === '!') selected = new Set([...selected].filter((h) => !matched.has(h)));
    else for (const host of matched) selected.add(host);
  }
  const hosts = [...selected].sort((a, b) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0));
  return { hosts, diagnostics };
}

function matchTerm(inventory: Inventory, index: InventoryIndex, term: string, diagnostics: Diagnostic[]): string[] {
  const subscript = term.startsWith('~') ? null : /^(.+)\[(-?\d+)(?::(-?\d*))?\]$/.exec(term);
  const name = subscript ? subscript[1]! : term;
  let hosts = enumerate(inventory, index, name);
  if (hosts.length === 0) {
    const pattern = term.startsWith('~') || /[*?[]/.test(name);
    if (pattern) {
      diagnostics.push({ severity: 'warning', code: 'pattern-matches-nothing', message: `host pattern "${term}" matches no host or group` });
    } else {
      const hint = didYouMean(name, [...Object.keys(inventory.groups), ...inventory.hosts.map((h) => h.name)]);
      diagnostics.push({ severity: 'error', code: 'unknown-host-pattern', message: `no host or group named "${name}" in the inventory`, ...(hint ? { hint } : {}) });
    }
    return [];
  }
  if (subscript) hosts = pickSubscript(hosts, subscript[2]!, subscript[3]);
  return hosts;
}

function enumerate(inventory: Inventory, index: InventoryIndex, name: string): string[] {
  if (name === 'all' || name === '*') return inventory.hosts.map((h) => h.name);
  const test = compileMatcher(name);
  const groups = Object.keys(inventory.groups).filter(test);
  const hosts = new Set(groups.flatMap((g) => index.members.get(g) ?? []));
  // Host names are tried when no group matched, and always for globs and regexes (as Ansible does).
  if (groups.length === 0 || name.startsWith('~') || /[.?*[]/.test(name)) {
    for (const host of inventory.hosts) if (test(host.name)) hosts.add(host.name);
  }
  return [...hosts].sort((a, b) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0));
}

function compileMatcher(name: string): (candidate: string) => boolean {
  if (name.startsWith('~')) {
    let regex: RegExp;
    try {
      regex = new RegExp(name.slice(1));
    } catch {
      return () => false;
    }
    return (candidate) => regex.exec(candidate)?.index === 0;
  }
  if (!/[*?[]/.test(name)) return (candidate) => candidate === name;
  const regex = new RegExp(`^${globToRegex(name)}$`);
  return (candidate) => regex.test(candidate);
}

// fnmatch: * any run, ? one character, [abc] / [!abc] a class; everything else literal.
function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[' && glob.indexOf(']', i + 1) > i + 1) {
      const end = glob.indexOf(']', i + 1);
      const body = glob.slice(i + 1, end);
      out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\');
      i = end;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

function pickSubscript(hosts: string[], startText: string, endText: string | undefined): string[] {
  const start = Number(startText);
  if (endText === undefined) {
    const host = hosts.at(start);
    return host === undefined ? [] : [host];
  }
  // Ansible's [i:j] is inclusive of j; an empty end runs to the last host.
  const end = endText === '' ? hosts.length - 1 : Number(endText);
  return hosts.slice(start < 0 ? hosts.length + start : start, (end < 0 ? hosts.length + end : end) + 1);
}
