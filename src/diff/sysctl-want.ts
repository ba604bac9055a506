// Whether a sysctl value meets what the playbook wants: an exact value (token-wise) or a floor. Floors
// compare as BigInt: fs.file-max is 9223372036854775807 once systemd raised it, beyond a double's 2^53.
import type { DesiredSysctl, HostProfile } from '../model/index.js';
import { sameSysctlValue } from '../formats/sysctl-d.js';

const INTEGER = /^-?[0-9]+$/;

/** The value as an integer, or null when it is not exactly one integer token ("4096 87380", "abc"). */
export function parseSysctlInteger(value: string): bigint | null {
  const text = value.trim();
  return INTEGER.test(text) ? BigInt(text) : null;
}

/**
 * A floor cannot judge a live value that is not one integer (tcp_rmem's three numbers): the differ
 * reports it, and the managed file leaves the key out, instead of guessing. A missing key is judged elsewhere.
 */
export function isLiveSysctlComparable(key: string, want: DesiredSysctl, profile: HostProfile): boolean {
  const live = profile.sysctl.live[key] ?? null;
  return !want.atLeast || live === null || parseSysctlInteger(live) !== null;
}

export function meetsSysctlWant(have: string | null, want: DesiredSysctl): boolean {
  if (have === null) return false;
  if (!want.atLeast) return sameSysctlValue(have, want.value);
  const number = parseSysctlInteger(have);
  return number !== null && number >= BigInt(want.value);
}
