// "did you mean ...?" hints: the closest known name, if it is close enough to be a likely typo.
import { distance } from 'fastest-levenshtein';

/** The candidate nearest to `input`, or undefined when none is within a typo's reach. */
export function suggestName(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A third of the length (at least 2 edits) catches typos without proposing unrelated names.
  const reach = Math.max(2, Math.floor(input.length / 3));
  return best !== input && bestDistance <= reach ? best : undefined;
}

/** `did you mean "params"?` or undefined. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const suggestion = suggestName(input, candidates);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}
