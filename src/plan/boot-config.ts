// Where the next boot's command line is configured, per bootloader, and how to edit it there: GRUB
// variables (the file:line that decides them), /etc/kernel/cmdline (systemd-boot), default_kernel_opts
// (extlinux). WSL and hosts without a known loader cannot be edited from here.
import type { Argv, FileEdit, FileEntry, HostProfile } from '../model/index.js';
import type { CmdlineTarget } from '../model/desired.js';
import { editGrubCmdline, evaluateGrub, type GrubEvaluation } from '../formats/grub.js';
import { applyFileEdit } from './managed-files.js';
import { cmdlineValue, editCmdline, formatCmdlineParam, parseCmdline } from '../formats/cmdline.js';

export const WSL_CMDLINE_REASON = 'edit kernelCommandLine in %UserProfile%\\.wslconfig on Windows, then wsl --shutdown';
export const NO_LOADER_REASON = 'no supported bootloader found (grub, grub-bls, systemd-boot, extlinux): set the parameter by hand';

const GRUB_VARS: CmdlineTarget[] = ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'];
const GRUB_DEFAULT = '/etc/default/grub';
const KERNEL_CMDLINE = '/etc/kernel/cmdline';
const EXTLINUX_CONF = '/etc/update-extlinux.conf';
const EXTLINUX_OPTS = /^default_kernel_opts=(.*)$/m;

/** What the boot configuration asks for now; `blocked` when kernfleet cannot edit it on this host. */
export interface ConfiguredCmdline {
  text: string;
  blocked?: string;
}

export interface CmdlineEdit {
  /** key → value (null: bare flag) to set. */
  set: Record<string, string | null>;
  /** key → the GRUB variable a parameter the host does not have yet goes to. */
  targets: Record<string, CmdlineTarget>;
  remove: string[];
}

export interface BootEdit {
  files: FileEdit[];
  commands: Argv[];
  /** key → why it cannot be edited (the deciding line is not a plain assignment...). */
  blocked: Record<string, string>;
  rollback: string;
}

function isGrubFile(path: string): boolean {
  return path === GRUB_DEFAULT || (path.startsWith('/etc/default/grub.d/') && path.endsWith('.cfg'));
}

function evaluateGrubFiles(profile: HostProfile): GrubEvaluation {
  return evaluateGrub(profile.boot.files.filter((f) => isGrubFile(f.path)));
}

function findBootFile(profile: HostProfile, path: string): FileEntry | undefined {
  return profile.boot.files.find((f) => f.path === path);
}

function unquote(text: string): string {
  const t = text.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

// kernel-install falls back to the running command line, minus what the loader adds itself.
function kernelCmdlineBase(profile: HostProfile): string {
  const file = findBootFile(profile, KERNEL_CMDLINE);
  if (file) return file.content.trim();
  return parseCmdline(profile.boot.procCmdline)
    .filter((p) => p.key !== 'BOOT_IMAGE' && p.key !== 'initrd')
    .map((p) => formatCmdlineParam(p.key, p.value))
    .join(' ');
}

export function readConfiguredCmdline(profile: HostProfile): ConfiguredCmdline {
  if (profile.env.wsl) return { text: '', blocked: WSL_CMDLINE_REASON };
  switch (profile.boot.loader) {
    case 'grub':
    case 'grub-bls': {
      const vars = evaluateGrubFiles(profile).vars;
      return { text: GRUB_VARS.map((v) => vars[v]?.value ?? '').join(' ').trim() };
    }
    case 'systemd-boot':
      return { text: kernelCmdlineBase(profile) };
    case 'extlinux': {
      const match = EXTLINUX_OPTS.exec(findBootFile(profile, EXTLINUX_CONF)?.content ?? '');
      return { text: match ? unquote(match[1] ?? '') : '' };
    }
    case 'none':
      return { text: '', blocked: NO_LOADER_REASON };
  }
}

export function grubUpdateCommand(family: HostProfile['os']['family']): Argv {
  switch (family) {
    case 'debian':
      return ['update-grub'];
    case 'rhel':
    case 'suse':
      return ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'];
    default:
      return ['grub-mkconfig', '-o', '/boot/grub/grub.cfg'];
  }
}

function grubFiles(profile: HostProfile): FileEntry[] {
  return profile.boot.files.filter((f) => isGrubFile(f.path));
}

function buildGrubEdit(profile: HostProfile, edit: CmdlineEdit): BootEdit {
  const evaluation = evaluateGrubFiles(profile);
  const valueOf = (v: CmdlineTarget) => parseCmdline(evaluation.vars[v]?.value ?? '');
  const work = new Map<CmdlineTarget, { set: Record<string, string | null>; remove: string[] }>(GRUB_VARS.map((v) => [v, { set: {}, remove: [] }]));
  for (const [key, value] of Object.entries(edit.set)) {
    const target = edit.targets[key] ?? 'GRUB_CMDLINE_LINUX';
    const holders = GRUB_VARS.filter((v) => cmdlineValue(valueOf(v), key) !== undefined);
    // A parameter already in the other variable is edited where it is, so it does not end up twice;
    // written in both, _DEFAULT (which grub appends last) keeps it and _LINUX drops it.
    const where = holders.length === 0 ? target : (holders[holders.length - 1] as CmdlineTarget);
    for (const [v, bucket] of work) {
      if (v === where) bucket.set[key] = value;
      else if (holders.includes(v)) bucket.remove.push(key);
    }
  }
  for (const key of edit.remove) {
    for (const v of GRUB_VARS) if (cmdlineValue(valueOf(v), key) !== undefined) work.get(v)?.remove.push(key);
  }
  const blocked: Record<string, string> = {};
  let files = grubFiles(profile);
  for (const name of GRUB_VARS) {
    const { set, remove } = work.get(name) ?? { set: {}, remove: [] };
    const keys = [...Object.keys(set), ...remove];
    if (keys.length === 0) continue;
    const result = editGrubCmdline(files, name, set, remove);
    if (result.blocked !== null) {
      for (const k of keys) blocked[k] = `${result.blocked}: edit by hand`;
      continue;
    }
    // The second variable's edit starts from the files as the first one left them.
    files = result.edits.reduce((acc, e) => applyFileEdit(acc, { path: e.path, before: e.before, after: e.after }), files);
  }
  const original = grubFiles(profile);
  const edits: FileEdit[] = files
    .filter((f) => original.find((o) => o.path === f.path)?.content !== f.content)
    .map((f) => ({ path: f.path, before: findBootFile(profile, f.path)?.content ?? null, after: f.content }));
  const commands: Argv[] = [];
  if ([...Object.keys(edit.set), ...edit.remove].some((k) => !(k in blocked))) {
    commands.push(profile.boot.loader === 'grub-bls' ? grubbyCommand(edit, blocked) : grubUpdateCommand(profile.os.family));
  }
  const update = profile.boot.loader === 'grub-bls' ? 'grubby' : grubUpdateCommand(profile.os.family).join(' ');
  const restored = edits.length > 0 ? edits.map((e) => `/var/lib/kernfleet/backups/RUN${e.path}`).join(' and ') : `/var/lib/kernfleet/backups/RUN${GRUB_DEFAULT}`;
  return {
    files: edits,
    commands,
    blocked,
    rollback: `restore ${restored} and the backed-up grub.cfg, then run ${update}; at the GRUB menu press e to remove the parameter for one boot`,
  };
}

// BLS entries carry their own options line: grubby edits every entry; /etc/default/grub still gets the
// edit so kernels installed later inherit it.
function grubbyCommand(edit: CmdlineEdit, blocked: Record<string, string>): Argv {
  const args = Object.entries(edit.set).filter(([k]) => !(k in blocked)).map(([k, v]) => formatCmdlineParam(k, v));
  const removals = edit.remove.filter((k) => !(k in blocked));
  const argv: Argv = ['grubby', '--update-kernel=ALL'];
  if (args.length > 0) argv.push(`--args=${args.join(' ')}`);
  if (removals.length > 0) argv.push(`--remove-args=${removals.join(' ')}`);
  return argv;
}

function buildKernelCmdlineEdit(profile: HostProfile, edit: CmdlineEdit): BootEdit {
  const release = profile.kernel.release;
  const before = findBootFile(profile, KERNEL_CMDLINE)?.content ?? null;
  const after = `${editCmdline(kernelCmdlineBase(profile), edit.set, edit.remove)}\n`;
  return {
    files: after === before ? [] : [{ path: KERNEL_CMDLINE, before, after }],
    commands: [['kernel-install', 'add', release, `/boot/vmlinuz-${release}`]],
    blocked: {},
    rollback: `restore /var/lib/kernfleet/backups/RUN${KERNEL_CMDLINE} (delete it if kernfleet created it) and run kernel-install add ${release} /boot/vmlinuz-${release}; at the systemd-boot menu press e to edit the entry for one boot`,
  };
}

function buildExtlinuxEdit(profile: HostProfile, edit: CmdlineEdit): BootEdit {
  const before = findBootFile(profile, EXTLINUX_CONF)?.content ?? null;
  const current = EXTLINUX_OPTS.exec(before ?? '');
  const line = `default_kernel_opts="${editCmdline(current ? unquote(current[1] ?? '') : '', edit.set, edit.remove)}"`;
  const after = current ? (before ?? '').replace(EXTLINUX_OPTS, line) : `${before ?? ''}${before && !before.endsWith('\n') ? '\n' : ''}${line}\n`;
  return {
    files: after === before ? [] : [{ path: EXTLINUX_CONF, before, after }],
    commands: [['update-extlinux']],
    blocked: {},
    rollback: `restore /var/lib/kernfleet/backups/RUN${EXTLINUX_CONF} and run update-extlinux; at the boot prompt type the previous entry's options for one boot`,
  };
}

export function buildBootEdit(profile: HostProfile, edit: CmdlineEdit): BootEdit {
  const configured = readConfiguredCmdline(profile);
  if (configured.blocked !== undefined) {
    const keys = [...Object.keys(edit.set), ...edit.remove];
    return { files: [], commands: [], blocked: Object.fromEntries(keys.map((k) => [k, configured.blocked as string])), rollback: 'nothing was changed' };
  }
  switch (profile.boot.loader) {
    case 'grub':
    case 'grub-bls':
      return buildGrubEdit(profile, edit);
    case 'systemd-boot':
      return buildKernelCmdlineEdit(profile, edit);
    case 'extlinux':
      return buildExtlinuxEdit(profile, edit);
    case 'none':
      return { files: [], commands: [], blocked: {}, rollback: 'nothing was changed' };
  }
}
