/**
 * Preemption, as kube-scheduler's DefaultPreemption plugin runs it
 * (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go and
 * pkg/scheduler/framework/preemption/preemption.go, Evaluator.Preempt):
 *
 *  1. Eligibility (PodEligibleToPreemptOthers): a pod with preemptionPolicy Never never preempts;
 *     a pod already nominated to a node where a lower-priority pod is terminating because of
 *     preemption waits (unless its nominated node is now UnschedulableAndUnresolvable).
 *  2. Candidates (findCandidates / DryRunPreemption): only nodes whose filter status was
 *     Unschedulable. Starting at a random offset, each node is dry-run on a copy of its NodeInfo
 *     and a clone of the cycle state until numCandidates = clamp(n × pct / 100, abs, n) candidates
 *     are found and at least one of them violates no PDB.
 *  3. Victims on a node (SelectVictimsOnNode): remove every lower-priority pod (PreFilter
 *     RemovePod extensions keep the state in step); if the pod still does not fit, the node is no
 *     candidate. Otherwise sort the removed pods by importance (higher priority, then earlier
 *     start) and add them back — PDB-violating ones first, then the rest — keeping each one that
 *     still lets the pod fit. Those left out are the victims.
 *  4. Choice (SelectCandidate / pickOneNodeForPreemption): no victims; fewest PDB violations;
 *     lowest highest-victim priority; smallest sum of (priority + MaxInt32 + 1); fewest victims;
 *     latest earliest start among the highest-priority victims; the first candidate.
 *  5. prepareCandidate: preempt each victim not already terminating (DisruptionTarget condition,
 *     graceful delete, "Preempted" event) and clear the nominations of lower-priority pods
 *     nominated to that node. The preemptor is then nominated to the node.
 *
 * simk runs the dry run sequentially (upstream runs it in parallel with 16 workers and cancels
 * once enough candidates are found; with parallelism 1, as upstream's deterministic tests use, the
 * results are the same). Candidates keep dry-run order, so ties end at the first one found.
 */
import type { Pod, PodDisruptionBudget } from "../api/objects.js";
import { matchesLabelSelector } from "../cluster/selectors.js";
import type { Rng } from "../engine/rng.js";
import {
  cloneNodeInfo,
  errorStatus,
  fitErrorText,
  nodeInfoAddPod,
  nodeInfoRemovePod,
  statusMessage,
  SUCCESS,
  type CycleState,
  type NodeInfo,
  type NodeToStatus,
  type PodInfo,
  type PostFilterHandle,
  type PostFilterOutput,
  type Status,
} from "./framework.js";

export const PREEMPTION_PLUGIN_NAME = "DefaultPreemption";

/** DefaultPreemptionArgs (pkg/scheduler/apis/config/types_pluginargs.go), defaults 10 % and 100. */
export interface DefaultPreemptionArgs {
  /** 0..100: the share of candidate nodes to dry-run. */
  minCandidateNodesPercentage: number;
  /** ≥ 0: the least number of candidate nodes to dry-run. */
  minCandidateNodesAbsolute: number;
}

export const DEFAULT_PREEMPTION_ARGS: Readonly<DefaultPreemptionArgs> = Object.freeze({
  minCandidateNodesPercentage: 10,
  minCandidateNodesAbsolute: 100,
});

/** A node the preemptor could be nominated to, with the pods that must go (most important first). */
export interface Candidate {
  name: string;
  victims: Pod[];
  numPDBViolations: number;
}

/** MaxInt32 + 1: victim priorities are shifted by it so that sums stay positive. */
const PRIORITY_SHIFT = 2_147_483_648;

export const NO_VICTIMS_MESSAGE = "No preemption victims found for incoming pod";
export const NOT_HELPFUL_MESSAGE = "Preemption is not helpful for scheduling";

export const podPriority = (pod: Pod): number => pod.spec.priority ?? 0;

/** util.GetPodStartTime: status.startTime, or now for a pod that has not started. */
export const podStartTime = (pod: Pod, now: number): number => pod.status.startTime ?? now;

/** util.MoreImportantPod: higher priority first; equal priority: the earlier start time. */
export function moreImportantPod(a: Pod, b: Pod, now: number): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a, now) < podStartTime(b, now);
}

/** A stable sort by importance, most important first. */
function sortByImportance<T>(items: T[], pod: (t: T) => Pod, now: number): void {
  items.sort((x, y) => (moreImportantPod(pod(x), pod(y), now) ? -1 : moreImportantPod(pod(y), pod(x), now) ? 1 : 0));
}

/** calculateNumCandidates: n × pct / 100 (integer), at least the absolute minimum, at most n. */
export function calculateNumCandidates(numNodes: number, args: DefaultPreemptionArgs): number {
  let n = Math.trunc((numNodes * args.minCandidateNodesPercentage) / 100);
  if (n < args.minCandidateNodesAbsolute) n = args.minCandidateNodesAbsolute;
  if (n > numNodes) n = numNodes;
  return n;
}

/** GetOffsetAndNumCandidates: a uniform offset in [0, n) from the seeded stream, and the count. */
export function getOffsetAndNumCandidates(numNodes: number, args: DefaultPreemptionArgs, rng: Rng): { offset: number; numCandidates: number } {
  return { offset: rng.int(numNodes), numCandidates: calculateNumCandidates(numNodes, args) };
}

/** podTerminatingByPreemption: deleting, with DisruptionTarget=True reason PreemptionByScheduler. */
export function podTerminatingByPreemption(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp === undefined) return false;
  const c = pod.status.conditions?.find((x) => x.type === "DisruptionTarget");
  return c !== undefined && c.status === "True" && c.reason === "PreemptionByScheduler";
}

/** PodEligibleToPreemptOthers. `statuses` are the filter statuses of this cycle. */
export function podEligibleToPreemptOthers(pod: Pod, statuses: NodeToStatus, handle: Pick<PostFilterHandle, "nodeInfo">): { eligible: boolean; message: string } {
  if (pod.spec.preemptionPolicy === "Never") return { eligible: false, message: "not eligible due to preemptionPolicy=Never." };
  const nominated = pod.status.nominatedNodeName;
  if (nominated) {
    // A node missing from the statuses counts as UnschedulableAndUnresolvable.
    const code = statuses.get(nominated)?.code ?? "UnschedulableAndUnresolvable";
    if (code === "UnschedulableAndUnresolvable") return { eligible: true, message: "" };
    const info = handle.nodeInfo(nominated);
    if (info) {
      for (const p of info.pods.values()) {
        if (podPriority(p.pod) < podPriority(pod) && podTerminatingByPreemption(p.pod)) {
          return { eligible: false, message: "not eligible due to a terminating pod on the nominated node." };
        }
      }
    }
  }
  return { eligible: true, message: "" };
}

/**
 * filterPodsWithPDBViolation: splits `pods` (order kept) into those whose removal takes some PDB
 * below zero allowed disruptions and the rest, consuming each matching PDB's budget in order. A
 * PDB in another namespace, or with a missing or empty selector, matches nothing; a pod without
 * labels matches none.
 */
export function filterPodsWithPDBViolation<T extends { pod: Pod }>(pods: readonly T[], pdbs: readonly PodDisruptionBudget[]): { violating: T[]; nonViolating: T[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: T[] = [];
  const nonViolating: T[] = [];
  for (const item of pods) {
    const pod = item.pod;
    let violated = false;
    const labels = pod.metadata.labels;
    if (labels && Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata.namespace ?? "default") !== (pod.metadata.namespace ?? "default")) return;
        const sel = pdb.spec.selector;
        const empty = !sel || ((!sel.matchLabels || Object.keys(sel.matchLabels).length === 0) && (!sel.matchExpressions || sel.matchExpressions.length === 0));
        if (empty || !matchesLabelSelector(sel, labels)) return;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(item);
  }
  return { violating, nonViolating };
}

export interface VictimSelection {
  victims: Pod[];
  numPDBViolations: number;
  status: Status;
}

/**
 * SelectVictimsOnNode on `nodeInfo` (a copy: it is changed) and `state` (a clone: it is changed).
 */
export function selectVictimsOnNode(
  handle: PostFilterHandle,
  state: CycleState,
  pod: PodInfo,
  nodeInfo: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
): VictimSelection {
  const prio = podPriority(pod.pod);
  const fail = (status: Status): VictimSelection => ({ victims: [], numPDBViolations: 0, status });
  const remove = (v: PodInfo): Status => {
    nodeInfoRemovePod(nodeInfo, v.pod.metadata.uid);
    return handle.runPreFilterExtensionRemovePod(state, pod, v, nodeInfo);
  };
  const add = (v: PodInfo): Status => {
    nodeInfoAddPod(nodeInfo, v);
    return handle.runPreFilterExtensionAddPod(state, pod, v, nodeInfo);
  };
  const potential = [...nodeInfo.pods.values()].filter((p) => podPriority(p.pod) < prio);
  for (const v of potential) {
    const s = remove(v);
    if (s.code !== "Success") return fail(s);
  }
  if (potential.length === 0) return fail({ code: "UnschedulableAndUnresolvable", reasons: [NO_VICTIMS_MESSAGE] });
  // Without every lower-priority pod the preemptor must fit; affinity to victims is not considered.
  const fits = handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
  if (fits.code !== "Success") return fail(fits);
  sortByImportance(potential, (p) => p.pod, handle.now);
  const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  // Reprieve: add the pod back and keep it if the preemptor still fits.
  const reprieve = (v: PodInfo): { fits: boolean; error?: Status } => {
    const a = add(v);
    if (a.code !== "Success") return { fits: false, error: a };
    const ok = handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo).code === "Success";
    if (!ok) {
      const r = remove(v);
      if (r.code !== "Success") return { fits: false, error: r };
      victims.push(v);
    }
    return { fits: ok };
  };
  for (const v of violating) {
    const r = reprieve(v);
    if (r.error) return fail(r.error);
    if (!r.fits) numPDBViolations++;
  }
  for (const v of nonViolating) {
    const r = reprieve(v);
    if (r.error) return fail(r.error);
  }
  if (violating.length > 0 && nonViolating.length > 0) sortByImportance(victims, (p) => p.pod, handle.now);
  return { victims: victims.map((v) => v.pod), numPDBViolations, status: SUCCESS };
}

export interface DryRunResult {
  /** Non-violating candidates first, then violating ones, each in dry-run order. */
  candidates: Candidate[];
  /** Statuses of the nodes that were dry-run and are no candidates. */
  statuses: Map<string, Status>;
  /** Messages of Error statuses. */
  errors: string[];
}

/** DryRunPreemption over `potentialNodes` from `offset`, sequentially (see the file comment). */
export function dryRunPreemption(
  handle: PostFilterHandle,
  state: CycleState,
  pod: PodInfo,
  potentialNodes: readonly NodeInfo[],
  pdbs: readonly PodDisruptionBudget[],
  offset: number,
  numCandidates: number,
): DryRunResult {
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const statuses = new Map<string, Status>();
  const errors: string[] = [];
  const n = potentialNodes.length;
  for (let i = 0; i < n; i++) {
    const nodeCopy = cloneNodeInfo(potentialNodes[(offset + i) % n]);
    const sel = selectVictimsOnNode(handle, state.clone(), pod, nodeCopy, pdbs);
    let status = sel.status;
    if (status.code === "Success" && sel.victims.length > 0) {
      const c: Candidate = { name: nodeCopy.name, victims: sel.victims, numPDBViolations: sel.numPDBViolations };
      // Each list holds at most numCandidates entries (upstream candidateList).
      const list = sel.numPDBViolations === 0 ? nonViolating : violating;
      if (list.length < numCandidates) list.push(c);
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
      continue;
    }
    if (status.code === "Success") status = errorStatus(PREEMPTION_PLUGIN_NAME, `expected at least one victim pod on node "${nodeCopy.name}"`);
    if (status.code === "Error") errors.push(statusMessage(status));
    statuses.set(nodeCopy.name, status);
  }
  return { candidates: [...nonViolating, ...violating], statuses, errors };
}

/** util.GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
export function earliestStartOfHighestPriorityVictims(victims: readonly Pod[], now: number): number {
  let maxPriority = podPriority(victims[0]);
  let earliest = podStartTime(victims[0], now);
  for (const v of victims) {
    const p = podPriority(v);
    if (p === maxPriority) earliest = Math.min(earliest, podStartTime(v, now));
    else if (p > maxPriority) {
      maxPriority = p;
      earliest = podStartTime(v, now);
    }
  }
  return earliest;
}

/**
 * pickOneNodeForPreemption, in candidate order. Victims are expected most important first (so
 * victims[0] has the highest priority). Each criterion keeps the best-scoring candidates; the
 * first criterion that leaves one decides.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[], now: number): string | undefined {
  if (candidates.length === 0) return undefined;
  // 1. A node needing no victims at all (older upstream returned it at once).
  const free = candidates.find((c) => c.victims.length === 0);
  if (free) return free.name;
  const scoreFuncs: ((c: Candidate) => number)[] = [
    // 2. Fewest PDB violations.
    (c) => -c.numPDBViolations,
    // 3. Lowest highest-victim priority.
    (c) => -podPriority(c.victims[0]),
    // 4. Smallest sum of shifted priorities.
    (c) => -c.victims.reduce((sum, v) => sum + podPriority(v) + PRIORITY_SHIFT, 0),
    // 5. Fewest victims.
    (c) => -c.victims.length,
    // 6. Latest earliest start time among the highest-priority victims.
    (c) => earliestStartOfHighestPriorityVictims(c.victims, now),
  ];
  let remaining = [...candidates];
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of remaining) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [c];
      } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0].name;
    remaining = selected;
  }
  // 7. The first remaining candidate.
  return remaining[0].name;
}

/** SelectCandidate. */
export function selectCandidate(candidates: readonly Candidate[], now: number): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0];
  const name = pickOneNodeForPreemption(candidates, now);
  return candidates.find((c) => c.name === name) ?? candidates[0];
}

/** utilerrors.NewAggregate's message. */
function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}

/**
 * Evaluator.Preempt (without the "preemption: " prefix DefaultPreemption.PostFilter adds).
 * Returns a result only when the nomination must change: the chosen node, or "" when no node can
 * be made to fit (that clears the pod's nomination).
 */
export function preempt(
  args: DefaultPreemptionArgs,
  handle: PostFilterHandle,
  state: CycleState,
  pod: PodInfo,
  statuses: NodeToStatus,
  pluginName = PREEMPTION_PLUGIN_NAME,
): PostFilterOutput {
  const eligibility = podEligibleToPreemptOthers(pod.pod, statuses, handle);
  if (!eligibility.eligible) return { status: { code: "Unschedulable", reasons: [eligibility.message], plugin: pluginName } };

  const allNodes = handle.nodes;
  if (allNodes.length === 0) return { status: errorStatus(pluginName, "no nodes available") };
  const potential = allNodes.filter((n) => statuses.get(n.name)?.code === "Unschedulable");
  let dry: DryRunResult = { candidates: [], statuses: new Map(), errors: [] };
  if (potential.length > 0) {
    const pdbs = handle.podDisruptionBudgets();
    const { offset, numCandidates } = getOffsetAndNumCandidates(potential.length, args, handle.rng);
    dry = dryRunPreemption(handle, state, pod, potential, pdbs, offset, numCandidates);
    if (dry.errors.length > 0 && dry.candidates.length === 0) return { status: errorStatus(pluginName, aggregate(dry.errors)) };
  }
  if (dry.candidates.length === 0) {
    const message = fitErrorText(allNodes.length, dry.statuses, { absentReasons: [NOT_HELPFUL_MESSAGE] });
    return { result: { nominatedNodeName: "" }, status: { code: "Unschedulable", reasons: [message], plugin: pluginName } };
  }

  const best = selectCandidate(dry.candidates, handle.now);
  if (!best || !best.name) return { status: { code: "Unschedulable", reasons: ["no candidate node for preemption"], plugin: pluginName } };

  // prepareCandidate: victims already terminating need no further API call.
  for (const victim of best.victims) {
    if (victim.metadata.deletionTimestamp !== undefined) continue;
    const s = handle.preemptPod(pod.pod, victim, best.name, pluginName);
    if (s.code !== "Success") return { status: s.plugin ? s : { ...s, plugin: pluginName } };
  }
  const prio = podPriority(pod.pod);
  const lower = handle
    .nominatedPodsForNode(best.name)
    .filter((p) => podPriority(p.pod) < prio)
    .map((p) => p.pod);
  if (lower.length > 0) handle.clearNominatedNodeName(lower);
  return { result: { nominatedNodeName: best.name, victims: best.victims }, status: SUCCESS };
}
