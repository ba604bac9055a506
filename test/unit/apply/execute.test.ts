import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { executeHostPlan } from '../../../src/apply/execute.js';
import { backupDirOf } from '../../../src/apply/remote-file.js';
import { aChange, aHostPlan, aStep } from './plan-builders.js';
import { startLocalHost, type LocalHost } from './local-host.js';

const RUN = 'run-1';
let host: LocalHost;
let events: ApplyEvent[];
beforeEach(async () => {
  host = await startLocalHost();
  events = [];
});
afterEach(() => host.dispose());

const options = () => ({ runId: RUN, stateDir: host.stateDir, onEvent: (e: ApplyEvent) => void events.push(e) });
const touch = (name: string) => ['sh', '-c', 'echo ran >> "$1"', 'sh', join(host.root, name)] as [string, ...string[]];
const exists = (name: string) => ['test', '-e', join(host.root, name)] as [string, ...string[]];

describe('executeHostPlan', () => {
  it('writes files with a backup, then runs commands, then verifies, step by step', async () => {
    // A sysctl file rewrite followed by a command that reads the new file.
    const conf = join(host.root, 'sysctl.conf');
    await writeFile(conf, 'old\n');
    const plan = aHostPlan('hv01', [
      aStep({ id: `file:${conf}`, files: [{ path: conf, before: 'old\n', after: 'new\n' }] }),
      aStep({ id: 'copy', commands: [['cp', conf, join(host.root, 'copied')]], verify: [['grep', '-qx', 'new', join(host.root, 'copied')]] }),
    ]);
    const results = await executeHostPlan(host.transport, plan, options());
    expect(results.map((r) => r.status)).toEqual(['done', 'done']);
    expect(await readFile(join(host.root, 'copied'), 'utf8')).toBe('new\n');
    expect(await readFile(join(backupDirOf(RUN, host.stateDir), conf), 'utf8')).toBe('old\n');
    expect(results[1]?.commands.map((c) => [c.phase, c.code])).toEqual([['run', 0], ['verify', 0]]);
    expect(events.flatMap((e) => (e.kind === 'step-finished' ? [`${e.host} ${e.result.stepId} ${e.result.status}`] : []))).toEqual([`hv01 file:${conf} done`, 'hv01 copy done']);
  });

  it('stops the host at the first failing command and skips the rest', async () => {
    // The second step's command exits 2; the third must not run.
    const plan = aHostPlan('hv01', [
      aStep({ id: 'one', commands: [touch('one')] }),
      aStep({ id: 'two', commands: [['sh', '-c', 'echo "modprobe: FATAL: Module nope not found" >&2; exit 2']] }),
      aStep({ id: 'three', commands: [touch('three')] }),
    ]);
    const results = await executeHostPlan(host.transport, plan, options());
    expect(results.map((r) => r.status)).toEqual(['done', 'failed', 'skipped']);
    expect(results[1]?.message).toContain('exited 2: modprobe: FATAL: Module nope not found');
    expect(results[2]?.message).toBe('not run: two failed');
    await expect(readFile(join(host.root, 'three'))).rejects.toThrow();
  });

  it('treats a failed verification as a failed step', async () => {
    // The command succeeds but the state it should produce is not there.
    const plan = aHostPlan('hv01', [aStep({ id: 'load', commands: [['true']], verify: [exists('never')] }), aStep({ id: 'next', commands: [touch('next')] })]);
    const results = await executeHostPlan(host.transport, plan, options());
    expect(results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(results[0]?.message).toMatch(/^verification failed: test -e .*never exited 1/);
  });

  it('fails a step whose file changed since the plan, before running its commands', async () => {
    // The file's content is not the plan's "before": its command must not run either.
    const conf = join(host.root, 'grub');
    await writeFile(conf, 'edited by hand\n');
    const plan = aHostPlan('hv01', [aStep({ id: 'bootloader:update', files: [{ path: conf, before: 'original\n', after: 'new\n' }], commands: [touch('update-grub')] })]);
    const [result] = await executeHostPlan(host.transport, plan, options());
    expect(result?.status).toBe('failed');
    expect(result?.message).toContain('changed on the host since the plan');
    await expect(readFile(join(host.root, 'update-grub'))).rejects.toThrow();
  });

  it('never runs a high-risk step without confirmation, and runs it once confirmed', async () => {
    // One high-risk step with a command; first no operator, then an operator who says yes.
    const plan = aHostPlan('hv01', [aStep({ id: 'kernel:upgrade', risk: 'high', autoExecute: false, commands: [touch('upgraded')] })]);
    const unattended = await executeHostPlan(host.transport, plan, options());
    expect(unattended.map((r) => r.status)).toEqual(['manual']);
    await expect(readFile(join(host.root, 'upgraded'))).rejects.toThrow();
    const asked: string[] = [];
    const confirmed = await executeHostPlan(host.transport, plan, { ...options(), interactiveConfirm: async (step, name) => (asked.push(`${name}/${step.id}`), true) });
    expect(confirmed.map((r) => r.status)).toEqual(['done']);
    expect(asked).toEqual(['hv01/kernel:upgrade']);
    expect(await readFile(join(host.root, 'upgraded'), 'utf8')).toBe('ran\n');
  });

  it('keeps a high-risk change manual even when an edited saved plan marks its step low-risk and automatic', async () => {
    // A plan file edited by hand: the kernel rebuild's step claims low risk and autoExecute; its change says what it is.
    const plan = aHostPlan(
      'hv01',
      [aStep({ id: 'kernel:rebuild', risk: 'low', autoExecute: true, changes: ['kconfig:CONFIG_VFIO_PCI'], commands: [touch('rebuilt')] }), aStep({ id: 'after', commands: [touch('after')] })],
      [aChange('kconfig:CONFIG_VFIO_PCI', { action: 'rebuild-kernel', risk: 'low' })],
    );
    const results = await executeHostPlan(host.transport, plan, options());
    expect(results.map((r) => [r.stepId, r.status])).toEqual([['kernel:rebuild', 'manual'], ['after', 'done']]);
    expect(results[0]?.message).toBe('high-risk step: needs an operator (runbook printed)');
    await expect(readFile(join(host.root, 'rebuilt'))).rejects.toThrow();
  });

  it('does not ask about a runbook-only step and keeps it manual', async () => {
    // A kernel rebuild is a procedure for a person: there is nothing to run automatically.
    const plan = aHostPlan('hv01', [aStep({ id: 'kernel:rebuild', risk: 'high', autoExecute: false, runbook: ['make olddefconfig'] })]);
    let asked = 0;
    const results = await executeHostPlan(host.transport, plan, { ...options(), interactiveConfirm: async () => (asked++, true) });
    expect([results[0]?.status, asked]).toEqual(['manual', 0]);
  });

  it('never runs the reboot step and blocks steps that depend on a step that did not run', async () => {
    // A step depends on a manual high-risk change; the reboot waits for the rolling-reboot phase.
    const plan = aHostPlan(
      'hv01',
      [
        aStep({ id: 'kernel:upgrade', changes: ['kernel:upgrade'], risk: 'high', autoExecute: false, commands: [touch('upgraded')] }),
        aStep({ id: 'module:new:load', changes: ['module:new:load'], commands: [touch('loaded')] }),
        aStep({ id: 'reboot', changes: ['boot:reboot'], risk: 'medium', commands: [['reboot']] }),
      ],
      [aChange('module:new:load', { dependsOn: ['kernel:upgrade'] })],
    );
    const results = await executeHostPlan(host.transport, plan, options());
    expect(results.map((r) => r.status)).toEqual(['manual', 'blocked', 'reboot-pending']);
    expect(results[1]?.message).toContain('waits for kernel:upgrade');
    expect(host.commands).toEqual([]);
  });

  it('skips steps a resumed run already did', async () => {
    // The run crashed after its first step; resuming must not repeat it.
    const plan = aHostPlan('hv01', [aStep({ id: 'one', commands: [touch('one')] }), aStep({ id: 'two', commands: [touch('two')] })]);
    const results = await executeHostPlan(host.transport, plan, { ...options(), previouslyDone: ['one'] });
    expect(results.map((r) => r.status)).toEqual(['previously-done', 'done']);
    await expect(readFile(join(host.root, 'one'))).rejects.toThrow();
  });

  it('runs a row of command-only steps in one exec, and still records and stops them step by step', async () => {
    // Three module-load-like steps in a row, the second failing; then a step that writes a file.
    const conf = join(host.root, 'after.conf');
    const plan = aHostPlan('hv01', [
      aStep({ id: 'one', commands: [touch('one')], verify: [exists('one')] }),
      aStep({ id: 'two', commands: [touch('two')], verify: [exists('never')] }),
      aStep({ id: 'three', commands: [touch('three')] }),
      aStep({ id: 'file', files: [{ path: conf, before: null, after: 'x\n' }] }),
    ]);
    const results = await executeHostPlan(host.transport, plan, options());
    expect(host.commands).toHaveLength(1);
    expect(results.map((r) => [r.stepId, r.status])).toEqual([['one', 'done'], ['two', 'failed'], ['three', 'skipped'], ['file', 'skipped']]);
    expect(results[1]?.message).toMatch(/^verification failed: test -e .*never exited 1/);
    expect(results[1]?.commands.map((c) => [c.phase, c.code])).toEqual([['run', 0], ['verify', 1]]);
    await expect(readFile(join(host.root, 'three'))).rejects.toThrow();
    await expect(readFile(conf)).rejects.toThrow();
    expect(events.flatMap((e) => (e.kind === 'step-finished' ? [`${e.step.id} ${e.result.status}`] : []))).toEqual(['one done', 'two failed', 'three skipped', 'file skipped']);
  });

  it('reports each step as started, progressing and finished, and waits for slow listeners', async () => {
    // The journal listener takes time to write; the next step must not start before it is done.
    const order: string[] = [];
    const fileStep = (id: string) => aStep({ id, files: [{ path: join(host.root, `${id}.conf`), before: null, after: `${id}\n` }] });
    const plan = aHostPlan('hv01', [fileStep('one'), fileStep('two')]);
    await executeHostPlan(host.transport, plan, {
      runId: RUN,
      stateDir: host.stateDir,
      onEvent: async (e) => {
        if (e.kind === 'step-finished') {
          await new Promise((r) => setTimeout(r, 50));
          order.push(`journal ${e.step.id}`);
        } else order.push(e.kind === 'step-progress' ? `progress ${e.stepId}` : `${e.kind} ${'step' in e ? e.step.id : ''}`);
      },
    });
    expect(order).toEqual(['step-started one', 'progress one', 'journal one', 'step-started two', 'progress two', 'journal two']);
  });
});
