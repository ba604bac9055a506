// Builders for hand-written probe output, in the grammar the probe prints (see src/facts/sections.ts).
import { readProbeOutput, type ProbeSections } from '../../src/facts/sections.js';

/** A framed file record, base64 as the probe sends it (wrapped at 76 like base64(1)). */
export function file(label: string, content: string, meta?: string): string[] {
  const encoded = Buffer.from(content, 'utf8').toString('base64').match(/.{1,76}/g) ?? [];
  return [`@@kf:file ${label}`, ...(meta ? [`@@kf:meta ${meta}`] : []), ...encoded, '@@kf:eof'];
}

export function none(label: string): string[] {
  return [`@@kf:none ${label}`];
}

/** A minimal, valid probe output of a plain Debian host; `sections` replaces whole sections' bodies. */
export function probeOutput(sections: Record<string, string[]> = {}): string {
  const defaults: Record<string, string[]> = {
    probe: ['version 1', 'encoding base64'],
    os: file('os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    env: ['uid 0', 'user root'],
    kernel: ['release 6.1.0-18-amd64', 'proc-modules 1', 'ask CONFIG_MODULES', 'config-source /boot/config-6.1.0-18-amd64'],
    kconfig: ['CONFIG_MODULES=y'],
    loaded: [],
    modstate: [],
    params: [],
    'modules-load': [],
    modprobe: [],
    initramfs: [],
    dkms: [],
    'sysctl-live': [],
    'sysctl-files': [],
    boot: [...file('/proc/cmdline', 'BOOT_IMAGE=/vmlinuz-6.1.0-18-amd64 root=/dev/sda1 ro quiet\n'), ...file('boot_id', 'b1\n')],
    'boot-next': [],
    hardware: ['vendor GenuineIntel', 'iommu-groups 0', 'numa-nodes 1'],
    kernfleet: none('/var/lib/kernfleet/ledger.json'),
    end: [],
  };
  return Object.entries({ ...defaults, ...sections })
    .flatMap(([name, body]) => [`@@kf:section ${name}`, ...body])
    .join('\n')
    .concat('\n');
}

export function probeSections(sections: Record<string, string[]> = {}): ProbeSections {
  return readProbeOutput(probeOutput(sections));
}
