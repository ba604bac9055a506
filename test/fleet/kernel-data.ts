// Kernel data of the simulated hosts (config, modules.dep, modules.builtin, modules.alias), unpacked
// from the committed fixtures into a per-run store. Variants whose kernel differs from Debian 12's are
// derived by the edits a real build would show (an option unset, CONFIG_MODULES off, other file names).
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type KernelDataId = 'debian12' | 'debian12-no-vfio' | 'debian12-monolithic' | 'rhel9' | 'alpine' | 'wsl2' | 'none';

/** Store paths of one kernel's files; absent entries do not exist on such a host. */
export interface KernelData {
  config?: string;
  configGz?: string;
  modulesDep?: string;
  modulesBuiltin?: string;
  modulesAlias?: string;
}

const FIXTURES = fileURLToPath(new URL('./fixtures/kernel/', import.meta.url));
const DEBIAN = 'debian-12-6.1.0-50-amd64';

function readFixture(dir: string, name: string): string {
  const data = readFileSync(join(FIXTURES, dir, name));
  return (name.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
}

interface KernelTexts {
  config: string;
  dep?: string;
  builtin?: string;
  alias?: string;
}

function renameModules(text: string, ext: string): string {
  return text.replace(/\.ko\b/g, ext);
}

function buildTexts(id: KernelDataId): KernelTexts | null {
  if (id === 'wsl2' || id === 'none') return null;
  const debian = {
    config: readFixture(DEBIAN, 'config.gz'),
    dep: readFixture(DEBIAN, 'modules.dep.gz'),
    builtin: readFixture(DEBIAN, 'modules.builtin'),
    alias: readFixture(DEBIAN, 'modules.alias.gz'),
  };
  switch (id) {
    case 'debian12':
      return debian;
    case 'debian12-no-vfio':
      // A custom build without VFIO_PCI: the symbol is off and its module was never built.
      return {
        config: debian.config.replace(/^CONFIG_VFIO_PCI=m$/m, '# CONFIG_VFIO_PCI is not set'),
        dep: debian.dep.split('\n').filter((l) => !l.startsWith('kernel/drivers/vfio/pci/vfio-pci.ko:')).join('\n'),
        builtin: debian.builtin,
        alias: debian.alias.split('\n').filter((l) => !l.endsWith(' vfio_pci')).join('\n'),
      };
    case 'debian12-monolithic': {
      // Without CONFIG_MODULES every tristate that was m is built in, and there is no modules.dep.
      const modules = debian.dep.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(':')));
      return {
        config: debian.config
          .replace(/^CONFIG_MODULES=y$/m, '# CONFIG_MODULES is not set')
          .replace(/^(CONFIG_\w+)=m$/gm, '$1=y'),
        builtin: debian.builtin + modules.join('\n') + '\n',
      };
    }
    case 'rhel9':
      return {
        config: readFixture('centos-stream-9-5.14.0-529.el9', 'config.gz'),
        dep: renameModules(debian.dep, '.ko.xz'),
        builtin: debian.builtin,
        alias: debian.alias,
      };
    case 'alpine':
      return {
        config: readFixture('alpine-3.18-lts', 'config.gz'),
        dep: renameModules(debian.dep, '.ko.gz'),
        builtin: debian.builtin,
        alias: debian.alias,
      };
  }
}

/** Unpacks one kernel's files into storeDir/<id>/ (once per store). */
export async function prepareKernelData(storeDir: string, id: KernelDataId): Promise<KernelData> {
  const texts = buildTexts(id);
  if (!texts) return {};
  const dir = join(storeDir, 'kernel', id);
  await mkdir(dir, { recursive: true });
  const data: KernelData = { config: join(dir, 'config'), configGz: join(dir, 'config.gz') };
  await writeFile(data.config!, texts.config, { mode: 0o444 });
  await writeFile(data.configGz!, gzipSync(texts.config), { mode: 0o444 });
  for (const [key, name, text] of [
    ['modulesDep', 'modules.dep', texts.dep],
    ['modulesBuiltin', 'modules.builtin', texts.builtin],
    ['modulesAlias', 'modules.alias', texts.alias],
  ] as const) {
    if (text === undefined) continue;
    data[key] = join(dir, name);
    await writeFile(data[key]!, text, { mode: 0o444 });
  }
  return data;
}
