import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import { isConfigSatisfied } from '../../../src/diff/kconfig.js';
import { aDesired, aProfile, at } from '../../builders.js';

describe('isConfigSatisfied', () => {
  it('treats built in as satisfying a module and absent as n', () => {
    // The tristate rules from the seed: y satisfies m, absent is not set, literals compare as text.
    expect(isConfigSatisfied('m', 'y')).toBe(true);
    expect(isConfigSatisfied('y', 'm')).toBe(false);
    expect(isConfigSatisfied('ym', 'm')).toBe(true);
    expect(isConfigSatisfied('ym', 'n')).toBe(false);
    expect(isConfigSatisfied('n', null)).toBe(true);
    expect(isConfigSatisfied('n', 'm')).toBe(false);
    expect(isConfigSatisfied('1000', '1000')).toBe(true);
    expect(isConfigSatisfied('1000', '250')).toBe(false);
  });
});

describe('diffKconfig through diffHost', () => {
  it('plans one high-risk rebuild per unmet required option and tells n from absent', () => {
    // CONFIG_VFIO_PCI is switched off and CONFIG_VFIO_MDEV does not exist in this kernel.
    const desired = aDesired({
      kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(10) }, CONFIG_VFIO_MDEV: { want: 'm', level: 'required', source: at(11) }, CONFIG_KVM: { want: 'm', level: 'required', source: at(12) } } },
    });
    const profile = aProfile({ kernel: { config: { CONFIG_VFIO_PCI: 'n', CONFIG_VFIO_MDEV: null } } });
    const result = diffHost(desired, profile);
    expect(result.changes.map((c) => c.id)).toEqual(['kconfig:CONFIG_VFIO_PCI:rebuild-kernel', 'kconfig:CONFIG_VFIO_MDEV:rebuild-kernel']);
    const [notSet, absent] = result.changes;
    expect(notSet).toMatchObject({ action: 'rebuild-kernel', layer: 'running-kernel', risk: 'high', autoExecute: false, restart: 'system', from: 'n', to: 'm', source: at(10) });
    expect(notSet?.reason).toContain('is not set');
    expect(absent?.from).toBeNull();
    expect(absent?.reason).toContain(`missing from this kernel's config: the symbol does not exist in 6.1.0-18-amd64 or its dependencies are unmet`);
    expect(result.satisfied).toBe(1);
  });

  it('never guesses when no config is readable', () => {
    // A host without /boot/config-R or /proc/config.gz.
    const desired = aDesired({ kernel: { config: { CONFIG_KVM: { want: 'm', level: 'required', source: at(3) } } } });
    const result = diffHost(desired, aProfile({ kernel: { configSource: null, config: undefined } }));
    expect(result.changes).toEqual([]);
    expect(result.satisfied).toBe(0);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'kconfig-unknown', host: 'hv1' })]);
    expect(result.diagnostics[0]?.message).toMatch(/kernel config not readable \(.*\): the state of 1 CONFIG_ options is unknown/);
  });

  it('only warns about an unmet recommended option', () => {
    // Nested virtualisation is recommended, and this kernel lacks the symbol.
    const desired = aDesired({ kernel: { config: { CONFIG_KVM_INTEL_NESTED: { want: 'y', level: 'recommended', source: at(7) } } } });
    const result = diffHost(desired, aProfile());
    expect(result.changes).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['kconfig-recommended-unmet']);
  });

  it('blocks a kernel below the minimum and warns below the recommended', () => {
    // An old 5.10 kernel against a 5.15 minimum and 6.1 recommendation.
    const desired = aDesired({ kernel: { minimum: { value: '5.15', source: at(2) }, recommended: { value: '6.1', source: at(3) } } });
    const result = diffHost(desired, aProfile({ kernel: { release: '5.10.0-28-amd64' } }));
    expect(result.changes).toEqual([expect.objectContaining({ id: 'kernel:release:upgrade-kernel', blocked: expect.stringContaining('kernel upgrade required: 5.10.0-28-amd64 < 5.15') })]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['kernel-below-recommended']);
  });

  it('counts a kernel that meets both versions as two satisfied items', () => {
    // Debian 12's 6.1 kernel against the guide's 5.15 / 6.1.
    const desired = aDesired({ kernel: { minimum: { value: '5.15', source: at(2) }, recommended: { value: '6.1', source: at(3) } } });
    const result = diffHost(desired, aProfile());
    expect(result).toMatchObject({ changes: [], diagnostics: [], satisfied: 2 });
  });
});
