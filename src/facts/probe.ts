// The probe: one POSIX sh script per host (bash, dash and busybox ash), one exec, output in delimited
// sections; and its pure parser into a HostProfile. Each domain file (kconfig, modules, initramfs,
// sysctl, cmdline, os, env, hardware, ledger) owns a fragment of the script and the parser of its sections.
import { createHash } from 'node:crypto';
import type { HostProfile } from '../model/index.js';
import { buildBootProbe, parseBootSections } from './cmdline.js';
import { buildEnvProbe, parseEnvSection } from './env.js';
import { buildHardwareProbe, parseHardwareSection } from './hardware.js';
import { buildInitramfsProbe, parseInitramfsSections } from './initramfs.js';
import { buildKernelProbe, parseKernelSections } from './kconfig.js';
import { buildLedgerProbe, parseLedgerSection } from './ledger.js';
import { buildModulesProbe, parseModuleSections } from './modules.js';
import { buildOsProbe, parseOsSection } from './os.js';
import type { ProbeRequest } from './request.js';
import { readProbeOutput } from './sections.js';
import { PROBE_PRELUDE, sectionLine } from './shell.js';
import { buildSysctlProbe, parseSysctlSections } from './sysctl.js';

export { ProbeParseError } from './sections.js';

export const PROFILE_FORMAT_VERSION = '1.0';

/** Throws when the request holds a name that cannot be a symbol, module, parameter or sysctl key. */
export function buildProbe(request: ProbeRequest): string {
  return [
    PROBE_PRELUDE,
    buildOsProbe(),
    buildEnvProbe(),
    // Before modules: it sets the release the module lookups use.
    buildKernelProbe(request),
    buildModulesProbe(request),
    buildInitramfsProbe(),
    buildSysctlProbe(request),
    buildBootProbe(),
    buildHardwareProbe(),
    buildLedgerProbe(),
    sectionLine('end'),
    'exit 0',
    '',
  ].join('\n');
}

/** Parses probe output; throws ProbeParseError naming the section when the output is malformed. */
export function parseProbe(host: string, output: string, gatheredAt: string): HostProfile {
  const sections = readProbeOutput(output);
  const kernel = parseKernelSections(sections);
  const env = parseEnvSection(sections, kernel.release);
  const modules = parseModuleSections(sections);
  return {
    format_version: PROFILE_FORMAT_VERSION,
    host,
    fingerprint: fingerprintProbeOutput(output),
    gatheredAt,
    os: parseOsSection(sections),
    env,
    kernel,
    modules: { ...modules, ...parseInitramfsSections(sections, Object.keys(modules.available)) },
    sysctl: parseSysctlSections(sections),
    boot: parseBootSections(sections, env),
    hardware: parseHardwareSection(sections),
    kernfleet: parseLedgerSection(sections),
  };
}

// The output holds nothing but state (no clock, no pids), so all of it is hashed: any change to a file,
// value or the boot id makes a saved plan stale.
export function fingerprintProbeOutput(output: string): string {
  return `sha256:${createHash('sha256').update(output).digest('hex')}`;
}
