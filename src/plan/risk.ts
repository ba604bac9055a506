// THE one place risk is decided, from the seed's risk table (kernel operations domain, "Risk levels").
// Every change and step takes its risk from here so that the table and the plan can never disagree.
import type { Change, Risk } from '../model/index.js';

type Action = Change['action'];

const RISK_BY_ACTION: Record<Action, Risk> = {
  // modprobe: reversible with modprobe -r, no reboot.
  load: 'low',
  // Files in modules-load.d / sysctl.d / modprobe.d: delete to undo, take effect on the next boot.
  persist: 'low',
  'write-file': 'low',
  // A live sysctl or writable module parameter: the old value is known and can be written back.
  'set-live': 'low',
  // Unloading or reloading a module interrupts whatever uses it and fails when it is in use.
  unload: 'medium',
  reload: 'medium',
  // update-grub and friends: wrong config = boot issues.
  'update-bootloader': 'medium',
  // A broken initramfs can stop the next boot early.
  'rebuild-initramfs': 'medium',
  // Service interruption; the new kernel or command line might fail.
  reboot: 'medium',
  // Replaces the boot kernel image: a wrong config can make the system unbootable.
  'rebuild-kernel': 'high',
  'upgrade-kernel': 'high',
  none: 'low',
};

export function decideRisk(action: Action): Risk {
  return RISK_BY_ACTION[action];
}

/** High-risk work never runs automatically (seed safeguard 1). */
export function decideAutoExecute(risk: Risk): boolean {
  return risk !== 'high';
}

const RISK_RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export function rankRisk(risk: Risk): number {
  return RISK_RANK[risk];
}

export function maxRisk(risks: Risk[]): Risk {
  return risks.reduce<Risk>((worst, r) => (rankRisk(r) > rankRisk(worst) ? r : worst), 'low');
}
