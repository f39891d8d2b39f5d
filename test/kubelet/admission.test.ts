/**
 * Kubelet admission (pkg/kubelet/lifecycle/predicate.go): pods bound straight to a node (no
 * scheduler) are admitted while the node's allocatable covers them and rejected with
 * OutOfpods / OutOfcpu / OutOfmemory beyond; pods deleted from the API server stop counting at once.
 */
import { describe, expect, it } from "vitest";
import type { NewObject, Pod } from "../../sim/api/objects.js";
import { Cluster } from "../../sim/run/cluster.js";
import { pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

function boundPod(name: string, cpu: string, memory = "1Gi"): NewObject<Pod> & { kind: "Pod" } {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: "worker-0", containers: [{ name: "c", image: "img:1", resources: { requests: { cpu, memory } } }] },
    status: { phase: "Pending" },
  };
}

function cluster(allocatable: { cpu: string; memory: string; pods: string }): Cluster {
  const c = new Cluster(scenario({ pools: [pool("worker", 1, [], allocatable)], duration: 60 * s }), { seed: 1 });
  c.bootstrap();
  return c;
}

const phaseOf = (c: Cluster, name: string): { phase?: string; reason?: string; message?: string } => {
  const p = c.store.get("Pod", `default/${name}`)!;
  return { phase: p.status.phase, reason: p.status.reason, message: p.status.message };
};

describe("kubelet admission", () => {
  it("rejects the pod beyond the pod count, then cpu, then memory, with upstream's messages", () => {
    const c = cluster({ cpu: "2", memory: "4Gi", pods: "3" });
    c.engine.at(1 * s, () => {
      c.store.create(boundPod("a", "1"));
      c.store.create(boundPod("b", "500m"));
    });
    c.engine.at(2 * s, () => c.store.create(boundPod("cpu-hog", "600m")));
    c.engine.at(3 * s, () => c.store.create(boundPod("mem-hog", "100m", "3Gi")));
    c.engine.at(4 * s, () => c.store.create(boundPod("c", "100m")));
    c.engine.at(5 * s, () => c.store.create(boundPod("d", "100m")));
    c.engine.run(10 * s);
    expect(phaseOf(c, "a").phase).toBe("Running");
    expect(phaseOf(c, "b").phase).toBe("Running");
    expect(phaseOf(c, "cpu-hog")).toEqual({
      phase: "Failed",
      reason: "OutOfcpu",
      message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000",
    });
    expect(phaseOf(c, "mem-hog")).toEqual({
      phase: "Failed",
      reason: "OutOfmemory",
      message: `Pod was rejected: Node didn't have enough resource: memory, requested: ${3 * 2 ** 30}, used: ${2 * 2 ** 30}, capacity: ${4 * 2 ** 30}`,
    });
    expect(phaseOf(c, "c").phase).toBe("Running");
    expect(phaseOf(c, "d")).toEqual({ phase: "Failed", reason: "OutOfpods", message: "Pod was rejected: Node didn't have enough resource: pods" });
  });

  it("a pod deleted in the API server no longer counts, even before the kubelet has seen the deletion", () => {
    const c = cluster({ cpu: "2", memory: "4Gi", pods: "110" });
    c.engine.at(1 * s, () => c.store.create(boundPod("a", "1500m")));
    // In one instant a pod that only fits without "a" is bound and "a" is deleted: the kubelet
    // sees "b" first, while it still holds "a", whose deletion is already in the API server.
    c.engine.at(1.5 * s, () => {
      c.store.create(boundPod("b", "1500m"));
      c.store.delete("Pod", "default/a", { gracePeriodSeconds: 0 });
    });
    c.engine.run(10 * s);
    expect(c.store.get("Pod", "default/a")).toBeUndefined();
    expect(phaseOf(c, "b").phase).toBe("Running");
  });
});
