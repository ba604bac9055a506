// A 200-host drift run over real SSH: the report stays readable because identical hosts are grouped, and
// the JSON document validates against schemas/drift.schema.json.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/model/index.js';
import { renderDriftText } from '../../src/render/index.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const SIZE = 200;
let fleet: Fleet;
let report: DriftReport;
let code: number;

async function drift(format: string): Promise<{ code: number; stdout: string }> {
  const args = ['bin/kernfleet.js', 'drift', '-i', fleet.inventoryPath, 'playbooks/debvisor.yml', '--known-hosts', fleet.knownHostsPath, '--format', format, '--no-color', '--forks', '50'];
  try {
    const { stdout } = await run('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

beforeAll(async () => {
  // 180 stock Debian hosts, 10 already converged, 10 whose kernel lacks CONFIG_VFIO_PCI.
  const variant = (i: number) => (i < 180 ? 'debian12' : i < 190 ? 'converged' : 'no_vfio') as 'debian12' | 'converged' | 'no_vfio';
  fleet = await startFleet({ hosts: Array.from({ length: SIZE }, (_, i) => ({ name: `hv${String(i + 1).padStart(3, '0')}`, variant: variant(i) })) });
  // One gather of the whole fleet; the text view is rendered from the same report.
  const result = await drift('json');
  code = result.code;
  report = JSON.parse(result.stdout);
}, 900_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('drift across 200 hosts', () => {
  it('writes a JSON report for every host that validates against its schema, and exits 2 for drift', async () => {
    // Never applied: the stock hosts drift, the converged ones do not.
    expect(code).toBe(2);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(root, 'schemas', 'drift.schema.json'), 'utf8')));
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(report.hosts).toHaveLength(SIZE);
    const byStatus = (s: string) => report.hosts.filter((h) => h.status === s).length;
    expect(byStatus('error')).toBe(0);
    expect(byStatus('drifted')).toBe(190);
    expect(byStatus('clean')).toBe(10);
  });

  it('keeps the text report short by grouping identical hosts', () => {
    // Three kinds of host: three groups, not two hundred sections.
    const stdout = renderDriftText(report, { color: false });
    const lines = stdout.trimEnd().split('\n');
    // Ungrouped, 200 hosts of ~90 lines each would be ~18,000 lines.
    expect(lines.length).toBeLessThan(400);
    expect(lines.filter((l) => /^(\d+ hosts \(|hv\d{3}: )/.test(l))).toHaveLength(3);
    expect(stdout).toMatch(/180 hosts \(hv001, hv002, .*and 17\d more\)/);
  });
});
