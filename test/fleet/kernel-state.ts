// What the simulated kernel reports before any distribution file is applied: /proc/sys defaults and
// /proc/cpuinfo for the CPU vendor a host has.

export type Cpu = 'intel' | 'amd';

/** /proc/sys before systemd-sysctl runs: the kernel's own defaults on a 16 GiB Debian 12 machine. */
export const KERNEL_SYSCTL_DEFAULTS: Record<string, string> = {
  'fs.file-max': '9223372036854775807',
  'fs.inotify.max_queued_events': '16384',
  'fs.inotify.max_user_instances': '128',
  'fs.inotify.max_user_watches': '122355',
  'fs.protected_fifos': '0',
  'fs.protected_hardlinks': '0',
  'fs.protected_regular': '0',
  'fs.protected_symlinks': '0',
  'kernel.core_pattern': 'core',
  'kernel.core_uses_pid': '0',
  'kernel.dmesg_restrict': '1',
  'kernel.kptr_restrict': '0',
  'kernel.panic': '0',
  'kernel.pid_max': '131072',
  'kernel.sysrq': '438',
  'kernel.unprivileged_bpf_disabled': '2',
  'kernel.yama.ptrace_scope': '1',
  'net.core.default_qdisc': 'pfifo_fast',
  'net.core.netdev_max_backlog': '1000',
  'net.core.optmem_max': '20480',
  'net.core.rmem_max': '212992',
  'net.core.somaxconn': '4096',
  'net.core.wmem_max': '212992',
  'net.ipv4.conf.all.accept_source_route': '0',
  'net.ipv4.conf.all.forwarding': '0',
  'net.ipv4.conf.all.promote_secondaries': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.accept_source_route': '1',
  'net.ipv4.conf.default.forwarding': '0',
  'net.ipv4.conf.default.promote_secondaries': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  'net.ipv4.ip_forward': '0',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ping_group_range': '1\t0',
  'net.ipv4.tcp_congestion_control': 'cubic',
  'net.ipv4.tcp_max_syn_backlog': '512',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.all.forwarding': '0',
  'net.ipv6.conf.default.forwarding': '0',
  'vm.dirty_background_ratio': '10',
  'vm.dirty_ratio': '20',
  'vm.max_map_count': '65530',
  'vm.nr_hugepages': '0',
  'vm.overcommit_memory': '0',
  'vm.overcommit_ratio': '50',
  'vm.swappiness': '60',
};

export function renderCpuinfo(cpu: Cpu, count = 4): string {
  const intel = cpu === 'intel';
  const one = (n: number) =>
    [
      `processor\t: ${n}`,
      `vendor_id\t: ${intel ? 'GenuineIntel' : 'AuthenticAMD'}`,
      `cpu family\t: ${intel ? 6 : 25}`,
      `model name\t: ${intel ? 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' : 'AMD EPYC 7543 32-Core Processor'}`,
      `physical id\t: 0`,
      `cpu cores\t: ${count}`,
      `flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx pdpe1gb rdtscp lm constant_tsc ${intel ? 'vmx ept vpid' : 'svm npt'} sse4_1 sse4_2 x2apic popcnt aes xsave avx avx2 hypervisor`,
      '',
    ].join('\n');
  return Array.from({ length: count }, (_, n) => one(n)).join('\n');
}
