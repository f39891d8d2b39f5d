/**
 * NodeResourcesFit: Filter tables from upstream fit_test.go (TestEnoughRequests,
 * TestNotEnoughRequests, TestStorageRequests, with the current UnschedulableAndUnresolvable rule),
 * Score tables from least_allocated_test.go, most_allocated_test.go,
 * requested_to_capacity_ratio_test.go (incl. TestBrokenLinearFunction) and fit_test.go
 * TestFitScore, args from validation_pluginargs.go / v1 defaults.go. Every expected number is
 * worked out in the comment beside it. Upstream's "cpu: 4000" means 4000 cores; here the same
 * numbers are millicores ("4000m"), which leaves every ratio unchanged.
 */
import { describe, expect, it } from "vitest";
import type { Container, Node, Pod, ResourceList } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo, type Status, SUCCESS } from "../../sim/scheduler/framework.js";
import {
  fitFilter,
  NodeResourcesFit,
  type NodeResourcesFitArgs,
  nodeResourcesFitArgsSchema,
  nodeResourcesFitFactory,
  type ResourceSpec,
  type ScoringStrategy,
} from "../../policies/scheduler/nodeResourcesFit.js";
import {
  buildBrokenLinearFunction,
  isExtendedResourceName,
  isScalarResourceName,
  leastRequestedScore,
  mostRequestedScore,
  scaled,
} from "../../policies/scheduler/resourceScoring.js";

// ---------------------------------------------------------------------------------------------
// Fixtures

let seq = 0;

interface PodOpts {
  init?: ResourceList[];
  sidecars?: ResourceList[];
  overhead?: ResourceList;
}

/** A pod with one container per entry (undefined → a container without requests). */
function makePod(containers: (ResourceList | undefined)[], opts: PodOpts = {}): Pod {
  const uid = `pod-${++seq}`;
  const mk = (prefix: string, requests: ResourceList | undefined, i: number): Container => ({
    name: `${prefix}${i}`,
    image: "busybox",
    ...(requests ? { resources: { requests } } : {}),
  });
  const init: Container[] = [
    ...(opts.sidecars ?? []).map((r, i) => ({ ...mk("sidecar", r, i), restartPolicy: "Always" as const })),
    ...(opts.init ?? []).map((r, i) => mk("init", r, i)),
  ];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uid, namespace: "default", uid, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {
      containers: containers.map((r, i) => mk("c", r, i)),
      ...(init.length > 0 ? { initContainers: init } : {}),
      ...(opts.overhead ? { overhead: opts.overhead } : {}),
    },
    status: { phase: "Pending" },
  };
}

function makeNode(name: string, allocatable: ResourceList): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { capacity: allocatable, allocatable, conditions: [] },
  };
}

/** NodeInfos built by the scheduler's own cache, in the order of `nodes`. */
function cluster(nodes: Node[], placed: [Pod, string][] = []): NodeInfo[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const [p, n] of placed) cache.addPod(p, n);
  return nodes.map((n) => cache.nodeInfo(n.metadata.name)!);
}

function podInfo(pod: Pod): PodInfo {
  return { pod, key: `default/${pod.metadata.name}`, requests: podRequests(pod.spec) };
}

function handle(nodes: readonly NodeInfo[]): FrameworkHandle {
  return {
    nodes,
    nodeInfo: (name) => nodes.find((n) => n.name === name),
    namespaceLabels: () => undefined,
    workloadSelectors: () => [],
    rng: new Rng(1, "test"),
    now: 0,
  };
}

/** cpu in millicores, memory in bytes, plus any other entries. */
function r(milliCPU: number, memory: number, extra: ResourceList = {}): ResourceList {
  return { cpu: `${milliCPU}m`, memory: String(memory), ...extra };
}

function args(strategy: Partial<ScoringStrategy> & Pick<ScoringStrategy, "type">, rest: Partial<NodeResourcesFitArgs> = {}): NodeResourcesFitArgs {
  return {
    ignoredResources: [],
    ignoredResourceGroups: [],
    ...rest,
    scoringStrategy: { resources: defaultResources, ...strategy },
  };
}

const defaultResources: ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];
const extendedRes = "abc.com/xyz";
const extendedResourceSet: ResourceSpec[] = [...defaultResources, { name: extendedRes, weight: 1 }];

function runFilter(plugin: NodeResourcesFit, pod: Pod, node: NodeInfo, preFilter = true): Status {
  const state = new CycleState();
  const info = podInfo(pod);
  if (preFilter) expect(plugin.preFilter(state, info, handle([node])).status.code).toBe("Success");
  return plugin.filter(state, info, node);
}

function runScores(plugin: NodeResourcesFit, pod: Pod, nodes: Node[], placed: [Pod, string][] = [], preScore = true): number[] {
  const infos = cluster(nodes, placed);
  const state = new CycleState();
  const info = podInfo(pod);
  if (preScore) expect(plugin.preScore(state, info, infos, handle(infos)).code).toBe("Success");
  const scores = infos.map((n) => plugin.score(state, info, n));
  // The framework scores a cycle's nodes in one scoreAll call: it must agree with score, node by node.
  const all = new Array<number>(infos.length).fill(-1);
  plugin.scoreAll(state, info, infos, all);
  expect(all).toEqual(scores);
  return scores;
}

const UNSCHED = "Unschedulable";
const UNRESOLVABLE = "UnschedulableAndUnresolvable";

// ---------------------------------------------------------------------------------------------
// Filter

describe("NodeResourcesFit Filter (fit_test.go TestEnoughRequests)", () => {
  // Node allocatable as upstream's makeAllocatableResources(10, 20, 32, 5, 20, 5): cpu 10m,
  // memory 20, pods 32, example.com/aaa 5, ephemeral-storage 20, hugepages-2Mi 5.
  const allocatable: ResourceList = {
    cpu: "10m",
    memory: "20",
    pods: "32",
    "example.com/aaa": "5",
    "ephemeral-storage": "20",
    "hugepages-2Mi": "5",
  };
  const aaa = "example.com/aaa";
  const bbb = "example.com/bbb";
  const k8sA = "kubernetes.io/something";
  const k8sB = "subdomain.kubernetes.io/something";
  const huge = "hugepages-2Mi";

  interface Row {
    name: string;
    pod: Pod;
    /** Requests of the pod already on the node. */
    used: ResourceList;
    args?: Partial<NodeResourcesFitArgs>;
    /** undefined → Success. */
    want?: [string, ...string[]];
  }

  const rows: Row[] = [
    // No containers: requests nothing; 1 + 1 pods ≤ 32.
    { name: "no resources requested always fits", pod: makePod([]), used: r(10, 20) },
    // cpu 1 > 10 − 10 = 0 and memory 1 > 20 − 20 = 0; 1 ≤ 10 and 1 ≤ 20 on their own → resolvable.
    { name: "too many resources fails", pod: makePod([r(1, 1)]), used: r(10, 20), want: [UNSCHED, "Insufficient cpu", "Insufficient memory"] },
    // cpu max(1, 3) = 3 > 10 − 8 = 2; memory max(1, 1) = 1 ≤ 20 − 19 = 1.
    { name: "too many resources fails due to init container cpu", pod: makePod([r(1, 1)], { init: [r(3, 1)] }), used: r(8, 19), want: [UNSCHED, "Insufficient cpu"] },
    // cpu max(1, 3, 2) = 3 > 2.
    { name: "too many resources fails due to highest init container cpu", pod: makePod([r(1, 1)], { init: [r(3, 1), r(2, 1)] }), used: r(8, 19), want: [UNSCHED, "Insufficient cpu"] },
    // cpu 1 ≤ 10 − 9 = 1; memory max(1, 3) = 3 > 20 − 19 = 1.
    { name: "too many resources fails due to init container memory", pod: makePod([r(1, 1)], { init: [r(1, 3)] }), used: r(9, 19), want: [UNSCHED, "Insufficient memory"] },
    // memory max(1, 3, 2) = 3 > 1.
    { name: "too many resources fails due to highest init container memory", pod: makePod([r(1, 1)], { init: [r(1, 3), r(1, 2)] }), used: r(9, 19), want: [UNSCHED, "Insufficient memory"] },
    // max(1, 1) = 1 ≤ 1 for both.
    { name: "init container fits because it's the max, not sum, of containers and init containers", pod: makePod([r(1, 1)], { init: [r(1, 1)] }), used: r(9, 19) },
    // max(1, 1, 1) = 1 ≤ 1.
    { name: "multiple init containers fit because it's the max, not sum", pod: makePod([r(1, 1)], { init: [r(1, 1), r(1, 1)] }), used: r(9, 19) },
    // 1 ≤ 10 − 5, 1 ≤ 20 − 5.
    { name: "both resources fit", pod: makePod([r(1, 1)]), used: r(5, 5) },
    // cpu 2 > 10 − 9 = 1; memory 1 ≤ 15.
    { name: "one resource memory fits", pod: makePod([r(2, 1)]), used: r(9, 5), want: [UNSCHED, "Insufficient cpu"] },
    // cpu 1 ≤ 5; memory 2 > 20 − 19 = 1.
    { name: "one resource cpu fits", pod: makePod([r(1, 2)]), used: r(5, 19), want: [UNSCHED, "Insufficient memory"] },
    // cpu 5 ≤ 10 − 5 = 5 (equality fits); memory 1 ≤ 1.
    { name: "equal edge case", pod: makePod([r(5, 1)]), used: r(5, 19) },
    // cpu max(4, 5) = 5 ≤ 5.
    { name: "equal edge case for init container", pod: makePod([r(4, 1)], { init: [r(5, 1)] }), used: r(5, 19) },
    // aaa 1 ≤ 5 − 0.
    { name: "extended resource fits", pod: makePod([r(0, 0, { [aaa]: "1" })]), used: {} },
    { name: "extended resource fits for init container", pod: makePod([{}], { init: [r(0, 0, { [aaa]: "1" })] }), used: {} },
    // aaa 10 > 5 − 0, and 10 > allocatable 5 on its own → unresolvable.
    { name: "extended resource capacity enforced", pod: makePod([r(1, 1, { [aaa]: "10" })]), used: r(0, 0, { [aaa]: "0" }), want: [UNRESOLVABLE, `Insufficient ${aaa}`] },
    { name: "extended resource capacity enforced for init container", pod: makePod([{}], { init: [r(1, 1, { [aaa]: "10" })] }), used: r(0, 0, { [aaa]: "0" }), want: [UNRESOLVABLE, `Insufficient ${aaa}`] },
    // aaa 1 > 5 − 5 = 0, but 1 ≤ 5 → resolvable.
    { name: "extended resource allocatable enforced", pod: makePod([r(1, 1, { [aaa]: "1" })]), used: r(0, 0, { [aaa]: "5" }), want: [UNSCHED, `Insufficient ${aaa}`] },
    { name: "extended resource allocatable enforced for init container", pod: makePod([{}], { init: [r(1, 1, { [aaa]: "1" })] }), used: r(0, 0, { [aaa]: "5" }), want: [UNSCHED, `Insufficient ${aaa}`] },
    // aaa 3 + 3 = 6 > 5 − 2 = 3, and 6 > 5 → unresolvable.
    { name: "extended resource allocatable enforced for multiple containers", pod: makePod([r(1, 1, { [aaa]: "3" }), r(1, 1, { [aaa]: "3" })]), used: r(0, 0, { [aaa]: "2" }), want: [UNRESOLVABLE, `Insufficient ${aaa}`] },
    // init: max(3, 3) = 3 ≤ 3.
    { name: "extended resource allocatable admits multiple init containers", pod: makePod([{}], { init: [r(1, 1, { [aaa]: "3" }), r(1, 1, { [aaa]: "3" })] }), used: r(0, 0, { [aaa]: "2" }) },
    // init: max(6, 3) = 6 > 3, 6 > 5 → unresolvable.
    { name: "extended resource allocatable enforced for multiple init containers", pod: makePod([{}], { init: [r(1, 1, { [aaa]: "6" }), r(1, 1, { [aaa]: "3" })] }), used: r(0, 0, { [aaa]: "2" }), want: [UNRESOLVABLE, `Insufficient ${aaa}`] },
    // bbb: allocatable 0 → 1 > 0 − 0, 1 > 0 → unresolvable.
    { name: "extended resource allocatable enforced for unknown resource", pod: makePod([r(1, 1, { [bbb]: "1" })]), used: r(0, 0), want: [UNRESOLVABLE, `Insufficient ${bbb}`] },
    { name: "extended resource allocatable enforced for unknown resource for init container", pod: makePod([{}], { init: [r(1, 1, { [bbb]: "1" })] }), used: r(0, 0), want: [UNRESOLVABLE, `Insufficient ${bbb}`] },
    // kubernetes.io/* is a scalar (prefixed native) resource: 10 > 0.
    { name: "kubernetes.io resource capacity enforced", pod: makePod([r(1, 1, { [k8sA]: "10" })]), used: r(0, 0), want: [UNRESOLVABLE, `Insufficient ${k8sA}`] },
    { name: "kubernetes.io resource capacity enforced for init container", pod: makePod([{}], { init: [r(1, 1, { [k8sB]: "10" })] }), used: r(0, 0), want: [UNRESOLVABLE, `Insufficient ${k8sB}`] },
    // hugepages 10 > 5 − 0 and > 5.
    { name: "hugepages resource capacity enforced", pod: makePod([r(1, 1, { [huge]: "10" })]), used: r(0, 0, { [huge]: "0" }), want: [UNRESOLVABLE, `Insufficient ${huge}`] },
    { name: "hugepages resource capacity enforced for init container", pod: makePod([{}], { init: [r(1, 1, { [huge]: "10" })] }), used: r(0, 0, { [huge]: "0" }), want: [UNRESOLVABLE, `Insufficient ${huge}`] },
    // hugepages 3 + 3 = 6 > 5 − 2 = 3, 6 > 5.
    { name: "hugepages resource allocatable enforced for multiple containers", pod: makePod([r(1, 1, { [huge]: "3" }), r(1, 1, { [huge]: "3" })]), used: r(0, 0, { [huge]: "2" }), want: [UNRESOLVABLE, `Insufficient ${huge}`] },
    // hugepages 2 > 5 − 4 = 1 but 2 ≤ 5 → resolvable.
    { name: "hugepages resolvable by preemption", pod: makePod([r(1, 1, { [huge]: "2" })]), used: r(0, 0, { [huge]: "4" }), want: [UNSCHED, `Insufficient ${huge}`] },
    // bbb is ignored: only cpu 1 ≤ 10, memory 1 ≤ 20 are checked.
    { name: "skip checking ignored extended resource", pod: makePod([r(1, 1, { [bbb]: "1" })]), used: r(0, 0), args: { ignoredResources: [bbb] } },
    // cpu 1 + 3 = 4 ≤ 10 − 5; memory 1 + 13 = 14 ≤ 20 − 5 = 15.
    { name: "resources + pod overhead fits", pod: makePod([r(1, 1)], { overhead: { cpu: "3m", memory: "13" } }), used: r(5, 5) },
    // memory 1 + 15 = 16 > 15, 16 ≤ 20 → resolvable.
    { name: "requests + overhead does not fit for memory", pod: makePod([r(1, 1)], { overhead: { cpu: "1m", memory: "15" } }), used: r(5, 5), want: [UNSCHED, "Insufficient memory"] },
    // example.com/* ignored as a group; kubernetes.io/something is native and checked: 1 > 0, 1 > 0.
    { name: "skip checking ignored extended resource via resource groups", pod: makePod([r(1, 1, { [bbb]: "1", [k8sA]: "1" })]), used: r(0, 0), args: { ignoredResourceGroups: ["example.com"] }, want: [UNRESOLVABLE, `Insufficient ${k8sA}`] },
    // Groups never apply to kubernetes.io resources, even when named.
    { name: "resource groups do not cover kubernetes.io resources", pod: makePod([r(1, 1, { [k8sB]: "1" })]), used: r(0, 0), args: { ignoredResourceGroups: ["subdomain.kubernetes.io"], ignoredResources: [k8sB] }, want: [UNRESOLVABLE, `Insufficient ${k8sB}`] },
    // hugepages-* is native, so naming it in ignoredResources has no effect: 10 > 5 − 0, 10 > 5.
    { name: "hugepages cannot be ignored", pod: makePod([r(1, 1, { [huge]: "10" })]), used: r(0, 0), args: { ignoredResources: [huge] }, want: [UNRESOLVABLE, `Insufficient ${huge}`] },
    // aaa 0 is skipped although the node is over-committed on aaa (6 > 5).
    { name: "skip checking extended resource request with quantity zero", pod: makePod([r(1, 1, { [aaa]: "0" })]), used: r(0, 0, { [aaa]: "6" }) },
    // cpu and memory requests are 0 so the node's over-commitment (20 > 10, 30 > 20) is not checked; aaa 1 ≤ 5 − 1.
    { name: "skip checking resource request with quantity zero", pod: makePod([r(0, 0, { [aaa]: "1" })]), used: r(20, 30, { [aaa]: "1" }) },
    // Sidecar 2m runs alongside the 1m container: 3 > 10 − 8 = 2 (resources.ts PodRequests).
    { name: "restartable init container adds to the app containers", pod: makePod([r(1, 1)], { sidecars: [r(2, 0)] }), used: r(8, 0), want: [UNSCHED, "Insufficient cpu"] },
    // Every resource fails: reasons in upstream order, scalars sorted by name; aaa 6 > 5 → unresolvable.
    {
      name: "reason order: cpu, memory, ephemeral-storage, then scalars by name",
      pod: makePod([r(2, 2, { "ephemeral-storage": "2", [huge]: "2", [aaa]: "6" })]),
      used: r(9, 19, { "ephemeral-storage": "19", [huge]: "4" }),
      want: [UNRESOLVABLE, "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage", `Insufficient ${aaa}`, `Insufficient ${huge}`],
    },
  ];

  it.each(rows)("$name", ({ pod, used, args: extra, want }) => {
    const [node] = cluster([makeNode("n", allocatable)], [[makePod([used]), "n"]]);
    const plugin = new NodeResourcesFit(args({ type: "LeastAllocated" }, extra));
    const status = runFilter(plugin, pod, node);
    if (!want) {
      // The shared SUCCESS object: nothing is allocated for a node that fits.
      expect(status).toBe(SUCCESS);
      return;
    }
    expect({ code: status.code, reasons: status.reasons, plugin: status.plugin }).toEqual({ code: want[0], reasons: want.slice(1), plugin: "NodeResourcesFit" });
    // Without PreFilter (upstream would error) the same answer is computed on the spot.
    expect(runFilter(plugin, pod, node, false)).toEqual(status);
  });
});

describe("NodeResourcesFit Filter: pod count (fit_test.go TestNotEnoughRequests)", () => {
  // Allocatable cpu 10m, memory 20, pods 1; one pod is already on the node, so 1 + 1 > 1.
  const allocatable: ResourceList = { cpu: "10m", memory: "20", pods: "1" };
  const rows: { name: string; pod: Pod; used: ResourceList; want: [string, ...string[]] }[] = [
    { name: "even without specified resources, predicate fails when there's no space for additional pod", pod: makePod([]), used: r(10, 20), want: [UNSCHED, "Too many pods"] },
    { name: "even if both resources fit, predicate fails when there's no space for additional pod", pod: makePod([r(1, 1)]), used: r(5, 5), want: [UNSCHED, "Too many pods"] },
    // cpu 5 ≤ 10 − 5, memory 1 ≤ 20 − 19.
    { name: "even for equal edge case, predicate fails when there's no space for additional pod", pod: makePod([r(5, 1)]), used: r(5, 19), want: [UNSCHED, "Too many pods"] },
    { name: "even for equal edge case, predicate fails due to init container", pod: makePod([r(5, 1)], { init: [r(5, 1)] }), used: r(5, 19), want: [UNSCHED, "Too many pods"] },
    // "Too many pods" first; cpu 11 > 10 − 0 and 11 > 10 → unresolvable from the cpu reason alone.
    { name: "too many pods and an oversized request", pod: makePod([r(11, 1)]), used: r(0, 0), want: [UNRESOLVABLE, "Too many pods", "Insufficient cpu"] },
  ];
  it.each(rows)("$name", ({ pod, used, want }) => {
    const [node] = cluster([makeNode("n", allocatable)], [[makePod([used]), "n"]]);
    const status = runFilter(new NodeResourcesFit(), pod, node);
    expect([status.code, ...status.reasons]).toEqual(want);
  });

  it("is never unresolvable for the pod count alone, and defaults pods to 110", () => {
    // No "pods" in allocatable: the cache's default of 110 applies; 110 pods present → 111 > 110.
    const placed: [Pod, string][] = Array.from({ length: 110 }, () => [makePod([]), "n"]);
    const [node] = cluster([makeNode("n", { cpu: "1", memory: "1Gi" })], placed);
    const status = runFilter(new NodeResourcesFit(), makePod([]), node);
    expect([status.code, ...status.reasons]).toEqual([UNSCHED, "Too many pods"]);
  });
});

describe("NodeResourcesFit Filter: ephemeral storage (fit_test.go TestStorageRequests)", () => {
  const allocatable: ResourceList = { cpu: "10m", memory: "20", pods: "32", "ephemeral-storage": "20" };
  const rows: { name: string; pod: Pod; used: ResourceList; want?: [string, ...string[]] }[] = [
    { name: "empty storage requested, and pod fits", pod: makePod([r(1, 1)]), used: r(2, 10) },
    // 25 > 20 − 0 and 25 > 20.
    { name: "storage ephemeral local storage request exceeds allocatable", pod: makePod([{ "ephemeral-storage": "25" }]), used: r(2, 2), want: [UNRESOLVABLE, "Insufficient ephemeral-storage"] },
    // 5 ≤ 20 − 10.
    { name: "ephemeral local storage is sufficient", pod: makePod([{ "ephemeral-storage": "5" }]), used: r(2, 2, { "ephemeral-storage": "10" }) },
    // 10 ≤ 20.
    { name: "pod fits", pod: makePod([{ "ephemeral-storage": "10" }]), used: r(2, 2) },
    // 15 > 20 − 10 but 15 ≤ 20 → resolvable.
    { name: "storage short only because of other pods", pod: makePod([{ "ephemeral-storage": "15" }]), used: r(2, 2, { "ephemeral-storage": "10" }), want: [UNSCHED, "Insufficient ephemeral-storage"] },
  ];
  it.each(rows)("$name", ({ pod, used, want }) => {
    const [node] = cluster([makeNode("n", allocatable)], [[makePod([used]), "n"]]);
    const status = runFilter(new NodeResourcesFit(), pod, node);
    if (want) expect([status.code, ...status.reasons]).toEqual(want);
    else expect(status.code).toBe("Success");
  });

  it("fitFilter applies the default args", () => {
    const [node] = cluster([makeNode("n", { cpu: "1", memory: "1Gi" })]);
    // 2 cores > 1 core allocatable on its own.
    expect(fitFilter(podInfo(makePod([{ cpu: "2" }])), node)).toMatchObject({ code: UNRESOLVABLE, reasons: ["Insufficient cpu"] });
    expect(fitFilter(podInfo(makePod([{ cpu: "500m" }])), node).code).toBe("Success");
  });
});

describe("resource names (v1helper / schedutil)", () => {
  it.each([
    ["nvidia.com/gpu", true, true],
    ["example.com/aaa", true, true],
    ["hugepages-2Mi", false, true],
    ["kubernetes.io/something", false, true],
    ["subdomain.kubernetes.io/something", false, true],
    ["attachable-volumes-aws-ebs", false, true],
    ["cpu", false, false],
    ["pods", false, false],
    ["requests.example.com/x", false, false],
    ["Bad_Domain/x", false, false],
  ] as const)("%s: extended %s, scalar %s", (name, extended, scalar) => {
    expect(isExtendedResourceName(name)).toBe(extended);
    expect(isScalarResourceName(name)).toBe(scalar);
  });
});

// ---------------------------------------------------------------------------------------------
// Score

interface ScoreRow {
  name: string;
  pod: Pod;
  nodes: Node[];
  placed?: [Pod, string][];
  resources?: ResourceSpec[];
  want: number[];
}

const n2 = (a: ResourceList, b: ResourceList): Node[] => [makeNode("node1", a), makeNode("node2", b)];
/** Upstream's two-container pod: (1000, 2000) + (2000, 3000) = cpu 3000m, memory 5000. */
const pod3000x5000 = (): Pod => makePod([r(1000, 2000), r(2000, 3000)]);

describe("LeastAllocated (least_allocated_test.go)", () => {
  const rows: ScoreRow[] = [
    {
      // No containers: no non-zero defaults. cpu (4000 − 0)·100/4000 = 100, memory 100 → 100.
      name: "nothing scheduled, nothing requested",
      pod: makePod([]),
      nodes: n2(r(4000, 10000), r(4000, 10000)),
      want: [100, 100],
    },
    {
      // node1: cpu (4000 − 3000)·100/4000 = 25, memory (10000 − 5000)·100/10000 = 50 → (25 + 50)/2 = 37
      // node2: cpu (6000 − 3000)·100/6000 = 50, memory 50 → 50
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: pod3000x5000(),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      want: [37, 50],
    },
    {
      // Pods without containers add nothing: 100 and 100 on both nodes.
      name: "no resources requested, pods scheduled",
      pod: makePod([]),
      nodes: n2(r(4000, 10000), r(4000, 10000)),
      placed: [[makePod([]), "node1"], [makePod([]), "node1"], [makePod([]), "node2"], [makePod([]), "node2"]],
      want: [100, 100],
    },
    {
      // node1: cpu (10000 − 6000)·100/10000 = 40, memory (20000 − 0)·100/20000 = 100 → 70
      // node2: cpu 40, memory (20000 − 5000)·100/20000 = 75 → (40 + 75)/2 = 57
      name: "no resources requested, pods scheduled with resources",
      pod: makePod([]),
      nodes: n2(r(10000, 20000), r(10000, 20000)),
      placed: [
        [makePod([r(3000, 0)]), "node1"],
        [makePod([r(3000, 0)]), "node1"],
        [makePod([r(3000, 0)]), "node2"],
        [makePod([r(3000, 5000)]), "node2"],
      ],
      want: [70, 57],
    },
    {
      // node1: cpu (10000 − 6000)·100/10000 = 40, memory (20000 − 5000)·100/20000 = 75 → 57
      // node2: cpu 40, memory (20000 − 10000)·100/20000 = 50 → 45
      name: "resources requested, pods scheduled with resources",
      pod: pod3000x5000(),
      nodes: n2(r(10000, 20000), r(10000, 20000)),
      placed: [[makePod([r(3000, 0)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      want: [57, 45],
    },
    {
      // node1: 40, 75 → 57; node2: cpu 40, memory (50000 − 10000)·100/50000 = 80 → 60
      name: "resources requested, pods scheduled with resources, differently sized nodes",
      pod: pod3000x5000(),
      nodes: n2(r(10000, 20000), r(10000, 50000)),
      placed: [[makePod([r(3000, 0)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      want: [57, 60],
    },
    {
      // cpu 3000 + 3000 = 6000 > 4000 → 0. node1 memory 100 → 50; node2 memory (10000 − 5000)·100/10000 = 50 → 25
      name: "requested resources exceed node capacity",
      pod: makePod([r(3000, 0)]),
      nodes: n2(r(4000, 10000), r(4000, 10000)),
      placed: [[makePod([r(3000, 0)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      want: [50, 25],
    },
    {
      // Allocatable 0 for cpu and memory: both skipped, weight sum 0 → 0.
      name: "zero node resources, pods scheduled with resources",
      pod: makePod([]),
      nodes: n2({}, {}),
      placed: [[makePod([r(3000, 0)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      want: [0, 0],
    },
    {
      // node1: cpu 25, memory 50 → (25·1 + 50·2)/(1 + 2) = 125/3 = 41; node2: (50 + 100)/3 = 50
      name: "nothing scheduled, resources requested with different weight on CPU and memory",
      pod: pod3000x5000(),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      resources: [
        { name: "memory", weight: 2 },
        { name: "cpu", weight: 1 },
      ],
      want: [41, 50],
    },
    {
      // The pod does not request abc.com/xyz: it is bypassed (and out of the weight sum) on both
      // nodes. cpu (6000 − 3000)·100/6000 = 50, memory 50 → 50.
      name: "bypass extended resource if the pod does not request",
      pod: pod3000x5000(),
      nodes: n2(r(6000, 10000), r(6000, 10000, { [extendedRes]: "4" })),
      resources: extendedResourceSet,
      want: [50, 50],
    },
    {
      // cpu 50, memory 50; xyz node1 (4 − 2)·100/4 = 50 → 150/3 = 50; node2 (10 − 2)·100/10 = 80 → 180/3 = 60
      name: "honor extended resource if the pod requests",
      pod: makePod([r(3000, 5000, { [extendedRes]: "2" })]),
      nodes: n2(r(6000, 10000, { [extendedRes]: "4" }), r(6000, 10000, { [extendedRes]: "10" })),
      resources: extendedResourceSet,
      want: [50, 60],
    },
    {
      // xyz not requested → skipped with its weight 2. cpu (6000 − 3000)·100/6000 = 50,
      // memory (10000 − 4000)·100/10000 = 60 → (50 + 60)/2 = 55 on both.
      name: "if the node doesn't have a resource",
      pod: makePod([r(3000, 4000)]),
      nodes: n2(r(6000, 10000), r(6000, 10000, { [extendedRes]: "4" })),
      resources: [{ name: extendedRes, weight: 2 }, ...defaultResources],
      want: [55, 55],
    },
    {
      // A requested extended resource the node lacks is skipped (allocatable 0): (50 + 60)/2 = 55;
      // node2: xyz (4 − 1)·100/4 = 75 → (75·2 + 50 + 60)/4 = 260/4 = 65.
      name: "requested extended resource missing on a node is skipped there",
      pod: makePod([r(3000, 4000, { [extendedRes]: "1" })]),
      nodes: n2(r(6000, 10000), r(6000, 10000, { [extendedRes]: "4" })),
      resources: [{ name: extendedRes, weight: 2 }, ...defaultResources],
      want: [55, 65],
    },
    {
      // One container without requests: non-zero defaults 100m and 200Mi (209715200 bytes).
      // cpu (1000 − 100)·100/1000 = 90; memory (1000Mi − 200Mi)·100/1000Mi = 80 → 85.
      // node2 already holds one such pod: cpu (1000 − 200)·100/1000 = 80, memory (1000 − 400)·100/1000 = 60 → 70.
      name: "non-zero defaults for containers without requests",
      pod: makePod([undefined]),
      nodes: n2({ cpu: "1000m", memory: "1000Mi" }, { cpu: "1000m", memory: "1000Mi" }),
      placed: [[makePod([undefined]), "node2"]],
      want: [85, 70],
    },
    {
      // Explicit 0 stays 0: cpu (1000 − 0) → 100, memory 100 → 100; node2's pod with explicit zeros too.
      name: "explicit zero requests get no default",
      pod: makePod([{ cpu: "0", memory: "0" }]),
      nodes: n2({ cpu: "1000m", memory: "1000Mi" }, { cpu: "1000m", memory: "1000Mi" }),
      placed: [[makePod([{ cpu: "0", memory: "0" }]), "node2"]],
      want: [100, 100],
    },
    {
      // Default only for the missing key: cpu 500m given, memory defaults to 200Mi.
      // cpu (1000 − 500)·100/1000 = 50; memory (1000Mi − 200Mi)·100/1000Mi = 80 → 65.
      name: "default applies per missing key",
      pod: makePod([{ cpu: "500m" }]),
      nodes: [makeNode("node1", { cpu: "1000m", memory: "1000Mi" })],
      want: [65],
    },
    {
      // ephemeral-storage is native: scored even when the pod requests 0 of it.
      // cpu (4000 − 1000)·100/4000 = 75, memory 100 (0 requested of 10000), storage (100 − 0)·100/100 = 100 → 275/3 = 91
      // node2: storage 30 used: (100 − 30)·100/100 = 70 → 245/3 = 81
      name: "ephemeral-storage scored even when not requested",
      pod: makePod([r(1000, 0)]),
      nodes: n2(r(4000, 10000, { "ephemeral-storage": "100" }), r(4000, 10000, { "ephemeral-storage": "100" })),
      placed: [[makePod([{ cpu: "0", memory: "0", "ephemeral-storage": "30" }]), "node2"]],
      resources: [...defaultResources, { name: "ephemeral-storage", weight: 1 }],
      want: [91, 81],
    },
    {
      // hugepages-2Mi requested 2 of 8: (8 − 2)·100/8 = 75; weights cpu 1, hugepages 3;
      // cpu (4000 − 1000)·100/4000 = 75 → (75 + 225)/4 = 75. node2 hugepages (8 − 6)·100/8 = 25 → (75 + 75)/4 = 37
      name: "hugepages weighted",
      pod: makePod([r(1000, 0, { "hugepages-2Mi": "2" })]),
      nodes: n2(r(4000, 0, { "hugepages-2Mi": "8" }), r(4000, 0, { "hugepages-2Mi": "8" })),
      placed: [[makePod([{ cpu: "0", memory: "0", "hugepages-2Mi": "4" }]), "node2"]],
      resources: [
        { name: "cpu", weight: 1 },
        { name: "hugepages-2Mi", weight: 3 },
      ],
      want: [75, 37],
    },
    {
      // "pods" is never reported as a scalar allocatable: skipped; cpu 75, memory 100 → 87
      name: "resources a node never reports are skipped",
      pod: makePod([r(1000, 0)]),
      nodes: [makeNode("node1", r(4000, 10000, { pods: "110" }))],
      resources: [...defaultResources, { name: "pods", weight: 5 }],
      want: [87],
    },
  ];
  it.each(rows)("$name", ({ pod, nodes, placed, resources, want }) => {
    const plugin = new NodeResourcesFit(args({ type: "LeastAllocated", resources: resources ?? defaultResources }));
    expect(runScores(plugin, pod, nodes, placed)).toEqual(want);
  });
});

describe("MostAllocated (most_allocated_test.go)", () => {
  const rows: ScoreRow[] = [
    // cpu 0·100/4000 = 0, memory 0 → 0.
    { name: "nothing scheduled, nothing requested", pod: makePod([]), nodes: n2(r(4000, 10000), r(4000, 10000)), want: [0, 0] },
    {
      // node1: cpu 3000·100/4000 = 75, memory 5000·100/10000 = 50 → 125/2 = 62; node2: 50, 50 → 50
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: pod3000x5000(),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      want: [62, 50],
    },
    {
      // node1: cpu 6000·100/10000 = 60, memory 0 → 30; node2: 60, 5000·100/20000 = 25 → 85/2 = 42
      name: "no resources requested, pods scheduled with resources",
      pod: makePod([]),
      nodes: n2(r(10000, 20000), r(10000, 20000)),
      placed: [
        [makePod([r(3000, 0)]), "node1"],
        [makePod([r(3000, 0)]), "node1"],
        [makePod([r(3000, 0)]), "node2"],
        [makePod([r(3000, 5000)]), "node2"],
      ],
      want: [30, 42],
    },
    {
      // node1: 60, 5000·100/20000 = 25 → 42; node2: 60, 10000·100/20000 = 50 → 55
      name: "resources requested, pods scheduled with resources",
      pod: pod3000x5000(),
      nodes: n2(r(10000, 20000), r(10000, 20000)),
      placed: [[makePod([r(3000, 0)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      want: [42, 55],
    },
    {
      // pod (2000 + 3000, 4000 + 5000) = (5000, 9000).
      // node1: 5000·100/5000 = 100, 9000·100/10000 = 90 → 95; node2: 5000·100/10000 = 50, 9000·100/9000 = 100 → 75
      name: "resources requested equal node capacity",
      pod: makePod([r(2000, 4000), r(3000, 5000)]),
      nodes: n2(r(5000, 10000), r(10000, 9000)),
      want: [95, 75],
    },
    {
      // node1: (75·1 + 50·2)/3 = 175/3 = 58; node2: (50 + 100)/3 = 50
      name: "resources requested with different weight on CPU and memory",
      pod: pod3000x5000(),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      resources: [
        { name: "memory", weight: 2 },
        { name: "cpu", weight: 1 },
      ],
      want: [58, 50],
    },
    {
      // Non-zero defaults: the pod and two pods on node1 each count 100m, 200Mi.
      // node1: cpu 300m > 250m → clamped → 100; memory 600Mi·100/1000Mi = 60 → 80
      // node2: cpu 100·100/250 = 40; memory 200·100/1000 = 20 → 30
      name: "no resources requested, pods scheduled, nonzero request for resource",
      pod: makePod([undefined]),
      nodes: n2({ cpu: "250m", memory: "1000Mi" }, { cpu: "250m", memory: "1000Mi" }),
      placed: [[makePod([undefined]), "node1"], [makePod([undefined]), "node1"]],
      want: [80, 30],
    },
    {
      // xyz bypassed: cpu 3000·100/6000 = 50, memory 50 → 50 on both.
      name: "bypass extended resource if the pod does not request",
      pod: pod3000x5000(),
      nodes: n2(r(6000, 10000), r(6000, 10000, { [extendedRes]: "4" })),
      resources: extendedResourceSet,
      want: [50, 50],
    },
    {
      // cpu 50, memory 50; xyz node1 2·100/4 = 50 → 50; node2 2·100/10 = 20 → 120/3 = 40
      name: "honor extended resource if the pod request",
      pod: makePod([r(3000, 5000, { [extendedRes]: "2" })]),
      nodes: n2(r(6000, 10000, { [extendedRes]: "4" }), r(6000, 10000, { [extendedRes]: "10" })),
      resources: extendedResourceSet,
      want: [50, 40],
    },
    {
      // xyz not requested: cpu 3000·100/6000 = 50, memory 4000·100/10000 = 40 → 45 on both.
      name: "if the node doesn't have a resource",
      pod: makePod([r(3000, 4000)]),
      nodes: n2(r(6000, 10000), r(6000, 10000, { [extendedRes]: "4" })),
      resources: [{ name: extendedRes, weight: 2 }, ...defaultResources],
      want: [45, 45],
    },
  ];
  it.each(rows)("$name", ({ pod, nodes, placed, resources, want }) => {
    const plugin = new NodeResourcesFit(args({ type: "MostAllocated", resources: resources ?? defaultResources }));
    expect(runScores(plugin, pod, nodes, placed)).toEqual(want);
  });
});

describe("broken-linear shape (shape_score.go; requested_to_capacity_ratio_test.go TestBrokenLinearFunction)", () => {
  const cases: { points: { utilization: number; score: number }[]; at: [number, number][] }[] = [
    {
      // 1 + (9 − 1)(p − 10)/(90 − 10): p = 15 → 1 + 40/80 = 1; p = 20 → 1 + 80/80 = 2; p = 89 → 1 + 632/80 = 8
      points: [
        { utilization: 10, score: 1 },
        { utilization: 90, score: 9 },
      ],
      at: [[-10, 1], [0, 1], [9, 1], [10, 1], [15, 1], [19, 1], [20, 2], [89, 8], [90, 9], [99, 9], [100, 9], [110, 9]],
    },
    {
      // p = 20 → 2 + 8·20/40 = 6; p = 30 → 2 + 240/40 = 8; p = 70 → 10 + (−10)(30)/60 = 5;
      // p = 50 → 10 + trunc(−100/60) = 10 − 1 = 9 (Go truncates toward zero; floor would give 8)
      points: [
        { utilization: 0, score: 2 },
        { utilization: 40, score: 10 },
        { utilization: 100, score: 0 },
      ],
      at: [[-10, 2], [0, 2], [20, 6], [30, 8], [40, 10], [50, 9], [70, 5], [100, 0], [110, 0]],
    },
    {
      points: [
        { utilization: 0, score: 2 },
        { utilization: 40, score: 2 },
        { utilization: 100, score: 2 },
      ],
      at: [[-10, 2], [0, 2], [20, 2], [30, 2], [40, 2], [70, 2], [100, 2], [110, 2]],
    },
    {
      // A single point is a constant.
      points: [{ utilization: 50, score: 7 }],
      at: [[0, 7], [50, 7], [100, 7]],
    },
  ];
  it.each(cases)("shape $points", ({ points, at }) => {
    const f = buildBrokenLinearFunction(points);
    for (const [p, want] of at) expect([p, f(p)]).toEqual([p, want]);
  });
});

describe("RequestedToCapacityRatio (requested_to_capacity_ratio_test.go, fit_test.go TestFitScore)", () => {
  const decreasing = [
    { utilization: 0, score: 10 },
    { utilization: 100, score: 0 },
  ];
  const increasing = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 10 },
  ];
  /** The extended-resource tables' shape: score 1 at 100 %, i.e. (0, 0), (100, 10) after ×10. */
  const upToOne = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 1 },
  ];
  interface RtcrRow extends ScoreRow {
    shape: { utilization: number; score: number }[];
  }
  const rows: RtcrRow[] = [
    {
      // Shape ×10: (0, 100), (100, 0). Requests 0 → utilization 0 → 100 for cpu and memory → 100.
      name: "nothing scheduled, nothing requested (least requested nodes have priority)",
      pod: makePod([]),
      nodes: n2(r(4000, 10000), r(4000, 10000)),
      placed: [[makePod([]), "node1"], [makePod([]), "node1"]],
      shape: decreasing,
      want: [100, 100],
    },
    {
      // node1: cpu 3000·100/4000 = 75 → 100 − 100·75/100 = 25; memory 50 → 50; round((25 + 50)/2 = 37.5) = 38
      // node2: cpu 3000·100/6000 = 50 → 50; memory 50 → 50 → 50
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: pod3000x5000(),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      placed: [[makePod([]), "node1"], [makePod([]), "node1"]],
      shape: decreasing,
      want: [38, 50],
    },
    {
      // Same utilizations from pods already on the nodes: 38, 50.
      name: "no resources requested, pods scheduled with resources",
      pod: makePod([]),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      placed: [[makePod([r(3000, 5000)]), "node1"], [makePod([r(3000, 5000)]), "node2"]],
      shape: decreasing,
      want: [38, 50],
    },
    {
      // TestFitScore case1, pod (3000, 5000).
      // node1: cpu 2000 + 3000 = 5000 > 4000 → utilization 100 → 0, dropped from the mean;
      //        memory 9000·100/10000 = 90 → 10 → 10·1/1 = 10
      // node2: cpu 4000·100/6000 = 66 → 100 − 66 = 34; memory 7000·100/10000 = 70 → 30 → 64/2 = 32
      name: "TestFitScore case1 (decreasing shape)",
      pod: makePod([r(3000, 5000)]),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      placed: [[makePod([r(2000, 4000)]), "node1"], [makePod([r(1000, 2000)]), "node2"]],
      shape: decreasing,
      want: [10, 32],
    },
    {
      // TestFitScore case2, shape (0, 0), (100, 100): node1 cpu 100, memory 90 → 95; node2 66, 70 → 68
      name: "TestFitScore case2 (increasing shape)",
      pod: makePod([r(3000, 5000)]),
      nodes: n2(r(4000, 10000), r(6000, 10000)),
      placed: [[makePod([r(2000, 4000)]), "node1"], [makePod([r(1000, 2000)]), "node2"]],
      shape: increasing,
      want: [95, 68],
    },
    {
      // Shape (0, 100), (30, 0): utilization 10 → 100 + trunc(−100·10/30) = 100 + trunc(−33.3) = 67 (floor: 66);
      // memory: 0 requested → utilization 0 → 100 → round((67 + 100)/2 = 83.5) = 84
      name: "decreasing segment truncates toward zero",
      pod: makePod([r(1000, 0)]),
      nodes: [makeNode("node1", r(10000, 10000))],
      shape: [
        { utilization: 0, score: 10 },
        { utilization: 30, score: 0 },
      ],
      want: [84],
    },
    {
      // Every resource scores 0 (utilization 0 on an increasing shape from 0): weight sum 0 → 0.
      name: "all resources scoring 0 give 0",
      pod: makePod([r(0, 0)]),
      nodes: [makeNode("node1", r(10000, 10000))],
      shape: increasing,
      want: [0],
    },
  ];
  it.each(rows)("$name", ({ pod, nodes, placed, shape, resources, want }) => {
    const plugin = new NodeResourcesFit(args({ type: "RequestedToCapacityRatio", resources: resources ?? defaultResources, requestedToCapacityRatio: { shape } }));
    expect(runScores(plugin, pod, nodes, placed)).toEqual(want);
  });

  const foo = "intel.com/foo";
  const bar = "intel.com/bar";
  const single: ScoreRow[] = [
    // foo not requested → skipped; no resource left → 0.
    {
      name: "single extended: nothing scheduled, nothing requested",
      pod: makePod([]),
      nodes: n2(r(4000, 10000, { [foo]: "8" }), r(4000, 10000, { [foo]: "4" })),
      want: [0, 0],
    },
    {
      // Shape (0, 0), (100, 1) ×10 = (0, 0), (100, 10). node1: 2·100/8 = 25 → 10·25/100 = 2; node2: 2·100/4 = 50 → 5
      name: "single extended: resources requested, pods scheduled with less resources",
      pod: makePod([{ [foo]: "2" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8" }), r(4000, 10000, { [foo]: "4" })),
      placed: [[makePod([]), "node1"]],
      want: [2, 5],
    },
    {
      // node2: (2 + 2)·100/4 = 100 → 10
      name: "single extended: on node with existing pod running",
      pod: makePod([{ [foo]: "2" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8" }), r(4000, 10000, { [foo]: "4" })),
      placed: [[makePod([{ [foo]: "2" }]), "node2"]],
      want: [2, 10],
    },
    {
      // node1: 4·100/8 = 50 → 5; node2: 4·100/4 = 100 → 10
      name: "single extended: pods scheduled with more resources",
      pod: makePod([{ [foo]: "4" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8" }), r(4000, 10000, { [foo]: "4" })),
      placed: [[makePod([]), "node1"]],
      want: [5, 10],
    },
  ];
  it.each(single)("$name", ({ pod, nodes, placed, want }) => {
    const plugin = new NodeResourcesFit(args({ type: "RequestedToCapacityRatio", resources: [{ name: foo, weight: 1 }], requestedToCapacityRatio: { shape: upToOne } }));
    expect(runScores(plugin, pod, nodes, placed)).toEqual(want);
  });

  const multiple: ScoreRow[] = [
    {
      // Neither requested → 0.
      name: "multiple extended: nothing requested",
      pod: makePod([]),
      nodes: n2(r(4000, 10000, { [foo]: "8", [bar]: "4" }), r(4000, 10000, { [foo]: "4", [bar]: "8" })),
      want: [0, 0],
    },
    {
      // Weights foo 3, bar 5. node1: foo 2/8 → 25 → 2; bar 2/4 → 50 → 5 → round((6 + 25)/8 = 3.875) = 4
      // node2: foo 2/4 → 5; bar 2/8 → 2 → round((15 + 10)/8 = 3.125) = 3
      name: "multiple extended: pods scheduled with less resources",
      pod: makePod([{ [foo]: "2", [bar]: "2" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8", [bar]: "4" }), r(4000, 10000, { [foo]: "4", [bar]: "8" })),
      placed: [[makePod([]), "node1"]],
      want: [4, 3],
    },
    {
      // node2 holds foo 4, bar 2: foo (4 + 2) > 4 → 100 → 10; bar 4/8 → 50 → 5 → round((30 + 25)/8 = 6.875) = 7
      name: "multiple extended: on node with existing pod running",
      pod: makePod([{ [foo]: "2", [bar]: "2" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8", [bar]: "4" }), r(4000, 10000, { [foo]: "4", [bar]: "8" })),
      placed: [[makePod([{ [foo]: "4", [bar]: "2" }]), "node2"]],
      want: [4, 7],
    },
    {
      // node1: foo 4/8 → 5, bar 2/4 → 5 → (15 + 25)/8 = 5; node2: foo 4/4 → 10, bar 2/8 → 2 → (30 + 10)/8 = 5
      name: "multiple extended: pods scheduled with more resources",
      pod: makePod([{ [foo]: "4", [bar]: "2" }]),
      nodes: n2(r(4000, 10000, { [foo]: "8", [bar]: "4" }), r(4000, 10000, { [foo]: "4", [bar]: "8" })),
      placed: [[makePod([]), "node1"]],
      want: [5, 5],
    },
  ];
  it.each(multiple)("$name", ({ pod, nodes, placed, want }) => {
    const resources = [
      { name: foo, weight: 3 },
      { name: bar, weight: 5 },
    ];
    const plugin = new NodeResourcesFit(args({ type: "RequestedToCapacityRatio", resources, requestedToCapacityRatio: { shape: upToOne } }));
    expect(runScores(plugin, pod, nodes, placed)).toEqual(want);
  });
});

describe("TestFitScore (fit_test.go): every strategy, with and without PreScore", () => {
  // Pod (1000, 2000); node1 (4000, 10000) holds (2000, 4000); node2 (6000, 10000) holds (1000, 2000).
  const nodes = (): Node[] => n2(r(4000, 10000), r(6000, 10000));
  const placed = (): [Pod, string][] => [[makePod([r(2000, 4000)]), "node1"], [makePod([r(1000, 2000)]), "node2"]];
  const cases: { name: string; strategy: ScoringStrategy; want: number[] }[] = [
    // node1: cpu 3000·100/4000 = 75, memory 6000·100/10000 = 60 → 135/2 = 67; node2: 2000·100/6000 = 33, 40 → 36
    { name: "MostAllocated", strategy: { type: "MostAllocated", resources: defaultResources }, want: [67, 36] },
    // node1: (4000 − 3000)·100/4000 = 25, (10000 − 6000)·100/10000 = 40 → 32; node2: (6000 − 2000)·100/6000 = 66, 60 → 63
    { name: "LeastAllocated", strategy: { type: "LeastAllocated", resources: defaultResources }, want: [32, 63] },
  ];
  for (const preScore of [true, false]) {
    it.each(cases)(`$name (PreScore ${preScore ? "run" : "not run"})`, ({ strategy, want }) => {
      const plugin = new NodeResourcesFit(args(strategy));
      expect(runScores(plugin, makePod([r(1000, 2000)]), nodes(), placed(), preScore)).toEqual(want);
    });
  }
  it("RequestedToCapacityRatio case1 without PreScore", () => {
    const plugin = new NodeResourcesFit(
      args({
        type: "RequestedToCapacityRatio",
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 10 },
            { utilization: 100, score: 0 },
          ],
        },
      }),
    );
    // As in the RequestedToCapacityRatio table: 10 and 32.
    expect(runScores(plugin, makePod([r(3000, 5000)]), nodes(), placed(), false)).toEqual([10, 32]);
  });

  it("the no-argument constructor is LeastAllocated with cpu 1, memory 1", () => {
    const plugin = new NodeResourcesFit();
    expect(plugin.args.scoringStrategy).toEqual({ type: "LeastAllocated", resources: defaultResources });
    expect(runScores(plugin, makePod([r(1000, 2000)]), nodes(), placed())).toEqual([32, 63]);
  });
});

describe("integer arithmetic", () => {
  it.each([
    // (alloc − req)·100/alloc with int64 truncation.
    [leastRequestedScore(3000, 4000), 25],
    [leastRequestedScore(1, 3), 66], // 2·100/3 = 66.67 → 66
    [leastRequestedScore(5, 4), 0], // over capacity
    [leastRequestedScore(0, 0), 0], // no capacity
    [mostRequestedScore(1, 3), 33], // 100/3 = 33.3 → 33
    [mostRequestedScore(5, 4), 100], // clamped to capacity
    [mostRequestedScore(1, 0), 0],
  ])("%i = %i", (got, want) => expect(got).toBe(want));

  it("stays exact for byte counts beyond 2^46", () => {
    // 3e15 − 1 of 3e15: 100 − 100/3e15 → 99 (a float64 quotient would round up to 100).
    expect(scaled(3e15 - 1, 3e15)).toBe(99);
    // 100 TiB allocatable, 30 TiB requested: (100 − 30)·100/100 = 70.
    const tib = 1024 ** 4;
    expect(leastRequestedScore(30 * tib, 100 * tib)).toBe(70);
    expect(mostRequestedScore(30 * tib, 100 * tib)).toBe(30);
  });
});

// ---------------------------------------------------------------------------------------------
// Args

describe("NodeResourcesFitArgs (v1 defaults.go, validation_pluginargs.go)", () => {
  const parse = (input: unknown) => nodeResourcesFitArgsSchema.safeParse(input);
  const issues = (input: unknown): string[] => {
    const res = parse(input);
    expect(res.success).toBe(false);
    return res.success ? [] : res.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("defaults an absent or empty args object to LeastAllocated, cpu 1, memory 1", () => {
    const want: NodeResourcesFitArgs = {
      ignoredResources: [],
      ignoredResourceGroups: [],
      scoringStrategy: { type: "LeastAllocated", resources: defaultResources },
    };
    expect(nodeResourcesFitArgsSchema.parse(undefined)).toEqual(want);
    expect(nodeResourcesFitArgsSchema.parse({})).toEqual(want);
  });

  it("defaults an empty resource list and absent or zero weights", () => {
    expect(nodeResourcesFitArgsSchema.parse({ scoringStrategy: { type: "MostAllocated" } }).scoringStrategy).toEqual({ type: "MostAllocated", resources: defaultResources });
    expect(nodeResourcesFitArgsSchema.parse({ scoringStrategy: { type: "MostAllocated", resources: [] } }).scoringStrategy.resources).toEqual(defaultResources);
    expect(
      nodeResourcesFitArgsSchema.parse({ scoringStrategy: { type: "LeastAllocated", resources: [{ name: "cpu" }, { name: "memory", weight: 0 }, { name: "nvidia.com/gpu", weight: 7 }] } }).scoringStrategy
        .resources,
    ).toEqual([
      { name: "cpu", weight: 1 },
      { name: "memory", weight: 1 },
      { name: "nvidia.com/gpu", weight: 7 },
    ]);
  });

  it("keeps a valid RequestedToCapacityRatio shape and ignored resources", () => {
    const parsed = nodeResourcesFitArgsSchema.parse({
      ignoredResources: ["example.com/aaa"],
      ignoredResourceGroups: ["example.com"],
      scoringStrategy: {
        type: "RequestedToCapacityRatio",
        resources: [{ name: "intel.com/foo", weight: 3 }],
        requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] },
      },
    });
    expect(parsed).toEqual({
      ignoredResources: ["example.com/aaa"],
      ignoredResourceGroups: ["example.com"],
      scoringStrategy: {
        type: "RequestedToCapacityRatio",
        resources: [{ name: "intel.com/foo", weight: 3 }],
        requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] },
      },
    });
    expect(() => nodeResourcesFitFactory.create(parsed)).not.toThrow();
    expect(nodeResourcesFitFactory.name).toBe("NodeResourcesFit");
  });

  it.each([
    [{ scoringStrategy: { type: "LeastAllocated", resources: [{ name: "memory", weight: -1 }, { name: "cpu", weight: 1 }] } }, "scoringStrategy.resources.0.weight: Invalid value: -1: resource weight of memory not in valid range (0, 100]"],
    [{ scoringStrategy: { type: "MostAllocated", resources: [{ name: "memory", weight: 101 }] } }, "scoringStrategy.resources.0.weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]"],
    [{ scoringStrategy: { type: "Balanced" } }, 'scoringStrategy.type: Unsupported value: "Balanced": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"'],
    [{ scoringStrategy: { resources: [{ name: "cpu", weight: 1 }] } }, 'scoringStrategy.type: Unsupported value: "": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"'],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio" } }, "scoringStrategy.requestedToCapacityRatio.shape: Required value: a shape is required for the RequestedToCapacityRatio strategy"],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [] } } }, "scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified"],
    [
      { scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 50, score: 2 }] } } },
      "scoringStrategy.requestedToCapacityRatio.shape.1.utilization: Invalid value: 50: utilization values must be sorted in increasing order",
    ],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [{ utilization: 101, score: 1 }] } } }, "scoringStrategy.requestedToCapacityRatio.shape.0.utilization: Invalid value: 101: not in valid range [0, 100]"],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [{ utilization: -1, score: 1 }] } } }, "scoringStrategy.requestedToCapacityRatio.shape.0.utilization: Invalid value: -1: not in valid range [0, 100]"],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [{ utilization: 0, score: 11 }] } } }, "scoringStrategy.requestedToCapacityRatio.shape.0.score: Invalid value: 11: not in valid range [0, 10]"],
    [{ scoringStrategy: { type: "LeastAllocated", requestedToCapacityRatio: { shape: [{ utilization: 0, score: -1 }] } } }, "scoringStrategy.requestedToCapacityRatio.shape.0.score: Invalid value: -1: not in valid range [0, 10]"],
    [{ ignoredResourceGroups: ["example.com/aaa"] }, `ignoredResourceGroups.0: Invalid value: "example.com/aaa": resource group name can't contain '/'`],
    [{ ignoredResources: ["-bad-"] }, 'ignoredResources.0: Invalid value: "-bad-": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character'],
  ])("rejects %j", (input, message) => {
    expect(issues(input)).toContain(message);
  });

  it.each([
    [{ scoringStrategy: { type: "LeastAllocated", resources: [{ name: "cpu", weight: 1.5 }] } }],
    [{ scoringStrategy: { type: "LeastAllocated", unknown: true } }],
    [{ ignored: [] }],
    [{ scoringStrategy: { type: "RequestedToCapacityRatio", requestedToCapacityRatio: { shape: [{ utilization: 10.5, score: 1 }] } } }],
  ])("rejects malformed input %j", (input) => {
    expect(parse(input).success).toBe(false);
  });

  it("the constructor rejects what upstream's NewFit rejects", () => {
    expect(() => new NodeResourcesFit(args({ type: "LeastAllocated", resources: [{ name: "cpu", weight: 0 }] }))).toThrow(/weight of cpu not in valid range/);
    expect(() => new NodeResourcesFit(args({ type: "RequestedToCapacityRatio" }))).toThrow(/shape is required/);
    expect(() => new NodeResourcesFit(args({ type: "LeastAllocated", resources: [] }))).toThrow(/at least one resource/);
  });
});

describe("Fit filter against the rules written out (property)", () => {
  // fit.go fitsRequest restated: each check in order, every failing one's reason kept; a request
  // larger than the allocatable on its own makes the status unresolvable.
  function expected(req: { cpu: number; memory: number; gpu: number }, node: { cpu: number; memory: number; gpu: number; pods: number; podsLeft: number }, used: { cpu: number; memory: number; gpu: number }): { code: string; reasons: string[] } {
    const reasons: string[] = [];
    let unresolvable = false;
    if (node.podsLeft < 1) reasons.push("Too many pods");
    const nothing = req.cpu === 0 && req.memory === 0 && req.gpu === 0;
    if (!nothing) {
      const check = (want: number, alloc: number, inUse: number, name: string): void => {
        if (want > 0 && want > alloc - inUse) {
          reasons.push(`Insufficient ${name}`);
          if (want > alloc) unresolvable = true;
        }
      };
      check(req.cpu, node.cpu, used.cpu, "cpu");
      check(req.memory, node.memory, used.memory, "memory");
      check(req.gpu, node.gpu, used.gpu, extendedRes);
    }
    if (reasons.length === 0) return { code: "Success", reasons: [] };
    return { code: unresolvable ? "UnschedulableAndUnresolvable" : "Unschedulable", reasons };
  }

  it("agrees on status and reasons for random nodes, some over-committed, and random requests", () => {
    const rng = new Rng(5, "fit-property");
    const plugin = new NodeResourcesFit();
    for (let trial = 0; trial < 400; trial++) {
      const node = { cpu: 1000 * (1 + rng.int(4)), memory: 2 ** 30 * (1 + rng.int(4)), gpu: rng.int(3), pods: 1 + rng.int(4), podsLeft: 0 };
      const nodeObj = makeNode("n", { ...r(node.cpu, node.memory), pods: String(node.pods), ...(node.gpu > 0 ? { [extendedRes]: String(node.gpu) } : {}) });
      // Placed pods may add up to more than the node has (the cache takes what the API says is bound).
      const placed: [Pod, string][] = [];
      const used = { cpu: 0, memory: 0, gpu: 0 };
      const count = rng.int(node.pods + 2);
      for (let i = 0; i < count; i++) {
        const p = { cpu: 100 * rng.int(20), memory: 2 ** 28 * rng.int(6), gpu: rng.int(2) };
        placed.push([makePod([{ ...r(p.cpu, p.memory), ...(p.gpu > 0 ? { [extendedRes]: String(p.gpu) } : {}) }]), "n"]);
        used.cpu += p.cpu;
        used.memory += p.memory;
        used.gpu += p.gpu;
      }
      node.podsLeft = node.pods - count;
      const [info] = cluster([nodeObj], placed);
      const want = { cpu: 100 * rng.int(30), memory: 2 ** 28 * rng.int(10), gpu: rng.next() < 0.3 ? 1 + rng.int(2) : 0 };
      const pod = makePod([{ ...r(want.cpu, want.memory), ...(want.gpu > 0 ? { [extendedRes]: String(want.gpu) } : {}) }]);
      const got = runFilter(plugin, pod, info);
      expect({ code: got.code, reasons: [...got.reasons] }, `trial ${trial}`).toEqual(expected(want, node, used));
    }
  });
});
