import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepResult } from '../../../src/apply/events.js';
import { createJournal, createJournalWriter, createRunId, journalLogPathOf, journalPathOf, listDoneSteps, listUnfinishedReboots, loadJournal, saveJournal, type RunJournal } from '../../../src/apply/journal.js';
import type { Plan } from '../../../src/model/index.js';
import { aHostPlan, aStep } from './plan-builders.js';

const PLAN: Plan = { format_version: '1.0', tool: 'kernfleet test', createdAt: '2026-11-23T14:00:00Z', manifestDigest: 'sha256:x', hosts: [aHostPlan('hv01', [aStep({ id: 'a' }), aStep({ id: 'b' })])] };
const stepResult = (stepId: string, status: StepResult['status']): StepResult => ({ stepId, title: stepId, risk: 'low', status, files: [], commands: [] });

let dir: string;

/** As apply starts a run: the journal saved whole, then a writer that appends to its log. */
async function startJournal(path: string, initial: RunJournal, clock?: () => Date) {
  await saveJournal(path, initial);
  return createJournalWriter(path, initial, clock);
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kernfleet-journal-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('run journal', () => {
  it('names runs sortably by time with a random suffix, and lives beside the inventory', () => {
    // Two runs in the same second differ by their suffix only.
    expect(createRunId(new Date('2026-11-23T14:30:05.123Z'), () => 'a1b2c3')).toBe('20261123T143005Z-a1b2c3');
    expect(journalPathOf('/srv/ops/inventories/prod.yml', 'R1')).toBe('/srv/ops/inventories/.kernfleet/runs/R1.json');
  });

  it('is on disk after each step, before the run goes on', async () => {
    // The controller could die right after a step: the file must already say it was done.
    const path = join(dir, '.kernfleet/runs/R1.json');
    const writer = await startJournal(path, createJournal('R1', PLAN, '2026-11-23T14:00:00Z'), () => new Date('2026-11-23T14:01:00Z'));
    await writer.onEvent({ kind: 'host-started', host: 'hv01', steps: PLAN.hosts[0]!.steps });
    await writer.onEvent({ kind: 'step-finished', host: 'hv01', step: PLAN.hosts[0]!.steps[0]!, result: stepResult('a', 'done') });
    // What a crash right now leaves: RUN.json as the run began, and the log of what happened since.
    const onDisk = await loadJournal(path);
    expect(onDisk.hosts['hv01']).toEqual({ status: 'running', steps: [{ id: 'a', status: 'done', at: '2026-11-23T14:01:00.000Z' }] });
    expect(onDisk.plan.hosts[0]!.steps.map((s) => s.id)).toEqual(['a', 'b']);
    expect(JSON.parse(await readFile(path, 'utf8')).hosts).toEqual({});
    // One short line per event, not the whole plan again.
    expect((await readFile(journalLogPathOf(path), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).event.kind)).toEqual(['host-started', 'step-finished']);
  });

  it('is whole again in RUN.json once the run ends, its log gone; a line cut by a crash is ignored', async () => {
    // A run that finished normally, then one whose controller died while appending.
    const path = join(dir, 'R3.json');
    const writer = await startJournal(path, createJournal('R3', PLAN, '2026-11-23T14:00:00Z'));
    await writer.onEvent({ kind: 'step-finished', host: 'hv01', step: PLAN.hosts[0]!.steps[0]!, result: stepResult('a', 'done') });
    await writer.close();
    expect(JSON.parse(await readFile(path, 'utf8')).hosts.hv01.steps.map((s: { id: string }) => s.id)).toEqual(['a']);
    await expect(readFile(journalLogPathOf(path))).rejects.toThrow();
    const crashed = await startJournal(join(dir, 'R4.json'), createJournal('R4', PLAN, '2026-11-23T14:00:00Z'));
    await crashed.onEvent({ kind: 'step-finished', host: 'hv01', step: PLAN.hosts[0]!.steps[0]!, result: stepResult('a', 'done') });
    await writeFile(journalLogPathOf(join(dir, 'R4.json')), `${await readFile(journalLogPathOf(join(dir, 'R4.json')), 'utf8')}{"at":"2026-11-23T14:02:00Z","event":{"kind":"step-fin`);
    expect(listDoneSteps(await loadJournal(join(dir, 'R4.json')), 'hv01')).toEqual(['a']);
  });

  it('keeps concurrent hosts\' events, written in order, and tells a resume what was done', async () => {
    // Two hosts finish steps at the same moment; then the journal is read back for --resume.
    const path = join(dir, 'R2.json');
    const writer = await startJournal(path, createJournal('R2', PLAN, '2026-11-23T14:00:00Z'));
    const step = PLAN.hosts[0]!.steps[0]!;
    await Promise.all([
      writer.onEvent({ kind: 'step-finished', host: 'hv01', step, result: stepResult('a', 'done') }),
      writer.onEvent({ kind: 'step-finished', host: 'hv02', step, result: stepResult('a', 'failed') }),
      writer.onEvent({ kind: 'step-finished', host: 'hv01', step, result: stepResult('b', 'manual') }),
    ]);
    await writer.onEvent({ kind: 'host-finished', host: 'hv02', result: { host: 'hv02', status: 'failed', steps: [], remaining: [], message: 'a: boom' } });
    const journal = await loadJournal(path);
    expect(listDoneSteps(journal, 'hv01')).toEqual(['a']);
    expect(listDoneSteps(journal, 'hv02')).toEqual([]);
    expect(journal.hosts['hv02']).toMatchObject({ status: 'failed', message: 'a: boom' });
  });

  it('refuses a file that is not a journal', async () => {
    // Someone points --resume at a plan file.
    const path = join(dir, 'plan.json');
    await expect(loadJournal(join(dir, 'missing.json'))).rejects.toThrow();
    await writeFile(path, JSON.stringify(PLAN));
    await expect(loadJournal(path)).rejects.toThrow('is not a kernfleet run journal');
  });

  it('has the boot id on disk before a reboot, and forgets the reboot as unfinished once the host is back', async () => {
    // hv01 came back from its reboot; the controller died while hv02 was rebooting.
    const path = join(dir, '.kernfleet/runs/R2.json');
    const writer = await startJournal(path, createJournal('R2', PLAN, '2026-11-23T14:00:00Z'));
    await writer.onEvent({ kind: 'reboot-started', host: 'hv01', bootId: 'aaa' });
    await writer.onEvent({ kind: 'reboot-started', host: 'hv02', bootId: 'ccc' });
    expect(listUnfinishedReboots(await loadJournal(path))).toEqual({ hv01: 'aaa', hv02: 'ccc' });
    await writer.onEvent({ kind: 'reboot-waiting', host: 'hv01', attempt: 1, elapsedMs: 500 });
    await writer.onEvent({ kind: 'reboot-back', host: 'hv01', bootId: 'bbb', elapsedMs: 4000 });
    const saved = await loadJournal(path);
    expect(saved.hosts['hv01']?.reboot).toMatchObject({ bootIdBefore: 'aaa', bootIdAfter: 'bbb' });
    expect(listUnfinishedReboots(saved)).toEqual({ hv02: 'ccc' });
  });
});
