/**
 * NodeResourcesBalancedAllocation (pkg/scheduler/framework/plugins/noderesources/
 * balanced_allocation.go, resource_allocation.go), as of Kubernetes v1.34: favours nodes whose
 * resource usage fractions, with the pod added, are close to each other.
 *
 * Uses actual requests (useRequested = true: no 100m / 200Mi defaults). Per configured resource
 * (a scalar resource the pod does not request, or one the node has no allocatable of, is skipped):
 * fraction = (node requested + pod request) / allocatable, capped at 1. With two fractions
 * std = |f1 − f2| / 2; with more, the population standard deviation; with fewer, 0.
 * Score = trunc((1 − std) × 100), in float64 exactly as upstream.
 *
 * PreScore returns Skip for a pod that requests 0 of every configured resource (a best-effort
 * pod), so this plugin does not score it at all (kubernetes#129138).
 */
import { z } from "zod";
import type { PodRequests } from "../../sim/cluster/resources.js";
import type { CycleState, FrameworkHandle, NodeInfo, PodInfo, PreScorePlugin, ScorePlugin, StateData, Status } from "../../sim/scheduler/framework.js";
import { MAX_NODE_SCORE, SKIP, SUCCESS } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import {
  type ArgsProblem,
  defaultResourceList,
  defaultResourceSpecs,
  KIND_SCALAR,
  nodeAllocatable,
  nodeRequested,
  type ResourceSpec,
  resourceSpecInputSchema,
  ResourceTable,
} from "./resourceScoring.js";

export const NAME = "NodeResourcesBalancedAllocation";
const PRE_SCORE_KEY = "PreScore" + NAME;

export interface BalancedAllocationArgs {
  resources: ResourceSpec[];
}

/** pkg/scheduler/apis/config/v1/defaults.go: cpu 1, memory 1. */
export function defaultBalancedAllocationArgs(): BalancedAllocationArgs {
  return { resources: defaultResourceSpecs() };
}

/**
 * validation_pluginargs.go ValidateNodeResourcesBalancedAllocationArgs (after defaulting): no
 * resource twice, and every weight is 1 (weights do not enter the formula). simk also rejects an
 * empty list, which defaulting never produces.
 */
export function balancedAllocationArgsProblems(args: BalancedAllocationArgs): ArgsProblem[] {
  const problems: ArgsProblem[] = [];
  if (args.resources.length === 0) problems.push({ path: ["resources"], message: "Required value: at least one resource must be specified" });
  const seen = new Set<string>();
  args.resources.forEach((r, i) => {
    if (seen.has(r.name)) problems.push({ path: ["resources", i, "name"], message: `Duplicate value: ${JSON.stringify(r.name)}` });
    else seen.add(r.name);
    if (r.weight !== 1) problems.push({ path: ["resources", i, "weight"], message: `Invalid value: ${r.weight}: must be 1` });
  });
  return problems;
}

/**
 * `pluginConfig[].args` of NodeResourcesBalancedAllocation: no or empty resources → cpu 1,
 * memory 1; an absent or 0 weight → 1; then validated as upstream. Unknown fields are errors.
 */
export const balancedAllocationArgsSchema: z.ZodType<BalancedAllocationArgs> = z
  .strictObject({ resources: z.array(resourceSpecInputSchema).optional() })
  .transform((input): BalancedAllocationArgs => ({ resources: defaultResourceList(input.resources) }))
  .superRefine((args, ctx) => {
    for (const p of balancedAllocationArgsProblems(args)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  })
  .prefault({});

class PreScoreState implements StateData {
  constructor(readonly podRequests: Float64Array) {}
  clone(): StateData {
    return this;
  }
}

/**
 * balancedResourceScorer over `count` fractions: trunc((1 − std) × 100), std as in the file
 * comment. The operations are upstream's, in its order, so float64 results match bit for bit.
 */
export function balancedScore(fractions: ArrayLike<number>, count: number = fractions.length): number {
  let std = 0;
  if (count === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else if (count > 2) {
    let total = 0;
    for (let i = 0; i < count; i++) total += fractions[i];
    const mean = total / count;
    let sum = 0;
    for (let i = 0; i < count; i++) sum = sum + (fractions[i] - mean) * (fractions[i] - mean);
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly args: BalancedAllocationArgs;
  private readonly table: ResourceTable;
  /** Scratch space for one node's fractions (the simulation is single-threaded). */
  private readonly fractions: Float64Array;
  private readonly podRequestCache = new WeakMap<PodRequests, Float64Array>();
  /** `score`'s one-node list and result. */
  private readonly oneNode: NodeInfo[] = [];
  private readonly oneScore: number[] = [0];

  /** No arguments: the upstream defaults (cpu, memory). Throws on args upstream would reject. */
  constructor(args: BalancedAllocationArgs = defaultBalancedAllocationArgs()) {
    const problems = balancedAllocationArgsProblems(args);
    if (problems.length > 0) {
      throw new Error(`invalid NodeResourcesBalancedAllocation args: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`);
    }
    this.args = args;
    this.table = new ResourceTable(args.resources);
    this.fractions = new Float64Array(this.table.length);
  }

  /** The pod's actual request of each configured resource, cached per pod. */
  private podRequests(pod: PodInfo): Float64Array {
    let v = this.podRequestCache.get(pod.requests);
    if (!v) {
      v = this.table.podRequests(pod.requests, true);
      this.podRequestCache.set(pod.requests, v);
    }
    return v;
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], _handle: FrameworkHandle): Status {
    const podRequests = this.podRequests(pod);
    // resource_allocation.go isBestEffortPod: nothing requested of any configured resource.
    let bestEffort = true;
    for (let i = 0; i < podRequests.length; i++) if (podRequests[i] !== 0) bestEffort = false;
    if (bestEffort) return SKIP;
    state.write(PRE_SCORE_KEY, new PreScoreState(podRequests));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const one = this.oneNode;
    one[0] = node;
    this.scoreNodes(one, state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.podRequests(pod), this.oneScore);
    // Drop the reference: the scratch list must not keep a removed node alive.
    one[0] = undefined!;
    return this.oneScore[0];
  }

  /** `score` for every node, the pod's requests read from the state once. */
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    this.scoreNodes(nodes, state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.podRequests(pod), scores);
  }

  /**
   * The scores of `nodes` into `scores`. One loop serves `score` (over one node) and `scoreAll`,
   * so that the table is read once per call rather than once per node.
   */
  private scoreNodes(nodes: readonly NodeInfo[], podRequests: Float64Array, scores: number[]): void {
    const table = this.table;
    const kinds = table.kinds;
    const allocatableColumns = table.allocatableColumns;
    const requestedColumns = table.requestedColumns;
    const resources = kinds.length;
    const fractions = this.fractions;
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[j];
      const amounts = node.amounts;
      const row = node.row;
      let count = 0;
      for (let i = 0; i < resources; i++) {
        const podRequest = podRequests[i];
        // cpu, memory and ephemeral-storage are read from the node's row; the rest by name. Written
        // out in NodeResourcesFit too: a shared helper returning both amounts
        // took the two scores from 29 to 38 ns per node.
        const column = allocatableColumns[i];
        let allocatable: number;
        let requested: number;
        if (column >= 0) {
          allocatable = amounts[row + column];
          requested = amounts[row + requestedColumns[i]] + podRequest;
        } else {
          if (podRequest === 0 && kinds[i] === KIND_SCALAR) continue;
          allocatable = nodeAllocatable(node, table, i);
          requested = nodeRequested(node, table, i, true) + podRequest;
        }
        if (allocatable === 0) continue;
        const fraction = requested / allocatable;
        fractions[count++] = fraction > 1 ? 1 : fraction;
      }
      scores[j] = balancedScore(fractions, count);
    }
  }
}

export const balancedAllocationFactory: PluginFactory<BalancedAllocationArgs> = {
  name: NAME,
  args: balancedAllocationArgsSchema,
  create: (args) => new BalancedAllocation(args),
};
