/**
 * kubectl drain against a PodDisruptionBudget. 4 replicas on 3 nodes (one node has 2), PDB
 * minAvailable 3: allowed disruptions = 4 healthy − 3 = 1.
 *  - t: the first eviction spends the one disruption (status.disruptionsAllowed 1 → 0 in the same
 *    write); the second is refused with 429 and retried every 5 s.
 *  - The replacement is ready at t + 3.085 s (ReplicaSet L+1 ms, scheduler L+1+2 ms, kubelet L + 2 s
 *    start + 1 s ready), and the disruption controller recounts at + L + 1 ms → allowed 1 again.
 *  - The retry at t + 5 s succeeds: the drain takes exactly 5 s, and never fewer than 3 ready.
 */
import { describe, expect, it } from "vitest";
import type { NewObject, PodDisruptionBudget } from "../../sim/api/objects.js";
import { Cluster } from "../../sim/run/cluster.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

function pdb(minAvailable: number): NewObject<PodDisruptionBudget> {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "web-pdb", namespace: "default" },
    spec: { minAvailable, selector: { matchLabels: { app: "web" } } },
    status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
  };
}

function run(withPdb: boolean): { cluster: Cluster; node: string; minReady: number } {
  const sc = scenario({ pools: [pool("w", 3)], manifests: [deployment("web", 4, { cpu: "100m", memory: "64Mi" }), ...(withPdb ? [pdb(3)] : [])], duration: 200 * s });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: 2 * s };
  k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  const cluster = new Cluster(sc, { seed: 11 });
  let draining = false;
  let minReady = Infinity;
  cluster.store.observe(() => {
    if (!draining) return;
    const ready = cluster.store.list("Pod").filter((p) => p.metadata.deletionTimestamp === undefined && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
    minReady = Math.min(minReady, ready);
  });
  cluster.bootstrap();
  let node = "";
  cluster.engine.at(60 * s, () => {
    const perNode = new Map<string, number>();
    for (const p of cluster.store.list("Pod")) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    node = [...perNode].sort((a, b) => b[1] - a[1])[0][0];
    expect(perNode.get(node)).toBe(2);
    draining = true;
    cluster.drain(node);
  });
  cluster.engine.run(200 * s);
  return { cluster, node, minReady };
}

describe("drain with a PodDisruptionBudget", () => {
  it("evicts one pod at a time, waits for the replacement, and finishes after one 5 s retry", () => {
    const { cluster, node, minReady } = run(true);
    expect(cluster.stats.get(`drain.${node}.durationSeconds`)).toBe(5);
    expect(cluster.stats.get("drain.evictions")).toBe(2);
    expect(cluster.stats.get("drain.evictionRetries")).toBe(1);
    const blocked = cluster.events.byReason("EvictionBlocked");
    expect(blocked.length).toBe(1);
    // Refused in the same instant as the first eviction: the first only decremented
    // disruptionsAllowed, so currentHealthy in the status still says 4 (the controller recounts later).
    expect(blocked[0].message).toBe("Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web-pdb needs 3 healthy pods and has 4 currently");
    expect(minReady).toBe(3);
    // The drained node ends empty and cordoned; the Deployment is whole again elsewhere.
    expect(cluster.store.list("Pod").filter((p) => p.spec.nodeName === node)).toEqual([]);
    expect(cluster.store.get("Node", node)!.spec.unschedulable).toBe(true);
    expect(cluster.store.get("Deployment", "default/web")!.status.availableReplicas).toBe(4);
    // The PDB status is kept current by the disruption controller.
    expect(cluster.store.get("PodDisruptionBudget", "default/web-pdb")!.status).toMatchObject({ currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1, expectedPods: 4 });
  });

  it("without a budget both pods go at once", () => {
    const { cluster, node, minReady } = run(false);
    expect(cluster.stats.get(`drain.${node}.durationSeconds`)).toBe(0);
    expect(cluster.stats.get("drain.evictionRetries")).toBeUndefined();
    expect(minReady).toBe(2);
  });
});
