// What the initramfs generator is told to include (initramfs-tools, dracut, Alpine mkinitfs) and what DKMS
// builds. Sections: `initramfs` (framed config files) and `dkms` (raw `dkms status` lines).
import { normaliseModule } from '../formats/module-name.js';
import type { HostProfile } from '../model/index.js';
import { requireSection, type ProbeFile, type ProbeSections } from './sections.js';
import { dirCommand, fileCommand, sectionLine } from './shell.js';

const INITRAMFS_TOOLS = '/etc/initramfs-tools/modules';
const DRACUT_CONF = '/etc/dracut.conf';
const DRACUT_DIR = '/etc/dracut.conf.d';
const MKINITFS_CONF = '/etc/mkinitfs/mkinitfs.conf';
const MKINITFS_FEATURES = '/etc/mkinitfs/features.d';

export function buildInitramfsProbe(): string {
  return `${sectionLine('initramfs')}
${fileCommand(INITRAMFS_TOOLS, INITRAMFS_TOOLS, false)}
${fileCommand(DRACUT_CONF, DRACUT_CONF, false)}
${dirCommand(DRACUT_DIR, '.conf')}
${fileCommand(MKINITFS_CONF, MKINITFS_CONF, false)}
if [ -e ${MKINITFS_CONF} ]; then ${dirCommand(MKINITFS_FEATURES, '.modules')}; fi
${sectionLine('dkms')}
if command -v dkms >/dev/null; then dkms status; fi`;
}

export function parseInitramfsSections(sections: ProbeSections, asked: string[]): Pick<HostProfile['modules'], 'initramfs' | 'dkms'> {
  const files = requireSection(sections, 'initramfs').files.filter((f): f is ProbeFile & { content: string } => f.content !== null);
  const included = new Set<string>();
  for (const file of files) {
    if (file.label === INITRAMFS_TOOLS) initramfsToolsModules(file.content).forEach((m) => included.add(m));
    else if (file.label === DRACUT_CONF || file.label.startsWith(`${DRACUT_DIR}/`)) dracutDrivers(file.content).forEach((m) => included.add(m));
  }
  const mkinitfs = files.find((f) => f.label === MKINITFS_CONF);
  if (mkinitfs) {
    for (const feature of mkinitfsFeatures(mkinitfs.content)) {
      const list = files.find((f) => f.label === `${MKINITFS_FEATURES}/${feature}.modules`);
      if (list) mkinitfsModules(list.content).forEach((m) => included.add(m));
    }
  }
  const dkms = requireSection(sections, 'dkms').lines.filter((l) => l.trim() !== '');
  return { initramfs: asked.filter((m) => included.has(m)), dkms };
}

/** One module per line, optional arguments after it, # comments. */
export function initramfsToolsModules(content: string): string[] {
  return content
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0] ?? '')
    .filter((m) => m !== '')
    .map(normaliseModule);
}

/** `add_drivers+=" a b "`, `force_drivers=...`, `drivers=...` in dracut.conf(.d). */
export function dracutDrivers(content: string): string[] {
  const modules: string[] = [];
  for (const match of content.matchAll(/^\s*(?:add_drivers|force_drivers|drivers)\s*\+?=\s*(["'])([^"']*)\1/gm)) {
    modules.push(...(match[2] ?? '').split(/\s+/).filter((m) => m !== '').map(normaliseModule));
  }
  return modules;
}

/** `features="ata base virtio"` in mkinitfs.conf. */
export function mkinitfsFeatures(content: string): string[] {
  const match = /^\s*features\s*=\s*(["']?)([^"'\n]*)\1/m.exec(content);
  return (match?.[2] ?? '').split(/\s+/).filter((f) => f !== '');
}

// A features.d line names a module file (`kernel/drivers/vfio/vfio.ko*`) or a whole directory; a
// directory's members need the module tree to resolve, so only file entries count here.
export function mkinitfsModules(content: string): string[] {
  return content
    .split('\n')
    .map((l) => /(?:^|\/)([^/\s]+)\.ko[^/\s]*$/.exec(l.trim())?.[1])
    .filter((m): m is string => m !== undefined)
    .map(normaliseModule);
}
