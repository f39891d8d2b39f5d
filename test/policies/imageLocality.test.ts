/**
 * ImageLocality: the tables of upstream image_locality_test.go (TestImageLocalityPriority with
 * the per-container max threshold, TestNormalizedImageName) plus cases of our own. MB = 1 MiB;
 * threshold min = 23 MB, max = 1000 MB × number of containers.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import {
  calculatePriority,
  ImageLocality,
  imageLocalityFactory,
  MAX_CONTAINER_THRESHOLD,
  MIN_THRESHOLD,
  normalizedImageName,
  scaledImageScore,
} from "../../policies/scheduler/imageLocality.js";

const MB = 1024 * 1024;
let seq = 0;

function makePod(images: string[], initImages: string[] = []): Pod {
  const uid = `pod-${++seq}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uid, namespace: "default", uid, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {
      containers: images.map((image, i) => ({ name: `c${i}`, image })),
      ...(initImages.length > 0 ? { initContainers: initImages.map((image, i) => ({ name: `i${i}`, image })) } : {}),
    },
    status: { phase: "Pending" },
  };
}

type Images = { names: string[]; sizeBytes: number }[];

function makeNode(name: string, images: Images | undefined): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { capacity: {}, allocatable: { cpu: "4", memory: "16Gi" }, conditions: [], ...(images ? { images } : {}) },
  };
}

function cluster(nodes: Node[]): NodeInfo[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  return nodes.map((n) => cache.nodeInfo(n.metadata.name)!);
}

function podInfo(pod: Pod): PodInfo {
  return { pod, key: `default/${pod.metadata.name}`, requests: podRequests(pod.spec) };
}

function handle(nodes: readonly NodeInfo[]): FrameworkHandle {
  return { nodes, nodeInfo: (n) => nodes.find((x) => x.name === n), namespaceLabels: () => undefined, workloadSelectors: () => [], rng: new Rng(1, "test"), now: 0 };
}

/** Scores of every node, PreScore seeing all nodes of the snapshot. */
function scores(pod: Pod, nodes: Node[]): number[] {
  const infos = cluster(nodes);
  const plugin = new ImageLocality();
  const state = new CycleState();
  const info = podInfo(pod);
  expect(plugin.preScore(state, info, infos, handle(infos)).code).toBe("Success");
  const each = infos.map((n) => plugin.score(state, info, n));
  // scoreAll, which the framework calls, gives the same scores as score node by node.
  const all = infos.map(() => -1);
  plugin.scoreAll(state, info, infos, all);
  expect(all).toEqual(each);
  return each;
}

// Node image lists of the upstream test.
const node403002000: Images = [
  { names: ["gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"], sizeBytes: 40 * MB },
  { names: ["gcr.io/300:latest", "gcr.io/300:v1"], sizeBytes: 300 * MB },
  { names: ["gcr.io/2000:latest"], sizeBytes: 2000 * MB },
];
const node25010: Images = [
  { names: ["gcr.io/250:latest"], sizeBytes: 250 * MB },
  { names: ["gcr.io/10:latest", "gcr.io/10:v1"], sizeBytes: 10 * MB },
];
const node60040900: Images = [
  { names: ["gcr.io/600:latest"], sizeBytes: 600 * MB },
  { names: ["gcr.io/40:latest"], sizeBytes: 40 * MB },
  { names: ["gcr.io/900:latest"], sizeBytes: 900 * MB },
];
const node300600900: Images = [
  { names: ["gcr.io/300:latest"], sizeBytes: 300 * MB },
  { names: ["gcr.io/600:latest"], sizeBytes: 600 * MB },
  { names: ["gcr.io/900:latest"], sizeBytes: 900 * MB },
];
const node400030: Images = [
  { names: ["gcr.io/4000:latest"], sizeBytes: 4000 * MB },
  { names: ["gcr.io/30:latest"], sizeBytes: 30 * MB },
];
const node203040: Images = [
  { names: ["gcr.io/20:latest"], sizeBytes: 20 * MB },
  { names: ["gcr.io/30:latest"], sizeBytes: 30 * MB },
  { names: ["gcr.io/40:latest"], sizeBytes: 40 * MB },
];

const rows: { name: string; pod: Pod; nodes: Node[]; want: number[] }[] = [
  {
    // node1 has gcr.io/40 (1 of 2 nodes): 40 MB · 1/2 = 20 MB < 23 MB → 0.
    // node2 has gcr.io/250 (1 of 2): 125 MB → 100·(125 − 23)/(1000·2 − 23) = 10200/1977 = 5.2 → 5
    name: "two images spread on two nodes, prefer the larger image one",
    pod: makePod(["gcr.io/40", "gcr.io/250"]),
    nodes: [makeNode("node1", node403002000), makeNode("node2", node25010)],
    want: [0, 5],
  },
  {
    // node1: (40 + 300)/2 = 170 MB → 100·(170 − 23)/1977 = 14700/1977 = 7.4 → 7; node2: neither → 0
    name: "two images on one node, prefer this node",
    pod: makePod(["gcr.io/40", "gcr.io/300"]),
    nodes: [makeNode("node1", node403002000), makeNode("node2", node25010)],
    want: [7, 0],
  },
  {
    // node1: 4000 MB · 1/2 = 2000 MB ≥ 1000·2 → clamped → 100; node2: 10 MB · 1/2 = 5 MB < 23 → 0
    name: "if exceed limit, use limit",
    pod: makePod(["gcr.io/10", "gcr.io/4000"]),
    nodes: [makeNode("node1", node400030), makeNode("node2", node25010)],
    want: [100, 0],
  },
  {
    // Three nodes: node1 4000 MB · 1/3 = 1398101333 bytes (1333.3 MB):
    //   100·(1398101333 − 24117248)/(2097152000 − 24117248) = 137398408500/2073034752 = 66.3 → 66
    // node2: 10 MB/3 < 23 MB → 0; node3 (no images) → 0
    name: "if exceed limit, use limit (with node which has no images present)",
    pod: makePod(["gcr.io/10", "gcr.io/4000"]),
    nodes: [makeNode("node1", node400030), makeNode("node2", node25010), makeNode("node3", undefined)],
    want: [66, 0, 0],
  },
  {
    // 600 and 900 are on 2 of 3 nodes, 300 on 1 of 3; max = 1000·3 = 3000 MB.
    // node1: 600·2/3 + 900·2/3 = 400 + 600 = 1000 MB → 100·(1000 − 23)/(3000 − 23) = 97700/2977 = 32.8 → 32
    // node2: 300/3 + 400 + 600 = 1100 MB → 100·1077/2977 = 36.2 → 36; node3 → 0
    name: "pod with multiple large images, node2 is preferred",
    pod: makePod(["gcr.io/300", "gcr.io/600", "gcr.io/900"]),
    nodes: [makeNode("node1", node60040900), makeNode("node2", node300600900), makeNode("node3", undefined)],
    want: [32, 36, 0],
  },
  {
    // gcr.io/30 on both nodes (2/2), gcr.io/40 on node1 only (1/2).
    // node1: 30 + 40/2 = 50 MB → 100·(50 − 23)/1977 = 2700/1977 = 1.4 → 1; node2: 30 MB → 700/1977 = 0.35 → 0
    name: "pod with multiple small images",
    pod: makePod(["gcr.io/30", "gcr.io/40"]),
    nodes: [makeNode("node1", node203040), makeNode("node2", node400030)],
    want: [1, 0],
  },
  {
    // Init containers count as containers: images 300 (init) + 40; max = 1000·2.
    // node1 has both (each on 1 of 2 nodes): (300 + 40)/2 = 170 MB → 7 (as above); node2 → 0
    name: "init container images count",
    pod: makePod(["gcr.io/40"], ["gcr.io/300"]),
    nodes: [makeNode("node1", node403002000), makeNode("node2", node25010)],
    want: [7, 0],
  },
  {
    // An explicit tag matches that name: gcr.io/300:v1 (1 of 2 nodes) = 150 MB; 1 container → max 1000 MB:
    // 100·(150 − 23)/(1000 − 23) = 12700/977 = 13.0 → 12 (12700/977 = 12.998)
    name: "tagged image names match as written",
    pod: makePod(["gcr.io/300:v1"]),
    nodes: [makeNode("node1", node403002000), makeNode("node2", node25010)],
    want: [12, 0],
  },
  {
    // Node status names are not normalized: "nginx" on the node does not match the pod's "nginx:latest".
    name: "untagged names in node status are not normalized",
    pod: makePod(["nginx"]),
    nodes: [makeNode("node1", [{ names: ["nginx"], sizeBytes: 500 * MB }])],
    want: [0],
  },
  {
    // The same image in two containers counts twice: 2 · 500 MB (1 of 1 node) = 1000 MB; max 2000 MB:
    // 100·(1000 − 23)/(2000 − 23) = 97700/1977 = 49.4 → 49
    name: "an image used by two containers counts twice",
    pod: makePod(["app:1", "app:1"]),
    nodes: [makeNode("node1", [{ names: ["app:1"], sizeBytes: 500 * MB }])],
    want: [49],
  },
  {
    // No containers: max threshold 0; the sum is raised to 23 MB → 0.
    name: "pod without containers",
    pod: makePod([]),
    nodes: [makeNode("node1", node403002000)],
    want: [0],
  },
];

describe("ImageLocality (image_locality_test.go)", () => {
  it.each(rows)("$name", ({ pod, nodes, want }) => {
    expect(scores(pod, nodes)).toEqual(want);
  });

  it("spreads over every node of the snapshot, not only the feasible ones", () => {
    // 4 nodes in the snapshot, 2 of them hold app:1 (800 MB): 800·2/4 = 400 MB;
    // 100·(400 − 23)/(1000 − 23) = 37700/977 = 38.6 → 38. Only node1 is feasible.
    const infos = cluster([
      makeNode("node1", [{ names: ["app:1"], sizeBytes: 800 * MB }]),
      makeNode("node2", [{ names: ["app:1"], sizeBytes: 800 * MB }]),
      makeNode("node3", undefined),
      makeNode("node4", undefined),
    ]);
    const plugin = new ImageLocality();
    const state = new CycleState();
    const info = podInfo(makePod(["app:1"]));
    plugin.preScore(state, info, [infos[0]], handle(infos));
    expect(plugin.score(state, info, infos[0])).toBe(38);
  });

  it("scores 0 without PreScore (no snapshot to count nodes in)", () => {
    const [node] = cluster([makeNode("node1", node403002000)]);
    expect(new ImageLocality().score(new CycleState(), podInfo(makePod(["gcr.io/2000"])), node)).toBe(0);
  });

  it("has a factory without args", () => {
    expect(imageLocalityFactory.name).toBe("ImageLocality");
    expect(imageLocalityFactory.args).toBeUndefined();
    expect(imageLocalityFactory.create(undefined).name).toBe("ImageLocality");
  });
});

describe("normalizedImageName (TestNormalizedImageName)", () => {
  const digest = "sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2";
  it.each([
    ["root", "root:latest"],
    ["gcr.io:5000/root", "gcr.io:5000/root:latest"],
    ["root:tag", "root:tag"],
    [`root@${digest}`, `root@${digest}`],
    ["gcr.io:5000/root:v2", "gcr.io:5000/root:v2"],
  ])("%s → %s", (input, want) => expect(normalizedImageName(input)).toBe(want));
});

describe("calculatePriority and scaledImageScore", () => {
  it.each([
    // Below 23 MB → 0; exactly 23 MB → 0.
    [10 * MB, 1, 0],
    [MIN_THRESHOLD, 1, 0],
    // 1000 MB with one container → 100; above → clamped → 100.
    [MAX_CONTAINER_THRESHOLD, 1, 100],
    [5000 * MB, 2, 100],
    // 100·(511.5 − 23)/977 = 48850/977 = 50.0 → 50
    [511.5 * MB, 1, 50],
  ])("sum %d bytes, %i containers → %i", (sum, n, want) => expect(calculatePriority(sum, n)).toBe(want));

  it("truncates size × spread like int64(float64 × float64)", () => {
    // 10 bytes · 1/3 = 3.33 → 3; 300 MB · 2/2 = 300 MB.
    expect(scaledImageScore(10, 1, 3)).toBe(3);
    expect(scaledImageScore(300 * MB, 2, 2)).toBe(300 * MB);
  });
});
