/**
 * "Did you mean ...?" suggestions for misspelt names (fields, actions, nodes, pools, kinds).
 */
import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo:
 * at most max(2, ⌊len/3⌋) edits. Ties go to the candidate sharing the longer prefix with `word`
 * (so "=" suggests "==", not "<"), then to the earlier candidate, so the answer is deterministic.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestPrefix = -1;
  for (const candidate of candidates) {
    // Case-only differences ("failnode") are the likeliest typo of all.
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0 : distance(word, candidate);
    const prefix = commonPrefix(word, candidate);
    if (d < bestDistance || (d === bestDistance && prefix > bestPrefix)) {
      best = candidate;
      bestDistance = d;
      bestPrefix = prefix;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or "" when nothing is close: ready to append to a message. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const match = didYouMean(word, candidates);
  return match === undefined || match === word ? "" : ` (did you mean ${JSON.stringify(match)}?)`;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
