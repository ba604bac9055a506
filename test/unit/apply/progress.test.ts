import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../../src/apply/events.js';
import { formatHostTitle, formatRebootEvent, formatStepTitle, startApplyProgress } from '../../../src/cli/apply-progress.js';
import type { Plan } from '../../../src/model/index.js';
import { aHostPlan, aStep } from './plan-builders.js';

const STEPS = [aStep({ id: 'one', title: 'load module vfio_pci' }), aStep({ id: 'two', title: 'update grub', risk: 'medium' })];
const PLAN: Plan = { format_version: '1.0', tool: 't', createdAt: 'now', manifestDigest: 'd', hosts: [aHostPlan('hv01', STEPS), aHostPlan('hv02', STEPS)] };
const result = (host: string, status: HostResult['status'], message?: string): HostResult => ({ host, status, steps: [], remaining: [], ...(message ? { message } : {}) });

function within<T>(promise: Promise<T>, ms = 2_000): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

describe('apply progress', () => {
  it('ends once every host finished, whether its steps ran or it was refused before any step', async () => {
    // hv01 runs both steps; hv02 is refused as stale after it started, so no step event ever comes.
    const progress = startApplyProgress(PLAN, { renderer: 'silent', color: false });
    for (const host of ['hv01', 'hv02']) progress.onEvent({ kind: 'host-started', host, steps: STEPS });
    for (const step of STEPS) progress.onEvent({ kind: 'step-finished', host: 'hv01', step, result: { stepId: step.id, title: step.title, risk: step.risk, status: 'done', files: [], commands: [] } });
    progress.onEvent({ kind: 'host-finished', host: 'hv01', result: result('hv01', 'converged') });
    progress.onEvent({ kind: 'host-finished', host: 'hv02', result: result('hv02', 'stale', 'stale plan: hv02 changed since the plan was made; plan again') });
    expect(await within(progress.done)).toBeUndefined();
  });

  it('ends when the rollout stops before some hosts started', async () => {
    // hv01 failed its first step and the rollout stopped; hv02 never started.
    const progress = startApplyProgress(PLAN, { renderer: 'silent', color: false });
    progress.onEvent({ kind: 'host-started', host: 'hv01', steps: STEPS });
    progress.onEvent({ kind: 'step-finished', host: 'hv01', step: STEPS[0]!, result: { stepId: 'one', title: '', risk: 'low', status: 'failed', message: 'boom', files: [], commands: [] } });
    progress.onEvent({ kind: 'host-finished', host: 'hv01', result: result('hv01', 'failed', 'one: boom') });
    progress.onEvent({ kind: 'rollout-stopped', reason: 'too many failures', notStarted: ['hv02'] });
    expect(await within(progress.done)).toBeUndefined();
  });

  it('ends on settle when the run threw before any event', async () => {
    // The executor threw; the CLI settles what is still waiting.
    const progress = startApplyProgress(PLAN, { renderer: 'silent', color: false });
    progress.settle('the run ended early');
    expect(await within(progress.done)).toBeUndefined();
  });

  it('titles steps with their risk and hosts with their outcome', () => {
    // What a CI log shows for a medium step and a converged host.
    expect(formatStepTitle(STEPS[1]!, false)).toBe('[MEDIUM] update grub');
    expect(formatStepTitle(STEPS[1]!, true)).toContain('\u001b[33m');
    const converged: HostResult = { ...result('hv01', 'converged', 'reboot pending'), steps: [{ stepId: 'one', title: '', risk: 'low', status: 'done', files: [], commands: [] }, { stepId: 'reboot', title: '', risk: 'medium', status: 'reboot-pending', files: [], commands: [] }] };
    expect(formatHostTitle(converged)).toBe('hv01: converged (1/2 steps) — reboot pending');
    expect(formatHostTitle(result('hv02', 'locked', 'hv02 is locked by run r1'))).toBe('hv02: locked by another run — hv02 is locked by run r1');
  });

  it('says what a rolling reboot is doing, in words an operator follows', () => {
    // hv07 reboots, is waited for, comes back; hv08 was found already rebooted by a resumed run.
    expect(formatRebootEvent({ kind: 'reboot-started', host: 'hv07', bootId: 'b1' })).toBe('rebooting (boot id b1)');
    expect(formatRebootEvent({ kind: 'reboot-waiting', host: 'hv07', attempt: 3, elapsedMs: 12_400 })).toBe('waiting for hv07 (attempt 3, 12 s)');
    expect(formatRebootEvent({ kind: 'reboot-back', host: 'hv07', bootId: 'b2', elapsedMs: 31_000 })).toBe('back: boot id b2 after 31 s');
    expect(formatRebootEvent({ kind: 'reboot-back', host: 'hv08', bootId: 'b9', elapsedMs: 0 })).toBe('already rebooted: boot id b9');
  });

  it('ends after a rolling reboot whose events arrive between the steps', async () => {
    // hv01's plan ends with its reboot; the reboot reports progress before the step finishes.
    const reboot = aStep({ id: 'reboot', title: 'reboot', risk: 'medium' });
    const plan: Plan = { ...PLAN, hosts: [aHostPlan('hv01', [reboot])] };
    const progress = startApplyProgress(plan, { renderer: 'silent', color: false });
    progress.onEvent({ kind: 'host-started', host: 'hv01', steps: [reboot] });
    progress.onEvent({ kind: 'reboot-started', host: 'hv01', bootId: 'b1' });
    progress.onEvent({ kind: 'reboot-waiting', host: 'hv01', attempt: 1, elapsedMs: 500 });
    progress.onEvent({ kind: 'reboot-back', host: 'hv01', bootId: 'b2', elapsedMs: 2_000 });
    progress.onEvent({ kind: 'step-finished', host: 'hv01', step: reboot, result: { stepId: 'reboot', title: 'reboot', risk: 'medium', status: 'done', files: [], commands: [] } });
    progress.onEvent({ kind: 'host-finished', host: 'hv01', result: result('hv01', 'converged') });
    expect(await within(progress.done)).toBeUndefined();
  });

  it('logs one line per state change, each naming its host, and keeps nothing to wait for', async () => {
    // What a CI log shows: hv01 runs a step, another is left to an operator, and reboots; hv02 fails; the rollout stops.
    const lines: string[] = [];
    const progress = startApplyProgress(PLAN, { renderer: 'simple', color: false, write: (text) => lines.push(text) });
    const [one, two] = STEPS as [typeof STEPS[0], typeof STEPS[0]];
    const outcome = (step: typeof one, status: 'done' | 'failed' | 'manual', message?: string) => ({ stepId: step.id, title: step.title, risk: step.risk, status, files: [], commands: [], ...(message ? { message } : {}) });
    progress.onEvent({ kind: 'host-started', host: 'hv01', steps: STEPS });
    progress.onEvent({ kind: 'step-started', host: 'hv01', step: one });
    progress.onEvent({ kind: 'step-progress', host: 'hv01', stepId: one.id, detail: 'ran modprobe vfio_pci' });
    progress.onEvent({ kind: 'step-finished', host: 'hv01', step: one, result: outcome(one, 'done') });
    progress.onEvent({ kind: 'step-finished', host: 'hv01', step: two, result: outcome(two, 'manual', 'high risk: confirm it by hand') });
    progress.onEvent({ kind: 'reboot-started', host: 'hv01', bootId: 'b1' });
    progress.onEvent({ kind: 'host-finished', host: 'hv01', result: result('hv01', 'manual') });
    progress.onEvent({ kind: 'step-finished', host: 'hv02', step: one, result: outcome(one, 'failed', 'modprobe: exit 1') });
    progress.onEvent({ kind: 'host-finished', host: 'hv02', result: result('hv02', 'failed', 'one: modprobe: exit 1') });
    progress.onEvent({ kind: 'rollout-stopped', reason: 'too many failures', notStarted: ['hv03', 'hv04'] });
    progress.settle('the run ended early');
    expect(await within(progress.done)).toBeUndefined();
    expect(lines.join('')).toBe([
      '❯ hv01: applying 2 steps',
      '❯ hv01 [LOW] load module vfio_pci',
      '› hv01: ran modprobe vfio_pci',
      '✔ hv01 [LOW] load module vfio_pci',
      '↓ hv01 [MEDIUM] update grub [SKIPPED: manual — high risk: confirm it by hand]',
      '› hv01: rebooting (boot id b1)',
      '✔ hv01: needs manual work',
      '✖ hv02 [LOW] load module vfio_pci — modprobe: exit 1',
      '✖ hv02: FAILED — one: modprobe: exit 1',
      '✖ rollout stopped: too many failures (2 hosts not started)',
      '',
    ].join('\n'));
  });
});
