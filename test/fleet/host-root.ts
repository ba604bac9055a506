// Builds the root directory of simulated hosts: a template per (variant, overrides) that is booted once
// inside a chroot, then cloned per host with `cp -a`. Large read-only files (busybox, kernel config,
// module lists) are hard links into the run's store, so a hundred hosts cost little more than one; every
// file a command may change is a private copy.
import { randomUUID } from 'node:crypto';
import { execFile as execFileCb } from 'node:child_process';
import { chmod, chown, copyFile, link, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FileMap } from './host-files.js';
import { KERNEL_SYSCTL_DEFAULTS, renderCpuinfo, type Cpu } from './kernel-state.js';
import { prepareKernelData, type KernelData, type KernelDataId } from './kernel-data.js';
import { getVariantSpec, type HostOverrides, type Variant, type VariantSpec } from './variants.js';

const execFile = promisify(execFileCb);
const ROOTFS = fileURLToPath(new URL('./rootfs/', import.meta.url));
const KF_LIB = '/usr/lib/kernfleet-fleet';
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const FLEET_USER = 'kfleet';

// busybox applets a host must not have: the shims replace them (with the real tools' behaviour) and
// package managers would make a Debian host look like something it is not.
const EXCLUDED_APPLETS = new Set([
  'modprobe', 'insmod', 'rmmod', 'lsmod', 'depmod', 'modinfo', 'sysctl', 'reboot', 'halt', 'poweroff',
  'uname', 'init', 'linuxrc', 'dpkg', 'dpkg-deb', 'rpm', 'rpm2cpio', 'busybox', 'sh',
]);

// /bin/sh is Debian's dash, not busybox ash: this busybox is built to prefer its own applets over PATH,
// so under ash `sysctl` or `modprobe` would bypass the shims. dash (and OpenSSH's sftp-server, for
// clients that write files over SFTP) need only libc.
const SHELL_FILES: Record<string, string> = {
  '/usr/bin/dash': '/usr/bin/dash',
  '/usr/lib/openssh/sftp-server': '/usr/lib/openssh/sftp-server',
  '/usr/lib/x86_64-linux-gnu/libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/lib64/ld-linux-x86-64.so.2': '/lib64/ld-linux-x86-64.so.2',
};

/** Per-run shared, read-only files the host roots link to. */
export interface Store {
  dir: string;
  busybox: string;
  /** Host path → store path of the shell and its libraries. */
  shell: Record<string, string>;
  applets: string[];
  kernels: Map<KernelDataId, Promise<KernelData>>;
  user: { uid: number; gid: number } | null;
}

export async function createStore(dir: string): Promise<Store> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const busybox = join(dir, 'busybox');
  await copyFile('/bin/busybox', busybox);
  await chmod(busybox, 0o555);
  const { stdout } = await execFile(busybox, ['--list']);
  const applets = stdout.split('\n').filter((a) => a && !EXCLUDED_APPLETS.has(a) && !a.startsWith('['));
  applets.push('[', '[[');
  const shell: Record<string, string> = {};
  for (const [hostPath, source] of Object.entries(SHELL_FILES)) {
    shell[hostPath] = join(dir, basename(hostPath));
    await copyFile(source, shell[hostPath]!);
    await chmod(shell[hostPath]!, 0o555);
  }
  return { dir, busybox, shell, applets, kernels: new Map(), user: await lookupUser(FLEET_USER) };
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | null> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function kernelData(store: Store, id: KernelDataId): Promise<KernelData> {
  let data = store.kernels.get(id);
  if (!data) store.kernels.set(id, (data = prepareKernelData(store.dir, id)));
  return data;
}

/** A booted template and the store files each clone links to (host path → store path). */
export interface Template {
  dir: string;
  spec: VariantSpec;
  links: Record<string, string>;
}

async function writeHostFile(root: string, path: string, content: string, mode = 0o644): Promise<void> {
  const target = join(root, path);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await rm(target, { force: true });
  await writeFile(target, content, { mode });
}

async function copyTree(from: string, to: string, without: Set<string>, hostPath = ''): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const path = `${hostPath}/${entry.name}`;
    if (without.has(path)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await copyTree(src, dst, without, path);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else {
      await copyFile(src, dst);
      // Scripts are executable whatever mode the checkout left them with.
      const script = (await readFile(src, 'utf8')).startsWith('#!');
      await chmod(dst, script ? 0o755 : 0o644);
    }
  }
}

function sysctlFiles(spec: VariantSpec): FileMap {
  const files: FileMap = {};
  for (const [key, value] of Object.entries(KERNEL_SYSCTL_DEFAULTS)) files[`/proc/sys/${key.replaceAll('.', '/')}`] = `${value}\n`;
  files['/proc/sys/kernel/osrelease'] = `${spec.release}\n`;
  files['/proc/sys/kernel/ostype'] = 'Linux\n';
  files['/proc/sys/kernel/version'] = `${spec.version}\n`;
  files['/proc/sys/kernel/hostname'] = 'localhost\n';
  files['/proc/sys/kernel/random/boot_id'] = `${randomUUID()}\n`;
  files[`${KF_LIB}/sysctl-defaults`] =
    Object.entries(KERNEL_SYSCTL_DEFAULTS).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n';
  return files;
}

function systemFiles(spec: VariantSpec, cpu: Cpu, overrides: HostOverrides, user: Store['user']): FileMap {
  const passwd = ['root:x:0:0:root:/root:/bin/sh'];
  const group = ['root:x:0:'];
  if (user) {
    passwd.push(`${FLEET_USER}:x:${user.uid}:${user.gid}::/home/${FLEET_USER}:/bin/sh`);
    group.push(`${FLEET_USER}:x:${user.gid}:`);
  }
  const files: FileMap = {
    '/etc/passwd': passwd.join('\n') + '\n',
    '/etc/group': group.join('\n') + '\n',
    '/etc/profile': `export PATH=${HOST_PATH}\nif [ "$(id -u)" -eq 0 ]; then PS1='# '; else PS1='$ '; fi\n`,
    '/etc/machine-id': randomUUID().replaceAll('-', '') + '\n',
    '/proc/cpuinfo': renderCpuinfo(cpu),
    '/proc/meminfo': 'MemTotal:       16375808 kB\nMemFree:        12101632 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n',
    '/proc/version': `Linux version ${spec.release} (builder@kernfleet) ${spec.version}\n`,
    '/proc/cmdline': `BOOT_IMAGE=/boot/vmlinuz-${spec.release} root=UUID=3f1c2b9e-7d4a-4c1e-9a8b-5e6f7a8b9c0d ro quiet\n`,
    '/proc/1/cgroup': spec.container ? '0::/\n' : '0::/init.scope\n',
    '/proc/1/comm': spec.container ? 'bash\n' : 'systemd\n',
    [`${KF_LIB}/autoload`]: (cpu === 'intel' ? 'kvm_intel\n' : 'kvm_amd\n') + 'ext4\n',
    [`${KF_LIB}/reboot-seconds`]: `${overrides.rebootSeconds ?? 2}\n`,
  };
  if (spec.kernel !== 'debian12-monolithic') files['/proc/modules'] = '';
  if (spec.container) {
    files[`${KF_LIB}/container`] = '';
    files[`${KF_LIB}/proc-sys-read-only`] = '';
  }
  if (spec.loader === 'grub') files['/boot/grub/.keep'] = '';
  if (spec.loader === 'grub-bls') files['/boot/grub2/.keep'] = '';
  if (spec.loader !== 'none') {
    const image = spec.loader === 'extlinux' ? '/boot/vmlinuz-lts' : `/boot/vmlinuz-${spec.release}`;
    files[image] = '';
  }
  return files;
}

function kernelLinks(spec: VariantSpec, data: KernelData): Record<string, string> {
  const links: Record<string, string> = {};
  const moduleDir = `/usr/lib/modules/${spec.release}`;
  if (spec.bootConfig && data.config) links[spec.bootConfig] = data.config;
  if (spec.procConfig && data.configGz) links['/proc/config.gz'] = data.configGz;
  if (data.modulesDep) links[`${moduleDir}/modules.dep`] = data.modulesDep;
  if (data.modulesBuiltin) links[`${moduleDir}/modules.builtin`] = data.modulesBuiltin;
  if (data.modulesAlias) links[`${moduleDir}/modules.alias`] = data.modulesAlias;
  return links;
}

const LOADER_COMMAND: Record<VariantSpec['loader'], string[] | null> = {
  grub: ['update-grub'],
  'grub-bls': ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'],
  extlinux: ['update-extlinux'],
  none: null,
};

export async function runInRoot(root: string, argv: string[], user = 'root'): Promise<{ stdout: string; stderr: string }> {
  const env = { PATH: HOST_PATH, HOME: user === 'root' ? '/root' : `/home/${user}`, KF_SESSION_PID: '' };
  const chrootArgs = user === 'root' ? [root, ...argv] : [`--userspec=${user}`, root, ...argv];
  return execFile('/usr/sbin/chroot', chrootArgs, { env, maxBuffer: 64 * 1024 * 1024 });
}

/** Builds and boots the template root of one (variant, cpu, overrides) in dir. */
export async function buildTemplate(store: Store, dir: string, variant: Variant, overrides: HostOverrides): Promise<Template> {
  const spec = getVariantSpec(variant);
  const cpu = overrides.cpu ?? 'intel';
  if (spec.user !== 'root' && !store.user) {
    throw new Error(`fleet variant ${variant} needs the login user ${FLEET_USER}: run scripts/setup-system.sh`);
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const d of ['usr/bin', 'usr/sbin', 'usr/lib', 'etc', 'proc', 'sys/module', 'sys/kernel/iommu_groups',
    'sys/devices/system/node/node0', 'dev', 'run', 'var/log', 'boot', 'root', 'home', 'tmp', 'var/tmp',
    'etc/sysctl.d', 'etc/modprobe.d', 'etc/modules-load.d', 'etc/default/grub.d']) {
    await mkdir(join(dir, d), { recursive: true, mode: 0o755 });
  }
  await chmod(join(dir, 'root'), 0o700);
  await chmod(join(dir, 'tmp'), 0o1777);
  await chmod(join(dir, 'var/tmp'), 0o1777);
  const merged = [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']] as const;
  for (const [name, target] of merged) await symlink(target, join(dir, name));
  await symlink('dash', join(dir, 'usr/bin/sh'));
  await copyTree(ROOTFS, dir, new Set(spec.without));
  for (const applet of store.applets) await symlink('busybox', join(dir, 'usr/bin', applet)).catch(() => undefined);
  if (store.user && spec.user !== 'root') {
    await mkdir(join(dir, 'home', FLEET_USER), { mode: 0o755 });
    await chown(join(dir, 'home', FLEET_USER), store.user.uid, store.user.gid);
  }

  const links: Record<string, string> = { '/usr/bin/busybox': store.busybox, ...store.shell, ...kernelLinks(spec, await kernelData(store, spec.kernel)) };
  const files: FileMap = { ...systemFiles(spec, cpu, overrides, store.user), ...sysctlFiles(spec), ...spec.files(cpu) };
  for (const [path, content] of Object.entries(files)) await writeHostFile(dir, path, content);
  for (const [path, content] of Object.entries(overrides.files ?? {})) {
    delete links[path];
    if (content === null) await rm(join(dir, path), { force: true });
    else await writeHostFile(dir, path, content);
  }
  await linkFiles(dir, links);
  for (const [name, major, minor] of [['null', 1, 3], ['zero', 1, 5], ['random', 1, 8], ['urandom', 1, 9]] as const) {
    await execFile('mknod', ['-m', '666', join(dir, 'dev', name), 'c', String(major), String(minor)]);
  }

  const loader = LOADER_COMMAND[spec.loader];
  if (loader) await runInRoot(dir, loader);
  await runInRoot(dir, [`${KF_LIB}/boot`]);
  for (const argv of overrides.run ?? []) await runInRoot(dir, argv);
  // Clones get the shared files as links of their own; cp -a would copy them.
  for (const path of Object.keys(links)) await rm(join(dir, path), { force: true });
  return { dir, spec, links };
}

async function linkFiles(root: string, links: Record<string, string>): Promise<void> {
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o755 });
    await link(target, join(root, path)).catch(async (error: NodeJS.ErrnoException) => {
      // Roots that sshd must chroot into may live on another file system than the store.
      if (error.code !== 'EXDEV') throw error;
      await copyFile(target, join(root, path));
      await chmod(join(root, path), (await stat(target)).mode & 0o777);
    });
  }
}

/** Copies the template into each host root, then gives each host its own name and boot id. */
export async function cloneTemplate(template: Template, hosts: { name: string; root: string }[]): Promise<void> {
  const script = 'template=$1; shift; for d; do mkdir -p "$d" && cp -a "$template/." "$d" || exit 1; done';
  const chunks: { name: string; root: string }[][] = [];
  for (let i = 0; i < hosts.length; i += 25) chunks.push(hosts.slice(i, i + 25));
  await Promise.all(chunks.map((chunk) => execFile('/bin/sh', ['-c', script, 'sh', template.dir, ...chunk.map((h) => h.root)])));
  await Promise.all(
    hosts.map(async ({ name, root }) => {
      await chmod(root, 0o755);
      await linkFiles(root, template.links);
      await writeHostFile(root, '/proc/sys/kernel/hostname', `${name}\n`);
      await writeHostFile(root, '/etc/hostname', `${name}\n`);
      await writeHostFile(root, '/etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n`);
      await writeHostFile(root, '/proc/sys/kernel/random/boot_id', `${randomUUID()}\n`);
      await writeHostFile(root, '/etc/machine-id', randomUUID().replaceAll('-', '') + '\n');
    }),
  );
}
