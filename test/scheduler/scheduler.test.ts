/**
 * The scheduling cycle (pkg/scheduler/schedule_one.go): host selection among tied scores, the
 * rotating start index, the FailedScheduling message and retries after backoff. Expected values
 * are derived by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { objectKey } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { Cluster } from "../../sim/run/cluster.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import type { PodInfo, PreFilterPlugin, Status } from "../../sim/scheduler/framework.js";
import { SUCCESS } from "../../sim/scheduler/framework.js";
import { defaultProfile } from "../../sim/scheduler/profiles.js";
import { FrameworkRunner, fitErrorMessage, numFeasibleNodesToFind, type Profile } from "../../sim/scheduler/scheduler.js";
import { pool, scenario } from "../helpers/scenario.js";

function node(name: string, cpu = "4", unschedulable = false): Node {
  const allocatable = { cpu, memory: "16Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `n-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: unschedulable ? { unschedulable: true } : {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
  };
}

let uids = 0;
function pod(name: string, cpu = "100m", priority = 0): PodInfo {
  const p: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `${name}-${++uids}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c", resources: { requests: { cpu, memory: "100Mi" } } }], priority },
    status: { phase: "Pending" },
  };
  return { pod: p, key: objectKey(p.metadata), requests: podRequests(p.spec) };
}

function cacheOf(nodes: Node[]): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.upsertNode(n);
  return c;
}

const names = (n: number, prefix = "node"): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);

describe("host selection", () => {
  it("breaks ties uniformly among the top scores (seeded)", () => {
    // Four identical empty nodes: every pod scores the same on each (nothing is assumed between
    // calls), so each node should win about a quarter of 4000 pods. With p = 1/4 the standard
    // deviation of a count is √(4000 · 1/4 · 3/4) ≈ 27; ±100 is more than 3.5 σ.
    const cache = cacheOf(names(4).map((n) => node(n)));
    const runner = new FrameworkRunner(new Rng(11, "scheduler"), 0);
    const profile = defaultProfile();
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const r = runner.schedule(profile, pod(`p${i}`), cache.nodes, 0);
      counts.set(r.node!, (counts.get(r.node!) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(names(4));
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(100);
  });

  it("only the top score is eligible, and the same seed gives the same choices", () => {
    // node-001 already holds 2 cpu: its LeastAllocated score is lower, so it is never chosen
    // while the other three tie.
    const cache = cacheOf(names(4).map((n) => node(n)));
    cache.addPod(pod("busy", "2").pod, "node-001");
    const picks = (seed: number): string[] => {
      const runner = new FrameworkRunner(new Rng(seed, "scheduler"), 0);
      return Array.from({ length: 300 }, (_, i) => runner.schedule(defaultProfile(), pod(`p${i}`), cache.nodes, 0).node!);
    };
    const a = picks(3);
    expect(a).not.toContain("node-001");
    expect(new Set(a).size).toBe(3);
    expect(picks(3)).toEqual(a);
    expect(picks(4)).not.toEqual(a);
  });
});

describe("nextStartNodeIndex rotates by the nodes processed", () => {
  it("200 nodes: 100 are evaluated per cycle (50 − 200/125 = 49 % → 98, raised to 100), so the start alternates 0, 100, 0", () => {
    expect(numFeasibleNodesToFind(200, 0)).toBe(100);
    const cache = cacheOf(names(200).map((n) => node(n)));
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    const seen: { start: number; evaluated: number; node: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const start = runner.startIndex;
      const r = runner.schedule(defaultProfile(), pod(`p${i}`), cache.nodes, 0);
      seen.push({ start, evaluated: r.evaluatedNodes, node: r.node! });
    }
    expect(seen.map((s) => [s.start, s.evaluated])).toEqual([
      [0, 100],
      [100, 100],
      [0, 100],
    ]);
    // The chosen node comes from the window examined: nodes 0–99, then 100–199.
    expect(Number(seen[0].node.slice(5))).toBeLessThan(100);
    expect(Number(seen[1].node.slice(5))).toBeGreaterThanOrEqual(100);
    expect(runner.startIndex).toBe(100);
  });

  it("infeasible nodes count as processed: (start + feasible + failed) mod n", () => {
    // 150 nodes, the first 10 cordoned; the target stays 100 feasible nodes.
    // Cycle 1 from 0: 10 cordoned + 100 feasible = 110 processed → start 110.
    // Cycle 2 from 110: nodes 110–149 (40 feasible), 0–9 (cordoned), 10–69 (60) = 110 → 220 mod 150 = 70.
    // Cycle 3 from 70: 70–149 (80), 0–9 (10 cordoned), 10–29 (20) = 110 → 180 mod 150 = 30.
    const cache = cacheOf(names(150).map((n, i) => node(n, "4", i < 10)));
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = runner.schedule(defaultProfile(), pod(`p${i}`), cache.nodes, 0);
      expect(r.feasibleNodes).toBe(100);
      expect(r.evaluatedNodes).toBe(110);
      starts.push(runner.startIndex);
    }
    expect(starts).toEqual([110, 70, 30]);
  });

  it("a failed cycle processes every node and leaves the start where it was", () => {
    const cache = cacheOf(names(5).map((n) => node(n, "1")));
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    runner.schedule(defaultProfile(), pod("fits"), cache.nodes, 0);
    expect(runner.startIndex).toBe(0); // 5 nodes < 100: all 5 processed, (0 + 5) mod 5
    const r = runner.schedule(defaultProfile(), pod("huge", "2"), cache.nodes, 0);
    expect(r.node).toBeUndefined();
    expect(r.evaluatedNodes).toBe(5);
    expect(runner.startIndex).toBe(0);
  });
});

describe("PreFilter (RunPreFilterPlugins)", () => {
  const only = (name: string, nodes: string[]): PreFilterPlugin => ({ name, preFilter: () => ({ status: SUCCESS, nodeNames: new Set(nodes) }) });
  const withPreFilters = (...pre: PreFilterPlugin[]): Profile => {
    const base = defaultProfile();
    return { ...base, preFilter: [...pre, ...base.preFilter] };
  };

  it("an Unschedulable PreFilter lets the others run (preemption needs their state); the message is the PreFilter's", () => {
    const ran: string[] = [];
    const reject: PreFilterPlugin = { name: "Rejecting", preFilter: () => (ran.push("Rejecting"), { status: { code: "Unschedulable", reasons: ["nope"] } }) };
    const later: PreFilterPlugin = { name: "Later", preFilter: () => (ran.push("Later"), { status: SUCCESS }) };
    const cache = cacheOf(names(3).map((n) => node(n)));
    const r = new FrameworkRunner(new Rng(1, "scheduler"), 0).schedule(withPreFilters(reject, later), pod("p"), cache.nodes, 0);
    expect(ran).toEqual(["Rejecting", "Later"]);
    expect(r.node).toBeUndefined();
    expect(r.preFilterStatus).toMatchObject({ code: "Unschedulable", reasons: ["nope"], plugin: "Rejecting" });
    // FitError: only the PreFilter message, not one count per node.
    expect(fitErrorMessage(3, r.failures, "nope")).toBe("0/3 nodes are available: nope.");
  });

  it("an UnschedulableAndUnresolvable PreFilter stops the cycle at once", () => {
    const ran: string[] = [];
    const stop: PreFilterPlugin = { name: "Stop", preFilter: () => (ran.push("Stop"), { status: { code: "UnschedulableAndUnresolvable", reasons: ["never"] } }) };
    const later: PreFilterPlugin = { name: "Later", preFilter: () => (ran.push("Later"), { status: SUCCESS }) };
    const cache = cacheOf(names(2).map((n) => node(n)));
    const r = new FrameworkRunner(new Rng(1, "scheduler"), 0).schedule(withPreFilters(stop, later), pod("p"), cache.nodes, 0);
    expect(ran).toEqual(["Stop"]);
    expect([...r.failures.values()].map((s: Status) => s.code)).toEqual(["UnschedulableAndUnresolvable", "UnschedulableAndUnresolvable"]);
  });

  it("PreFilter node names: only those nodes are filtered; the rest fail naming the plugins", () => {
    const cache = cacheOf(names(6).map((n) => node(n)));
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    const r = runner.schedule(withPreFilters(only("A", ["node-001", "node-004"]), only("B", ["node-004", "node-005", "node-001"])), pod("p"), cache.nodes, 0);
    expect(["node-001", "node-004"]).toContain(r.node);
    // 2 nodes processed: the start index moves by 2 (of all 6 nodes).
    expect(r.evaluatedNodes).toBe(2);
    expect(runner.startIndex).toBe(2);
    expect(r.failures.get("node-000")?.reasons).toEqual(["node(s) didn't satisfy plugin(s) [A B]"]);
    expect(r.failures.size).toBe(4);
  });

  it("PreFilter node names with an empty intersection", () => {
    const cache = cacheOf(names(3).map((n) => node(n)));
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    const one = runner.schedule(withPreFilters(only("A", [])), pod("p"), cache.nodes, 0);
    expect(one.preFilterStatus).toMatchObject({ code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't satisfy plugin A"] });
    const two = runner.schedule(withPreFilters(only("B", ["node-000"]), only("A", ["node-001"])), pod("p"), cache.nodes, 0);
    expect(two.preFilterStatus?.reasons).toEqual(["node(s) didn't satisfy plugin(s) [A B] simultaneously"]);
  });
});

describe("FailedScheduling (FitError with the preemption postfix)", () => {
  function cluster(nodes: number, cpu = "1") {
    const c = new Cluster(scenario({ pools: [pool("worker", nodes, [], { cpu, memory: "4Gi", pods: "110" })] }), { seed: 1 });
    c.bootstrap();
    c.engine.run(1_000_000);
    return c;
  }
  const createPod = (c: Cluster, name: string, cpu: string) =>
    c.store.create<"Pod">({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [{ name, resources: { requests: { cpu } } }] },
      status: { phase: "Pending" },
    });
  const failures = (c: Cluster, name: string) => c.events.byReason("FailedScheduling").filter((e) => e.object === `Pod/default/${name}`);

  it("a request larger than any node: the filter reason, then preemption finds nothing worth trying", () => {
    const c = cluster(3);
    createPod(c, "huge", "2");
    c.engine.run(3_000_000);
    const msg = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    expect(failures(c, "huge")[0].message).toBe(msg);
    const cond = c.store.get("Pod", "default/huge")!.status.conditions!.find((x) => x.type === "PodScheduled")!;
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable", message: msg });
    expect(c.store.get("Pod", "default/huge")!.status.nominatedNodeName).toBeUndefined();
  });

  it("mixed reasons, counted and sorted, on both sides of the postfix", () => {
    // worker-0 cordoned (UnschedulableAndUnresolvable); worker-1 and -2 each run a 600m pod of the
    // same priority as the new 600m pod: Insufficient cpu (Unschedulable), but nothing to preempt.
    const c = cluster(3);
    c.cordon("worker-0");
    createPod(c, "a", "600m");
    createPod(c, "b", "600m");
    c.engine.run(3_000_000);
    createPod(c, "c", "600m");
    c.engine.run(5_000_000);
    expect(failures(c, "c")[0].message).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. " +
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });

  it("no nodes at all", () => {
    const c = cluster(0);
    createPod(c, "lonely", "100m");
    c.engine.run(3_000_000);
    expect(failures(c, "lonely")[0].message).toBe("no nodes available to schedule pods");
  });
});

describe("retry after backoff", () => {
  it("an unschedulable pod moved by a node addition waits out its 1 s backoff, then binds", () => {
    // Pod created at 5 s: seen at 5.020 (watch latency 20 ms), tried at 5.021 (attempt latency
    // 1 ms) and fails. A big node is added at 5.3 s; its watch event at 5.320 moves the pod, but
    // its backoff (1 attempt → 1 s from 5.021) runs until 6.021, so it goes to backoffQ. The
    // backoff flush runs every whole second: at 7 s the pod is active, is tried at 7.001 and
    // bound 2 ms later (bind latency): Scheduled at 7.003.
    const s = scenario({
      pools: [pool("small", 1, [], { cpu: "1", memory: "4Gi", pods: "110" }), pool("big", 0, [], { cpu: "8", memory: "32Gi", pods: "110" })],
    });
    const c = new Cluster(s, { seed: 1 });
    c.bootstrap();
    c.engine.run(5_000_000);
    c.store.create<"Pod">({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "wants-big", namespace: "default" },
      spec: { containers: [{ name: "c", resources: { requests: { cpu: "4" } } }] },
      status: { phase: "Pending" },
    });
    c.engine.run(5_300_000);
    c.addNodes("big", 1);
    c.engine.run(20_000_000);
    const failed = c.events.byReason("FailedScheduling").filter((e) => e.object === "Pod/default/wants-big");
    const scheduled = c.events.byReason("Scheduled").filter((e) => e.object === "Pod/default/wants-big");
    expect(failed.map((e) => e.time)).toEqual([5.021]);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].time).toBeCloseTo(7.003, 9);
    expect(scheduled[0].message).toBe("Successfully assigned default/wants-big to big-0");
    expect(c.store.get("Pod", "default/wants-big")!.spec.nodeName).toBe("big-0");
    expect(c.stats.get("scheduler.attempts")).toBe(2);
  });
});
