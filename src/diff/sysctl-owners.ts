// Sysctl keys that exist only once a module is loaded. A key that is missing now is fine when its module
// is loaded (or about to be); any other missing key does not exist on this kernel.
import type { DesiredState, HostProfile } from '../model/index.js';

const KEY_OWNERS: { prefix: string; module: string }[] = [
  { prefix: 'net.bridge.', module: 'br_netfilter' },
  { prefix: 'net.netfilter.nf_conntrack_', module: 'nf_conntrack' },
  { prefix: 'net.ipv4.vs.', module: 'ip_vs' },
];

export function findSysctlOwner(key: string): string | undefined {
  return KEY_OWNERS.find((o) => key.startsWith(o.prefix))?.module;
}

/** The key is absent from /proc/sys and no module in this plan or already loaded will bring it. */
export function isSysctlKeyMissing(key: string, desired: DesiredState, profile: HostProfile): boolean {
  if ((profile.sysctl.live[key] ?? null) !== null) return false;
  const owner = findSysctlOwner(key);
  return owner === undefined || !(owner in desired.modules.load || profile.modules.loaded.includes(owner));
}
