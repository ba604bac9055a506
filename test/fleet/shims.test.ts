// The command shims of the simulated hosts, exercised through real SSH the way kernfleet will call them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshExec, type ExecResult } from './clients.js';
import { startFleet, type Fleet, type FleetHostSpec } from './fleet.js';

const HOSTS: FleetHostSpec[] = [
  { name: 'mod', variant: 'debian12' },
  { name: 'blk', variant: 'debian12', overrides: { files: { '/etc/modprobe.d/kf-test.conf': 'blacklist vhost_net\ninstall vhost_net /bin/false\noptions kvm_intel nested=1\n' } } },
  { name: 'sys', variant: 'debian12' },
  { name: 'amd', variant: 'debian12', overrides: { cpu: 'amd' } },
  { name: 'cloud', variant: 'debian12_cloud' },
  { name: 'rhel', variant: 'rhel9' },
  { name: 'alp', variant: 'alpine318' },
  { name: 'novfio', variant: 'no_vfio' },
  { name: 'mono', variant: 'no_modules', overrides: { files: { '/etc/default/grub': 'GRUB_CMDLINE_LINUX_DEFAULT="quiet kvm_intel.nested=1"\n' } } },
  { name: 'ctr', variant: 'container' },
  { name: 'wsl', variant: 'wsl2' },
  { name: 'nosudo', variant: 'no_sudo' },
  { name: 'conv', variant: 'converged' },
  { name: 'live', variant: 'debian12', overrides: { run: [['sysctl', '-w', 'vm.swappiness=1']] } },
];

let fleet: Fleet;
const run = (host: string, command: string): Promise<ExecResult> => sshExec(fleet, host, command);
const rootOf = (host: string) => fleet.hosts.find((h) => h.name === host)!.root;

beforeAll(async () => {
  fleet = await startFleet({ hosts: HOSTS });
});
afterAll(async () => {
  await fleet?.stop();
});

describe('modprobe and lsmod', () => {
  it('fails like kmod for a module the kernel does not have', async () => {
    // An unknown name on Debian, and vfio_pci on the kernel built without it.
    expect(await run('mod', 'modprobe nosuchmod')).toMatchObject({
      code: 1,
      stderr: 'modprobe: FATAL: Module nosuchmod not found in directory /lib/modules/6.1.0-50-amd64\n',
    });
    expect(await run('novfio', 'modprobe vfio_pci')).toMatchObject({
      code: 1,
      stderr: 'modprobe: FATAL: Module vfio_pci not found in directory /lib/modules/6.1.176-novfio\n',
    });
    expect((await run('novfio', 'modprobe vfio_iommu_type1 && lsmod')).stdout).toMatch(/^vfio_iommu_type1\s/m);
  });

  it('dry-runs, shows dependencies, resolves aliases and refuses to unload a module in use', async () => {
    // -n loads nothing; --show-depends lists the insmod chain; fs-overlay is an alias of overlay.
    expect(await run('mod', 'modprobe -n vfio_pci; cat /proc/modules')).not.toMatchObject({ stdout: expect.stringContaining('vfio') });
    const deps = await run('mod', 'modprobe --show-depends vfio_iommu_type1');
    expect(deps.stdout).toBe(
      'insmod /lib/modules/6.1.0-50-amd64/kernel/drivers/vfio/vfio.ko \ninsmod /lib/modules/6.1.0-50-amd64/kernel/drivers/vfio/vfio_iommu_type1.ko \n',
    );
    expect((await run('mod', 'modprobe fs-overlay && lsmod')).stdout).toMatch(/^overlay\s/m);
    expect(await run('mod', 'modprobe -r kvm')).toMatchObject({ code: 1, stderr: 'modprobe: FATAL: Module kvm is in use.\n' });
    expect(await run('mod', 'modprobe -r kvm_intel && lsmod')).toMatchObject({ code: 0, stdout: expect.not.stringMatching(/^kvm/m) });
    expect(await run('mod', 'modprobe -r kvm_intel')).toMatchObject({ code: 1, stderr: 'modprobe: FATAL: Module kvm_intel is not currently loaded\n' });
  });

  it('applies modprobe.d options at load time and honours install commands', async () => {
    // blk's modprobe.d sets nested=1 for kvm_intel (loaded at boot) and makes vhost_net uninstallable.
    expect((await run('blk', 'cat /sys/module/kvm_intel/parameters/nested')).stdout).toBe('Y\n');
    expect((await run('mod', 'cat /sys/module/kvm/parameters/ignore_msrs 2>&1 || true')).stdout).toContain('No such file');
    expect(await run('blk', 'modprobe vhost_net')).toMatchObject({
      code: 1,
      stderr: "modprobe: ERROR: Error running install command '/bin/false' for module vhost_net: retcode 1\n",
    });
    expect((await run('blk', 'modprobe kvm_amd nested=1 bogus=2')).stderr).toContain('unknown parameter');
  });

  it('creates module-owned sysctls on load and removes them on unload', async () => {
    // net.bridge.* exist only while br_netfilter is loaded.
    expect((await run('sys', 'sysctl net.bridge.bridge-nf-call-iptables')).code).toBe(255);
    expect((await run('sys', 'modprobe br_netfilter && sysctl -n net.bridge.bridge-nf-call-iptables')).stdout).toBe('1\n');
    expect((await run('sys', 'modprobe -r br_netfilter && ls /proc/sys/net')).stdout).not.toContain('bridge');
  });

  it('knows kernels without modules and hosts without kmod', async () => {
    // The monolithic kernel has everything built in (parameters from the command line); a container has no modprobe.
    expect((await run('mono', 'modprobe kvm_intel && echo ok')).stdout).toBe('ok\n');
    expect((await run('mono', 'cat /sys/module/kvm_intel/parameters/nested')).stdout).toBe('Y\n');
    expect(await run('mono', 'lsmod')).toMatchObject({ code: 1, stderr: expect.stringContaining('could not open /proc/modules') });
    expect((await run('ctr', 'command -v modprobe || command -v lsmod || echo missing')).stdout).toBe('missing\n');
  });

  it('loads kvm_amd on an AMD host, with the IOMMU groups AMD-Vi provides', async () => {
    // cpuinfo says AuthenticAMD, so udev's autoload picked kvm_amd.
    const result = await run('amd', 'lsmod; ls /sys/kernel/iommu_groups | wc -l; grep -m1 vendor_id /proc/cpuinfo');
    expect(result.stdout).toMatch(/^kvm_amd\s/m);
    expect(result.stdout).not.toMatch(/^kvm_intel\s/m);
    expect(result.stdout).toMatch(/^16\nvendor_id\t: AuthenticAMD$/m);
  });
});

describe('sysctl', () => {
  it('reads, writes and rejects like procps', async () => {
    // Values, -n, an integer knob refusing text, and a missing key.
    expect((await run('sys', 'sysctl vm.overcommit_memory net.ipv4.ip_local_port_range')).stdout).toBe(
      'vm.overcommit_memory = 0\nnet.ipv4.ip_local_port_range = 32768\t60999\n',
    );
    expect(await run('sys', 'sysctl -w vm.overcommit_memory=always')).toMatchObject({
      code: 255,
      stderr: 'sysctl: setting key "vm.overcommit_memory": Invalid argument\n',
    });
    expect(await run('sys', 'sysctl -n no.such.key')).toMatchObject({ code: 255, stderr: 'sysctl: cannot stat /proc/sys/no/such/key: No such file or directory\n' });
    expect((await run('sys', 'sysctl -a | grep -c " = "')).stdout.trim()).toMatch(/^\d{2,}$/);
  });

  it('applies --system with the real precedence: /etc shadows /usr/lib by name, later names win', async () => {
    // 50-pid-max.conf in /etc replaces the vendor one; 99-z.conf is read after 60-a.conf.
    const setup = [
      "echo 'kernel.pid_max = 65536' > /etc/sysctl.d/50-pid-max.conf",
      "echo 'vm.swappiness = 5' > /etc/sysctl.d/60-a.conf",
      "echo 'vm.swappiness = 7' > /etc/sysctl.d/99-z.conf",
      'sysctl --system',
    ].join(' && ');
    const result = await run('sys', setup);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('*'))).toEqual([
      '* Applying /usr/lib/sysctl.d/50-default.conf ...',
      '* Applying /etc/sysctl.d/50-pid-max.conf ...',
      '* Applying /etc/sysctl.d/60-a.conf ...',
      '* Applying /etc/sysctl.d/99-z.conf ...',
      '* Applying /etc/sysctl.conf ...',
    ]);
    expect((await run('sys', 'sysctl -n kernel.pid_max vm.swappiness')).stdout).toBe('65536\n7\n');
    expect((await run('sys', "printf 'fs.file-max=100000\\n' > /tmp/x.conf && sysctl -p /tmp/x.conf")).stdout).toBe('fs.file-max = 100000\n');
  });

  it('is read-only in a container and needs root', async () => {
    // Docker mounts /proc/sys read-only; the unprivileged user gets permission denied.
    expect((await run('ctr', 'sysctl -w net.ipv4.ip_forward=1')).stderr).toBe('sysctl: setting key "net.ipv4.ip_forward": Read-only file system\n');
    expect((await run('nosudo', 'sysctl -w net.ipv4.ip_forward=1')).stderr).toBe('sysctl: permission denied on key "net.ipv4.ip_forward"\n');
  });

  it('keeps a value set live after start until the next boot', async () => {
    // The live host ran `sysctl -w vm.swappiness=1` after boot; nothing persists it.
    expect((await run('live', 'sysctl -n vm.swappiness')).stdout).toBe('1\n');
  });
});

describe('boot loaders', () => {
  it('lets the Ubuntu-style cloud drop-in decide GRUB_CMDLINE_LINUX_DEFAULT', async () => {
    // /etc/default/grub says quiet; grub.d/50-cloudimg-settings.cfg, sourced after it, wins.
    await run('cloud', 'update-grub');
    const grub = await readFile(join(rootOf('cloud'), 'boot/grub/grub.cfg'), 'utf8');
    expect(grub).toMatch(/linux\t\S+ root=\S+ ro  console=tty1 console=ttyS0$/m);
    expect((await run('cloud', 'cat /proc/cmdline')).stdout).toMatch(/ ro console=tty1 console=ttyS0\n$/);
  });

  it('edits BLS entries with grubby on the RHEL-like host', async () => {
    // --args replaces an existing key in place and appends a new one; --remove-args drops one.
    const result = await run('rhel', 'grubby --update-kernel=ALL --args="quiet=1 intel_iommu=on" --remove-args=rhgb && grubby --info=DEFAULT');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kernel="/boot/vmlinuz-5.14.0-529.el9.x86_64"\n');
    expect(result.stdout).toContain(
      'args="ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/cs-swap rd.lvm.lv=cs/root rd.lvm.lv=cs/swap quiet=1 intel_iommu=on"\n',
    );
    expect((await run('rhel', 'command -v update-grub; grub2-mkconfig -o /boot/grub2/grub.cfg 2>/dev/null && grep -c blscfg /boot/grub2/grub.cfg')).stdout).toBe('2\n');
  });

  it('regenerates extlinux.conf on Alpine and loads /etc/modules at boot', async () => {
    // default_kernel_opts in /etc/update-extlinux.conf becomes the APPEND line.
    await run('alp', "sed -i 's/^default_kernel_opts=.*/default_kernel_opts=\"quiet iommu=pt\"/' /etc/update-extlinux.conf && update-extlinux");
    expect(await readFile(join(rootOf('alp'), 'boot/extlinux.conf'), 'utf8')).toMatch(/^  APPEND root=UUID=\S+ modules=sd-mod,usb-storage,ext4 quiet iommu=pt$/m);
    expect((await run('alp', 'echo vhost_net >> /etc/modules && reboot')).code).toBe(0);
    const after = await waitForBoot('alp');
    expect(after.stdout).toMatch(/^vhost_net\s/m);
    expect(after.stdout).toContain('quiet iommu=pt');
  });

  it('has no boot loader and no kernel config on WSL2', async () => {
    // Microsoft's kernel: no /boot/config, no modules for this release, no grub.
    const result = await run('wsl', 'uname -r; ls /boot; command -v update-grub || echo none; modprobe vfio');
    expect(result.stdout).toBe('5.15.167.4-microsoft-standard-WSL2\nnone\n');
    expect(result.stderr).toBe('modprobe: FATAL: Module vfio not found in directory /lib/modules/5.15.167.4-microsoft-standard-WSL2\n');
  });

  it('rebuilds the initramfs with the current modprobe.d', async () => {
    // update-initramfs records the blacklist it would bake in.
    expect((await run('blk', 'update-initramfs -u')).stdout).toBe('update-initramfs: Generating /boot/initrd.img-6.1.0-50-amd64\n');
    expect(await readFile(join(rootOf('blk'), 'boot/initrd.img-6.1.0-50-amd64'), 'utf8')).toContain('blacklist vhost_net');
  });
});

describe('hosts as a whole', () => {
  it('boots the converged host in the flagship state', async () => {
    // Modules, parameters, sysctls and the command line of playbooks/debvisor.yml are all live.
    const result = await run('conv', 'lsmod; cat /sys/module/kvm_intel/parameters/nested /sys/module/kvm/parameters/ignore_msrs; sysctl -n net.bridge.bridge-nf-call-iptables fs.inotify.max_user_watches vm.nr_hugepages; cat /proc/cmdline');
    for (const m of ['vfio_pci', 'vfio_iommu_type1', 'vhost_net', 'br_netfilter', 'overlay', 'kvm_intel']) expect(result.stdout).toMatch(new RegExp(`^${m}\\s`, 'm'));
    expect(result.stdout).toContain('Y\nY\n1\n524288\n16\n');
    expect(result.stdout).toMatch(/ iommu=pt default_hugepagesz=1G hugepagesz=1G hugepages=16 intel_iommu=on quiet kvm.ignore_msrs=1 kvm.report_ignored_msrs=0\n$/);
  });

  it('gives the no-sudo host an unprivileged login whose sudo wants a password', async () => {
    // kernfleet must report this host, not hang on a prompt.
    expect(await run('nosudo', 'id -un; sudo -n true')).toMatchObject({ code: 1, stdout: 'kfleet\n', stderr: 'sudo: a password is required\n' });
    expect((await run('nosudo', 'modprobe vhost_net')).stderr).toBe("modprobe: ERROR: could not insert 'vhost_net': Operation not permitted\n");
    expect((await run('mod', 'sudo -n id -u')).stdout).toBe('0\n');
  });

  it('refuses reboot in a container', async () => {
    // There is no init to ask.
    expect(await run('ctr', 'reboot')).toMatchObject({ code: 1, stderr: expect.stringContaining('has not been booted with systemd') });
  });
});

async function waitForBoot(host: string): Promise<ExecResult> {
  let result: ExecResult = { stdout: '', stderr: '', code: null };
  for (let i = 0; i < 60 && result.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    result = await run(host, 'lsmod; cat /proc/cmdline');
  }
  return result;
}
