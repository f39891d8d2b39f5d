/**
 * The Eviction subresource (pkg/registry/core/pod/storage/eviction.go): what `kubectl drain` calls
 * to remove a pod politely.
 *  - A pod that has finished, or is covered by no PodDisruptionBudget, is simply deleted.
 *  - A pod covered by more than one PDB is refused (500).
 *  - Otherwise the PDB's status must be current (observedGeneration) and allow a disruption: the
 *    eviction then decrements status.disruptionsAllowed in the same optimistic-concurrency write
 *    (so back-to-back evictions cannot overspend the budget) and deletes the pod gracefully. With
 *    no disruption left it answers 429 TooManyRequests, and the caller retries later.
 *  - A pod that is not Ready may go whenever the budget is currently met (currentHealthy ≥
 *    desiredHealthy), as the default unhealthyPodEvictionPolicy IfHealthyBudget allows.
 */
import type { Pod } from "./objects.js";
import { objectKey } from "./objects.js";
import { apiError, type ApiResult, type Store } from "./store.js";
import { matchesLabelSelector } from "../cluster/selectors.js";

export const PDB_VIOLATION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

export function evictPod(store: Store, pod: Pod): ApiResult<Pod> {
  const key = objectKey(pod.metadata);
  const current = store.get("Pod", key);
  if (!current || current.metadata.uid !== pod.metadata.uid) return apiError("NotFound", `pods "${pod.metadata.name}" not found`);
  const finished = current.status.phase === "Succeeded" || current.status.phase === "Failed";
  const pdbs = finished ? [] : store.list("PodDisruptionBudget", current.metadata.namespace).filter((p) => matchesLabelSelector(p.spec.selector, current.metadata.labels));
  if (pdbs.length > 1) {
    return { ok: false, error: { code: 500, reason: "Invalid", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support." } };
  }
  if (pdbs.length === 1 && current.metadata.deletionTimestamp === undefined) {
    const pdb = pdbs[0];
    const ready = current.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    const s = pdb.status;
    if (s.observedGeneration === undefined || s.observedGeneration < pdb.metadata.generation) {
      return apiError("TooManyRequests", `${PDB_VIOLATION_MESSAGE} The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
    }
    if (ready || s.currentHealthy < s.desiredHealthy) {
      if (s.disruptionsAllowed <= 0) {
        return apiError("TooManyRequests", `${PDB_VIOLATION_MESSAGE} The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`);
      }
      const spent = store.update({ ...pdb, status: { ...s, disruptionsAllowed: s.disruptionsAllowed - 1 } });
      if (!spent.ok) return spent;
    }
  }
  const deleted = store.delete("Pod", key, { uid: current.metadata.uid });
  return deleted.ok ? { ok: true, object: deleted.object as Pod } : deleted;
}
