import { describe, expect, it } from "vitest";
import { newRSNewReplicas, resolveFenceposts } from "../../sim/controllers/deployment.js";
import { slowStartBatch, comparePodsForDeletion } from "../../sim/controllers/replicaSet.js";
import { computeZoneState } from "../../sim/controllers/nodeLifecycle.js";
import { minTolerationTime } from "../../sim/controllers/taintEviction.js";
import type { Deployment, Pod, ReplicaSet } from "../../sim/api/objects.js";

describe("resolveFenceposts (deployment_util.go)", () => {
  it.each([
    ["25%", "25%", 10, 3, 2], // surge ceil(2.5) = 3, unavailable floor(2.5) = 2
    ["39%", "39%", 10, 4, 3], // the reference's example: ceil(3.9) = 4, floor(3.9) = 3
    [0, 0, 10, 0, 1], // both zero → unavailable 1
    ["0%", "0%", 10, 0, 1],
    [2, "10%", 5, 2, 0], // floor(0.5) = 0, surge 2 keeps it legal
    ["25%", "25%", 1, 1, 0], // ceil(0.25) = 1, floor(0.25) = 0
  ] as const)("surge %s unavailable %s of %i → %i / %i", (surge, unavail, desired, wantSurge, wantUnavail) => {
    expect(resolveFenceposts(surge, unavail, desired)).toEqual({ surge: wantSurge, unavailable: wantUnavail });
  });
});

describe("slowStartBatch (controller_utils.go)", () => {
  it("creates 10 as 1 + 2 + 4 + 3", () => {
    const batches: number[] = [];
    let inBatch = 0;
    let calls = 0;
    // Record batch boundaries by the calls made between successes; all succeed here.
    const n = slowStartBatch(10, 1, () => {
      calls++;
      inBatch++;
      if ([1, 3, 7, 10].includes(calls)) {
        batches.push(inBatch);
        inBatch = 0;
      }
      return true;
    });
    expect(n).toBe(10);
    expect(batches).toEqual([1, 2, 4, 3]);
  });

  it("stops after the first batch with a failure", () => {
    let calls = 0;
    // Calls 1 (batch 1) and 2–3 (batch 2) succeed; call 5 (in batch 3 = calls 4–7) fails.
    const n = slowStartBatch(10, 1, () => ++calls !== 5);
    expect(calls).toBe(7); // every call of the failing batch still runs
    expect(n).toBe(6);
  });
});

function mkPod(name: string, opts: { node?: string; phase?: Pod["status"]["phase"]; readyAt?: number; created?: number; cost?: string; restarts?: number }): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: name,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: opts.created ?? 0,
      ...(opts.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": opts.cost } } : {}),
    },
    spec: { containers: [{ name: "c" }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? "Running",
      conditions: opts.readyAt !== undefined ? [{ type: "Ready", status: "True", lastTransitionTime: opts.readyAt }] : [],
      containerStatuses: [{ name: "c", ready: opts.readyAt !== undefined, restartCount: opts.restarts ?? 0 }],
    },
  };
}

describe("deletion ranking (ActivePodsWithRanks.Less)", () => {
  const now = 1_000_000_000;
  const first = (a: Pod, b: Pod, ra = 1, rb = 1): string => (comparePodsForDeletion(a, b, ra, rb, now) < 0 ? a.metadata.name : b.metadata.name);

  it("1. unassigned before assigned", () => {
    expect(first(mkPod("assigned", { node: "n", phase: "Pending" }), mkPod("unassigned", { phase: "Pending" }))).toBe("unassigned");
  });
  it("2. Pending before Running", () => {
    expect(first(mkPod("running", { node: "n" }), mkPod("pending", { node: "n", phase: "Pending" }))).toBe("pending");
  });
  it("3. not ready before ready", () => {
    expect(first(mkPod("ready", { node: "n", readyAt: 0 }), mkPod("notready", { node: "n" }))).toBe("notready");
  });
  it("4. lower deletion cost first", () => {
    expect(first(mkPod("cheap", { node: "n", cost: "-5" }), mkPod("dear", { node: "n", cost: "10" }))).toBe("cheap");
  });
  it("5. more related pods on the same node first", () => {
    expect(first(mkPod("crowded", { node: "a" }), mkPod("alone", { node: "b" }), 3, 1)).toBe("crowded");
  });
  it("6. the more recently ready first, when in different log2 buckets", () => {
    // Ready 1 s ago (2^29.9 ns) vs 100 s ago (2^36.5 ns): different buckets, the newer goes first.
    expect(first(mkPod("old", { node: "n", readyAt: now - 100_000_000 }), mkPod("new", { node: "n", readyAt: now - 1_000_000 }))).toBe("new");
  });
  it("6. same log2 bucket falls back to uid order", () => {
    // 100 s and 101 s ago are both in bucket floor(log2(1e11 ns)) = 36.
    expect(first(mkPod("b", { node: "n", readyAt: now - 100_000_000 }), mkPod("a", { node: "n", readyAt: now - 101_000_000 }))).toBe("a");
  });
  it("7. more restarts first", () => {
    expect(first(mkPod("calm", { node: "n" }), mkPod("flaky", { node: "n", restarts: 3 }))).toBe("flaky");
  });
});

describe("node lifecycle zone state (handleDisruption)", () => {
  it.each([
    [0, 3, "FullDisruption"],
    [5, 0, "Normal"],
    [2, 2, "Normal"], // notReady must exceed 2
    [2, 3, "PartialDisruption"], // 3 / 5 = 0.6 ≥ 0.55
    [10, 3, "Normal"], // 3 / 13 = 0.23
  ] as const)("%i ready, %i not ready → %s", (ready, notReady, state) => {
    expect(computeZoneState(ready, notReady, 0.55)).toBe(state);
  });
});

describe("getMinTolerationTime (taint_eviction.go)", () => {
  const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" as const };
  const withTolerations = (t: Pod["spec"]["tolerations"]): Pod => ({ ...mkPod("p", {}), spec: { containers: [], tolerations: t } });
  it("untolerated taint → evict now", () => {
    expect(minTolerationTime(withTolerations([]), [unreachable])).toEqual({ allTolerated: false, min: 0 });
  });
  it("default 300 s toleration", () => {
    expect(minTolerationTime(withTolerations([{ key: unreachable.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]), [unreachable]).min).toBe(300_000_000);
  });
  it("no tolerationSeconds → never (-1)", () => {
    expect(minTolerationTime(withTolerations([{ operator: "Exists" }]), [unreachable]).min).toBe(-1);
  });
  it("the minimum of the matching tolerations; ≤ 0 means now", () => {
    const p = withTolerations([
      { key: unreachable.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { operator: "Exists", effect: "NoExecute", tolerationSeconds: -1 },
    ]);
    expect(minTolerationTime(p, [unreachable]).min).toBe(0);
  });
});

describe("NewRSNewReplicas for RollingUpdate", () => {
  const d = (replicas: number, surge: number | string): Deployment =>
    ({ spec: { replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: surge, maxUnavailable: 0 } } } }) as unknown as Deployment;
  const rs = (replicas: number): ReplicaSet => ({ spec: { replicas } }) as unknown as ReplicaSet;
  it("scales the new RS up to replicas + surge in total", () => {
    // 10 replicas, surge 3: old has 10, new 0 → new may grow to 3.
    expect(newRSNewReplicas(d(10, 3), [rs(10), rs(0)], rs(0))).toBe(3);
    // Already at the maximum total: no change.
    expect(newRSNewReplicas(d(10, 3), [rs(10), rs(3)], rs(3))).toBe(3);
    // Old scaled down to 5: new may reach min(13 − 8, 10 − 3) + 3 = 8.
    expect(newRSNewReplicas(d(10, 3), [rs(5), rs(3)], rs(3))).toBe(8);
  });
});
