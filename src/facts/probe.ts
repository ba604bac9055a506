// The probe: one POSIX sh script per host (bash, dash and busybox ash), one exec, output in delimited
// sections; and its pure parser into a HostProfile.
import type { HostProfile } from '../model/index.js';
import type { ProbeRequest } from './request.js';

export function buildProbe(request: ProbeRequest): string {
  throw new Error('not implemented: buildProbe');
}

/** Parses probe output; throws ProbeParseError naming the section when the output is malformed. */
export function parseProbe(host: string, output: string, gatheredAt: string): HostProfile {
  throw new Error('not implemented: parseProbe');
}
