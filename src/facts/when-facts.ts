// The facts a play's `when` may test, read off a gathered profile.
import type { HostFacts, HostProfile } from '../model/index.js';

export function hostFactsOf(profile: HostProfile): HostFacts {
  return {
    'cpu.vendor': profile.hardware.cpuVendor,
    'os.family': profile.os.family,
    'os.id': profile.os.id,
    'boot.loader': profile.boot.loader,
  };
}
