// Sysctl: live values of the asked keys from /proc/sys and every sysctl.d layer plus /etc/sysctl.conf.
// Sections: `sysctl-live` (framed values labelled by key; `none` when the key does not exist) and
// `sysctl-files` (framed files).
import { SYSCTL_CONF, SYSCTL_DIRS } from '../formats/sysctl-d.js';
import type { HostProfile } from '../model/index.js';
import type { ProbeRequest } from './request.js';
import { fileValue, presentFiles, requireSection, type ProbeSections } from './sections.js';
import { dirCommand, fileCommand, sectionLine } from './shell.js';

/**
 * /proc/sys path of a key, as sysctl.d(5) reads it: when the first separator is `/`, slashes separate and
 * dots are literal (`net/ipv4/conf/eth0.100/rp_filter`); otherwise dots separate and slashes stand for
 * literal dots (`net.ipv4.conf.eth0/100.rp_filter`).
 */
export function sysctlPath(key: string): string {
  const slashFirst = /^[^./]*\//.test(key);
  const relative = slashFirst ? key : key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
  const segments = relative.split('/');
  if (/[\n\0]/.test(key) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`probe request: not a sysctl key: ${JSON.stringify(key)}`);
  }
  return `/proc/sys/${relative}`;
}

export function buildSysctlProbe(request: ProbeRequest): string {
  return `${sectionLine('sysctl-live')}
${request.sysctlKeys.map((key) => fileCommand(key, sysctlPath(key), false)).join('\n')}
${sectionLine('sysctl-files')}
${SYSCTL_DIRS.map((d) => dirCommand(d, '.conf')).join('\n')}
${fileCommand(SYSCTL_CONF, SYSCTL_CONF, true)}`;
}

export function parseSysctlSections(sections: ProbeSections): HostProfile['sysctl'] {
  const live: Record<string, string | null> = {};
  for (const file of requireSection(sections, 'sysctl-live').files) live[file.label] = fileValue(file);
  return { live, files: presentFiles(requireSection(sections, 'sysctl-files')) };
}
