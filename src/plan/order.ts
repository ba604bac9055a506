// Execution order within a host: dependencies first, then low → medium → high, reboot last; ties keep the
// order the steps were built in, so the same input always gives the same plan.
import type { Change, Step } from '../model/index.js';
import { rankRisk } from './risk.js';
import { REBOOT_STEP_ID } from './steps.js';

function rankStep(step: Step): number {
  return step.id === REBOOT_STEP_ID ? 3 : rankRisk(step.risk);
}

/** Step id → ids of the steps it waits for, from the changes' dependsOn. */
function findStepDependencies(steps: Step[], changes: Change[]): Map<string, Set<string>> {
  const stepOfChange = new Map<string, string>();
  for (const step of steps) for (const id of step.changes) stepOfChange.set(id, step.id);
  const byId = new Map(changes.map((c) => [c.id, c]));
  const deps = new Map<string, Set<string>>();
  for (const step of steps) {
    const waits = new Set<string>();
    for (const id of step.changes) {
      for (const dep of byId.get(id)?.dependsOn ?? []) {
        const other = stepOfChange.get(dep);
        if (other !== undefined && other !== step.id) waits.add(other);
      }
    }
    deps.set(step.id, waits);
  }
  return deps;
}

export function orderSteps(steps: Step[], changes: Change[]): Step[] {
  const deps = findStepDependencies(steps, changes);
  const done = new Set<string>();
  const ordered: Step[] = [];
  let remaining = steps.map((step, index) => ({ step, index }));
  while (remaining.length > 0) {
    const ready = remaining.filter(({ step }) => [...(deps.get(step.id) ?? [])].every((d) => done.has(d)));
    // A cycle cannot come out of the differs; should one appear, fall back to rank order rather than loop.
    const pool = ready.length > 0 ? ready : remaining;
    const next = pool.reduce((best, cur) =>
      rankStep(cur.step) < rankStep(best.step) || (rankStep(cur.step) === rankStep(best.step) && cur.index < best.index) ? cur : best,
    );
    ordered.push(next.step);
    done.add(next.step.id);
    remaining = remaining.filter((r) => r !== next);
  }
  return ordered;
}
