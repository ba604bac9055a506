// The small playbooks the apply fault tests write into their fleet: enough to need a reboot (one kernel
// parameter), a persisted sysctl and optionally module loads, small enough to apply in a few commands.
export function renderSmallPlaybook(name: string, modules: string[] = []): string {
  const load = modules.length === 0 ? '' : `  modules:\n    load: [${modules.join(', ')}]\n    persist: ${name}.conf\n`;
  return `- name: ${name}
  hosts: hypervisors
${load}  sysctl:
    file: 99-${name}.conf
    values:
      vm.overcommit_memory: 1
  cmdline:
    target: GRUB_CMDLINE_LINUX
    set:
      iommu: pt
`;
}
