/**
 * Invariants that must hold at every write, over many random scenarios:
 *  - no node ever holds more requested cpu or memory (or more pods) than it has allocatable;
 *  - no pod is started (becomes Running) once its deletion has begun, and none on a node it was
 *    evicted from;
 *  - the cluster observer's incrementally kept counts and sums (what the metrics sample) equal a
 *    recount from the store's pods, at every sample point;
 *  - the same seed gives the same run.
 */
import { describe, expect, it } from "vitest";
import type { Pod } from "../../sim/api/objects.js";
import { podRequests, toResources } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { Cluster } from "../../sim/run/cluster.js";
import { runScenario } from "../../sim/run/simulate.js";
import type { Scenario } from "../../sim/scenario/types.js";
import type { SchedulerConfig } from "../../sim/scheduler/scheduler.js";
import { deployment, pool, scenario, type ActionInput } from "../helpers/scenario.js";

const s = 1_000_000;

function randomScenario(seed: number): Scenario {
  const rng = new Rng(seed, "scenario-generator");
  const nodes = 3 + rng.int(6);
  const pools = [pool("w", nodes, ["a", "b", "c"], { cpu: String(2 + rng.int(4)), memory: `${4 + rng.int(12)}Gi`, pods: String(5 + rng.int(20)) })];
  const manifests = Array.from({ length: 1 + rng.int(4) }, (_, i) =>
    deployment(`d${i}`, 1 + rng.int(12), { cpu: `${100 * (1 + rng.int(15))}m`, memory: `${128 * (1 + rng.int(16))}Mi` }),
  );
  const timeline: ActionInput[] = [];
  const actions = 2 + rng.int(5);
  for (let i = 0; i < actions; i++) {
    const at = (10 + rng.int(500)) * s;
    const node = `w-${rng.int(nodes)}`;
    const kind = rng.int(6);
    if (kind === 0) timeline.push({ at, action: "failNode", node });
    else if (kind === 1) timeline.push({ at, action: "recoverNode", node });
    else if (kind === 2) timeline.push({ at, action: "drain", node });
    else if (kind === 3) timeline.push({ at, action: "cordon", node });
    else if (kind === 4) timeline.push({ at, action: "scale", target: `Deployment/default/d${rng.int(manifests.length)}`, replicas: rng.int(15) });
    else timeline.push({ at, action: "rollout", target: `Deployment/default/d${rng.int(manifests.length)}`, template: { image: `img:${i}` } });
  }
  timeline.sort((a, b) => a.at - b.at);
  return scenario({ pools, manifests, timeline, duration: 700 * s, seed });
}

/** Puts the scenario's timeline actions (those randomScenario generates) on the cluster's engine. */
function scheduleTimeline(cluster: Cluster, sc: Scenario): void {
  for (const a of sc.timeline) {
    cluster.engine.at(a.at, () => {
      if (a.action === "failNode") cluster.failNode(a.node);
      else if (a.action === "recoverNode") cluster.recoverNode(a.node);
      else if (a.action === "drain") cluster.drain(a.node);
      else if (a.action === "cordon") cluster.cordon(a.node);
      else if (a.action === "scale") cluster.scale(a.target, a.replicas);
      else if (a.action === "rollout") cluster.rollout(a.target, a.template);
    });
  }
}

function checkInvariants(sc: Scenario, schedulerConfig?: SchedulerConfig): string[] {
  const cluster = new Cluster(sc, { seed: sc.seed, schedulerConfig });
  const violations: string[] = [];
  const perNode = new Map<string, { cpu: number; memory: number; pods: number }>();
  const holds = (p: Pod): boolean => !!p.spec.nodeName && p.status.phase !== "Succeeded" && p.status.phase !== "Failed";
  const apply = (p: Pod, sign: number): void => {
    if (!holds(p)) return;
    const r = podRequests(p.spec).requests;
    const u = perNode.get(p.spec.nodeName!) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += sign * r.milliCPU;
    u.memory += sign * r.memory;
    u.pods += sign;
    perNode.set(p.spec.nodeName!, u);
  };
  const deleting = new Set<string>();
  cluster.store.observe((kind, e) => {
    if (kind !== "Pod") return;
    const pod = e.object as Pod;
    const old = e.oldObject as Pod | undefined;
    if (old) apply(old, -1);
    if (e.type !== "DELETED") apply(pod, +1);
    if (pod.metadata.deletionTimestamp !== undefined) deleting.add(pod.metadata.uid);
    if (e.type !== "DELETED" && pod.status.phase === "Running" && old?.status.phase !== "Running" && deleting.has(pod.metadata.uid)) {
      violations.push(`t=${cluster.engine.now}: pod ${pod.metadata.name} started after its deletion began`);
    }
    const node = pod.spec.nodeName ? cluster.store.get("Node", pod.spec.nodeName) : undefined;
    if (node && e.type !== "DELETED" && holds(pod)) {
      const alloc = toResources(node.status.allocatable);
      const u = perNode.get(node.metadata.name)!;
      const maxPods = Number(node.status.allocatable.pods ?? 110);
      if (u.cpu > alloc.milliCPU || u.memory > alloc.memory || u.pods > maxPods) {
        violations.push(`t=${cluster.engine.now}: node ${node.metadata.name} over-committed: cpu ${u.cpu}/${alloc.milliCPU} memory ${u.memory}/${alloc.memory} pods ${u.pods}/${maxPods}`);
      }
    }
  });
  cluster.bootstrap();
  scheduleTimeline(cluster, sc);
  cluster.engine.run(sc.duration);
  return violations;
}


/**
 * The observer's figures recounted from scratch: every pod in the store, classified directly
 * (phase, scheduled, deletion begun, Ready condition; requests of bound and unfinished pods).
 */
function recount(cluster: Cluster): Record<string, number> {
  const out: Record<string, number> = { total: 0, unscheduled: 0, terminating: 0, ready: 0, cpu: 0, memory: 0 };
  for (const p of cluster.store.list("Pod")) {
    out.total++;
    out[`phase.${p.status.phase}`] = (out[`phase.${p.status.phase}`] ?? 0) + 1;
    const finished = p.status.phase === "Succeeded" || p.status.phase === "Failed";
    if (!p.spec.nodeName && !finished) out.unscheduled++;
    if (p.metadata.deletionTimestamp !== undefined) out.terminating++;
    if (p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")) out.ready++;
    if (p.spec.nodeName && !finished) {
      const r = podRequests(p.spec).requests;
      out.cpu += r.milliCPU;
      out.memory += r.memory;
      const k = `node.${p.spec.nodeName}`;
      out[`${k}.cpu`] = (out[`${k}.cpu`] ?? 0) + r.milliCPU;
      out[`${k}.memory`] = (out[`${k}.memory`] ?? 0) + r.memory;
      out[`${k}.pods`] = (out[`${k}.pods`] ?? 0) + 1;
    }
  }
  return out;
}

/** The same figures as the observer keeps them (nodes without pods left out, as in recount). */
function observed(cluster: Cluster): Record<string, number> {
  const o = cluster.observer;
  const out: Record<string, number> = {
    total: o.podsTotal,
    unscheduled: o.podsUnscheduled,
    terminating: o.podsTerminating,
    ready: o.podsReady,
    cpu: o.cpuRequested,
    memory: o.memoryRequested,
  };
  for (const [phase, n] of o.podPhase) if (n !== 0) out[`phase.${phase}`] = n;
  for (const r of o.nodes.values()) {
    if (r.podCount === 0 && r.requestedCpu === 0 && r.requestedMemory === 0) continue;
    out[`node.${r.name}.cpu`] = r.requestedCpu;
    out[`node.${r.name}.memory`] = r.requestedMemory;
    out[`node.${r.name}.pods`] = r.podCount;
  }
  return out;
}

/** Runs the scenario, comparing observed(cluster) with recount(cluster) every 25 s; the differences. */
function observerMismatches(sc: Scenario): string[] {
  const cluster = new Cluster(sc, { seed: sc.seed });
  cluster.bootstrap();
  scheduleTimeline(cluster, sc);
  const mismatches: string[] = [];
  for (let t = 25 * s; t <= sc.duration; t += 25 * s) {
    cluster.engine.run(t);
    const want = recount(cluster);
    const got = observed(cluster);
    for (const k of new Set([...Object.keys(want), ...Object.keys(got)])) {
      if ((want[k] ?? 0) !== (got[k] ?? 0)) mismatches.push(`t=${t / s}s ${k}: observer ${got[k] ?? 0}, recount ${want[k] ?? 0}`);
    }
  }
  return mismatches;
}

describe("invariants over random scenarios", () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  it.each(seeds)("seed %i: no over-commitment, no start after deletion", (seed) => {
    expect(checkInvariants(randomScenario(seed))).toEqual([]);
  });

  it.each(seeds.slice(0, 20))("seed %i: the observer's counts equal a recount of the store's pods", (seed) => {
    expect(observerMismatches(randomScenario(seed))).toEqual([]);
  });

  it("the checker itself catches over-commitment (a scheduler without filters)", () => {
    const careless: SchedulerConfig = {
      profiles: [{ schedulerName: "default-scheduler", preFilter: [], filter: [], preScore: [], score: [] }],
      percentageOfNodesToScore: 0,
      podInitialBackoffSeconds: 1,
      podMaxBackoffSeconds: 10,
    };
    const sc = scenario({ pools: [pool("w", 1, [], { cpu: "1", memory: "1Gi", pods: "110" })], manifests: [deployment("d", 3, { cpu: "600m", memory: "100Mi" })], duration: 60 * s });
    expect(checkInvariants(sc, careless).some((v) => v.includes("over-committed"))).toBe(true);
  });

  it("the same seed gives the same metrics and events", () => {
    for (const seed of [3, 17]) {
      const a = runScenario(randomScenario(seed));
      const b = runScenario(randomScenario(seed));
      expect(JSON.stringify(b.metrics)).toBe(JSON.stringify(a.metrics));
      expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    }
  });
});
