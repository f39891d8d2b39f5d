import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
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
