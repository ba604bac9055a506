import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatherFleet, type GatherOptions } from '../../src/facts/gather.js';
import { buildProbe } from '../../src/facts/probe.js';
import type { ProbeRequest } from '../../src/facts/request.js';
import type { InventoryHost } from '../../src/model/index.js';
import { TransportError, type Command, type ExecOptions, type ExecResult, type Transport } from '../../src/transport/types.js';
import { LOCAL_REQUEST } from './local-request.js';

const capture = JSON.parse(readFileSync(new URL('../fixtures/facts/local/firecracker-6.18.json', import.meta.url), 'utf8')) as { output: string };
const NOW = new Date('2026-11-23T15:00:00.000Z');

function aHost(name: string, kind: 'ssh' | 'local' = 'ssh'): InventoryHost {
  return {
    name,
    groups: ['all'],
    vars: {},
    connection: { kind, address: name, port: null, user: null, identityFile: null, become: true, becomeUser: 'root', becomePassword: null },
    source: { file: 'inventory.yml', line: 1, col: 1 },
  };
}

interface Recorder {
  execs: { host: string; command: Command; opts: ExecOptions | undefined }[];
  closed: string[];
  inFlight: number;
  maxInFlight: number;
}

/** A transport answering every exec with `answer(host)`; records calls and concurrency. */
function fakeOpen(recorder: Recorder, answer: (host: string) => ExecResult | Error, openError?: (host: string) => Error | undefined) {
  return async (host: InventoryHost): Promise<Transport> => {
    const failure = openError?.(host.name);
    if (failure) throw failure;
    return {
      host: host.name,
      async exec(command, opts) {
        recorder.execs.push({ host: host.name, command, opts });
        recorder.inFlight += 1;
        recorder.maxInFlight = Math.max(recorder.maxInFlight, recorder.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        recorder.inFlight -= 1;
        const result = answer(host.name);
        if (result instanceof Error) throw result;
        return result;
      },
      async close() {
        recorder.closed.push(host.name);
      },
    };
  };
}

function options(open: GatherOptions['open'], forks = 5): GatherOptions {
  return { forks, open, now: () => NOW, acceptNewHostKeys: false, connectTimeoutMs: 1000, commandTimeoutMs: 1000 };
}

const recorder = (): Recorder => ({ execs: [], closed: [], inFlight: 0, maxInFlight: 0 });

describe('gatherFleet', () => {
  it('runs one probe per host, as the login user, and parses it', async () => {
    // Two healthy hosts answering with the captured output of a real probe; the inventory asks for become.
    const rec = recorder();
    const requests: Record<string, ProbeRequest> = { hv1: LOCAL_REQUEST };
    const results = await gatherFleet([aHost('hv1'), aHost('hv2')], requests, options(fakeOpen(rec, () => ({ stdout: capture.output, stderr: '', code: 0 }))));
    expect(rec.execs.map((e) => e.host).sort()).toEqual(['hv1', 'hv2']);
    expect(rec.execs.every((e) => e.opts?.become === false)).toBe(true);
    const hv1 = rec.execs.find((e) => e.host === 'hv1')?.command;
    expect(hv1).toEqual({ script: buildProbe(LOCAL_REQUEST) });
    expect(rec.execs.find((e) => e.host === 'hv2')?.command).toEqual({ script: buildProbe({ configSymbols: [], modules: [], params: [], sysctlKeys: [] }) });
    expect(rec.closed.sort()).toEqual(['hv1', 'hv2']);
    const result = results['hv1'];
    expect(result?.ok).toBe(true);
    if (result?.ok) {
      expect(result.profile.host).toBe('hv1');
      expect(result.profile.gatheredAt).toBe(NOW.toISOString());
      expect(result.profile.kernel.release).toBe('6.18.44-fc-v782');
    }
  });

  it.each([
    ['unreachable', 'ssh-unreachable'],
    ['auth-failed', 'auth-failed'],
    ['host-key-unknown', 'host-key-unknown'],
    ['host-key-changed', 'host-key-changed'],
    ['timeout', 'ssh-timeout'],
  ] as const)('turns a %s transport error into a %s diagnostic for that host only', async (transportCode, code) => {
    // hv-bad fails to connect; hv-good answers.
    const rec = recorder();
    const open = fakeOpen(rec, () => ({ stdout: capture.output, stderr: '', code: 0 }), (host) => (host === 'hv-bad' ? new TransportError(transportCode, host, `cannot reach ${host}`) : undefined));
    const results = await gatherFleet([aHost('hv-bad'), aHost('hv-good')], {}, options(open));
    expect(results['hv-good']?.ok).toBe(true);
    expect(results['hv-bad']).toMatchObject({ ok: false, diagnostic: { severity: 'error', code, host: 'hv-bad', message: 'cannot reach hv-bad' } });
  });

  it('reports a probe that exits non-zero with its error output, and still closes', async () => {
    // The remote shell cannot run the script.
    const rec = recorder();
    const results = await gatherFleet([aHost('hv1')], {}, options(fakeOpen(rec, () => ({ stdout: '', stderr: 'sh: 1: Syntax error\n', code: 2 }))));
    expect(results['hv1']).toMatchObject({ ok: false, diagnostic: { code: 'probe-failed', host: 'hv1' } });
    if (!results['hv1']?.ok) expect(results['hv1']?.diagnostic.message).toContain('exited with 2: sh: 1: Syntax error');
    expect(rec.closed).toEqual(['hv1']);
  });

  it('reports malformed output naming the broken section', async () => {
    // The output stops in the middle of the sysctl files.
    const cut = capture.output.slice(0, capture.output.indexOf('@@kf:section sysctl-files') + 40);
    const results = await gatherFleet([aHost('hv1')], {}, options(fakeOpen(recorder(), () => ({ stdout: cut, stderr: '', code: 0 }))));
    expect(results['hv1']).toMatchObject({ ok: false, diagnostic: { code: 'probe-parse', host: 'hv1' } });
    if (!results['hv1']?.ok) expect(results['hv1']?.diagnostic.message).toContain('section sysctl-files');
  });

  it('reports an exec that throws and a request that cannot be probed', async () => {
    // hv1's channel breaks mid-exec; hv2's request holds a module name no kernel can have.
    const rec = recorder();
    const open = fakeOpen(rec, (host) => (host === 'hv1' ? new TransportError('channel', host, 'channel closed') : { stdout: capture.output, stderr: '', code: 0 }));
    const results = await gatherFleet([aHost('hv1'), aHost('hv2')], { hv2: { ...LOCAL_REQUEST, modules: ['bad name'] } }, options(open));
    expect(results['hv1']).toMatchObject({ ok: false, diagnostic: { code: 'ssh-channel', host: 'hv1' } });
    expect(results['hv2']).toMatchObject({ ok: false, diagnostic: { code: 'probe-failed', host: 'hv2' } });
    expect(rec.closed).toEqual(['hv1']);
  });

  it('keeps at most `forks` hosts in flight and tells about each', async () => {
    // Seven hosts, two forks.
    const rec = recorder();
    const events: string[] = [];
    const hosts = Array.from({ length: 7 }, (_, i) => aHost(`hv${i}`));
    const results = await gatherFleet(hosts, {}, { ...options(fakeOpen(rec, () => ({ stdout: capture.output, stderr: '', code: 0 })), 2), onEvent: (e) => events.push(`${e.host}:${e.kind}`) });
    expect(Object.keys(results)).toHaveLength(7);
    expect(rec.maxInFlight).toBe(2);
    expect(events.filter((e) => e.endsWith(':start'))).toHaveLength(7);
    expect(events.filter((e) => e.endsWith(':done'))).toHaveLength(7);
  });

  it('gathers this machine through the real local transport', async () => {
    // The inventory's local connection: no SSH, the probe runs here through sh -s.
    const results = await gatherFleet([aHost('localhost', 'local')], { localhost: LOCAL_REQUEST }, { forks: 1, acceptNewHostKeys: false, connectTimeoutMs: 5000, commandTimeoutMs: 20000 });
    const result = results['localhost'];
    expect(result?.ok, JSON.stringify(result)).toBe(true);
    if (result?.ok) {
      expect(result.profile.kernel.release).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
      expect(result.profile.kernel.configSource).toBe('/proc/config.gz');
    }
  });
});
