// Builders for the plan pieces apply consumes: steps and host plans with only what a test cares about.
import type { Change, HostPlan, Step } from '../../../src/model/index.js';

export function aStep(overrides: Partial<Step> & { id: string }): Step {
  return {
    title: overrides.id,
    changes: [overrides.id],
    risk: 'low',
    autoExecute: true,
    restart: 'none',
    commands: [],
    verify: [],
    files: [],
    rollback: 'nothing to undo',
    become: false,
    ...overrides,
  };
}

export function aChange(id: string, overrides: Partial<Change> = {}): Change {
  return {
    id,
    area: 'module',
    action: 'load',
    subject: id,
    layer: 'live',
    from: null,
    to: null,
    risk: 'low',
    autoExecute: true,
    restart: 'none',
    reason: 'test',
    rollback: 'test',
    dependsOn: [],
    ...overrides,
  };
}

export function aHostPlan(host: string, steps: Step[], changes: Change[] = []): HostPlan {
  const known = new Set(changes.map((c) => c.id));
  const implied = steps.flatMap((s) => s.changes).filter((id) => !known.has(id)).map((id) => aChange(id));
  return { host, status: 'ok', fingerprint: 'sha256:test', changes: [...changes, ...implied], steps, diagnostics: [], satisfied: 0 };
}
