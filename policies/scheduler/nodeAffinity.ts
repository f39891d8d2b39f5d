/**
 * NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go), with node selector
 * semantics after k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go and
 * label requirement rules after k8s.io/apimachinery/pkg/labels/selector.go (NewRequirement,
 * Requirement.Matches) and pkg/api/validate/content/kube.go (label key / value syntax).
 *
 * Node selector terms:
 *  - terms are ORed; within a term, matchExpressions and matchFields are ANDed;
 *  - a term with no expressions and no fields selects nothing (it is dropped);
 *  - a term that does not parse (unknown operator, In/NotIn without values, Exists with values,
 *    Gt/Lt without exactly one integer, an invalid label key or value, a matchFields requirement
 *    that is not In/NotIn with exactly one value) never matches; for the pod's own required
 *    affinity the parse errors are ignored (the other terms still count), for `addedAffinity` they
 *    are a configuration error, and for the pod's preferred terms an Error status from PreScore;
 *  - matchFields only know `metadata.name`: an In/NotIn on any other key compares against "".
 *
 * PreFilter: Skip when the pod has no nodeSelector, no required node affinity, and the profile has
 * no addedAffinity.required. If every required term pins metadata.name with In, the union over the
 * terms (intersection within a term) becomes PreFilterResult.nodeNames; an empty union is
 * UnschedulableAndUnresolvable "pod affinity terms conflict".
 *
 * Filter: addedAffinity.required first ("node(s) didn't match scheduler-enforced node affinity"),
 * then spec.nodeSelector AND the required terms ("node(s) didn't match Pod's node affinity/
 * selector"), both UnschedulableAndUnresolvable.
 *
 * Score: Σ weights of the matching preferred terms (the pod's and addedAffinity's; weight 0 and
 * empty terms are dropped); NormalizeScore is DefaultNormalizeScore(100, false). PreScore returns
 * Skip when neither the pod nor addedAffinity has preferred terms.
 */
import { z } from "zod";
import type {
  Node,
  NodeAffinity as NodeAffinitySpec,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PreferredSchedulingTerm,
} from "../../sim/api/objects.js";
import type {
  CycleState,
  FilterPlugin,
  FrameworkHandle,
  NodeInfo,
  PodInfo,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
  StateData,
  Status,
} from "../../sim/scheduler/framework.js";
import { MAX_NODE_SCORE, SKIP, SUCCESS, errorStatus, unresolvable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import { defaultNormalizeScore } from "./normalize.js";

export const NAME = "NodeAffinity";
const PRE_FILTER_KEY = "PreFilter" + NAME;
const PRE_SCORE_KEY = "PreScore" + NAME;

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

const POD_MISMATCH: Status = Object.freeze(unresolvable(NAME, ERR_REASON_POD));
const ENFORCED_MISMATCH: Status = Object.freeze(unresolvable(NAME, ERR_REASON_ENFORCED));

type Labels = Readonly<Record<string, string>>;
const NO_LABELS: Labels = Object.freeze({});

// ---------------------------------------------------------------------------------------------
// Error text, in the shape of k8s.io/apimachinery/pkg/util/validation/field errors.

const quote = (s: string): string => JSON.stringify(s);
/** Go's %#v of a []string. */
const stringSlice = (v: readonly string[] | undefined): string => (v === undefined ? "[]string(nil)" : `[]string{${v.map(quote).join(", ")}}`);
const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
const index = (path: string, i: number): string => `${path}[${i}]`;
const invalid = (path: string, value: string, detail: string): string => `${path}: Invalid value: ${value}: ${detail}`;
const notSupported = (path: string, value: string, supported: readonly string[]): string =>
  `${path}: Unsupported value: ${quote(value)}: supported values: ${supported.map(quote).join(", ")}`;

/** errors.NewAggregate(...).Error(): one message as is, several (deduplicated) in brackets. */
export function aggregateErrors(errs: readonly string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => (out += `${i > 0 ? " or " : ""}'${e}', `));
  return `${out}regex used for validation is '${fmt}')`;
}

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

const LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** content.IsLabelKey: `[DNS-1123 subdomain "/"] name`, name ≤ 63 bytes. */
export function labelKeyProblems(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else {
      if (byteLength(prefix) > 253) errs.push("prefix part must be no more than 253 bytes");
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com")}`);
    }
  } else {
    errs.push(
      `a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    return errs;
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push("name part must be no more than 63 bytes");
  if (!LABEL_KEY_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** content.IsLabelValue: empty, or ≤ 63 bytes of alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
export function labelValueProblems(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push("must be no more than 63 bytes");
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Integers as strconv.ParseInt(s, 10, 64) reads them.

const INT_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The value of a base-10 int64 literal, or undefined if it is not one. */
export function parseInt64(s: string): bigint | undefined {
  if (!INT_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** label (as int64) > bound (gt) or < bound; false if the label is not an int64. No allocation for short labels. */
function compareLabel(label: string, bound: bigint, gt: boolean): boolean {
  if (!INT_RE.test(label)) return false;
  if (label.length <= 15) {
    const n = Number(label); // exact below 2^53
    return gt ? n > bound : n < bound;
  }
  const v = parseInt64(label);
  if (v === undefined) return false;
  return gt ? v > bound : v < bound;
}

// ---------------------------------------------------------------------------------------------
// Parsed node selector terms.

type Operator = NodeSelectorRequirement["operator"];
const LABEL_OPERATORS: readonly Operator[] = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
const FIELD_OPERATORS: readonly Operator[] = ["In", "NotIn"];

interface LabelRequirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
  /** The integer of a Gt/Lt requirement. */
  readonly bound: bigint;
}

interface FieldRequirement {
  readonly key: string;
  /** In (true) or NotIn (false), with exactly one value. */
  readonly equal: boolean;
  readonly value: string;
}

interface ParsedTerm {
  /** undefined when the term has no matchExpressions (no label constraint). */
  readonly labels?: readonly LabelRequirement[];
  readonly fields?: readonly FieldRequirement[];
  /** Set when the term does not parse: it then matches nothing. */
  readonly errors?: readonly string[];
}

const isEmptyTerm = (t: NodeSelectorTerm): boolean => (t.matchExpressions?.length ?? 0) === 0 && (t.matchFields?.length ?? 0) === 0;

/** labels.NewRequirement's checks for one matchExpressions entry at `path`. */
function parseLabelRequirement(req: NodeSelectorRequirement, path: string, errs: string[]): LabelRequirement | undefined {
  const op = req.operator as string;
  if (!(LABEL_OPERATORS as readonly string[]).includes(op)) {
    errs.push(notSupported(child(path, "operator"), op, LABEL_OPERATORS));
    return undefined;
  }
  const before = errs.length;
  const key = req.key ?? "";
  const values = req.values;
  const n = values?.length ?? 0;
  const keyProblems = labelKeyProblems(key);
  if (keyProblems.length) errs.push(invalid(child(path, "key"), quote(key), keyProblems.join("; ")));
  const valuesPath = child(path, "values");
  let bound = 0n;
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (n === 0) errs.push(invalid(valuesPath, stringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (n !== 0) errs.push(invalid(valuesPath, stringSlice(values), "values set must be empty for exists and does not exist"));
      break;
    case "Gt":
    case "Lt":
      if (n !== 1) errs.push(invalid(valuesPath, stringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values?.forEach((v, i) => {
        const parsed = parseInt64(v);
        if (parsed === undefined) errs.push(invalid(index(valuesPath, i), quote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        else if (i === 0) bound = parsed;
      });
      break;
  }
  values?.forEach((v, i) => {
    const problems = labelValueProblems(v);
    if (problems.length) errs.push(invalid(`${index(valuesPath, i)}[${key}]`, quote(v), problems.join("; ")));
  });
  if (errs.length > before) return undefined;
  return { key, op: req.operator, values: values ?? [], bound };
}

/** newNodeSelectorTerm: parses both lists and collects every error. */
function parseTerm(term: NodeSelectorTerm, path: string): ParsedTerm {
  const errs: string[] = [];
  let labels: LabelRequirement[] | undefined;
  let fields: FieldRequirement[] | undefined;
  const exprs = term.matchExpressions ?? [];
  if (exprs.length > 0) {
    labels = [];
    const p = child(path, "matchExpressions");
    exprs.forEach((e, i) => {
      const r = parseLabelRequirement(e, index(p, i), errs);
      if (r) labels!.push(r);
    });
  }
  const fs = term.matchFields ?? [];
  if (fs.length > 0) {
    fields = [];
    const p = child(path, "matchFields");
    fs.forEach((f, i) => {
      const at = index(p, i);
      if (f.operator === "In" || f.operator === "NotIn") {
        if (f.values?.length !== 1) errs.push(invalid(child(at, "values"), stringSlice(f.values), "must have one element"));
        else fields!.push({ key: f.key, equal: f.operator === "In", value: f.values[0] });
      } else errs.push(notSupported(child(at, "operator"), f.operator as string, FIELD_OPERATORS));
    });
  }
  return errs.length ? { errors: errs } : { labels, fields };
}

function matchLabelRequirement(r: LabelRequirement, labels: Labels): boolean {
  switch (r.op) {
    case "In":
      return Object.hasOwn(labels, r.key) && r.values.includes(labels[r.key]);
    case "NotIn":
      return !Object.hasOwn(labels, r.key) || !r.values.includes(labels[r.key]);
    case "Exists":
      return Object.hasOwn(labels, r.key);
    case "DoesNotExist":
      return !Object.hasOwn(labels, r.key);
    case "Gt":
    case "Lt":
      return Object.hasOwn(labels, r.key) && compareLabel(labels[r.key], r.bound, r.op === "Gt");
  }
}

/** nodeSelectorTerm.match for a parsed (error-free) term. */
function matchTerm(t: ParsedTerm, labels: Labels, nodeName: string): boolean {
  if (t.errors) return false;
  if (t.labels) for (let i = 0; i < t.labels.length; i++) if (!matchLabelRequirement(t.labels[i], labels)) return false;
  // The node's field set is {metadata.name} (empty when the node has no name: no field constraint).
  if (t.fields && nodeName.length > 0) {
    for (let i = 0; i < t.fields.length; i++) {
      const f = t.fields[i];
      const actual = f.key === "metadata.name" ? nodeName : "";
      if ((actual === f.value) !== f.equal) return false;
    }
  }
  return true;
}

/** A parsed v1.NodeSelector (LazyErrorNodeSelector): terms ORed, unparsable terms never match. */
export class NodeSelectorMatcher {
  private readonly terms: readonly ParsedTerm[];
  /** Every parse error, with its field path (empty when the selector is valid). */
  readonly errors: readonly string[];

  constructor(selector: NodeSelector, path = "") {
    const termsPath = child(path, "nodeSelectorTerms");
    const terms: ParsedTerm[] = [];
    const errors: string[] = [];
    (selector.nodeSelectorTerms ?? []).forEach((term, i) => {
      if (isEmptyTerm(term)) return; // selects nothing
      const parsed = parseTerm(term, index(termsPath, i));
      if (parsed.errors) errors.push(...parsed.errors);
      terms.push(parsed);
    });
    this.terms = terms;
    this.errors = errors;
  }

  match(labels: Labels, nodeName: string): boolean {
    for (let i = 0; i < this.terms.length; i++) if (matchTerm(this.terms[i], labels, nodeName)) return true;
    return false;
  }

  matchNode(node: Node): boolean {
    return this.match(node.metadata.labels ?? NO_LABELS, node.metadata.name);
  }
}

/** Parsed []v1.PreferredSchedulingTerm: weight-0 and empty terms dropped. */
export class PreferredSchedulingTerms {
  private constructor(private readonly terms: readonly { readonly weight: number; readonly term: ParsedTerm }[]) {}

  /** The parsed terms, or every parse error (paths relative to `path`, e.g. "[0].matchExpressions[0].key"). */
  static parse(terms: readonly PreferredSchedulingTerm[], path = ""): { terms: PreferredSchedulingTerms; errors?: undefined } | { terms?: undefined; errors: string[] } {
    const parsed: { weight: number; term: ParsedTerm }[] = [];
    const errors: string[] = [];
    terms.forEach((t, i) => {
      if (!t.weight || isEmptyTerm(t.preference ?? {})) return;
      const term = parseTerm(t.preference, index(path, i));
      if (term.errors) errors.push(...term.errors);
      else parsed.push({ weight: t.weight, term });
    });
    return errors.length ? { errors } : { terms: new PreferredSchedulingTerms(parsed) };
  }

  /** Σ weights of the terms matching the node. */
  score(labels: Labels, nodeName: string): number {
    let s = 0;
    for (let i = 0; i < this.terms.length; i++) if (matchTerm(this.terms[i].term, labels, nodeName)) s += this.terms[i].weight;
    return s;
  }
}

/**
 * A pod's spec.nodeSelector AND required node affinity (GetRequiredNodeAffinity), for other
 * plugins too (e.g. PodTopologySpread's nodeAffinityPolicy: Honor).
 */
export class RequiredNodeAffinity {
  private readonly selectorKeys: readonly string[];
  private readonly selectorValues: readonly string[];
  private readonly affinity?: NodeSelectorMatcher;

  constructor(pod: Pod) {
    const sel = pod.spec.nodeSelector ?? {};
    this.selectorKeys = Object.keys(sel);
    this.selectorValues = this.selectorKeys.map((k) => sel[k]);
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) this.affinity = new NodeSelectorMatcher(required);
  }

  match(labels: Labels, nodeName: string): boolean {
    for (let i = 0; i < this.selectorKeys.length; i++) {
      const k = this.selectorKeys[i];
      if (!Object.hasOwn(labels, k) || labels[k] !== this.selectorValues[i]) return false;
    }
    return this.affinity ? this.affinity.match(labels, nodeName) : true;
  }

  matchNode(node: Node): boolean {
    return this.match(node.metadata.labels ?? NO_LABELS, node.metadata.name);
  }
}

export function getRequiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  return new RequiredNodeAffinity(pod);
}

// ---------------------------------------------------------------------------------------------
// The plugin.

export interface NodeAffinityArgs {
  /** Applied to every pod of the profile, on top of the pod's own affinity. */
  addedAffinity?: NodeAffinitySpec;
}

const REQUIRED_PATH = "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED_PATH = "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution";

/** Parse errors of args.addedAffinity, each prefixed by where it sits (empty if valid). */
export function nodeAffinityArgsErrors(args: NodeAffinityArgs): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const added = args.addedAffinity;
  if (!added) return out;
  if (added.requiredDuringSchedulingIgnoredDuringExecution) {
    const errs = new NodeSelectorMatcher(added.requiredDuringSchedulingIgnoredDuringExecution).errors;
    if (errs.length) out.push({ path: REQUIRED_PATH, message: aggregateErrors(errs) });
  }
  const preferred = added.preferredDuringSchedulingIgnoredDuringExecution;
  if (preferred && preferred.length) {
    const r = PreferredSchedulingTerms.parse(preferred);
    if (r.errors) out.push({ path: PREFERRED_PATH, message: aggregateErrors(r.errors) });
  }
  return out;
}

class PreFilterState implements StateData {
  constructor(readonly required: RequiredNodeAffinity) {}
  clone(): StateData {
    return this; // not affected by adding or removing pods
  }
}

class PreScoreState implements StateData {
  constructor(readonly preferred: PreferredSchedulingTerms | undefined) {}
  clone(): StateData {
    return this;
  }
}

function podPreferred(pod: Pod): readonly PreferredSchedulingTerm[] | undefined {
  return pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly addedNodeSelector?: NodeSelectorMatcher;
  private readonly addedPreferred?: PreferredSchedulingTerms;

  /** Throws if addedAffinity does not parse (upstream New fails the same way). */
  constructor(args: NodeAffinityArgs = {}) {
    const errs = nodeAffinityArgsErrors(args);
    if (errs.length) throw new Error(errs.map((e) => `parsing ${e.path}: ${e.message}`).join("; "));
    const added = args.addedAffinity;
    if (added?.requiredDuringSchedulingIgnoredDuringExecution) {
      this.addedNodeSelector = new NodeSelectorMatcher(added.requiredDuringSchedulingIgnoredDuringExecution);
    }
    const preferred = added?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred && preferred.length) this.addedPreferred = PreferredSchedulingTerms.parse(preferred).terms;
  }

  preFilter(state: CycleState, pod: PodInfo, _handle: FrameworkHandle): PreFilterResult {
    const spec = pod.pod.spec;
    const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !this.addedNodeSelector && spec.nodeSelector === undefined) return { status: SKIP };
    state.write(PRE_FILTER_KEY, new PreFilterState(new RequiredNodeAffinity(pod.pod)));
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { status: SUCCESS };
    // Affinity to specific node names: metadata.name In, intersected within a term, united across.
    let nodeNames: Set<string> | undefined;
    for (const term of terms) {
      let termNames: Set<string> | undefined;
      for (const r of term.matchFields ?? []) {
        if (r.key !== "metadata.name" || r.operator !== "In") continue;
        const s = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      // A term without a name constraint lets every node through (terms are ORed).
      if (!termNames) return { status: SUCCESS };
      nodeNames = nodeNames ? new Set([...nodeNames, ...termNames]) : termNames;
    }
    if (nodeNames && nodeNames.size === 0) return { status: unresolvable(NAME, ERR_REASON_CONFLICT) };
    return nodeNames ? { status: SUCCESS, nodeNames } : { status: SUCCESS };
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const labels = node.node.metadata.labels ?? NO_LABELS;
    if (this.addedNodeSelector && !this.addedNodeSelector.match(labels, node.name)) return ENFORCED_MISMATCH;
    // Without PreFilter state (PreFilter disabled), parse here as upstream does.
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    const required = s ? s.required : new RequiredNodeAffinity(pod.pod);
    return required.match(labels, node.name) ? SUCCESS : POD_MISMATCH;
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], _handle: FrameworkHandle): Status {
    const terms = podPreferred(pod.pod);
    let preferred: PreferredSchedulingTerms | undefined;
    if (terms !== undefined) {
      const r = PreferredSchedulingTerms.parse(terms);
      if (r.errors) return errorStatus(NAME, aggregateErrors(r.errors));
      preferred = r.terms;
    }
    if (!preferred && !this.addedPreferred) return SKIP;
    state.write(PRE_SCORE_KEY, new PreScoreState(preferred));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const labels = node.node.metadata.labels ?? NO_LABELS;
    let count = this.addedPreferred ? this.addedPreferred.score(labels, node.name) : 0;
    let preferred: PreferredSchedulingTerms | undefined;
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (s) preferred = s.preferred;
    else {
      // PreScore did not run: parse here (an unparsable list adds nothing).
      const terms = podPreferred(pod.pod);
      if (terms !== undefined) preferred = PreferredSchedulingTerms.parse(terms).terms;
    }
    if (preferred) count += preferred.score(labels, node.name);
    return count;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

// ---------------------------------------------------------------------------------------------
// Args (pkg/scheduler/apis/config NodeAffinityArgs; validated as ValidateNodeAffinityArgs does).

const requirementSchema = z.strictObject({
  key: z.string(),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: z.array(z.string()).optional(),
});

const termSchema = z.strictObject({
  matchExpressions: z.array(requirementSchema).optional(),
  matchFields: z.array(requirementSchema).optional(),
});

const nodeAffinitySchema = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({ nodeSelectorTerms: z.array(termSchema) }).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight: z.int().min(0).max(100), preference: termSchema })).optional(),
});

/** NodeAffinityArgs as written in pluginConfig (apiVersion/kind tolerated); missing args → {}. */
export const nodeAffinityArgsSchema: z.ZodType<NodeAffinityArgs> = z
  .strictObject({
    apiVersion: z.string().optional(),
    kind: z.literal("NodeAffinityArgs").optional(),
    addedAffinity: nodeAffinitySchema.optional(),
  })
  .superRefine((args, ctx) => {
    for (const e of nodeAffinityArgsErrors(args)) ctx.addIssue({ code: "custom", message: e.message, path: e.path.split(".") });
  })
  .optional()
  .transform((args): NodeAffinityArgs => (args?.addedAffinity ? { addedAffinity: args.addedAffinity } : {}));

export const nodeAffinityFactory: PluginFactory<NodeAffinityArgs> = {
  name: NAME,
  args: nodeAffinityArgsSchema,
  create: (args) => new NodeAffinity(args ?? {}),
};
