/**
 * InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity/{plugin,filtering,scoring}.go,
 * Kubernetes v1.34): required pod affinity / anti-affinity as a filter, preferred terms (and the
 * symmetric terms of existing pods) as a score. Term semantics live in ./interPodAffinity/terms.ts.
 *
 * PreFilter counts, per (topologyKey, value) of the nodes' labels:
 *  - existingAntiAffinity: required anti-affinity terms of existing pods that match the incoming pod
 *    (namespaceSelector evaluated against the incoming pod's namespace labels);
 *  - affinity: existing pods matching ALL of the incoming pod's required affinity terms (one count
 *    per term whose topology key the pod's node has);
 *  - antiAffinity: per incoming required anti-affinity term, existing pods matching it.
 * It returns Skip when existingAntiAffinity is empty and the pod has no required terms.
 *
 * Filter, in upstream order:
 *  1. affinity — every term's topology key must be on the node (else UnschedulableAndUnresolvable);
 *     each term's pair must have a count > 0, unless no pair at all was counted and the pod matches
 *     all its own terms (the first pod of a self-affine group): "node(s) didn't match pod affinity
 *     rules", UnschedulableAndUnresolvable;
 *  2. anti-affinity — a term whose pair on the node has a count > 0: "node(s) didn't match pod
 *     anti-affinity rules", Unschedulable;
 *  3. existing pods' anti-affinity — any of the node's label pairs counted: "node(s) didn't satisfy
 *     existing pods anti-affinity rules", Unschedulable.
 *
 * PreScore builds (topologyKey, value) → weight sums over every node's pods (all pods if the incoming
 * pod has preferred terms, else only pods with pod (anti-)affinity), skipping nodes without labels:
 * +w / −w for the incoming pod's preferred affinity / anti-affinity terms an existing pod matches;
 * +hardPodAffinityWeight for each required affinity term of an existing pod the incoming pod matches;
 * +w / −w for existing pods' preferred affinity / anti-affinity terms the incoming pod matches. Skip
 * when ignorePreferredTermsOfExistingPods is set and the pod has no preferred terms, or when nothing
 * was counted. Score = Σ over the node's labels of those sums; NormalizeScore maps [min, max] of the
 * scores (min and max taken over the scores themselves, not anchored at 0) to
 * trunc(100 × (s − min) / (max − min)), and everything to 0 when max = min.
 *
 * Performance (50k pods on 5k nodes): the terms carried by each node's pods are aggregated per node
 * (required anti-affinity: term → pod count; scoring: term → required count and signed preferred
 * weight) in a cache keyed by NodeInfo and invalidated by NodeInfo.generation (what upstream's
 * NodeInfo.PodsWithAffinity / PodsWithRequiredAntiAffinity are for). Terms are interned per template
 * (terms.ts), so each distinct existing term is matched against the incoming pod once per cycle. Only
 * the incoming pod's own terms require a scan of every pod, as upstream; a pod without terms costs
 * O(nodes) per cycle. Filter and Score only look up maps.
 */
import { z } from "zod";
import type { Pod } from "../../sim/api/objects.js";
import type {
  CycleState,
  FilterPlugin,
  FrameworkHandle,
  NodeInfo,
  NodeInfoEvents,
  NodeInfoListener,
  PodInfo,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
  StateData,
  Status,
} from "../../sim/scheduler/framework.js";
import { errorStatus, MAX_NODE_SCORE, SKIP, SUCCESS, unresolvable, unschedulable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import {
  IncomingTerm,
  matchesAllTerms,
  podAffinityInfo,
  podNamespace,
  termMatches,
  TopologyCounts,
  WeightedIncomingTerm,
  type AffinityTerm,
} from "./interPodAffinity/terms.js";

export const NAME = "InterPodAffinity";

/** filtering.go error reasons. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

export const PRE_FILTER_STATE_KEY = "PreFilter" + NAME;
export const PRE_SCORE_STATE_KEY = "PreScore" + NAME;

/**
 * InterPodAffinityArgs (pkg/scheduler/apis/config/v1 defaults: hardPodAffinityWeight 1;
 * validation_pluginargs.go: 0 ≤ hardPodAffinityWeight ≤ 100).
 */
export const interPodAffinityArgsSchema = z
  .strictObject({
    hardPodAffinityWeight: z.number().int().min(0).max(100).default(1),
    ignorePreferredTermsOfExistingPods: z.boolean().default(false),
  })
  .prefault({});

export type InterPodAffinityArgs = z.output<typeof interPodAffinityArgsSchema>;

type NodeLabels = Readonly<Record<string, string>> | undefined;

const nodeLabels = (n: NodeInfo): NodeLabels => n.node.metadata.labels;

// ---------------------------------------------------------------------------------------------
// Cycle state

/** filtering.go preFilterState. */
export class PreFilterState implements StateData {
  constructor(
    readonly existingAntiAffinityCounts: TopologyCounts,
    readonly affinityCounts: TopologyCounts,
    readonly antiAffinityCounts: TopologyCounts,
    /** The incoming pod and its required terms (namespaceSelector merged). */
    readonly pod: Pod,
    readonly affinityTerms: readonly IncomingTerm[],
    readonly antiAffinityTerms: readonly IncomingTerm[],
    /** Labels of the incoming pod's namespace (undefined if unknown). */
    readonly namespaceLabels: Readonly<Record<string, string>> | undefined,
    /** The incoming pod matches all of its own required affinity terms. */
    readonly matchesOwnAffinity: boolean,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
      this.pod,
      this.affinityTerms,
      this.antiAffinityTerms,
      this.namespaceLabels,
      this.matchesOwnAffinity,
    );
  }

  /** updateWithPod: `other` is added (+1) to or removed (−1) from `node`. */
  update(other: Pod, node: NodeInfo, multiplier: 1 | -1): void {
    const labels = nodeLabels(node);
    for (const t of podAffinityInfo(other).requiredAntiAffinity) {
      if (termMatches(t, this.pod, this.namespaceLabels)) this.existingAntiAffinityCounts.addAtNode(labels, t.topologyKey, multiplier);
    }
    if (matchesAllTerms(this.affinityTerms, other)) {
      for (const t of this.affinityTerms) this.affinityCounts.addAtNode(labels, t.topologyKey, multiplier);
    }
    for (const t of this.antiAffinityTerms) {
      if (t.matches(other)) this.antiAffinityCounts.addAtNode(labels, t.topologyKey, multiplier);
    }
  }
}

/** scoring.go preScoreState. Score never changes it, so clone shares it (as upstream does). */
export class PreScoreState implements StateData {
  constructor(readonly topologyScore: TopologyCounts) {}
  clone(): PreScoreState {
    return this;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-node cache of the terms carried by the node's pods

/** Required anti-affinity terms on a node: how many of its pods carry each (interned) term. */
interface TermCount {
  readonly term: AffinityTerm;
  readonly count: number;
}

/**
 * The scoring contributions of a node's pods' own terms, per interned term: `required` required
 * affinity occurrences (each worth hardPodAffinityWeight), and the signed weight sum of preferred
 * affinity (+w) / anti-affinity (−w) occurrences. Summing is exact: each occurrence adds linearly.
 */
interface ScoreTerm {
  readonly term: AffinityTerm;
  required: number;
  preferred: number;
  preferredCount: number;
}

interface NodeTerms {
  generation: number;
  /** From upstream NodeInfo.PodsWithRequiredAntiAffinity. */
  requiredAntiAffinity: TermCount[];
  /** From upstream NodeInfo.PodsWithAffinity. */
  scoring: ScoreTerm[];
}

/** Per cycle: does an existing pod's term select the incoming pod? Memoised per interned term. */
class ExistingTermMatcher {
  private readonly memo = new Map<AffinityTerm, boolean>();
  constructor(
    private readonly pod: Pod,
    private readonly nsLabels: Readonly<Record<string, string>> | undefined,
  ) {}
  matches(term: AffinityTerm): boolean {
    let m = this.memo.get(term);
    if (m === undefined) {
      m = termMatches(term, this.pod, this.nsLabels);
      this.memo.set(term, m);
    }
    return m;
  }
}

// ---------------------------------------------------------------------------------------------
// The plugin

/**
 * The nodes of a live cache holding pods with pod (anti-)affinity (upstream: NodeInfo.PodsWithAffinity
 * not empty), kept up to date from the cache's changes. The other nodes carry no terms, so the
 * passes over existing pods' terms visit only these.
 */
class NodesWithAffinityPods implements NodeInfoListener {
  /** Node → pods on it with pod (anti-)affinity. */
  readonly nodes = new Map<NodeInfo, number>();

  constructor(nodes: readonly NodeInfo[]) {
    for (const node of nodes) for (const pod of node.pods.values()) this.podAdded(node, pod);
  }

  nodeAdded(): void {}
  nodeUpdated(): void {}
  nodeRemoved(node: NodeInfo): void {
    this.nodes.delete(node);
  }
  podAdded(node: NodeInfo, pod: PodInfo): void {
    if (podAffinityInfo(pod.pod).hasPodAffinity) this.nodes.set(node, (this.nodes.get(node) ?? 0) + 1);
  }
  podRemoved(node: NodeInfo, pod: PodInfo): void {
    if (!podAffinityInfo(pod.pod).hasPodAffinity) return;
    const n = this.nodes.get(node)! - 1;
    if (n === 0) this.nodes.delete(node);
    else this.nodes.set(node, n);
  }
  podUpdated(node: NodeInfo, old: PodInfo, updated: PodInfo): void {
    // A pod's affinity is in its spec, which no update changes; checked all the same.
    if (podAffinityInfo(old.pod).hasPodAffinity === podAffinityInfo(updated.pod).hasPodAffinity) return;
    this.podRemoved(node, old);
    this.podAdded(node, updated);
  }
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly nodeCache = new WeakMap<NodeInfo, NodeTerms>();
  private readonly affinityNodes = new WeakMap<NodeInfoEvents, NodesWithAffinityPods>();

  constructor(readonly args: InterPodAffinityArgs = { hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false }) {}

  /**
   * The nodes whose pods may carry terms: with a live cache, those holding pods with pod
   * (anti-)affinity (the sums below only add what such nodes carry, in any order); else all.
   */
  private nodesWithTerms(handle: FrameworkHandle): Iterable<NodeInfo> {
    const events = handle.cacheEvents;
    if (!events) return handle.nodes;
    let index = this.affinityNodes.get(events);
    if (!index) {
      index = new NodesWithAffinityPods(handle.nodes);
      events.subscribe(index);
      this.affinityNodes.set(events, index);
    }
    return index.nodes.keys();
  }

  /** The terms the node's pods carry, recomputed only when the NodeInfo changed. */
  private nodeTerms(node: NodeInfo): NodeTerms {
    let entry = this.nodeCache.get(node);
    if (entry && entry.generation === node.generation) return entry;
    const anti = new Map<AffinityTerm, number>();
    const scoring = new Map<AffinityTerm, ScoreTerm>();
    const scoreTerm = (term: AffinityTerm): ScoreTerm => {
      let st = scoring.get(term);
      if (!st) scoring.set(term, (st = { term, required: 0, preferred: 0, preferredCount: 0 }));
      return st;
    };
    for (const pi of node.pods.values()) {
      const info = podAffinityInfo(pi.pod);
      if (!info.hasPodAffinity) continue;
      for (const t of info.requiredAntiAffinity) anti.set(t, (anti.get(t) ?? 0) + 1);
      for (const t of info.requiredAffinity) scoreTerm(t).required++;
      for (const w of info.preferredAffinity) {
        const st = scoreTerm(w.term);
        st.preferred += w.weight;
        st.preferredCount++;
      }
      for (const w of info.preferredAntiAffinity) {
        const st = scoreTerm(w.term);
        st.preferred -= w.weight;
        st.preferredCount++;
      }
    }
    entry = {
      generation: node.generation,
      requiredAntiAffinity: [...anti].map(([term, count]) => ({ term, count })),
      scoring: [...scoring.values()],
    };
    this.nodeCache.set(node, entry);
    return entry;
  }

  // --- PreFilter / Filter (filtering.go) ------------------------------------------------------

  preFilter(state: CycleState, podInfo: PodInfo, handle: FrameworkHandle): PreFilterResult {
    const pod = podInfo.pod;
    const info = podAffinityInfo(pod);
    if (info.error !== undefined) return { status: unresolvable(NAME, `parsing pod: ${info.error}`) };
    const lookup = (ns: string): Record<string, string> | undefined => handle.namespaceLabels(ns);
    const nsLabels = handle.namespaceLabels(podNamespace(pod));
    const affinityTerms = info.requiredAffinity.map((t) => new IncomingTerm(t, lookup));
    const antiAffinityTerms = info.requiredAntiAffinity.map((t) => new IncomingTerm(t, lookup));

    // getExistingAntiAffinityCounts: only nodes whose pods carry required anti-affinity.
    const existing = new TopologyCounts();
    const existingMatcher = new ExistingTermMatcher(pod, nsLabels);
    for (const node of this.nodesWithTerms(handle)) {
      const carried = this.nodeTerms(node).requiredAntiAffinity;
      if (carried.length === 0) continue;
      const labels = nodeLabels(node);
      if (!labels) continue;
      for (const { term, count } of carried) {
        if (Object.hasOwn(labels, term.topologyKey) && existingMatcher.matches(term)) existing.add(term.topologyKey, labels[term.topologyKey], count);
      }
    }

    // getIncomingAffinityAntiAffinityCounts: every pod of every node, if the pod has required terms.
    const affinity = new TopologyCounts();
    const anti = new TopologyCounts();
    if (affinityTerms.length > 0 || antiAffinityTerms.length > 0) {
      // The node's value for each term's topology key (undefined: the node lacks the key).
      const affinityValues: (string | undefined)[] = new Array(affinityTerms.length);
      const antiValues: (string | undefined)[] = new Array(antiAffinityTerms.length);
      const valuesOn = (terms: readonly IncomingTerm[], labels: Readonly<Record<string, string>>, out: (string | undefined)[]): boolean => {
        let any = false;
        for (let i = 0; i < terms.length; i++) {
          const k = terms[i].topologyKey;
          out[i] = Object.hasOwn(labels, k) ? labels[k] : undefined;
          if (out[i] !== undefined) any = true;
        }
        return any;
      };
      for (const node of handle.nodes) {
        const labels = nodeLabels(node);
        if (!labels) continue;
        const anyAffinity = valuesOn(affinityTerms, labels, affinityValues);
        const anyAnti = valuesOn(antiAffinityTerms, labels, antiValues);
        // A node with none of the terms' topology keys cannot add to any count.
        if (!anyAffinity && !anyAnti) continue;
        for (const pi of node.pods.values()) {
          const existingPod = pi.pod;
          if (anyAffinity && matchesAllTerms(affinityTerms, existingPod)) {
            for (let i = 0; i < affinityTerms.length; i++) {
              const v = affinityValues[i];
              if (v !== undefined) affinity.add(affinityTerms[i].topologyKey, v, 1);
            }
          }
          if (anyAnti) {
            for (let i = 0; i < antiAffinityTerms.length; i++) {
              const v = antiValues[i];
              if (v !== undefined && antiAffinityTerms[i].matches(existingPod)) anti.add(antiAffinityTerms[i].topologyKey, v, 1);
            }
          }
        }
      }
    }

    if (existing.size === 0 && affinityTerms.length === 0 && antiAffinityTerms.length === 0) return { status: SKIP };
    state.write(
      PRE_FILTER_STATE_KEY,
      new PreFilterState(existing, affinity, anti, pod, affinityTerms, antiAffinityTerms, nsLabels, matchesAllTerms(affinityTerms, pod)),
    );
    return { status: SUCCESS };
  }

  addPod(state: CycleState, _pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    return this.updateState(state, added.pod, node, 1);
  }

  removePod(state: CycleState, _pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    return this.updateState(state, removed.pod, node, -1);
  }

  private updateState(state: CycleState, other: Pod, node: NodeInfo, multiplier: 1 | -1): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    // PreFilter returned Skip (nothing to track), so Filter does not run: nothing to update.
    if (!s) return SUCCESS;
    s.update(other, node, multiplier);
    return SUCCESS;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return errorStatus(NAME, `error reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    const labels = nodeLabels(node);
    if (!satisfyPodAffinity(s, labels)) return unresolvable(NAME, ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    if (!satisfyPodAntiAffinity(s, labels)) return unschedulable(NAME, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    if (s.existingAntiAffinityCounts.anyPositiveOnNode(labels)) return unschedulable(NAME, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    return SUCCESS;
  }

  // --- PreScore / Score / NormalizeScore (scoring.go) ----------------------------------------

  preScore(state: CycleState, podInfo: PodInfo, _nodes: readonly NodeInfo[], handle: FrameworkHandle): Status {
    const pod = podInfo.pod;
    const aff = pod.spec.affinity;
    const hasConstraints =
      (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0 ||
      (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
    if (this.args.ignorePreferredTermsOfExistingPods && !hasConstraints) return SKIP;
    const info = podAffinityInfo(pod);
    if (info.error !== undefined) return errorStatus(NAME, `failed to parse pod: ${info.error}`);

    const lookup = (ns: string): Record<string, string> | undefined => handle.namespaceLabels(ns);
    const nsLabels = handle.namespaceLabels(podNamespace(pod));
    const preferred = info.preferredAffinity.map((t) => new WeightedIncomingTerm(t, lookup));
    const preferredAnti = info.preferredAntiAffinity.map((t) => new WeightedIncomingTerm(t, lookup));
    const hardWeight = this.args.hardPodAffinityWeight;
    const existingMatcher = new ExistingTermMatcher(pod, nsLabels);
    const scores = new TopologyCounts();
    let counted = false;

    // processExistingPod, in two halves. (1) The incoming pod's preferred terms against every pod
    // (only when it has some); (2) the existing pods' own terms against the incoming pod, from the
    // per-node aggregate — pods without pod (anti-)affinity carry no terms, as upstream's
    // PodsWithAffinity shortcut assumes.
    const incoming = [...preferred.map((t) => ({ t, w: t.weight })), ...preferredAnti.map((t) => ({ t, w: -t.weight }))];
    const incomingValues: (string | undefined)[] = new Array(incoming.length);
    // The incoming pod's own preferred terms look at every pod; otherwise only pods with terms count.
    for (const node of incoming.length > 0 ? handle.nodes : this.nodesWithTerms(handle)) {
      const labels = nodeLabels(node);
      if (!labels) continue;
      let anyKey = false;
      for (let i = 0; i < incoming.length; i++) {
        const k = incoming[i].t.topologyKey;
        incomingValues[i] = Object.hasOwn(labels, k) ? labels[k] : undefined;
        if (incomingValues[i] !== undefined) anyKey = true;
      }
      if (anyKey) {
        for (const pi of node.pods.values()) {
          for (let i = 0; i < incoming.length; i++) {
            const v = incomingValues[i];
            if (v !== undefined && incoming[i].t.matches(pi.pod)) {
              scores.add(incoming[i].t.topologyKey, v, incoming[i].w);
              counted = true;
            }
          }
        }
      }
      for (const st of this.nodeTerms(node).scoring) {
        const key = st.term.topologyKey;
        if (!Object.hasOwn(labels, key)) continue;
        const useRequired = hardWeight > 0 && st.required > 0;
        if (!useRequired && st.preferredCount === 0) continue;
        if (!existingMatcher.matches(st.term)) continue;
        scores.add(key, labels[key], (useRequired ? st.required * hardWeight : 0) + st.preferred);
        counted = true;
      }
    }

    // Upstream skips when no node contributed an entry (an entry that sums to 0 still counts).
    if (!counted) return SKIP;
    state.write(PRE_SCORE_STATE_KEY, new PreScoreState(scores));
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return 0;
    return s.topologyScore.sumOnNode(nodeLabels(node));
  }

  normalizeScore(state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    // Upstream returns early only when its topology map is empty, which PreScore already turned
    // into Skip; an entry whose weights cancel to 0 still counts there, so normalise regardless.
    if (!state.read<PreScoreState>(PRE_SCORE_STATE_KEY)) return;
    normalizeInterPodAffinityScores(scores);
  }
}

/**
 * NormalizeScore: min and max over the scores themselves (upstream starts from MaxInt64/MinInt64,
 * not 0), then trunc(MaxNodeScore × ((s − min) / (max − min))) in float64; all 0 if max = min.
 */
export function normalizeInterPodAffinityScores(scores: number[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s > max) max = s;
    if (s < min) min = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0;
  }
}

function satisfyPodAffinity(s: PreFilterState, labels: NodeLabels): boolean {
  let podsExist = true;
  for (const t of s.affinityTerms) {
    // All topology labels must exist on the node, even for the first pod of a group.
    if (!labels || !Object.hasOwn(labels, t.topologyKey)) return false;
    if (s.affinityCounts.get(t.topologyKey, labels[t.topologyKey]) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // No pod anywhere matches the terms, but the pod matches its own terms: it may go first.
  return s.affinityCounts.size === 0 && s.matchesOwnAffinity;
}

function satisfyPodAntiAffinity(s: PreFilterState, labels: NodeLabels): boolean {
  if (s.antiAffinityCounts.size === 0 || !labels) return true;
  for (const t of s.antiAffinityTerms) {
    if (Object.hasOwn(labels, t.topologyKey) && s.antiAffinityCounts.get(t.topologyKey, labels[t.topologyKey]) > 0) return false;
  }
  return true;
}

export const interPodAffinityFactory: PluginFactory<InterPodAffinityArgs> = {
  name: NAME,
  args: interPodAffinityArgsSchema,
  create: (args) => new InterPodAffinity(args),
};
