/**
 * NodeUnschedulable. Rows marked "upstream" come from
 * pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go; the rest are worked
 * by hand: a cordoned node passes only pods whose tolerations tolerate
 * node.kubernetes.io/unschedulable:NoSchedule (toleration.go ToleratesTaint).
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod, Toleration } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { NodeUnschedulable, nodeUnschedulableFactory } from "../../policies/scheduler/nodeUnschedulable.js";

function nodeInfo(unschedulable: boolean | undefined): NodeInfo {
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n", uid: "n", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: unschedulable === undefined ? {} : { unschedulable },
    status: { capacity: { cpu: "4", memory: "8Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  };
  const cache = new SchedulerCache();
  cache.upsertNode(node);
  return cache.nodeInfo("n")!;
}

function podInfo(tolerations?: Toleration[]): PodInfo {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "p", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c" }], tolerations },
    status: { phase: "Pending" },
  };
  return { pod, key: "default/p", requests: podRequests(pod.spec) };
}

const KEY = "node.kubernetes.io/unschedulable";

describe("NodeUnschedulable Filter", () => {
  it.each<[string, boolean | undefined, Toleration[] | undefined, boolean]>([
    // upstream
    ["unschedulable node, no tolerations", true, undefined, false],
    ["schedulable node", false, undefined, true],
    ["unschedulable node, toleration key + NoSchedule (operator omitted = Equal, empty value)", true, [{ key: KEY, effect: "NoSchedule" }], true],
    // by hand
    ["spec.unschedulable unset", undefined, undefined, true],
    ["Exists on the key", true, [{ key: KEY, operator: "Exists" }], true],
    ["empty key + Exists tolerates everything", true, [{ operator: "Exists" }], true],
    ["empty effect matches NoSchedule", true, [{ key: KEY, operator: "Exists", effect: "" }], true],
    ["NoExecute toleration does not match", true, [{ key: KEY, operator: "Exists", effect: "NoExecute" }], false],
    ["PreferNoSchedule toleration does not match", true, [{ key: KEY, operator: "Exists", effect: "PreferNoSchedule" }], false],
    ["Equal with a value does not match the valueless taint", true, [{ key: KEY, operator: "Equal", value: "true", effect: "NoSchedule" }], false],
    ["other key", true, [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }], false],
    ["one of several tolerations matches", true, [{ key: "a", operator: "Exists" }, { key: KEY, operator: "Exists", effect: "NoSchedule" }], true],
  ])("%s", (_name, unschedulable, tolerations, pass) => {
    const s = new NodeUnschedulable().filter(new CycleState(), podInfo(tolerations), nodeInfo(unschedulable));
    if (pass) expect(s.code).toBe("Success");
    else {
      expect(s.code).toBe("UnschedulableAndUnresolvable");
      expect(s.reasons).toEqual(["node(s) were unschedulable"]);
      expect(s.plugin).toBe("NodeUnschedulable");
    }
  });

  it("factory is named NodeUnschedulable", () => {
    expect(nodeUnschedulableFactory.name).toBe("NodeUnschedulable");
    expect(nodeUnschedulableFactory.create(undefined)).toBeInstanceOf(NodeUnschedulable);
  });
});
