/**
 * What PodTopologySpread's filtering and scoring share (upstream
 * pkg/scheduler/framework/plugins/podtopologyspread/common.go and plugin.go, helper/spread.go):
 * compiled label selectors, the internal form of a constraint, node inclusion policies and pod
 * counting.
 */
import type { LabelSelector, Node, Pod, TopologySpreadConstraint } from "../../../sim/api/objects.js";
import { firstUntoleratedTaint, matchesNodeSelectorTerm } from "../../../sim/cluster/selectors.js";
import type { NodeInfo, PodInfo } from "../../../sim/scheduler/framework.js";

export const NAME = "PodTopologySpread";

/** Filter reasons, verbatim from plugin.go (ErrReasonConstraintsNotMatch / ErrReasonNodeLabelNotMatch). */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

/** core/v1 well-known labels. */
export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";

type Labels = Readonly<Record<string, string>>;
const NO_LABELS: Labels = Object.freeze({});

/** A label's value, or undefined when absent (prototype keys such as "constructor" are not labels). */
export function labelValue(labels: Labels | undefined, key: string): string | undefined {
  if (!labels) return undefined;
  const v = labels[key];
  return typeof v === "string" ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Selectors (k8s.io/apimachinery labels.Selector semantics)

const Op = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3 } as const;
type Op = (typeof Op)[keyof typeof Op];

interface Requirement {
  readonly key: string;
  readonly op: Op;
  readonly values: readonly string[];
}

/**
 * A parsed label selector. `nothing` is labels.Nothing() — what a nil LabelSelector converts to
 * (metav1.LabelSelectorAsSelector) — and matches no pod; a selector without requirements is
 * labels.Everything() and matches every pod.
 */
export class PodSelector {
  static readonly NOTHING = new PodSelector(true, []);

  private constructor(
    readonly nothing: boolean,
    private readonly reqs: readonly Requirement[],
  ) {}

  /** metav1.LabelSelectorAsSelector: nil → Nothing; matchLabels become `key In [value]`. */
  static fromLabelSelector(ls: LabelSelector | undefined): PodSelector {
    if (!ls) return PodSelector.NOTHING;
    return new PodSelector(false, requirementsOf(ls));
  }

  /** No requirements (labels.Everything); Nothing is not empty. */
  get empty(): boolean {
    return !this.nothing && this.reqs.length === 0;
  }

  get requirementCount(): number {
    return this.reqs.length;
  }

  private keyCache: string | undefined;

  /** A string equal for selectors with the same requirements in the same order. */
  get key(): string {
    this.keyCache ??= this.nothing ? "nothing" : JSON.stringify(this.reqs.map((r) => [r.key, r.op, r.values]));
    return this.keyCache;
  }

  /**
   * This selector with `key In [value]` for each pair prepended (common.go
   * mergeLabelSetWithSelector). Nothing stays Nothing: it has no requirements to merge with.
   */
  withLabels(pairs: readonly (readonly [string, string])[]): PodSelector {
    if (this.nothing || pairs.length === 0) return this;
    const extra: Requirement[] = pairs.map(([key, value]) => ({ key, op: Op.In, values: [value] }));
    return new PodSelector(false, [...extra, ...this.reqs]);
  }

  /** The AND of several selectors' requirements (helper.DefaultSelector's selector.Add). */
  static and(selectors: readonly LabelSelector[]): PodSelector {
    const reqs: Requirement[] = [];
    for (const s of selectors) reqs.push(...requirementsOf(s));
    return new PodSelector(false, reqs);
  }

  matches(labels: Labels | undefined): boolean {
    if (this.nothing) return false;
    const l = labels ?? NO_LABELS;
    const reqs = this.reqs;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i];
      const v = labelValue(l, r.key);
      switch (r.op) {
        case Op.In:
          if (v === undefined || !r.values.includes(v)) return false;
          break;
        case Op.NotIn:
          if (v !== undefined && r.values.includes(v)) return false;
          break;
        case Op.Exists:
          if (v === undefined) return false;
          break;
        case Op.DoesNotExist:
          if (v !== undefined) return false;
          break;
      }
    }
    return true;
  }
}

function requirementsOf(ls: LabelSelector): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, op: Op.In, values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const op = e.operator === "In" ? Op.In : e.operator === "NotIn" ? Op.NotIn : e.operator === "Exists" ? Op.Exists : Op.DoesNotExist;
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

// ---------------------------------------------------------------------------------------------
// Constraints

/** The internal form of a v1.TopologySpreadConstraint, with its selector parsed (common.go). */
export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: PodSelector;
  /** 1 when unset. */
  readonly minDomains: number;
  /** nodeAffinityPolicy Honor (the default). */
  readonly honorNodeAffinity: boolean;
  /** nodeTaintsPolicy Honor (default Ignore). */
  readonly honorNodeTaints: boolean;
  readonly isHostname: boolean;
}

/**
 * The constraints with the given whenUnsatisfiable, parsed (common.go filterTopologySpreadConstraints).
 * matchLabelKeys: the pod's own values for those keys are ANDed into the selector (keys the pod
 * lacks are skipped).
 */
export function parseConstraints(
  constraints: readonly TopologySpreadConstraint[],
  podLabels: Labels | undefined,
  action: TopologySpreadConstraint["whenUnsatisfiable"],
): Constraint[] {
  const out: Constraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = PodSelector.fromLabelSelector(c.labelSelector);
    if (c.matchLabelKeys && c.matchLabelKeys.length > 0) {
      const pairs: [string, string][] = [];
      for (const key of c.matchLabelKeys) {
        const v = labelValue(podLabels, key);
        if (v !== undefined) pairs.push([key, v]);
      }
      selector = selector.withLabels(pairs);
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
      honorNodeTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
      isHostname: c.topologyKey === LABEL_HOSTNAME,
    });
  }
  return out;
}

/** Whether the node carries every constraint's topology key (common.go nodeLabelsMatchSpreadConstraints). */
export function nodeHasAllKeys(node: Node, constraints: readonly Constraint[]): boolean {
  const labels = node.metadata.labels;
  for (let i = 0; i < constraints.length; i++) if (labelValue(labels, constraints[i].topologyKey) === undefined) return false;
  return true;
}

/**
 * nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): spec.nodeSelector (every pair) AND, if
 * set, required node affinity (any term; an empty term list matches nothing).
 */
export function matchesRequiredNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels;
  const sel = pod.spec.nodeSelector;
  if (sel) {
    for (const key in sel) if (labelValue(labels, key) !== sel[key]) return false;
  }
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const name = node.metadata.name;
    for (const term of required.nodeSelectorTerms) if (matchesNodeSelectorTerm(term, labels, name)) return true;
    return false;
  }
  return true;
}

/** Whether the node has a NoSchedule/NoExecute taint the pod does not tolerate (helper.DoNotScheduleTaintsFilterFunc). */
export function hasUntoleratedTaint(pod: Pod, node: Node): boolean {
  return firstUntoleratedTaint(node.spec.taints, pod.spec.tolerations, DO_NOT_SCHEDULE_EFFECTS) !== undefined;
}
const DO_NOT_SCHEDULE_EFFECTS = ["NoSchedule", "NoExecute"] as const;

/**
 * Lazily evaluated node inclusion (common.go matchNodeInclusionPolicies): the affinity and taint
 * checks are computed at most once per node, and only if some constraint honours them.
 */
export class NodeInclusion {
  private node: Node | undefined;
  private affinity = 0; // 0 unknown, 1 match, 2 no match
  private taints = 0; // 0 unknown, 1 tolerated, 2 untolerated

  constructor(private readonly pod: Pod) {}

  /** Starts evaluating another node. */
  reset(node: Node): void {
    this.node = node;
    this.affinity = 0;
    this.taints = 0;
  }

  /** Whether the current node counts for constraint c. */
  includes(c: Constraint): boolean {
    const node = this.node!;
    if (c.honorNodeAffinity) {
      if (this.affinity === 0) this.affinity = matchesRequiredNodeAffinity(this.pod, node) ? 1 : 2;
      if (this.affinity === 2) return false;
    }
    if (c.honorNodeTaints) {
      if (this.taints === 0) this.taints = hasUntoleratedTaint(this.pod, node) ? 2 : 1;
      if (this.taints === 2) return false;
    }
    return true;
  }
}

/**
 * Pods on the node in namespace `ns`, not terminating, matching the selector (common.go
 * countPodsMatchSelector). An empty selector counts nothing.
 */
export function countMatchingPods(node: NodeInfo, selector: PodSelector, ns: string): number {
  if (selector.empty || selector.nothing) return 0;
  let n = 0;
  for (const p of node.pods.values()) {
    const meta = p.pod.metadata;
    if (meta.deletionTimestamp !== undefined || (meta.namespace ?? "") !== ns) continue;
    if (selector.matches(meta.labels)) n++;
  }
  return n;
}

export function namespaceOf(pod: PodInfo): string {
  return pod.pod.metadata.namespace ?? "";
}
