// Recaptures the local probe fixture: `npx tsx test/facts/capture-local.ts`. Runs the real probe on this
// machine through `sh -s` and stores {request, output, profile}; review the diff before keeping it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildProbe, parseProbe } from '../../src/facts/probe.js';
import { LOCAL_REQUEST } from './local-request.js';

const target = process.argv[2] ?? 'test/fixtures/facts/local/firecracker-6.18.json';
const run = spawnSync('sh', ['-s'], { input: buildProbe(LOCAL_REQUEST), encoding: 'utf8' });
if (run.status !== 0) throw new Error(`probe failed: ${run.stderr}`);
const profile = parseProbe('local', run.stdout, '2026-11-23T14:00:00.000Z');
writeFileSync(target, `${JSON.stringify({ request: LOCAL_REQUEST, output: run.stdout, profile }, null, 2)}\n`);
console.log(`wrote ${target}: ${run.stdout.length} bytes of probe output`);
