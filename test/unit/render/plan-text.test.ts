import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../src/render/index.js';
import { aChange, aHostPlan, aPlan, aStep, aSwappinessHost, anErrorHost, hostNames } from '../../fixtures/render/builders.js';
import { aHostWithEverything } from '../../fixtures/render/plans.js';

const ESC = '\u001b[';

describe('renderPlanText', () => {
  it('writes risk words without any escape codes when colour is off', () => {
    // One host with a low, a medium and a high step, rendered for a CI log.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    expect(text).not.toContain(ESC);
    expect(text).toContain('[LOW] Set vm.swappiness live');
    expect(text).toContain('[MEDIUM] Add iommu=pt to GRUB_CMDLINE_LINUX');
    expect(text).toContain('[HIGH] Rebuild the kernel with CONFIG_VFIO=m');
  });

  it('paints risk badges green, yellow and red and otherwise says the same as without colour', () => {
    // The same host rendered for a terminal.
    const plan = aPlan([aHostWithEverything('hv01')]);
    const coloured = renderPlanText(plan, { color: true });
    expect(coloured).toContain(`${ESC}32m[LOW]`);
    expect(coloured).toContain(`${ESC}33m[MEDIUM]`);
    expect(coloured).toContain(`${ESC}31m[HIGH]`);
    expect(stripVTControlCharacters(coloured)).toBe(renderPlanText(plan, { color: false }));
  });

  it('colours added and removed diff lines when colour is on', () => {
    // The GRUB edit shown on a terminal.
    const coloured = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: true });
    expect(coloured).toContain(`${ESC}32m+GRUB_CMDLINE_LINUX="iommu=pt"`);
    expect(coloured).toContain(`${ESC}31m-GRUB_CMDLINE_LINUX=""`);
  });

  it('cites each change with its transition and the playbook line that asked for it', () => {
    // A swappiness change declared at playbooks/debvisor.yml:42 and a new command-line parameter.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    expect(text).toContain('vm.swappiness 60 → 10  (playbooks/debvisor.yml:42)');
    expect(text).toContain('iommu (absent) → pt  (playbooks/debvisor.yml:20)');
    expect(text).toContain('$ sysctl -w vm.swappiness=10');
  });

  it('marks manual steps and shows their runbook, rollback and the reboot they need', () => {
    // A high-risk kernel rebuild that apply never runs by itself.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    const rebuild = text.slice(text.indexOf('[HIGH]'), text.indexOf('cannot be done:'));
    expect(rebuild).toContain('reboot required');
    expect(rebuild).toContain('manual: never run automatically');
    expect(rebuild).toContain('1. cp /boot/config-$(uname -r) /boot/config.backup');
    expect(rebuild).toContain('2. make -j$(nproc) bindeb-pkg');
    expect(rebuild).toContain('rollback: If boot fails: select the old kernel in the GRUB menu.');
    expect(rebuild).toContain('       Then restore /boot/config.backup.');
  });

  it('shows a unified diff with three lines of context for an edited file and /dev/null for a new one', () => {
    // GRUB_CMDLINE_LINUX changes in a real Proxmox /etc/default/grub; a managed file is created.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    const grubDiff = [
      '--- /etc/default/grub',
      '+++ /etc/default/grub',
      '@@ -8,7 +8,7 @@',
      ' GRUB_DISTRIBUTOR="Proxmox Virtual Environment"',
      ' #GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
      ' GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on"',
      '-GRUB_CMDLINE_LINUX=""',
      '+GRUB_CMDLINE_LINUX="iommu=pt"',
    ].map((line) => `       ${line}`);
    expect(text).toContain(grubDiff.join('\n'));
    expect(text).not.toContain('GRUB_TIMEOUT=5');
    expect(text).toContain('create /etc/modules-load.d/kernfleet.conf (mode 0644)');
    expect(text).toContain('--- /dev/null\n       +++ /etc/modules-load.d/kernfleet.conf\n       @@ -0,0 +1,2 @@\n       +# managed by kernfleet');
  });

  it('shows a deleted file against /dev/null', () => {
    // A step removes a managed file kernfleet no longer needs.
    const step = aStep({ id: 'file:/etc/sysctl.d/99-old.conf', title: 'Remove old file', files: [{ path: '/etc/sysctl.d/99-old.conf', before: 'vm.swappiness = 1\n', after: null }] });
    const text = renderPlanText(aPlan([aSwappinessHost('hv01', { steps: [step] })]), { color: false });
    expect(text).toContain('delete /etc/sysctl.d/99-old.conf');
    expect(text).toContain('--- /etc/sysctl.d/99-old.conf\n       +++ /dev/null\n       @@ -1,1 +0,0 @@\n       -vm.swappiness = 1');
  });

  it('lists blocked changes with their reason after the steps, then warnings and the items that hold', () => {
    // A GPU module with no package for this kernel, and a kernel below the recommended version.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    const blockedAt = text.indexOf('cannot be done:');
    expect(blockedAt).toBeGreaterThan(text.indexOf('[HIGH]'));
    expect(text.slice(blockedAt)).toContain(
      'nvidia unloaded → loaded  (playbooks/gpu.yml:3)\n      blocked: no module nvidia for 6.1.0-18-amd64: install the DKMS package nvidia-kernel-dkms',
    );
    const warningAt = text.indexOf('warning: kernel 6.1.0 is below the recommended 6.6 (kernel-below-recommended)  (playbooks/debvisor.yml:5)');
    expect(warningAt).toBeGreaterThan(blockedAt);
    expect(text.indexOf('12 items already hold')).toBeGreaterThan(warningAt);
  });

  it('gives each host a header with its status and counts', () => {
    // One host with four steps of mixed risk, a blocked change and a reboot.
    const text = renderPlanText(aPlan([aHostWithEverything('hv01')]), { color: false });
    expect(text.split('\n')[0]).toBe('hv01: to change — 4 steps: 2 low, 1 medium, 1 high; 1 manual; 1 change cannot be done; reboot needed');
  });

  it('shows the diagnostic message of a host that could not be gathered', () => {
    // hv07 refused the SSH connection.
    const text = renderPlanText(aPlan([anErrorHost('hv07')]), { color: false });
    expect(text).toContain('hv07: error — ssh: connection refused (ssh-unreachable)');
  });

  it("lists a host's errors before its warnings, with hints", () => {
    // A host whose sysctl key does not exist and whose kernel is below the recommended version.
    const host = aSwappinessHost('hv01', {
      diagnostics: [
        { severity: 'warning', code: 'kernel-below-recommended', message: 'kernel 6.1 is below the recommended 6.6', host: 'hv01' },
        { severity: 'error', code: 'sysctl-missing', message: 'net.bridge.bridge-nf-call-iptables does not exist', hint: 'load br_netfilter first', host: 'hv01' },
      ],
    });
    const text = renderPlanText(aPlan([host]), { color: false });
    const errorAt = text.indexOf('  error: net.bridge.bridge-nf-call-iptables does not exist (sysctl-missing)\n    hint: load br_netfilter first');
    expect(errorAt).toBeGreaterThan(0);
    expect(text.indexOf('  warning: kernel 6.1 is below the recommended 6.6')).toBeGreaterThan(errorAt);
  });

  it('ends with a summary line counting hosts, steps by risk, errors and reboots', () => {
    // 12 hosts: 6 with 2 low steps, 2 with 3 low + 3 medium, 1 with 2 low, 3 medium and 2 high steps
    // that need a reboot; 2 converged; 1 unreachable.
    const low = (n: number) => aStep({ id: `low:${n}`, changes: [] });
    const medium = (n: number, restart: 'none' | 'system' = 'none') => aStep({ id: `medium:${n}`, risk: 'medium', restart, changes: [] });
    const high = (n: number) => aStep({ id: `high:${n}`, risk: 'high', autoExecute: false, restart: 'system', changes: [] });
    const hosts = [
      ...hostNames('a', 6).map((name) => aHostPlan(name, { steps: [low(1), low(2)] })),
      ...hostNames('b', 2).map((name) => aHostPlan(name, { steps: [low(1), low(2), low(3), medium(1, 'system'), medium(2), medium(3)] })),
      aHostPlan('c01', { steps: [low(1), low(2), medium(1), medium(2), medium(3), high(1), high(2)] }),
      aHostPlan('d01', { satisfied: 4 }),
      aHostPlan('d02', { satisfied: 4 }),
      anErrorHost('e01'),
    ];
    const text = renderPlanText(aPlan(hosts), { color: false });
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 12 hosts — 9 to change (31 steps: 20 low, 9 medium, 2 high), 2 converged, 1 error; 3 need a reboot');
  });

  it('keeps a uniform fleet short: 40 identical hosts once, the 2 odd ones on their own', () => {
    // 40 hosts need the same swappiness change; hv41 also needs a GRUB edit, hv42 is unreachable.
    const uniform = hostNames('hv', 40).map((name) => aSwappinessHost(name));
    const text = renderPlanText(aPlan([...uniform, aHostWithEverything('hv41'), anErrorHost('hv42')]), { color: false });
    expect(text).toContain('40 hosts (hv01, hv02, hv03, hv04, hv05, hv06, hv07, hv08 and 32 more): to change — 1 step: 1 low');
    expect(text).not.toContain('hv09');
    expect(text.match(/\[LOW\] Set vm\.swappiness live/g)).toHaveLength(2);
    expect(text).toContain('hv41: to change');
    expect(text).toContain('hv42: error');
    expect(text.split('\n').length).toBeLessThan(80);
  });
});

describe('renderPlanText with changes the plan lacks', () => {
  it('shows a change id that the host plan does not define rather than dropping it', () => {
    // A step names a change id that is missing from the host's change list.
    const host = aHostPlan('hv01', { changes: [aChange()], steps: [aStep({ changes: ['sysctl:vm.swappiness:live', 'module:ghost:load'] })] });
    const text = renderPlanText(aPlan([host]), { color: false });
    expect(text).toContain('       module:ghost:load');
  });
});
