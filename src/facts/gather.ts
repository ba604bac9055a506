// I/O: runs the probe on each host (one exec per host, bounded concurrency) and parses the result.
import type { Diagnostic, HostProfile, InventoryHost } from '../model/index.js';
import type { TransportOptions } from '../transport/types.js';
import type { ProbeRequest } from './request.js';

export interface GatherOptions extends TransportOptions {
  /** Hosts gathered at once. */
  forks: number;
  onEvent?: (event: { host: string; kind: 'start' | 'done' | 'failed'; message?: string }) => void;
}

export type GatherResult = { ok: true; profile: HostProfile } | { ok: false; diagnostic: Diagnostic };

export async function gatherFleet(
  hosts: InventoryHost[],
  requests: Record<string, ProbeRequest>,
  options: GatherOptions,
): Promise<Record<string, GatherResult>> {
  throw new Error('not implemented: gatherFleet');
}
