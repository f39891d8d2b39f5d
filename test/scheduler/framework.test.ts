import { describe, expect, it } from "vitest";
import { fitErrorMessage, numFeasibleNodesToFind } from "../../sim/scheduler/scheduler.js";
import { SchedulingQueue } from "../../sim/scheduler/queue.js";
import type { Status } from "../../sim/scheduler/framework.js";
import type { Pod } from "../../sim/api/objects.js";

describe("numFeasibleNodesToFind (schedule_one.go; upstream test values)", () => {
  it.each([
    [10, 0, 10], // fewer than 100 nodes: all
    [1000, 0, 420], // adaptive: 50 − 1000/125 = 42 % → 420
    [1000, 40, 400],
    [6000, 0, 300], // adaptive: 50 − 48 = 2 % → floored at 5 % → 300
    [6000, 40, 2400],
    [150, 10, 100], // 15 → raised to the minimum of 100
    [5000, 0, 500], // 50 − 40 = 10 % → 500
  ])("%i nodes at %i%% → %i", (n, pct, want) => {
    expect(numFeasibleNodesToFind(n, pct)).toBe(want);
  });
});

describe("FailedScheduling message (FitError.Error)", () => {
  it("counts reasons over nodes and sorts them", () => {
    const failures = new Map<string, Status>([
      ["a", { code: "Unschedulable", reasons: ["Insufficient cpu"] }],
      ["b", { code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"] }],
      ["c", { code: "Unschedulable", reasons: ["Insufficient cpu", "Insufficient memory"] }],
    ]);
    expect(fitErrorMessage(5, failures)).toBe(
      "0/5 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.",
    );
  });
});

function pod(uid: string, priority = 0): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uid, namespace: "default", uid, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [], priority },
    status: { phase: "Pending" },
  };
}

describe("SchedulingQueue", () => {
  const opts = { initialBackoff: 1_000_000, maxBackoff: 10_000_000, maxInUnschedulable: 300_000_000 };

  it("pops higher priority first, then earlier timestamp (PrioritySort)", () => {
    const q = new SchedulingQueue(opts);
    q.add(pod("low-early", 0), 1);
    q.add(pod("high-late", 10), 5);
    q.add(pod("low-late", 0), 3);
    q.add(pod("high-early", 10), 2);
    const order = [1, 2, 3, 4].map(() => q.pop(10)!.pod.metadata.uid);
    expect(order).toEqual(["high-early", "high-late", "low-early", "low-late"]);
  });

  it("backs off 1 s doubling to a 10 s cap (initial × 2^(attempts−1))", () => {
    const q = new SchedulingQueue(opts);
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a) / 1e6)).toEqual([0, 1, 2, 4, 8, 10, 10]);
  });

  it("keeps a failed pod unschedulable until a cluster event, then applies its backoff", () => {
    const q = new SchedulingQueue(opts);
    q.add(pod("p"), 0);
    const popped = q.pop(0)!;
    q.addUnschedulable(popped.pod.metadata.uid, q.schedulingCycle, 100);
    expect(q.pop(200)).toBeUndefined();
    expect(q.lengths.unschedulable).toBe(1);
    // A node was added at t = 0.5 s: the pod (1 attempt → 1 s backoff from t = 100 µs) goes to backoffQ.
    q.moveAllToActiveOrBackoff(500_000);
    q.flushBackoffCompleted(900_000);
    expect(q.pop(900_000)).toBeUndefined();
    q.flushBackoffCompleted(1_000_100);
    expect(q.pop(1_000_100)?.pod.metadata.uid).toBe("p");
  });

  it("moves pods left unschedulable for more than 5 minutes", () => {
    const q = new SchedulingQueue(opts);
    q.add(pod("p"), 0);
    q.addUnschedulable(q.pop(0)!.pod.metadata.uid, q.schedulingCycle, 0);
    q.flushUnschedulableLeftover(300_000_000); // exactly 5 min: not more than
    expect(q.lengths.unschedulable).toBe(1);
    q.flushUnschedulableLeftover(300_000_001);
    expect(q.pop(300_000_001)?.pod.metadata.uid).toBe("p");
  });

  it("sends a pod that failed during a move request straight to backoff, not unschedulable", () => {
    const q = new SchedulingQueue(opts);
    q.add(pod("p"), 0);
    const popped = q.pop(0)!;
    const cycle = q.schedulingCycle;
    q.moveAllToActiveOrBackoff(10); // an event arrives while the pod is in flight
    q.addUnschedulable(popped.pod.metadata.uid, cycle, 20);
    expect(q.lengths.unschedulable).toBe(0);
    expect(q.lengths.backoff).toBe(1);
  });
});
