/**
 * PodTopologySpread's hard constraints (upstream podtopologyspread/filtering.go): the PreFilter
 * state — per constraint, the matching-pod count of every eligible topology domain and its two
 * "critical paths" (smallest counts) — and the Filter and PreFilterExtensions that use it.
 */
import type { StateData } from "../../../sim/scheduler/framework.js";
import type { Constraint } from "./common.js";

export const PRE_FILTER_STATE_KEY = "PreFilterPodTopologySpread";

const MAX_INT32 = 2147483647;

/**
 * The two topology values with (about) the fewest matching pods (filtering.go criticalPaths).
 * `minNum` is always the minimum; the second slot is ≥ it but not necessarily the second minimum.
 * Two slots suffice because preemption only adds/removes pods on one node per state copy.
 */
export class CriticalPaths {
  value0 = "";
  num0 = MAX_INT32;
  value1 = "";
  num1 = MAX_INT32;

  get minNum(): number {
    return this.num0;
  }

  copy(): CriticalPaths {
    const c = new CriticalPaths();
    c.value0 = this.value0;
    c.num0 = this.num0;
    c.value1 = this.value1;
    c.num1 = this.num1;
    return c;
  }

  /** Records that `value` now has `num` matching pods (same rules as upstream criticalPaths.update). */
  update(value: string, num: number): void {
    if (value === this.value0 || value === this.value1) {
      if (value === this.value0) this.num0 = num;
      else this.num1 = num;
      if (this.num0 > this.num1) {
        const v = this.value0;
        const n = this.num0;
        this.value0 = this.value1;
        this.num0 = this.num1;
        this.value1 = v;
        this.num1 = n;
      }
    } else if (num < this.num0) {
      this.value1 = this.value0;
      this.num1 = this.num0;
      this.value0 = value;
      this.num0 = num;
    } else if (num < this.num1) {
      this.value1 = value;
      this.num1 = num;
    }
  }
}

/** Computed in PreFilter, read by Filter, changed by AddPod/RemovePod on clones (preemption). */
export class PreFilterState implements StateData {
  constructor(
    /** The DoNotSchedule constraints (shared between clones: they never change). */
    readonly constraints: readonly Constraint[],
    /** Per constraint: whether the incoming pod matches its selector (shared). */
    readonly selfMatch: readonly boolean[],
    /** Per constraint: topology value → matching pods, over eligible nodes. */
    readonly counts: Map<string, number>[],
    /** Per constraint: the critical paths. */
    readonly paths: CriticalPaths[],
  ) {}

  /** The global minimum for the skew, 0 when there are fewer domains than minDomains (filtering.go minMatchNum). */
  minMatchNum(i: number): number {
    return this.counts[i].size < this.constraints[i].minDomains ? 0 : this.paths[i].minNum;
  }

  /** Adds `delta` matching pods to `value` of constraint i and updates its critical paths. */
  add(i: number, value: string, delta: number): void {
    const m = this.counts[i];
    const n = (m.get(value) ?? 0) + delta;
    m.set(value, n);
    this.paths[i].update(value, n);
  }

  clone(): PreFilterState {
    return new PreFilterState(
      this.constraints,
      this.selfMatch,
      this.counts.map((m) => new Map(m)),
      this.paths.map((p) => p.copy()),
    );
  }
}
