import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState, HostPlan, HostProfile } from '../../../src/model/index.js';
import { buildHostPlan, createPlanInterner } from '../../../src/plan/index.js';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function planOf(name: string, host: string): HostPlan {
  const desired = readJson<DesiredState>(`${scenarios}${name}/desired.json`);
  const profile = { ...readJson<HostProfile>(`${scenarios}${name}/profile.json`), host };
  return buildHostPlan(desired, profile, diffHost(desired, profile));
}

const names = readdirSync(scenarios, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('createPlanInterner', () => {
  it('hands back plans that say exactly what they said before', () => {
    const share = createPlanInterner();
    for (const name of names) {
      const plan = planOf(name, 'hv01');
      expect(JSON.parse(JSON.stringify(share(planOf(name, 'hv01'))))).toEqual(JSON.parse(JSON.stringify(plan)));
    }
  });

  it('shares the equal steps and changes of two hosts of one kind, and keeps what names the host apart', () => {
    const share = createPlanInterner();
    const name = names.find((n) => planOf(n, 'a').steps.length > 0)!;
    const a = share(planOf(name, 'hv01'));
    const b = share(planOf(name, 'hv02'));
    expect(a.steps.length).toBeGreaterThan(0);
    a.steps.forEach((step, i) => expect(b.steps[i]).toBe(step));
    a.changes.forEach((change, i) => expect(b.changes[i]).toBe(change));
    expect(a.host).toBe('hv01');
    expect(b.host).toBe('hv02');
    for (const [i, d] of a.diagnostics.entries()) {
      if (d.host === 'hv01') expect(b.diagnostics[i]).not.toBe(d);
    }
  });

  it('freezes what it shares, down to nested arrays, so one host cannot edit another\'s step', () => {
    const share = createPlanInterner();
    const name = names.find((n) => planOf(n, 'a').steps.some((s) => s.files.length > 0))!;
    const plan = share(planOf(name, 'hv01'));
    const step = plan.steps.find((s) => s.files.length > 0)!;
    expect(() => { (step as { risk: string }).risk = 'low'; }).toThrow(TypeError);
    expect(() => { step.files.push(step.files[0]!); }).toThrow(TypeError);
    // The host's own lists stay its own.
    plan.steps.push(step);
    expect(plan.steps.at(-1)).toBe(step);
  });
});
