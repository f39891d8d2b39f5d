/**
 * NodeName. Rows marked "upstream" come from
 * pkg/scheduler/framework/plugins/nodename/node_name_test.go; the rest by hand: spec.nodeName empty
 * or equal to the node's name passes, anything else is UnschedulableAndUnresolvable.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { NodeName, nodeNameFactory } from "../../policies/scheduler/nodeName.js";

function nodeInfo(name: string): NodeInfo {
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { capacity: { cpu: "4", memory: "8Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  };
  const cache = new SchedulerCache();
  cache.upsertNode(node);
  return cache.nodeInfo(name)!;
}

function podInfo(nodeName?: string): PodInfo {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "p", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c" }], nodeName },
    status: { phase: "Pending" },
  };
  return { pod, key: "default/p", requests: podRequests(pod.spec) };
}

describe("NodeName Filter", () => {
  it.each<[string, string | undefined, string, boolean]>([
    // upstream
    ["no host specified", undefined, "", true],
    ["host matches", "foo", "foo", true],
    ["host doesn't match", "bar", "foo", false],
    // by hand
    ["empty nodeName passes any node", "", "foo", true],
    ["case-sensitive", "Foo", "foo", false],
    ["prefix is not a match", "foo", "foo-1", false],
  ])("%s", (_name, want, node, pass) => {
    const s = new NodeName().filter(new CycleState(), podInfo(want), nodeInfo(node));
    if (pass) expect(s.code).toBe("Success");
    else {
      expect(s.code).toBe("UnschedulableAndUnresolvable");
      expect(s.reasons).toEqual(["node(s) didn't match the requested node name"]);
      expect(s.plugin).toBe("NodeName");
    }
  });

  it("factory is named NodeName", () => {
    expect(nodeNameFactory.name).toBe("NodeName");
    expect(nodeNameFactory.create(undefined)).toBeInstanceOf(NodeName);
  });
});

describe("NodeName Filter, one instance across pods (its memo of the last pod)", () => {
  it("answers each pod by its own spec.nodeName, whatever the pod before asked", () => {
    const plugin = new NodeName();
    const [n1, n2] = [nodeInfo("n1"), nodeInfo("n2")];
    const state = new CycleState();
    const run = (pod: PodInfo): string[] => [n1, n2].map((n) => plugin.filter(state, pod, n).code);
    expect(run(podInfo("n1"))).toEqual(["Success", "UnschedulableAndUnresolvable"]);
    expect(run(podInfo("n2"))).toEqual(["UnschedulableAndUnresolvable", "Success"]);
    expect(run(podInfo(undefined))).toEqual(["Success", "Success"]);
    expect(run(podInfo("n1"))).toEqual(["Success", "UnschedulableAndUnresolvable"]);
  });
});
