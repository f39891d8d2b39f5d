/**
 * kube-scheduler in virtual time (pkg/scheduler/schedule_one.go).
 *
 * One pod at a time: pop from the queue, spend `attemptLatency` deciding, then run the profile's
 * PreFilter and Filter plugins over the nodes (starting at a rotating index and stopping once
 * numFeasibleNodesToFind feasible nodes are found), PreScore and Score the feasible ones, normalise,
 * weight and sum, and pick the highest total (ties broken uniformly with the seeded RNG). The pod
 * is assumed on the node at once and bound `bindLatency` later by writing `spec.nodeName`.
 *
 * Nominated pods (pods waiting for preemption victims to leave) count on their node when a pod
 * of equal or lower priority is filtered there: the filters run once with them added and once
 * without, and the node must pass both (framework/runtime/framework.go
 * RunFilterPluginsWithNominatedPods). A pod's own nominated node is tried first
 * (schedule_one.go evaluateNominatedNode). When no node fits, the profile's PostFilter plugins
 * (DefaultPreemption) run; their message is appended to FailedScheduling and their nomination is
 * written to the pod's status.
 */
import type { Deployment, LabelSelector, Node, Pod, PodCondition, PodDisruptionBudget, ReplicaSet, Service } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { pdbStatus, workloadScaleLookup } from "../cluster/disruption.js";
import { podRequests } from "../cluster/resources.js";
import { matchesLabelSelector, matchesMapSelector } from "../cluster/selectors.js";
import { Priority } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import type { SchedulerSettings } from "../scenario/types.js";
import { SchedulerCache } from "./cache.js";
import {
  cloneNodeInfo,
  CycleState,
  errorStatus,
  fitErrorText,
  nodeInfoAddPod,
  statusMessage,
  SUCCESS,
  type FilterPlugin,
  type FrameworkHandle,
  type NodeInfo,
  type NodeInfoEvents,
  type NodeToStatus,
  type PodInfo,
  type PostFilterHandle,
  type PostFilterOutput,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type SchedulerClient,
  type Status,
} from "./framework.js";
import { Nominator, type NominatingInfo } from "./nominator.js";
import { podPriority, SchedulingQueue } from "./queue.js";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** A scheduling profile: which plugins run at each extension point. */
export interface Profile {
  schedulerName: string;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  /** PostFilter plugins (DefaultPreemption), run in order when no node is feasible. */
  postFilter?: PostFilterPlugin[];
  /** 0 = adaptive (upstream default). */
  percentageOfNodesToScore?: number;
}

export interface SchedulerConfig {
  profiles: Profile[];
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
}

/** Per node: each filter's status and each score plugin's raw, normalised and weighted score. */
export interface NodeDecision {
  name: string;
  filters: { plugin: string; status: Status["code"]; reasons: string[] }[];
  feasible: boolean;
  scores: { plugin: string; raw: number; normalized: number; weight: number; weighted: number }[];
  total: number;
}

export interface ScheduleResult {
  /** The chosen node, or undefined when none is feasible. */
  node?: string;
  /** Non-success filter statuses by node (for FailedScheduling and preemption). */
  failures: Map<string, Status>;
  evaluatedNodes: number;
  feasibleNodes: number;
  /** Only filled when decisions are recorded. */
  decisions?: NodeDecision[];
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterStatus?: Status;
  /** The cycle state after filtering (PostFilter / preemption continue from it). */
  state: CycleState;
}

/** What the framework handle needs from the scheduler's informers beyond nodes and pods. */
export interface ClusterLookups {
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  workloadSelectors(pod: Pod): LabelSelector[];
  /** Pods nominated to a node (the scheduler's nominator); none if omitted. */
  nominatedPodsForNode?(nodeName: string): readonly PodInfo[];
  /**
   * How many pods are nominated anywhere; when 0 the filters skip the per-node nominated-pods
   * lookup for the whole cycle. Without it, nominatedPodsForNode is asked for every node.
   */
  nominatedPodCount?(): number;
  /** The change notifications of the cache the nodes come from (FrameworkHandle.cacheEvents). */
  cacheEvents?: NodeInfoEvents;
  /** The node named `name` among the nodes scheduled over (the cache's own index); else one is built from the list. */
  nodeInfo?(name: string): NodeInfo | undefined;
}

const NO_LOOKUPS: ClusterLookups = { namespaceLabels: () => undefined, workloadSelectors: () => [] };

/** A name → NodeInfo lookup over a node list (built once per list). */
function nodeLookup(nodes: readonly NodeInfo[]): (name: string) => NodeInfo | undefined {
  let index: Map<string, NodeInfo> | undefined;
  return (name) => {
    index ??= new Map(nodes.map((n) => [n.name, n]));
    return index.get(name);
  };
}

/** `filters` in order on one node; the first non-success status decides (named after its plugin). */
function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  for (let i = 0; i < filters.length; i++) {
    const s = filters[i].filter(state, pod, node);
    if (s !== SUCCESS && s.code !== "Success") return s.plugin ? s : { ...s, plugin: filters[i].name };
  }
  return SUCCESS;
}

/**
 * numFeasibleNodesToFind (schedule_one.go): all nodes below 100; otherwise pct of them, where the
 * adaptive pct is 50 − n/125 with a floor of 5, and at least 100 nodes.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  const minFeasibleNodesToFind = 100;
  const minFeasibleNodesPercentageToFind = 5;
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentage;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

/**
 * The framework run for one pod over a set of nodes: pure with respect to the cluster, except
 * for PostFilter, whose plugins act through the SchedulerClient they are given.
 */
export class FrameworkRunner {
  private nextStartNodeIndex = 0;
  /** The score phase's per-node totals, reused across cycles (the runner is single-threaded). */
  private totals = new Float64Array(64);
  /** The feasible nodes of the current cycle. */
  private readonly feasible: NodeInfo[] = [];
  /** One plugin's scores at a time, reused across plugins and cycles. */
  private readonly scores: number[] = [];
  /** activeFilters' last answer: for this state, profile and number of skipped plugins. */
  private readonly filtersMemo: { state?: CycleState; profile?: Profile; skipped: number; filters: readonly FilterPlugin[] } = { skipped: 0, filters: [] };

  /** frameworkHandle's last answer (its `now` is updated in place). */
  private lastHandle?: { nodes: readonly NodeInfo[]; lookups: ClusterLookups; handle: FrameworkHandle & { now: number } };

  constructor(private readonly rng: Rng, private readonly globalPercentage: number) {}

  /** The index filtering starts at next cycle (upstream sched.nextStartNodeIndex). */
  get startIndex(): number {
    return this.nextStartNodeIndex;
  }

  /**
   * The handle for `nodes` at `now`. With lookups that find nodes by name (the scheduler's cache)
   * the last handle is reused while the node list and lookups stay the same; otherwise a name index
   * over `nodes` is built on first use in the cycle.
   */
  private frameworkHandle(nodes: readonly NodeInfo[], now: number, lookups: ClusterLookups): FrameworkHandle {
    const last = this.lastHandle;
    // Reused only when the lookups answer names themselves: an index over `nodes` could go stale.
    if (last !== undefined && last.nodes === nodes && last.lookups === lookups && lookups.nodeInfo !== undefined) {
      last.handle.now = now;
      return last.handle;
    }
    const handle = {
      nodes,
      nodeInfo: lookups.nodeInfo ?? nodeLookup(nodes),
      namespaceLabels: lookups.namespaceLabels,
      workloadSelectors: lookups.workloadSelectors,
      rng: this.rng,
      now,
      cacheEvents: lookups.cacheEvents,
    };
    this.lastHandle = { nodes, lookups, handle };
    return handle;
  }

  schedule(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], now: number, record = false, lookups: ClusterLookups = NO_LOOKUPS): ScheduleResult {
    const state = new CycleState();
    const handle = this.frameworkHandle(nodes, now, lookups);
    const failures = new Map<string, Status>();
    const decisions: NodeDecision[] | undefined = record ? [] : undefined;
    // RunPreFilterPlugins (framework/runtime/framework.go): Skip drops the plugin's Filter;
    // UnschedulableAndUnresolvable (or an error) ends the cycle at once; Unschedulable is kept
    // while the remaining PreFilters still run, so that preemption gets a complete state.
    let allowed: ReadonlySet<string> | undefined;
    // Plugins whose PreFilter narrowed the nodes (rare: created when one does).
    let pluginsWithNodes: Set<string> | undefined;
    let rejected: Status | undefined;
    const rejectAll = (status: Status): ScheduleResult => {
      for (const n of nodes) failures.set(n.name, status);
      return { failures, evaluatedNodes: nodes.length, feasibleNodes: 0, decisions, preFilterStatus: status, state };
    };
    for (const p of profile.preFilter) {
      const r = p.preFilter(state, pod, handle);
      const s = r.status;
      if (s.code === "Skip") {
        state.skipFilter.add(p.name);
        continue;
      }
      if (s.code !== "Success") {
        const status = s.plugin ? s : { ...s, plugin: p.name };
        if (s.code === "Unschedulable") {
          rejected ??= status;
          continue;
        }
        return rejectAll(status);
      }
      if (r.nodeNames) {
        (pluginsWithNodes ??= new Set()).add(p.name);
        allowed = allowed ? new Set([...allowed].filter((n) => r.nodeNames!.has(n))) : r.nodeNames;
        if (allowed.size === 0) {
          const names = [...pluginsWithNodes].sort();
          const msg = names.length === 1 ? `node(s) didn't satisfy plugin ${names[0]}` : `node(s) didn't satisfy plugin(s) [${names.join(" ")}] simultaneously`;
          return rejectAll({ code: "UnschedulableAndUnresolvable", reasons: [msg], plugin: names[0] });
        }
      }
    }
    if (rejected) return rejectAll(rejected);
    const filterNode = (node: NodeInfo): { status: Status; decision?: NodeDecision } => {
      const trace: NodeDecision["filters"] | undefined = decisions ? [] : undefined;
      const status = this.runFilterPluginsWithNominatedPods(profile, state, pod, node, lookups, trace);
      const decision: NodeDecision | undefined = trace ? { name: node.name, filters: trace, feasible: status.code === "Success", scores: [], total: 0 } : undefined;
      return { status, decision };
    };

    // A nominated node (set by an earlier preemption) is likely the only one that fits: try it first.
    const nominated = pod.pod.status.nominatedNodeName;
    const nominatedInfo = nominated ? handle.nodeInfo(nominated) : undefined;
    if (nominatedInfo) {
      const { status, decision } = filterNode(nominatedInfo);
      if (status.code === "Success") {
        if (decision) decisions!.push(decision);
        return { node: nominatedInfo.name, failures, evaluatedNodes: 1, feasibleNodes: 1, decisions, state };
      }
      failures.set(nominatedInfo.name, status);
    }

    // Nodes a PreFilter result rules out are not filtered; they fail with the plugins' names.
    let candidates = nodes;
    if (allowed && pluginsWithNodes) {
      const ok = allowed;
      candidates = nodes.filter((n) => ok.has(n.name));
      const status: Status = {
        code: "UnschedulableAndUnresolvable",
        reasons: [`node(s) didn't satisfy plugin(s) [${[...pluginsWithNodes].sort().join(" ")}]`],
        plugin: [...pluginsWithNodes].sort()[0],
      };
      for (const n of nodes) {
        // A nominated node that already failed keeps its own status (upstream: an explicit status).
        if (ok.has(n.name) || failures.has(n.name)) continue;
        failures.set(n.name, status);
        decisions?.push({ name: n.name, filters: [], feasible: false, scores: [], total: 0 });
      }
    }
    const total = nodes.length;
    const count = candidates.length;
    const want = record ? count : numFeasibleNodesToFind(count, profile.percentageOfNodesToScore ?? this.globalPercentage);
    // Reused across cycles (schedule is not re-entered) and overwritten in place: growing a fresh
    // (or emptied) array node by node reallocates its backing store about ten times a cycle.
    const feasible = this.feasible;
    let feasibleCount = 0;
    let processed = 0;
    let next = count === 0 ? 0 : this.nextStartNodeIndex % count;
    let nominatedInWindow = false;
    // Hoisted out of the per-node loop: the filters not skipped this cycle, and whether the
    // cluster can have nominated pods at all (without, the nominated-pods pass is a no-op).
    const filters = this.activeFilters(profile, state);
    const withNominated = lookups.nominatedPodsForNode !== undefined && (lookups.nominatedPodCount?.() ?? 1) > 0;
    // The hot loop: one pass of the filters per node, no allocation per node (unless recording).
    for (let i = 0; i < count && feasibleCount < want; i++) {
      const node = candidates[next];
      if (++next === count) next = 0;
      processed++;
      if (node === nominatedInfo) nominatedInWindow = true;
      let status: Status;
      if (decisions) {
        const r = filterNode(node);
        status = r.status;
        decisions.push(r.decision!);
      } else if (!withNominated) {
        status = runFilters(filters, state, pod, node);
      } else {
        status = this.runFilterPluginsWithNominatedPods(profile, state, pod, node, lookups);
      }
      if (status.code !== "Success") failures.set(node.name, status);
      else {
        // Only the nominated node, tried first, can have a failure recorded already.
        if (node === nominatedInfo) failures.delete(node.name);
        feasible[feasibleCount++] = node;
      }
    }
    feasible.length = feasibleCount;
    // The nominated node counts as processed if it failed outside the window (its status stays).
    // (upstream counts feasible nodes plus explicit statuses, which include the nominated node's).
    if (nominatedInfo && !nominatedInWindow) processed++;
    if (total > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % total;
    const result: ScheduleResult = { failures, evaluatedNodes: processed, feasibleNodes: feasible.length, decisions, state };
    if (feasible.length === 0) return result;
    if (feasible.length === 1 && !record) {
      result.node = feasible[0].name;
      return result;
    }
    const totals = this.scoreNodes(profile, state, pod, feasible, handle, decisions);
    result.node = feasible[this.selectHost(totals, feasible.length)].name;
    return result;
  }

  /** RunFilterPlugins: the profile's filters in order; the first non-success status decides. */
  runFilterPlugins(profile: Profile, state: CycleState, pod: PodInfo, node: NodeInfo, trace?: NodeDecision["filters"]): Status {
    const filters = this.activeFilters(profile, state);
    if (!trace) return runFilters(filters, state, pod, node);
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i];
      const s = f.filter(state, pod, node);
      trace.push({ plugin: f.name, status: s.code, reasons: [...s.reasons] });
      if (s.code !== "Success") return s.plugin ? s : { ...s, plugin: f.name };
    }
    return SUCCESS;
  }

  /**
   * The profile's Filter plugins whose PreFilter did not return Skip for `state`: worked out once
   * per cycle (and state copy) instead of once per node.
   */
  private activeFilters(profile: Profile, state: CycleState): readonly FilterPlugin[] {
    const skip = state.skipFilter;
    if (skip.size === 0) return profile.filter;
    const memo = this.filtersMemo;
    if (memo.state !== state || memo.profile !== profile || memo.skipped !== skip.size) {
      memo.state = state;
      memo.profile = profile;
      memo.skipped = skip.size;
      memo.filters = profile.filter.filter((f) => !skip.has(f.name));
    }
    return memo.filters;
  }

  /**
   * RunFilterPluginsWithNominatedPods: if pods of equal or higher priority are nominated to the
   * node, the filters run first with them added (to a NodeInfo copy and a cloned state, through
   * the PreFilter AddPod extensions) and, if that passes, again without them — resources and
   * anti-affinity may fail only with them, affinity only without. Both must pass. `trace` gets the
   * filter calls of the run whose status is returned.
   */
  runFilterPluginsWithNominatedPods(
    profile: Profile,
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    lookups: ClusterLookups = NO_LOOKUPS,
    trace?: NodeDecision["filters"],
  ): Status {
    const nominated = lookups.nominatedPodsForNode?.(node.name);
    let added = false;
    let stateToUse = state;
    let nodeToUse = node;
    if (nominated !== undefined && nominated.length > 0) {
      const prio = podPriority(pod.pod);
      let nodeOut: NodeInfo | undefined;
      let stateOut: CycleState | undefined;
      for (const np of nominated) {
        if (podPriority(np.pod) < prio || np.pod.metadata.uid === pod.pod.metadata.uid) continue;
        nodeOut ??= cloneNodeInfo(node);
        stateOut ??= state.clone();
        nodeInfoAddPod(nodeOut, np);
        const s = this.runPreFilterExtensionAddPod(profile, stateOut, pod, np, nodeOut);
        if (s.code !== "Success") return s;
        added = true;
      }
      if (added) {
        stateToUse = stateOut!;
        nodeToUse = nodeOut!;
      }
    }
    const first: NodeDecision["filters"] | undefined = trace ? [] : undefined;
    const status = this.runFilterPlugins(profile, stateToUse, pod, nodeToUse, first);
    if (!added || status.code !== "Success") {
      if (trace && first) trace.push(...first);
      return status;
    }
    return this.runFilterPlugins(profile, state, pod, node, trace);
  }

  /** RunPreFilterExtensionAddPod: each PreFilter plugin not skipped this cycle updates `state`. */
  runPreFilterExtensionAddPod(profile: Profile, state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    for (const p of profile.preFilter) {
      if (!p.addPod || state.skipFilter.has(p.name)) continue;
      const s = p.addPod(state, pod, added, node);
      if (s.code !== "Success") return errorStatus(p.name, `running AddPod on PreFilter plugin "${p.name}": ${statusMessage(s)}`);
    }
    return SUCCESS;
  }

  /** RunPreFilterExtensionRemovePod. */
  runPreFilterExtensionRemovePod(profile: Profile, state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    for (const p of profile.preFilter) {
      if (!p.removePod || state.skipFilter.has(p.name)) continue;
      const s = p.removePod(state, pod, removed, node);
      if (s.code !== "Success") return errorStatus(p.name, `running RemovePod on PreFilter plugin "${p.name}": ${statusMessage(s)}`);
    }
    return SUCCESS;
  }

  /** The handle PostFilter plugins get: the framework's runners bound to `profile`, and `client`. */
  postFilterHandle(profile: Profile, nodes: readonly NodeInfo[], now: number, lookups: ClusterLookups, client: SchedulerClient): PostFilterHandle {
    return {
      ...this.frameworkHandle(nodes, now, lookups),
      nominatedPodsForNode: (name) => lookups.nominatedPodsForNode?.(name) ?? [],
      runPreFilterExtensionAddPod: (state, pod, added, node) => this.runPreFilterExtensionAddPod(profile, state, pod, added, node),
      runPreFilterExtensionRemovePod: (state, pod, removed, node) => this.runPreFilterExtensionRemovePod(profile, state, pod, removed, node),
      runFilterPluginsWithNominatedPods: (state, pod, node) => this.runFilterPluginsWithNominatedPods(profile, state, pod, node, lookups),
      preemptPod: (preemptor, victim, nodeName, plugin) => client.preemptPod(preemptor, victim, nodeName, plugin),
      clearNominatedNodeName: (pods) => client.clearNominatedNodeName(pods),
      podDisruptionBudgets: () => client.podDisruptionBudgets(),
    };
  }

  /**
   * RunPostFilterPlugins: the first plugin to succeed (or to answer UnschedulableAndUnresolvable
   * or Error) decides; Unschedulable answers are combined and the last non-empty result kept.
   */
  postFilter(
    profile: Profile,
    state: CycleState,
    pod: PodInfo,
    statuses: NodeToStatus,
    nodes: readonly NodeInfo[],
    now: number,
    lookups: ClusterLookups,
    client: SchedulerClient,
  ): PostFilterOutput {
    const handle = this.postFilterHandle(profile, nodes, now, lookups, client);
    const reasons: string[] = [];
    let rejector: string | undefined;
    let result: PostFilterResult | undefined;
    for (const p of profile.postFilter ?? []) {
      const out = p.postFilter(state, pod, statuses, handle);
      const s = out.status;
      if (s.code === "Success") return out;
      if (s.code === "UnschedulableAndUnresolvable") return { result: out.result, status: { ...s, plugin: p.name } };
      if (s.code !== "Unschedulable") return { status: { code: "Error", reasons: [...s.reasons], plugin: p.name } };
      if (out.result) result = out.result;
      reasons.push(...s.reasons);
      rejector ??= p.name;
    }
    return { result, status: { code: "Unschedulable", reasons, plugin: rejector } };
  }

  private scoreNodes(
    profile: Profile,
    state: CycleState,
    pod: PodInfo,
    nodes: NodeInfo[],
    handle: FrameworkHandle,
    decisions: NodeDecision[] | undefined,
  ): Float64Array {
    if (this.totals.length < nodes.length) this.totals = new Float64Array(Math.max(nodes.length, 2 * this.totals.length));
    const totals = this.totals.fill(0, 0, nodes.length);
    const skipped = state.skipScore;
    for (const p of profile.preScore) {
      const s = p.preScore(state, pod, nodes, handle);
      if (s.code === "Skip") skipped.add(p.name);
    }
    const byName = decisions ? new Map(decisions.map((d) => [d.name, d])) : undefined;
    for (const { plugin, weight } of profile.score) {
      if (skipped.size > 0 && skipped.has(plugin.name)) continue;
      const scores = this.scores;
      scores.length = nodes.length;
      if (plugin.scoreAll) plugin.scoreAll(state, pod, nodes, scores);
      else for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]);
      const raw = byName ? [...scores] : undefined;
      plugin.normalizeScore?.(state, pod, nodes, scores);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i] * weight;
      if (byName) {
        for (let i = 0; i < nodes.length; i++) {
          byName.get(nodes[i].name)!.scores.push({ plugin: plugin.name, raw: raw![i], normalized: scores[i], weight, weighted: scores[i] * weight });
        }
      }
    }
    if (byName) nodes.forEach((n, i) => (byName.get(n.name)!.total = totals[i]));
    return totals;
  }

  /** Highest of the first `n` totals wins; ties are broken uniformly at random (reservoir sampling, seeded). */
  private selectHost(totals: Float64Array, n: number): number {
    let best = 0;
    let bestTotal = totals[0];
    let ties = 1;
    for (let i = 1; i < n; i++) {
      const t = totals[i];
      if (t > bestTotal) {
        best = i;
        bestTotal = t;
        ties = 1;
      } else if (t === bestTotal) {
        ties++;
        if (this.rng.int(ties) === 0) best = i;
      }
    }
    return best;
  }
}

/**
 * The upstream FailedScheduling message: "0/5 nodes are available: 2 Insufficient cpu, 3 node(s)
 * had untolerated taint {k: v}." — reasons counted over nodes and sorted (framework/types.go
 * FitError.Error). With a PreFilter rejection only its message is given; a PostFilter message
 * (preemption's) follows after a space, e.g. "0/5 nodes are available: 5 Insufficient cpu.
 * preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod."
 */
export function fitErrorMessage(numAllNodes: number, failures: Map<string, Status>, preFilterMessage?: string, postFilterMessage?: string): string {
  return fitErrorText(numAllNodes, failures, { preFilterMsg: preFilterMessage, postFilterMsg: postFilterMessage });
}

/** ErrNoNodesAvailable (schedule_one.go). */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

/** Key of workloadSelectors' cache for pods without labels. */
const NO_LABELS: object = Object.freeze({});

/** Whether two selectors (a Service's map or a ReplicaSet's LabelSelector) are the same. */
function sameSelector(a: object | undefined, b: object | undefined): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

const isTerminal = (pod: Pod): boolean => pod.status.phase === "Succeeded" || pod.status.phase === "Failed";

/** Node changes that can make an unschedulable pod schedulable (eventhandlers.go nodeSchedulingPropertiesChange). */
function schedulingPropertiesChanged(a: Node, b: Node): boolean {
  return (
    a.spec.unschedulable !== b.spec.unschedulable ||
    JSON.stringify(a.spec.taints ?? []) !== JSON.stringify(b.spec.taints ?? []) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    JSON.stringify(a.status.allocatable) !== JSON.stringify(b.status.allocatable)
  );
}

export interface DecisionRecord {
  time: number;
  pod: string;
  attempt: number;
  selected: string | null;
  nodes: NodeDecision[];
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly runner: FrameworkRunner;
  private readonly profiles = new Map<string, Profile>();
  private busy = false;
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly services = new Map<string, Service>();
  private readonly replicaSets = new Map<string, ReplicaSet>();
  private readonly deployments = new Map<string, Deployment>();
  private readonly pdbs = new Map<string, PodDisruptionBudget>();
  /**
   * workloadSelectors' answers by namespace and pod labels object (the pods of a ReplicaSet share
   * theirs), valid while no Service or ReplicaSet is added, removed or changes its selector.
   */
  private readonly workloadSelectorCache = new Map<string, WeakMap<object, LabelSelector[]>>();
  /** Every pod the scheduler's watch has seen and not seen deleted (PDB accounting). */
  private readonly pods = new Map<string, Pod>();
  /** Pods nominated to nodes by preemption (upstream: the scheduling queue's nominator). */
  readonly nominator = new Nominator();
  private readonly lookups: ClusterLookups = {
    namespaceLabels: (ns) => this.namespaceLabels.get(ns),
    workloadSelectors: (pod) => this.workloadSelectors(pod),
    nominatedPodsForNode: (node) => this.nominator.podsForNode(node),
    nominatedPodCount: () => this.nominator.size,
    nodeInfo: (name) => this.cache.nodeInfo(name),
    cacheEvents: this.cache,
  };
  /** The API calls PostFilter plugins make, on the store. */
  private readonly client: SchedulerClient = {
    preemptPod: (preemptor, victim, nodeName) => this.preemptPod(preemptor, victim, nodeName),
    clearNominatedNodeName: (pods) => this.clearNominatedNodeName(pods),
    podDisruptionBudgets: () => this.podDisruptionBudgets(),
  };
  /** Set to record every attempt's per-node decisions. */
  onDecision?: (record: DecisionRecord) => void;
  private active = true;

  constructor(private readonly ctx: SimContext, private readonly settings: SchedulerSettings, config: SchedulerConfig) {
    for (const p of config.profiles) this.profiles.set(p.schedulerName, p);
    this.queue = new SchedulingQueue({
      initialBackoff: config.podInitialBackoffSeconds * 1_000_000,
      maxBackoff: config.podMaxBackoffSeconds * 1_000_000,
      // pkg/scheduler/backend/queue: DefaultPodMaxInUnschedulablePodsDuration = 5 min.
      maxInUnschedulable: 300 * 1_000_000,
    });
    this.runner = new FrameworkRunner(ctx.rng.stream("scheduler"), config.percentageOfNodesToScore);
  }

  start(): void {
    const { store, engine } = this.ctx;
    store.watch("Namespace", (e) => {
      if (e.type === "DELETED") this.namespaceLabels.delete(e.object.metadata.name);
      else this.namespaceLabels.set(e.object.metadata.name, e.object.metadata.labels ?? {});
    });
    store.watch("Service", (e) => {
      const key = objectKey(e.object.metadata);
      if (e.type === "DELETED") this.services.delete(key);
      else this.services.set(key, e.object);
      if (e.type !== "MODIFIED" || !sameSelector(e.oldObject?.spec.selector, e.object.spec.selector)) this.workloadSelectorCache.clear();
    });
    store.watch("ReplicaSet", (e) => {
      const key = objectKey(e.object.metadata);
      if (e.type === "DELETED") this.replicaSets.delete(key);
      else this.replicaSets.set(key, e.object);
      if (e.type !== "MODIFIED" || !sameSelector(e.oldObject?.spec.selector, e.object.spec.selector)) this.workloadSelectorCache.clear();
    });
    store.watch("Deployment", (e) => {
      const key = objectKey(e.object.metadata);
      if (e.type === "DELETED") this.deployments.delete(key);
      else this.deployments.set(key, e.object);
    });
    store.watch("PodDisruptionBudget", (e) => {
      const key = objectKey(e.object.metadata);
      if (e.type === "DELETED") this.pdbs.delete(key);
      else this.pdbs.set(key, e.object);
    });
    store.watch("Node", (e) => {
      if (e.type === "DELETED") this.cache.removeNode(e.object.metadata.name);
      else this.cache.upsertNode(e.object);
      if (e.type === "ADDED" || (e.type === "MODIFIED" && e.oldObject && schedulingPropertiesChanged(e.oldObject, e.object))) {
        this.queue.moveAllToActiveOrBackoff(engine.now);
        this.kick();
      }
    });
    store.watch("Pod", (e) => {
      const pod = e.object;
      const deleted = e.type === "DELETED";
      if (deleted) this.pods.delete(pod.metadata.uid);
      else this.pods.set(pod.metadata.uid, pod);
      if (pod.spec.nodeName || deleted || isTerminal(pod)) {
        if (this.queue.has(pod.metadata.uid) && (deleted || pod.spec.nodeName)) this.queue.delete(pod.metadata.uid);
        this.nominator.delete(pod.metadata.uid);
        const wasCached = this.cache.hasPod(pod.metadata.uid);
        this.cache.onPod(pod, deleted);
        if (wasCached && !this.cache.hasPod(pod.metadata.uid)) {
          // Resources were freed: unschedulable pods may fit now.
          this.queue.moveAllToActiveOrBackoff(engine.now);
          this.kick();
        }
        return;
      }
      if (!this.profiles.has(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME)) return;
      if (pod.metadata.deletionTimestamp !== undefined) return;
      const info: PodInfo = { pod, key: objectKey(pod.metadata), requests: podRequests(pod.spec) };
      if (e.type === "ADDED") this.nominator.add(info);
      else this.nominator.update(e.oldObject, info);
      if (e.type === "ADDED") this.queue.add(pod, engine.now);
      else if (this.queue.has(pod.metadata.uid)) this.queue.update(pod);
      else if (!this.cache.hasPod(pod.metadata.uid)) this.queue.add(pod, engine.now);
      this.kick();
    });
    // Periodic queue flushes (scheduling_queue.go Run): backoffQ every 1 s, unschedulable every 30 s.
    const flushBackoff = (): void => {
      this.queue.flushBackoffCompleted(engine.now);
      this.kick();
      engine.after(1_000_000, flushBackoff, Priority.Late);
    };
    const flushLeftover = (): void => {
      this.queue.flushUnschedulableLeftover(engine.now);
      this.kick();
      engine.after(30_000_000, flushLeftover, Priority.Late);
    };
    engine.after(1_000_000, flushBackoff, Priority.Late);
    engine.after(30_000_000, flushLeftover, Priority.Late);
  }

  /** helper.DefaultSelector's inputs: selectors of Services and ReplicaSets selecting the pod. */
  private workloadSelectors(pod: Pod): LabelSelector[] {
    const labels = pod.metadata.labels;
    const nsKey = pod.metadata.namespace ?? "\u0000";
    let byLabels = this.workloadSelectorCache.get(nsKey);
    if (!byLabels) this.workloadSelectorCache.set(nsKey, (byLabels = new WeakMap()));
    const cacheKey = labels ?? NO_LABELS;
    let out = byLabels.get(cacheKey);
    if (!out) byLabels.set(cacheKey, (out = this.matchingWorkloadSelectors(pod.metadata.namespace, labels)));
    return out;
  }

  private matchingWorkloadSelectors(ns: string | undefined, labels: Record<string, string> | undefined): LabelSelector[] {
    const out: LabelSelector[] = [];
    for (const svc of this.services.values()) {
      if (svc.metadata.namespace === ns && matchesMapSelector(svc.spec.selector, labels)) out.push({ matchLabels: { ...svc.spec.selector } });
    }
    for (const rs of this.replicaSets.values()) {
      if (rs.metadata.namespace === ns && matchesLabelSelector(rs.spec.selector, labels)) out.push(rs.spec.selector);
    }
    return out;
  }

  /**
   * The PDBs with the status the disruption controller would give them, computed from the
   * scheduler's own view of pods (sim/cluster/disruption.ts).
   */
  private podDisruptionBudgets(): PodDisruptionBudget[] {
    if (this.pdbs.size === 0) return [];
    const lookup = workloadScaleLookup(
      (ns, name) => this.replicaSets.get(`${ns}/${name}`),
      (ns, name) => this.deployments.get(`${ns}/${name}`),
    );
    const pods = [...this.pods.values()];
    return [...this.pdbs.values()].map((pdb) => {
      const st = pdbStatus(pdb, pods, lookup);
      return {
        ...pdb,
        status: {
          ...pdb.status,
          expectedPods: st.expectedPods,
          currentHealthy: st.currentHealthy,
          desiredHealthy: st.desiredHealthy,
          disruptionsAllowed: st.disruptionsAllowed,
        },
      };
    });
  }

  /**
   * PreemptPod (preemption.go NewEvaluator): the DisruptionTarget condition, a graceful delete
   * and a "Preempted" event on the victim.
   */
  private preemptPod(preemptor: Pod, victim: Pod, nodeName: string): Status {
    const { store, engine, events } = this.ctx;
    const key = objectKey(victim.metadata);
    const uid = victim.metadata.uid;
    const condition: PodCondition = {
      type: "DisruptionTarget",
      status: "True",
      reason: "PreemptionByScheduler",
      message: `${preemptor.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME}: preempting to accommodate a higher priority pod`,
      lastTransitionTime: engine.now,
    };
    const patched = store.modify("Pod", key, (cur) => {
      if (cur.metadata.uid !== uid) return undefined;
      const old = cur.status.conditions?.find((c) => c.type === "DisruptionTarget");
      if (old && old.status === "True" && old.reason === condition.reason && old.message === condition.message) return undefined;
      const conditions = (cur.status.conditions ?? []).filter((c) => c.type !== "DisruptionTarget");
      conditions.push(condition);
      return { ...cur, status: { ...cur.status, conditions } };
    });
    if (!patched.ok) return patched.error.reason === "NotFound" ? SUCCESS : errorStatus("DefaultPreemption", patched.error.message);
    if (patched.object.metadata.uid !== uid) return SUCCESS;
    const deleted = store.delete("Pod", key, { uid });
    if (!deleted.ok) {
      if (deleted.error.reason === "NotFound" || deleted.error.reason === "Conflict") return SUCCESS;
      return errorStatus("DefaultPreemption", deleted.error.message);
    }
    events.record(victim, "Normal", "Preempted", `Preempted by pod ${preemptor.metadata.uid} on node ${nodeName}`, DEFAULT_SCHEDULER_NAME, nodeName);
    return SUCCESS;
  }

  /** clearNominatedNodeName: the nominator forgets them at once; the API write follows. */
  private clearNominatedNodeName(pods: readonly Pod[]): void {
    for (const p of pods) {
      this.nominator.delete(p.metadata.uid);
      this.ctx.store.modify("Pod", objectKey(p.metadata), (cur) => {
        if (cur.metadata.uid !== p.metadata.uid || !cur.status.nominatedNodeName) return undefined;
        const status = { ...cur.status };
        delete status.nominatedNodeName;
        return { ...cur, status };
      });
    }
  }

  /** Stops or resumes scheduling (leader election, component failure). */
  setActive(active: boolean): void {
    this.active = active;
    if (active) this.kick();
  }

  private kick(): void {
    if (this.busy || !this.active) return;
    const q = this.queue.pop(this.ctx.engine.now);
    if (!q) return;
    this.busy = true;
    const cycle = this.queue.schedulingCycle;
    this.ctx.engine.after(this.settings.attemptLatency, () => {
      this.attempt(q.pod, q.attempts, cycle, q.initialAttemptTimestamp ?? this.ctx.engine.now);
      this.busy = false;
      this.kick();
    });
  }

  private attempt(pod: Pod, attempts: number, cycle: number, firstAttempt: number): void {
    const { engine, stats, events, store } = this.ctx;
    const profile = this.profiles.get(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME)!;
    const info: PodInfo = { pod, key: objectKey(pod.metadata), requests: podRequests(pod.spec) };
    const nodes = this.cache.nodes;
    const record = this.onDecision !== undefined;
    const result = this.runner.schedule(profile, info, nodes, engine.now, record, this.lookups);
    stats.inc("scheduler.attempts");
    if (record) {
      this.onDecision!({
        time: engine.now / 1_000_000,
        pod: info.key,
        attempt: attempts,
        selected: result.node ?? null,
        nodes: result.decisions ?? [],
      });
    }
    if (!result.node) {
      stats.inc("scheduler.unschedulable");
      let message: string;
      // How the pod's nomination changes (schedule_one.go schedulingCycle): cleared when nothing
      // ran that could nominate, as the PostFilter result says, or kept (no result).
      let nominating: NominatingInfo | undefined = { mode: "Override", nominatedNodeName: "" };
      if (nodes.length === 0) {
        message = NO_NODES_AVAILABLE;
      } else {
        const preFilterMsg = result.preFilterStatus ? statusMessage(result.preFilterStatus) : undefined;
        let postFilterMsg: string | undefined;
        if ((profile.postFilter ?? []).length > 0) {
          const out = this.runner.postFilter(profile, result.state, info, result.failures, nodes, engine.now, this.lookups, this.client);
          postFilterMsg = statusMessage(out.status) || undefined;
          nominating = out.result ? { mode: "Override", nominatedNodeName: out.result.nominatedNodeName } : undefined;
          if (out.status.code === "Success" && out.result?.nominatedNodeName) {
            stats.inc("scheduler.preemptions");
            stats.inc("scheduler.preemptionVictims", out.result.victims?.length ?? 0);
          }
        }
        message = fitErrorMessage(nodes.length, result.failures, preFilterMsg, postFilterMsg);
      }
      this.queue.addUnschedulable(pod.metadata.uid, cycle, engine.now);
      // The nominator learns the nomination before the API write, so the next cycles see it.
      this.nominator.add(info, nominating);
      events.record(pod, "Warning", "FailedScheduling", message, "default-scheduler");
      const nnn = nominating?.mode === "Override" ? nominating.nominatedNodeName : undefined;
      store.modify("Pod", info.key, (cur) => {
        if (cur.metadata.uid !== pod.metadata.uid || cur.spec.nodeName) return undefined;
        const cond = cur.status.conditions?.find((c) => c.type === "PodScheduled");
        const conditionCurrent = cond !== undefined && cond.status === "False" && cond.message === message;
        const nnnCurrent = nnn === undefined || (cur.status.nominatedNodeName ?? "") === nnn;
        if (conditionCurrent && nnnCurrent) return undefined;
        const status = { ...cur.status };
        if (!conditionCurrent) {
          const conditions = (cur.status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
          conditions.push({ type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: engine.now });
          status.conditions = conditions;
        }
        if (!nnnCurrent) {
          if (nnn) status.nominatedNodeName = nnn;
          else delete status.nominatedNodeName;
        }
        return { ...cur, status };
      });
      return;
    }
    const nodeName = result.node;
    this.cache.addPod(pod, nodeName);
    // assume: a nominated pod that is placed is no longer nominated.
    this.nominator.delete(pod.metadata.uid);
    this.queue.done(pod.metadata.uid);
    stats.observe("scheduler.queueWaitSeconds", (engine.now - pod.metadata.creationTimestamp) / 1_000_000);
    stats.observe("scheduler.attemptsPerPod", attempts);
    void firstAttempt;
    engine.after(this.settings.bindLatency, () => this.bind(pod, nodeName));
  }

  /** DefaultBinder: writes the binding; on failure the assumed pod is forgotten and retried. */
  private bind(pod: Pod, nodeName: string): void {
    const { engine, store, events, stats } = this.ctx;
    const key = objectKey(pod.metadata);
    const result = store.modify("Pod", key, (cur) => {
      if (cur.metadata.uid !== pod.metadata.uid || cur.spec.nodeName || cur.metadata.deletionTimestamp !== undefined) return undefined;
      const conditions = (cur.status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: engine.now });
      return { ...cur, spec: { ...cur.spec, nodeName }, status: { ...cur.status, conditions } };
    });
    if (result.ok && result.object.spec.nodeName === nodeName && result.object.metadata.uid === pod.metadata.uid) {
      stats.inc("scheduler.scheduled");
      events.record(pod, "Normal", "Scheduled", `Successfully assigned ${key} to ${nodeName}`, "default-scheduler", nodeName);
      return;
    }
    this.cache.removePod(pod.metadata.uid);
    if (result.ok || result.error.reason === "NotFound") return;
    // The API server refused (unavailable): try the pod again after backoff.
    stats.inc("scheduler.bindErrors");
    const current = store.get("Pod", key);
    if (current && !current.spec.nodeName) {
      this.queue.add(current, engine.now);
      this.kick();
    }
  }
}
