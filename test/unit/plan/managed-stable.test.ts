import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aDesired, aProfile, at } from '../../builders.js';

describe('managed files that already say the same', () => {
  it('leaves a managed sysctl file alone when only its header and line order differ', () => {
    // A host converged by an earlier kernfleet (or by hand): our file holds every wanted value, in another order, under another header.
    const desired = aDesired({ sysctl: { values: { 'vm.overcommit_memory': { value: '1', source: at(3) }, 'net.core.somaxconn': { value: '32768', source: at(4) } } } });
    const ours = '# written by an older kernfleet\nvm.overcommit_memory=1\n\nnet.core.somaxconn  =  32768\n';
    const profile = aProfile({ sysctl: { live: { 'vm.overcommit_memory': '1', 'net.core.somaxconn': '32768' } } });
    profile.sysctl.files.push({ path: '/etc/sysctl.d/99-debvisor.conf', content: ours });
    const plan = buildHostPlan(desired, profile, diffHost(desired, profile));
    expect(plan.steps).toEqual([]);
    expect(plan.changes).toEqual([]);
  });

  it('rewrites the file when a value in it is really different', () => {
    // The same file, but somaxconn was lowered by hand.
    const desired = aDesired({ sysctl: { values: { 'net.core.somaxconn': { value: '32768', source: at(4) } } } });
    const profile = aProfile({ sysctl: { live: { 'net.core.somaxconn': '32768' } } });
    profile.sysctl.files.push({ path: '/etc/sysctl.d/99-debvisor.conf', content: 'net.core.somaxconn = 4096\n' });
    const plan = buildHostPlan(desired, profile, diffHost(desired, profile));
    const write = plan.steps.find((s) => s.id === 'file:/etc/sysctl.d/99-debvisor.conf');
    expect(write?.files[0]?.after).toContain('net.core.somaxconn = 32768');
    expect(write?.files[0]?.after).toMatch(/^# Managed by kernfleet \(playbooks\/debvisor\.yml\)/);
  });
});
