// Files on the host that win over kernfleet's own: a sysctl.d file later in systemd-sysctl order, and
// the GRUB file (often a grub.d drop-in) whose assignment decides the command line. Pure.
import type { DesiredState, HostProfile } from '../model/index.js';
import type { DriftSourceRef } from '../model/generated/drift.js';
import { cmdlineValue, parseCmdline } from '../formats/cmdline.js';
import { evaluateGrub, grubKernelParams, GRUB_DROPIN_DIR } from '../formats/grub.js';
import { effectiveSysctl } from '../formats/sysctl-d.js';
import { meetsSysctlWant } from '../diff/sysctl-want.js';
import { applyFileEdit, buildSysctlFileEdit, sysctlPath } from '../plan/managed-files.js';

export interface ShadowedSysctl {
  key: string;
  /** The value the next boot gets from the shadowing file. */
  value: string;
  source: DriftSourceRef;
}

/**
 * Wanted sysctls that the next boot would take from another file even with kernfleet's file written as
 * the playbooks say: no apply can fix them, the other file has to change.
 */
export function findShadowedSysctls(desired: DesiredState, profile: HostProfile): ShadowedSysctl[] {
  const ours = sysctlPath(desired);
  const next = effectiveSysctl(applyFileEdit(profile.sysctl.files, buildSysctlFileEdit(desired, profile)));
  const shadowed: ShadowedSysctl[] = [];
  for (const [key, wanted] of Object.entries(desired.sysctl.values)) {
    const winner = next[key];
    if (winner && winner.path !== ours && !meetsSysctlWant(winner.value, wanted)) {
      shadowed.push({ key, value: winner.value, source: { file: winner.path, line: winner.line } });
    }
  }
  return shadowed;
}

export interface CmdlineDecider {
  /** GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT. */
  name: string;
  /** The GRUB assignment that decides the variable holding (or lacking) the parameter. */
  source: DriftSourceRef;
  /** The decider is a drop-in and, without it, the parameter would read as wanted. */
  overrides: boolean;
}

const GRUB_VARS = ['GRUB_CMDLINE_LINUX_DEFAULT', 'GRUB_CMDLINE_LINUX'] as const;

function isGrub(profile: HostProfile): boolean {
  return profile.boot.loader === 'grub' || profile.boot.loader === 'grub-bls';
}

/**
 * Which GRUB line decides a parameter: the variable that carries it (the later one, as grub-mkconfig
 * appends _DEFAULT last), or for a missing one the last assignment made in a drop-in. `want` undefined:
 * the parameter should be absent. null when the host does not boot through GRUB files.
 */
export function findCmdlineDecider(profile: HostProfile, key: string, want: string | null | undefined): CmdlineDecider | null {
  if (!isGrub(profile)) return null;
  const files = profile.boot.files;
  const evaluation = evaluateGrub(files);
  const assignments = GRUB_VARS.map((name) => evaluation.vars[name]).filter((a) => a !== undefined);
  const carrier = assignments.find((a) => cmdlineValue(parseCmdline(a.value), key) !== undefined);
  const decider = carrier ?? assignments.find((a) => a.path.startsWith(`${GRUB_DROPIN_DIR}/`)) ?? assignments[0];
  if (!decider) return null;
  const source = { file: decider.path, line: decider.line };
  if (!decider.path.startsWith(`${GRUB_DROPIN_DIR}/`)) return { name: decider.name, source, overrides: false };
  const without = grubKernelParams(evaluateGrub(files.filter((f) => f.path !== decider.path)));
  return { name: decider.name, source, overrides: cmdlineValue(without, key) === want };
}
