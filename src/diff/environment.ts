// Where the host runs decides what can be done at all: a container shares its host's kernel, and a WSL
// kernel belongs to Windows. Gating happens after the differs, so the plan still shows what differs.
import type { Change, Diagnostic, HostProfile } from '../model/index.js';
import { buildDiagnostic } from './change.js';

export const CONTAINER_REASON = 'kernel operations not available in containers (they share the host kernel)';
export const WSL_KERNEL_REASON =
  'the WSL kernel belongs to Windows: build one from microsoft/WSL2-Linux-Kernel, set kernel= in %UserProfile%\\.wslconfig, then wsl --shutdown';
const WSL_INITRAMFS_REASON = 'WSL boots without a distro initramfs: nothing to rebuild';

function gateOne(profile: HostProfile, change: Change): Change {
  if (profile.env.container) return { ...change, blocked: CONTAINER_REASON };
  if (profile.env.wsl && change.blocked === undefined) {
    if (change.action === 'rebuild-kernel') return { ...change, blocked: WSL_KERNEL_REASON };
    if (change.action === 'rebuild-initramfs') return { ...change, blocked: WSL_INITRAMFS_REASON };
  }
  return change;
}

/** A change that waits on a blocked one cannot happen either; dependencies on changes that do not exist (the item already holds) are dropped. */
function propagateBlocked(changes: Change[]): Change[] {
  const known = new Set(changes.map((c) => c.id));
  const byId = new Map(changes.map((c) => [c.id, { ...c, dependsOn: c.dependsOn.filter((d) => known.has(d)) }]));
  let moved = true;
  while (moved) {
    moved = false;
    for (const change of byId.values()) {
      if (change.blocked !== undefined) continue;
      const blocker = change.dependsOn.find((d) => byId.get(d)?.blocked !== undefined);
      if (blocker !== undefined) {
        change.blocked = `waits for ${blocker}, which is blocked`;
        moved = true;
      }
    }
  }
  return changes.map((c) => byId.get(c.id) as Change);
}

export function gateChanges(profile: HostProfile, changes: Change[]): Change[] {
  return propagateBlocked(changes.map((c) => gateOne(profile, c)));
}

export function diagnoseEnvironment(profile: HostProfile): Diagnostic[] {
  if (profile.env.container) {
    const kind = profile.env.containerKind ? ` (${profile.env.containerKind})` : '';
    return [buildDiagnostic('info', 'container-skipped', `running in a container${kind}: ${CONTAINER_REASON}`, profile.host)];
  }
  if (profile.env.wsl) {
    return [buildDiagnostic('info', 'wsl-kernel', `WSL2 kernel ${profile.kernel.release}: modules may load; the kernel and its command line are managed from Windows`, profile.host)];
  }
  return [];
}
