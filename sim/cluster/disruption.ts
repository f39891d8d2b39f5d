/**
 * PodDisruptionBudget arithmetic, as the disruption controller computes a PDB's status
 * (pkg/controller/disruption/disruption.go: trySync, getExpectedPodCount, getExpectedScale,
 * countHealthyPods, updatePdbStatus). Pure functions: the scheduler uses them on its own view of
 * the pods (there is no disruption controller yet); a controller can reuse them.
 *
 *  - The PDB's pods: same namespace, matching spec.selector (policy/v1: a missing selector matches
 *    nothing, an empty one everything).
 *  - maxUnavailable (int or percent): expectedPods = the summed scale of the pods' controllers;
 *    desiredHealthy = max(0, expectedPods − maxUnavailable), the percent rounded up.
 *  - minAvailable as an integer: desiredHealthy = minAvailable, expectedPods = number of pods.
 *  - minAvailable as a percent: expectedPods = the summed controller scale; desiredHealthy = that
 *    percent of it, rounded up.
 *  - currentHealthy = pods that are Ready and not terminating.
 *  - disruptionsAllowed = currentHealthy − desiredHealthy, and 0 if that is negative or
 *    expectedPods ≤ 0.
 *
 * Controller scale: a pod without a controller is "unmanaged" and left out of the sum (upstream
 * only warns); a controller that cannot be found, or a malformed percent, is an error, and then
 * the controller's failSafe sets disruptionsAllowed to 0. simk does not model
 * status.disruptedPods (the eviction API's bookkeeping).
 */
import type { Deployment, IntOrString, OwnerReference, Pod, PodDisruptionBudget, ReplicaSet } from "../api/objects.js";
import { matchesLabelSelector } from "./selectors.js";

export interface PdbStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  /** Why the status could not be computed (then disruptionsAllowed is 0, upstream failSafe). */
  error?: string;
  /** Names of selected pods without a controller (upstream's UnmanagedPods warning). */
  unmanagedPods?: string[];
}

/** A controller and its desired replica count (upstream controllerAndScale). */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/** Finds the scale of a pod's controller, or undefined if no supported controller matches. */
export type ControllerScaleLookup = (ref: OwnerReference, namespace: string) => ControllerScale | undefined;

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer is itself; "N%" is N % of total, rounded up
 * or down. Anything else is an error (a string that is not a percentage).
 */
export function scaledValueFromIntOrPercent(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const pct = Number(m[1]);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Pods selected by the PDB (same namespace, selector matches). */
export function pdbPods(pdb: PodDisruptionBudget, pods: Iterable<Pod>): Pod[] {
  const ns = pdb.metadata.namespace ?? "default";
  const out: Pod[] = [];
  for (const p of pods) {
    if ((p.metadata.namespace ?? "default") !== ns) continue;
    if (matchesLabelSelector(pdb.spec.selector, p.metadata.labels)) out.push(p);
  }
  return out;
}

/** apipod.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

const controllerOf = (pod: Pod): OwnerReference | undefined => pod.metadata.ownerReferences?.find((r) => r.controller);

/** getExpectedScale: the summed scale of the distinct controllers of `pods`. */
function expectedScale(pods: readonly Pod[], lookup: ControllerScaleLookup | undefined): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = lookup?.(ref, pod.metadata.namespace ?? "default");
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const s of scales.values()) expected += s;
  return { expected, unmanaged };
}

/**
 * The PDB's status over `pods` (any pods: those outside the PDB's namespace or selector are
 * ignored). `controllerScale` resolves controllers for percentages and maxUnavailable; without
 * it, such a PDB over managed pods fails safe (0 disruptions allowed).
 */
export function pdbStatus(pdb: PodDisruptionBudget, pods: Iterable<Pod>, controllerScale?: ControllerScaleLookup): PdbStatus {
  const selected = pdbPods(pdb, pods);
  let expectedPods = 0;
  let desiredHealthy = 0;
  let unmanaged: string[] = [];
  try {
    const { minAvailable, maxUnavailable } = pdb.spec;
    if (maxUnavailable !== undefined) {
      const s = expectedScale(selected, controllerScale);
      expectedPods = s.expected;
      unmanaged = s.unmanaged;
      desiredHealthy = Math.max(0, expectedPods - scaledValueFromIntOrPercent(maxUnavailable, expectedPods, true));
    } else if (minAvailable !== undefined) {
      if (typeof minAvailable === "number") {
        desiredHealthy = minAvailable;
        expectedPods = selected.length;
      } else {
        const s = expectedScale(selected, controllerScale);
        expectedPods = s.expected;
        unmanaged = s.unmanaged;
        desiredHealthy = scaledValueFromIntOrPercent(minAvailable, expectedPods, true);
      }
    }
  } catch (e) {
    const current = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    return {
      expectedPods: current.expectedPods ?? 0,
      currentHealthy: current.currentHealthy ?? 0,
      desiredHealthy: current.desiredHealthy ?? 0,
      disruptionsAllowed: 0,
      error: (e as Error).message,
    };
  }
  let currentHealthy = 0;
  for (const p of selected) if (p.metadata.deletionTimestamp === undefined && isPodReady(p)) currentHealthy++;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, ...(unmanaged.length > 0 ? { unmanagedPods: unmanaged } : {}) };
}

/**
 * The disruption controller's finders for the kinds simk models (getPodDeployment,
 * getPodReplicaSet): a pod owned by a ReplicaSet owned by a Deployment counts the Deployment's
 * replicas; a ReplicaSet without a Deployment counts its own. UIDs must match the references.
 */
export function workloadScaleLookup(
  getReplicaSet: (namespace: string, name: string) => ReplicaSet | undefined,
  getDeployment: (namespace: string, name: string) => Deployment | undefined,
): ControllerScaleLookup {
  return (ref, namespace) => {
    if (ref.kind !== "ReplicaSet") return undefined;
    const rs = getReplicaSet(namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
    if (owner && owner.kind === "Deployment") {
      const d = getDeployment(namespace, owner.name);
      if (!d || d.metadata.uid !== owner.uid) return undefined;
      return { uid: d.metadata.uid, scale: d.spec.replicas };
    }
    return { uid: rs.metadata.uid, scale: rs.spec.replicas };
  };
}
