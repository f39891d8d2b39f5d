/**
 * The PodTopologySpread plugin (upstream pkg/scheduler/framework/plugins/podtopologyspread/):
 * PreFilter + Filter for DoNotSchedule constraints, PreScore + Score + NormalizeScore for
 * ScheduleAnyway ones, with the AddPod/RemovePod PreFilterExtensions preemption uses. Semantics are
 * those of Kubernetes master (v1.34) with MinDomains, NodeInclusionPolicy and MatchLabelKeys on.
 *
 * Which constraints: the pod's own topologySpreadConstraints; if it has none, the default ones
 * (args), but only when the Services / ReplicaSets selecting the pod give a non-empty selector,
 * which then replaces the constraints' selectors (common.go buildDefaultConstraints,
 * helper/spread.go DefaultSelector).
 *
 * Which pods and nodes count: pods in the incoming pod's namespace, not terminating, matching the
 * constraint's selector, on nodes that carry every constraint's topology key and pass the
 * constraint's node inclusion policies (nodeAffinityPolicy Honor: the pod's nodeSelector and
 * required node affinity; nodeTaintsPolicy Honor: no untolerated NoSchedule/NoExecute taint).
 *
 * Cost: PreFilter and PreScore are O(nodes + pods) per constraint; Filter and Score are
 * O(constraints) per node and allocate nothing.
 */
import type { LabelSelector, Pod, TopologySpreadConstraint } from "../../../sim/api/objects.js";
import type {
  CycleState,
  FilterPlugin,
  FrameworkHandle,
  NodeInfo,
  NodeInfoEvents,
  PodInfo,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
  StateData,
  Status,
} from "../../../sim/scheduler/framework.js";
import { errorStatus, MAX_NODE_SCORE, SKIP, SUCCESS, unresolvable, unschedulable } from "../../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../../sim/scheduler/registry.js";
import { podTopologySpreadArgsSchema, SYSTEM_DEFAULT_CONSTRAINTS, type PodTopologySpreadArgs } from "./args.js";
import {
  countMatchingPods,
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  labelValue,
  NAME,
  namespaceOf,
  NodeInclusion,
  nodeHasAllKeys,
  parseConstraints,
  PodSelector,
  type Constraint,
} from "./common.js";
import { CriticalPaths, PRE_FILTER_STATE_KEY, PreFilterState } from "./filtering.js";
import { PodCountIndex } from "./index.js";
import { DomainTally, MISSING, NodeNumbers, TopologyValues, type TopologyKey } from "./topology.js";
import { PRE_SCORE_STATE_KEY, PreScoreState, scoreForCount, topologyNormalizingWeight } from "./scoring.js";

const CONSTRAINTS_NOT_MATCH: Status = Object.freeze(unschedulable(NAME, ERR_REASON_CONSTRAINTS_NOT_MATCH));
const NODE_LABEL_NOT_MATCH: Status = Object.freeze(unresolvable(NAME, ERR_REASON_NODE_LABEL_NOT_MATCH));
const SKIP_RESULT: PreFilterResult = Object.freeze({ status: SKIP });
const SUCCESS_RESULT: PreFilterResult = Object.freeze({ status: SUCCESS });
const NO_CONSTRAINTS: readonly Constraint[] = Object.freeze([]);
/** PreScore's ignored nodes when there are none (the common case: never under the system defaults). */
const NONE_IGNORED: ReadonlySet<string> = new Set();
/** PreScore's row of an ignored candidate. */
const IGNORED = -1;

/** The pod's default selector, computed once per cycle and shared by PreFilter and PreScore. */
const DEFAULT_SELECTOR_KEY = "PodTopologySpread/defaultSelector";
class DefaultSelectorState implements StateData {
  constructor(readonly selector: PodSelector) {}
  clone(): DefaultSelectorState {
    return this;
  }
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  /** Per live cache (the scheduler's): matching-pod counts kept up to date from its changes. */
  private readonly indexes = new WeakMap<NodeInfoEvents, PodCountIndex>();
  private readonly defaultConstraints: readonly TopologySpreadConstraint[];
  /** PodSelector.and of a workloadSelectors answer, by the answer's array. */
  private readonly selectorsOf = new WeakMap<readonly LabelSelector[], PodSelector>();
  /** The default constraints for a default selector, by whenUnsatisfiable. */
  private readonly defaultsBySelector = new WeakMap<PodSelector, Map<string, readonly Constraint[]>>();
  /** Node numbers, shared by the topology rows and the indexes' dense counts (topology.ts). */
  private readonly numbers = new NodeNumbers();
  /** Nodes' topology values as small integers, cached per node (topology.ts). */
  private readonly topology = new TopologyValues();
  /** PreScore's scratch: per constraint, its domains of the cycle. */
  private readonly tallies: DomainTally[] = [];
  /** PreScore's scratch: where the candidates' rows start (topology.ts); grown, never shrunk. */
  private rows = new Int32Array(64);
  /** Defaulting type System: then nodes without a zone label still get hostname spreading. */
  private readonly systemDefaulted: boolean;

  /** `args` is validated and defaulted (as upstream New does); invalid args throw. */
  constructor(args: Partial<PodTopologySpreadArgs> = {}) {
    const a = podTopologySpreadArgsSchema.parse(args);
    this.systemDefaulted = a.defaultingType === "System";
    this.defaultConstraints = this.systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : (a.defaultConstraints ?? []);
  }

  // -------------------------------------------------------------------------------------------
  // Constraint selection

  private constraintsFor(state: CycleState, pod: Pod, handle: FrameworkHandle, action: TopologySpreadConstraint["whenUnsatisfiable"]): readonly Constraint[] {
    const own = pod.spec.topologySpreadConstraints;
    if (own && own.length > 0) return parseConstraints(own, pod.metadata.labels, action);
    // No default constraint for this action (PreFilter under the System defaults, which are all
    // ScheduleAnyway): nothing to select, so the workloads' selectors need not be looked up.
    if (!this.defaultConstraints.some((c) => c.whenUnsatisfiable === action)) return NO_CONSTRAINTS;
    const selector = this.defaultSelector(state, pod, handle);
    // The default constraints with the default selector depend on nothing else (their own
    // selectors, matchLabelKeys included, are replaced): worked out once per selector and action.
    let byAction = this.defaultsBySelector.get(selector);
    if (!byAction) this.defaultsBySelector.set(selector, (byAction = new Map()));
    let constraints = byAction.get(action);
    if (!constraints) {
      const parsed = parseConstraints(this.defaultConstraints, pod.metadata.labels, action);
      constraints = parsed.length === 0 || selector.empty ? [] : parsed.map((c) => ({ ...c, selector }));
      byAction.set(action, constraints);
    }
    return constraints;
  }

  /** helper.DefaultSelector: the AND of the selectors of the Services and controllers selecting the pod. */
  private defaultSelector(state: CycleState, pod: Pod, handle: FrameworkHandle): PodSelector {
    const cached = state.read<DefaultSelectorState>(DEFAULT_SELECTOR_KEY);
    if (cached) return cached.selector;
    const selectors = handle.workloadSelectors(pod);
    // A scheduler hands out the same array while the workloads' selectors stay the same.
    let selector = this.selectorsOf.get(selectors);
    if (!selector) this.selectorsOf.set(selectors, (selector = PodSelector.and(selectors)));
    state.write(DEFAULT_SELECTOR_KEY, new DefaultSelectorState(selector));
    return selector;
  }

  // -------------------------------------------------------------------------------------------
  // PreFilter / Filter (filtering.go)

  preFilter(state: CycleState, pod: PodInfo, handle: FrameworkHandle): PreFilterResult {
    const constraints = this.constraintsFor(state, pod.pod, handle, "DoNotSchedule");
    if (constraints.length === 0) return SKIP_RESULT;
    const ns = namespaceOf(pod);
    const k = constraints.length;
    const counts: Map<string, number>[] = constraints.map(() => new Map<string, number>());
    const inclusion = new NodeInclusion(pod.pod);
    for (const info of handle.nodes) {
      const node = info.node;
      if (!nodeHasAllKeys(node, constraints)) continue;
      inclusion.reset(node);
      const labels = node.metadata.labels;
      for (let i = 0; i < k; i++) {
        const c = constraints[i];
        if (!inclusion.includes(c)) continue;
        const value = labelValue(labels, c.topologyKey)!;
        const m = counts[i];
        // Every eligible domain is recorded, with 0 if no pod matches: it counts for minDomains and the minimum.
        m.set(value, (m.get(value) ?? 0) + countMatchingPods(info, c.selector, ns));
      }
    }
    const paths = counts.map((m) => {
      const p = new CriticalPaths();
      for (const [value, n] of m) p.update(value, n);
      return p;
    });
    const selfMatch = constraints.map((c) => c.selector.matches(pod.pod.metadata.labels));
    state.write(PRE_FILTER_STATE_KEY, new PreFilterState(constraints, selfMatch, counts, paths));
    return SUCCESS_RESULT;
  }

  /** skew = pods in the node's domain + (1 if the pod matches itself) − global minimum; must be ≤ maxSkew. */
  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return errorStatus(NAME, `reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    const labels = node.node.metadata.labels;
    const constraints = s.constraints;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      const value = labelValue(labels, c.topologyKey);
      if (value === undefined) return NODE_LABEL_NOT_MATCH;
      const skew = (s.counts[i].get(value) ?? 0) + (s.selfMatch[i] ? 1 : 0) - s.minMatchNum(i);
      if (skew > c.maxSkew) return CONSTRAINTS_NOT_MATCH;
    }
    return SUCCESS;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    this.updateWithPod(state, pod, added, node, 1);
    return SUCCESS;
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    this.updateWithPod(state, pod, removed, node, -1);
    return SUCCESS;
  }

  /** filtering.go updateWithPod: the changed pod counts where PreFilter would have counted it. */
  private updateWithPod(state: CycleState, preemptor: PodInfo, changed: PodInfo, node: NodeInfo, delta: number): void {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s || namespaceOf(changed) !== namespaceOf(preemptor)) return;
    const n = node.node;
    if (!nodeHasAllKeys(n, s.constraints)) return;
    const inclusion = new NodeInclusion(preemptor.pod);
    inclusion.reset(n);
    const podLabels = changed.pod.metadata.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!c.selector.matches(podLabels) || !inclusion.includes(c)) continue;
      s.add(i, labelValue(n.metadata.labels, c.topologyKey)!, delta);
    }
  }

  // -------------------------------------------------------------------------------------------
  // PreScore / Score / NormalizeScore (scoring.go)

  /** The matching-pod index of the handle's cache, built on first use; undefined without a live cache. */
  private podIndex(handle: FrameworkHandle): PodCountIndex | undefined {
    const events = handle.cacheEvents;
    if (!events) return undefined;
    let index = this.indexes.get(events);
    if (!index) {
      index = new PodCountIndex(handle.nodes, this.numbers);
      events.subscribe(index);
      this.indexes.set(events, index);
    }
    return index;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], handle: FrameworkHandle): Status {
    const allNodes = handle.nodes;
    if (allNodes.length === 0) return SKIP;
    const own = (pod.pod.spec.topologySpreadConstraints?.length ?? 0) > 0;
    const constraints = this.constraintsFor(state, pod.pod, handle, "ScheduleAnyway");
    if (constraints.length === 0) return SKIP;
    // Only with non-system-default constraints must nodes carry every key: under the system
    // defaults a node without a zone label still gets hostname spreading.
    const requireAll = own || !this.systemDefaulted;
    const k = constraints.length;
    const ns = namespaceOf(pod);
    const topology = this.topology;
    // Added before any row is read: a new key widens the rows.
    const keys = constraints.map((c) => topology.key(c.topologyKey));
    const tallies = this.talliesFor(k);

    // The candidates' topology values (value ids, see topology.ts): with at = rows[j],
    // `topology.valueId(at, keys[i])` is candidate j's value of constraint i's key, or MISSING;
    // rows[j] is IGNORED for a candidate ignored for lacking a key. In the same pass, each
    // non-hostname constraint's domains: its key's values among the candidates, a missing key
    // reading as "" (as a Go map would), in the order the candidates first show them.
    const n = nodes.length;
    const rows = this.scratchRows(n);
    const numbers = this.numbers;
    const nos = numbers.candidates(nodes, allNodes);
    const ignored = this.readCandidates(nodes, nos, rows, constraints, keys, tallies, requireAll);
    const ignoredCount = ignored?.size ?? 0;
    const weights = constraints.map((c, i) => topologyNormalizingWeight(c.isHostname ? n - ignoredCount : tallies[i].present.length));

    // Matching pods on all nodes whose domain holds a candidate, candidates or not. When every
    // node counts (no node skipped for a missing key, no node excluded by the pod's node affinity
    // or taints), the cache-wide index has the sums; otherwise every node's pods are visited.
    const index = !requireAll && includesEveryNode(pod.pod, constraints) ? this.podIndex(handle) : undefined;
    const classes = index ? constraints.map((c) => index.classesMatching(c.selector, ns)) : [];
    if (index) {
      for (let i = 0; i < k; i++) {
        const c = constraints[i];
        if (c.isHostname) continue;
        const { present, count } = tallies[i];
        const values = keys[i].values;
        for (const id of present) count[id] = index.domainCount(classes[i], c.topologyKey, values[id]);
      }
    } else {
      const inclusion = new NodeInclusion(pod.pod);
      for (const info of allNodes) {
        const at = topology.row(numbers.of(info), info);
        if (requireAll && lacksAKey(topology, at, keys)) continue;
        inclusion.reset(info.node);
        for (let i = 0; i < k; i++) {
          const c = constraints[i];
          if (c.isHostname || !inclusion.includes(c)) continue;
          const id = topology.valueId(at, keys[i]);
          const tally = tallies[i];
          const domain = id === MISSING ? 0 : id;
          if (!tally.has(domain)) continue;
          tally.count[domain] += countMatchingPods(info, c.selector, ns);
        }
      }
    }
    // The state's counts by value, in the candidates' order.
    const counts = constraints.map((c, i) => {
      const m = new Map<string, number>();
      if (c.isHostname) return m;
      const { present, count } = tallies[i];
      const values = keys[i].values;
      for (const id of present) m.set(values[id], count[id]);
      return m;
    });

    // Raw scores: Σ over the constraints whose key the node has of count × weight + maxSkew − 1,
    // rounded; one per candidate, in the candidates' order (ignored ones 0, as Score gives them).
    // Per constraint, what the loop reads, in locals instead of the constraint objects.
    const hostname = constraints.map((c) => c.isHostname);
    const domainCounts = tallies.map((t) => t.count);
    const maxSkews = constraints.map((c) => c.maxSkew);
    const rawScores = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const at = rows[j];
      if (at === IGNORED) {
        rawScores[j] = 0;
        continue;
      }
      let score = 0;
      for (let i = 0; i < k; i++) {
        const id = topology.valueId(at, keys[i]);
        if (id === MISSING) continue;
        let count: number;
        if (!hostname[i]) count = domainCounts[i][id];
        else count = index ? index.nodeCount(classes[i], nodes[j], nos[j]) : countMatchingPods(nodes[j], constraints[i].selector, ns);
        score += scoreForCount(count, maxSkews[i], weights[i]);
      }
      rawScores[j] = Math.round(score);
    }
    state.write(PRE_SCORE_STATE_KEY, new PreScoreState(constraints, ignored ?? NONE_IGNORED, counts, weights, nodes, rawScores));
    return SUCCESS;
  }

  /**
   * PreScore's pass over the candidates: each one's row into `rows` (IGNORED when it lacks a key
   * and `requireAll`), and the domains of each non-hostname constraint into its tally. Its own
   * method, small enough for V8 to inline the row and tally calls into the loop. Returns the
   * names of the ignored candidates, if any.
   */
  private readCandidates(
    nodes: readonly NodeInfo[],
    nos: Int32Array,
    rows: Int32Array,
    constraints: readonly Constraint[],
    keys: readonly TopologyKey[],
    tallies: readonly DomainTally[],
    requireAll: boolean,
  ): Set<string> | undefined {
    const topology = this.topology;
    const k = constraints.length;
    for (let i = 0; i < k; i++) if (!constraints[i].isHostname) tallies[i].begin();
    let ignored: Set<string> | undefined;
    for (let j = 0; j < nodes.length; j++) {
      const at = topology.row(nos[j], nodes[j]);
      if (requireAll && lacksAKey(topology, at, keys)) {
        (ignored ??= new Set()).add(nodes[j].name);
        rows[j] = IGNORED;
        continue;
      }
      rows[j] = at;
      for (let i = 0; i < k; i++) {
        if (constraints[i].isHostname) continue; // per-node counts
        const id = topology.valueId(at, keys[i]);
        tallies[i].mark(id === MISSING ? 0 : id);
      }
    }
    return ignored;
  }

  /** The rows scratch for n candidates. */
  private scratchRows(n: number): Int32Array {
    if (this.rows.length < n) this.rows = new Int32Array(Math.max(n, 2 * this.rows.length));
    return this.rows;
  }

  /** The first k domain tallies, reused from cycle to cycle. */
  private talliesFor(k: number): readonly DomainTally[] {
    while (this.tallies.length < k) this.tallies.push(new DomainTally());
    return this.tallies;
  }

  /** The rounded weighted count of matching pods around the node (fewer is better; NormalizeScore inverts). */
  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    return s?.rawScore(node.name) ?? 0;
  }

  /** Score of every node: PreScore's raw scores, copied when `nodes` are PreScore's candidates. */
  scoreAll(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (s && s.nodes === nodes) {
      for (let i = 0; i < nodes.length; i++) scores[i] = s.rawScores[i];
      return;
    }
    for (let i = 0; i < nodes.length; i++) scores[i] = s?.rawScore(nodes[i].name) ?? 0;
  }

  /**
   * Ignored nodes get 0. Over the others, with max and min of their raw scores: 100 if max is 0,
   * else 100 × (max + min − score) / max in integer division.
   */
  normalizeScore(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return;
    const ignored = s.ignoredNodes;
    const isIgnored = (i: number): boolean => ignored.size > 0 && ignored.has(nodes[i].name);
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (isIgnored(i)) continue;
      const v = scores[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let i = 0; i < nodes.length; i++) {
      if (isIgnored(i)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  }
}

/** !nodeHasAllKeys on a row: whether the node lacks some constraint's topology key. */
function lacksAKey(topology: TopologyValues, at: number, keys: readonly TopologyKey[]): boolean {
  for (let i = 0; i < keys.length; i++) if (topology.valueId(at, keys[i]) === MISSING) return true;
  return false;
}

/**
 * Whether every node passes the constraints' node inclusion policies for this pod: no constraint
 * honours taints, and none honours node affinity or the pod has neither a nodeSelector nor required
 * node affinity (matchNodeInclusionPolicies is then true everywhere).
 */
function includesEveryNode(pod: Pod, constraints: readonly Constraint[]): boolean {
  const sel = pod.spec.nodeSelector;
  const hasNodeAffinity = (sel !== undefined && Object.keys(sel).length > 0) || pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  for (const c of constraints) if (c.honorNodeTaints || (c.honorNodeAffinity && hasNodeAffinity)) return false;
  return true;
}

export const podTopologySpreadFactory: PluginFactory<PodTopologySpreadArgs> = {
  name: NAME,
  args: podTopologySpreadArgsSchema,
  create: (args) => new PodTopologySpread(args),
};
