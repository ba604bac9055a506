import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/manifest/index.js';

const file = 'test/fixtures/manifest/good/base.yml';

describe('loadPlaybooks', () => {
  it('keeps every play with the position of each value and key', async () => {
    // A valid playbook with three plays, nested maps, lists and dotted sysctl keys.
    const { plays, sources } = await loadPlaybooks([file]);
    expect(plays.map((p) => [p.play.name, p.index, p.file])).toEqual([
      ['baseline', 0, file],
      ['intel', 1, file],
      ['amd', 2, file],
    ]);
    const [baseline] = plays;
    expect(baseline!.positions['/sysctl/values/vm.swappiness']).toEqual({ file, line: 27, col: 22 });
    expect(baseline!.positions['/sysctl/values/vm.swappiness#key']).toEqual({ file, line: 27, col: 7 });
    expect(baseline!.positions['/kernel/config/required/CONFIG_VFIO']).toEqual({ file, line: 14, col: 22 });
    expect(baseline!.positions['/modules/load/1']).toEqual({ file, line: 19, col: 22 });
    expect(baseline!.positions['']).toEqual({ file, line: 2, col: 3 });
    expect(sources[file]).toContain('name: baseline');
  });

  it('keeps numbers as they were written, so 5.10 stays 5.10', async () => {
    // The baseline play writes its minimum kernel as the bare number 5.10 and a sysctl as 1.
    const { plays } = await loadPlaybooks([file]);
    expect(plays[0]!.play.kernel?.version?.minimum).toBe('5.10');
    expect(plays[0]!.play.sysctl?.values?.['net.ipv4.ip_forward']).toBe('1');
  });

  it('reads YAML 1.2: `on`, `no` and `y` are strings, not booleans', async () => {
    // The intel play writes on, y and n unquoted, which YAML 1.1 would have read as booleans.
    const { plays } = await loadPlaybooks([file]);
    expect(plays[1]!.play.cmdline?.set?.intel_iommu).toBe('on');
    expect(plays[1]!.play.modules?.options?.kvm_intel?.ept).toBe('y');
    expect(plays[1]!.play.kernel?.config?.recommended?.DEBUG_INFO).toBe('n');
  });
});
