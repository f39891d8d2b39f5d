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
  KIND_CPU,
  KIND_MEMORY,
  KIND_SCALAR,
  column,
  gatherAllocatable,
  gatherRequested,
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
export function balancedScore(fractions: ArrayLike<number>, count: number = fractions.length, offset = 0): number {
  let std = 0;
  if (count === 2) {
    std = Math.abs((fractions[offset] - fractions[offset + 1]) / 2);
  } else if (count > 2) {
    let total = 0;
    for (let i = offset; i < offset + count; i++) total += fractions[i];
    const mean = total / count;
    let sum = 0;
    for (let i = offset; i < offset + count; i++) sum = sum + (fractions[i] - mean) * (fractions[i] - mean);
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly args: BalancedAllocationArgs;
  private readonly table: ResourceTable;
  /** Scratch columns of scoreAll (the simulation is single-threaded). */
  private fractions = new Float64Array(0);
  private counts = new Int32Array(0);
  private alloc = new Float64Array(0);
  private req = new Float64Array(0);
  private readonly single: number[] = [0];
  private readonly podRequestCache = new WeakMap<PodRequests, Float64Array>();

  /** No arguments: the upstream defaults (cpu, memory). Throws on args upstream would reject. */
  constructor(args: BalancedAllocationArgs = defaultBalancedAllocationArgs()) {
    const problems = balancedAllocationArgsProblems(args);
    if (problems.length > 0) {
      throw new Error(`invalid NodeResourcesBalancedAllocation args: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`);
    }
    this.args = args;
    this.table = new ResourceTable(args.resources);
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
    const out = this.single;
    this.scoreAll(state, pod, [node], out);
    return out[0];
  }

  /** Score of every node in `nodes`, computed resource by resource into per-node fraction rows. */
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const podRequests = state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.podRequests(pod);
    const n = nodes.length;
    const table = this.table;
    const k = table.length;
    // fractions[j·k ..]: node j's fractions of the resources it has, `counts[j]` of them.
    const fractions = (this.fractions = column(this.fractions, n * k));
    if (this.counts.length < n) this.counts = new Int32Array(Math.max(n, 2 * this.counts.length));
    const counts = this.counts.fill(0, 0, n);
    const alloc = (this.alloc = column(this.alloc, n));
    const req = (this.req = column(this.req, n));
    for (let i = 0; i < k; i++) {
      const podRequest = podRequests[i];
      if (podRequest === 0 && table.kinds[i] === KIND_SCALAR) continue;
      gatherAllocatable(nodes, table, i, alloc);
      gatherRequested(nodes, table, i, true, req);
      for (let j = 0; j < n; j++) {
        if (alloc[j] === 0) continue;
        const fraction = (req[j] + podRequest) / alloc[j];
        fractions[j * k + counts[j]++] = fraction > 1 ? 1 : fraction;
      }
    }
    for (let j = 0; j < n; j++) scores[j] = balancedScore(fractions, counts[j], j * k);
  }
}

export const balancedAllocationFactory: PluginFactory<BalancedAllocationArgs> = {
  name: NAME,
  args: balancedAllocationArgsSchema,
  create: (args) => new BalancedAllocation(args),
};
