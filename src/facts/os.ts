// The distribution, from os-release(5). Section `os`: the framed os-release file.
import type { HostProfile } from '../model/index.js';
import { findFile, requireSection, type ProbeSections } from './sections.js';
import { fileCommand, sectionLine } from './shell.js';

type Family = HostProfile['os']['family'];

// os-release(5): /etc/os-release wins, /usr/lib/os-release is the fallback.
export function buildOsProbe(): string {
  return `${sectionLine('os')}
if [ -e /etc/os-release ]; then ${fileCommand('os-release', '/etc/os-release', false)}; else ${fileCommand('os-release', '/usr/lib/os-release', false)}; fi`;
}

/** KEY=value lines, values unquoted (double or single quotes, backslash escapes in double quotes). */
export function parseOsRelease(content: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    const quoted = /^"(.*)"$/.exec(raw) ?? /^'(.*)'$/.exec(raw);
    vars[key] = quoted ? (raw.startsWith('"') ? (quoted[1] ?? '').replace(/\\(["\\$`])/g, '$1') : (quoted[1] ?? '')) : raw;
  }
  return vars;
}

const FAMILIES: [Family, RegExp][] = [
  ['debian', /^(debian|ubuntu|linuxmint|pop|raspbian|kali|devuan|proxmox)$/],
  ['rhel', /^(rhel|centos|fedora|rocky|almalinux|ol|amzn|azurelinux|mariner|eurolinux|cloudlinux)$/],
  ['arch', /^(arch|archarm|manjaro|endeavouros)$/],
  ['alpine', /^alpine$/],
  ['suse', /^(suse|sles|sled|opensuse.*)$/],
];

/** ID first, then each ID_LIKE entry in order. */
export function osFamily(id: string, idLike: string): Family {
  for (const candidate of [id, ...idLike.split(/\s+/)]) {
    const found = FAMILIES.find(([, pattern]) => pattern.test(candidate.toLowerCase()));
    if (found) return found[0];
  }
  return 'unknown';
}

export function parseOsSection(sections: ProbeSections): HostProfile['os'] {
  const content = findFile(requireSection(sections, 'os'), 'os-release')?.content ?? '';
  const vars = parseOsRelease(content);
  const id = vars['ID'] ?? 'linux';
  return {
    id,
    family: osFamily(id, vars['ID_LIKE'] ?? ''),
    version: vars['VERSION_ID'] ?? '',
    prettyName: vars['PRETTY_NAME'] ?? vars['NAME'] ?? 'Linux',
  };
}
