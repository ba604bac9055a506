// A real Debian 12 kernel under qemu: what the simulated fleet only models, checked on the real thing.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVm, type Vm } from './vm.js';

let vm: Vm;

beforeAll(async () => {
  vm = await startVm();
  console.log(`vm: image ${vm.image.dir} (kernel ${vm.image.kernel}, built in ${vm.image.buildSeconds}s), power-on to SSH ${vm.timings.bootMs} ms`);
});

afterAll(async () => {
  await vm?.stop();
});

async function sh(command: string): Promise<string> {
  const result = await vm.ssh(command);
  expect(result, `${command}: ${result.stderr}`).toMatchObject({ code: 0 });
  return result.stdout.trim();
}

describe('Debian 12 VM', () => {
  it("runs bookworm's stock 6.1 kernel", async () => {
    // The image was bootstrapped from bookworm with linux-image-amd64, whose series is 6.1.
    const release = await sh('uname -r');
    expect(release).toMatch(/^6\.1\.\d+-\d+-amd64$/);
    expect(release).toBe(vm.image.kernel);
    expect(await sh('. /etc/os-release && echo "$ID $VERSION_ID"')).toBe('debian 12');
  });

  it('was booted by GRUB from the disk, with the command line of /etc/default/grub', async () => {
    // Only GRUB adds BOOT_IMAGE=; the image's GRUB_CMDLINE_LINUX carries the serial console and
    // no_timer_check (an emulated CPU starved by a busy host would otherwise panic in the IO-APIC timer check).
    const cmdline = await sh('cat /proc/cmdline');
    expect(cmdline).toMatch(new RegExp(`^BOOT_IMAGE=/boot/vmlinuz-${vm.image.kernel.replace(/\./g, '\\.')} root=UUID=[0-9a-f-]{36} `));
    expect(vm.image.cmdline).toEqual(expect.arrayContaining(['console=ttyS0,115200n8', 'no_timer_check']));
    expect(cmdline.split(' ')).toEqual(expect.arrayContaining(vm.image.cmdline));
    expect(await sh('grep ^GRUB_CMDLINE_LINUX= /etc/default/grub')).toBe(`GRUB_CMDLINE_LINUX="${vm.image.cmdline.join(' ')}"`);
    // The build's one-shot init (grub-install from inside the guest) must not be left in the image.
    expect(await sh('ls /usr/local/sbin')).toBe('');
  });

  it('loads vfio_pci with modprobe', async () => {
    // A fresh boot has no VFIO; modprobe must resolve it (and its dependencies) from the real modules.dep.
    expect(await sh('grep -c "^vfio_pci " /proc/modules || true')).toBe('0');
    await sh('modprobe vfio_pci');
    const modules = (await sh('cut -d" " -f1 /proc/modules')).split('\n');
    expect(modules).toEqual(expect.arrayContaining(['vfio_pci', 'vfio_pci_core', 'vfio']));
  });

  it('loads kvm_amd with nested=1 on the emulated SVM CPU', async () => {
    // -cpu max under TCG exposes SVM, so the AMD KVM module really loads and reports its nested parameter.
    expect(Number(await sh('grep -cw svm /proc/cpuinfo'))).toBeGreaterThan(0);
    await sh('modprobe kvm_amd nested=1');
    expect(await sh('cat /sys/module/kvm_amd/parameters/nested')).toBe('1');
    expect(await sh('test -c /dev/kvm && echo present')).toBe('present');
  });

  it('puts PCI devices into IOMMU groups behind the emulated Intel IOMMU', async () => {
    // q35 + intel-iommu publishes a DMAR table; Debian's 6.1 enables VT-d by default (INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF).
    expect(await sh('test -f /sys/firmware/acpi/tables/DMAR && echo dmar')).toBe('dmar');
    expect(Number(await sh('ls /sys/kernel/iommu_groups | wc -l'))).toBeGreaterThan(0);
    expect(await sh('ls /sys/bus/pci/devices/*/iommu_group -d | wc -l')).not.toBe('0');
  });

  it('takes a GRUB_CMDLINE_LINUX edit into effect through update-grub and a reboot through GRUB', async () => {
    // What kernfleet apply --reboot does to a Debian host, by hand: edit, regenerate grub.cfg, reboot.
    // hugepages=16 is cheap (32 MiB of 2 MiB pages) and proves the new kernel really parsed the parameter.
    const hugePages = async (): Promise<string> => sh("awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo");
    const bootIdBefore = await sh('cat /proc/sys/kernel/random/boot_id');
    expect(await hugePages()).toBe('0');
    await sh(`sed -i 's/^GRUB_CMDLINE_LINUX="\\(.*\\)"$/GRUB_CMDLINE_LINUX="\\1 hugepages=16"/' /etc/default/grub`);
    await sh('update-grub 2>&1');
    expect(await sh(`grep -c "^[[:space:]]*linux.*${vm.image.cmdline.join(' ')} hugepages=16" /boot/grub/grub.cfg`)).not.toBe('0');
    expect((await sh('cat /proc/cmdline')).split(' ')).not.toContain('hugepages=16');

    await vm.reboot();
    console.log(`vm: reboot to SSH ${vm.timings.rebootMs.at(-1)} ms`);

    expect(await sh('cat /proc/sys/kernel/random/boot_id')).not.toBe(bootIdBefore);
    const cmdline = (await sh('cat /proc/cmdline')).split(' ');
    expect(cmdline[0]).toBe(`BOOT_IMAGE=/boot/vmlinuz-${vm.image.kernel}`);
    // Debian's 10_linux writes GRUB_CMDLINE_LINUX, then GRUB_CMDLINE_LINUX_DEFAULT ("quiet").
    expect(cmdline.slice(cmdline.indexOf(vm.image.cmdline[0]!))).toEqual([...vm.image.cmdline, 'hugepages=16', 'quiet']);
    expect(await hugePages()).toBe('16');
  });

  it('ends qemu and frees the forwarded port on stop', async () => {
    // A run must never leave an emulator behind, whatever the tests did to the guest.
    const { pid, port } = vm;
    await vm.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
