// Why an item drifted: each change diff found is matched against what kernfleet's last apply left on the
// host (the ledger's last_apply) and against the files that win over kernfleet's own. Pure.
import type { Change, DesiredState, HostProfile } from '../model/index.js';
import type { DriftCause, DriftSourceRef } from '../model/generated/drift.js';
import { sameSysctlValue } from '../formats/sysctl-d.js';
import { meetsSysctlWant } from '../diff/sysctl-want.js';
import type { LastApply } from './last-apply.js';
import { findCmdlineDecider } from './overrides.js';

export interface DriftContext {
  profile: HostProfile;
  desired: DesiredState;
  last: LastApply | null;
  /** The desired state is the one the last apply applied. */
  sameDesired: boolean;
}

export interface Explanation {
  cause: DriftCause;
  /** Why, after the change's own reason. */
  why: string;
  source?: DriftSourceRef;
}

/** What the last apply's record says about one item. */
type Recorded = { kind: 'held' } | { kind: 'other'; value: string } | { kind: 'unrecorded' };

const HELD: Recorded = { kind: 'held' };
const UNRECORDED: Recorded = { kind: 'unrecorded' };

function recordedValue(value: string | null | undefined, wanted: string | null, same: (a: string, b: string) => boolean = (a, b) => a === b): Recorded {
  if (value === undefined) return UNRECORDED;
  if (value === wanted || (value !== null && wanted !== null && same(value, wanted))) return HELD;
  return { kind: 'other', value: value ?? '(flag)' };
}

function recordedMember(list: string[] | undefined, item: string, otherwise: string): Recorded {
  if (list === undefined) return UNRECORDED;
  return list.includes(item) ? HELD : { kind: 'other', value: otherwise };
}

function describeRun(last: LastApply): string {
  return `run ${last.run}`;
}

const NEVER_APPLIED: Explanation = { cause: 'never-applied', why: 'no kernfleet apply is recorded on this host' };

/** held → `whenHeld`; anything else is a value kernfleet never left there. */
function explainByRecord(ctx: DriftContext, recorded: Recorded, whenHeld: (last: LastApply) => Explanation): Explanation {
  const { last } = ctx;
  if (last === null) return NEVER_APPLIED;
  if (recorded.kind === 'held') return whenHeld(last);
  if (recorded.kind === 'other') return { cause: 'never-applied', why: `kernfleet's last apply (${describeRun(last)}) left ${recorded.value}: ${ctx.sameDesired ? 'it could not set the wanted value' : 'the playbooks changed since'}` };
  // Items the record does not cover (files, removals): the desired state as a whole tells.
  if (ctx.sameDesired) return whenHeld(last);
  return { cause: 'never-applied', why: `the playbooks changed since kernfleet's last apply (${describeRun(last)})` };
}

function changedByHand(what: string): (last: LastApply) => Explanation {
  return (last) => ({ cause: 'changed-since-apply', why: `kernfleet's last apply (${describeRun(last)}) left it as wanted: ${what}` });
}

function explainKernel(change: Change, ctx: DriftContext): Explanation {
  const recorded = ctx.last?.state.kernel;
  const { release } = ctx.profile.kernel;
  if (ctx.last === null) return NEVER_APPLIED;
  if (recorded && recorded.release !== release) {
    return { cause: 'kernel-changed', why: `the host runs ${release}; kernfleet's last apply (${describeRun(ctx.last)}) ran on ${recorded.release}` };
  }
  if (recorded && change.area === 'kconfig' && change.subject in recorded.config) {
    const before = recorded.config[change.subject] ?? null;
    if (before !== change.from) {
      return { cause: 'kernel-changed', why: `the kernel config of ${release} changed since kernfleet's last apply: ${change.subject} was ${before ?? 'absent'}` };
    }
  }
  return { cause: 'never-applied', why: 'only another kernel closes it, and kernfleet never rebuilds or upgrades a kernel on its own' };
}

function explainModule(change: Change, ctx: DriftContext): Explanation {
  const state = ctx.last?.state;
  const module = change.subject;
  if (change.action === 'write-file') return explainByRecord(ctx, UNRECORDED, changedByHand('the file was edited since'));
  if (module.includes('.')) {
    return explainByRecord(ctx, recordedValue(state?.moduleParams[module], change.to), changedByHand('the parameter was changed since (by hand, or a reload without the option)'));
  }
  if (change.action === 'unload' || change.action === 'rebuild-initramfs' || (change.action === 'persist' && change.to === 'blacklisted')) {
    return explainByRecord(ctx, recordedMember(state?.blacklist, module, 'it loaded'), changedByHand('it was loaded or its blacklist entry removed since'));
  }
  if (change.action === 'load' && change.blocked !== undefined && state?.kernel && state.kernel.release !== ctx.profile.kernel.release) {
    return { cause: 'kernel-changed', why: `${change.blocked} (kernfleet's last apply ran on ${state.kernel.release})` };
  }
  if (change.action === 'load') {
    return explainByRecord(ctx, recordedMember(state?.modules, module, 'it not loaded'), (last) => ({ cause: 'module-unloaded', why: `kernfleet's last apply (${describeRun(last)}) left it loaded: unloaded since (modprobe -r, rmmod)` }));
  }
  return explainByRecord(ctx, recordedMember(state?.modules, module, 'it not loaded'), changedByHand('the modules-load.d entry was removed since'));
}

function explainSysctl(change: Change, ctx: DriftContext): Explanation {
  const state = ctx.last?.state;
  if (change.action === 'write-file') return explainByRecord(ctx, UNRECORDED, changedByHand('the file was edited since'));
  // A key that exists only with its module loaded is missing because the module is gone.
  const owner = change.dependsOn.find((id) => id.startsWith('module:') && id.endsWith(':load'))?.split(':')[1];
  if (owner !== undefined && change.from === null && state?.modules.includes(owner)) {
    return { cause: 'module-unloaded', why: `the key exists only while ${owner} is loaded, and ${owner} was unloaded since kernfleet's last apply` };
  }
  const wanted = ctx.desired.sysctl.values[change.subject];
  // A floor was held by any value at or above it, not only by the floor itself.
  const held = (have: string, to: string) => (wanted ? meetsSysctlWant(have, wanted) : sameSysctlValue(have, to));
  const recorded = recordedValue(state?.sysctl[change.subject], change.to, held);
  const what = change.layer === 'live' ? 'changed since by hand (sysctl -w, a service, or sysctl --system with other files)' : 'the persisted value changed since';
  return explainByRecord(ctx, recorded, changedByHand(what));
}

function wantedParam(desired: DesiredState, key: string): string | null | undefined {
  return desired.cmdline.set[key]?.value;
}

function explainCmdline(change: Change, ctx: DriftContext): Explanation {
  const want = wantedParam(ctx.desired, change.subject);
  const decider = findCmdlineDecider(ctx.profile, change.subject, want);
  const source = decider ? { source: decider.source } : {};
  if (change.layer === 'persisted' && decider?.overrides) {
    return { cause: 'dropin-override', why: `${decider.source.file}:${decider.source.line} sets ${decider.name} after /etc/default/grub and decides it; without that drop-in the command line would be as wanted`, ...source };
  }
  const recorded = want === undefined ? UNRECORDED : recordedValue(ctx.last?.state.cmdline[change.subject], want);
  const what = change.layer === 'next-boot' ? 'the generated boot entries were regenerated or edited without it since' : 'the bootloader configuration was edited since';
  const explanation = explainByRecord(ctx, recorded, changedByHand(what));
  return { ...explanation, ...source };
}

function explainReboot(ctx: DriftContext): Explanation {
  const { last, profile } = ctx;
  if (last === null) return { cause: 'reboot-pending', why: 'the next boot has it, the running kernel does not: reboot to apply' };
  const rebooted = last.state.bootId !== profile.boot.bootId;
  return {
    cause: 'reboot-pending',
    why: rebooted
      ? `the host rebooted since kernfleet's last apply (${describeRun(last)}) and still runs without it: it was configured after that boot, or another boot entry was chosen`
      : `no reboot since kernfleet's last apply (${describeRun(last)}) configured it`,
  };
}

/**
 * The cause of one change, or null when it is not drift of its own: a reboot that only follows a
 * bootloader change (that change's finding says so) and nothing else.
 */
export function explainChange(change: Change, ctx: DriftContext): Explanation | null {
  switch (change.area) {
    case 'kconfig':
    case 'kernel':
      return explainKernel(change, ctx);
    case 'module':
      return explainModule(change, ctx);
    case 'sysctl':
      return explainSysctl(change, ctx);
    case 'cmdline':
      return explainCmdline(change, ctx);
    case 'boot':
      if (change.action !== 'reboot') return explainByRecord(ctx, UNRECORDED, changedByHand('the file was edited since'));
      return change.dependsOn.length === 0 ? explainReboot(ctx) : null;
  }
}
