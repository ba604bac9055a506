import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse as parseShell } from 'shell-quote';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { registerDrift } from '../../../src/cli/drift-command.js';
import { buildProgram } from '../../../src/cli/main.js';

const examples = new URL('../../../examples/', import.meta.url);
const readExample = (path: string) => readFileSync(new URL(path, examples), 'utf8');
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** systemd unit → section → key → values (a key can repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const unit: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1] ?? '';
      unit[section] = {};
      continue;
    }
    const eq = trimmed.indexOf('=');
    const values = ((unit[section] ??= {})[trimmed.slice(0, eq)] ??= []);
    values.push(trimmed.slice(eq + 1));
  }
  return unit;
}

/** The kernfleet arguments after the program name, as a shell would split them. */
function kernfleetArgs(commandLine: string, program: RegExp): string[] {
  const words = parseShell(commandLine).filter((w): w is string => typeof w === 'string');
  const index = words.findIndex((w) => program.test(w));
  expect(index, `no kernfleet in ${commandLine}`).toBeGreaterThanOrEqual(0);
  return words.slice(index + 1);
}

/** Parses argv with the real command definitions; the command's action is replaced so nothing runs. */
async function parseWithCli(args: string[]): Promise<{ name: string; opts: Record<string, unknown>; operands: string[] }> {
  const program = args[0] === 'drift' ? new Command('kernfleet').exitOverride() : buildProgram();
  if (args[0] === 'drift') registerDrift(program);
  const command = program.commands.find((c) => c.name() === args[0]);
  if (!command) throw new Error(`no command ${args[0]}`);
  let operands: string[] = [];
  command.action((ops: string[]) => {
    operands = ops;
  });
  await program.parseAsync(args, { from: 'user' });
  return { name: command.name(), opts: command.opts(), operands };
}

const temp = mkdtempSync(join(tmpdir(), 'kernfleet-units-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('examples/systemd', () => {
  it('passes systemd-analyze verify without a single warning', () => {
    // The units copied to a temp dir, with ExecStart pointing at a stand-in kernfleet executable.
    const stub = join(temp, 'kernfleet');
    writeFileSync(stub, '#!/bin/sh\nexit 0\n');
    chmodSync(stub, 0o755);
    for (const name of ['kernfleet-drift.service', 'kernfleet-drift.timer']) copyFileSync(new URL(`systemd/${name}`, examples), join(temp, name));
    const service = join(temp, 'kernfleet-drift.service');
    writeFileSync(service, readFileSync(service, 'utf8').replace('/usr/local/bin/kernfleet', stub));
    const result = spawnSync('systemd-analyze', ['verify', service, join(temp, 'kernfleet-drift.timer')], { encoding: 'utf8' });
    expect(result.error, 'systemd-analyze must be installed (apt-get install systemd)').toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs a prometheus drift into the textfile collector, counts drift as success, and is timed', async () => {
    // What node_exporter's textfile collector and the timer depend on.
    const service = parseUnit(readExample('systemd/kernfleet-drift.service'));
    const timer = parseUnit(readExample('systemd/kernfleet-drift.timer'));
    const exec = service['Service']?.['ExecStart']?.[0] ?? '';
    const parsed = await parseWithCli(kernfleetArgs(exec, /\/kernfleet$/));
    expect(parsed.opts).toMatchObject({ format: 'prometheus', out: '/var/lib/node_exporter/textfile_collector/kernfleet.prom', inventory: '/etc/kernfleet/inventory.yml' });
    expect(service['Service']?.['SuccessExitStatus']).toEqual(['2']);
    expect(service['Service']?.['ReadWritePaths']).toEqual(['/var/lib/node_exporter/textfile_collector']);
    expect(timer['Timer']?.['Unit']).toEqual(['kernfleet-drift.service']);
    expect(timer['Install']?.['WantedBy']).toEqual(['timers.target']);
    expect(execFileSync('systemd-analyze', ['calendar', timer['Timer']?.['OnCalendar']?.[0] ?? ''], { encoding: 'utf8' })).toContain('Next elapse');
  });
});

describe('examples/kubernetes', () => {
  it('is a CronJob that runs this version of the npm package, never twice at once, failing on drift without retry', async () => {
    // The manifest as kubectl would read it.
    const doc = parseYaml(readExample('kubernetes/kernfleet-drift-cronjob.yaml')) as {
      apiVersion: string; kind: string;
      spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { podFailurePolicy: { rules: { action: string; onExitCodes: { values: number[]; containerName: string } }[] }; template: { spec: { restartPolicy: string; containers: { name: string; command: string[] }[]; volumes: { secret?: { defaultMode: number } }[] } } } } };
    };
    expect([doc.apiVersion, doc.kind]).toEqual(['batch/v1', 'CronJob']);
    expect(doc.spec.schedule.split(' ')).toHaveLength(5);
    expect(doc.spec.concurrencyPolicy).toBe('Forbid');
    const job = doc.spec.jobTemplate.spec;
    const container = job.template.spec.containers[0];
    expect(container?.command.slice(0, 3)).toEqual(['npx', '--yes', `kernfleet@${version}`]);
    const parsed = await parseWithCli(container?.command.slice(3) ?? []);
    expect(parsed).toMatchObject({ name: 'drift', opts: { format: 'json', out: '/reports/drift.json' }, operands: ['/etc/kernfleet/debvisor.yml'] });
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { containerName: container?.name, values: [2] } });
    expect(job.template.spec.volumes.find((v) => v.secret)?.secret?.defaultMode).toBe(0o400);
  });
});

describe('examples/github', () => {
  const workflow = parseYaml(readExample('github/kernfleet-plan.yml')) as {
    on: { pull_request: { paths: string[] } };
    permissions: Record<string, string>;
    jobs: { plan: { steps: { id?: string; name?: string; run?: string; uses?: string; if?: string; with?: { script?: string } }[] } };
  };
  const steps = workflow.jobs.plan.steps;

  it('runs plan --format markdown --detailed-exitcode on pull requests with flags the CLI accepts', async () => {
    // The plan step's kernfleet command line, parsed by the real `plan` command.
    expect(workflow.on.pull_request.paths).toContain('playbooks/**');
    const plan = steps.find((s) => s.id === 'plan');
    const line = plan?.run?.split('\n').find((l) => l.includes('kernfleet@')) ?? '';
    const args = kernfleetArgs(line.replace(/>.*$/, ''), /^kernfleet@/);
    const parsed = await parseWithCli(args);
    expect(parsed).toMatchObject({ name: 'plan', opts: { format: 'markdown', detailedExitcode: true } });
    expect(line).toContain(`kernfleet@${version}`);
    // Exit 2 (changes) must not fail the job; only 1 does.
    expect(plan?.run).toMatch(/if \[ "\$code" -eq 1 \]; then exit 1; fi/);
  });

  it('posts (or updates) the plan as a pull-request comment with a script that compiles', () => {
    // The comment step: permission, condition and the github-script body.
    expect(workflow.permissions['pull-requests']).toBe('write');
    const comment = steps.find((s) => s.uses?.startsWith('actions/github-script@'));
    expect(comment?.if).toContain("steps.plan.outputs.exitcode == '2'");
    const script = (comment?.with?.script ?? '').replace(/\$\{\{[^}]*\}\}/g, '2');
    expect(script).toMatch(/createComment/);
    expect(script).toMatch(/updateComment/);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction('require', 'github', 'context', script)).not.toThrow();
  });
});
