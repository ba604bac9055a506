// Pure: (DesiredState, HostProfile) → Change[]. No I/O, no clock, no randomness.
import type { Change, DesiredState, Diagnostic, HostProfile } from '../model/index.js';

export interface DiffResult {
  changes: Change[];
  diagnostics: Diagnostic[];
  /** Desired items that already hold. */
  satisfied: number;
}

export function diffHost(desired: DesiredState, profile: HostProfile): DiffResult {
  throw new Error('not implemented: diffHost');
}
