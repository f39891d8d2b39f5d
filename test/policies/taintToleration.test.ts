/**
 * TaintToleration. Filter and Score rows marked "upstream" come from
 * pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go (TestTaintTolerationFilter,
 * TestTaintTolerationScore); the others are worked by hand. Score = number of the node's
 * PreferNoSchedule taints not tolerated by the pod's tolerations with an empty or PreferNoSchedule
 * effect; normalised with reverse: 100 − trunc(100 × s / max), all 100 when max = 0.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod, Taint, Toleration } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { TaintToleration, taintTolerationFactory } from "../../policies/scheduler/taintToleration.js";

function mkNode(name: string, taints: Taint[]): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { taints },
    status: { capacity: { cpu: "4", memory: "8Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  };
}

function mkPod(tolerations: Toleration[]): PodInfo {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "pod1", namespace: "default", uid: "pod1", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c" }], tolerations },
    status: { phase: "Pending" },
  };
  return { pod, key: "default/pod1", requests: podRequests(pod.spec) };
}

function infos(nodes: Node[]): NodeInfo[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  return nodes.map((n) => cache.nodeInfo(n.metadata.name)!);
}

const handle: FrameworkHandle = {
  nodes: [],
  nodeInfo: () => undefined,
  namespaceLabels: () => undefined,
  workloadSelectors: () => [],
  rng: new Rng(1, "test"),
  now: 0,
};

describe("TaintToleration Filter", () => {
  it.each<[string, Toleration[], Taint[], string | null]>([
    // upstream
    ["no tolerations, NoSchedule taint", [], [{ key: "dedicated", value: "user1", effect: "NoSchedule" }], "node(s) had untolerated taint {dedicated: user1}"],
    ["toleration equal key/value/effect (operator omitted)", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }], [{ key: "dedicated", value: "user1", effect: "NoSchedule" }], null],
    ["Equal with another value", [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }], [{ key: "dedicated", value: "user1", effect: "NoSchedule" }], "node(s) had untolerated taint {dedicated: user1}"],
    ["Exists tolerates any value", [{ key: "foo", operator: "Exists", effect: "NoSchedule" }], [{ key: "foo", value: "bar", effect: "NoSchedule" }], null],
    [
      "multiple taints all tolerated",
      [
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
        { key: "foo", operator: "Exists", effect: "NoSchedule" },
      ],
      [
        { key: "dedicated", value: "user2", effect: "NoSchedule" },
        { key: "foo", value: "bar", effect: "NoSchedule" },
      ],
      null,
    ],
    ["non-empty effect mismatch", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }], [{ key: "foo", value: "bar", effect: "NoSchedule" }], "node(s) had untolerated taint {foo: bar}"],
    ["empty toleration effect matches NoSchedule", [{ key: "foo", operator: "Equal", value: "bar" }], [{ key: "foo", value: "bar", effect: "NoSchedule" }], null],
    ["PreferNoSchedule taint never filters (mismatched toleration)", [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }], [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }], null],
    ["PreferNoSchedule taint never filters (no toleration)", [], [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }], null],
    // by hand
    ["no taints", [], [], null],
    ["NoExecute untolerated", [], [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }], "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"],
    ["NoExecute tolerated by Exists key", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }], null],
    ["toleration for NoSchedule does not cover NoExecute", [{ key: "k", operator: "Exists", effect: "NoSchedule" }], [{ key: "k", value: "v", effect: "NoExecute" }], "node(s) had untolerated taint {k: v}"],
    ["empty key + Exists tolerates everything", [{ operator: "Exists" }], [{ key: "a", value: "1", effect: "NoSchedule" }, { key: "b", effect: "NoExecute" }], null],
    [
      "first untolerated taint in node order is reported",
      [{ key: "a", operator: "Exists" }],
      [
        { key: "p", value: "x", effect: "PreferNoSchedule" },
        { key: "a", value: "1", effect: "NoSchedule" },
        { key: "b", value: "2", effect: "NoExecute" },
        { key: "c", value: "3", effect: "NoSchedule" },
      ],
      "node(s) had untolerated taint {b: 2}",
    ],
    ["Equal with no value matches a taint with no value", [{ key: "gpu", operator: "Equal", effect: "NoSchedule" }], [{ key: "gpu", effect: "NoSchedule" }], null],
    ["Equal with no value does not match a valued taint", [{ key: "gpu", effect: "NoSchedule" }], [{ key: "gpu", value: "true", effect: "NoSchedule" }], "node(s) had untolerated taint {gpu: true}"],
    ["key mismatch", [{ key: "other", operator: "Exists" }], [{ key: "gpu", value: "true", effect: "NoSchedule" }], "node(s) had untolerated taint {gpu: true}"],
  ])("%s", (_name, tolerations, taints, reason) => {
    const pl = new TaintToleration();
    const [ni] = infos([mkNode("nodeA", taints)]);
    const s = pl.filter(new CycleState(), mkPod(tolerations), ni);
    if (reason === null) expect(s.code).toBe("Success");
    else {
      expect(s.code).toBe("UnschedulableAndUnresolvable");
      expect(s.reasons).toEqual([reason]);
      expect(s.plugin).toBe("TaintToleration");
    }
  });
});

function scores(tolerations: Toleration[], taintsPerNode: Taint[][], runPreScore = true): number[] {
  const pl = new TaintToleration();
  const state = new CycleState();
  const pod = mkPod(tolerations);
  const nodes = infos(taintsPerNode.map((t, i) => mkNode(`node${i}`, t)));
  if (runPreScore) expect(pl.preScore(state, pod, nodes, handle).code).toBe("Success");
  const s = nodes.map((n) => pl.score(state, pod, n));
  // scoreAll, which the framework calls, gives the same raw scores as score node by node.
  const all = nodes.map(() => -1);
  pl.scoreAll(state, pod, nodes, all);
  expect(all).toEqual(s);
  pl.normalizeScore(state, pod, nodes, s);
  return s;
}

const PNS = "PreferNoSchedule" as const;

describe("TaintToleration Score", () => {
  it.each<[string, Toleration[], Taint[][], number[]]>([
    // upstream: raw [0, 1] → max 1 → [100 − 0, 100 − 100]
    ["tolerated taint beats intolerable one", [{ key: "foo", operator: "Equal", value: "bar", effect: PNS }], [[{ key: "foo", value: "bar", effect: PNS }], [{ key: "foo", value: "blah", effect: PNS }]], [100, 0]],
    // upstream: raw [0, 0, 0] → max 0 → all 100
    [
      "count of tolerated taints does not matter",
      [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: PNS },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: PNS },
      ],
      [[], [{ key: "cpu-type", value: "arm64", effect: PNS }], [{ key: "cpu-type", value: "arm64", effect: PNS }, { key: "disk-type", value: "ssd", effect: PNS }]],
      [100, 100, 100],
    ],
    // upstream: raw [0, 1, 2] → max 2 → [100, 100 − 50, 100 − 100]
    [
      "more intolerable taints, lower score",
      [{ key: "foo", operator: "Equal", value: "bar", effect: PNS }],
      [[], [{ key: "cpu-type", value: "arm64", effect: PNS }], [{ key: "cpu-type", value: "arm64", effect: PNS }, { key: "disk-type", value: "ssd", effect: PNS }]],
      [100, 50, 0],
    ],
    // upstream: NoSchedule tolerations are ignored, NoSchedule taints are not counted: raw [0, 0, 2] → [100, 100, 0]
    [
      "only PreferNoSchedule taints and tolerations count",
      [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "NoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "NoSchedule" },
      ],
      [[], [{ key: "cpu-type", value: "arm64", effect: "NoSchedule" }], [{ key: "cpu-type", value: "arm64", effect: PNS }, { key: "disk-type", value: "ssd", effect: PNS }]],
      [100, 100, 0],
    ],
    // upstream: raw [0, 1] → [100, 0]
    ["no tolerations: untainted node wins", [], [[], [{ key: "cpu-type", value: "arm64", effect: PNS }]], [100, 0]],
    // by hand: empty-effect toleration is collected and tolerates the PNS taint: raw [0, 1] → [100, 0]
    ["empty-effect toleration counts", [{ key: "a", operator: "Exists" }], [[{ key: "a", value: "1", effect: PNS }], [{ key: "b", value: "1", effect: PNS }]], [100, 0]],
    // by hand: Exists with empty key and PNS effect tolerates every PNS taint: raw [0, 0] → max 0 → all 100
    ["empty key Exists tolerates all PreferNoSchedule", [{ operator: "Exists", effect: PNS }], [[{ key: "a", effect: PNS }], [{ key: "b", effect: PNS }, { key: "c", effect: PNS }]], [100, 100]],
    // by hand: raw [3, 1, 0] → max 3 → 100 − 100 = 0, 100 − trunc(33.3) = 67, 100 − 0 = 100
    [
      "thirds",
      [],
      [[{ key: "a", effect: PNS }, { key: "b", effect: PNS }, { key: "c", effect: PNS }], [{ key: "a", effect: PNS }], []],
      [0, 67, 100],
    ],
    // by hand: NoExecute/NoSchedule taints are never counted: raw [0, 1] → [100, 0]
    ["hard taints ignored by Score", [], [[{ key: "x", effect: "NoExecute" }, { key: "y", effect: "NoSchedule" }], [{ key: "z", effect: PNS }]], [100, 0]],
  ])("%s", (_name, tolerations, taints, want) => {
    expect(scores(tolerations, taints)).toEqual(want);
  });

  it("computes the same without PreScore state", () => {
    // raw [0, 1, 2] → [100, 50, 0], as the upstream row above
    const tol: Toleration[] = [{ key: "foo", operator: "Equal", value: "bar", effect: PNS }];
    const taints: Taint[][] = [[], [{ key: "a", effect: PNS }], [{ key: "a", effect: PNS }, { key: "b", effect: PNS }]];
    expect(scores(tol, taints, false)).toEqual([100, 50, 0]);
  });

  it("raw score is the count of intolerable PreferNoSchedule taints", () => {
    const pl = new TaintToleration();
    const state = new CycleState();
    const pod = mkPod([{ key: "a", operator: "Exists", effect: "NoSchedule" }]); // not collected (effect NoSchedule)
    const [n] = infos([mkNode("n", [{ key: "a", effect: PNS }, { key: "b", effect: PNS }, { key: "c", effect: "NoSchedule" }])]);
    pl.preScore(state, pod, [n], handle);
    expect(pl.score(state, pod, n)).toBe(2); // a and b are PNS and untolerated; c is NoSchedule
  });
});

describe("taintTolerationFactory", () => {
  it("is named TaintToleration and creates the plugin", () => {
    expect(taintTolerationFactory.name).toBe("TaintToleration");
    const p = taintTolerationFactory.create(undefined);
    expect(p).toBeInstanceOf(TaintToleration);
    expect(p.name).toBe("TaintToleration");
  });
});
