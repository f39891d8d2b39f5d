/**
 * NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go and
 * least_allocated.go): the Fit filter and the LeastAllocated scoring strategy.
 *
 * Filter, in upstream order: pod count ("Too many pods"), then — unless the pod requests nothing —
 * cpu, memory, ephemeral-storage and each extended resource: request > allocatable − requested
 * fails with "Insufficient <resource>"; if the request exceeds allocatable on its own, no amount of
 * preemption helps and the status is UnschedulableAndUnresolvable.
 *
 * LeastAllocated score per resource: (allocatable − requested) × 100 / allocatable in integer
 * arithmetic (0 if requested > allocatable), weighted mean over resources with integer division.
 * Requested here includes the pod and uses the non-zero defaults (100m cpu, 200Mi memory).
 */
import type { CycleState, FilterPlugin, NodeInfo, PodInfo, ScorePlugin, Status } from "../../sim/scheduler/framework.js";
import { MAX_NODE_SCORE, SUCCESS } from "../../sim/scheduler/framework.js";

export const NAME = "NodeResourcesFit";

export interface ResourceWeight {
  name: string;
  weight: number;
}

/** Upstream default: cpu 1, memory 1 (pkg/scheduler/apis/config/v1/defaults.go). */
export const DEFAULT_RESOURCES: readonly ResourceWeight[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

function status(code: Status["code"], reasons: string[]): Status {
  return { code, reasons, plugin: NAME };
}

export function fitFilter(pod: PodInfo, node: NodeInfo): Status {
  const reasons: string[] = [];
  let unresolvable = false;
  if (node.pods.size + 1 > node.allowedPodNumber) reasons.push("Too many pods");
  const r = pod.requests.requests;
  const scalarNames = Object.keys(r.scalar);
  const requestsNothing = r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && scalarNames.every((k) => r.scalar[k] === 0);
  if (!requestsNothing) {
    const check = (name: string, want: number, alloc: number, used: number): void => {
      if (want === 0) return;
      if (want > alloc - used) {
        reasons.push(`Insufficient ${name}`);
        if (want > alloc) unresolvable = true;
      }
    };
    check("cpu", r.milliCPU, node.allocatable.milliCPU, node.requested.milliCPU);
    check("memory", r.memory, node.allocatable.memory, node.requested.memory);
    check("ephemeral-storage", r.ephemeralStorage, node.allocatable.ephemeralStorage, node.requested.ephemeralStorage);
    for (const name of scalarNames) {
      check(name, r.scalar[name], node.allocatable.scalar[name] ?? 0, node.requested.scalar[name] ?? 0);
    }
  }
  if (reasons.length === 0) return SUCCESS;
  return status(unresolvable ? "UnschedulableAndUnresolvable" : "Unschedulable", reasons);
}

/** LeastAllocated for one resource, integer arithmetic as upstream. */
export function leastAllocatedResource(requested: number, allocatable: number): number {
  if (allocatable === 0) return 0;
  if (requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** Requested amount of a resource on the node including the pod, for scoring (non-zero defaults). */
function scoringRequested(pod: PodInfo, node: NodeInfo, resource: string): { requested: number; allocatable: number } {
  switch (resource) {
    case "cpu":
      return { requested: node.nonZeroRequested.milliCPU + pod.requests.nonZero.milliCPU, allocatable: node.allocatable.milliCPU };
    case "memory":
      return { requested: node.nonZeroRequested.memory + pod.requests.nonZero.memory, allocatable: node.allocatable.memory };
    case "ephemeral-storage":
      return {
        requested: node.requested.ephemeralStorage + pod.requests.requests.ephemeralStorage,
        allocatable: node.allocatable.ephemeralStorage,
      };
    default:
      return {
        requested: (node.requested.scalar[resource] ?? 0) + (pod.requests.requests.scalar[resource] ?? 0),
        allocatable: node.allocatable.scalar[resource] ?? 0,
      };
  }
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NAME;

  constructor(private readonly resources: readonly ResourceWeight[] = DEFAULT_RESOURCES) {}

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return fitFilter(pod, node);
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    let weights = 0;
    for (const { name, weight } of this.resources) {
      const isScalar = name !== "cpu" && name !== "memory" && name !== "ephemeral-storage";
      // An extended resource the pod does not request is left out (resource_allocation.go).
      if (isScalar && !pod.requests.requests.scalar[name]) continue;
      const { requested, allocatable } = scoringRequested(pod, node, name);
      if (allocatable === 0) continue;
      sum += leastAllocatedResource(requested, allocatable) * weight;
      weights += weight;
    }
    return weights === 0 ? 0 : Math.floor(sum / weights);
  }
}
