import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState, HostProfile } from '../../../src/model/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aProfileAfter } from '../../builders.js';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('convergence', () => {
  for (const name of readdirSync(scenarios, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    it(`${name}: a second plan after applying the first has no runnable step`, () => {
      // Apply every automatic step of the scenario's plan to its profile, then plan again.
      const desired = readJson<DesiredState>(`${scenarios}${name}/desired.json`);
      const profile = readJson<HostProfile>(`${scenarios}${name}/profile.json`);
      const first = buildHostPlan(desired, profile, diffHost(desired, profile));
      const after = aProfileAfter(profile, desired, first);
      const second = buildHostPlan(desired, after, diffHost(desired, after));
      expect(second.steps.filter((s) => s.autoExecute).map((s) => s.id)).toEqual([]);
      expect(second.satisfied).toBeGreaterThanOrEqual(first.satisfied);
      // What stays is what no automatic step can do: blocked changes and manual kernel work.
      expect(second.changes.every((c) => c.blocked !== undefined || !c.autoExecute)).toBe(true);
    });
  }
});
