// Debian 12's own kernel (linux-image-6.1.0-50-amd64 from the archive; see test/fleet/fixtures/kernel/SOURCE.txt)
// against the flagship playbook: the facts the plan of a stock Debian hypervisor depends on.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKconfig } from '../../../src/formats/kconfig.js';
import { isConfigSatisfied } from '../../../src/diff/kconfig.js';
import { loadPlaybooks } from '../../../src/manifest/index.js';

const dir = join(import.meta.dirname, '../../fleet/fixtures/kernel/debian-12-6.1.0-50-amd64');

function readConfig(): string {
  const raw = readFileSync(join(dir, 'config.gz'));
  return gunzipSync(raw).toString('utf8');
}

describe('Debian 12 kernel config', () => {
  it('has every option the guide requires, as modules where it ships them so', () => {
    // The verification script's twelve required options on the stock bookworm kernel.
    const config = parseKconfig(readConfig());
    expect(config['CONFIG_KVM']).toBe('m');
    expect(config['CONFIG_VFIO_PCI']).toBe('m');
    expect(config['CONFIG_BRIDGE_NETFILTER']).toBe('m');
    expect(config['CONFIG_MODULES']).toBe('y');
    expect(config['CONFIG_KVM_INTEL_NESTED']).toBeUndefined();
  });

  it('meets every required option of playbooks/debvisor.yml and misses only a few recommended ones', async () => {
    // The flagship playbook read as operators write it, checked option by option.
    const config = parseKconfig(readConfig());
    const { plays } = await loadPlaybooks([join(import.meta.dirname, '../../../playbooks/debvisor.yml')]);
    const wanted = plays[0]!.play.kernel!.config!;
    const unmet = (options: Record<string, string | number>) =>
      Object.entries(options).filter(([symbol, want]) => !isConfigSatisfied(String(want), config[symbol] ?? null)).map(([s]) => s);
    expect(unmet(wanted.required ?? {})).toEqual([]);
    expect(unmet(wanted.recommended ?? {}).sort()).toEqual(
      ['CONFIG_BPF_JIT_ALWAYS_ON', 'CONFIG_CEPH_LIB_USE_DNS_RESOLVER', 'CONFIG_OVERLAY_FS_INDEX', 'CONFIG_OVERLAY_FS_XINO_AUTO', 'CONFIG_VFIO_VIRQFD', 'CONFIG_VIRTIO', 'CONFIG_VIRTIO_PCI'].sort(),
    );
  });
});
