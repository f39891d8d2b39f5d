/**
 * Pod (anti-)affinity terms as InterPodAffinity sees them, and the topology-pair counters it keeps.
 *
 * Upstream sources (Kubernetes v1.34):
 *  - pkg/scheduler/framework/types.go — AffinityTerm, newAffinityTerm, getNamespacesFromPodAffinityTerm,
 *    AffinityTerm.Matches: a term selects a pod when (the pod's namespace is in `namespaces` OR the
 *    term's namespaceSelector matches the labels of the *incoming* pod's namespace) AND the label
 *    selector matches the pod's labels.
 *  - k8s.io/apimachinery metav1.LabelSelectorAsSelector — a nil selector selects nothing, an empty
 *    one (`{}`) selects everything; the same holds for namespaceSelector.
 *  - `namespaces` defaults to the term owner's namespace only when the list is empty AND
 *    namespaceSelector is nil.
 *  - pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys — kube-apiserver
 *    merges matchLabelKeys (as `key In (value)`) and mismatchLabelKeys (as `key NotIn (value)`) into
 *    the term's labelSelector at pod creation, using the owning pod's labels; keys the pod does not
 *    have are skipped and a nil labelSelector stays nil. simk has no such mutation, so it is done
 *    here when a pod's terms are first parsed.
 *  - pkg/scheduler/framework/plugins/interpodaffinity/plugin.go mergeAffinityTermNamespacesIfNotEmpty
 *    — for the *incoming* pod's terms, a non-empty namespaceSelector is resolved to the namespaces that
 *    exist and match it (and the selector then selects nothing); an empty one keeps matching every
 *    namespace. simk resolves lazily, per namespace, with the same outcome ({@link IncomingTerm}).
 */
import type { LabelSelector, LabelSelectorRequirement, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../../sim/api/objects.js";

type Labels = Readonly<Record<string, string>> | undefined;

/**
 * A metav1.LabelSelector compiled once: matchLabels become `key In (value)` (the same test:
 * the key must be present with that value), then the matchExpressions. The semantics are those of
 * sim/cluster/selectors.ts matchesLabelSelector, without its per-call allocations.
 */
export class CompiledSelector {
  private readonly keys: string[] = [];
  /** 0 In, 1 NotIn, 2 Exists, 3 DoesNotExist. */
  private readonly ops: number[] = [];
  private readonly values: (readonly string[])[] = [];
  /** `{}`: selects everything. */
  readonly empty: boolean;

  constructor(selector: LabelSelector) {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) this.push(k, 0, [v]);
    for (const req of selector.matchExpressions ?? []) {
      const op = req.operator === "In" ? 0 : req.operator === "NotIn" ? 1 : req.operator === "Exists" ? 2 : 3;
      this.push(req.key, op, req.values ?? []);
    }
    this.empty = this.keys.length === 0;
  }

  private push(key: string, op: number, values: readonly string[]): void {
    this.keys.push(key);
    this.ops.push(op);
    this.values.push(values);
  }

  matches(labels: Labels): boolean {
    const l = labels ?? {};
    for (let i = 0; i < this.keys.length; i++) {
      const has = Object.hasOwn(l, this.keys[i]);
      switch (this.ops[i]) {
        case 0:
          if (!has || !this.values[i].includes(l[this.keys[i]])) return false;
          break;
        case 1:
          if (has && this.values[i].includes(l[this.keys[i]])) return false;
          break;
        case 2:
          if (!has) return false;
          break;
        default:
          if (has) return false;
      }
    }
    return true;
  }
}

/** A nil selector selects nothing. */
const selects = (s: CompiledSelector | undefined, labels: Labels): boolean => s !== undefined && s.matches(labels);

/**
 * A parsed PodAffinityTerm of one pod (upstream framework.AffinityTerm). Terms are interned: the
 * replicas of one template (same term object, same namespace, same merged label values) share one
 * AffinityTerm, so per-cycle match results can be memoised by identity.
 */
export interface AffinityTerm {
  /** undefined selects nothing (a nil labelSelector). */
  readonly selector: CompiledSelector | undefined;
  readonly namespaces: ReadonlySet<string>;
  /** undefined selects nothing (a nil namespaceSelector); an empty one every namespace. */
  readonly namespaceSelector: CompiledSelector | undefined;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm {
  readonly term: AffinityTerm;
  readonly weight: number;
}

/** Everything InterPodAffinity needs from one pod's spec.affinity, parsed once per Pod object. */
export interface PodAffinityInfo {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  /** spec.affinity has podAffinity or podAntiAffinity (upstream NodeInfo.PodsWithAffinity). */
  readonly hasPodAffinity: boolean;
  /** At least one required anti-affinity term (upstream NodeInfo.PodsWithRequiredAntiAffinity). */
  readonly hasRequiredAntiAffinity: boolean;
  /** Why a selector could not be parsed (upstream NewPodInfo's aggregate error), if any. */
  readonly error?: string;
}

export const podNamespace = (pod: Pod): string => pod.metadata.namespace ?? "";

// ---------------------------------------------------------------------------------------------
// Parsing

const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** validation.IsValidLabelValue, as labels.NewRequirement reports it (field path values[i][key]). */
function labelValueProblem(key: string, value: string, index: number): string | undefined {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 characters");
  if (!LABEL_VALUE_RE.test(value)) problems.push(LABEL_VALUE_MSG);
  if (problems.length === 0) return undefined;
  return `values[${index}][${key}]: Invalid value: ${JSON.stringify(value)}: ${problems.join("; ")}`;
}

/**
 * The first reason metav1.LabelSelectorAsSelector would reject `selector` (operator/values
 * consistency and label-value syntax; label keys are not checked here).
 */
export function selectorProblem(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    const p = labelValueProblem(k, v, 0);
    if (p) return p;
  }
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? [];
    if ((req.operator === "In" || req.operator === "NotIn") && values.length === 0) {
      return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
    }
    if ((req.operator === "Exists" || req.operator === "DoesNotExist") && values.length !== 0) {
      return `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`;
    }
    for (let i = 0; i < values.length; i++) {
      const p = labelValueProblem(req.key, values[i], i);
      if (p) return p;
    }
  }
  return undefined;
}

/** The requirements kube-apiserver's matchLabelKeys / mismatchLabelKeys merge appends. */
function mergedRequirements(term: PodAffinityTerm, ownerLabels: Labels): LabelSelectorRequirement[] {
  const extra: LabelSelectorRequirement[] = [];
  if (!term.labelSelector) return extra;
  const labels = ownerLabels ?? {};
  for (const key of term.matchLabelKeys ?? []) if (Object.hasOwn(labels, key)) extra.push({ key, operator: "In", values: [labels[key]] });
  for (const key of term.mismatchLabelKeys ?? []) if (Object.hasOwn(labels, key)) extra.push({ key, operator: "NotIn", values: [labels[key]] });
  return extra;
}

// Raw term object → "<owner namespace>\0<merged values>" → interned term.
const internedTerms = new WeakMap<PodAffinityTerm, Map<string, AffinityTerm>>();

function parseTerm(owner: Pod, term: PodAffinityTerm): AffinityTerm {
  const ns = podNamespace(owner);
  const extra = mergedRequirements(term, owner.metadata.labels);
  const key = extra.length === 0 ? ns : `${ns}\u0000${JSON.stringify(extra)}`;
  let byKey = internedTerms.get(term);
  const known = byKey?.get(key);
  if (known) return known;
  const listed = term.namespaces ?? [];
  const sel = term.labelSelector;
  const parsed: AffinityTerm = {
    selector: sel ? new CompiledSelector(extra.length ? { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] } : sel) : undefined,
    namespaces: new Set<string>(listed.length === 0 && term.namespaceSelector === undefined ? [ns] : listed),
    namespaceSelector: term.namespaceSelector ? new CompiledSelector(term.namespaceSelector) : undefined,
    topologyKey: term.topologyKey,
  };
  if (!byKey) internedTerms.set(term, (byKey = new Map()));
  byKey.set(key, parsed);
  return parsed;
}

/**
 * Parses one list; like upstream GetAffinityTerms, a selector that does not parse drops the whole
 * list and reports `<what>: <reason>`.
 */
function parseList(owner: Pod, what: string, raw: readonly PodAffinityTerm[], errors: string[]): AffinityTerm[] {
  const out: AffinityTerm[] = [];
  for (const term of raw) {
    const problem = selectorProblem(term.labelSelector) ?? selectorProblem(term.namespaceSelector);
    if (problem) {
      errors.push(`${what}: ${problem}`);
      return [];
    }
    out.push(parseTerm(owner, term));
  }
  return out;
}

function parseWeightedList(owner: Pod, what: string, raw: readonly WeightedPodAffinityTerm[], errors: string[]): WeightedAffinityTerm[] {
  const terms = parseList(
    owner,
    what,
    raw.map((w) => w.podAffinityTerm),
    errors,
  );
  return terms.map((term, i) => ({ term, weight: raw[i].weight }));
}

const EMPTY: PodAffinityInfo = Object.freeze({
  requiredAffinity: [],
  requiredAntiAffinity: [],
  preferredAffinity: [],
  preferredAntiAffinity: [],
  hasPodAffinity: false,
  hasRequiredAntiAffinity: false,
});

// Store objects are immutable (copy-on-write), so a Pod object's parse never goes stale.
const parsedPods = new WeakMap<Pod, PodAffinityInfo>();

/** The pod's parsed inter-pod (anti-)affinity (upstream framework.NewPodInfo), memoised per Pod object. */
export function podAffinityInfo(pod: Pod): PodAffinityInfo {
  const aff = pod.spec.affinity;
  if (!aff || (!aff.podAffinity && !aff.podAntiAffinity)) return EMPTY;
  let info = parsedPods.get(pod);
  if (info) return info;
  const errors: string[] = [];
  const pa = aff.podAffinity;
  const pan = aff.podAntiAffinity;
  const requiredAffinity = parseList(pod, "requiredAffinityTerms", pa?.requiredDuringSchedulingIgnoredDuringExecution ?? [], errors);
  const requiredAntiAffinity = parseList(pod, "requiredAntiAffinityTerms", pan?.requiredDuringSchedulingIgnoredDuringExecution ?? [], errors);
  const preferredAffinity = parseWeightedList(pod, "preferredAffinityTerms", pa?.preferredDuringSchedulingIgnoredDuringExecution ?? [], errors);
  const preferredAntiAffinity = parseWeightedList(pod, "preferredAntiAffinityTerms", pan?.preferredDuringSchedulingIgnoredDuringExecution ?? [], errors);
  info = {
    requiredAffinity,
    requiredAntiAffinity,
    preferredAffinity,
    preferredAntiAffinity,
    hasPodAffinity: true,
    hasRequiredAntiAffinity: (pan?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0,
    // utilerrors.NewAggregate: one error prints bare, several as "[a, b]".
    ...(errors.length > 0 ? { error: errors.length === 1 ? errors[0] : `[${errors.join(", ")}]` } : {}),
  };
  parsedPods.set(pod, info);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Matching

/**
 * AffinityTerm.Matches for a term of an *existing* pod against `pod`, where `nsLabels` are the
 * labels of `pod`'s namespace (undefined if the namespace is unknown, which selects like `{}`).
 */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Labels): boolean {
  const nsOk = term.namespaces.has(podNamespace(pod)) || selects(term.namespaceSelector, nsLabels);
  return nsOk && selects(term.selector, pod.metadata.labels);
}

/**
 * A term of the *incoming* pod, with its namespaceSelector merged into its namespaces the way
 * mergeAffinityTermNamespacesIfNotEmpty does: an empty selector keeps matching every namespace; a
 * non-empty one adds the existing namespaces whose labels match (looked up once per namespace).
 */
export class IncomingTerm {
  readonly topologyKey: string;
  private readonly allNamespaces: boolean;
  private readonly selectorNamespaces = new Map<string, boolean>();

  constructor(
    readonly term: AffinityTerm,
    private readonly namespaceLabels: (ns: string) => Record<string, string> | undefined,
  ) {
    this.topologyKey = term.topologyKey;
    this.allNamespaces = term.namespaceSelector !== undefined && term.namespaceSelector.empty;
  }

  private namespaceOk(ns: string): boolean {
    if (this.allNamespaces || this.term.namespaces.has(ns)) return true;
    const sel = this.term.namespaceSelector;
    if (sel === undefined) return false;
    let ok = this.selectorNamespaces.get(ns);
    if (ok === undefined) {
      const labels = this.namespaceLabels(ns);
      ok = labels !== undefined && sel.matches(labels);
      this.selectorNamespaces.set(ns, ok);
    }
    return ok;
  }

  matches(pod: Pod): boolean {
    return this.namespaceOk(podNamespace(pod)) && selects(this.term.selector, pod.metadata.labels);
  }
}

export class WeightedIncomingTerm extends IncomingTerm {
  readonly weight: number;
  constructor(weighted: WeightedAffinityTerm, namespaceLabels: (ns: string) => Record<string, string> | undefined) {
    super(weighted.term, namespaceLabels);
    this.weight = weighted.weight;
  }
}

/** podMatchesAllAffinityTerms: true iff there is at least one term and `pod` matches every one. */
export function matchesAllTerms(terms: readonly IncomingTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!t.matches(pod)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Counters

/**
 * topologyToMatchedTermCount: (topologyKey, value) → count, nested by key. Like upstream, an entry
 * is removed only when it drops to exactly 0 (so `size` is the number of non-zero pairs).
 */
export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  private pairs = 0;

  get size(): number {
    return this.pairs;
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  add(key: string, value: string, delta: number): void {
    let values = this.byKey.get(key);
    if (!values) {
      values = new Map();
      this.byKey.set(key, values);
    }
    const prev = values.get(value);
    const next = (prev ?? 0) + delta;
    if (next === 0) {
      if (prev !== undefined) {
        values.delete(value);
        this.pairs--;
        if (values.size === 0) this.byKey.delete(key);
      }
      return;
    }
    if (prev === undefined) this.pairs++;
    values.set(value, next);
  }

  /** Adds `delta` at the node's value of `key`, if the node has that label. */
  addAtNode(nodeLabels: Labels, key: string, delta: number): boolean {
    if (!nodeLabels || !Object.hasOwn(nodeLabels, key)) return false;
    this.add(key, nodeLabels[key], delta);
    return true;
  }

  /** Whether any (key, value) pair of the node's labels has a positive count. */
  anyPositiveOnNode(nodeLabels: Labels): boolean {
    if (!nodeLabels) return false;
    for (const [key, values] of this.byKey) {
      if (Object.hasOwn(nodeLabels, key) && (values.get(nodeLabels[key]) ?? 0) > 0) return true;
    }
    return false;
  }

  /** Σ over the keys the node has of the count at the node's value (the Score of a node). */
  sumOnNode(nodeLabels: Labels): number {
    if (!nodeLabels) return 0;
    let sum = 0;
    for (const [key, values] of this.byKey) {
      if (Object.hasOwn(nodeLabels, key)) sum += values.get(nodeLabels[key]) ?? 0;
    }
    return sum;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, values] of this.byKey) c.byKey.set(k, new Map(values));
    c.pairs = this.pairs;
    return c;
  }

  /** "key=value" → count, sorted (for tests and debugging). */
  toObject(): Record<string, number> {
    const entries: [string, number][] = [];
    for (const [k, values] of this.byKey) for (const [v, n] of values) entries.push([`${k}=${v}`, n]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return Object.fromEntries(entries);
  }
}
