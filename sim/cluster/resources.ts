/**
 * Resource accounting, as kube-scheduler does it.
 *
 * A pod's request per resource (pkg/api/v1/resource/helpers.go PodRequests, used by
 * pkg/scheduler/framework/types.go) is the larger of
 *   - the sum over app containers plus the sum over sidecars (init containers with
 *     restartPolicy: Always), and
 *   - for each regular init container, its request plus the sidecars declared before it,
 * plus `spec.overhead`.
 *
 * For scoring only, a container that does not mention cpu (memory) counts as 100m (200Mi)
 * (pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest, DefaultMemoryRequest). An
 * explicit 0 stays 0.
 */
import type { Container, PodSpec, ResourceList } from "../api/objects.js";
import { parseBytes, parseCpuMillis } from "../units/quantity.js";

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Resource amounts: cpu in millicores, everything else in base units (bytes, counts). */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources, by name. */
  scalar: Record<string, number>;
}

export interface PodRequests {
  /** Actual requests (Fit filter, BalancedAllocation, quota). */
  requests: Resources;
  /** With the non-zero defaults (LeastAllocated, MostAllocated, RequestedToCapacityRatio). */
  nonZero: { milliCPU: number; memory: number };
}

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} };
}

/** Parses a ResourceList into amounts (cpu → millicores, the rest → rounded-up integers). */
export function toResources(list: ResourceList | undefined): Resources {
  const r = emptyResources();
  if (!list) return r;
  for (const [name, value] of Object.entries(list)) {
    if (name === "cpu") r.milliCPU = parseCpuMillis(value);
    else if (name === "memory") r.memory = parseBytes(value);
    else if (name === "ephemeral-storage") r.ephemeralStorage = parseBytes(value);
    else if (name !== "pods") r.scalar[name] = parseBytes(value);
  }
  return r;
}

function addInto(target: Resources, add: Resources): void {
  target.milliCPU += add.milliCPU;
  target.memory += add.memory;
  target.ephemeralStorage += add.ephemeralStorage;
  for (const [k, v] of Object.entries(add.scalar)) target.scalar[k] = (target.scalar[k] ?? 0) + v;
}

function maxInto(target: Resources, other: Resources): void {
  target.milliCPU = Math.max(target.milliCPU, other.milliCPU);
  target.memory = Math.max(target.memory, other.memory);
  target.ephemeralStorage = Math.max(target.ephemeralStorage, other.ephemeralStorage);
  for (const [k, v] of Object.entries(other.scalar)) target.scalar[k] = Math.max(target.scalar[k] ?? 0, v);
}

function copy(r: Resources): Resources {
  return { ...r, scalar: { ...r.scalar } };
}

function containerRequests(c: Container): Resources {
  return toResources(c.resources?.requests);
}

/** Combines per-container values by the PodRequests rule (see the file comment). */
function combine(spec: PodSpec, perContainer: (c: Container) => Resources): Resources {
  const total = emptyResources();
  for (const c of spec.containers) addInto(total, perContainer(c));
  const sidecarsSoFar = emptyResources();
  let initMax: Resources | undefined;
  for (const c of spec.initContainers ?? []) {
    const r = perContainer(c);
    if (c.restartPolicy === "Always") {
      addInto(total, r);
      addInto(sidecarsSoFar, r);
      const withSidecars = copy(sidecarsSoFar);
      initMax = initMax ? (maxInto(initMax, withSidecars), initMax) : withSidecars;
    } else {
      const withSidecars = copy(r);
      addInto(withSidecars, sidecarsSoFar);
      initMax = initMax ? (maxInto(initMax, withSidecars), initMax) : withSidecars;
    }
  }
  if (initMax) maxInto(total, initMax);
  if (spec.overhead) addInto(total, toResources(spec.overhead));
  return total;
}

/** The requests of the pods whose spec has this containers list, with the other inputs they came from. */
const cache = new WeakMap<readonly Container[], { initContainers: PodSpec["initContainers"]; overhead: PodSpec["overhead"]; value: PodRequests }>();

/**
 * The pod's requests, computed once per containers list (with the same init containers and
 * overhead): specs are immutable, and every pod of a template shares its containers list even
 * after binding gives each pod its own spec (nodeName), so this is a hit for all but the first.
 */
export function podRequests(spec: PodSpec): PodRequests {
  const hit = cache.get(spec.containers);
  if (hit !== undefined && hit.initContainers === spec.initContainers && hit.overhead === spec.overhead) return hit.value;
  const requests = combine(spec, containerRequests);
  let nonZero = { milliCPU: 0, memory: 0 };
  if (spec.containers.length > 0 || (spec.initContainers?.length ?? 0) > 0) {
    const nz = combine(spec, (c) => {
      const r = containerRequests(c);
      const req = c.resources?.requests;
      if (!req || !("cpu" in req)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
      if (!req || !("memory" in req)) r.memory = DEFAULT_MEMORY_REQUEST;
      return r;
    });
    nonZero = { milliCPU: nz.milliCPU, memory: nz.memory };
  }
  const value = { requests, nonZero };
  cache.set(spec.containers, { initContainers: spec.initContainers, overhead: spec.overhead, value });
  return value;
}
