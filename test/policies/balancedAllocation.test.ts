/**
 * NodeResourcesBalancedAllocation: the table of upstream balanced_allocation_test.go (v1.34 form:
 * std-based score, PreScore Skip for best-effort pods) plus cases of our own; args from
 * validation_pluginargs.go and v1 defaults.go. Node cpu numbers are millicores, as upstream's
 * makeNode(name, milliCPU, memory, scalars).
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod, ResourceList } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import {
  BalancedAllocation,
  type BalancedAllocationArgs,
  balancedAllocationArgsSchema,
  balancedAllocationFactory,
  balancedScore,
} from "../../policies/scheduler/balancedAllocation.js";
import type { ResourceSpec } from "../../policies/scheduler/resourceScoring.js";

let seq = 0;

function makePod(containers: (ResourceList | undefined)[]): Pod {
  const uid = `pod-${++seq}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uid, namespace: "default", uid, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: containers.map((requests, i) => ({ name: `c${i}`, image: "busybox", ...(requests ? { resources: { requests } } : {}) })) },
    status: { phase: "Pending" },
  };
}

/** upstream makeNode: cpu in millicores, memory in bytes, extra scalar resources. */
function makeNode(name: string, milliCPU: number, memory: number, scalars: Record<string, number> = {}): Node {
  const allocatable: ResourceList = { cpu: `${milliCPU}m`, memory: String(memory) };
  for (const [k, v] of Object.entries(scalars)) allocatable[k] = String(v);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { capacity: allocatable, allocatable, conditions: [] },
  };
}

function cluster(nodes: Node[], placed: [Pod, string][]): NodeInfo[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const [p, n] of placed) cache.addPod(p, n);
  return nodes.map((n) => cache.nodeInfo(n.metadata.name)!);
}

function podInfo(pod: Pod): PodInfo {
  return { pod, key: `default/${pod.metadata.name}`, requests: podRequests(pod.spec) };
}

function handle(nodes: readonly NodeInfo[]): FrameworkHandle {
  return { nodes, nodeInfo: (n) => nodes.find((x) => x.name === n), namespaceLabels: () => undefined, workloadSelectors: () => [], rng: new Rng(1, "test"), now: 0 };
}

const cpuAndMemory = (cpu: string, memory: string): ResourceList => ({ cpu, memory });
/** Upstream's cpuAndMemory pod: (1000m, 2000) + (2000m, 3000) = 3000m, 5000. */
const cpuAndMemoryPod = (): Pod => makePod([cpuAndMemory("1000m", "2000"), cpuAndMemory("2000m", "3000")]);
/** Upstream's cpuOnly pod: (1000m, 0) + (2000m, 0) = 3000m, 0 (explicit zero memory). */
const cpuOnlyPod = (): Pod => makePod([cpuAndMemory("1000m", "0"), cpuAndMemory("2000m", "0")]);

const defaultSet: ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];
const withGpu: ResourceSpec[] = [...defaultSet, { name: "nvidia.com/gpu", weight: 1 }];

interface Row {
  name: string;
  pod: Pod;
  nodes: Node[];
  placed?: [Pod, string][];
  resources?: ResourceSpec[];
  /** false: call Score without PreScore (upstream "if PreScore not called"). */
  preScore?: boolean;
  /** "Skip" when PreScore must skip the plugin. */
  want: number[] | "Skip";
}

const rows: Row[] = [
  {
    // A pod without containers requests 0 cpu and 0 memory: best-effort → Skip.
    name: "nothing scheduled, nothing requested, skip in PreScore",
    pod: makePod([]),
    nodes: [makeNode("node1", 4000, 10000), makeNode("node2", 4000, 10000)],
    want: "Skip",
  },
  {
    // Containers without requests are best-effort too: the 100m / 200Mi defaults are not used here.
    name: "containers without requests are best-effort",
    pod: makePod([undefined, undefined]),
    nodes: [makeNode("node1", 4000, 10000)],
    want: "Skip",
  },
  {
    // node1: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5 → std |0.75 − 0.5|/2 = 0.125 → (1 − 0.125)·100 = 87.5 → 87
    // node2: 3000/6000 = 0.5, 0.5 → std 0 → 100
    name: "nothing scheduled, resources requested, differently sized nodes",
    pod: cpuAndMemoryPod(),
    nodes: [makeNode("node1", 4000, 10000), makeNode("node2", 6000, 10000)],
    want: [87, 100],
  },
  {
    // Existing: node1 cpuOnly (3000m, 0), node2 cpuAndMemory (3000m, 5000); pod cpuAndMemory.
    // node1: 6000/10000 = 0.6, 5000/20000 = 0.25 → std 0.175 → 82.5 → 82
    // node2: 0.6, 10000/20000 = 0.5 → std 0.05 → 95
    name: "resources requested, pods scheduled with resources",
    pod: cpuAndMemoryPod(),
    nodes: [makeNode("node1", 10000, 20000), makeNode("node2", 10000, 20000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuAndMemoryPod(), "node2"]],
    want: [82, 95],
  },
  {
    // node1: 0.6, 0.25 → 82; node2: 0.6, 10000/50000 = 0.2 → std 0.2 → 80
    name: "resources requested, pods scheduled with resources, differently sized nodes",
    pod: cpuAndMemoryPod(),
    nodes: [makeNode("node1", 10000, 20000), makeNode("node2", 10000, 50000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuAndMemoryPod(), "node2"]],
    want: [82, 80],
  },
  {
    // Pod cpuOnly (3000m, 0). node1: 6000/6000 = 1, 0/10000 = 0 → std 0.5 → 50
    // node2: 1, 5000/10000 = 0.5 → std 0.25 → 75
    name: "requested resources at node capacity",
    pod: cpuOnlyPod(),
    nodes: [makeNode("node1", 6000, 10000), makeNode("node2", 6000, 10000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuAndMemoryPod(), "node2"]],
    want: [50, 75],
  },
  {
    // node1: 9000/6000 > 1 → capped at 1, memory 0 → std 0.5 → 50 (not 1.5 − 0)
    name: "fractions above capacity are capped at 1",
    pod: cpuOnlyPod(),
    nodes: [makeNode("node1", 6000, 10000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuOnlyPod(), "node1"]],
    want: [50],
  },
  {
    // Allocatable 0 for both resources: nothing to compare, std 0 → 100 (Score alone, as upstream's table).
    name: "zero node resources, pods scheduled with resources",
    pod: makePod([]),
    nodes: [makeNode("node1", 0, 0), makeNode("node2", 0, 0)],
    placed: [[cpuOnlyPod(), "node1"], [cpuAndMemoryPod(), "node2"]],
    preScore: false,
    want: [100, 100],
  },
  {
    // Pod requests memory 0 and one GPU (cpu absent → 0, actual requests).
    // node1 holds (3000m, 5000, gpu 3): fractions 3000/3500 = 0.857143, 5000/40000 = 0.125, (3 + 1)/8 = 0.5;
    //   mean 1.482143/3 = 0.494048; squares 0.131838 + 0.136196 + 0.000035 = 0.268070; /3 = 0.089357;
    //   std √ = 0.298926 → 70.1 → 70
    // node2 holds (3000m, 5000): 0.857143, 0.125, 1/8 = 0.125; mean 0.369048;
    //   squares 0.238237 + 0.059559 + 0.059559 = 0.357355; /3 = 0.119118; std 0.345135 → 65.5 → 65
    name: "include scalar resource on a node for balanced resource allocation",
    pod: makePod([{ memory: "0", "nvidia.com/gpu": "1" }]),
    nodes: [makeNode("node1", 3500, 40000, { "nvidia.com/gpu": 8 }), makeNode("node2", 3500, 40000, { "nvidia.com/gpu": 8 })],
    placed: [
      [makePod([cpuAndMemory("1000m", "2000"), { cpu: "2000m", memory: "3000", "nvidia.com/gpu": "3" }]), "node1"],
      [cpuAndMemoryPod(), "node2"],
    ],
    resources: withGpu,
    want: [70, 65],
  },
  {
    // The pod requests no GPU: the scalar resource is skipped (resources cpu, gpu). One fraction
    // left (cpu 3000/3500) → std 0 → 100 on both nodes, with or without the GPU (Score alone: the
    // pod itself requests nothing, so PreScore would skip it).
    name: "node without the scalar resource results to a higher score",
    pod: makePod([]),
    nodes: [makeNode("node1", 3500, 40000, { "nvidia.com/gpu": 8 }), makeNode("node2", 3500, 40000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuOnlyPod(), "node2"]],
    resources: [
      { name: "cpu", weight: 1 },
      { name: "nvidia.com/gpu", weight: 1 },
    ],
    preScore: false,
    want: [100, 100],
  },
  {
    // Pod cpuAndMemory, gpu not requested → skipped; node1 3000/3500 = 0.857143, 5000/40000 = 0.125
    // → std |0.732143|/2 = 0.366071 → 63.4 → 63 on both nodes (gpu on node1 changes nothing).
    name: "scalar resource not requested by the pod is left out",
    pod: cpuAndMemoryPod(),
    nodes: [makeNode("node1", 3500, 40000, { "nvidia.com/gpu": 8 }), makeNode("node2", 3500, 40000)],
    resources: withGpu,
    want: [63, 63],
  },
  {
    // As "resources requested, pods scheduled with resources", PreScore not called: 82, 95.
    name: "resources requested, pods scheduled with resources if PreScore not called",
    pod: cpuAndMemoryPod(),
    nodes: [makeNode("node1", 10000, 20000), makeNode("node2", 10000, 20000)],
    placed: [[cpuOnlyPod(), "node1"], [cpuAndMemoryPod(), "node2"]],
    preScore: false,
    want: [82, 95],
  },
  {
    // Actual requests, no defaults: memory absent counts 0, not 200Mi.
    // cpu 1000/4000 = 0.25, memory 0/1000Mi = 0 → std 0.125 → 87 (with the default it would be 0.25, 0.2 → 97)
    name: "memory missing from the request counts as 0",
    pod: makePod([{ cpu: "1000m" }]),
    nodes: [makeNode("node1", 4000, 1000 * 1024 * 1024)],
    want: [87],
  },
  {
    // A GPU-only pod is not best-effort. Resources cpu, memory, gpu; node (4000m, 10000, gpu 4) empty:
    // fractions 0, 0, 1/4 = 0.25; mean 0.083333; squares 0.006944 + 0.006944 + 0.027778 = 0.041667;
    // /3 = 0.013889; std 0.117851 → 88.2 → 88
    name: "a pod requesting only a scalar resource is scored",
    pod: makePod([{ "nvidia.com/gpu": "1" }]),
    nodes: [makeNode("node1", 4000, 10000, { "nvidia.com/gpu": 4 })],
    resources: withGpu,
    want: [88],
  },
  {
    // ephemeral-storage is native: scored even at request 0. Pod (2000m, 0 memory, 0 storage) on
    // (4000m, 10000, storage 100) holding 50 storage: fractions 0.5, 0, 0.5; mean 1/3;
    // squares 0.027778 + 0.111111 + 0.027778 = 0.166667; /3 = 0.055556; std 0.235702 → 76.4 → 76
    name: "three native resources: population standard deviation",
    pod: makePod([{ cpu: "2000m", memory: "0" }]),
    nodes: [{ ...makeNode("node1", 4000, 10000), status: { capacity: {}, allocatable: { cpu: "4000m", memory: "10000", "ephemeral-storage": "100" }, conditions: [] } }],
    placed: [[makePod([{ cpu: "0", memory: "0", "ephemeral-storage": "50" }]), "node1"]],
    resources: [...defaultSet, { name: "ephemeral-storage", weight: 1 }],
    want: [76],
  },
];

describe("NodeResourcesBalancedAllocation (balanced_allocation_test.go)", () => {
  it.each(rows)("$name", ({ pod, nodes, placed, resources, preScore, want }) => {
    const plugin = new BalancedAllocation({ resources: resources ?? defaultSet });
    const infos = cluster(nodes, placed ?? []);
    const state = new CycleState();
    const info = podInfo(pod);
    if (preScore !== false) {
      const status = plugin.preScore(state, info, infos, handle(infos));
      if (want === "Skip") {
        expect(status.code).toBe("Skip");
        return;
      }
      expect(status.code).toBe("Success");
    }
    expect(infos.map((n) => plugin.score(state, info, n))).toEqual(want);
    // The framework scores a cycle's nodes in one scoreAll call: it must agree with score.
    const all = new Array<number>(infos.length).fill(-1);
    plugin.scoreAll(state, info, infos, all);
    expect(all).toEqual(want);
  });
});

describe("balancedScore (balancedResourceScorer)", () => {
  it.each([
    // No or one fraction: std 0 → 100.
    [[], 100],
    [[0.7], 100],
    // Two: |0.75 − 0.5|/2 = 0.125 → 87.5 → 87.
    [[0.75, 0.5], 87],
    // Two: |0 − 1|/2 = 0.5 → 50.
    [[0, 1], 50],
    // Three equal: std 0 → 100.
    [[0.3, 0.3, 0.3], 100],
    // Four: 0, 0, 1, 1 → mean 0.5, variance (4 · 0.25)/4 = 0.25, std 0.5 → 50.
    [[0, 0, 1, 1], 50],
  ])("%j → %i", (fractions, want) => expect(balancedScore(fractions)).toBe(want));
});

describe("NodeResourcesBalancedAllocationArgs (v1 defaults.go, validation_pluginargs.go)", () => {
  it("defaults to cpu 1, memory 1", () => {
    expect(balancedAllocationArgsSchema.parse(undefined)).toEqual({ resources: defaultSet });
    expect(balancedAllocationArgsSchema.parse({})).toEqual({ resources: defaultSet });
    expect(balancedAllocationArgsSchema.parse({ resources: [] })).toEqual({ resources: defaultSet });
    expect(new BalancedAllocation().args).toEqual({ resources: defaultSet });
  });

  it("defaults an absent or 0 weight to 1", () => {
    const parsed: BalancedAllocationArgs = balancedAllocationArgsSchema.parse({ resources: [{ name: "cpu" }, { name: "nvidia.com/gpu", weight: 0 }] });
    expect(parsed).toEqual({ resources: [{ name: "cpu", weight: 1 }, { name: "nvidia.com/gpu", weight: 1 }] });
    expect(balancedAllocationFactory.create(parsed).name).toBe("NodeResourcesBalancedAllocation");
    expect(balancedAllocationFactory.name).toBe("NodeResourcesBalancedAllocation");
  });

  it.each([
    [{ resources: [{ name: "cpu", weight: 2 }] }, "resources.0.weight: Invalid value: 2: must be 1"],
    [{ resources: [{ name: "cpu", weight: -1 }] }, "resources.0.weight: Invalid value: -1: must be 1"],
    [{ resources: [{ name: "cpu" }, { name: "memory" }, { name: "cpu" }] }, 'resources.2.name: Duplicate value: "cpu"'],
  ])("rejects %j", (input, message) => {
    const res = balancedAllocationArgsSchema.safeParse(input);
    expect(res.success).toBe(false);
    if (!res.success) expect(res.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toContain(message);
  });

  it("rejects unknown fields and bad constructor args", () => {
    expect(balancedAllocationArgsSchema.safeParse({ resource: [] }).success).toBe(false);
    expect(() => new BalancedAllocation({ resources: [{ name: "cpu", weight: 3 }] })).toThrow(/must be 1/);
    expect(() => new BalancedAllocation({ resources: [] })).toThrow(/at least one resource/);
  });
});
