/**
 * DefaultNormalizeScore, after pkg/scheduler/framework/plugins/helper/normalize_score.go: rescales
 * raw scores from [0, max(scores)] onto [0, maxPriority] with integer (truncating) division, and
 * optionally reverses them (maxPriority − s) so that a lower raw score is better.
 *
 * When every score is 0 (max = 0) there is nothing to scale: with `reverse` all nodes get
 * maxPriority, otherwise the scores stay as they are (all 0). Scores are assumed non-negative
 * integers, as upstream.
 */

/** Rewrites `scores` in place. */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: number[]): void {
  let max = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) for (let i = 0; i < scores.length; i++) scores[i] = maxPriority;
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((maxPriority * scores[i]) / max);
    scores[i] = reverse ? maxPriority - s : s;
  }
}
