// Scenario snapshots: every folder holds desired.json + profile.json (inputs) and plan.json (the reviewed
// HostPlan). UPDATE_SNAPSHOTS=1 rewrites plan.json; review each rewritten plan by eye before keeping it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { diffHost } from '../../src/diff/index.js';
import type { DesiredState, HostProfile } from '../../src/model/index.js';
import { buildHostPlan } from '../../src/plan/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(readJson<object>(`${root}schemas/plan.schema.json`), 'plan');
ajv.addSchema(readJson<object>(`${root}schemas/profile.schema.json`), 'profile');
const validateHostPlan = ajv.compile({ $ref: 'plan#/definitions/HostPlan' });
const validateProfile = ajv.compile({ $ref: 'profile' });

const scenarios = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('scenarios', () => {
  it('exist', () => {
    // The folder must hold scenarios, or the loop below silently tests nothing.
    expect(scenarios.length).toBeGreaterThanOrEqual(9);
  });

  for (const name of scenarios) {
    it(name, () => {
      // The situation is described by the folder's desired.json and profile.json.
      const dir = `${here}${name}/`;
      const desired = readJson<DesiredState>(`${dir}desired.json`);
      const profile = readJson<HostProfile>(`${dir}profile.json`);
      expect(validateProfile(profile), ajv.errorsText(validateProfile.errors)).toBe(true);
      const plan = buildHostPlan(desired, profile, diffHost(desired, profile));
      expect(validateHostPlan(plan), ajv.errorsText(validateHostPlan.errors)).toBe(true);
      const snapshot = `${dir}plan.json`;
      if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snapshot, `${JSON.stringify(plan, null, 2)}\n`);
      expect(existsSync(snapshot), `${name}/plan.json is missing: run with UPDATE_SNAPSHOTS=1 and review it`).toBe(true);
      expect(plan).toEqual(readJson(snapshot));
    });
  }
});
