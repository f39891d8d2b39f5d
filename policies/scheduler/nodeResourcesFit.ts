/**
 * NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go, least_allocated.go,
 * most_allocated.go, requested_to_capacity_ratio.go, resource_allocation.go): one plugin instance
 * is the PreFilter, Filter, PreScore and Score plugin.
 *
 * Filter (fitsRequest), in upstream order:
 *  1. pods on the node + 1 > allowed pods → "Too many pods" (checked even for a pod that requests
 *     nothing; never unresolvable);
 *  2. a pod that requests nothing fits;
 *  3. cpu, memory, ephemeral-storage, then each scalar resource the pod requests (> 0): a request
 *     greater than allocatable − requested gives "Insufficient <name>". Extended resources named in
 *     `ignoredResources`, or whose domain is in `ignoredResourceGroups`, are not checked (native,
 *     kubernetes.io/* and hugepages-* resources always are).
 * Every reason is kept. If any failing request exceeds the node's allocatable on its own, no
 * preemption can help: the status is UnschedulableAndUnresolvable, else Unschedulable.
 *
 * Score (resourceAllocationScorer with useRequested = false): per configured resource the pod's
 * request plus the node's requested, cpu and memory with the non-zero defaults (100m, 200Mi per
 * container without a request, sim/cluster/resources.ts), scored by the strategy:
 *  - LeastAllocated:  (alloc − req)·100/alloc, 0 if req > alloc;
 *  - MostAllocated:   min(req, alloc)·100/alloc;
 *  - RequestedToCapacityRatio: utilization = req·100/alloc (100 if req > alloc) through the
 *    broken-linear shape, whose scores (0..10) are multiplied by 10; resources scoring 0 are left
 *    out of the weight sum too, and the weighted mean is rounded (math.Round) instead of truncated.
 * The node score is Σ score·weight / Σ weight (integer division for Least/Most). Scalar resources
 * the pod does not request and resources the node has none of are skipped; no resource left → 0.
 */
import { z } from "zod";
import type { PodRequests } from "../../sim/cluster/resources.js";
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
import { AMOUNT, MAX_NODE_SCORE, SUCCESS } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import {
  type ArgsProblem,
  brokenLinear,
  defaultResourceList,
  defaultResourceSpecs,
  isExtendedResourceName,
  isScalarResourceName,
  KIND_SCALAR,
  leastRequestedScore,
  mostRequestedScore,
  nodeAllocatable,
  nodeRequested,
  qualifiedNameProblem,
  type ResourceSpec,
  resourceSpecInputSchema,
  ResourceTable,
  scaled,
  type UtilizationShapePoint,
} from "./resourceScoring.js";

export const NAME = "NodeResourcesFit";
const PRE_FILTER_KEY = "PreFilter" + NAME;
const PRE_SCORE_KEY = "PreScore" + NAME;

export type { ResourceSpec, UtilizationShapePoint } from "./resourceScoring.js";
/** The former name of ResourceSpec. */
export type ResourceWeight = ResourceSpec;

// ---------------------------------------------------------------------------------------------
// Args (pkg/scheduler/apis/config/types_pluginargs.go NodeResourcesFitArgs)

export const SCORING_STRATEGY_TYPES = ["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"] as const;
export type ScoringStrategyType = (typeof SCORING_STRATEGY_TYPES)[number];

export interface RequestedToCapacityRatioParam {
  /** Points (utilization 0..100 strictly increasing, score 0..10) of the broken-linear function. */
  shape: UtilizationShapePoint[];
}

export interface ScoringStrategy {
  type: ScoringStrategyType;
  resources: ResourceSpec[];
  /** Required when type is RequestedToCapacityRatio. */
  requestedToCapacityRatio?: RequestedToCapacityRatioParam;
}

export interface NodeResourcesFitArgs {
  /** Extended resources the filter does not check. */
  ignoredResources: string[];
  /** Extended-resource domains (the part before "/") the filter does not check. */
  ignoredResourceGroups: string[];
  scoringStrategy: ScoringStrategy;
}

/** config.MaxCustomPriorityScore: shape scores are 0..10 and scaled by MaxNodeScore / 10. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;

/** Upstream defaults (pkg/scheduler/apis/config/v1/defaults.go): LeastAllocated, cpu 1, memory 1. */
export function defaultNodeResourcesFitArgs(): NodeResourcesFitArgs {
  return {
    ignoredResources: [],
    ignoredResourceGroups: [],
    scoringStrategy: { type: "LeastAllocated", resources: defaultResourceSpecs() },
  };
}

/** Upstream default resources for scoring: cpu 1, memory 1. */
export const DEFAULT_RESOURCES: readonly ResourceSpec[] = Object.freeze(defaultResourceSpecs().map((r) => Object.freeze(r)));

/**
 * The problems validation_pluginargs.go ValidateNodeResourcesFitArgs reports (after defaulting):
 * ignoredResources are qualified names; ignoredResourceGroups are qualified names without "/";
 * the strategy type is known; every weight is in 1..100; a shape, when given, has at least one
 * point, strictly increasing utilizations in 0..100 and scores in 0..10. simk also requires the
 * shape for RequestedToCapacityRatio (upstream would dereference a nil pointer) and a non-empty
 * resource list (upstream's Score errors on an empty one; defaulting never leaves it empty).
 */
export function nodeResourcesFitArgsProblems(args: NodeResourcesFitArgs): ArgsProblem[] {
  const problems: ArgsProblem[] = [];
  args.ignoredResources.forEach((r, i) => {
    const p = qualifiedNameProblem(r);
    if (p) problems.push({ path: ["ignoredResources", i], message: `Invalid value: ${JSON.stringify(r)}: ${p}` });
  });
  args.ignoredResourceGroups.forEach((g, i) => {
    if (g.includes("/")) problems.push({ path: ["ignoredResourceGroups", i], message: `Invalid value: ${JSON.stringify(g)}: resource group name can't contain '/'` });
    const p = qualifiedNameProblem(g);
    if (p) problems.push({ path: ["ignoredResourceGroups", i], message: `Invalid value: ${JSON.stringify(g)}: ${p}` });
  });
  const s = args.scoringStrategy;
  if (!(SCORING_STRATEGY_TYPES as readonly string[]).includes(s.type)) {
    problems.push({
      path: ["scoringStrategy", "type"],
      message: `Unsupported value: ${JSON.stringify(s.type)}: supported values: ${SCORING_STRATEGY_TYPES.map((t) => JSON.stringify(t)).join(", ")}`,
    });
  }
  if (s.resources.length === 0) problems.push({ path: ["scoringStrategy", "resources"], message: "Required value: at least one resource must be specified" });
  s.resources.forEach((r, i) => {
    if (!(r.weight > 0 && r.weight <= 100)) {
      problems.push({
        path: ["scoringStrategy", "resources", i, "weight"],
        message: `Invalid value: ${r.weight}: resource weight of ${r.name} not in valid range (0, 100]`,
      });
    }
  });
  const shapePath = ["scoringStrategy", "requestedToCapacityRatio", "shape"];
  if (s.requestedToCapacityRatio) {
    problems.push(...shapeProblems(s.requestedToCapacityRatio.shape, shapePath));
  } else if (s.type === "RequestedToCapacityRatio") {
    problems.push({ path: shapePath, message: "Required value: a shape is required for the RequestedToCapacityRatio strategy" });
  }
  return problems;
}

/** validation_pluginargs.go validateFunctionShape. */
function shapeProblems(shape: readonly UtilizationShapePoint[], path: (string | number)[]): ArgsProblem[] {
  const problems: ArgsProblem[] = [];
  if (shape.length === 0) return [{ path, message: "Required value: at least one point must be specified" }];
  for (let i = 1; i < shape.length; i++) {
    if (shape[i - 1].utilization >= shape[i].utilization) {
      problems.push({ path: [...path, i, "utilization"], message: `Invalid value: ${shape[i].utilization}: utilization values must be sorted in increasing order` });
      break;
    }
  }
  shape.forEach((pt, i) => {
    if (pt.utilization < 0 || pt.utilization > 100) {
      problems.push({ path: [...path, i, "utilization"], message: `Invalid value: ${pt.utilization}: not in valid range [0, 100]` });
    }
    if (pt.score < 0 || pt.score > MAX_CUSTOM_PRIORITY_SCORE) {
      problems.push({ path: [...path, i, "score"], message: `Invalid value: ${pt.score}: not in valid range [0, ${MAX_CUSTOM_PRIORITY_SCORE}]` });
    }
  });
  return problems;
}

const shapePointSchema = z.strictObject({ utilization: z.int(), score: z.int() });

/**
 * `pluginConfig[].args` of NodeResourcesFit: the v1 defaults are applied (no scoringStrategy →
 * LeastAllocated with cpu 1 / memory 1; no or empty resources → cpu 1 / memory 1; a weight that
 * is absent or 0 → 1), then the result is validated as upstream. Unknown fields are errors.
 */
export const nodeResourcesFitArgsSchema: z.ZodType<NodeResourcesFitArgs> = z
  .strictObject({
    ignoredResources: z.array(z.string()).optional(),
    ignoredResourceGroups: z.array(z.string()).optional(),
    scoringStrategy: z
      .strictObject({
        // Checked after defaulting so the message is upstream's "Unsupported value".
        type: z.string().optional(),
        resources: z.array(resourceSpecInputSchema).optional(),
        requestedToCapacityRatio: z.strictObject({ shape: z.array(shapePointSchema).optional() }).optional(),
      })
      .optional(),
  })
  .transform((input): NodeResourcesFitArgs => {
    const s = input.scoringStrategy;
    const strategy: ScoringStrategy = s
      ? { type: (s.type ?? "") as ScoringStrategyType, resources: defaultResourceList(s.resources) }
      : { type: "LeastAllocated", resources: defaultResourceSpecs() };
    if (s?.requestedToCapacityRatio) strategy.requestedToCapacityRatio = { shape: s.requestedToCapacityRatio.shape ?? [] };
    return {
      ignoredResources: input.ignoredResources ?? [],
      ignoredResourceGroups: input.ignoredResourceGroups ?? [],
      scoringStrategy: strategy,
    };
  })
  .superRefine((args, ctx) => {
    for (const p of nodeResourcesFitArgsProblems(args)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  })
  .prefault({});

// ---------------------------------------------------------------------------------------------
// Filter

/** The pod's requests as the filter checks them (computePodResourceRequest), computed once per pod. */
export interface FitRequest {
  readonly milliCPU: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
  /** Scalar resources requested (> 0) and not ignored, sorted by name. */
  readonly scalarNames: readonly string[];
  readonly scalarValues: readonly number[];
  readonly scalarReasons: readonly string[];
  /** Requests no cpu, memory, ephemeral-storage nor scalar resource at all. */
  readonly nothing: boolean;
}

class PreFilterState implements StateData {
  constructor(readonly request: FitRequest) {}
  clone(): StateData {
    return this;
  }
}

class PreScoreState implements StateData {
  constructor(readonly podRequests: Float64Array) {}
  clone(): StateData {
    return this;
  }
}

const STRATEGY_LEAST = 0;
const STRATEGY_MOST = 1;
const STRATEGY_RTCR = 2;

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly args: NodeResourcesFitArgs;
  private readonly ignoredResources: ReadonlySet<string>;
  private readonly ignoredResourceGroups: ReadonlySet<string>;
  private readonly table: ResourceTable;
  private readonly strategy: number;
  /** RequestedToCapacityRatio shape, scores already ×10. */
  private readonly shapeUtilization: Float64Array;
  private readonly shapeScore: Float64Array;
  /** Per-pod data, keyed by the (per-PodSpec, shared) PodRequests object: reused across cycles. */
  private readonly fitRequests = new WeakMap<PodRequests, FitRequest>();
  private readonly scoreRequests = new WeakMap<PodRequests, Float64Array>();
  /**
   * The sum of all resources' weights if it is a power of two, else NaN (equal to nothing): a node
   * with every resource divides its weighted sum by it, and x / 2^k is exactly x × 2^−k.
   */
  private readonly powerOfTwoWeightSum: number;
  /** `score`'s one-node list and result (the simulation is single-threaded). */
  private readonly oneNode: NodeInfo[] = [];
  private readonly oneScore: number[] = [0];

  /** No arguments: the upstream defaults. Throws on args upstream's NewFit would reject. */
  constructor(args: NodeResourcesFitArgs = defaultNodeResourcesFitArgs()) {
    const problems = nodeResourcesFitArgsProblems(args);
    if (problems.length > 0) {
      throw new Error(`invalid NodeResourcesFit args: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`);
    }
    this.args = args;
    this.ignoredResources = new Set(args.ignoredResources);
    this.ignoredResourceGroups = new Set(args.ignoredResourceGroups);
    this.table = new ResourceTable(args.scoringStrategy.resources);
    const weightSum = this.table.weights.reduce((a, b) => a + b, 0);
    this.powerOfTwoWeightSum = Number.isInteger(Math.log2(weightSum)) ? weightSum : NaN;
    const type = args.scoringStrategy.type;
    this.strategy = type === "MostAllocated" ? STRATEGY_MOST : type === "RequestedToCapacityRatio" ? STRATEGY_RTCR : STRATEGY_LEAST;
    const shape = args.scoringStrategy.requestedToCapacityRatio?.shape ?? [];
    // requested_to_capacity_ratio.go: score × (MaxNodeScore / MaxCustomPriorityScore).
    this.shapeUtilization = Float64Array.from(shape, (p) => p.utilization);
    this.shapeScore = Float64Array.from(shape, (p) => p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE));
  }

  /** The filter's view of the pod's requests (cached per pod). */
  fitRequest(pod: PodInfo): FitRequest {
    let req = this.fitRequests.get(pod.requests);
    if (!req) {
      req = this.computeFitRequest(pod.requests);
      this.fitRequests.set(pod.requests, req);
    }
    return req;
  }

  private computeFitRequest(requests: PodRequests): FitRequest {
    const r = requests.requests;
    const allScalar = Object.keys(r.scalar);
    const names: string[] = [];
    for (const name of allScalar.sort()) {
      // Only names the scheduler tracks as scalar resources reach the check; a zero request is skipped.
      if (!isScalarResourceName(name) || !(r.scalar[name] > 0)) continue;
      if (isExtendedResourceName(name)) {
        const group = name.slice(0, name.indexOf("/"));
        if (this.ignoredResources.has(name) || this.ignoredResourceGroups.has(group)) continue;
      }
      names.push(name);
    }
    return {
      milliCPU: r.milliCPU,
      memory: r.memory,
      ephemeralStorage: r.ephemeralStorage,
      scalarNames: names,
      scalarValues: names.map((n) => r.scalar[n]),
      scalarReasons: names.map((n) => `Insufficient ${n}`),
      nothing: r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && allScalar.length === 0,
    };
  }

  preFilter(state: CycleState, pod: PodInfo, _handle: FrameworkHandle): PreFilterResult {
    state.write(PRE_FILTER_KEY, new PreFilterState(this.fitRequest(pod)));
    return { status: SUCCESS };
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    // Upstream errors without the PreFilter state; computing it keeps Filter usable on its own.
    const req = state.read<PreFilterState>(PRE_FILTER_KEY)?.request ?? this.fitRequest(pod);
    return fitsRequest(req, node);
  }

  /** The pod's per-resource requests for scoring (non-zero cpu/memory defaults), cached per pod. */
  private scoreRequest(pod: PodInfo): Float64Array {
    let v = this.scoreRequests.get(pod.requests);
    if (!v) {
      v = this.table.podRequests(pod.requests, false);
      this.scoreRequests.set(pod.requests, v);
    }
    return v;
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], _handle: FrameworkHandle): Status {
    state.write(PRE_SCORE_KEY, new PreScoreState(this.scoreRequest(pod)));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const one = this.oneNode;
    one[0] = node;
    this.scoreNodes(one, state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.scoreRequest(pod), this.oneScore);
    // Drop the reference: the scratch list must not keep a removed node alive.
    one[0] = undefined!;
    return this.oneScore[0];
  }

  /** `score` for every node, the pod's requests read from the state once. */
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    this.scoreNodes(nodes, state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.scoreRequest(pod), scores);
  }

  /**
   * The scores of `nodes` into `scores`. One loop serves `score` (over one node) and `scoreAll`,
   * so that the table and strategy are read once per call rather than once per node.
   */
  private scoreNodes(nodes: readonly NodeInfo[], podRequests: Float64Array, scores: number[]): void {
    const table = this.table;
    const kinds = table.kinds;
    const weights = table.weights;
    const allocatableColumns = table.allocatableColumns;
    const requestedColumns = table.nonZeroRequestedColumns;
    const resources = kinds.length;
    const strategy = this.strategy;
    const powerOfTwoSum = this.powerOfTwoWeightSum;
    const powerOfTwoReciprocal = 1 / powerOfTwoSum;
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[j];
      const amounts = node.amounts;
      const row = node.row;
      let nodeScore = 0;
      let weightSum = 0;
      for (let i = 0; i < resources; i++) {
        const podRequest = podRequests[i];
        // cpu, memory and ephemeral-storage are read from the node's row; the rest by name. Written
        // out in BalancedAllocation too: a shared helper returning both amounts
        // took the two scores from 29 to 38 ns per node.
        const column = allocatableColumns[i];
        let allocatable: number;
        let requested: number;
        if (column >= 0) {
          allocatable = amounts[row + column];
          requested = amounts[row + requestedColumns[i]] + podRequest;
        } else {
          // A scalar resource the pod does not request is bypassed (resource_allocation.go).
          if (podRequest === 0 && kinds[i] === KIND_SCALAR) continue;
          allocatable = nodeAllocatable(node, table, i);
          requested = nodeRequested(node, table, i, false) + podRequest;
        }
        if (allocatable === 0) continue;
        const weight = weights[i];
        let s: number;
        if (strategy === STRATEGY_LEAST) {
          s = leastRequestedScore(requested, allocatable);
        } else if (strategy === STRATEGY_MOST) {
          s = mostRequestedScore(requested, allocatable);
        } else {
          const utilization = requested > allocatable ? 100 : scaled(requested, allocatable);
          s = brokenLinear(this.shapeUtilization, this.shapeScore, utilization);
          // RequestedToCapacityRatio drops resources scoring 0 from the weighted mean.
          if (s <= 0) continue;
        }
        nodeScore += s * weight;
        weightSum += weight;
      }
      // Least/Most: int64 division; RequestedToCapacityRatio: math.Round(float64 / float64). A
      // power-of-two weight sum (cpu 1 + memory 1 by default) is divided by exactly, as a multiply.
      const mean = weightSum === powerOfTwoSum ? nodeScore * powerOfTwoReciprocal : nodeScore / weightSum;
      scores[j] = weightSum === 0 ? 0 : strategy === STRATEGY_RTCR ? Math.round(mean) : Math.trunc(mean);
    }
  }
}

/** fit.go fitsRequest for precomputed pod requests: SUCCESS or the failing status with every reason. */
export function fitsRequest(req: FitRequest, node: NodeInfo): Status {
  // Most nodes fit. These comparisons let such a node through without building anything, which
  // keeps this function small enough for V8 to inline into the filter loop; they never pass a node
  // that fitReasons would fail. Any other node (or a pod with scalar requests) gets fitReasons.
  const a = node.amounts;
  const row = node.row;
  if (
    node.podCount + 1 <= node.allowedPodNumber &&
    (req.nothing ||
      (req.milliCPU <= a[row + AMOUNT.ALLOCATABLE_MILLI_CPU] - a[row + AMOUNT.REQUESTED_MILLI_CPU] &&
        req.memory <= a[row + AMOUNT.ALLOCATABLE_MEMORY] - a[row + AMOUNT.REQUESTED_MEMORY] &&
        req.ephemeralStorage <= a[row + AMOUNT.ALLOCATABLE_EPHEMERAL_STORAGE] - a[row + AMOUNT.REQUESTED_EPHEMERAL_STORAGE] &&
        req.scalarNames.length === 0))
  ) {
    return SUCCESS;
  }
  return fitReasons(req, node);
}

/** fitsRequest's checks one by one, keeping every failing one's reason. */
function fitReasons(req: FitRequest, node: NodeInfo): Status {
  let reasons: string[] | undefined;
  let unresolvable = false;
  if (node.podCount + 1 > node.allowedPodNumber) reasons = ["Too many pods"];
  if (!req.nothing) {
    const a = node.amounts;
    const row = node.row;
    const allocCPU = a[row + AMOUNT.ALLOCATABLE_MILLI_CPU];
    if (req.milliCPU > 0 && req.milliCPU > allocCPU - a[row + AMOUNT.REQUESTED_MILLI_CPU]) {
      (reasons ??= []).push("Insufficient cpu");
      if (req.milliCPU > allocCPU) unresolvable = true;
    }
    const allocMemory = a[row + AMOUNT.ALLOCATABLE_MEMORY];
    if (req.memory > 0 && req.memory > allocMemory - a[row + AMOUNT.REQUESTED_MEMORY]) {
      (reasons ??= []).push("Insufficient memory");
      if (req.memory > allocMemory) unresolvable = true;
    }
    const allocEphemeral = a[row + AMOUNT.ALLOCATABLE_EPHEMERAL_STORAGE];
    if (req.ephemeralStorage > 0 && req.ephemeralStorage > allocEphemeral - a[row + AMOUNT.REQUESTED_EPHEMERAL_STORAGE]) {
      (reasons ??= []).push("Insufficient ephemeral-storage");
      if (req.ephemeralStorage > allocEphemeral) unresolvable = true;
    }
    const names = req.scalarNames;
    for (let i = 0; i < names.length; i++) {
      const want = req.scalarValues[i];
      const allocatable = node.scalarAllocatable[names[i]] ?? 0;
      if (want > allocatable - (node.scalarRequested[names[i]] ?? 0)) {
        (reasons ??= []).push(req.scalarReasons[i]);
        if (want > allocatable) unresolvable = true;
      }
    }
  }
  if (!reasons) return SUCCESS;
  return { code: unresolvable ? "UnschedulableAndUnresolvable" : "Unschedulable", reasons, plugin: NAME };
}

const defaultFit = new NodeResourcesFit();

/** The Fit filter with default args (no ignored resources). */
export function fitFilter(pod: PodInfo, node: NodeInfo): Status {
  return fitsRequest(defaultFit.fitRequest(pod), node);
}

export const nodeResourcesFitFactory: PluginFactory<NodeResourcesFitArgs> = {
  name: NAME,
  args: nodeResourcesFitArgsSchema,
  create: (args) => new NodeResourcesFit(args),
};
