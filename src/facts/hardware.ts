// CPU vendor, IOMMU groups and NUMA nodes. Section `hardware`: `vendor V`, `iommu-groups N`, `numa-nodes N`.
import type { HostProfile } from '../model/index.js';
import { lineCount, lineValue, requireSection, type ProbeSections } from './sections.js';
import { sectionLine } from './shell.js';

export function buildHardwareProbe(): string {
  return `${sectionLine('hardware')}
sed -n 's/^vendor_id[[:space:]]*:[[:space:]]*/vendor /p' /proc/cpuinfo | sed -n 1p
printf 'iommu-groups %s\\n' "$(ls /sys/kernel/iommu_groups | wc -l)"
printf 'numa-nodes %s\\n' "$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)"`;
}

export function parseHardwareSection(sections: ProbeSections): HostProfile['hardware'] {
  const section = requireSection(sections, 'hardware');
  const vendor = lineValue(section, 'vendor')?.trim();
  return {
    cpuVendor: vendor === 'GenuineIntel' ? 'intel' : vendor === 'AuthenticAMD' ? 'amd' : 'other',
    iommuGroups: lineCount(section, 'iommu-groups'),
    numaNodes: lineCount(section, 'numa-nodes'),
  };
}
