// Change → Step: one write per file, one step per live action, one bootloader update, one initramfs
// rebuild, one kernel rebuild runbook and one reboot per host. Blocked changes get no step.
import type { Argv, Change, DesiredState, FileEdit, HostProfile, Step } from '../model/index.js';
import { findCmdlineEdit, listCmdlineItems } from '../diff/cmdline.js';
import { formatCmdlineParam } from '../formats/cmdline.js';
import { buildBootEdit, readConfiguredCmdline } from './boot-config.js';
import { buildKernelRollback, buildKernelRunbook } from './kernel-build.js';
import { buildLedgerEdit, buildLedgerParams, readLedger } from './ledger.js';
import { listManagedFiles } from './managed-files.js';
import { decideAutoExecute, maxRisk } from './risk.js';

export const REBOOT_STEP_ID = 'reboot';

interface StepSpec {
  id: string;
  title: string;
  changes: Change[];
  commands?: Argv[];
  verify?: Argv[];
  files?: FileEdit[];
  rollback: string;
  runbook?: string[];
}

function buildStep(spec: StepSpec): Step {
  const risk = maxRisk(spec.changes.map((c) => c.risk));
  const step: Step = {
    id: spec.id,
    title: spec.title,
    changes: spec.changes.map((c) => c.id),
    risk,
    autoExecute: decideAutoExecute(risk),
    restart: spec.changes.some((c) => c.restart === 'system') ? 'system' : 'none',
    commands: spec.commands ?? [],
    verify: spec.verify ?? [],
    files: spec.files ?? [],
    rollback: spec.rollback,
    // Every step touches root-owned kernel state or files under /etc.
    become: true,
  };
  if (spec.runbook) step.runbook = spec.runbook;
  return step;
}

function buildLiveStep(change: Change): Step | null {
  const { subject } = change;
  switch (change.action) {
    case 'load':
      return buildStep({ id: change.id, title: `load module ${subject}`, changes: [change], commands: [['modprobe', subject]], verify: [['grep', '-q', `^${subject} `, '/proc/modules']], rollback: `modprobe -r ${subject}` });
    case 'unload':
      return buildStep({
        id: change.id,
        title: `unload module ${subject}`,
        changes: [change],
        commands: [['modprobe', '-r', subject]],
        verify: [['sh', '-c', '! grep -q "^$1 " /proc/modules', 'sh', subject]],
        rollback: `modprobe ${subject}`,
      });
    case 'reload':
      return buildStep({
        id: change.id,
        title: `reload module ${subject} with new parameters`,
        changes: [change],
        commands: [['modprobe', '-r', subject], ['modprobe', subject]],
        verify: [['grep', '-q', `^${subject} `, '/proc/modules']],
        rollback: change.rollback,
      });
    case 'set-live':
      if (change.area === 'sysctl') {
        return buildStep({ id: change.id, title: `set ${subject} = ${change.to ?? ''}`, changes: [change], commands: [['sysctl', '-w', `${subject}=${change.to ?? ''}`]], verify: [['sysctl', '-n', subject]], rollback: change.rollback });
      }
      return buildModuleParamStep(change);
    default:
      return null;
  }
}

// sysfs parameters are written, never renamed into place: a fixed script with the value and path as
// positional arguments (nothing is interpolated into the script text).
function buildModuleParamStep(change: Change): Step {
  const [module, param] = change.subject.split('.') as [string, string];
  const path = `/sys/module/${module}/parameters/${param}`;
  return buildStep({
    id: change.id,
    title: `set ${change.subject} = ${change.to ?? ''} in the loaded module`,
    changes: [change],
    commands: [['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', change.to ?? '', path]],
    verify: [['test', '-r', path]],
    rollback: change.rollback,
  });
}

function buildFileSteps(desired: DesiredState, profile: HostProfile, changes: Change[]): Step[] {
  return listManagedFiles(desired, profile).flatMap((file) => {
    const owned = changes.filter((c) => file.owns(c));
    if (file.edit === null || owned.length === 0) return [];
    return [buildStep({ id: `file:${file.path}`, title: `write ${file.path}`, changes: owned, files: [file.edit], rollback: file.edit.before === null ? `delete ${file.path}` : `restore the backup of ${file.path}` })];
  });
}

const INITRAMFS_COMMANDS: Record<HostProfile['os']['family'], Argv> = {
  debian: ['update-initramfs', '-u'],
  rhel: ['dracut', '-f'],
  suse: ['dracut', '-f'],
  alpine: ['mkinitfs'],
  arch: ['mkinitcpio', '-P'],
  unknown: ['update-initramfs', '-u'],
};

function buildInitramfsStep(profile: HostProfile, changes: Change[]): Step {
  const command = INITRAMFS_COMMANDS[profile.os.family];
  return buildStep({
    id: 'initramfs:rebuild',
    title: `rebuild the initramfs (${changes.map((c) => c.subject).join(', ')} blacklisted)`,
    changes,
    commands: [command],
    rollback: `restore the blacklist file's backup and run ${command.join(' ')} again; if the next boot fails, choose the previous kernel's entry at the boot menu`,
  });
}

function buildBootloaderStep(desired: DesiredState, profile: HostProfile, changes: Change[]): Step {
  const keys = changes.map((c) => c.subject);
  const { items, edit } = findCmdlineEdit(desired, profile);
  const active = items.filter((i) => keys.includes(i.key));
  const bootEdit = buildBootEdit(profile, {
    set: Object.fromEntries(Object.entries(edit.set).filter(([k]) => keys.includes(k))),
    targets: edit.targets,
    remove: edit.remove.filter((k) => keys.includes(k)),
  });
  const blockedKeys = items.map((i) => i.key).filter((k) => !keys.includes(k));
  const ledger = buildLedgerEdit(profile, buildLedgerParams(desired, readLedger(profile), readConfiguredCmdline(profile).text, blockedKeys));
  const files = ledger ? [...bootEdit.files, ledger] : bootEdit.files;
  const summary = active.map((i) => (i.want === undefined ? `-${i.key}` : formatCmdlineParam(i.key, i.want))).join(' ');
  return buildStep({
    id: 'bootloader:update',
    title: `update the boot command line: ${summary}`,
    changes,
    files,
    commands: bootEdit.commands,
    rollback: bootEdit.rollback,
  });
}

// After the reboot every parameter this run has an opinion on must read as wanted in /proc/cmdline.
function buildRebootStep(desired: DesiredState, profile: HostProfile, change: Change, blockedKeys: string[]): Step {
  const verify: Argv[] = listCmdlineItems(desired, profile)
    .filter((i) => !blockedKeys.includes(i.key))
    .map((i) => (i.want === undefined ? ['sh', '-c', '! grep -qw -- "$1" /proc/cmdline', 'sh', i.key] : ['grep', '-qw', '--', formatCmdlineParam(i.key, i.want), '/proc/cmdline']));
  return buildStep({ id: REBOOT_STEP_ID, title: 'reboot to apply the kernel command line', changes: [change], commands: [['reboot']], verify, rollback: change.rollback });
}

export function buildSteps(desired: DesiredState, profile: HostProfile, changes: Change[]): Step[] {
  const active = changes.filter((c) => c.blocked === undefined);
  const byAction = (action: Change['action']) => active.filter((c) => c.action === action);
  const steps: Step[] = [...buildFileSteps(desired, profile, active)];
  for (const change of active) {
    const step = buildLiveStep(change);
    if (step) steps.push(step);
  }
  if (byAction('rebuild-initramfs').length > 0) steps.push(buildInitramfsStep(profile, byAction('rebuild-initramfs')));
  if (byAction('update-bootloader').length > 0) steps.push(buildBootloaderStep(desired, profile, byAction('update-bootloader')));
  if (byAction('rebuild-kernel').length > 0) {
    const rebuild = byAction('rebuild-kernel');
    steps.push(buildStep({ id: 'kernel:rebuild', title: `rebuild the kernel (${rebuild.map((c) => c.subject).join(', ')})`, changes: rebuild, rollback: buildKernelRollback(profile), runbook: buildKernelRunbook(profile, rebuild) }));
  }
  const reboot = byAction('reboot')[0];
  if (reboot) {
    const blockedKeys = changes.filter((c) => c.area === 'cmdline' && c.blocked !== undefined).map((c) => c.subject);
    steps.push(buildRebootStep(desired, profile, reboot, blockedKeys));
  }
  return steps;
}
