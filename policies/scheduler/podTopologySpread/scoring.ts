/**
 * PodTopologySpread's soft constraints (upstream podtopologyspread/scoring.go): the PreScore state
 * and the score formulas.
 */
import type { NodeInfo, StateData } from "../../../sim/scheduler/framework.js";
import type { Constraint } from "./common.js";

export const PRE_SCORE_STATE_KEY = "PreScorePodTopologySpread";

/**
 * scoring.go topologyNormalizingWeight: ln(size + 2), where size is the number of topology values
 * among the candidate nodes (for the hostname key: candidate nodes minus ignored ones). It keeps
 * the counts of small topologies from being watered down by big ones.
 */
export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

/** scoring.go scoreForCount: count × weight + (maxSkew − 1); the maxSkew term softens small skews. */
export function scoreForCount(count: number, maxSkew: number, weight: number): number {
  return count * weight + (maxSkew - 1);
}

/**
 * Computed in PreScore; read by Score and NormalizeScore. Never changed afterwards, so clone()
 * shares it. `nodes` is the framework's candidate list, which is only valid during the cycle (the
 * runner reuses the array): scoreAll compares it by identity within the cycle, and the list is
 * copied at once for `rawScore`, which a kept state may answer later (a slice is a block copy;
 * the names are read from it only if `rawScore` is asked).
 */
export class PreScoreState implements StateData {
  private byName: Map<string, number> | undefined;
  private readonly candidates: readonly NodeInfo[];

  constructor(
    /** The ScheduleAnyway constraints. */
    readonly constraints: readonly Constraint[],
    /** Candidate nodes missing a required topology key: scored 0. */
    readonly ignoredNodes: ReadonlySet<string>,
    /** Per constraint: topology value → matching pods (non-hostname keys; values of candidate nodes only). */
    readonly counts: readonly Map<string, number>[],
    /** Per constraint: topologyNormalizingWeight. */
    readonly weights: readonly number[],
    /** PreScore's candidate nodes. */
    readonly nodes: readonly NodeInfo[],
    /** Raw score of each candidate (`rawScores[j]` is `nodes[j]`'s; ignored nodes 0), precomputed so that Score is a lookup. */
    readonly rawScores: Float64Array,
  ) {
    this.candidates = nodes.slice();
  }

  /** The raw score of the candidate named `name`; 0 for any other node. */
  rawScore(name: string): number {
    if (!this.byName) {
      this.byName = new Map();
      for (let j = 0; j < this.candidates.length; j++) this.byName.set(this.candidates[j].name, j);
    }
    const j = this.byName.get(name);
    return j === undefined ? 0 : this.rawScores[j];
  }

  clone(): PreScoreState {
    return this;
  }
}
