// Boot: the running command line, the boot id, the files that decide the next boot's command line, what
// the generated boot configuration will boot, and which boot loader decides it. Sections: `boot` (framed
// files, `entries-dir D`, `command C` lines) and `boot-next` (grub.cfg `linux` and extlinux `APPEND`
// lines, prefixed `grub ` / `extlinux `).
import { evaluateGrub } from '../formats/grub.js';
import type { FileEntry, HostProfile } from '../model/index.js';
import { fileValue, findFile, lineValue, lineValues, presentFiles, requireSection, type ProbeSections } from './sections.js';
import { dirCommand, fileCommand, quoteSh, sectionLine } from './shell.js';

type Loader = HostProfile['boot']['loader'];

const GRUB_DEFAULTS = '/etc/default/grub';
const GRUB_DROPINS = '/etc/default/grub.d';
const KERNEL_CMDLINE = '/etc/kernel/cmdline';
const UPDATE_EXTLINUX = '/etc/update-extlinux.conf';
/** Where BLS / systemd-boot entries live; the first is the one grub's blscfg reads. */
const ENTRY_DIRS = ['/boot/loader/entries', '/efi/loader/entries', '/boot/efi/loader/entries'];
const GRUB_CFGS = ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'];
const EXTLINUX_CFGS = ['/boot/extlinux.conf', '/boot/extlinux/extlinux.conf'];
const COMMANDS = ['update-grub', 'grub-mkconfig', 'grub2-mkconfig', 'grubby', 'bootctl', 'kernel-install', 'update-extlinux'];

export function buildBootProbe(): string {
  const list = (paths: string[]) => paths.map(quoteSh).join(' ');
  return `${sectionLine('boot')}
${fileCommand('/proc/cmdline', '/proc/cmdline', false)}
${fileCommand('boot_id', '/proc/sys/kernel/random/boot_id', false)}
${fileCommand(GRUB_DEFAULTS, GRUB_DEFAULTS, true)}
${dirCommand(GRUB_DROPINS, '.cfg')}
${fileCommand(KERNEL_CMDLINE, KERNEL_CMDLINE, true)}
${fileCommand(UPDATE_EXTLINUX, UPDATE_EXTLINUX, true)}
for kf_d in ${list(ENTRY_DIRS)}; do
  if [ -d "$kf_d" ]; then printf 'entries-dir %s\\n' "$kf_d"; kf_dir "$kf_d" .conf; fi
done
for kf_x in ${COMMANDS.join(' ')}; do
  if command -v "$kf_x" >/dev/null; then printf 'command %s\\n' "$kf_x"; fi
done
${sectionLine('boot-next')}
for kf_f in ${list(GRUB_CFGS)}; do
  if [ -e "$kf_f" ]; then
    printf 'grub-cfg %s\\n' "$kf_f"
    grep -E '^[[:space:]]*linux(16|efi)?[[:space:]]' "$kf_f" | sed 's/^[[:space:]]*/grub /'
    break
  fi
done
for kf_f in ${list(EXTLINUX_CFGS)}; do
  if [ -e "$kf_f" ]; then
    printf 'extlinux-cfg %s\\n' "$kf_f"
    grep -iE '^[[:space:]]*append[[:space:]]' "$kf_f" | sed 's/^[[:space:]]*/extlinux /'
    break
  fi
done`;
}

export interface LoaderEvidence {
  wsl: boolean;
  grubDefaults: boolean;
  grubCfg: boolean;
  blscfg: boolean;
  /** /boot/loader/entries exists (where grub's blscfg reads entries). */
  bootEntries: boolean;
  /** Any loader entries directory exists (/boot, /efi, /boot/efi). */
  anyEntries: boolean;
  kernelCmdline: boolean;
  extlinux: boolean;
  commands: string[];
}

// Evidence overlaps on real hosts: RHEL 9+ keeps /etc/kernel/cmdline beside a BLS grub, and Proxmox
// installs grub's packages even when it boots with systemd-boot. So BLS grub first, then systemd-boot
// when no grub.cfg is generated, then plain grub. WSL's command line lives in Windows' .wslconfig.
export function detectLoader(e: LoaderEvidence): Loader {
  if (e.wsl) return 'none';
  const has = (c: string) => e.commands.includes(c);
  const grub = e.grubDefaults || e.grubCfg || has('update-grub') || has('grub-mkconfig') || has('grub2-mkconfig');
  if (grub && e.blscfg && e.bootEntries) return 'grub-bls';
  if (!e.grubCfg && (e.kernelCmdline || (e.anyEntries && has('bootctl')))) return 'systemd-boot';
  if (grub) return 'grub';
  if (e.extlinux || has('update-extlinux')) return 'extlinux';
  return 'none';
}

export function parseBootSections(sections: ProbeSections, env: { wsl: boolean }): HostProfile['boot'] {
  const boot = requireSection(sections, 'boot');
  const next = requireSection(sections, 'boot-next');
  const files = presentFiles(boot).filter((f) => f.path.startsWith('/etc/') || f.path.includes('/loader/entries/'));
  const grubFiles = files.filter((f) => f.path === GRUB_DEFAULTS || f.path.startsWith(`${GRUB_DROPINS}/`));
  const entryDirs = lineValues(boot, 'entries-dir');
  const loader = detectLoader({
    wsl: env.wsl,
    grubDefaults: grubFiles.some((f) => f.path === GRUB_DEFAULTS),
    grubCfg: lineValue(next, 'grub-cfg') !== undefined,
    blscfg: grubFiles.length > 0 && evaluateGrub(grubFiles).vars['GRUB_ENABLE_BLSCFG']?.value === 'true',
    bootEntries: entryDirs.includes(ENTRY_DIRS[0] ?? ''),
    anyEntries: entryDirs.length > 0,
    kernelCmdline: files.some((f) => f.path === KERNEL_CMDLINE),
    extlinux: lineValue(next, 'extlinux-cfg') !== undefined || files.some((f) => f.path === UPDATE_EXTLINUX),
    commands: lineValues(boot, 'command'),
  });
  return {
    loader,
    procCmdline: (fileValue(findFile(boot, '/proc/cmdline')) ?? '').trim(),
    bootId: (fileValue(findFile(boot, 'boot_id')) ?? '').trim(),
    files,
    nextBootCmdlines: nextBootCmdlines(loader, next.lines, files),
  };
}

function nextBootCmdlines(loader: Loader, lines: string[], files: FileEntry[]): string[] {
  switch (loader) {
    case 'grub':
      return lines.flatMap((l) => /^grub linux(?:16|efi)?\s+\S+\s*(.*)$/.exec(l)?.[1] ?? []).map((c) => c.trim());
    case 'extlinux':
      return lines.flatMap((l) => /^extlinux append\s+(.*)$/i.exec(l)?.[1] ?? []).map((c) => c.trim());
    case 'grub-bls':
    case 'systemd-boot':
      return entryOptions(files);
    case 'none':
      return [];
  }
}

// Both loaders sort entries by version, newest first; a numeric-aware reverse name order matches that
// for the usual `<machine-id>-<version>.conf` names (-100 after -55).
function entryOptions(files: FileEntry[]): string[] {
  return files
    .filter((f) => f.path.includes('/loader/entries/'))
    .sort((a, b) => b.path.localeCompare(a.path, 'en', { numeric: true }))
    .flatMap((f) => {
      const options = f.content.split('\n').flatMap((l) => /^\s*options\s+(.*)$/.exec(l)?.[1] ?? []);
      return options.length > 0 ? [options.join(' ').trim()] : [];
    });
}
