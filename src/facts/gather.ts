// I/O: runs the probe on each host (one exec per host, bounded concurrency) and parses the result.
import pLimit from 'p-limit';
import type { Diagnostic, HostProfile, InventoryHost } from '../model/index.js';
import { openTransport } from '../transport/index.js';
import { TransportError, type Transport, type TransportErrorCode, type TransportOptions } from '../transport/types.js';
import { buildProbe, parseProbe } from './probe.js';
import { emptyProbeRequest, type ProbeRequest } from './request.js';
import { ProbeParseError } from './sections.js';

export interface GatherOptions extends TransportOptions {
  /** Hosts gathered at once. */
  forks: number;
  onEvent?: (event: { host: string; kind: 'start' | 'done' | 'failed'; message?: string }) => void;
  /** Opens the transport to a host; default openTransport. Tests inject fakes here. */
  open?: (host: InventoryHost) => Promise<Transport>;
  /** The gather time stamped on profiles; default the wall clock. */
  now?: () => Date;
}

export type GatherResult = { ok: true; profile: HostProfile } | { ok: false; diagnostic: Diagnostic };

/**
 * Never throws for a host's failure: each host ends as a profile or a diagnostic naming it. `digest` turns
 * each result into what the caller keeps, as soon as the host answers: a fleet's plan need not hold a
 * thousand profiles at once.
 */
export async function gatherFleet(hosts: InventoryHost[], requests: Record<string, ProbeRequest>, options: GatherOptions): Promise<Record<string, GatherResult>>;
export async function gatherFleet<T>(
  hosts: InventoryHost[],
  requests: Record<string, ProbeRequest>,
  options: GatherOptions,
  digest: (host: string, result: GatherResult) => T,
): Promise<Record<string, T>>;
export async function gatherFleet(
  hosts: InventoryHost[],
  requests: Record<string, ProbeRequest>,
  options: GatherOptions,
  digest: (host: string, result: GatherResult) => unknown = (_, result) => result,
): Promise<Record<string, unknown>> {
  const limit = pLimit(Math.max(1, options.forks));
  const results = await Promise.all(
    hosts.map((host) => limit(async () => [host.name, digest(host.name, await gatherHost(host, requests[host.name] ?? emptyProbeRequest(), options))] as const)),
  );
  return Object.fromEntries(results);
}

async function gatherHost(host: InventoryHost, request: ProbeRequest, options: GatherOptions): Promise<GatherResult> {
  options.onEvent?.({ host: host.name, kind: 'start' });
  const result = await runProbe(host, request, options).catch((error: unknown): GatherResult => ({ ok: false, diagnostic: diagnosticFor(host.name, error) }));
  if (result.ok) options.onEvent?.({ host: host.name, kind: 'done' });
  else options.onEvent?.({ host: host.name, kind: 'failed', message: result.diagnostic.message });
  return result;
}

// The probe runs as the login user, even when the inventory sets become (the transport's default):
// everything it reads is world-readable, and sudo ability is one of the facts it reports.
async function runProbe(host: InventoryHost, request: ProbeRequest, options: GatherOptions): Promise<GatherResult> {
  const script = buildProbe(request);
  const transport = await (options.open ? options.open(host) : openTransport(host, options));
  try {
    const gatheredAt = (options.now?.() ?? new Date()).toISOString();
    const result = await transport.exec({ script }, { become: false });
    if (result.code !== 0) {
      const detail = result.stderr.trim().split('\n').slice(-3).join(' ') || 'no error output';
      return failure(host.name, 'probe-failed', `probe exited with ${result.code ?? 'a signal'}: ${detail}`);
    }
    return { ok: true, profile: parseProbe(host.name, result.stdout, gatheredAt) };
  } finally {
    await transport.close().catch(() => undefined);
  }
}

const TRANSPORT_CODES: Record<TransportErrorCode, { code: string; hint?: string }> = {
  unreachable: { code: 'ssh-unreachable', hint: 'check the address, port and that sshd runs on the host' },
  'auth-failed': { code: 'auth-failed', hint: 'check ansible_user and the key (ansible_ssh_private_key_file, agent, ~/.ssh/config)' },
  'host-key-unknown': { code: 'host-key-unknown', hint: 'verify the fingerprint, then rerun with --accept-new-host-keys' },
  'host-key-changed': { code: 'host-key-changed', hint: 'the host key differs from known_hosts: verify the host before removing the old key' },
  timeout: { code: 'ssh-timeout' },
  'sudo-required': { code: 'sudo-required' },
  'sudo-password': { code: 'sudo-password' },
  channel: { code: 'ssh-channel' },
};

function diagnosticFor(host: string, error: unknown): Diagnostic {
  if (error instanceof TransportError) {
    const { code, hint } = TRANSPORT_CODES[error.code];
    return { severity: 'error', code, message: error.message, host, ...(hint ? { hint } : {}) };
  }
  if (error instanceof ProbeParseError) return failure(host, 'probe-parse', error.message).diagnostic;
  const message = error instanceof Error ? error.message : String(error);
  return failure(host, 'probe-failed', message).diagnostic;
}

function failure(host: string, code: string, message: string): { ok: false; diagnostic: Diagnostic } {
  return { ok: false, diagnostic: { severity: 'error', code, message, host } };
}
