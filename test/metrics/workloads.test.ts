/**
 * A one-replica rollout (maxSurge ceil(25 % of 1) = 1, maxUnavailable floor(0.25) = 0), timed by
 * hand from the controller chain with watch latency L = 20 ms, sync 1 ms, attempt 1 ms, bind 2 ms,
 * start-up 2 s and readiness 1 s:
 *   60.000  rollout written
 *   60.021  Deployment controller: new ReplicaSet with 1 replica (total 1 < 1 + surge)
 *   60.042  ReplicaSet controller: new pod
 *   60.065  scheduler: bound (60.062 seen, +1 ms attempt, +2 ms bind)
 *   62.085  kubelet: running (60.085 seen + 2 s);  63.085 ready (+1 s)
 *   63.106  new ReplicaSet status: 1 available
 *   63.127  Deployment controller: old ReplicaSet 1 → 0 (2 available − min 1 = 1 to remove)
 *   63.148  old ReplicaSet controller: deletes the old pod; its status still counts it (stale)
 *   63.169  old ReplicaSet status: 0 replicas (deletion observed)
 *   63.190  Deployment controller: 1 updated, 1 replica, 1 available → complete
 * so the rollout takes 3.190 s, with at most 2 pods and never fewer than 1 ready.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/simulate.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

describe("workload metrics", () => {
  it("measures a rollout's duration, peak pods and lowest ready count", () => {
    const sc = scenario({
      pools: [pool("w", 2)],
      manifests: [deployment("web", 1, { cpu: "100m", memory: "64Mi" })],
      timeline: [{ at: 60 * s, action: "rollout", target: "Deployment/default/web", template: { image: "web:2" } }],
      duration: 120 * s,
    });
    const k = sc.components.kubelet;
    k.startupDelay = { distribution: "constant", value: 2 * s };
    k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
    k.readinessDelay = { distribution: "constant", value: 1 * s };
    const m = runScenario(sc).metrics;
    expect(m["deployment.default.web.rollouts"]).toBe(1);
    expect(m["deployment.default.web.rollout.complete"]).toBe(1);
    expect(m["deployment.default.web.rollout.durationSeconds"]).toBeCloseTo(3.19, 9);
    expect(m["deployment.default.web.rollout.maxPods"]).toBe(2);
    expect(m["deployment.default.web.rollout.minReady"]).toBe(1);
  });

  it("measures recovery per Deployment from the first node failure", () => {
    const sc = scenario({ pools: [pool("w", 3)], manifests: [deployment("web", 3), deployment("idle", 1, { cpu: "3500m", memory: "64Mi" })], timeline: [{ at: 60 * s, action: "failNode", node: "w-0" }], duration: 600 * s });
    const m = runScenario(sc).metrics;
    // "web" has a pod on every node (spread by LeastAllocated), so it dips and recovers after the
    // 300 s toleration: 355–375 s after the failure (grace 50 s + monitor tick ≤ 5 s + renew phase
    // ≤ 10 s + 300 s + restart ~3 s).
    expect(m["deployment.default.web.recoverySeconds"]).toBeGreaterThan(350);
    expect(m["deployment.default.web.recoverySeconds"]).toBeLessThan(375);
  });
});
