/**
 * The scheduling framework's vocabulary, after kube-scheduler's
 * (staging/src/k8s.io/kube-scheduler/framework/interface.go): statuses with upstream codes,
 * per-cycle state, and the plugin interfaces for each extension point. Scores are integers in
 * 0..MAX_NODE_SCORE per plugin; the framework normalises, multiplies by the weight and sums.
 * PostFilter plugins (preemption) get a richer handle: the PreFilter extensions and Filter
 * runners of their profile, the nominated pods, and the scheduler's API calls (SchedulerClient).
 */
import type { Container, LabelSelector, Node, Pod, PodDisruptionBudget, Taint } from "../api/objects.js";
import type { Rng } from "../engine/rng.js";
import type { PodRequests, Resources } from "../cluster/resources.js";

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export type Code = "Success" | "Error" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Wait" | "Skip";

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced a non-success status. */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: "Success", reasons: [] as string[] });
export const SKIP: Status = Object.freeze({ code: "Skip", reasons: [] as string[] });

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: "Unschedulable", reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: "UnschedulableAndUnresolvable", reasons, plugin };
}

export function errorStatus(plugin: string, reason: string): Status {
  return { code: "Error", reasons: [reason], plugin };
}

export const isSuccess = (s: Status): boolean => s.code === "Success";

/** A pod as the scheduler sees it, with its parsed requests. */
export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly requests: PodRequests;
}

/** Host ports in use on a node, as "protocol/hostIP/port". */
export type UsedPorts = Map<string, number>;

/**
 * Columns of NodeInfo.amounts: the resource figures the Fit filter and the resource scorers read
 * on every node of every cycle. Extended and hugepages resources are in NodeInfo's scalar records.
 */
export const AMOUNT = Object.freeze({
  ALLOCATABLE_MILLI_CPU: 0,
  ALLOCATABLE_MEMORY: 1,
  ALLOCATABLE_EPHEMERAL_STORAGE: 2,
  REQUESTED_MILLI_CPU: 3,
  REQUESTED_MEMORY: 4,
  REQUESTED_EPHEMERAL_STORAGE: 5,
  /** Requests with the non-zero defaults (scoring). */
  NON_ZERO_MILLI_CPU: 6,
  NON_ZERO_MEMORY: 7,
});
/** Columns per row: eight doubles, one 64-byte cache line. */
export const AMOUNT_COLUMNS = 8;

/**
 * A node plus the pods the scheduler believes are on it (bound or assumed).
 *
 * The figures the filter and score loops read for every node are a row of AMOUNT columns in a
 * Float64Array (`amounts[row + AMOUNT.X]`) rather than fields of nested objects. The scheduler
 * cache lays the rows of all its nodes out in one buffer, in node order, so a pass over the nodes
 * reads memory sequentially. Measured: with nested objects (and V8 keeping each non-Smi number in
 * a separate heap box) every node cost several cache misses at scattered addresses, and those
 * misses were most of the Fit filter's and the scorers' time. A NodeInfo on its own (a copy for a
 * preemption dry run) has a private one-row buffer. `allocatable`, `requested` and
 * `nonZeroRequested` give the same figures as plain objects.
 */
export class NodeInfo {
  // The fields the filters read on every node come first, so that they share the object's first
  // cache line with its header (V8 lays in-object fields out in the order they are first set).
  /** The buffer holding this node's row of AMOUNT columns (shared with other nodes of a cache). */
  amounts: Float64Array = new Float64Array(AMOUNT_COLUMNS);
  /** Offset of this node's row in `amounts`. */
  row = 0;
  /**
   * pods.size, kept as a plain field: reading a Map's size follows two more pointers into its
   * (large, scattered) hash table, and that cache miss was most of the Fit filter's time.
   */
  podCount = 0;
  allowedPodNumber = 0;
  /**
   * The Node's spec.taints and spec.unschedulable, kept in the NodeInfo itself: the filters that
   * run on every node read them here instead of following NodeInfo → Node → spec (two more cache
   * misses per node). Set with `node`; Node objects are replaced, never changed in place.
   */
  taints: readonly Taint[] | undefined = undefined;
  unschedulable = false;
  /** Set (with taints and unschedulable) through `node`, first by the constructor. */
  private current!: Node;
  /** Allocatable extended / hugepages resources, by name. */
  scalarAllocatable: Record<string, number> = {};
  /** Requests of the pods on the node for extended / hugepages resources, by name. */
  scalarRequested: Record<string, number> = {};
  readonly pods = new Map<string, PodInfo>();
  readonly usedPorts: UsedPorts = new Map();
  /** Bumped on every change, so plugins can cache per-node derived data. */
  generation = 0;

  constructor(
    readonly name: string,
    node: Node,
  ) {
    this.node = node;
  }

  /** The Node object (labels, taints, status) as the scheduler last saw it. */
  get node(): Node {
    return this.current;
  }

  set node(node: Node) {
    this.current = node;
    this.taints = node.spec.taints;
    this.unschedulable = node.spec.unschedulable === true;
  }

  /** Moves this node's row to `row` of `buffer` (the scheduler cache's layout). */
  moveAmounts(buffer: Float64Array, row: number): void {
    buffer.set(this.amounts.subarray(this.row, this.row + AMOUNT_COLUMNS), row);
    this.amounts = buffer;
    this.row = row;
  }

  /** Amount column `column` (AMOUNT.*) of this node. */
  amount(column: number): number {
    return this.amounts[this.row + column];
  }

  /** Sets the node's allocatable resources and pod slots (from its status). */
  setAllocatable(allocatable: Resources, allowedPodNumber: number): void {
    const a = this.amounts;
    const r = this.row;
    a[r + AMOUNT.ALLOCATABLE_MILLI_CPU] = allocatable.milliCPU;
    a[r + AMOUNT.ALLOCATABLE_MEMORY] = allocatable.memory;
    a[r + AMOUNT.ALLOCATABLE_EPHEMERAL_STORAGE] = allocatable.ephemeralStorage;
    this.scalarAllocatable = allocatable.scalar;
    this.allowedPodNumber = allowedPodNumber;
  }

  /** Allocatable resources (a copy). */
  get allocatable(): Resources {
    return this.resources(AMOUNT.ALLOCATABLE_MILLI_CPU, AMOUNT.ALLOCATABLE_MEMORY, AMOUNT.ALLOCATABLE_EPHEMERAL_STORAGE, this.scalarAllocatable);
  }

  /** Sum of the actual requests of the pods on the node (a copy). */
  get requested(): Resources {
    return this.resources(AMOUNT.REQUESTED_MILLI_CPU, AMOUNT.REQUESTED_MEMORY, AMOUNT.REQUESTED_EPHEMERAL_STORAGE, this.scalarRequested);
  }

  private resources(cpu: number, memory: number, ephemeralStorage: number, scalar: Record<string, number>): Resources {
    return { milliCPU: this.amount(cpu), memory: this.amount(memory), ephemeralStorage: this.amount(ephemeralStorage), scalar: { ...scalar } };
  }

  /** Sum of the requests with the non-zero defaults, for scoring (a copy). */
  get nonZeroRequested(): { milliCPU: number; memory: number } {
    return { milliCPU: this.amount(AMOUNT.NON_ZERO_MILLI_CPU), memory: this.amount(AMOUNT.NON_ZERO_MEMORY) };
  }
}

/**
 * Data a plugin keeps in the cycle state. Preemption's dry runs clone the state before adding or
 * removing pods, so state that PreFilterExtensions change must clone deeply enough.
 */
export interface StateData {
  clone(): StateData;
}

/** Per-attempt scratch space shared by the plugins of one scheduling cycle. */
export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose Score is skipped this cycle (their PreScore returned Skip). */
  readonly skipScore = new Set<string>();
  /** Plugins whose Filter is skipped this cycle (their PreFilter returned Skip). */
  readonly skipFilter = new Set<string>();

  /**
   * The entry read last: a plugin's Filter or Score reads its own entry once per node, in a loop
   * over the nodes, so one remembered entry spares a map lookup per node.
   */
  private lastKey: string | undefined;
  private lastValue: StateData | undefined;

  read<T extends StateData>(key: string): T | undefined {
    if (key === this.lastKey) return this.lastValue as T | undefined;
    const value = this.data.get(key);
    this.lastKey = key;
    this.lastValue = value;
    return value as T | undefined;
  }
  write(key: string, value: StateData): void {
    this.data.set(key, value);
    if (key === this.lastKey) this.lastValue = value;
  }
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipScore) c.skipScore.add(p);
    for (const p of this.skipFilter) c.skipFilter.add(p);
    return c;
  }
}

/** What plugins may look at besides the pod and node: all nodes, namespaces, and the seeded RNG. */
export interface FrameworkHandle {
  /** Every node in the scheduler's snapshot, in a stable (name) order. */
  readonly nodes: readonly NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  /** Labels of a namespace (for namespaceSelector in pod affinity terms); undefined if unknown. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /**
   * Selectors of the Services, ReplicaSets (and, were they modelled, StatefulSets and
   * ReplicationControllers) in the pod's namespace that select it — what upstream's
   * helper.DefaultSelector combines (AND) for PodTopologySpread's system default constraints.
   */
  workloadSelectors(pod: Pod): LabelSelector[];
  readonly rng: Rng;
  /** Simulated time, µs. */
  readonly now: number;
  /**
   * Set when `nodes` is a live cache (the scheduler's): its changes, for plugins that keep
   * aggregates over every node and pod up to date instead of recomputing them each cycle.
   */
  readonly cacheEvents?: NodeInfoEvents;
}

/**
 * Synchronous notifications of every change to a cache's NodeInfos. A pod whose object is replaced
 * (a status or label update) is reported with podUpdated, or, to a listener without it, removed
 * (old PodInfo) and added (new PodInfo) again; a node that leaves the cache has its pods removed
 * first.
 */
export interface NodeInfoListener {
  nodeAdded(node: NodeInfo): void;
  /** `node.node` was replaced by a newer Node object (labels, taints, allocatable, images...). */
  nodeUpdated(node: NodeInfo, previous: Node): void;
  nodeRemoved(node: NodeInfo): void;
  podAdded(node: NodeInfo, pod: PodInfo): void;
  podRemoved(node: NodeInfo, pod: PodInfo): void;
  /**
   * Optional: a pod on `node` got a new object (`old` → `updated`, same uid and node). A listener
   * with this method gets it instead of podRemoved(old) and podAdded(updated), which is what the
   * others get; a status update (most of them) changes nothing an index of labels depends on.
   */
  podUpdated?(node: NodeInfo, old: PodInfo, updated: PodInfo): void;
}

export interface NodeInfoEvents {
  /**
   * Registers a listener; from then on it sees every change. What the cache holds already is not
   * replayed: the subscriber builds its state from the handle's `nodes` first.
   */
  subscribe(listener: NodeInfoListener): void;
}

export interface Plugin {
  readonly name: string;
}

/** What PreFilter returns: a status, and optionally the only node names worth filtering. */
export interface PreFilterResult {
  status: Status;
  /** If set, only these nodes can pass (NodeAffinity's matchFields on metadata.name). */
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** Status Skip means this plugin's Filter does not run this cycle. */
  preFilter(state: CycleState, pod: PodInfo, handle: FrameworkHandle): PreFilterResult;
  /**
   * PreFilterExtensions: update this plugin's cycle state as if `added` were on `node` (preemption
   * dry runs, nominated pods). Only plugins whose Filter depends on other pods need these.
   */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PreScorePlugin extends Plugin {
  /**
   * Returns Skip to leave this plugin's Score out for this pod. `nodes` are the feasible ones; the
   * framework reuses the array in later cycles, so a plugin that keeps it beyond this cycle copies it.
   */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], handle: FrameworkHandle): Status;
}

export interface ScorePlugin extends Plugin {
  /** Raw score of one feasible node (an integer; 0..MAX_NODE_SCORE unless normalizeScore rescales it). */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /**
   * simk, optional: the raw scores of all `nodes` at once into `scores` — the same numbers as
   * `score` node by node (upstream runs Score over the nodes in parallel; a plugin may instead
   * loop over them once, e.g. resource by resource). Without it the framework calls `score`.
   */
  scoreAll?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
  /** Rewrites `scores` (one per node in `nodes`) into 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
}

// --- PostFilter (preemption) -------------------------------------------------------------------

/**
 * Filter statuses of the nodes that failed, by node name (upstream NodeToStatusReader). A node
 * missing from the map counts as UnschedulableAndUnresolvable, as upstream's default absent status.
 */
export type NodeToStatus = ReadonlyMap<string, Status>;

/**
 * What a PostFilter plugin suggests (upstream PostFilterResult with NominatingInfo in Override
 * mode): the node to nominate the pod to, or "" to clear its nomination. Returning no result
 * leaves the pod's nomination as it is (NominatingMode Noop).
 */
export interface PostFilterResult {
  nominatedNodeName: string;
  /** simk: the pods preempted for this nomination (for the scheduler's metrics). */
  victims?: readonly Pod[];
}

export interface PostFilterOutput {
  result?: PostFilterResult;
  status: Status;
}

/**
 * The API calls and informer reads a PostFilter plugin makes through the scheduler (upstream: the
 * handle's ClientSet, EventRecorder and listers). The scheduler implements it on the store; tests
 * may fake it.
 */
export interface SchedulerClient {
  /**
   * Preempts one victim (preemption.go NewEvaluator's PreemptPod): adds the DisruptionTarget
   * condition (reason PreemptionByScheduler), deletes the pod gracefully and records a
   * "Preempted" event. A victim already gone is not an error.
   */
  preemptPod(preemptor: Pod, victim: Pod, nodeName: string, pluginName: string): Status;
  /** Clears status.nominatedNodeName of these pods (preemption.go clearNominatedNodeName). */
  clearNominatedNodeName(pods: readonly Pod[]): void;
  /** The PodDisruptionBudgets the scheduler knows, with their status as the disruption controller would compute it. */
  podDisruptionBudgets(): readonly PodDisruptionBudget[];
}

/** The framework handle a PostFilter plugin gets (upstream fwk.Handle as preemption uses it). */
export interface PostFilterHandle extends FrameworkHandle, SchedulerClient {
  /** Pods nominated to the node (status.nominatedNodeName), waiting for victims to leave. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /** Runs every PreFilter plugin's addPod extension on `state` (a clone, in dry runs). */
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
  /** The profile's Filter plugins on one node, with nominated pods of equal or higher priority considered. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PostFilterPlugin extends Plugin {
  /** Runs when no node passed the filters; `statuses` are the failed nodes' filter statuses. */
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, handle: PostFilterHandle): PostFilterOutput;
}

export function isPostFilter(p: Plugin): p is PostFilterPlugin {
  return typeof (p as PostFilterPlugin).postFilter === "function";
}

/** Status.Message(): the reasons joined by ", " (upstream framework Status). */
export function statusMessage(s: Status): string {
  return s.reasons.join(", ");
}

/**
 * FitError.Error() (pkg/scheduler/framework/types.go): "0/N nodes are available: <PreFilterMsg>."
 * or "0/N nodes are available: <count reason, ...>." — reasons counted over the nodes with an
 * explicit status plus, for the nodes without one, `absentReasons` — then " <PostFilterMsg>" if
 * any (no trailing dot is added to it).
 */
export function fitErrorText(
  numAllNodes: number,
  statuses: NodeToStatus,
  options: { preFilterMsg?: string; postFilterMsg?: string; absentReasons?: readonly string[] } = {},
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (options.preFilterMsg) {
    msg += ` ${options.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - statuses.size;
    if (absent > 0) for (const r of options.absentReasons ?? []) counts.set(r, (counts.get(r) ?? 0) + absent);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    if (parts.length > 0) msg += ` ${parts.join(", ")}.`;
  }
  if (options.postFilterMsg) msg += ` ${options.postFilterMsg}`;
  return msg;
}

// --- NodeInfo copies (preemption dry runs, nominated pods) -----------------------------------

/** Generations for copies: far above any the cache hands out, so per-node plugin caches miss. */
let copyGeneration = 1_000_000_000_000;

/** A copy of a NodeInfo that can be changed without touching the cache (upstream NodeInfo.Snapshot). */
export function cloneNodeInfo(n: NodeInfo): NodeInfo {
  const c = new NodeInfo(n.name, n.node);
  c.amounts.set(n.amounts.subarray(n.row, n.row + AMOUNT_COLUMNS));
  c.allowedPodNumber = n.allowedPodNumber;
  c.scalarAllocatable = n.scalarAllocatable;
  c.scalarRequested = { ...n.scalarRequested };
  for (const [uid, p] of n.pods) c.pods.set(uid, p);
  c.podCount = n.podCount;
  for (const [port, count] of n.usedPorts) c.usedPorts.set(port, count);
  c.generation = ++copyGeneration;
  return c;
}

/**
 * Adds (sign +1) or removes (−1) a pod's requests, non-zero requests and host ports on a NodeInfo.
 * Host ports are those of app containers and sidecars (init containers with restartPolicy Always),
 * as upstream's GetHostPorts; an empty hostIP means all addresses (NodeInfo.updateUsedPorts).
 * Callers bump `generation` themselves.
 */
export function applyPodToNodeInfo(info: NodeInfo, podInfo: PodInfo, sign: 1 | -1): void {
  const r = podInfo.requests.requests;
  const a = info.amounts;
  const row = info.row;
  info.podCount += sign;
  a[row + AMOUNT.REQUESTED_MILLI_CPU] += sign * r.milliCPU;
  a[row + AMOUNT.REQUESTED_MEMORY] += sign * r.memory;
  a[row + AMOUNT.REQUESTED_EPHEMERAL_STORAGE] += sign * r.ephemeralStorage;
  const scalar = info.scalarRequested;
  for (const k in r.scalar) scalar[k] = (scalar[k] ?? 0) + sign * r.scalar[k];
  a[row + AMOUNT.NON_ZERO_MILLI_CPU] += sign * podInfo.requests.nonZero.milliCPU;
  a[row + AMOUNT.NON_ZERO_MEMORY] += sign * podInfo.requests.nonZero.memory;
  const spec = podInfo.pod.spec;
  const addPorts = (containers: readonly Container[]): void => {
    for (const c of containers) {
      if (!c.ports) continue;
      for (const p of c.ports) {
        if (!p.hostPort) continue;
        const key = `${p.protocol ?? "TCP"}/${p.hostIP || "0.0.0.0"}/${p.hostPort}`;
        const n = (info.usedPorts.get(key) ?? 0) + sign;
        if (n <= 0) info.usedPorts.delete(key);
        else info.usedPorts.set(key, n);
      }
    }
  };
  addPorts(spec.containers);
  if (spec.initContainers) addPorts(spec.initContainers.filter((c) => c.restartPolicy === "Always"));
}

function applyPodInfo(info: NodeInfo, podInfo: PodInfo, sign: 1 | -1): void {
  applyPodToNodeInfo(info, podInfo, sign);
  info.generation = ++copyGeneration;
}

/** Adds a pod to a NodeInfo copy (upstream NodeInfo.AddPodInfo). */
export function nodeInfoAddPod(info: NodeInfo, podInfo: PodInfo): void {
  const uid = podInfo.pod.metadata.uid;
  const old = info.pods.get(uid);
  if (old) applyPodInfo(info, old, -1);
  info.pods.set(uid, podInfo);
  applyPodInfo(info, podInfo, +1);
}

/** Removes a pod from a NodeInfo copy (upstream NodeInfo.RemovePod); false if it was not there. */
export function nodeInfoRemovePod(info: NodeInfo, uid: string): boolean {
  const old = info.pods.get(uid);
  if (!old) return false;
  info.pods.delete(uid);
  applyPodInfo(info, old, -1);
  return true;
}

export function isPreFilter(p: Plugin): p is PreFilterPlugin {
  return typeof (p as PreFilterPlugin).preFilter === "function";
}
export function isFilter(p: Plugin): p is FilterPlugin {
  return typeof (p as FilterPlugin).filter === "function";
}
export function isPreScore(p: Plugin): p is PreScorePlugin {
  return typeof (p as PreScorePlugin).preScore === "function";
}
export function isScore(p: Plugin): p is ScorePlugin {
  return typeof (p as ScorePlugin).score === "function";
}
