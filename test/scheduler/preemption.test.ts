/**
 * DefaultPreemption, nominated pods and PDB arithmetic. Rows marked "upstream" are ported from
 * pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go (TestPostFilter,
 * TestDryRunPreemption, TestSelectBestCandidate); the expected values are re-derived by hand in
 * the comments from the rules in sim/scheduler/preemption.ts.
 *
 * Resource units follow the upstream tests: small = 100m cpu / 100 bytes, medium = 200m / 200,
 * large = 300m / 300, veryLarge = 500m / 500; nodes have veryLarge capacity unless noted.
 */
import { describe, expect, it } from "vitest";
import type { Deployment, Node, OwnerReference, Pod, PodDisruptionBudget, PriorityClass, ReplicaSet } from "../../sim/api/objects.js";
import { objectKey } from "../../sim/api/objects.js";
import { pdbStatus, scaledValueFromIntOrPercent, workloadScaleLookup } from "../../sim/cluster/disruption.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { Cluster } from "../../sim/run/cluster.js";
import type { Scenario } from "../../sim/scenario/types.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import type {
  FilterPlugin,
  NodeInfo,
  NodeToStatus,
  PodInfo,
  PostFilterHandle,
  PreFilterPlugin,
  SchedulerClient,
  Status,
} from "../../sim/scheduler/framework.js";
import { cloneNodeInfo, CycleState, SUCCESS } from "../../sim/scheduler/framework.js";
import { Nominator } from "../../sim/scheduler/nominator.js";
import {
  calculateNumCandidates,
  dryRunPreemption,
  filterPodsWithPDBViolation,
  getOffsetAndNumCandidates,
  moreImportantPod,
  pickOneNodeForPreemption,
  selectVictimsOnNode,
  type Candidate,
} from "../../sim/scheduler/preemption.js";
import { defaultProfile } from "../../sim/scheduler/profiles.js";
import { FrameworkRunner, type ClusterLookups, type Profile } from "../../sim/scheduler/scheduler.js";
import { DefaultPreemption, defaultPreemptionArgsSchema, defaultPreemptionFactory } from "../../policies/scheduler/defaultPreemption.js";
import { scenario, pool } from "../helpers/scenario.js";

// --- fixtures -------------------------------------------------------------------------------

const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const VERY_HIGH = 10000;

type Res = { cpu: string; memory: string };
const small: Res = { cpu: "100m", memory: "100" };
const medium: Res = { cpu: "200m", memory: "200" };
const large: Res = { cpu: "300m", memory: "300" };
const veryLarge: Res = { cpu: "500m", memory: "500" };

let uidCounter = 0;

interface PodOpts {
  priority?: number;
  req?: Res;
  node?: string;
  labels?: Record<string, string>;
  startTime?: number;
  nominated?: string;
  never?: boolean;
  terminating?: boolean;
  disruptionTarget?: boolean;
  owner?: OwnerReference;
  ready?: boolean;
  namespace?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `${name}-uid-${++uidCounter}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: 0,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.terminating ? { deletionTimestamp: 30_000_000, deletionGracePeriodSeconds: 30 } : {}),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
    },
    spec: {
      containers: [{ name: "c", ...(o.req ? { resources: { requests: { ...o.req } } } : {}) }],
      priority: o.priority ?? 0,
      ...(o.never ? { preemptionPolicy: "Never" as const } : {}),
      ...(o.node ? { nodeName: o.node } : {}),
    },
    status: {
      phase: o.node ? "Running" : "Pending",
      ...(o.startTime !== undefined ? { startTime: o.startTime } : {}),
      ...(o.nominated ? { nominatedNodeName: o.nominated } : {}),
      conditions: [
        ...(o.ready ? [{ type: "Ready" as const, status: "True" as const }] : []),
        ...(o.disruptionTarget ? [{ type: "DisruptionTarget" as const, status: "True" as const, reason: "PreemptionByScheduler" }] : []),
      ],
    },
  };
}

function node(name: string, allocatable: Record<string, string> = { ...veryLarge, pods: "110" }, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
  };
}

function pdb(name: string, matchLabels: Record<string, string> | undefined, spec: Partial<PodDisruptionBudget["spec"]> = {}, disruptionsAllowed = 0): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: "default", uid: `pdb-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), ...spec },
    status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed, expectedPods: 0 },
  };
}

const info = (p: Pod): PodInfo => ({ pod: p, key: objectKey(p.metadata), requests: podRequests(p.spec) });

/** A recording SchedulerClient. */
class FakeClient implements SchedulerClient {
  preempted: { preemptor: string; victim: string; node: string }[] = [];
  cleared: string[] = [];
  constructor(private readonly pdbs: PodDisruptionBudget[] = []) {}
  preemptPod(preemptor: Pod, victim: Pod, nodeName: string): Status {
    this.preempted.push({ preemptor: preemptor.metadata.name, victim: victim.metadata.name, node: nodeName });
    return SUCCESS;
  }
  clearNominatedNodeName(pods: readonly Pod[]): void {
    this.cleared.push(...pods.map((p) => p.metadata.name));
  }
  podDisruptionBudgets(): readonly PodDisruptionBudget[] {
    return this.pdbs;
  }
}

interface World {
  cache: SchedulerCache;
  nodes: readonly NodeInfo[];
  nominator: Nominator;
  lookups: ClusterLookups;
  runner: FrameworkRunner;
  profile: Profile;
  client: FakeClient;
  handle: PostFilterHandle;
  seed: string;
}

/** Nodes and bound pods in a scheduler cache, the default profile and a fake client. */
function world(nodes: Node[], pods: Pod[], opts: { pdbs?: PodDisruptionBudget[]; profile?: Profile; nominated?: Pod[]; seed?: string } = {}): World {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const p of pods) cache.addPod(p, p.spec.nodeName!);
  const nominator = new Nominator();
  for (const p of opts.nominated ?? []) nominator.add(info(p));
  const lookups: ClusterLookups = {
    namespaceLabels: () => undefined,
    workloadSelectors: () => [],
    nominatedPodsForNode: (n) => nominator.podsForNode(n),
  };
  const seed = opts.seed ?? "test";
  const runner = new FrameworkRunner(new Rng(seed, "scheduler"), 0);
  const profile = opts.profile ?? defaultProfile();
  const client = new FakeClient(opts.pdbs);
  const handle = runner.postFilterHandle(profile, cache.nodes, 0, lookups, client);
  return { cache, nodes: cache.nodes, nominator, lookups, runner, profile, client, handle, seed };
}

/** The cycle state after PreFilter (and Filter) for `p`, as upstream tests populate it first. */
function stateFor(w: World, p: Pod): CycleState {
  return w.runner.schedule(w.profile, info(p), w.cache.nodes, 0, false, w.lookups).state;
}

/** One scheduling cycle: filters, then PostFilter if nothing fits. */
function cycle(w: World, p: Pod) {
  const pi = info(p);
  const result = w.runner.schedule(w.profile, pi, w.cache.nodes, 0, false, w.lookups);
  if (result.node) return { result, out: undefined };
  const out = w.runner.postFilter(w.profile, result.state, pi, result.failures, w.cache.nodes, 0, w.lookups, w.client);
  return { result, out };
}

/** Candidates as "node: victim,victim (violations)" sorted by node, victims by name (as upstream compares). */
function describeCandidates(cs: readonly Candidate[]): string[] {
  return cs
    .map((c) => `${c.name}: ${c.victims.map((v) => v.metadata.name).sort().join(",")}${c.numPDBViolations ? ` (${c.numPDBViolations} pdb)` : ""}`)
    .sort();
}

function dryRun(w: World, p: Pod, offset: number, numCandidates: number, pdbs: PodDisruptionBudget[] = []) {
  const pi = info(p);
  const r = w.runner.schedule(w.profile, pi, w.cache.nodes, 0, false, w.lookups);
  const potential = w.cache.nodes.filter((n) => r.failures.get(n.name)?.code === "Unschedulable");
  return dryRunPreemption(w.handle, r.state, pi, potential, pdbs, offset, numCandidates);
}

// --- args and arithmetic ----------------------------------------------------------------------

describe("DefaultPreemptionArgs", () => {
  it("defaults to 10 % and 100 (pkg/scheduler/apis/config/v1/defaults.go)", () => {
    expect(defaultPreemptionArgsSchema.parse({})).toEqual({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    expect(defaultPreemptionFactory.name).toBe("DefaultPreemption");
    const plugin = defaultPreemptionFactory.create(defaultPreemptionFactory.args!.parse({ minCandidateNodesAbsolute: 5 }));
    expect(plugin.name).toBe("DefaultPreemption");
    expect((plugin as DefaultPreemption).args).toEqual({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 5 });
  });

  it.each([
    [{ minCandidateNodesPercentage: -1 }, "not in valid range [0, 100]"],
    [{ minCandidateNodesPercentage: 101 }, "not in valid range [0, 100]"],
    [{ minCandidateNodesAbsolute: -1 }, "not in valid range [0, inf)"],
    [{ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, "cannot be zero"],
  ])("rejects %j (validation_pluginargs.go)", (args, message) => {
    const r = defaultPreemptionArgsSchema.safeParse(args);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it("accepts one of the two at zero", () => {
    expect(defaultPreemptionArgsSchema.safeParse({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 }).success).toBe(true);
    expect(defaultPreemptionArgsSchema.safeParse({ minCandidateNodesPercentage: 1, minCandidateNodesAbsolute: 0 }).success).toBe(true);
  });
});

describe("calculateNumCandidates: clamp(n × pct / 100, abs, n)", () => {
  it.each([
    // n, pct, abs, want
    [10, 10, 100, 10], // 1 → raised to 100 → capped at n = 10
    [1000, 10, 100, 100], // 100 = abs
    [2000, 10, 100, 200], // 10 % of 2000 beats the absolute minimum
    [1000, 40, 1, 400],
    [5, 40, 1, 2], // 5 × 40 / 100 = 2
    [5, 40, 2, 2],
    [5, 30, 1, 1], // 1.5 truncates to 1
    [7, 0, 3, 3], // percentage off: the absolute minimum
    [3, 100, 0, 3],
    [150, 50, 10, 75],
  ])("%i nodes, %i %%, min %i → %i", (n, pct, abs, want) => {
    expect(calculateNumCandidates(n, { minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs })).toBe(want);
  });

  it("draws the offset from the seeded stream, uniformly in [0, n)", () => {
    const a = new Rng(7, "scheduler");
    const b = new Rng(7, "scheduler");
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const r = getOffsetAndNumCandidates(5, { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 }, a);
      expect(r.numCandidates).toBe(2);
      expect(r.offset).toBe(b.int(5));
      seen.add(r.offset);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("importance order (util.MoreImportantPod)", () => {
  it("orders by priority, then by earlier start; a pod not started counts as now", () => {
    const now = 100;
    expect(moreImportantPod(pod("a", { priority: HIGH, startTime: 50 }), pod("b", { priority: MID, startTime: 1 }), now)).toBe(true);
    expect(moreImportantPod(pod("a", { priority: MID, startTime: 1 }), pod("b", { priority: MID, startTime: 2 }), now)).toBe(true);
    expect(moreImportantPod(pod("a", { priority: MID, startTime: 2 }), pod("b", { priority: MID, startTime: 1 }), now)).toBe(false);
    // Not started = now (100): later than any started pod, so less important.
    expect(moreImportantPod(pod("a", { priority: MID }), pod("b", { priority: MID, startTime: 99 }), now)).toBe(false);
  });
});

// --- victims on a node (SelectVictimsOnNode via DryRunPreemption) ------------------------------

describe("victim selection and reprieve order (upstream TestDryRunPreemption rows)", () => {
  const two = () => [node("node1"), node("node2")];

  it("a pod that fits on both nodes when lower priority pods are preempted", () => {
    // Each node: 300m used by a MID pod, 500m allocatable; the HIGH 300m pod needs it gone.
    const w = world(two(), [pod("p1", { node: "node1", priority: MID, req: large }), pod("p2", { node: "node2", priority: MID, req: large })]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 2);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1", "node2: p2"]);
  });

  it("no preemption when the pods running have higher (or equal) priority", () => {
    const w = world(two(), [pod("p1", { node: "node1", priority: MID, req: large }), pod("p2", { node: "node2", priority: MID, req: large })]);
    const r = dryRun(w, pod("p", { priority: LOW, req: large }), 0, 2);
    expect(r.candidates).toEqual([]);
    expect([...r.statuses.values()].map((s) => `${s.code}: ${s.reasons.join()}`)).toEqual([
      "UnschedulableAndUnresolvable: No preemption victims found for incoming pod",
      "UnschedulableAndUnresolvable: No preemption victims found for incoming pod",
    ]);
  });

  it("medium priority pod is preempted, but the lower priority one stays as it is small", () => {
    // node1: p1.1 LOW 100m, p1.2 MID 300m. Without both: 0 + 300 fits. Reprieve in importance
    // order: p1.2 (MID) → 300 + 300 = 600 > 500, victim; p1.1 (LOW) → 100 + 300 = 400, kept.
    const w = world(two(), [
      pod("p1.1", { node: "node1", priority: LOW, req: small }),
      pod("p1.2", { node: "node1", priority: MID, req: large }),
      pod("p2", { node: "node2", priority: MID, req: large }),
    ]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 2);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1.2", "node2: p2"]);
  });

  it("mixed priority pods are preempted", () => {
    // node1 keeps p1.4 (HIGH, 100m). Removable: p1.1 MID 100m, p1.2 LOW 100m, p1.3 MID 200m.
    // Importance: p1.1, p1.3 (MID, same start: input order), p1.2. Reprieve p1.1: 100+100+300 =
    // 500 fits, kept; p1.3: 700, victim; p1.2: 600, victim. node2's pod is HIGH: no victims.
    const w = world(two(), [
      pod("p1.1", { node: "node1", priority: MID, req: small }),
      pod("p1.2", { node: "node1", priority: LOW, req: small }),
      pod("p1.3", { node: "node1", priority: MID, req: medium }),
      pod("p1.4", { node: "node1", priority: HIGH, req: small }),
      pod("p2", { node: "node2", priority: HIGH, req: large }),
    ]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 2);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1.2,p1.3"]);
    // Victims come most important first.
    expect(r.candidates[0].victims.map((v) => v.metadata.name)).toEqual(["p1.3", "p1.2"]);
  });

  it("among equal priorities the earlier-started pod is reprieved first, so the later one goes", () => {
    // Importance: p1.3 (MID), p1.2 (LOW, started 4), p1.1 (LOW, started 5). Reprieve p1.3:
    // 100 (p1.4) + 200 + 300 = 600, victim; p1.2: 100 + 100 + 300 = 500, kept; p1.1: 600, victim.
    const w = world(two(), [
      pod("p1.1", { node: "node1", priority: LOW, req: small, startTime: 5 }),
      pod("p1.2", { node: "node1", priority: LOW, req: small, startTime: 4 }),
      pod("p1.3", { node: "node1", priority: MID, req: medium, startTime: 3 }),
      pod("p1.4", { node: "node1", priority: HIGH, req: small, startTime: 2 }),
      pod("p2", { node: "node2", priority: HIGH, req: large, startTime: 1 }),
    ]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 2);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1.1,p1.3"]);
  });

  it("a node where the pod does not fit even without every lower-priority pod is no candidate", () => {
    // 500m node with a HIGH 300m pod that cannot be preempted: 300 + 300 > 500 after removing LOW.
    const w = world([node("node1")], [pod("keep", { node: "node1", priority: HIGH, req: large }), pod("low", { node: "node1", priority: LOW, req: small })]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 1);
    expect(r.candidates).toEqual([]);
    expect(r.statuses.get("node1")).toMatchObject({ code: "Unschedulable", reasons: ["Insufficient cpu", "Insufficient memory"] });
  });

  it("PDB-violating pods are reprieved first: with one disruption allowed the first counted pod is free, the second violates", () => {
    // Upstream "preemption with violation of same pdb": both MID 200m pods must go for 500m;
    // the budget (1) covers p1.1, so p1.2 is the violating one: 1 violation.
    const w = world([node("node1")], [
      pod("p1.1", { node: "node1", priority: MID, req: medium, labels: { app: "foo" } }),
      pod("p1.2", { node: "node1", priority: MID, req: medium, labels: { app: "foo" } }),
    ]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: veryLarge }), 0, 1, [pdb("foo", { app: "foo" }, {}, 1)]);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1.1,p1.2 (1 pdb)"]);
  });

  it("reprieve prefers keeping a PDB-protected pod over a more important unprotected one", () => {
    // Room for exactly one of two 200m pods next to the 300m preemptor. The LOW pod is protected
    // (budget 0 → violating), so it is re-added first and kept; the MID pod becomes the victim
    // although it is more important.
    const w = world([node("node1")], [
      pod("mid", { node: "node1", priority: MID, req: medium }),
      pod("low", { node: "node1", priority: LOW, req: medium, labels: { app: "db" } }),
    ]);
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 1, [pdb("db", { app: "db" })]);
    expect(describeCandidates(r.candidates)).toEqual(["node1: mid"]);
    // Without the PDB the importance order decides: MID is kept, LOW goes.
    const r2 = dryRun(w, pod("p", { priority: HIGH, req: large }), 0, 1);
    expect(describeCandidates(r2.candidates)).toEqual(["node1: low"]);
  });

  it("works on copies: PreFilter RemovePod/AddPod extensions keep the cloned state in step; the cache is untouched", () => {
    // 500m node with a (MID, 200m) and b (LOW, 300m); the HIGH 300m pod. Remove both (2 removes),
    // reprieve a: 200 + 300 fits (1 add); reprieve b: 500 + 300 does not (1 add, 1 remove).
    const calls: string[] = [];
    const tracking: PreFilterPlugin = {
      name: "Tracking",
      preFilter: () => ({ status: SUCCESS }),
      addPod: (_s, _p, added) => (calls.push(`add ${added.pod.metadata.name}`), SUCCESS),
      removePod: (_s, _p, removed) => (calls.push(`remove ${removed.pod.metadata.name}`), SUCCESS),
    };
    const base = defaultProfile();
    const profile: Profile = { ...base, preFilter: [...base.preFilter, tracking] };
    const w = world([node("node1")], [pod("a", { node: "node1", priority: MID, req: medium }), pod("b", { node: "node1", priority: LOW, req: large })], { profile });
    const real = w.cache.nodeInfo("node1")!;
    const before = { cpu: real.requested.milliCPU, pods: real.pods.size, generation: real.generation };
    const p = pod("p", { priority: HIGH, req: large });
    const state = stateFor(w, p);
    calls.length = 0;
    const sel = selectVictimsOnNode(w.handle, state.clone(), info(p), cloneNodeInfo(real), []);
    expect(sel.victims.map((v) => v.metadata.name)).toEqual(["b"]);
    expect(calls).toEqual(["remove a", "remove b", "add a", "add b", "remove b"]);
    expect({ cpu: real.requested.milliCPU, pods: real.pods.size, generation: real.generation }).toEqual(before);
  });

  it("a PreFilter extension error is an Error status naming the plugin (upstream TestPostFilter TestPlugin rows)", () => {
    // The test plugin fails RemovePod on nodes labelled error=true.
    const failing: PreFilterPlugin = {
      name: "test-plugin",
      preFilter: () => ({ status: SUCCESS }),
      removePod: (_s, p, _r, n) => (n.node.metadata.labels?.error === "true" ? { code: "Error", reasons: [`failed to remove pod: ${p.pod.metadata.name}`] } : SUCCESS),
    };
    const base = defaultProfile();
    const profile: Profile = { ...base, preFilter: [...base.preFilter, failing] };
    const cap = { ...large, pods: "110" };
    // As upstream, the filter statuses are given (both nodes Unschedulable). Only one node, and
    // it fails: the error is the answer, and no nomination changes.
    const p = pod("p", { priority: HIGH, req: large });
    const unsched = (...names: string[]): NodeToStatus => new Map(names.map((n) => [n, { code: "Unschedulable" as const, reasons: [] }]));
    const one = world([node("node1", cap, { error: "true" })], [pod("p1", { node: "node1" })], { profile });
    const out = new DefaultPreemption().postFilter(stateFor(one, p), info(p), unsched("node1"), one.handle);
    expect(out.result).toBeUndefined();
    expect(out.status).toMatchObject({ code: "Error", reasons: ['preemption: running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: p'] });
    // Another node that works is still a valid candidate.
    const two = world([node("node1", cap, { error: "true" }), node("node2", cap)], [pod("p1", { node: "node1" }), pod("p2", { node: "node2", req: medium })], { profile });
    const out2 = new DefaultPreemption().postFilter(stateFor(two, p), info(p), unsched("node1", "node2"), two.handle);
    expect(out2.result?.nominatedNodeName).toBe("node2");
  });

  it("filterPodsWithPDBViolation: budgets are consumed in order; other namespaces, empty selectors and unlabelled pods never match", () => {
    const a = pod("a", { labels: { app: "x" } });
    const b = pod("b", { labels: { app: "x" } });
    const c = pod("c", { labels: { app: "x" }, namespace: "other" });
    const d = pod("d");
    const e = pod("e", { labels: { app: "y" } });
    const pdbs = [pdb("x", { app: "x" }, {}, 1), pdb("empty", {}, {}, 0), pdb("none", undefined, {}, 0)];
    const { violating, nonViolating } = filterPodsWithPDBViolation([a, b, c, d, e].map((p) => ({ pod: p })), pdbs);
    expect(violating.map((v) => v.pod.metadata.name)).toEqual(["b"]);
    expect(nonViolating.map((v) => v.pod.metadata.name)).toEqual(["a", "c", "d", "e"]);
  });
});

describe("how many nodes are dry-run (minCandidateNodes, offset)", () => {
  const five = () => ["node1", "node2", "node3", "node4", "node5"].map((n) => node(n));
  const args = { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 };

  it("all nodes are candidates but the args limit the dry run to 2 (offset 4: node5, node1)", () => {
    const w = world(five(), [1, 2, 3, 4, 5].map((i) => pod(`p${i}`, { node: `node${i}`, priority: MID, req: large })));
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 4, calculateNumCandidates(5, args));
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1", "node5: p5"]);
  });

  it("nodes that are no candidates do not count (offset 4: node5 no, node1 yes, node2 no, node3 yes)", () => {
    const prio = [MID, VERY_HIGH, MID, MID, VERY_HIGH];
    const w = world(five(), [1, 2, 3, 4, 5].map((i) => pod(`p${i}`, { node: `node${i}`, priority: prio[i - 1], req: large })));
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 4, 2);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1", "node3: p3"]);
  });

  it("the dry run looks past numCandidates until a candidate violating no PDB is found", () => {
    // num = 2; offset 4: node5 (violating), node1 (violating), node2 (violating: list full,
    // dropped), node3 (clean) → stop with 3 candidates, non-violating first.
    const w = world(five(), [1, 2, 3, 4, 5].map((i) => pod(`p${i}`, { node: `node${i}`, priority: MID, req: large, ...([1, 2, 5].includes(i) ? { labels: { app: "foo" } } : {}) })));
    const r = dryRun(w, pod("p", { priority: HIGH, req: large }), 4, 2, [pdb("foo", { app: "foo" })]);
    expect(r.candidates.map((c) => c.name)).toEqual(["node3", "node5", "node1"]);
    expect(describeCandidates(r.candidates)).toEqual(["node1: p1 (1 pdb)", "node3: p3", "node5: p5 (1 pdb)"]);
  });

  it("PostFilter takes the offset from the scheduler's seeded stream", () => {
    // 5 equal candidates, 2 to find: the dry run covers the offset node and the next one; all
    // candidates tie on every criterion, so the first found — the node at the offset — is chosen.
    for (const seed of ["a", "b", "c", "d", "e", "f"]) {
      const w = world(five(), [1, 2, 3, 4, 5].map((i) => pod(`p${i}`, { node: `node${i}`, priority: MID, req: large })), {
        seed,
        profile: { ...defaultProfile(), postFilter: [new DefaultPreemption(args)] },
      });
      const offset = new Rng(seed, "scheduler").int(5);
      const { out } = cycle(w, pod("p", { priority: HIGH, req: large }));
      expect(out?.result?.nominatedNodeName).toBe(`node${offset + 1}`);
    }
  });
});

// --- choosing the node --------------------------------------------------------------------------

function cand(name: string, victims: Pod[], numPDBViolations = 0): Candidate {
  return { name, victims, numPDBViolations };
}

describe("pickOneNodeForPreemption: each criterion", () => {
  const now = 1_000;

  it("1. a candidate with no victims wins at once", () => {
    expect(pickOneNodeForPreemption([cand("a", [pod("x", { priority: LOW })]), cand("b", [])], now)).toBe("b");
  });

  it("2. fewest PDB violations beats lower victim priority", () => {
    expect(pickOneNodeForPreemption([cand("a", [pod("x", { priority: LOW })], 1), cand("b", [pod("y", { priority: HIGH })], 0)], now)).toBe("b");
  });

  it("3. lowest highest-victim priority", () => {
    expect(
      pickOneNodeForPreemption(
        [cand("a", [pod("x", { priority: MID }), pod("x2", { priority: LOW })]), cand("b", [pod("y", { priority: LOW }), pod("y2", { priority: LOW }), pod("y3", { priority: LOW })])],
        now,
      ),
    ).toBe("b");
  });

  it("4. smallest sum of priorities, each shifted by MaxInt32 + 1", () => {
    // a: [MID, MID] → 200 + 2S; b: [MID, LOW] → 100 + 2S: b.
    expect(pickOneNodeForPreemption([cand("a", [pod("x", { priority: MID }), pod("x2", { priority: MID })]), cand("b", [pod("y", { priority: MID }), pod("y2", { priority: LOW })])], now)).toBe("b");
    // Negative priorities: a: [−100, −100] → 2S − 200; b: [−100] → S − 100. Unshifted, a's sum
    // (−200) would be smaller; shifted, the single victim is cheaper.
    expect(pickOneNodeForPreemption([cand("a", [pod("x", { priority: NEG }), pod("x2", { priority: NEG })]), cand("b", [pod("y", { priority: NEG })])], now)).toBe("b");
  });

  it("5. fewest victims when the highest priority and the shifted sum tie", () => {
    // a: [100, −2^31] → (100 + S) + (−S + S) = 100 + S; b: [100] → 100 + S. Equal sums; b has fewer.
    const minInt32 = -2_147_483_648;
    expect(pickOneNodeForPreemption([cand("a", [pod("x", { priority: MID }), pod("x2", { priority: minInt32 })]), cand("b", [pod("y", { priority: MID })])], now)).toBe("b");
  });

  it("6. the latest earliest start time among the highest-priority victims", () => {
    // a's MID victims started at 10 and 30 (earliest 10); b's at 20 and 40 (earliest 20): b.
    // The LOW victims' start times do not matter.
    const a = cand("a", [pod("x", { priority: MID, startTime: 10 }), pod("x2", { priority: LOW, startTime: 900 })]);
    const b = cand("b", [pod("y", { priority: MID, startTime: 20 }), pod("y2", { priority: LOW, startTime: 1 })]);
    expect(pickOneNodeForPreemption([a, b], now)).toBe("b");
    // A victim that has not started counts as now: the latest.
    const c = cand("c", [pod("z", { priority: MID }), pod("z2", { priority: LOW, startTime: 5 })]);
    expect(pickOneNodeForPreemption([a, b, c], now)).toBe("c");
  });

  it("7. otherwise the first candidate", () => {
    const mk = (n: string) => cand(n, [pod(`${n}-v`, { priority: MID, startTime: 7 })]);
    expect(pickOneNodeForPreemption([mk("q"), mk("p"), mk("r")], now)).toBe("q");
    expect(pickOneNodeForPreemption([], now)).toBeUndefined();
  });
});

describe("choosing the node in a full PostFilter run (upstream TestSelectBestCandidate / TestPostFilter rows)", () => {
  it("node with the minimum highest-priority victim is picked", () => {
    // The 500m pod needs every pod gone on each node. Highest victim: node1 MID, node2 MID,
    // node3 LOW → node3.
    const w = world([node("node1"), node("node2"), node("node3")], [
      pod("p1.1", { node: "node1", priority: MID, req: medium, startTime: 0 }),
      pod("p1.2", { node: "node1", priority: MID, req: large, startTime: 0 }),
      pod("p2.1", { node: "node2", priority: MID, req: medium, startTime: 0 }),
      pod("p2.2", { node: "node2", priority: LOW, req: medium, startTime: 0 }),
      pod("p3.1", { node: "node3", priority: LOW, req: medium, startTime: 0 }),
      pod("p3.2", { node: "node3", priority: LOW, req: medium, startTime: 0 }),
    ]);
    const { out } = cycle(w, pod("p", { priority: HIGH, req: veryLarge }));
    expect(out?.status.code).toBe("Success");
    expect(out?.result?.nominatedNodeName).toBe("node3");
    expect(w.client.preempted).toEqual([
      { preemptor: "p", victim: "p3.1", node: "node3" },
      { preemptor: "p", victim: "p3.2", node: "node3" },
    ]);
  });

  it("when the highest priorities tie, the minimum sum of priorities is picked", () => {
    // Sums: node1 MID+MID, node2 MID+LOW, node3 MID+MID → node2.
    const w = world([node("node1"), node("node2"), node("node3")], [
      pod("p1.1", { node: "node1", priority: MID, req: medium, startTime: 0 }),
      pod("p1.2", { node: "node1", priority: MID, req: large, startTime: 0 }),
      pod("p2.1", { node: "node2", priority: MID, req: large, startTime: 0 }),
      pod("p2.2", { node: "node2", priority: LOW, req: medium, startTime: 0 }),
      pod("p3.1", { node: "node3", priority: MID, req: medium, startTime: 0 }),
      pod("p3.2", { node: "node3", priority: MID, req: medium, startTime: 0 }),
    ]);
    expect(cycle(w, pod("p", { priority: HIGH, req: veryLarge })).out?.result?.nominatedNodeName).toBe("node2");
  });

  it("PDB-aware: among nodes with one violation each, the lower highest-victim priority wins", () => {
    // Upstream "pod can be made schedulable on minHighestPriority node". One-pod nodes. node1:
    // p1 HIGH (PDB with budget to spare), p2 LOW (PDB at 0) — both must go, 1 violation; node2:
    // p3 MID (PDB at 0), 1 violation. Highest victim: node1 HIGH, node2 MID → node2.
    const onePod = { pods: "1" };
    const w = world(
      [node("node1", onePod), node("node2", onePod)],
      [
        pod("p1", { node: "node1", priority: HIGH, labels: { pdb: "non-violating" } }),
        pod("p2", { node: "node1", priority: LOW, labels: { pdb: "violating" } }),
        pod("p3", { node: "node2", priority: MID, labels: { pdb: "violating" } }),
      ],
      { pdbs: [pdb("violating", { pdb: "violating" }, { minAvailable: "100%" }, 0), pdb("non-violating", { pdb: "non-violating" }, { minAvailable: 0 }, 2_147_483_647)] },
    );
    const { out } = cycle(w, pod("p", { priority: VERY_HIGH }));
    expect(out?.result?.nominatedNodeName).toBe("node2");
    expect(w.client.preempted.map((p) => p.victim)).toEqual(["p3"]);
  });

  it("PDB-aware: a node whose victims violate no PDB beats one with a lower-priority but protected victim", () => {
    const w = world([node("node1"), node("node2")], [
      pod("protected", { node: "node1", priority: LOW, req: large, labels: { app: "db" } }),
      pod("free", { node: "node2", priority: MID, req: large }),
    ], { pdbs: [pdb("db", { app: "db" }, { minAvailable: 1 }, 0)] });
    expect(cycle(w, pod("p", { priority: HIGH, req: large })).out?.result?.nominatedNodeName).toBe("node2");
  });

  it("prepareCandidate: victims already terminating get no API call; lower-priority pods nominated there lose their nomination", () => {
    // 500m node: going (300, already terminating) + stays (300). The 500m HIGH pod needs both
    // gone (reprieving either leaves 300 + 500 > 500); the higher-priority nominated pod asks
    // nothing and does not change that.
    const w = world(
      [node("node1")],
      [pod("going", { node: "node1", priority: LOW, req: large, terminating: true }), pod("stays", { node: "node1", priority: LOW, req: large })],
      {
        nominated: [pod("nom-low", { priority: LOW, nominated: "node1" }), pod("nom-high", { priority: VERY_HIGH, nominated: "node1" })],
      },
    );
    const { out } = cycle(w, pod("p", { priority: HIGH, req: veryLarge }));
    expect(out?.status.code).toBe("Success");
    expect(out?.result?.victims?.map((v) => v.metadata.name).sort()).toEqual(["going", "stays"]);
    expect(w.client.preempted.map((p) => p.victim)).toEqual(["stays"]);
    expect(w.client.cleared).toEqual(["nom-low"]);
  });
});

// --- eligibility and messages -----------------------------------------------------------------

describe("who may preempt, and the messages (upstream TestPostFilter rows)", () => {
  const onePod = { pods: "1" };
  const plugin = new DefaultPreemption();
  const unsched = (...names: string[]): NodeToStatus => new Map(names.map((n) => [n, { code: "Unschedulable" as const, reasons: [] }]));

  it("pod with higher priority can be made schedulable", () => {
    const w = world([node("node1", onePod)], [pod("p1", { node: "node1" })]);
    const p = pod("p", { priority: HIGH });
    const out = plugin.postFilter(stateFor(w, p), info(p), unsched("node1"), w.handle);
    expect(out).toMatchObject({ result: { nominatedNodeName: "node1" }, status: { code: "Success" } });
  });

  it("pod with tied priority is still unschedulable", () => {
    const w = world([node("node1", onePod)], [pod("p1", { node: "node1" })]);
    const { out } = cycle(w, pod("p"));
    expect(out?.result).toEqual({ nominatedNodeName: "" });
    expect(out?.status).toMatchObject({ code: "Unschedulable", reasons: ["preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."] });
  });

  it("preemption respects UnschedulableAndUnresolvable and absent statuses", () => {
    const w = world([node("node1", onePod)], [pod("p1", { node: "node1" })]);
    const p = info(pod("p", { priority: HIGH }));
    const msg = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    const unresolvable = plugin.postFilter(stateFor(w, p.pod), p, new Map([["node1", { code: "UnschedulableAndUnresolvable", reasons: [] }]]), w.handle);
    expect(unresolvable.status.reasons).toEqual([msg]);
    const absent = plugin.postFilter(stateFor(w, p.pod), p, new Map(), w.handle);
    expect(absent.status.reasons).toEqual([msg]);
    expect(absent.result).toEqual({ nominatedNodeName: "" });
  });

  it("no candidate: not enough resources even after removing the lower-priority pods", () => {
    // Nodes of 200m cpu / 400 memory; the 300m pod never fits: "2 Insufficient cpu".
    const nodeRes = { cpu: "200m", memory: "400", pods: "110" };
    const w = world([node("node1", nodeRes), node("node2", nodeRes)], [pod("p1", { node: "node1" }), pod("p2", { node: "node2" })]);
    const p = pod("p", { priority: HIGH, req: large });
    const out = plugin.postFilter(stateFor(w, p), info(p), unsched("node1", "node2"), w.handle);
    expect(out.status.reasons).toEqual(["preemption: 0/2 nodes are available: 2 Insufficient cpu."]);
  });

  it("no candidate, mixed reasons", () => {
    const nodeRes = { cpu: "200m", memory: "400", pods: "110" };
    const w = world(
      [node("node1", onePod), node("node2", nodeRes), node("node3", onePod)],
      [pod("p1", { node: "node1", priority: HIGH }), pod("p2", { node: "node2" }), pod("p3", { node: "node3", priority: HIGH })],
    );
    const p = pod("p", { priority: HIGH, req: large });
    const out = plugin.postFilter(stateFor(w, p), info(p), unsched("node1", "node2", "node3"), w.handle);
    expect(out.status.reasons).toEqual(["preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod."]);
  });

  it("no candidate: 2 nodes not worth trying, 2 without enough cpu", () => {
    const nodeRes = { cpu: "200m", memory: "400", pods: "110" };
    const w = world(["node1", "node2", "node3", "node4"].map((n) => node(n, nodeRes)), [pod("p1", { node: "node1" }), pod("p2", { node: "node2" })]);
    const statuses: NodeToStatus = new Map<string, Status>([
      ["node1", { code: "Unschedulable", reasons: [] }],
      ["node2", { code: "Unschedulable", reasons: [] }],
      ["node4", { code: "UnschedulableAndUnresolvable", reasons: [] }],
    ]);
    const p = pod("p", { priority: HIGH, req: large });
    const out = plugin.postFilter(stateFor(w, p), info(p), statuses, w.handle);
    expect(out.status.reasons).toEqual(["preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling."]);
  });

  it("preemptionPolicy Never: no preemption, the nomination is left alone", () => {
    const w = world([node("node1", onePod)], [pod("p1", { node: "node1" })]);
    const { result, out } = cycle(w, pod("p", { priority: HIGH, never: true }));
    expect(out?.result).toBeUndefined();
    expect(out?.status).toMatchObject({ code: "Unschedulable", reasons: ["preemption: not eligible due to preemptionPolicy=Never."] });
    expect(w.client.preempted).toEqual([]);
    expect(result.failures.get("node1")?.reasons).toEqual(["Too many pods"]);
  });

  it("a pod nominated to a node where a lower-priority victim is still terminating waits", () => {
    const w = world([node("node1")], [
      pod("victim", { node: "node1", priority: LOW, req: large, terminating: true, disruptionTarget: true }),
      pod("other", { node: "node1", priority: LOW, req: medium }),
    ]);
    const { out } = cycle(w, pod("p", { priority: HIGH, req: large, nominated: "node1" }));
    expect(out?.status.reasons).toEqual(["preemption: not eligible due to a terminating pod on the nominated node."]);
    expect(out?.result).toBeUndefined();
  });

  it("terminating without the scheduler's DisruptionTarget condition does not make the pod wait", () => {
    // deleting (200, terminating, no condition) + other (300) on a 500m node; the 300m pod is
    // nominated there. Eligible; reprieve in input order: deleting → 200 + 300 = 500 fits, kept;
    // other → 600, the victim.
    const w = world([node("node1")], [
      pod("deleting", { node: "node1", priority: LOW, req: medium, terminating: true }),
      pod("other", { node: "node1", priority: LOW, req: large }),
    ]);
    const { out } = cycle(w, pod("p", { priority: HIGH, req: large, nominated: "node1" }));
    expect(out?.status.code).toBe("Success");
    expect(w.client.preempted.map((v) => v.victim)).toEqual(["other"]);
  });

  it("the wait ends if the nominated node became UnschedulableAndUnresolvable", () => {
    const w = world([node("node1"), node("node2")], [
      pod("victim", { node: "node1", priority: LOW, req: large, terminating: true, disruptionTarget: true }),
      pod("v2", { node: "node2", priority: LOW, req: large }),
    ]);
    const statuses: NodeToStatus = new Map<string, Status>([
      ["node1", { code: "UnschedulableAndUnresolvable", reasons: ["node(s) were unschedulable"] }],
      ["node2", { code: "Unschedulable", reasons: ["Insufficient cpu"] }],
    ]);
    const p = pod("p", { priority: HIGH, req: large, nominated: "node1" });
    const out = new DefaultPreemption().postFilter(stateFor(w, p), info(p), statuses, w.handle);
    expect(out.result?.nominatedNodeName).toBe("node2");
  });
});

// --- nominated pods in filtering ----------------------------------------------------------------

describe("nominated pods (RunFilterPluginsWithNominatedPods)", () => {
  it("count on their node for pods of equal or lower priority only", () => {
    // 500m node, empty; a HIGH 300m pod is nominated to it. A 300m pod of priority ≤ HIGH does not
    // fit (300 + 300 > 500); a VERY_HIGH one ignores the nomination.
    const nominated = pod("nom", { priority: HIGH, req: large, nominated: "node1" });
    const w = world([node("node1")], [], { nominated: [nominated] });
    const profile = { ...defaultProfile(), postFilter: [] };
    for (const [prio, fits] of [[LOW, false], [HIGH, false], [VERY_HIGH, true]] as const) {
      const r = w.runner.schedule(profile, info(pod("p", { priority: prio, req: large })), w.nodes, 0, false, w.lookups);
      expect(r.node === "node1", `priority ${prio}`).toBe(fits);
      if (!fits) expect(r.failures.get("node1")?.reasons).toContain("Insufficient cpu");
    }
    // A pod never counts against itself.
    const self = w.runner.schedule(profile, info(nominated), w.nodes, 0, false, w.lookups);
    expect(self.node).toBe("node1");
  });

  it("a node must pass both with and without the nominated pods", () => {
    // A test filter that passes only if a pod labelled "buddy" is on the node (affinity-like):
    // with the nominated buddy added it passes, without it fails — so the node fails.
    class NeedsBuddy implements FilterPlugin {
      readonly name = "NeedsBuddy";
      calls = 0;
      filter(_s: CycleState, _p: PodInfo, n: NodeInfo): Status {
        this.calls++;
        return [...n.pods.values()].some((p) => p.pod.metadata.labels?.buddy) ? SUCCESS : { code: "Unschedulable", reasons: ["no buddy"] };
      }
    }
    const f = new NeedsBuddy();
    const profile: Profile = { schedulerName: "default-scheduler", preFilter: [], filter: [f], preScore: [], score: [] };
    const buddy = pod("buddy", { priority: HIGH, labels: { buddy: "yes" }, nominated: "node1" });
    const w = world([node("node1")], [], { nominated: [buddy], profile });
    const r = w.runner.schedule(profile, info(pod("p", { priority: LOW })), w.nodes, 0, false, w.lookups);
    expect(r.node).toBeUndefined();
    expect(r.failures.get("node1")?.reasons).toEqual(["no buddy"]);
    expect(f.calls).toBe(2);
  });

  it("PreFilter AddPod extensions see the nominated pods on a cloned state", () => {
    // A PreFilter plugin counting pods in its state; the filter reads the count. The original
    // state must be untouched by the first (with-nominated) pass.
    class Counter {
      constructor(public n: number) {}
      clone(): Counter {
        return new Counter(this.n);
      }
    }
    const seen: number[] = [];
    const counting: PreFilterPlugin & FilterPlugin = {
      name: "Counting",
      preFilter: (state) => {
        state.write("count", new Counter(0));
        return { status: SUCCESS };
      },
      addPod: (state) => {
        state.read<Counter>("count")!.n++;
        return SUCCESS;
      },
      filter: (state) => {
        seen.push(state.read<Counter>("count")!.n);
        return SUCCESS;
      },
    };
    const profile: Profile = { schedulerName: "default-scheduler", preFilter: [counting], filter: [counting], preScore: [], score: [] };
    const w = world([node("node1")], [], { profile, nominated: [pod("n1", { priority: MID, nominated: "node1" }), pod("n2", { priority: MID, nominated: "node1" })] });
    expect(w.runner.schedule(profile, info(pod("p", { priority: LOW })), w.nodes, 0, false, w.lookups).node).toBe("node1");
    expect(seen).toEqual([2, 0]);
  });

  it("a nominated node is tried first and chosen without scoring the others", () => {
    // node1 is empty (best LeastAllocated score); node3, the nominated node, is half full. The
    // nomination wins, only one node is evaluated and the rotating start index does not move.
    const w = world([node("node1"), node("node2"), node("node3")], [pod("x", { node: "node3", priority: LOW, req: medium })]);
    const before = w.runner.startIndex;
    const r = w.runner.schedule(w.profile, info(pod("p", { priority: HIGH, req: small, nominated: "node3" })), w.nodes, 0, false, w.lookups);
    expect(r.node).toBe("node3");
    expect(r.evaluatedNodes).toBe(1);
    expect(w.runner.startIndex).toBe(before);
    // Without the nomination the emptiest node wins.
    expect(w.runner.schedule(w.profile, info(pod("q", { priority: HIGH, req: small })), w.nodes, 0, false, w.lookups).node).not.toBe("node3");
  });

  it("a nominated node that does not fit falls back to all nodes", () => {
    const w = world([node("node1"), node("node2")], [pod("x", { node: "node2", priority: HIGH, req: large })]);
    const r = w.runner.schedule(w.profile, info(pod("p", { priority: LOW, req: large, nominated: "node2" })), w.nodes, 0, false, w.lookups);
    expect(r.node).toBe("node1");
    expect(r.failures.has("node2")).toBe(true);
  });

  it("the Nominator keeps its reservation across updates that carry none, and follows changes", () => {
    const n = new Nominator();
    const p = pod("p", { priority: HIGH });
    n.add(info(p), { mode: "Override", nominatedNodeName: "node1" });
    expect(n.nodeOf(p.metadata.uid)).toBe("node1");
    // An update racing the status write (no nomination on either side) keeps it.
    n.update(p, info({ ...p, metadata: { ...p.metadata, resourceVersion: "2" } }));
    expect(n.podsForNode("node1").map((x) => x.pod.metadata.name)).toEqual(["p"]);
    // The status now says node2.
    const moved = { ...p, status: { ...p.status, nominatedNodeName: "node2" } };
    n.update(p, info(moved));
    expect(n.nodeOf(p.metadata.uid)).toBe("node2");
    expect(n.podsForNode("node1")).toEqual([]);
    // Cleared by the API.
    n.update(moved, info(p));
    expect(n.nodeOf(p.metadata.uid)).toBeUndefined();
    // Noop takes the pod's own status; a bound pod is never nominated.
    n.add(info(moved));
    expect(n.nodeOf(p.metadata.uid)).toBe("node2");
    n.add(info({ ...moved, spec: { ...moved.spec, nodeName: "node2" } }));
    expect(n.size).toBe(0);
  });
});

// --- PDB status arithmetic ------------------------------------------------------------------

describe("pdbStatus (disruption controller arithmetic)", () => {
  const ns = "default";
  const deployment = (name: string, replicas: number): Deployment =>
    ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns, uid: `d-${name}` }, spec: { replicas } }) as unknown as Deployment;
  const replicaSet = (name: string, replicas: number, owner?: Deployment): ReplicaSet =>
    ({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name,
        namespace: ns,
        uid: `rs-${name}`,
        ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] } : {}),
      },
      spec: { replicas },
    }) as unknown as ReplicaSet;
  const d = deployment("web", 4);
  const rs = replicaSet("web-abc", 3, d);
  const bare = replicaSet("bare", 5);
  const lookup = workloadScaleLookup(
    (_n, name) => [rs, bare].find((r) => r.metadata.name === name),
    (_n, name) => (name === d.metadata.name ? d : undefined),
  );
  const owned = (r: ReplicaSet): OwnerReference => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: r.metadata.name, uid: r.metadata.uid, controller: true });
  const web = (name: string, o: PodOpts = {}) => pod(name, { labels: { app: "web" }, owner: owned(rs), ready: true, ...o });

  it("minAvailable as an integer: expected = number of pods; healthy = Ready and not terminating", () => {
    const pods = [web("a"), web("b"), web("c", { ready: false }), web("d", { terminating: true }), pod("other", { labels: { app: "db" }, ready: true })];
    // 4 selected pods; healthy a, b; desired 1 → 1 disruption allowed.
    expect(pdbStatus(pdb("p", { app: "web" }, { minAvailable: 1 }), pods)).toEqual({ expectedPods: 4, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
    // desired 3 > healthy 2 → 0, never negative.
    expect(pdbStatus(pdb("p", { app: "web" }, { minAvailable: 3 }), pods).disruptionsAllowed).toBe(0);
  });

  it("minAvailable as a percent of the controllers' scale, rounded up", () => {
    // The Deployment (not its ReplicaSet) has 4 replicas: 50 % → 2; 3 healthy → 1 allowed.
    const pods = [web("a"), web("b"), web("c")];
    expect(pdbStatus(pdb("p", { app: "web" }, { minAvailable: "50%" }), pods, lookup)).toEqual({ expectedPods: 4, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    // 60 % of 4 = 2.4 → 3: none allowed.
    expect(pdbStatus(pdb("p", { app: "web" }, { minAvailable: "60%" }), pods, lookup)).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
  });

  it("maxUnavailable: desired = expected − maxUnavailable (percent rounded up), at least 0", () => {
    const pods = [web("a"), web("b"), web("c"), web("d")];
    expect(pdbStatus(pdb("p", { app: "web" }, { maxUnavailable: 1 }), pods, lookup)).toMatchObject({ expectedPods: 4, desiredHealthy: 3, disruptionsAllowed: 1 });
    // 30 % of 4 = 1.2 → 2: desired 2, 2 allowed.
    expect(pdbStatus(pdb("p", { app: "web" }, { maxUnavailable: "30%" }), pods, lookup)).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 2 });
    expect(pdbStatus(pdb("p", { app: "web" }, { maxUnavailable: 10 }), pods, lookup)).toMatchObject({ desiredHealthy: 0, disruptionsAllowed: 4 });
  });

  it("a ReplicaSet without a Deployment counts its own replicas; distinct controllers add up; unmanaged pods are left out", () => {
    const pods = [web("a"), pod("b", { labels: { app: "web" }, owner: owned(bare), ready: true }), pod("lone", { labels: { app: "web" }, ready: true })];
    const st = pdbStatus(pdb("p", { app: "web" }, { maxUnavailable: 0 }), pods, lookup);
    // 4 (Deployment) + 5 (bare RS) = 9 expected, desired 9, healthy 3 → 0.
    expect(st).toMatchObject({ expectedPods: 9, desiredHealthy: 9, currentHealthy: 3, disruptionsAllowed: 0, unmanagedPods: ["lone"] });
  });

  it("fails safe (0 allowed) when a controller cannot be found or a percent is malformed", () => {
    expect(pdbStatus(pdb("p", { app: "web" }, { maxUnavailable: 1 }), [web("a"), web("b")])).toMatchObject({ disruptionsAllowed: 0, error: expect.stringContaining("found no controllers") });
    expect(pdbStatus(pdb("p", { app: "web" }, { minAvailable: "2" }), [web("a"), web("b")], lookup)).toMatchObject({ disruptionsAllowed: 0, error: expect.stringContaining("not a percentage") });
  });

  it("no matching pods → 0 allowed; a missing selector matches nothing, an empty one everything; other namespaces never", () => {
    expect(pdbStatus(pdb("p", { app: "none" }, { minAvailable: 0 }), [web("a")])).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
    expect(pdbStatus(pdb("p", undefined, { minAvailable: 0 }), [web("a")])).toMatchObject({ expectedPods: 0 });
    expect(pdbStatus(pdb("p", {}, { minAvailable: 0 }), [web("a"), web("b"), web("x", { namespace: "other" })])).toMatchObject({ expectedPods: 2, disruptionsAllowed: 2 });
  });

  it("scaledValueFromIntOrPercent", () => {
    expect(scaledValueFromIntOrPercent(3, 10, true)).toBe(3);
    expect(scaledValueFromIntOrPercent("25%", 10, true)).toBe(3);
    expect(scaledValueFromIntOrPercent("25%", 10, false)).toBe(2);
    expect(() => scaledValueFromIntOrPercent("x", 10, true)).toThrow();
  });
});

// --- in a cluster ---------------------------------------------------------------------------

function priorityClass(name: string, value: number): PriorityClass {
  return { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value } as unknown as PriorityClass;
}

function workload(name: string, replicas: number) {
  return {
    apiVersion: "apps/v1" as const,
    kind: "Deployment" as const,
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { priorityClassName: "low", containers: [{ name, image: `${name}:1`, resources: { requests: { cpu: "400m", memory: "256Mi" } } }] },
      },
      strategy: { type: "RollingUpdate" as const, rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

function urgentPod() {
  return {
    apiVersion: "v1" as const,
    kind: "Pod" as const,
    metadata: { name: "urgent", namespace: "default" },
    spec: { priorityClassName: "high", containers: [{ name: "urgent", image: "urgent:1", resources: { requests: { cpu: "600m", memory: "256Mi" } } }] },
    status: { phase: "Pending" as const },
  };
}

describe("preemption in a cluster", () => {
  function run(extra: Scenario["manifests"] = []) {
    // One node, 1 cpu. Two "batch" pods (priority 100, 400m each) run; at 30 s a priority-1000
    // pod asking 600m arrives: 800 + 600 > 1000, and removing one batch pod (400 + 600 = 1000)
    // is enough.
    const s = scenario({
      pools: [pool("worker", 1, [], { cpu: "1", memory: "4Gi", pods: "110" })],
      manifests: [priorityClass("low", 100), priorityClass("high", 1000), workload("batch", 2), ...extra] as Scenario["manifests"],
    });
    const cluster = new Cluster(s, { seed: 3 });
    cluster.bootstrap();
    cluster.engine.run(30_000_000);
    const before = cluster.store.list("Pod").filter((p) => p.metadata.labels?.app === "batch");
    cluster.store.create<"Pod">(urgentPod() as never);
    cluster.engine.run(120_000_000);
    return { cluster, before };
  }

  it("evicts the less important batch pod gracefully, nominates, then binds the preemptor there", () => {
    const { cluster, before } = run();
    expect(before.map((p) => p.spec.nodeName)).toEqual(["worker-0", "worker-0"]);
    const urgent = cluster.store.get("Pod", "default/urgent")!;
    const preempted = cluster.events.byReason("Preempted");
    expect(preempted).toHaveLength(1);
    // Importance among equal priorities: the earlier-started pod is reprieved; the later one goes.
    const [first, second] = [...before].sort((a, b) => a.status.startTime! - b.status.startTime!);
    expect(preempted[0]).toMatchObject({ object: `Pod/default/${second.metadata.name}`, message: `Preempted by pod ${urgent.metadata.uid} on node worker-0`, node: "worker-0" });
    // The victim was deleted gracefully (the kubelet finished it) and is gone; the other stays.
    expect(cluster.events.byReason("Killing").some((e) => e.object === `Pod/default/${second.metadata.name}`)).toBe(true);
    expect(cluster.store.get("Pod", objectKey(second.metadata))).toBeUndefined();
    expect(cluster.store.get("Pod", objectKey(first.metadata))?.metadata.uid).toBe(first.metadata.uid);
    // The first attempt failed on cpu (no PostFilter message on success), was nominated, and the
    // retry bound it to the nominated node.
    const failed = cluster.events.byReason("FailedScheduling").filter((e) => e.object === "Pod/default/urgent");
    expect(failed[0].message).toBe("0/1 nodes are available: 1 Insufficient cpu.");
    expect(urgent.status.nominatedNodeName).toBe("worker-0");
    expect(urgent.spec.nodeName).toBe("worker-0");
    expect(cluster.stats.get("scheduler.preemptions")).toBe(1);
    expect(cluster.stats.get("scheduler.preemptionVictims")).toBe(1);
    const scheduled = cluster.events.byReason("Scheduled").find((e) => e.object === "Pod/default/urgent")!;
    expect(scheduled.time).toBeGreaterThan(preempted[0].time);
    // The ReplicaSet's replacement (priority 100) cannot take the space back, nor preempt.
    const pending = cluster.store.list("Pod").filter((p) => p.metadata.labels?.app === "batch" && !p.spec.nodeName);
    expect(pending).toHaveLength(1);
    const replacementFailures = cluster.events.byReason("FailedScheduling").filter((e) => e.object === `Pod/default/${pending[0].metadata.name}`);
    expect(replacementFailures.at(-1)!.message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });

  it("prefers the node whose victim violates no PDB (the scheduler computes disruptionsAllowed itself)", () => {
    // Two 1-cpu nodes. "scratch" (400m, priority 100) starts first; "batch" (400m, priority 100)
    // 10 s later and lands on the other, emptier node. At 40 s a priority-1000 pod asks 700m:
    // either pod must go. Without a PDB the tie is broken by start time (criterion 6: the node
    // whose victim started latest → batch). With a PDB minAvailable 1 over batch (1 ready pod →
    // 0 disruptions allowed) batch's node has 1 violation and scratch's node wins (criterion 2).
    const outcome = (withPdb: boolean): { victim: string; node: string; bound: string | undefined } => {
      const guard = {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "batch", namespace: "default" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "batch" } } },
        status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
      };
      const s = scenario({
        pools: [pool("worker", 2, [], { cpu: "1", memory: "4Gi", pods: "110" })],
        manifests: [priorityClass("low", 100), priorityClass("high", 1000), workload("scratch", 1), ...(withPdb ? [guard] : [])] as Scenario["manifests"],
      });
      const cluster = new Cluster(s, { seed: 5 });
      cluster.bootstrap();
      cluster.engine.run(10_000_000);
      cluster.apply(workload("batch", 1) as never);
      cluster.engine.run(40_000_000);
      cluster.store.create<"Pod">({ ...urgentPod(), spec: { ...urgentPod().spec, containers: [{ name: "u", resources: { requests: { cpu: "700m" } } }] } } as never);
      cluster.engine.run(120_000_000);
      const ev = cluster.events.byReason("Preempted");
      expect(ev).toHaveLength(1);
      return { victim: ev[0].object.split("/")[2].split("-")[0], node: ev[0].node!, bound: cluster.store.get("Pod", "default/urgent")?.spec.nodeName };
    };
    const plain = outcome(false);
    expect(plain.victim).toBe("batch");
    expect(plain.bound).toBe(plain.node);
    const guarded = outcome(true);
    expect(guarded.victim).toBe("scratch");
    expect(guarded.bound).toBe(guarded.node);
    expect(guarded.node).not.toBe(plain.node);
  });
});

