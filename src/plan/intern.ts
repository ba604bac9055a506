// Hosts of one kind get equal changes and steps (the same file contents, commands and rollback text) and
// equal drift findings.
// A 1000-host plan held ~90 MB of such copies; sharing one frozen value per distinct change, step and
// diagnostic brings it to a few MB. Frozen, so nothing can edit one host's step through another's.
import type { HostPlan } from '../model/index.js';

export type PlanInterner = (plan: HostPlan) => HostPlan;

/** Hands back one frozen value per distinct JSON value it is given: keep what it hands back. */
export function createSharer(): <T>(value: T) => T {
  const pool = new Map<string, unknown>();
  return <T>(value: T): T => {
    const key = JSON.stringify(value);
    const known = pool.get(key);
    if (known !== undefined) return known as T;
    pool.set(key, deepFreeze(value));
    return value;
  };
}

/** A memo for one fleet's plans: give it every host's plan, keep what it hands back. */
export function createPlanInterner(): PlanInterner {
  const share = createSharer();
  return (plan) => ({ ...plan, changes: plan.changes.map(share), steps: plan.steps.map(share), diagnostics: plan.diagnostics.map(share) });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
