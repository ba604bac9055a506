// Claims on one key by several plays: the same value twice is fine, two different values are a
// conflict — unless the plays' `when` conditions can never hold on the same host.
import type { SourceRef } from '../model/index.js';
import type { When } from '../model/generated/playbook.js';

export interface Claim<T> {
  value: T;
  source: SourceRef;
  when: When | undefined;
}

export type ClaimMap<T> = Map<string, Claim<T>>;

/** Two plays can both apply unless they test one fact for different values. */
export function canBothHold(a: When | undefined, b: When | undefined): boolean {
  if (!a || !b) return true;
  return (Object.keys(a) as (keyof When)[]).every((key) => b[key] === undefined || a[key] === b[key]);
}

/** Adds a claim; returns the earlier claim it conflicts with, if any (the earlier one is kept). */
export function addClaim<T>(map: ClaimMap<T>, key: string, claim: Claim<T>): Claim<T> | null {
  const earlier = map.get(key);
  if (!earlier) {
    map.set(key, claim);
    return null;
  }
  if (JSON.stringify(earlier.value) === JSON.stringify(claim.value)) return null;
  return canBothHold(earlier.when, claim.when) ? earlier : null;
}

/** Keys claimed in both maps by plays that can apply together: [key, claim in a, claim in b]. */
export function findOverlaps<A, B>(a: ClaimMap<A>, b: ClaimMap<B>): [string, Claim<A>, Claim<B>][] {
  const overlaps: [string, Claim<A>, Claim<B>][] = [];
  for (const [key, claimA] of a) {
    const claimB = b.get(key);
    if (claimB && canBothHold(claimA.when, claimB.when)) overlaps.push([key, claimA, claimB]);
  }
  return overlaps;
}
