/**
 * Shared pieces of the node-resource plugins (NodeResourcesFit, NodeResourcesBalancedAllocation),
 * after pkg/scheduler/framework/plugins/noderesources/resource_allocation.go,
 * pkg/scheduler/framework/plugins/helper/shape_score.go, pkg/apis/core/v1/helper/helpers.go and
 * pkg/scheduler/util/utils.go.
 *
 * Resource names. A configured resource is one of:
 *  - cpu, memory, ephemeral-storage (native, always scored);
 *  - a "scalar" resource (schedutil.IsScalarResourceName): an extended resource (a qualified name
 *    with a domain outside kubernetes.io, e.g. nvidia.com/gpu), a hugepages-* resource, a
 *    kubernetes.io/-prefixed native resource or an attachable-volumes-* resource. A scalar
 *    resource the pod requests 0 of is left out of the score (and of the weight sum);
 *  - anything else (e.g. "pods"), which a node never reports as allocatable and so never scores.
 * A resource whose node allocatable is 0 (or absent) is also left out.
 *
 * Integer arithmetic is Go's int64 arithmetic: division truncates toward zero. `scaled` computes
 * x·100/d exactly for the non-negative x ≤ d the strategies use, even for byte counts near 2^53.
 */
import { z } from "zod";
import type { PodRequests } from "../../sim/cluster/resources.js";
import { AMOUNT, MAX_NODE_SCORE, type NodeInfo } from "../../sim/scheduler/framework.js";

/** One entry of `resources` in the plugin args (config.ResourceSpec). */
export interface ResourceSpec {
  name: string;
  weight: number;
}

/** pkg/scheduler/apis/config/v1/defaults.go defaultResourceSpec: cpu 1, memory 1. */
export function defaultResourceSpecs(): ResourceSpec[] {
  return [
    { name: "cpu", weight: 1 },
    { name: "memory", weight: 1 },
  ];
}

// ---------------------------------------------------------------------------------------------
// Resource names (pkg/apis/core/v1/helper/helpers.go, pkg/scheduler/util/utils.go)

const QUALIFIED_NAME_PART_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why `s` is not a qualified name (k8s.io/apimachinery/pkg/util/validation IsQualifiedName, which
 * metav1validation.ValidateLabelName applies), or undefined if it is one.
 */
export function qualifiedNameProblem(s: string): string | undefined {
  const parts = s.split("/");
  let name = s;
  if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) return "prefix part must be non-empty";
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN_RE.test(prefix)) {
      return "prefix part must be a lowercase RFC 1123 subdomain (e.g. 'example.com')";
    }
  } else if (parts.length > 2) {
    return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  }
  if (name.length === 0) return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME_PART_RE.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** v1helper.IsPrefixedNativeResource: the name contains "kubernetes.io/". */
export function isPrefixedNativeResource(name: string): boolean {
  return name.includes("kubernetes.io/");
}

/** v1helper.IsNativeResource: no domain, or a kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes("/") || isPrefixedNativeResource(name);
}

/** v1helper.IsHugePageResourceName. */
export function isHugePageResourceName(name: string): boolean {
  return name.startsWith("hugepages-");
}

/**
 * v1helper.IsExtendedResourceName: not native, not "requests.*", and "requests.<name>" is a
 * qualified name (e.g. nvidia.com/gpu, example.com/foo).
 */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith("requests.")) return false;
  return qualifiedNameProblem("requests." + name) === undefined;
}

/** schedutil.IsScalarResourceName: extended, hugepages, prefixed native or attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || isHugePageResourceName(name) || isPrefixedNativeResource(name) || name.startsWith("attachable-volumes-");
}

// ---------------------------------------------------------------------------------------------
// Resource tables

export const KIND_CPU = 0;
export const KIND_MEMORY = 1;
export const KIND_EPHEMERAL_STORAGE = 2;
export const KIND_SCALAR = 3;
/** A name the scorers never find on a node (e.g. "pods", "storage"). */
export const KIND_OTHER = 4;

export function resourceKind(name: string): number {
  if (name === "cpu") return KIND_CPU;
  if (name === "memory") return KIND_MEMORY;
  if (name === "ephemeral-storage") return KIND_EPHEMERAL_STORAGE;
  return isScalarResourceName(name) ? KIND_SCALAR : KIND_OTHER;
}

/** The configured resources, classified once (per plugin instance) for the per-node loops. */
export class ResourceTable {
  readonly names: readonly string[];
  readonly kinds: Uint8Array;
  readonly weights: Float64Array;

  /**
   * Per resource, the NodeInfo amount column (AMOUNT.*) of the node's allocatable; −1 for the
   * resources looked up by name instead (scalar) or never reported (other).
   */
  readonly allocatableColumns: Int8Array;
  /** Likewise for what the node's pods request: with the non-zero defaults (cpu, memory) ... */
  readonly nonZeroRequestedColumns: Int8Array;
  /** ... and as actually requested. */
  readonly requestedColumns: Int8Array;

  constructor(specs: readonly ResourceSpec[]) {
    this.names = specs.map((s) => s.name);
    this.kinds = Uint8Array.from(specs, (s) => resourceKind(s.name));
    this.weights = Float64Array.from(specs, (s) => s.weight);
    const column = (kind: number, cpu: number, memory: number, ephemeral: number): number =>
      kind === KIND_CPU ? cpu : kind === KIND_MEMORY ? memory : kind === KIND_EPHEMERAL_STORAGE ? ephemeral : -1;
    this.allocatableColumns = Int8Array.from(this.kinds, (k) => column(k, AMOUNT.ALLOCATABLE_MILLI_CPU, AMOUNT.ALLOCATABLE_MEMORY, AMOUNT.ALLOCATABLE_EPHEMERAL_STORAGE));
    this.nonZeroRequestedColumns = Int8Array.from(this.kinds, (k) => column(k, AMOUNT.NON_ZERO_MILLI_CPU, AMOUNT.NON_ZERO_MEMORY, AMOUNT.REQUESTED_EPHEMERAL_STORAGE));
    this.requestedColumns = Int8Array.from(this.kinds, (k) => column(k, AMOUNT.REQUESTED_MILLI_CPU, AMOUNT.REQUESTED_MEMORY, AMOUNT.REQUESTED_EPHEMERAL_STORAGE));
  }

  get length(): number {
    return this.names.length;
  }

  /**
   * The pod's request for each configured resource (calculatePodResourceRequestList): cpu and
   * memory with the non-zero defaults unless `useRequested`; everything else as requested.
   */
  podRequests(requests: PodRequests, useRequested: boolean): Float64Array {
    const out = new Float64Array(this.names.length);
    const r = requests.requests;
    for (let i = 0; i < out.length; i++) {
      switch (this.kinds[i]) {
        case KIND_CPU:
          out[i] = useRequested ? r.milliCPU : requests.nonZero.milliCPU;
          break;
        case KIND_MEMORY:
          out[i] = useRequested ? r.memory : requests.nonZero.memory;
          break;
        case KIND_EPHEMERAL_STORAGE:
          out[i] = r.ephemeralStorage;
          break;
        case KIND_SCALAR:
          out[i] = r.scalar[this.names[i]] ?? 0;
          break;
        default:
          out[i] = 0;
      }
    }
    return out;
  }
}

/**
 * The node's allocatable amount of resource `i` (0 if the node does not report it): cpu, memory
 * and ephemeral-storage from the node's amount row, a scalar resource by name.
 */
export function nodeAllocatable(node: NodeInfo, table: ResourceTable, i: number): number {
  const column = table.allocatableColumns[i];
  if (column >= 0) return node.amounts[node.row + column];
  return table.kinds[i] === KIND_SCALAR ? (node.scalarAllocatable[table.names[i]] ?? 0) : 0;
}

/**
 * What the pods on the node already request of resource `i` (calculateResourceAllocatableRequest):
 * NonZeroRequested for cpu and memory unless `useRequested`; actual requests otherwise.
 */
export function nodeRequested(node: NodeInfo, table: ResourceTable, i: number, useRequested: boolean): number {
  const column = (useRequested ? table.requestedColumns : table.nonZeroRequestedColumns)[i];
  if (column >= 0) return node.amounts[node.row + column];
  return table.kinds[i] === KIND_SCALAR ? (node.scalarRequested[table.names[i]] ?? 0) : 0;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

const EXACT_DIVISOR_LIMIT = 2 ** 46;

/**
 * ⌊x·100/d⌋ for integers 0 ≤ x ≤ d, d > 0 — Go's `x * 100 / d` on int64. For d < 2^46 the double
 * quotient cannot round across an integer (its error is below the 1/d gap), so it is exact; larger
 * d (byte counts beyond 64 TiB) go through BigInt.
 */
export function scaled(x: number, d: number): number {
  return d < EXACT_DIVISOR_LIMIT ? Math.floor((x * MAX_NODE_SCORE) / d) : scaledExact(x, d);
}

/** `scaled` through BigInt (kept out of line so that the common case inlines into the scorers). */
function scaledExact(x: number, d: number): number {
  return Number((BigInt(x) * BigInt(MAX_NODE_SCORE)) / BigInt(d));
}

/** least_allocated.go leastRequestedScore: (capacity − requested)·100/capacity, 0 when over. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return scaled(capacity - requested, capacity);
}

/** most_allocated.go mostRequestedScore: requested (clamped to capacity)·100/capacity. */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return scaled(requested > capacity ? capacity : requested, capacity);
}

/** A point of a RequestedToCapacityRatio shape. */
export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

/**
 * helper.BuildBrokenLinearFunction: the first point's score at or below the first utilization,
 * the last point's score above the last one, and between two points
 * s[i−1] + (s[i] − s[i−1])·(p − u[i−1]) / (u[i] − u[i−1]) with Go's truncating division (which
 * rounds toward zero — up, not down — on a decreasing segment).
 */
export function brokenLinear(utilizations: ArrayLike<number>, scores: ArrayLike<number>, p: number): number {
  const n = utilizations.length;
  for (let i = 0; i < n; i++) {
    if (p <= utilizations[i]) {
      if (i === 0) return scores[0];
      return scores[i - 1] + Math.trunc(((scores[i] - scores[i - 1]) * (p - utilizations[i - 1])) / (utilizations[i] - utilizations[i - 1]));
    }
  }
  return scores[n - 1];
}

/** helper.BuildBrokenLinearFunction over shape points, as a function of utilization. */
export function buildBrokenLinearFunction(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  const u = Float64Array.from(shape, (s) => s.utilization);
  const s = Float64Array.from(shape, (pt) => pt.score);
  return (p) => brokenLinear(u, s, p);
}

// ---------------------------------------------------------------------------------------------
// Args pieces

/** A resource entry as written in the config: a missing or 0 weight defaults to 1 (v1 defaults.go). */
export const resourceSpecInputSchema = z.strictObject({
  name: z.string(),
  weight: z.int().optional(),
});

export type ResourceSpecInput = z.infer<typeof resourceSpecInputSchema>;

/**
 * v1 defaulting of a resources list (SetDefaults_NodeResourcesFitArgs,
 * SetDefaults_NodeResourcesBalancedAllocationArgs): empty → cpu 1, memory 1; weight 0 → 1.
 */
export function defaultResourceList(input: readonly ResourceSpecInput[] | undefined): ResourceSpec[] {
  if (!input || input.length === 0) return defaultResourceSpecs();
  return input.map((r) => ({ name: r.name, weight: r.weight === undefined || r.weight === 0 ? 1 : r.weight }));
}

/** A validation problem, with the field path as in the YAML. */
export interface ArgsProblem {
  path: (string | number)[];
  message: string;
}
