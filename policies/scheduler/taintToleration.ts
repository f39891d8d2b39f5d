/**
 * TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go).
 *
 * Filter: the first of the node's NoSchedule / NoExecute taints (in node order) that none of the
 * pod's tolerations tolerates makes the node UnschedulableAndUnresolvable, with the reason
 * "node(s) had untolerated taint {<key>: <value>}". PreferNoSchedule taints never filter.
 *
 * PreScore keeps the pod's tolerations whose effect is empty (= every effect) or PreferNoSchedule;
 * Score counts the node's PreferNoSchedule taints that none of those tolerates; NormalizeScore is
 * DefaultNormalizeScore(100, reverse) so the node with the fewest such taints gets 100.
 *
 * Toleration matching is sim/cluster/selectors.ts toleratesTaint (core/v1 toleration.go).
 */
import type { Taint, Toleration } from "../../sim/api/objects.js";
import { toleratesAny } from "../../sim/cluster/selectors.js";
import type {
  CycleState,
  FilterPlugin,
  FrameworkHandle,
  NodeInfo,
  PodInfo,
  PreScorePlugin,
  ScorePlugin,
  StateData,
  Status,
} from "../../sim/scheduler/framework.js";
import { MAX_NODE_SCORE, SUCCESS, unresolvable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import { defaultNormalizeScore } from "./normalize.js";

export const NAME = "TaintToleration";
const PRE_SCORE_KEY = "PreScore" + NAME;

/** The Filter reason for an untolerated taint, as upstream formats it (`{%s: %s}`). */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
}

/** The first NoSchedule/NoExecute taint no toleration tolerates, or undefined. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  if (!taints) return undefined;
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
    if (!toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}

/** Tolerations whose effect is empty or PreferNoSchedule (getAllTolerationPreferNoSchedule). */
export function preferNoScheduleTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  const out: Toleration[] = [];
  if (!tolerations) return out;
  for (const t of tolerations) if (!t.effect || t.effect === "PreferNoSchedule") out.push(t);
  return out;
}

/** Number of PreferNoSchedule taints that the given tolerations do not tolerate. */
export function countIntolerablePreferNoSchedule(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[]): number {
  if (!taints) return 0;
  let n = 0;
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (taint.effect !== "PreferNoSchedule") continue;
    if (!toleratesAny(tolerations, taint)) n++;
  }
  return n;
}

class PreScoreState implements StateData {
  constructor(readonly tolerations: readonly Toleration[]) {}
  /** Not affected by adding or removing pods: shared, as upstream. */
  clone(): StateData {
    return this;
  }
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    // Most nodes have no taints: decided without reading the pod (whose spec objects come in
    // many shapes, so each read of them is a slow, megamorphic property load).
    const taints = node.taints;
    if (!taints || taints.length === 0) return SUCCESS;
    const taint = findUntoleratedTaint(taints, pod.pod.spec.tolerations);
    return taint ? unresolvable(NAME, untoleratedTaintReason(taint)) : SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], _handle: FrameworkHandle): Status {
    state.write(PRE_SCORE_KEY, new PreScoreState(preferNoScheduleTolerations(pod.pod.spec.tolerations)));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    // Upstream errors without PreScore state; computing it here keeps Score usable on its own.
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    const tolerations = s ? s.tolerations : preferNoScheduleTolerations(pod.pod.spec.tolerations);
    return countIntolerablePreferNoSchedule(node.taints, tolerations);
  }

  /** `score` for every node, the tolerations read from the state once. */
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    const tolerations = s ? s.tolerations : preferNoScheduleTolerations(pod.pod.spec.tolerations);
    for (let i = 0; i < nodes.length; i++) scores[i] = countIntolerablePreferNoSchedule(nodes[i].taints, tolerations);
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}

export const taintTolerationFactory: PluginFactory = {
  name: NAME,
  create: () => new TaintToleration(),
};
