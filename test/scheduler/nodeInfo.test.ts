import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { Rng } from "../../sim/engine/rng.js";
import { cloneNodeInfo, nodeInfoAddPod, nodeInfoRemovePod, type PodInfo } from "../../sim/scheduler/framework.js";

const node: Node = {
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "n1", uid: "n1", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
  spec: {},
  status: { allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, capacity: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
};

// An app container with a hostPort on "" (all addresses), a sidecar with one, and a regular init
// container whose hostPort does not count (upstream GetHostPorts).
const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default", uid: "p-uid", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
  spec: {
    containers: [{ name: "app", image: "x", ports: [{ containerPort: 80, hostPort: 8080, hostIP: "" }], resources: { requests: { cpu: "250m" } } }],
    initContainers: [
      { name: "proxy", image: "x", restartPolicy: "Always", ports: [{ containerPort: 15001, hostPort: 15001, protocol: "UDP" }] },
      { name: "setup", image: "x", ports: [{ containerPort: 9, hostPort: 9000 }] },
    ],
  },
  status: { phase: "Pending" },
};

describe("NodeInfo bookkeeping: the cache and the framework's copies agree", () => {
  it("a pod added to a copy (preemption's dry runs) counts the same requests and host ports as in the cache", () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node);
    const empty = cloneNodeInfo(cache.nodeInfo("n1")!);
    cache.addPod(pod, "n1");
    const cached = cache.nodeInfo("n1")!;
    expect([...cached.usedPorts.entries()].sort()).toEqual([
      ["TCP/0.0.0.0/8080", 1],
      ["UDP/0.0.0.0/15001", 1],
    ]);

    const info: PodInfo = { pod, key: "default/p", requests: podRequests(pod.spec) };
    nodeInfoAddPod(empty, info);
    expect([...empty.usedPorts.entries()].sort()).toEqual([...cached.usedPorts.entries()].sort());
    expect(empty.requested).toEqual(cached.requested);
    expect(empty.nonZeroRequested).toEqual(cached.nonZeroRequested);
    expect(empty.requested.milliCPU).toBe(250);

    expect(nodeInfoRemovePod(empty, "p-uid")).toBe(true);
    expect(empty.usedPorts.size).toBe(0);
    expect(empty.requested.milliCPU).toBe(0);
  });
});

describe("NodeInfo amounts: the cache's shared row buffer", () => {
  const mkNode = (name: string, cpu: number): Node => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { allocatable: { cpu: `${cpu}m`, memory: "8Gi", pods: "110" }, capacity: { cpu: `${cpu}m`, memory: "8Gi", pods: "110" }, conditions: [] },
  });
  const mkPod = (i: number, cpu: number, withRequests: boolean): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p${i}`, namespace: "default", uid: `p${i}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c", image: "x", resources: withRequests ? { requests: { cpu: `${cpu}m`, memory: `${cpu}Mi` } } : undefined }] },
    status: { phase: "Pending" },
  });

  it("keeps every node's figures equal to the sums over its pods through adds, removals and re-layouts (property)", () => {
    const rng = new Rng(11, "cache-ops");
    const cache = new SchedulerCache();
    const allocatableOf = new Map<string, number>();
    const placed = new Map<string, { pod: Pod; node: string }>();
    let nextPod = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rng.next();
      const nodeNames = [...allocatableOf.keys()];
      if (r < 0.1 || nodeNames.length === 0) {
        const name = `n${rng.int(40)}`;
        const cpu = 1000 * (1 + rng.int(8));
        cache.upsertNode(mkNode(name, cpu));
        allocatableOf.set(name, cpu);
      } else if (r < 0.13) {
        const name = nodeNames[rng.int(nodeNames.length)];
        cache.removeNode(name);
        allocatableOf.delete(name);
        for (const [uid, p] of placed) if (p.node === name) placed.delete(uid);
      } else if (r < 0.7) {
        const node = nodeNames[rng.int(nodeNames.length)];
        const pod = mkPod(nextPod++, 50 * (1 + rng.int(10)), rng.next() < 0.8);
        cache.addPod(pod, node);
        placed.set(pod.metadata.uid, { pod, node });
      } else if (placed.size > 0) {
        const uids = [...placed.keys()];
        const uid = uids[rng.int(uids.length)];
        cache.removePod(uid);
        placed.delete(uid);
      }
      // Reading the node list re-lays the rows out after node changes: check at random moments.
      if (rng.next() < 0.2) cache.nodes;
    }
    expect(cache.nodes.map((n) => n.name).sort()).toEqual([...allocatableOf.keys()].sort());
    for (const info of cache.nodes) {
      const mine = [...placed.values()].filter((p) => p.node === info.name).map((p) => podRequests(p.pod.spec));
      const sum = (f: (r: ReturnType<typeof podRequests>) => number): number => mine.reduce((a, r) => a + f(r), 0);
      expect(info.podCount).toBe(mine.length);
      expect(info.pods.size).toBe(mine.length);
      expect(info.allocatable.milliCPU).toBe(allocatableOf.get(info.name));
      expect(info.requested.milliCPU).toBe(sum((r) => r.requests.milliCPU));
      expect(info.requested.memory).toBe(sum((r) => r.requests.memory));
      expect(info.nonZeroRequested).toEqual({ milliCPU: sum((r) => r.nonZero.milliCPU), memory: sum((r) => r.nonZero.memory) });
      // A copy has its own row: changing it leaves the cache's node alone.
      const copy = cloneNodeInfo(info);
      nodeInfoAddPod(copy, { pod: mkPod(99999, 100, true), key: "default/p99999", requests: podRequests(mkPod(99999, 100, true).spec) });
      expect(copy.requested.milliCPU).toBe(info.requested.milliCPU + 100);
      expect(info.requested.milliCPU).toBe(sum((r) => r.requests.milliCPU));
    }
  });
});

describe("NodeInfo taints and unschedulable", () => {
  it("follow the Node object the cache holds, and copies keep them", () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node);
    const info = cache.nodeInfo("n1")!;
    expect(info.taints).toBeUndefined();
    expect(info.unschedulable).toBe(false);
    const taints = [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" as const }];
    cache.upsertNode({ ...node, spec: { unschedulable: true, taints } });
    expect(cache.nodeInfo("n1")).toBe(info);
    expect(info.taints).toEqual(taints);
    expect(info.unschedulable).toBe(true);
    const copy = cloneNodeInfo(info);
    expect(copy.taints).toEqual(taints);
    expect(copy.unschedulable).toBe(true);
    cache.upsertNode(node);
    expect(info.taints).toBeUndefined();
    expect(info.unschedulable).toBe(false);
  });
});

describe("SchedulerCache change notifications of a pod's new object", () => {
  it("go to podUpdated where a listener has it, else as podRemoved(old) then podAdded(new)", () => {
    const cache = new SchedulerCache();
    cache.upsertNode(node);
    const seen: string[] = [];
    const base = {
      nodeAdded: () => {},
      nodeUpdated: () => {},
      nodeRemoved: () => {},
      podAdded: (_n: unknown, p: PodInfo) => seen.push(`added ${p.pod.metadata.resourceVersion}`),
      podRemoved: (_n: unknown, p: PodInfo) => seen.push(`removed ${p.pod.metadata.resourceVersion}`),
    };
    cache.subscribe(base);
    cache.subscribe({ ...base, podUpdated: (_n: unknown, a: PodInfo, b: PodInfo) => seen.push(`updated ${a.pod.metadata.resourceVersion}->${b.pod.metadata.resourceVersion}`) });
    cache.addPod(pod, "n1");
    expect(seen).toEqual(["added 1", "added 1"]);
    seen.length = 0;
    const running: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: "2" }, status: { phase: "Running" } };
    cache.addPod(running, "n1");
    expect(seen).toEqual(["removed 1", "added 2", "updated 1->2"]);
    expect(cache.nodeInfo("n1")!.pods.get("p-uid")!.pod).toBe(running);
  });
});
