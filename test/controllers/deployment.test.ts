import { describe, expect, it } from "vitest";
import type { Deployment, IntOrString, ReplicaSet } from "../../sim/api/objects.js";
import { MAX_REPLICAS_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, proportionalSizes } from "../../sim/controllers/deployment.js";

function dep(replicas: number, maxSurge: IntOrString = 0, maxUnavailable: IntOrString = 0): Deployment {
  return {
    spec: { replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } } },
    status: {},
  } as unknown as Deployment;
}

/** A ReplicaSet last sized for `old` (annotations as setReplicasAnnotations writes them). */
function rs(name: string, replicas: number, created: number, old: Deployment, available = replicas): ReplicaSet {
  const surge = typeof old.spec.strategy.rollingUpdate?.maxSurge === "number" ? old.spec.strategy.rollingUpdate.maxSurge : 0;
  return {
    metadata: {
      name,
      creationTimestamp: created,
      annotations: { [DESIRED_REPLICAS_ANNOTATION]: String(old.spec.replicas), [MAX_REPLICAS_ANNOTATION]: String(old.spec.replicas + surge) },
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  } as unknown as ReplicaSet;
}

const sizesOf = (m: Map<ReplicaSet, number>, all: ReplicaSet[]): number[] => all.map((r) => m.get(r) ?? r.spec.replicas);

// Rows from upstream pkg/controller/deployment/sync_test.go TestScale (RollingUpdate, surge 0 unless
// given); the arithmetic is round(size × (replicas + surge) ÷ max-replicas annotation) per RS.
describe("proportional scaling (sync.go scale, upstream TestScale rows)", () => {
  it.each([
    // name, new size, [new, ...old], old deployment, new deployment, expected [new, ...old]
    ["10 -> 12, one RS", [10], dep(10), dep(12), [12]],
    ["10 -> 5, one RS", [10], dep(10), dep(5), [5]],
    // old 3: round(3×10/5)=6 → +3; new 2: round(2×10/5)=4 → +2.
    ["5 -> 10", [2, 3], dep(5), dep(10), [4, 6]],
    // toAdd −2: old 3 first: round(3×3/5)=2 → −1; new 2: round(2×3/5)=1 → −1.
    ["5 -> 3", [2, 3], dep(5), dep(3), [1, 2]],
    // new 8: round(8×4/9)=4 → −4; old 1: −1.
    ["9 -> 4", [8, 1], dep(9), dep(4), [4, 0]],
    // v2 3: round(30/7)=4 (+1); v3 2 (newer): round(20/7)=3 (+1); v1 2: +1.
    ["7 -> 10", [2, 3, 2], dep(7), dep(10), [3, 4, 3]],
    // v2 8: round(64/13)=5 (−3); v1 3 (older first when shrinking): round(24/13)=2 (−1); v3 2: round(16/13)=1 (−1).
    ["13 -> 8", [2, 8, 3], dep(13), dep(8), [1, 5, 2]],
    // each round(4/3)=1 → 0; the leftover +1 goes to the first (newest): v3.
    ["leftover 3 -> 4", [1, 1, 1], dep(3), dep(4), [2, 1, 1]],
    // each round(2/3)=1 → 0; the leftover −1 goes to the first when shrinking (oldest): v1.
    ["leftover 3 -> 2", [1, 1, 1], dep(3), dep(2), [1, 1, 0]],
    ["6 -> 0", [3, 2, 1], dep(6), dep(0), [0, 0, 0]],
    // all zero: the new RS takes the whole size.
    ["0 -> 6", [0, 0, 0], dep(6), dep(6), [6, 0, 0]],
    // surge 2: 22 allowed, 12 now, both 6: round(6×22/12)=11 each.
    ["surge pods 10 -> 20", [6, 6], dep(10, 2), dep(20, 2), [11, 11]],
    // surge 3 → 6: max-replicas 13; old 8: round(8×56/13)=34; new 5: round(5×56/13)=22.
    ["both surge and size", [5, 8], dep(10, 3), dep(50, 6), [22, 34]],
  ] as [string, number[], Deployment, Deployment, number[]][])("%s", (_name, sizes, oldD, newD, expected) => {
    const all = sizes.map((n, i) => rs(`v${sizes.length - i}`, n, 1000 - i, oldD));
    const [newRS, ...old] = all;
    expect(sizesOf(proportionalSizes(newD, newRS, old), all)).toEqual(expected);
  });

  it("no new ReplicaSet (4 -> 5): the newer old one grows first", () => {
    // v2 2: round(2×5/4)=round(2.5)=3 (+1); v1: nothing left.
    const all = [rs("v2", 2, 20, dep(4)), rs("v1", 2, 10, dep(4))];
    expect(sizesOf(proportionalSizes(dep(5), undefined, all), all)).toEqual([3, 2]);
  });

  it("a saturated new ReplicaSet scales the old ones to 0", () => {
    const d = dep(4);
    const all = [rs("v2", 4, 20, d, 4), rs("v1", 1, 10, d)];
    expect(sizesOf(proportionalSizes(d, all[0], [all[1]]), all)).toEqual([4, 0]);
  });

  it("saturated but broken (nothing available) leaves the old pods alone", () => {
    const d = dep(2, 1, 1);
    const all = [rs("v2", 2, 20, d, 0), rs("v1", 1, 10, d)];
    expect(sizesOf(proportionalSizes(d, all[0], [all[1]]), all)).toEqual([2, 1]);
  });
});

import { Cluster } from "../../sim/run/cluster.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";
import { isPodAvailable } from "../../sim/controllers/replicaSet.js";
import type { Pod } from "../../sim/api/objects.js";

/**
 * RollingUpdate bounds (rolling.go): with 8 replicas and 25 % / 25 %, maxSurge = ceil(2) = 2 and
 * maxUnavailable = floor(2) = 2. At every instant of the rollout:
 *  - the ReplicaSets ask for at most 10 pods in total (the controller enforces this on spec counts);
 *  - at least 6 pods are available, except that it can dip below 6 by at most one scale-down step
 *    (2): a ReplicaSet's status is computed from pods listed before its own deletions, so the
 *    Deployment controller can act on an availableReplicas that still counts pods being deleted —
 *    the race behind upstream e2e flakes #21810 and #22719. simk reproduces it rather than hiding
 *    it (in 2 of these 8 seeds, for about a second).
 */
describe("rolling update bounds, at every write", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])("seed %i", (seed) => {
    const s = 1_000_000;
    const sc = scenario({ pools: [pool("w", 4, ["a", "b"])], manifests: [deployment("web", 8, { cpu: "100m", memory: "64Mi" })], duration: 300 * s, seed });
    const cluster = new Cluster(sc, { seed });
    const problems: string[] = [];
    let rolloutStarted = false;
    let maxSpec = 0;
    let minAvailable = Infinity;
    let minReported = Infinity;
    cluster.store.observe(() => {
      if (!rolloutStarted) return;
      const rss = cluster.store.list("ReplicaSet");
      const spec = rss.reduce((n, r) => n + r.spec.replicas, 0);
      const now = cluster.engine.now;
      const available = cluster.store.list("Pod").filter((p: Pod) => p.metadata.deletionTimestamp === undefined && isPodAvailable(p, 0, now)).length;
      const reported = rss.reduce((n, r) => n + (r.status.availableReplicas ?? 0), 0);
      maxSpec = Math.max(maxSpec, spec);
      minAvailable = Math.min(minAvailable, available);
      minReported = Math.min(minReported, reported);
      if (spec > 10) problems.push(`t=${now}: ReplicaSets ask for ${spec} > 10 pods`);
      if (available < 4) problems.push(`t=${now}: only ${available} < 6 − 2 pods available`);
    });
    cluster.bootstrap();
    cluster.engine.at(60 * s, () => {
      rolloutStarted = true;
      cluster.rollout("Deployment/default/web", { image: "web:2" });
    });
    cluster.engine.run(300 * s);
    expect(problems.slice(0, 3)).toEqual([]);
    const d = cluster.store.get("Deployment", "default/web")!;
    // The rollout completes: 8 updated, 8 available, one ReplicaSet left with replicas.
    expect([d.status.updatedReplicas, d.status.availableReplicas]).toEqual([8, 8]);
    expect(cluster.store.list("ReplicaSet").map((r) => r.spec.replicas).sort()).toEqual([0, 8]);
    // And it used its budget: it surged, and availability went down to (or just past) the floor.
    expect(maxSpec).toBe(10);
    expect(minReported).toBeLessThanOrEqual(6);
    expect(minAvailable).toBeGreaterThanOrEqual(4);
    expect(minAvailable).toBeLessThanOrEqual(6);
    expect(d.status.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
  });
});
