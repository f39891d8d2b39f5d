/**
 * PodTopologySpread, checked against upstream's tables
 * (pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go TestPreFilterState,
 * TestPreFilterStateAddPod/RemovePod, TestSingleConstraint, TestMultipleConstraints;
 * scoring_test.go TestPreScoreSkip, TestPreScoreStateEmptyNodes, TestPodTopologySpreadScore), plus
 * hand-worked cases for the default constraints. Upstream's "node" topology key is a plain label;
 * its hostname cases use kubernetes.io/hostname. Every expected number has its arithmetic beside it.
 *
 * Notation (upstream's): "2/1/0/3" = matching pods per node (or zone) in order; "~3~" = a node
 * that is not a candidate (failed filtering); "?2?" = a candidate missing a required key.
 * ln2 = 0.693, ln3 = 1.099, ln4 = 1.386, ln5 = 1.609, ln6 = 1.792.
 */
import { describe, expect, it } from "vitest";
import type { LabelSelector, Node, Pod, Taint, Toleration, TopologySpreadConstraint } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type Code, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { FrameworkRunner, type Profile } from "../../sim/scheduler/scheduler.js";
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  LABEL_HOSTNAME as HOST,
  LABEL_TOPOLOGY_ZONE,
  PodTopologySpread,
  podTopologySpreadArgsSchema,
  podTopologySpreadFactory,
  PRE_FILTER_STATE_KEY,
  PRE_SCORE_STATE_KEY,
  PreFilterState,
  PreScoreState,
  topologyNormalizingWeight,
  type PodTopologySpreadArgs,
} from "../../policies/scheduler/podTopologySpread.js";

// ---------------------------------------------------------------------------------------------
// Fixtures

const DNS = "DoNotSchedule" as const;
const SA = "ScheduleAnyway" as const;

const exists = (...keys: string[]): LabelSelector => ({ matchExpressions: keys.map((key) => ({ key, operator: "Exists" as const })) });
const foo = exists("foo");
const bar = exists("bar");
/** Labels with empty values: lbl("foo", "bar") = {foo: "", bar: ""}. */
const lbl = (...keys: string[]): Record<string, string> => Object.fromEntries(keys.map((k) => [k, ""]));

function tsc(maxSkew: number, topologyKey: string, whenUnsatisfiable: typeof DNS | typeof SA, labelSelector?: LabelSelector, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable, ...(labelSelector ? { labelSelector } : {}), ...extra };
}

const unschedulableTaint: Taint[] = [{ key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" }];

function node(name: string, labels: Record<string, string>, taints?: Taint[]): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels },
    spec: taints ? { taints } : {},
    status: { capacity: { cpu: "32", memory: "64Gi", pods: 110 }, allocatable: { cpu: "32", memory: "64Gi", pods: 110 }, conditions: [] },
  };
}

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  node?: string;
  constraints?: TopologySpreadConstraint[];
  nodeSelector?: Record<string, string>;
  affinity?: { key: string; operator: "In" | "NotIn"; values: string[] };
  tolerations?: Toleration[];
  terminating?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const ns = o.ns ?? "default";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: ns,
      uid: `${ns}/${name}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: 0,
      labels: o.labels ?? {},
      ...(o.terminating ? { deletionTimestamp: 1 } : {}),
    },
    spec: {
      containers: [{ name: "c" }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.constraints ? { topologySpreadConstraints: o.constraints } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity
        ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [o.affinity] }] } } } }
        : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    },
    status: { phase: o.node ? "Running" : "Pending" },
  };
}

/** An existing pod bound to a node: on("node-a", "p-a1", lbl("foo")). */
const on = (nodeName: string, name: string, labels: Record<string, string>, o: PodOpts = {}): Pod => pod(name, { ...o, labels, node: nodeName });

function info(p: Pod): PodInfo {
  return { pod: p, key: `${p.metadata.namespace}/${p.metadata.name}`, requests: podRequests(p.spec) };
}

function cluster(nodes: Node[], pods: Pod[]): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const p of pods) cache.addPod(p, p.spec.nodeName!);
  return cache;
}

function handleFor(cache: SchedulerCache, workload: LabelSelector[] = []): FrameworkHandle {
  return {
    nodes: cache.nodes,
    nodeInfo: (name) => cache.nodeInfo(name),
    namespaceLabels: () => undefined,
    workloadSelectors: () => workload,
    rng: new Rng(1, "test"),
    now: 0,
  };
}

/** Four nodes in two zones, each also labelled with its name under the plain key "node". */
const zoneNodes = (): Node[] => [
  node("node-a", { zone: "zone1", node: "node-a" }),
  node("node-b", { zone: "zone1", node: "node-b" }),
  node("node-x", { zone: "zone2", node: "node-x" }),
  node("node-y", { zone: "zone2", node: "node-y" }),
];

// ---------------------------------------------------------------------------------------------
// PreFilter state

/** Critical paths as [[value, num], [value, num]], equal nums sorted by value (upstream's comparer). */
function pathsOf(s: PreFilterState, i: number): [string, number][] {
  const p = s.paths[i];
  const out: [string, number][] = [
    [p.value0, p.num0],
    [p.value1, p.num1],
  ];
  if (out[0][1] === out[1][1] && out[0][0] > out[1][0]) [out[0][0], out[1][0]] = [out[1][0], out[0][0]];
  return out;
}
const countsOf = (s: PreFilterState): Record<string, number>[] => s.counts.map((m) => Object.fromEntries(m));
const MAX_INT32 = 2147483647;

function preFilter(p: Pod, nodes: Node[], existing: Pod[], args: Partial<PodTopologySpreadArgs> = { defaultingType: "List" }, workload: LabelSelector[] = []) {
  const cache = cluster(nodes, existing);
  const plugin = new PodTopologySpread(args);
  const state = new CycleState();
  const result = plugin.preFilter(state, info(p), handleFor(cache, workload));
  return { cache, plugin, state, result, s: state.read<PreFilterState>(PRE_FILTER_STATE_KEY) };
}

describe("PreFilter state (filtering_test.go TestPreFilterState)", () => {
  const rows: {
    name: string;
    pod: Pod;
    nodes: Node[];
    existing: Pod[];
    counts: Record<string, number>[];
    paths: [string, number][][];
  }[] = [
    {
      // No pod has foo=bar: both zones 0.
      name: "clean cluster with one spreadConstraint",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(5, "zone", DNS, { matchLabels: { foo: "bar" } })] }),
      nodes: zoneNodes(),
      existing: [],
      counts: [{ zone1: 0, zone2: 0 }],
      paths: [[["zone1", 0], ["zone2", 0]]],
    },
    {
      // zone1 = a 2 + b 1 = 3; zone2 = y 2.
      name: "normal case with one spreadConstraint",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("foo"))],
      counts: [{ zone1: 3, zone2: 2 }],
      paths: [[["zone2", 2], ["zone1", 3]]],
    },
    {
      // A nil labelSelector matches nothing.
      name: "normal case with null label selector",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      counts: [{ zone1: 0, zone2: 0 }],
      paths: [[["zone1", 0], ["zone2", 0]]],
    },
    {
      // zone3 (node-o, node-p) has no pods: it is the minimum, 0.
      name: "normal case with one spreadConstraint, on a 3-zone cluster",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: [...zoneNodes(), node("node-o", { zone: "zone3", node: "node-o" }), node("node-p", { zone: "zone3", node: "node-p" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("foo"))],
      counts: [{ zone1: 3, zone2: 2, zone3: 0 }],
      paths: [[["zone3", 0], ["zone2", 2]]],
    },
    {
      // ns1/p-a2 and ns2/p-y1 are not counted: zone1 = 2, zone2 = 1.
      name: "namespace mismatch doesn't count",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [
        on("node-a", "p-a1", lbl("foo")),
        on("node-a", "p-a2", lbl("foo"), { ns: "ns1" }),
        on("node-b", "p-b1", lbl("foo")),
        on("node-y", "p-y1", lbl("foo"), { ns: "ns2" }),
        on("node-y", "p-y2", lbl("foo")),
      ],
      counts: [{ zone1: 2, zone2: 1 }],
      paths: [[["zone2", 1], ["zone1", 2]]],
    },
    {
      // zone: 2+1 = 3 / 0+4 = 4; node: a 2, b 1, x 0, y 4.
      name: "normal case with two spreadConstraints",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [
        on("node-a", "p-a1", lbl("foo")),
        on("node-a", "p-a2", lbl("foo")),
        on("node-b", "p-b1", lbl("foo")),
        ...[1, 2, 3, 4].map((i) => on("node-y", `p-y${i}`, lbl("foo"))),
      ],
      counts: [{ zone1: 3, zone2: 4 }, { "node-a": 2, "node-b": 1, "node-x": 0, "node-y": 4 }],
      paths: [
        [["zone1", 3], ["zone2", 4]],
        [["node-x", 0], ["node-b", 1]],
      ],
    },
    {
      // ScheduleAnyway constraints are not PreFilter's: only the two DoNotSchedule ones remain.
      name: "soft spreadConstraints should be bypassed",
      pod: pod("p", {
        labels: lbl("foo"),
        constraints: [tsc(1, "zone", SA, foo), tsc(1, "zone", DNS, foo), tsc(1, "node", SA, foo), tsc(1, "node", DNS, foo)],
      }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-y", { zone: "zone2", node: "node-y" })],
      existing: [
        on("node-a", "p-a1", lbl("foo")),
        on("node-a", "p-a2", lbl("foo")),
        on("node-b", "p-b1", lbl("foo")),
        ...[1, 2, 3, 4].map((i) => on("node-y", `p-y${i}`, lbl("foo"))),
      ],
      counts: [{ zone1: 3, zone2: 4 }, { "node-a": 2, "node-b": 1, "node-y": 4 }],
      paths: [
        [["zone1", 3], ["zone2", 4]],
        [["node-b", 1], ["node-a", 2]],
      ],
    },
    {
      // zone (foo): a1 + b0 = 1 / y 0; node (bar): a 0, b 1, y 0.
      name: "different labelSelectors - simple version",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-y", { zone: "zone2", node: "node-y" })],
      existing: [on("node-a", "p-a", lbl("foo")), on("node-b", "p-b", lbl("bar"))],
      counts: [{ zone1: 1, zone2: 0 }, { "node-a": 0, "node-b": 1, "node-y": 0 }],
      paths: [
        [["zone2", 0], ["zone1", 1]],
        [["node-a", 0], ["node-y", 0]],
      ],
    },
    {
      // NotIn node-x excludes node-x (honoured node affinity): node-x is not a domain.
      name: "two spreadConstraints, and with podAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "node", operator: "NotIn", values: ["node-x"] }, constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [
        on("node-a", "p-a1", lbl("foo")),
        on("node-a", "p-a2", lbl("foo")),
        on("node-b", "p-b1", lbl("foo")),
        ...[1, 2, 3, 4].map((i) => on("node-y", `p-y${i}`, lbl("foo"))),
      ],
      counts: [{ zone1: 3, zone2: 4 }, { "node-a": 2, "node-b": 1, "node-y": 4 }],
      paths: [
        [["zone1", 3], ["zone2", 4]],
        [["node-b", 1], ["node-a", 2]],
      ],
    },
    {
      // nodeSelector foo: node-c (no foo label) is excluded under the default Honor policy.
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", DNS, bar)] }),
      nodes: [node("node-a", { node: "node-a", foo: "" }), node("node-b", { node: "node-b", foo: "" }), node("node-c", { node: "node-c", bar: "" })],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-b", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-c", "p-d", {})],
      counts: [{ "node-a": 1, "node-b": 2 }],
      paths: [[["node-a", 1], ["node-b", 2]]],
    },
    {
      // nodeAffinityPolicy Ignore: node-c counts, with 0.
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", DNS, bar, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: [node("node-a", { node: "node-a", foo: "" }), node("node-b", { node: "node-b", foo: "" }), node("node-c", { node: "node-c", bar: "" })],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-b", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-c", "p-d", {})],
      counts: [{ "node-a": 1, "node-b": 2, "node-c": 0 }],
      paths: [[["node-c", 0], ["node-a", 1]]],
    },
    {
      // Required node affinity foo In [""] behaves like the nodeSelector.
      name: "NodeAffinityPolicy honored with nodeAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "In", values: [""] }, constraints: [tsc(1, "node", DNS, bar)] }),
      nodes: [node("node-a", { node: "node-a", foo: "" }), node("node-b", { node: "node-b", foo: "" }), node("node-c", { node: "node-c", bar: "" })],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-b", "p-d", lbl("bar")), on("node-c", "p-e", {})],
      counts: [{ "node-a": 1, "node-b": 2 }],
      paths: [[["node-a", 1], ["node-b", 2]]],
    },
    {
      // nodeTaintsPolicy defaults to Ignore: the tainted node-c counts.
      name: "NodeTaintsPolicy ignored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, bar)] }),
      nodes: [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" }), node("node-c", { node: "node-c", bar: "" }, unschedulableTaint)],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-b", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-c", "p-d", {})],
      counts: [{ "node-a": 1, "node-b": 2, "node-c": 0 }],
      paths: [[["node-c", 0], ["node-a", 1]]],
    },
    {
      // Honor: node-c's NoSchedule taint is not tolerated, so it is excluded.
      name: "NodeTaintsPolicy honored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, bar, { nodeTaintsPolicy: "Honor" })] }),
      nodes: [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" }), node("node-c", { node: "node-c", bar: "" }, unschedulableTaint)],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-b", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-c", "p-d", {})],
      counts: [{ "node-a": 1, "node-b": 2 }],
      paths: [[["node-a", 1], ["node-b", 2]]],
    },
    {
      // Honor, but the pod tolerates the taint: node-c counts again.
      name: "NodeTaintsPolicy honored with tolerated taints",
      pod: pod("p", {
        labels: lbl("foo"),
        tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists" }],
        constraints: [tsc(1, "node", DNS, bar, { nodeTaintsPolicy: "Honor" })],
      }),
      nodes: [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" }), node("node-c", { node: "node-c", bar: "" }, unschedulableTaint)],
      existing: [on("node-a", "p-a", lbl("bar")), on("node-b", "p-b", lbl("bar")), on("node-b", "p-c", lbl("bar")), on("node-c", "p-d", {})],
      counts: [{ "node-a": 1, "node-b": 2, "node-c": 0 }],
      paths: [[["node-c", 0], ["node-a", 1]]],
    },
    {
      // zone honours affinity (nodeSelector foo): node-b excluded → zone1 = a 0, zone2 = x 1.
      // node ignores it: a 0, b 2, x 1.
      name: "two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-x", { zone: "zone2", node: "node-x", foo: "" })],
      existing: [on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-x", "p-x1", lbl("foo"))],
      counts: [{ zone1: 0, zone2: 1 }, { "node-a": 0, "node-b": 2, "node-x": 1 }],
      paths: [
        [["zone1", 0], ["zone2", 1]],
        [["node-a", 0], ["node-x", 1]],
      ],
    },
    {
      // zone honours taints: tainted node-b excluded → zone1 0, zone2 1; node ignores them.
      name: "two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo, { nodeTaintsPolicy: "Honor" }), tsc(1, "node", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b" }, unschedulableTaint), node("node-x", { zone: "zone2", node: "node-x", foo: "" })],
      existing: [on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-x", "p-x1", lbl("foo"))],
      counts: [{ zone1: 0, zone2: 1 }, { "node-a": 0, "node-b": 2, "node-x": 1 }],
      paths: [
        [["zone1", 0], ["zone2", 1]],
        [["node-a", 0], ["node-x", 1]],
      ],
    },
    {
      // nodeSelector foo: a and y excluded from both → zone1 = b 0, zone2 = x 1; node b 0, x 1.
      name: "two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a" }),
        node("node-b", { zone: "zone1", node: "node-b", foo: "" }, unschedulableTaint),
        node("node-x", { zone: "zone2", node: "node-x", foo: "" }),
        node("node-y", { zone: "zone2", node: "node-y" }),
      ],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      counts: [{ zone1: 0, zone2: 1 }, { "node-b": 0, "node-x": 1 }],
      paths: [
        [["zone1", 0], ["zone2", 1]],
        [["node-b", 0], ["node-x", 1]],
      ],
    },
    {
      // zone ignores affinity and taints: zone1 = a 2 + b 0, zone2 = x 2 + y 1.
      // node honours both: a (no foo) and b (tainted) excluded → x 2, y 1.
      name: "two node inclusion Constraints, zone: ignore/ignore, node: honor/honor",
      pod: pod("p", {
        labels: lbl("foo"),
        nodeSelector: { foo: "" },
        constraints: [tsc(1, "zone", DNS, foo, { nodeAffinityPolicy: "Ignore" }), tsc(1, "node", DNS, foo, { nodeTaintsPolicy: "Honor" })],
      }),
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a" }),
        node("node-b", { zone: "zone1", node: "node-b", foo: "" }, unschedulableTaint),
        node("node-x", { zone: "zone2", node: "node-x", foo: "" }),
        node("node-y", { zone: "zone2", node: "node-y", foo: "" }),
      ],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-x", "p-x2", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      counts: [{ zone1: 2, zone2: 3 }, { "node-x": 2, "node-y": 1 }],
      paths: [
        [["zone1", 2], ["zone2", 3]],
        [["node-y", 1], ["node-x", 2]],
      ],
    },
    {
      // matchLabelKeys [bar] adds bar In ["a"]: only p-a2 and p-y1 (foo, bar=a) count.
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
      pod: pod("p", { labels: { foo: "", bar: "a" }, constraints: [tsc(1, "zone", DNS, foo, { matchLabelKeys: ["bar"] })] }),
      nodes: zoneNodes(),
      existing: [
        on("node-a", "p-a1", lbl("foo")),
        on("node-a", "p-a2", { foo: "", bar: "a" }),
        on("node-b", "p-b1", lbl("foo")),
        on("node-y", "p-y1", { foo: "", bar: "a" }),
        on("node-y", "p-y2", lbl("bar")),
      ],
      counts: [{ zone1: 1, zone2: 1 }],
      paths: [[["zone1", 1], ["zone2", 1]]],
    },
    {
      // labelSelector {} + matchLabelKeys [foo] = foo In ["a"]: zone1 = 2 + 1, zone2 = 2.
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
      pod: pod("p", { labels: { foo: "a" }, constraints: [tsc(1, "zone", DNS, {}, { matchLabelKeys: ["foo"] })] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", { foo: "a" }), on("node-a", "p-a2", { foo: "a" }), on("node-b", "p-b1", { foo: "a" }), on("node-y", "p-y1", { foo: "a" }), on("node-y", "p-y2", { foo: "a" })],
      counts: [{ zone1: 3, zone2: 2 }],
      paths: [[["zone2", 2], ["zone1", 3]]],
    },
    {
      // A nil labelSelector stays "nothing" even with matchLabelKeys.
      name: "key in matchLabelKeys is ignored when LabelSelector is nil",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, undefined, { matchLabelKeys: ["bar"] })] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", { foo: "a" }), on("node-y", "p-y1", { foo: "a" })],
      counts: [{ zone1: 0, zone2: 0 }],
      paths: [[["zone1", 0], ["zone2", 0]]],
    },
    {
      // The pod has no "bar" label, so matchLabelKeys adds nothing: plain foo, 3 / 2.
      name: "key in matchLabelKeys is ignored when it isn't exist in pod.labels",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo, { matchLabelKeys: ["bar"] })] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", { foo: "a" }), on("node-a", "p-a2", { foo: "a" }), on("node-b", "p-b1", { foo: "a" }), on("node-y", "p-y1", { foo: "a" }), on("node-y", "p-y2", { foo: "a" })],
      counts: [{ zone1: 3, zone2: 2 }],
      paths: [[["zone2", 2], ["zone1", 3]]],
    },
    {
      // Same key, different selectors: kept apart. foo: zone1 = a1 + b1 = 2, zone2 = y1 = 1;
      // bar: zone1 = a1 = 1, zone2 = x1 + y1 + y2 = 3.
      name: "two spreadConstraints with the same topologyKey",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "zone", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo", "bar")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("bar")), on("node-y", "p-y1", lbl("foo", "bar")), on("node-y", "p-y2", lbl("bar"))],
      counts: [{ zone1: 2, zone2: 1 }, { zone1: 1, zone2: 3 }],
      paths: [
        [["zone2", 1], ["zone1", 2]],
        [["zone1", 1], ["zone2", 3]],
      ],
    },
  ];

  it.each(rows)("$name", ({ pod: p, nodes, existing, counts, paths }) => {
    const { result, s } = preFilter(p, nodes, existing);
    expect(result.status.code).toBe("Success");
    expect(countsOf(s!)).toEqual(counts);
    expect(paths.map((_, i) => pathsOf(s!, i))).toEqual(paths);
  });

  it("skips a pod without constraints (List defaulting, no defaults)", () => {
    const { result, s } = preFilter(pod("p", { labels: lbl("foo") }), [node("node-a", { zone: "zone1" })], []);
    expect(result.status.code).toBe("Skip");
    expect(s).toBeUndefined();
  });

  it("default constraints and a service: the DoNotSchedule defaults with the service's selector", () => {
    // Defaults node/3/DNS, node/2/SA, rack/5/DNS; the Service selects foo=bar. No nodes: empty counts.
    const defaults = [tsc(3, "node", DNS), tsc(2, "node", SA), tsc(5, "rack", DNS)];
    const { result, s } = preFilter(pod("p", { labels: { foo: "bar", baz: "kar" } }), [], [], { defaultingType: "List", defaultConstraints: defaults }, [{ matchLabels: { foo: "bar" } }]);
    expect(result.status.code).toBe("Success");
    expect(s!.constraints.map((c) => [c.topologyKey, c.maxSkew])).toEqual([
      ["node", 3],
      ["rack", 5],
    ]);
    expect(s!.constraints.every((c) => c.selector.matches({ foo: "bar" }) && !c.selector.matches({ foo: "baz" }))).toBe(true);
    expect(countsOf(s!)).toEqual([{}, {}]);
    expect(pathsOf(s!, 0)).toEqual([
      ["", MAX_INT32],
      ["", MAX_INT32],
    ]);
  });

  it("default constraints and a service that doesn't match: Skip", () => {
    // workloadSelectors returns nothing for the pod → no default constraints.
    const { result } = preFilter(pod("p", { labels: { foo: "bar" } }), [], [], { defaultingType: "List", defaultConstraints: [tsc(3, "node", DNS)] }, []);
    expect(result.status.code).toBe("Skip");
  });

  it("default constraints and a service, but pod has constraints: the pod's own win", () => {
    const p = pod("p", { labels: { foo: "bar", baz: "tar" }, constraints: [tsc(1, "zone", DNS, { matchLabels: { baz: "tar" } }), tsc(2, "planet", SA, { matchLabels: { fot: "rok" } })] });
    const { s } = preFilter(p, [], [], { defaultingType: "List", defaultConstraints: [tsc(2, "node", DNS)] }, [{ matchLabels: { foo: "bar" } }]);
    expect(s!.constraints.map((c) => [c.topologyKey, c.maxSkew])).toEqual([["zone", 1]]);
  });

  it("default soft constraints and a service: nothing for PreFilter, Skip", () => {
    const { result } = preFilter(pod("p", { labels: { foo: "bar" } }), [], [], { defaultingType: "List", defaultConstraints: [tsc(2, "node", SA)] }, [{ matchLabels: { foo: "bar" } }]);
    expect(result.status.code).toBe("Skip");
  });

  it("system defaults are ScheduleAnyway only: PreFilter skips even for a selected pod", () => {
    const { result } = preFilter(pod("p", { labels: { app: "web" } }), [node("n1", { [HOST]: "n1" })], [], {}, [{ matchLabels: { app: "web" } }]);
    expect(result.status.code).toBe("Skip");
  });
});

// ---------------------------------------------------------------------------------------------
// AddPod / RemovePod (preemption dry runs)

describe("PreFilterExtensions AddPod (TestPreFilterStateAddPod)", () => {
  const nodeC = (p: PodOpts = {}) => pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo)], ...p });
  const zoneNodeC = (p: PodOpts = {}) => pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)], ...p });
  const ab = () => [node("node-a", { zone: "zone1", node: "node-a" }), node("node-b", { zone: "zone1", node: "node-b" })];
  const ax = () => [node("node-a", { zone: "zone1", node: "node-a" }), node("node-x", { zone: "zone2", node: "node-x" })];
  const rows: { name: string; preemptor: Pod; added: Pod; existing: Pod[]; nodes: Node[]; at: string; counts: Record<string, number>[]; paths: [string, number][][] }[] = [
    {
      // a 0→1; b stays 0 and becomes the minimum.
      name: "node a and b both impact current min match",
      preemptor: nodeC(),
      added: on("node-a", "p-a1", lbl("foo")),
      existing: [],
      nodes: ab(),
      at: "node-a",
      counts: [{ "node-a": 1, "node-b": 0 }],
      paths: [[["node-b", 0], ["node-a", 1]]],
    },
    {
      // a 0→1 = b 1.
      name: "only node a impacts current min match",
      preemptor: nodeC(),
      added: on("node-a", "p-a1", lbl("foo")),
      existing: [on("node-b", "p-b1", lbl("foo"))],
      nodes: ab(),
      at: "node-a",
      counts: [{ "node-a": 1, "node-b": 1 }],
      paths: [[["node-a", 1], ["node-b", 1]]],
    },
    {
      name: "add a pod in a different namespace doesn't change topologyKeyToMinPodsMap",
      preemptor: nodeC(),
      added: on("node-a", "p-a1", lbl("foo"), { ns: "ns1" }),
      existing: [on("node-b", "p-b1", lbl("foo"))],
      nodes: ab(),
      at: "node-a",
      counts: [{ "node-a": 0, "node-b": 1 }],
      paths: [[["node-a", 0], ["node-b", 1]]],
    },
    {
      name: "add pod on non-critical node won't trigger re-calculation",
      preemptor: nodeC(),
      added: on("node-b", "p-b2", lbl("foo")),
      existing: [on("node-b", "p-b1", lbl("foo"))],
      nodes: ab(),
      at: "node-b",
      counts: [{ "node-a": 0, "node-b": 2 }],
      paths: [[["node-a", 0], ["node-b", 2]]],
    },
    {
      name: "node a and x both impact topologyKeyToMinPodsMap on zone and node",
      preemptor: zoneNodeC(),
      added: on("node-a", "p-a1", lbl("foo")),
      existing: [],
      nodes: ax(),
      at: "node-a",
      counts: [{ zone1: 1, zone2: 0 }, { "node-a": 1, "node-x": 0 }],
      paths: [
        [["zone2", 0], ["zone1", 1]],
        [["node-x", 0], ["node-a", 1]],
      ],
    },
    {
      // zone1 2→3 (zone2 1 stays minimum); node a 0→1 ties x 1.
      name: "node a impacts topologyKeyToMinPodsMap on node, node x impacts topologyKeyToMinPodsMap on zone",
      preemptor: zoneNodeC(),
      added: on("node-a", "p-a1", lbl("foo")),
      existing: [on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-x", "p-x1", lbl("foo"))],
      nodes: [...ab(), node("node-x", { zone: "zone2", node: "node-x" })],
      at: "node-a",
      counts: [{ zone1: 3, zone2: 1 }, { "node-a": 1, "node-b": 2, "node-x": 1 }],
      paths: [
        [["zone2", 1], ["zone1", 3]],
        [["node-a", 1], ["node-x", 1]],
      ],
    },
    {
      // The pod has foo only: the zone (foo) constraint counts it, the node (bar) one does not.
      name: "Constraints hold different labelSelectors, node a impacts topologyKeyToMinPodsMap on zone",
      preemptor: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      added: on("node-a", "p-a1", lbl("foo")),
      existing: [on("node-b", "p-b1", lbl("foo", "bar")), on("node-x", "p-x1", lbl("foo", "bar")), on("node-x", "p-x2", lbl("bar"))],
      nodes: [...ab(), node("node-x", { zone: "zone2", node: "node-x" })],
      at: "node-a",
      counts: [{ zone1: 2, zone2: 1 }, { "node-a": 0, "node-b": 1, "node-x": 2 }],
      paths: [
        [["zone2", 1], ["zone1", 2]],
        [["node-a", 0], ["node-b", 1]],
      ],
    },
    {
      // node-a (foo=bar) fails the preemptor's NotIn [bar] affinity: it is not a domain, and adding there changes nothing.
      name: "add a pod when scheduling node affinity unmatched pod",
      preemptor: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "NotIn", values: ["bar"] }, constraints: [tsc(1, "zone", DNS, foo)] }),
      added: on("node-a", "p-a1", { foo: "", zone: "zone1" }),
      existing: [on("node-a", "p-a2", { foo: "", zone: "zone1" }), on("node-b", "p-b1", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }), node("node-b", { zone: "zone2", node: "node-b", foo: "" })],
      at: "node-a",
      counts: [{ zone2: 1 }],
      paths: [[["zone2", 1], ["", MAX_INT32]]],
    },
    {
      name: "add a pod when scheduling node affinity matched pod",
      preemptor: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      added: on("node-b", "p-b1", { foo: "", zone: "zone2" }),
      existing: [on("node-a", "p-a1", { foo: "", zone: "zone1" }), on("node-b", "p-b2", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }), node("node-b", { zone: "zone2", node: "node-b", foo: "" })],
      at: "node-b",
      counts: [{ zone1: 1, zone2: 2 }],
      paths: [[["zone1", 1], ["zone2", 2]]],
    },
    {
      name: "add a label selector not matched pod",
      preemptor: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      added: on("node-b", "p-b1", { zone: "zone2" }),
      existing: [on("node-a", "p-a1", { foo: "", zone: "zone1" }), on("node-b", "p-b2", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }), node("node-b", { zone: "zone2", node: "node-b", foo: "" })],
      at: "node-b",
      counts: [{ zone1: 1, zone2: 1 }],
      paths: [[["zone1", 1], ["zone2", 1]]],
    },
    {
      name: "add a pod when scheduling taint tolerated pod",
      preemptor: pod("p", { labels: lbl("foo"), tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists" }], constraints: [tsc(1, "zone", DNS, foo)] }),
      added: on("node-b", "p-b1", { foo: "", zone: "zone2" }),
      existing: [on("node-a", "p-a1", { foo: "", zone: "zone1" }), on("node-b", "p-b2", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }, unschedulableTaint), node("node-b", { zone: "zone2", node: "node-b" })],
      at: "node-b",
      counts: [{ zone1: 1, zone2: 2 }],
      paths: [[["zone1", 1], ["zone2", 2]]],
    },
  ];

  it.each(rows)("$name", ({ preemptor, added, existing, nodes, at, counts, paths }) => {
    const { cache, plugin, state } = preFilter(preemptor, nodes, existing);
    expect(plugin.addPod(state, info(preemptor), info(added), cache.nodeInfo(at)!).code).toBe("Success");
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!;
    expect(countsOf(s)).toEqual(counts);
    expect(paths.map((_, i) => pathsOf(s, i))).toEqual(paths);
  });
});

describe("PreFilterExtensions RemovePod (TestPreFilterStateRemovePod)", () => {
  const zoneC = () => pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] });
  const rows: { name: string; preemptor: Pod; removed: Pod; existing: Pod[]; nodes: Node[]; at: string; counts: Record<string, number>[]; paths: [string, number][][] }[] = [
    {
      // zone1 2→1 = zone2 1.
      name: "one spreadConstraint on zone, topologyKeyToMinPodsMap unchanged",
      preemptor: zoneC(),
      removed: on("node-a", "p-a1", lbl("foo")),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("foo"))],
      nodes: zoneNodes().slice(0, 3),
      at: "node-a",
      counts: [{ zone1: 1, zone2: 1 }],
      paths: [[["zone1", 1], ["zone2", 1]]],
    },
    {
      // zone1 2→1 becomes the minimum under zone2 2.
      name: "one spreadConstraint on node, topologyKeyToMinPodsMap changed",
      preemptor: zoneC(),
      removed: on("node-a", "p-a1", lbl("foo")),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      nodes: zoneNodes(),
      at: "node-a",
      counts: [{ zone1: 1, zone2: 2 }],
      paths: [[["zone1", 1], ["zone2", 2]]],
    },
    {
      name: "delete an irrelevant pod won't help",
      preemptor: zoneC(),
      removed: on("node-a", "p-a0", lbl("bar")),
      existing: [on("node-a", "p-a0", lbl("bar")), on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      nodes: zoneNodes(),
      at: "node-a",
      counts: [{ zone1: 2, zone2: 2 }],
      paths: [[["zone1", 2], ["zone2", 2]]],
    },
    {
      // zone: 3 / 2→1; node: x 2→1 ties b 1.
      name: "two spreadConstraints",
      preemptor: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      removed: on("node-x", "p-x1", lbl("foo")),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-x", "p-x2", lbl("foo"))],
      nodes: zoneNodes().slice(0, 3),
      at: "node-x",
      counts: [{ zone1: 3, zone2: 1 }, { "node-a": 2, "node-b": 1, "node-x": 1 }],
      paths: [
        [["zone2", 1], ["zone1", 3]],
        [["node-b", 1], ["node-x", 1]],
      ],
    },
    {
      // The removed pod is matched and node-b counts, so zone2 1→0 (RemovePod does not check the pod was there).
      name: "remove a pod when scheduling node affinity matched pod",
      preemptor: zoneC(),
      removed: on("node-b", "p-b1", { foo: "", zone: "zone2" }),
      existing: [on("node-a", "p-a1", { foo: "", zone: "zone1" }), on("node-b", "p-b2", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }), node("node-b", { zone: "zone2", node: "node-b", foo: "" })],
      at: "node-b",
      counts: [{ zone1: 1, zone2: 0 }],
      paths: [[["zone2", 0], ["zone1", 1]]],
    },
    {
      name: "remove a pod when scheduling node affinity unmatched pod",
      preemptor: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "NotIn", values: ["bar"] }, constraints: [tsc(1, "zone", DNS, foo)] }),
      removed: on("node-a", "p-a1", { foo: "", zone: "zone1" }),
      existing: [on("node-a", "p-a2", { foo: "", zone: "zone1" }), on("node-b", "p-b1", { foo: "", zone: "zone2" })],
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }), node("node-b", { zone: "zone2", node: "node-b", foo: "" })],
      at: "node-a",
      counts: [{ zone2: 1 }],
      paths: [[["zone2", 1], ["", MAX_INT32]]],
    },
  ];

  it.each(rows)("$name", ({ preemptor, removed, existing, nodes, at, counts, paths }) => {
    const { cache, plugin, state } = preFilter(preemptor, nodes, existing);
    expect(plugin.removePod(state, info(preemptor), info(removed), cache.nodeInfo(at)!).code).toBe("Success");
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!;
    expect(countsOf(s)).toEqual(counts);
    expect(paths.map((_, i) => pathsOf(s, i))).toEqual(paths);
  });

  it("a cloned state is changed independently of the original (preemption copies it per node)", () => {
    // node constraint: a 1, b 0 (min 0). In the clone, remove a's pod and add two on b: a 0, b 2.
    const preemptor = pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo)] });
    const existing = [on("node-a", "p-a1", lbl("foo"))];
    const { cache, plugin, state } = preFilter(preemptor, zoneNodes().slice(0, 2), existing);
    const copy = state.clone();
    plugin.removePod(copy, info(preemptor), info(existing[0]), cache.nodeInfo("node-a")!);
    plugin.addPod(copy, info(preemptor), info(on("node-b", "p-b1", lbl("foo"))), cache.nodeInfo("node-b")!);
    plugin.addPod(copy, info(preemptor), info(on("node-b", "p-b2", lbl("foo"))), cache.nodeInfo("node-b")!);
    expect(countsOf(copy.read<PreFilterState>(PRE_FILTER_STATE_KEY)!)).toEqual([{ "node-a": 0, "node-b": 2 }]);
    expect(countsOf(state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!)).toEqual([{ "node-a": 1, "node-b": 0 }]);
    // Original: a 1+1−0 = 2 > 1 fails; clone: a 0+1−0 = 1 passes, b 2+1−0 = 3 fails.
    expect(plugin.filter(state, info(preemptor), cache.nodeInfo("node-a")!).code).toBe("Unschedulable");
    expect(plugin.filter(copy, info(preemptor), cache.nodeInfo("node-a")!).code).toBe("Success");
    expect(plugin.filter(copy, info(preemptor), cache.nodeInfo("node-b")!).code).toBe("Unschedulable");
  });

  it("does nothing (and succeeds) when PreFilter skipped", () => {
    const plugin = new PodTopologySpread();
    const cache = cluster([node("n", {})], []);
    const p = pod("p");
    expect(plugin.addPod(new CycleState(), info(p), info(on("n", "q", {})), cache.nodeInfo("n")!).code).toBe("Success");
  });
});

// ---------------------------------------------------------------------------------------------
// Filter

function filterCodes(p: Pod, nodes: Node[], existing: Pod[]): Record<string, Code> {
  const { cache, plugin, state, result } = preFilter(p, nodes, existing);
  expect(result.status.code).toBe("Success");
  return Object.fromEntries(cache.nodes.map((n) => [n.name, plugin.filter(state, info(p), n).code]));
}

const S = "Success" as const;
const U = "Unschedulable" as const;
const UU = "UnschedulableAndUnresolvable" as const;

describe("Filter, one constraint (filtering_test.go TestSingleConstraint)", () => {
  const spread2103 = () => [
    on("node-a", "p-a1", lbl("foo")),
    on("node-a", "p-a2", lbl("foo")),
    on("node-b", "p-b1", lbl("foo")),
    on("node-y", "p-y1", lbl("foo")),
    on("node-y", "p-y2", lbl("foo")),
    on("node-y", "p-y3", lbl("foo")),
  ];
  const threeNodes = () => [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" }), node("node-c", { node: "node-c" })];
  const spread221 = () => [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-c", "p-c1", lbl("foo"))];
  const fooNodes = () => [node("node-a", { node: "node-a", foo: "" }), node("node-b", { node: "node-b", foo: "" }), node("node-x", { node: "node-x", foo: "" }), node("node-y", { node: "node-y" })];
  const spread1101 = () => [on("node-a", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-y", "p-y1", lbl("foo"))];

  const rows: { name: string; pod: Pod; nodes: Node[]; existing: Pod[]; want: Record<string, Code> }[] = [
    {
      // All zones 0; 0 + 1 − 0 = 1 ≤ 1.
      name: "no existing pods",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [],
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      // selfMatch 0: 0 + 0 − 0 = 0.
      name: "no existing pods, incoming pod doesn't match itself",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [],
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      // zone1 = 0 (other namespaces), zone2 = 2: zone2 2 + 1 − 0 = 3 > 1.
      name: "existing pods in a different namespace do not count",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo"), { ns: "ns1" }), on("node-a", "p-b1", lbl("foo"), { ns: "ns2" }), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
    },
    {
      // Nil selector: nothing counts, 0 + 0 − 0.
      name: "existing pods do not match null selector",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS)] }),
      nodes: zoneNodes(),
      existing: [on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      // 3/3: 3 + 1 − 3 = 1 everywhere.
      name: "pods spread across zones as 3/3, all nodes fit",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: spread2103(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      // node-b has "zon", not "zone": unresolvable, and its pod is not counted. zone1 = 1, zone2 = 2:
      // zone2 2 + 1 − 1 = 2 > 1.
      name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }), node("node-b", { zon: "zone1", node: "node-b" }), node("node-x", { zone: "zone2", node: "node-x" }), node("node-y", { zone: "zone2", node: "node-y" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": S, "node-b": UU, "node-x": U, "node-y": U },
    },
    {
      name: "pod cannot be scheduled as all nodes don't have label 'rack'",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "rack", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }), node("node-x", { zone: "zone2", node: "node-x" })],
      existing: [],
      want: { "node-a": UU, "node-x": UU },
    },
    {
      // 2/1/0/3, min 0: a 3, b 2, x 1, y 4 → only x ≤ 1.
      name: "pods spread across nodes as 2/1/0/3, only node-x fits",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // maxSkew 2: a 3, b 2, x 1, y 4 → b and x.
      name: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      // selfMatch 0: a 2, b 1, x 0, y 3 → b and x.
      name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
      pod: pod("p", { labels: lbl("bar"), constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      // Affinity keeps a (2) and y (3): min 2. a 2+1−2 = 1; b, x not domains: 0+1−2 < 1; y 3+1−2 = 2.
      name: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "node", operator: "In", values: ["node-a", "node-y"] }, constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: spread2103(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      // The terminating pod on a is not counted: a 0+1−0 = 1, b 1+1−0 = 2.
      name: "terminating Pods should be excluded",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" })],
      existing: [on("node-a", "p-a", lbl("foo"), { terminating: true }), on("node-b", "p-b", lbl("foo"))],
      want: { "node-a": S, "node-b": U },
    },
    {
      // node-b excluded by affinity: zone1 = 0, zone2 = 1. zone1 nodes 1, zone2 nodes 2.
      name: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "node", operator: "NotIn", values: ["node-b"] }, constraints: [tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
    },
    {
      // 3 domains < minDomains 4 → min 0: a 2+1 = 3 > 2, b 3, c 1+1 = 2.
      name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "node", DNS, foo, { minDomains: 4 })] }),
      nodes: threeNodes(),
      existing: spread221(),
      want: { "node-a": U, "node-b": U, "node-c": S },
    },
    {
      // 3 domains ≥ minDomains 2 → min 1: a 2+1−1 = 2 ≤ 2.
      name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "node", DNS, foo, { minDomains: 2 })] }),
      nodes: threeNodes(),
      existing: spread221(),
      want: { "node-a": S, "node-b": S, "node-c": S },
    },
    {
      // zones 2/1, 2 domains < 3 → min 0: zone1 2+1 = 3 > 2, zone2 1+1 = 2.
      name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "zone", DNS, foo, { minDomains: 3 })] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      // minDomains 1 ≤ 2 → min 1: zone1 2+1−1 = 2 ≤ 2.
      name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "zone", DNS, foo, { minDomains: 1 })] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      // 1/1/0/~0~ (y lacks foo): min 0 → a, b 2 > 1; x 1; y not a domain: 0+1−0 = 1.
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: fooNodes(),
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      // 1/1/0/1 with y counted: y 1+1−0 = 2 > 1.
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", DNS, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: fooNodes(),
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      name: "NodeAffinityPolicy honored with nodeAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "In", values: [""] }, constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: fooNodes(),
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeAffinityPolicy ignored with nodeAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "In", values: [""] }, constraints: [tsc(1, "node", DNS, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: fooNodes(),
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // Tainted y excluded: 1/1/0/~0~ as above.
      name: "NodeTaintsPolicy honored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo, { nodeTaintsPolicy: "Honor" })] }),
      nodes: [...fooNodes().slice(0, 3), node("node-y", { node: "node-y" }, unschedulableTaint)],
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeTaintsPolicy ignored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", DNS, foo)] }),
      nodes: [...fooNodes().slice(0, 3), node("node-y", { node: "node-y" }, unschedulableTaint)],
      existing: spread1101(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
  ];

  it.each(rows)("$name", ({ pod: p, nodes, existing, want }) => {
    expect(filterCodes(p, nodes, existing)).toEqual(want);
  });

  it("uses upstream's reasons", () => {
    const p = pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo)] });
    const { cache, plugin, state } = preFilter(p, [node("a", { zone: "z1" }), node("b", { zon: "z1" }), node("c", { zone: "z2" })], [on("a", "q", lbl("foo"))]);
    const a = plugin.filter(state, info(p), cache.nodeInfo("a")!);
    const b = plugin.filter(state, info(p), cache.nodeInfo("b")!);
    expect(a).toMatchObject({ code: "Unschedulable", reasons: [ERR_REASON_CONSTRAINTS_NOT_MATCH], plugin: "PodTopologySpread" });
    expect(b).toMatchObject({ code: "UnschedulableAndUnresolvable", reasons: [ERR_REASON_NODE_LABEL_NOT_MATCH], plugin: "PodTopologySpread" });
    expect(ERR_REASON_NODE_LABEL_NOT_MATCH).toBe("node(s) didn't match pod topology spread constraints (missing required label)");
    // Filter allocates nothing: the same status object every time.
    expect(plugin.filter(state, info(p), cache.nodeInfo("a")!)).toBe(a);
  });

  it("returns an error status when PreFilter did not run (TestPreFilterDisabled)", () => {
    const plugin = new PodTopologySpread({ defaultingType: "List" });
    const cache = cluster([node("n", {})], []);
    expect(plugin.filter(new CycleState(), info(pod("p")), cache.nodeInfo("n")!).code).toBe("Error");
  });
});

describe("Filter, several constraints (filtering_test.go TestMultipleConstraints)", () => {
  const rows: { name: string; pod: Pod; nodes: Node[]; existing: Pod[]; want: Record<string, Code> }[] = [
    {
      // zone 3/3 (all 1); node 2/1/0/3 (a 3, b 2, x 1, y 4) → x.
      name: "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), ...[1, 2, 3].map((i) => on("node-y", `p-y${i}`, lbl("foo")))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // zone 3/4: zone2 4+1−3 = 2 fails x, y; node: a 3, b 2 fail → none.
      name: "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), ...[1, 2, 3, 4].map((i) => on("node-y", `p-y${i}`, lbl("foo")))],
      want: { "node-a": U, "node-b": U, "node-x": U, "node-y": U },
    },
    {
      // foo zones 1/0 → zone2 only; bar nodes 0/0/0/1 → a, b, x → x.
      name: "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-y", "p-y1", lbl("bar"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // foo zones 1/0 → zone2; bar nodes 0/0/1/1 → a, b → none.
      name: "Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-x", "p-x1", lbl("bar")), on("node-y", "p-y1", lbl("bar"))],
      want: { "node-a": U, "node-b": U, "node-x": U, "node-y": U },
    },
    {
      // foo zones 2/3 (min 2) → zone1; bar nodes 1/0/0/1 → b, x → b.
      name: "Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-a", "p-a2", lbl("foo", "bar")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("foo", "bar")), on("node-y", "p-y3", lbl("foo"))],
      want: { "node-a": U, "node-b": S, "node-x": U, "node-y": U },
    },
    {
      // The pod lacks foo: zone skew 1+0−0 ≤ 1 anywhere; bar nodes 0/0/1/1 → a, b.
      name: "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint",
      pod: pod("p", { labels: lbl("bar"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, bar)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-x", "p-x1", lbl("bar")), on("node-y", "p-y1", lbl("bar"))],
      want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
    },
    {
      // node-x lacks "node": unresolvable and excluded. zone 1/1 → all; node a 1, b 0, y 1 → b.
      name: "two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, 1/0/0/1]",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-x", { zone: "zone2" }), node("node-y", { zone: "zone2", node: "node-y" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-y", "p-y3", lbl("foo"))],
      want: { "node-a": U, "node-b": S, "node-x": UU, "node-y": U },
    },
    {
      // zone honours the foo nodeSelector: 2/~0~ → zone1 3, zone2 1; node ignores it: 1/1/0/1 → x.
      name: "two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b", foo: "" }), node("node-x", { zone: "zone2", node: "node-x", foo: "" }), node("node-y", { zone: "zone2", node: "node-y" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // zone honours taints: tainted y out → 2/0; node counts y: 1/1/0/1 → x.
      name: "two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", DNS, foo, { nodeTaintsPolicy: "Honor" }), tsc(1, "node", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b", foo: "" }), node("node-x", { zone: "zone2", node: "node-x", foo: "" }), node("node-y", { zone: "zone2", node: "node-y" }, unschedulableTaint)],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // nodeSelector foo drops b from both: zone 1/1 → all; node a 1, x 0, y 1 (b not a domain) → b, x.
      name: "two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "zone", DNS, foo), tsc(1, "node", DNS, foo)] }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-x", { zone: "zone2", node: "node-x", foo: "" }), node("node-y", { zone: "zone2", node: "node-y", foo: "" }, unschedulableTaint)],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      // zone honours both: b (no foo) and y (tainted) out → 1/0 → zone2; node ignores both: 1/1/0/1 → x.
      name: "two node inclusion Constraints, zone: honor/honor, node: ignore/ignore",
      pod: pod("p", {
        labels: lbl("foo"),
        nodeSelector: { foo: "" },
        constraints: [tsc(1, "zone", DNS, foo, { nodeTaintsPolicy: "Honor" }), tsc(1, "node", DNS, foo, { nodeAffinityPolicy: "Ignore" })],
      }),
      nodes: [node("node-a", { zone: "zone1", node: "node-a", foo: "" }), node("node-b", { zone: "zone1", node: "node-b" }), node("node-x", { zone: "zone2", node: "node-x", foo: "" }), node("node-y", { zone: "zone2", node: "node-y", foo: "" }, unschedulableTaint)],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-y", "p-y1", lbl("foo"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      // bar zones 2/1 → zone2; foo zones 3/3 → all → x, y.
      name: "two Constraints on zone, spreads = [3/3, 2/1]",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, bar), tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [on("node-a", "p-a1", lbl("foo", "bar")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("foo", "bar")), on("node-y", "p-y3", lbl("foo"))],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      // bar 2/1 → zone2; foo 3/4 → zone1 → none.
      name: "two Constraints on zone, spreads = [3/4, 2/1]",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", DNS, bar), tsc(1, "zone", DNS, foo)] }),
      nodes: zoneNodes(),
      existing: [
        on("node-a", "p-a1", lbl("foo", "bar")),
        on("node-a", "p-a2", lbl("foo")),
        on("node-b", "p-b1", lbl("foo", "bar")),
        on("node-y", "p-y1", lbl("foo")),
        on("node-y", "p-y2", lbl("foo", "bar")),
        on("node-y", "p-y3", lbl("foo")),
        on("node-y", "p-y4", lbl("foo")),
      ],
      want: { "node-a": U, "node-b": U, "node-x": U, "node-y": U },
    },
  ];

  it.each(rows)("$name", ({ pod: p, nodes, existing, want }) => {
    expect(filterCodes(p, nodes, existing)).toEqual(want);
  });
});

// ---------------------------------------------------------------------------------------------
// PreScore state and scores

function preScore(p: Pod, candidates: Node[], failed: Node[], existing: Pod[], args: Partial<PodTopologySpreadArgs> = { defaultingType: "System" }, workload: LabelSelector[] = []) {
  const cache = cluster([...candidates, ...failed], existing);
  const plugin = new PodTopologySpread(args);
  const state = new CycleState();
  const nodes: NodeInfo[] = candidates.map((n) => cache.nodeInfo(n.metadata.name)!);
  const status = plugin.preScore(state, info(p), nodes, handleFor(cache, workload));
  return { plugin, state, nodes, status, s: state.read<PreScoreState>(PRE_SCORE_STATE_KEY) };
}

function scores(p: Pod, candidates: Node[], failed: Node[], existing: Pod[], args?: Partial<PodTopologySpreadArgs>, workload?: LabelSelector[]): Record<string, number> {
  const { plugin, state, nodes, status } = preScore(p, candidates, failed, existing, args, workload);
  expect(status.code).toBe("Success");
  const list = nodes.map((n) => plugin.score(state, info(p), n));
  // scoreAll gives Score's numbers, over PreScore's candidates and over any other node list.
  const all: number[] = [];
  plugin.scoreAll(state, info(p), nodes, all);
  expect(all).toEqual(list);
  const reversed = [...nodes].reverse();
  plugin.scoreAll(state, info(p), reversed, all);
  expect(all).toEqual([...list].reverse());
  plugin.normalizeScore(state, info(p), nodes, list);
  return Object.fromEntries(nodes.map((n, i) => [n.name, list[i]]));
}

describe("PreScore skips (scoring_test.go TestPreScoreSkip)", () => {
  it("the pod doesn't have soft topology spread constraints", () => {
    const { status } = preScore(pod("p"), [node("node-a", { [HOST]: "node-a" }), node("node-b", { [HOST]: "node-b" })], [], [], { defaultingType: "List" });
    expect(status.code).toBe("Skip");
  });

  it("default constraints and a replicaset that doesn't match", () => {
    // No workload selects the pod.
    const { status } = preScore(pod("p", { labels: { foo: "bar", baz: "sup" } }), [node("node-a", { planet: "mars" })], [], [], { defaultingType: "List", defaultConstraints: [tsc(2, "planet", SA)] }, []);
    expect(status.code).toBe("Skip");
  });

  it("system defaults without a selecting Service or ReplicaSet", () => {
    const { status } = preScore(pod("p", { labels: { app: "web" } }), [node("n1", { [HOST]: "n1", [LABEL_TOPOLOGY_ZONE]: "z1" })], [], []);
    expect(status.code).toBe("Skip");
  });

  it("a workload selector without requirements gives an empty default selector: Skip", () => {
    const { status } = preScore(pod("p", { labels: { app: "web" } }), [node("n1", { [HOST]: "n1" })], [], [], {}, [{}]);
    expect(status.code).toBe("Skip");
  });
});

describe("PreScore state (scoring_test.go TestPreScoreStateEmptyNodes)", () => {
  const abx = (xLabels: Record<string, string> = { zone: "zone2", [HOST]: "node-x" }) => [
    node("node-a", { zone: "zone1", [HOST]: "node-a" }),
    node("node-b", { zone: "zone1", [HOST]: "node-b" }),
    node("node-x", xLabels),
  ];
  const view = (s: PreScoreState) => ({
    constraints: s.constraints.map((c) => [c.topologyKey, c.maxSkew]),
    ignored: [...s.ignoredNodes],
    counts: s.counts.map((m) => Object.fromEntries(m)),
    weights: s.weights,
  });

  it("normal case: zone weight ln(2 zones + 2), hostname weight ln(3 nodes + 2)", () => {
    const { s } = preScore(pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, foo)] }), abx(), [], [], { defaultingType: "List" });
    expect(view(s!)).toEqual({
      constraints: [
        ["zone", 1],
        [HOST, 1],
      ],
      ignored: [],
      counts: [{ zone1: 0, zone2: 0 }, {}],
      weights: [topologyNormalizingWeight(2), topologyNormalizingWeight(3)],
    });
    expect(s!.weights[0]).toBeCloseTo(Math.log(4), 12); // ln 4 = 1.386
  });

  it("node-x doesn't have label zone: ignored; hostname weight ln(3 − 1 + 2)", () => {
    const { s } = preScore(pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, bar)] }), abx({ [HOST]: "node-x" }), [], [], { defaultingType: "List" });
    expect(view(s!)).toEqual({
      constraints: [
        ["zone", 1],
        [HOST, 1],
      ],
      ignored: ["node-x"],
      counts: [{ zone1: 0 }, {}],
      weights: [topologyNormalizingWeight(1), topologyNormalizingWeight(2)],
    });
  });

  it("system default constraints and a replicaset: nodes without a zone are a zone of their own (\"\")", () => {
    const nodes = [
      node("node-a", { [HOST]: "node-a", [LABEL_TOPOLOGY_ZONE]: "mars" }),
      node("node-b", { [HOST]: "node-b", [LABEL_TOPOLOGY_ZONE]: "mars" }),
      node("node-c", { [HOST]: "node-c" }),
      node("node-d", { [HOST]: "node-d" }),
    ];
    const { s } = preScore(pod("p", { labels: { foo: "tar", baz: "sup" } }), nodes, [], [], { defaultingType: "System" }, [foo]);
    // hostname: 4 candidates → ln 6; zone: {mars, ""} → ln 4.
    expect(view(s!)).toEqual({
      constraints: [
        [HOST, 3],
        [LABEL_TOPOLOGY_ZONE, 5],
      ],
      ignored: [],
      counts: [{}, { mars: 0, "": 0 }],
      weights: [topologyNormalizingWeight(4), topologyNormalizingWeight(2)],
    });
  });

  it("default constraints (List) and a replicaset: the ScheduleAnyway ones, with the replicaset's selector", () => {
    const defaults = [tsc(1, HOST, SA), tsc(2, "rack", DNS), tsc(2, "planet", SA)];
    const { s } = preScore(pod("p", { labels: { foo: "tar", baz: "sup" } }), [node("node-a", { rack: "rack1", [HOST]: "node-a", planet: "mars" })], [], [], { defaultingType: "List", defaultConstraints: defaults }, [foo]);
    expect(view(s!)).toEqual({
      constraints: [
        [HOST, 1],
        ["planet", 2],
      ],
      ignored: [],
      counts: [{}, { mars: 0 }],
      weights: [topologyNormalizingWeight(1), topologyNormalizingWeight(1)],
    });
    expect(s!.constraints[1].selector.matches({ foo: "x" })).toBe(true);
  });

  it("default constraints and a replicaset, but pod has constraints", () => {
    const p = pod("p", { labels: { foo: "bar", baz: "sup" }, constraints: [tsc(1, "zone", DNS, bar), tsc(2, "planet", SA, { matchLabels: { baz: "sup" } })] });
    const { s } = preScore(p, [node("node-a", { planet: "mars", galaxy: "andromeda" })], [], [], { defaultingType: "List", defaultConstraints: [tsc(2, "galaxy", SA)] }, [foo]);
    expect(view(s!)).toEqual({ constraints: [["planet", 2]], ignored: [], counts: [{ mars: 0 }], weights: [topologyNormalizingWeight(1)] });
  });

  it("a non-candidate node's pods count only if it shares a candidate's domain", () => {
    // Candidates in zone1; node-x (zone2) failed: zone2 is not a key of the counts.
    const p = pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo)] });
    const { s } = preScore(p, abx().slice(0, 2), [abx()[2]], [on("node-a", "a1", lbl("foo")), on("node-x", "x1", lbl("foo"))], { defaultingType: "List" });
    expect(view(s!).counts).toEqual([{ zone1: 1 }]);
  });
});

describe("Score + NormalizeScore (scoring_test.go TestPodTopologySpreadScore)", () => {
  const hostNodes = (...names: string[]) => names.map((n) => node(n, { [HOST]: n }));
  const put = (spread: Record<string, number>, labels: Record<string, string> = lbl("foo")): Pod[] =>
    Object.entries(spread).flatMap(([n, k]) => Array.from({ length: k }, (_, i) => on(n, `p-${n}-${i}`, labels)));
  /** A hostname ScheduleAnyway constraint; `null` selector = a nil labelSelector. */
  const hostC = (maxSkew = 1, selector: LabelSelector | null = foo) => pod("p", { labels: lbl("foo"), constraints: [tsc(maxSkew, HOST, SA, selector ?? undefined)] });
  const plainNodes = (extra: Record<string, Record<string, string>> = {}, taintC = false) => [
    node("node-a", { node: "node-a", ...extra["node-a"] }),
    node("node-b", { node: "node-b", ...extra["node-b"] }),
    node("node-c", { node: "node-c", ...extra["node-c"] }, taintC ? unschedulableTaint : undefined),
  ];
  const spread211 = () => put({ "node-a": 2, "node-b": 1, "node-c": 1 });

  const rows: { name: string; pod: Pod; nodes: Node[]; failed?: Node[]; existing: Pod[]; want: Record<string, number>; workload?: LabelSelector[] }[] = [
    {
      // All raw 0 → max 0 → 100.
      name: "one constraint on node, no existing pods",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b"),
      existing: [],
      want: { "node-a": 100, "node-b": 100 },
    },
    {
      // weight ln(1+2) = 1.099; a: 2×1.099 = 2.20 → 2; max = min = 2: 100×(2+2−2)/2 = 100.
      name: "one constraint on node, only one node is candidate",
      pod: hostC(),
      nodes: hostNodes("node-a"),
      failed: hostNodes("node-b"),
      existing: put({ "node-a": 2, "node-b": 1 }),
      want: { "node-a": 100 },
    },
    {
      // ln4 = 1.386 → both round(1.386) = 1: 100×(1+1−1)/1 = 100.
      name: "one constraint on node, all nodes have the same number of matching pods",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b"),
      existing: put({ "node-a": 1, "node-b": 1 }),
      want: { "node-a": 100, "node-b": 100 },
    },
    {
      // 2/1/0/3, weight ln6 = 1.792: raw 3.58→4, 1.79→2, 0, 5.38→5; max 5, min 0:
      // a 100×(5−4)/5 = 20, b 100×3/5 = 60, c 100, d 0.
      name: "one constraint on node, all 4 nodes are candidates",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b", "node-c", "node-d"),
      existing: put({ "node-a": 2, "node-b": 1, "node-d": 3 }),
      want: { "node-a": 20, "node-b": 60, "node-c": 100, "node-d": 0 },
    },
    {
      // Nil selector: all counts 0 → 100.
      name: "one constraint on node, null selector",
      pod: hostC(1, null),
      nodes: hostNodes("node-a", "node-b", "node-c", "node-d"),
      existing: put({ "node-a": 2, "node-b": 1, "node-d": 3 }),
      want: { "node-a": 100, "node-b": 100, "node-c": 100, "node-d": 100 },
    },
    {
      // maxSkew 2 adds 1: 4.58→5, 2.79→3, 1, 6.38→6; max 6, min 1:
      // a 100×(7−5)/6 = 33, b 100×4/6 = 66, c 100×6/6 = 100, d 100×1/6 = 16.
      name: "one constraint on node, all 4 nodes are candidates, maxSkew=2",
      pod: hostC(2),
      nodes: hostNodes("node-a", "node-b", "node-c", "node-d"),
      existing: put({ "node-a": 2, "node-b": 1, "node-d": 3 }),
      want: { "node-a": 33, "node-b": 66, "node-c": 100, "node-d": 16 },
    },
    {
      // 4/3/2/1, maxSkew 3 adds 2: 4×1.792+2 = 9.17→9, 7.38→7, 5.58→6, 3.79→4; max 9, min 4:
      // a 100×(13−9)/9 = 44, b 600/9 = 66, c 700/9 = 77, d 900/9 = 100.
      name: "one constraint on node, all 4 nodes are candidates, maxSkew=3",
      pod: hostC(3),
      nodes: hostNodes("node-a", "node-b", "node-c", "node-d"),
      existing: put({ "node-a": 4, "node-b": 3, "node-c": 2, "node-d": 1 }),
      want: { "node-a": 44, "node-b": 66, "node-c": 77, "node-d": 100 },
    },
    {
      // System defaults (hostname maxSkew 3, zone maxSkew 5) via a Service on foo="". No node has a
      // zone label, so only hostname scores: the same numbers as maxSkew=3 above.
      name: "system defaulting, nodes don't have zone, pods match service",
      pod: pod("p", { labels: lbl("foo") }),
      nodes: hostNodes("node-a", "node-b", "node-c", "node-d"),
      existing: put({ "node-a": 4, "node-b": 3, "node-c": 2, "node-d": 1 }),
      workload: [{ matchLabels: { foo: "" } }],
      want: { "node-a": 44, "node-b": 66, "node-c": 77, "node-d": 100 },
    },
    {
      // 4/2/1/~3~: weight ln(3+2) = 1.609: 6.44→6, 3.22→3, 1.61→2; max 6, min 2:
      // a 100×(8−6)/6 = 33, b 500/6 = 83, x 100.
      name: "one constraint on node, 3 out of 4 nodes are candidates",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b", "node-x"),
      failed: hostNodes("node-y"),
      existing: put({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 3 }),
      want: { "node-a": 33, "node-b": 83, "node-x": 100 },
    },
    {
      // 4/?2?/1/~3~: b ignored (0); weight ln(3−1+2) = 1.386: a 5.55→6, x 1.39→1; max 6, min 1:
      // a 100×(7−6)/6 = 16, x 100.
      name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
      pod: hostC(),
      nodes: [node("node-a", { [HOST]: "node-a" }), node("node-b", { n: "node-b" }), node("node-x", { [HOST]: "node-x" })],
      failed: hostNodes("node-y"),
      existing: put({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 3 }),
      want: { "node-a": 16, "node-b": 0, "node-x": 100 },
    },
    {
      // zones: zone1 = 4+2 = 6, zone2 = 1 + ~3~ = 4; ln4: 8.32→8, 5.55→6; max 8, min 6:
      // a, b 100×(14−8)/8 = 75, x 100.
      name: "one constraint on zone, 3 out of 4 nodes are candidates",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo)] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-x", { zone: "zone2", [HOST]: "node-x" })],
      failed: [node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: put({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 4 - 1 }),
      want: { "node-a": 75, "node-b": 75, "node-x": 100 },
    },
    {
      // 2/~1~/2/~4~: zone1 = 3, zone2 = 6 (ln4); hostname a 2, x 2 (ln4).
      // a (3+2)×1.386 = 6.93→7, x (6+2)×1.386 = 11.09→11; a 100×(18−7)/11 = 100, x 700/11 = 63.
      name: "two Constraints on zone and node, 2 out of 4 nodes are candidates",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, foo)] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-x", { zone: "zone2", [HOST]: "node-x" })],
      failed: [node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: put({ "node-a": 2, "node-b": 1, "node-x": 2, "node-y": 4 }),
      want: { "node-a": 100, "node-x": 63 },
    },
    {
      // foo: zone1 = a2 + b1 = 3, zone2 = y3 = 3; bar: zone1 = a1 + b1 = 2, zone2 = y1 = 1; both ln4.
      // a (3+2)×1.386 = 6.93→7, x (3+1)×1.386 = 5.55→6; a 100×(13−7)/7 = 85, x 100.
      name: "two Constraints on zone, 2 out of 4 nodes are candidates",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", SA, foo), tsc(1, "zone", SA, bar)] }),
      nodes: [node("node-a", { zone: "zone1" }), node("node-x", { zone: "zone2" })],
      failed: [node("node-b", { zone: "zone1" }), node("node-y", { zone: "zone2" })],
      existing: [on("node-a", "p-a1", lbl("foo", "bar")), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("foo", "bar")), on("node-y", "p-y3", lbl("foo"))],
      want: { "node-a": 85, "node-x": 100 },
    },
    {
      // foo zones 2/1 (ln4 = 1.386), bar hosts 0/1/0/1 (ln6 = 1.792):
      // a 2.77→3, b 2.77+1.79 = 4.56→5, x 1.39→1, y 1.39+1.79 = 3.18→3; max 5, min 1:
      // a 100×(6−3)/5 = 60, b 20, x 100, y 60.
      name: "two Constraints on zone and node, with different labelSelectors",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, bar)] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-x", { zone: "zone2", [HOST]: "node-x" }), node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("bar"))],
      want: { "node-a": 60, "node-b": 20, "node-x": 100, "node-y": 60 },
    },
    {
      // foo zones 0/2, bar hosts 0/1/0/1: a 0, b 1.79→2, x 2.77→3, y 2.77+1.79 = 4.56→5; max 5, min 0:
      // a 100, b 100×3/5 = 60, x 100×2/5 = 40, y 0.
      name: "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, bar)] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-x", { zone: "zone2", [HOST]: "node-x" }), node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: [on("node-b", "p-b1", lbl("bar")), on("node-x", "p-x1", lbl("foo")), on("node-y", "p-y1", lbl("foo", "bar"))],
      want: { "node-a": 100, "node-b": 60, "node-x": 40, "node-y": 0 },
    },
    {
      // foo zones 2/1 (y is not a candidate but in zone2; ln4), bar hosts 0/1/0 (ln(3+2) = 1.609):
      // a 2.77→3, b 2.77+1.61 = 4.38→4, x 1.39→1; max 4, min 1: a 100×(5−3)/4 = 50, b 25, x 100.
      name: "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, bar)] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-x", { zone: "zone2", [HOST]: "node-x" })],
      failed: [node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar")), on("node-y", "p-y1", lbl("foo")), on("node-y", "p-y2", lbl("bar"))],
      want: { "node-a": 50, "node-b": 25, "node-x": 100 },
    },
    {
      // ns1/p-a1 does not count: a 1, b 2 (ln4): 1.39→1, 2.77→3; a 100×(4−1)/3 = 100, b 100×1/3 = 33.
      name: "existing pods in a different namespace do not count",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b"),
      existing: [on("node-a", "p-a1", lbl("foo"), { ns: "ns1" }), on("node-a", "p-a2", lbl("foo")), on("node-b", "p-b1", lbl("foo")), on("node-b", "p-b2", lbl("foo"))],
      want: { "node-a": 100, "node-b": 33 },
    },
    {
      // a's pod is terminating: a 0, b 1.39→1; a 100×1/1 = 100, b 100×0/1 = 0.
      name: "terminating Pods should be excluded",
      pod: hostC(),
      nodes: hostNodes("node-a", "node-b"),
      existing: [on("node-a", "p-a", lbl("foo"), { terminating: true }), on("node-b", "p-b", lbl("foo"))],
      want: { "node-a": 100, "node-b": 0 },
    },
    {
      // minDomains is a Filter concept. "node" key, 3 values → ln5 = 1.609, maxSkew 2 adds 1:
      // a, b 2×1.609+1 = 4.22→4, c 2.61→3; a 100×(7−4)/4 = 75, c 100.
      name: "minDomains has no effect when ScheduleAnyway",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(2, "node", SA, foo, { minDomains: 10 })] }),
      nodes: plainNodes(),
      existing: put({ "node-a": 2, "node-b": 2, "node-c": 1 }),
      want: { "node-a": 75, "node-b": 75, "node-c": 100 },
    },
    {
      // nodeSelector foo: node-c (no foo) does not count: a 2, b 1, c 0 (ln5 = 1.609):
      // 3.22→3, 1.61→2, 0; max 3, min 0: a 0, b 100×1/3 = 33, c 100.
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", SA, foo)] }),
      nodes: plainNodes({ "node-a": lbl("foo"), "node-b": lbl("foo") }),
      existing: spread211(),
      want: { "node-a": 0, "node-b": 33, "node-c": 100 },
    },
    {
      // Ignore: c counts 1: 3, 2, 2; max 3, min 2: a 100×(5−3)/3 = 66, b, c 100.
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod("p", { labels: lbl("foo"), nodeSelector: { foo: "" }, constraints: [tsc(1, "node", SA, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: plainNodes({ "node-a": lbl("foo"), "node-b": lbl("foo") }),
      existing: spread211(),
      want: { "node-a": 66, "node-b": 100, "node-c": 100 },
    },
    {
      name: "NodeAffinityPolicy honored with nodeAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "In", values: [""] }, constraints: [tsc(1, "node", SA, foo)] }),
      nodes: plainNodes({ "node-a": lbl("foo"), "node-b": lbl("foo") }),
      existing: spread211(),
      want: { "node-a": 0, "node-b": 33, "node-c": 100 },
    },
    {
      name: "NodeAffinityPolicy ignored with nodeAffinity",
      pod: pod("p", { labels: lbl("foo"), affinity: { key: "foo", operator: "In", values: [""] }, constraints: [tsc(1, "node", SA, foo, { nodeAffinityPolicy: "Ignore" })] }),
      nodes: plainNodes({ "node-a": lbl("foo"), "node-b": lbl("foo") }),
      existing: spread211(),
      want: { "node-a": 66, "node-b": 100, "node-c": 100 },
    },
    {
      // Tainted c does not count: as "honored with labelSelectors".
      name: "NodeTaintsPolicy honored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", SA, foo, { nodeTaintsPolicy: "Honor" })] }),
      nodes: plainNodes({}, true),
      existing: spread211(),
      want: { "node-a": 0, "node-b": 33, "node-c": 100 },
    },
    {
      name: "NodeTaintsPolicy ignored",
      pod: pod("p", { labels: lbl("foo"), constraints: [tsc(1, "node", SA, foo)] }),
      nodes: plainNodes({}, true),
      existing: spread211(),
      want: { "node-a": 66, "node-b": 100, "node-c": 100 },
    },
    {
      // {} + matchLabelKeys: zone → foo In [""], hostname → bar In [""]. foo zones 2/1 (ln4), bar hosts 0/1/1/0 (ln6):
      // a 2.77→3, b 2.77+1.79 = 4.56→5, c 1.39+1.79 = 3.18→3, d 1.39→1; a 60, b 20, c 60, d 100.
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
      pod: pod("p", { labels: lbl("foo", "bar"), constraints: [tsc(1, "zone", SA, {}, { matchLabelKeys: ["foo"] }), tsc(1, HOST, SA, {}, { matchLabelKeys: ["bar"] })] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-c", { zone: "zone2", [HOST]: "node-c" }), node("node-d", { zone: "zone2", [HOST]: "node-d" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar")), on("node-c", "p-y1", lbl("foo")), on("node-c", "p-y2", lbl("bar"))],
      want: { "node-a": 60, "node-b": 20, "node-c": 60, "node-d": 100 },
    },
    {
      // hostname: bar AND baz In [""]: only p-b1 on b and p-d3 on c count: same numbers as above.
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
      pod: pod("p", { labels: lbl("foo", "bar", "baz"), constraints: [tsc(1, "zone", SA, foo), tsc(1, HOST, SA, bar, { matchLabelKeys: ["baz"] })] }),
      nodes: [node("node-a", { zone: "zone1", [HOST]: "node-a" }), node("node-b", { zone: "zone1", [HOST]: "node-b" }), node("node-c", { zone: "zone2", [HOST]: "node-c" }), node("node-d", { zone: "zone2", [HOST]: "node-d" })],
      existing: [on("node-a", "p-a1", lbl("foo")), on("node-b", "p-b1", lbl("foo", "bar", "baz")), on("node-c", "p-c1", lbl("foo")), on("node-c", "p-c2", lbl("bar")), on("node-c", "p-d3", lbl("bar", "baz"))],
      want: { "node-a": 60, "node-b": 20, "node-c": 60, "node-d": 100 },
    },
  ];

  it.each(rows)("$name", ({ pod: p, nodes, failed, existing, want, workload }) => {
    expect(scores(p, nodes, failed ?? [], existing, { defaultingType: "System" }, workload)).toEqual(want);
  });
});

describe("system default constraints (hand-worked)", () => {
  const Z = LABEL_TOPOLOGY_ZONE;
  const web = { app: "web" };
  const nodes = () => [
    node("a", { [HOST]: "a", [Z]: "z1" }),
    node("b", { [HOST]: "b", [Z]: "z1" }),
    node("c", { [HOST]: "c", [Z]: "z2" }),
    node("d", { [HOST]: "d" }), // no zone label: still scored (hostname), and a zone "" of its own
  ];
  const existing = () => [on("a", "w1", web), on("a", "w2", web), on("b", "other", { app: "db" }), on("c", "w3", web), on("d", "w4", web)];

  it("hostname maxSkew 3 and zone maxSkew 5, both ScheduleAnyway, with the Service's selector", () => {
    // hostname weight ln(4+2) = 1.792, +2; zone values {z1, z2, ""} → ln(3+2) = 1.609, +4.
    // zone counts: z1 = 2 + 0 = 2, z2 = 1, "" = 1 (d's zone is not scored: d has no zone label).
    // a: 2×1.792+2 = 5.58 + 2×1.609+4 = 7.22 → 12.80 → 13
    // b: 0+2 = 2 + 7.22 → 9.22 → 9
    // c: 1.792+2 = 3.79 + 1.609+4 = 5.61 → 9.40 → 9
    // d: 3.79 (hostname only) → 4
    // max 13, min 4: a 100×(17−13)/13 = 30, b, c 100×8/13 = 61, d 100×13/13 = 100.
    expect(scores(pod("p", { labels: web }), nodes(), [], existing(), {}, [{ matchLabels: web }])).toEqual({ a: 30, b: 61, c: 61, d: 100 });
  });

  it("several workload selectors are ANDed (Service app=web, ReplicaSet tier=fe)", () => {
    // Only pods with app=web AND tier=fe count: a has 1 (w-fe), c has 0 (w3 is app=web only).
    // hostname: a 1.792+2 = 3.79, b 2, c 2, d 2; zone: z1 = 1, z2 = 0, "" = 0:
    // a 3.79 + 1.609+4 = 9.40 → 9; b 2 + 5.61 = 7.61 → 8; c 2 + 4 = 6; d 2 → 2.
    // max 9, min 2: a 100×(11−9)/9 = 22, b 300/9 = 33, c 500/9 = 55, d 900/9 = 100.
    const fe = { app: "web", tier: "fe" };
    const pods = [on("a", "w-fe", fe), on("c", "w3", web)];
    expect(scores(pod("p", { labels: fe }), nodes(), [], pods, {}, [{ matchLabels: web }, { matchExpressions: [{ key: "tier", operator: "In", values: ["fe"] }] }])).toEqual({
      a: 22,
      b: 33,
      c: 55,
      d: 100,
    });
  });

  it("List defaulting requires every key: a node without the zone label is ignored (score 0)", () => {
    // defaults: hostname maxSkew 1 and zone maxSkew 1 (ScheduleAnyway). d is ignored → hostname weight ln(3+2) = 1.609;
    // zone {z1, z2} → ln4 = 1.386. z1 = 2, z2 = 1.
    // a: 2×1.609 + 2×1.386 = 3.22+2.77 = 5.99 → 6; b: 0 + 2.77 → 3; c: 1.609 + 1.386 = 3.00 → 3; d ignored.
    // max 6, min 3: a 100×(9−6)/6 = 50, b, c 600/6 = 100, d 0.
    const args = { defaultingType: "List" as const, defaultConstraints: [tsc(1, HOST, SA), tsc(1, Z, SA)] };
    expect(scores(pod("p", { labels: web }), nodes(), [], existing(), args, [{ matchLabels: web }])).toEqual({ a: 50, b: 100, c: 100, d: 0 });
  });

  it("List defaulting with a DoNotSchedule default filters by the workload selector", () => {
    // zone maxSkew 1: z1 = 2, z2 = 1 (d has no zone: not counted); pod matches itself.
    // a, b: 2+1−1 = 2 > 1; c: 1+1−1 = 1; d: missing zone → unresolvable.
    const args = { defaultingType: "List" as const, defaultConstraints: [tsc(1, Z, DNS)] };
    const p = pod("p", { labels: web });
    const { cache, plugin, state, result } = preFilter(p, nodes(), existing(), args, [{ matchLabels: web }]);
    expect(result.status.code).toBe("Success");
    expect(Object.fromEntries(cache.nodes.map((n) => [n.name, plugin.filter(state, info(p), n).code]))).toEqual({ a: U, b: U, c: S, d: UU });
  });

  it("a pod with its own constraints ignores the defaults", () => {
    // Own constraint: hostname maxSkew 1 on app=db; the only db pod is on b.
    // weight ln6 = 1.792: a 0, b 1.79 → 2, c 0, d 0; max 2, min 0: a, c, d 100, b 0.
    const p = pod("p", { labels: web, constraints: [tsc(1, HOST, SA, { matchLabels: { app: "db" } })] });
    expect(scores(p, nodes(), [], existing(), {}, [{ matchLabels: web }])).toEqual({ a: 100, b: 0, c: 100, d: 100 });
  });
});

// ---------------------------------------------------------------------------------------------
// In the framework

describe("PreScore across cycles (the plugin's per-node cache of topology values)", () => {
  /** Everything PreScore and Score/NormalizeScore give, for comparing a long-lived plugin with a fresh one. */
  function outcome(plugin: PodTopologySpread, cache: SchedulerCache, p: Pod, live: boolean) {
    const state = new CycleState();
    const nodes = [...cache.nodes];
    const handle = { ...handleFor(cache, [foo]), ...(live ? { cacheEvents: cache } : {}) };
    const status = plugin.preScore(state, info(p), nodes, handle);
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    const list: number[] = [];
    plugin.scoreAll(state, info(p), nodes, list);
    plugin.normalizeScore(state, info(p), nodes, list);
    return {
      status: status.code,
      ignored: s ? [...s.ignoredNodes] : [],
      counts: s ? s.counts.map((m) => [...m]) : [],
      weights: s?.weights,
      scores: Object.fromEntries(nodes.map((n, i) => [n.name, list[i]])),
    };
  }

  // Own constraints (every node must have both keys; counted over all nodes) and the system
  // defaults (zone and hostname; counted by the cache's index when live).
  const own = pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo), tsc(2, "rack", SA, foo)] });
  const zoneOnly = pod("p", { labels: lbl("foo"), constraints: [tsc(1, "zone", SA, foo)] });
  const defaulted = pod("p", { labels: lbl("foo") });

  it.each([false, true])("matches a fresh plugin after label changes and keys added later (live cache: %s)", (live) => {
    const nodes = [
      node("node-a", { zone: "zone1", rack: "r1", [HOST]: "node-a", [LABEL_TOPOLOGY_ZONE]: "z1" }),
      node("node-b", { zone: "zone1", rack: "r2", [HOST]: "node-b", [LABEL_TOPOLOGY_ZONE]: "z1" }),
      node("node-x", { zone: "zone2", rack: "r1", [HOST]: "node-x", [LABEL_TOPOLOGY_ZONE]: "z2" }),
      node("node-y", { zone: "zone2", [HOST]: "node-y" }),
    ];
    const existing = [on("node-a", "p1", lbl("foo")), on("node-a", "p2", lbl("foo")), on("node-x", "p3", lbl("foo")), on("node-y", "p4", lbl("foo"))];
    const cache = cluster(nodes, existing);
    const plugin = new PodTopologySpread({ defaultingType: "System" });
    const relabel = (name: string, labels: Record<string, string>) => cache.upsertNode(node(name, labels));
    const steps: [string, () => void][] = [
      ["start", () => {}],
      ["node-x moves to zone1 and loses its rack", () => relabel("node-x", { zone: "zone1", [HOST]: "node-x", [LABEL_TOPOLOGY_ZONE]: "z1" })],
      ["node-y gains a rack and the zone z3", () => relabel("node-y", { zone: "zone2", rack: "r3", [HOST]: "node-y", [LABEL_TOPOLOGY_ZONE]: "z3" })],
      ["node-a gets a new Node with the same labels", () => relabel("node-a", { zone: "zone1", rack: "r1", [HOST]: "node-a", [LABEL_TOPOLOGY_ZONE]: "z1" })],
      ["node-b's zone value becomes empty", () => relabel("node-b", { zone: "", rack: "r2", [HOST]: "node-b", [LABEL_TOPOLOGY_ZONE]: "" })],
      ["a pod moves", () => cache.addPod(on("node-b", "p5", lbl("foo")), "node-b")],
    ];
    for (const [step, change] of steps) {
      change();
      // zoneOnly first, then own: the key "rack" is first asked about in the middle of the run.
      for (const p of [zoneOnly, defaulted, own]) {
        expect(outcome(plugin, cache, p, live), step).toEqual(outcome(new PodTopologySpread({ defaultingType: "System" }), cache, p, live));
      }
    }
  });
});

describe("in the framework (FrameworkRunner)", () => {
  it("a DoNotSchedule zone constraint sends the pod to the emptier zone, and explains rejections", () => {
    const pts = new PodTopologySpread();
    const profile: Profile = { schedulerName: "default-scheduler", preFilter: [pts], filter: [pts], preScore: [pts], score: [{ plugin: pts, weight: 2 }] };
    const cache = cluster(
      [node("a", { [HOST]: "a", zone: "z1" }), node("b", { [HOST]: "b", zone: "z1" }), node("c", { [HOST]: "c", zone: "z2" })],
      [on("a", "w1", { app: "web" }), on("b", "w2", { app: "web" })],
    );
    const p = pod("p", { labels: { app: "web" }, constraints: [tsc(1, "zone", DNS, { matchLabels: { app: "web" } })] });
    const runner = new FrameworkRunner(new Rng(1, "scheduler"), 0);
    const result = runner.schedule(profile, info(p), cache.nodes, 0, true);
    // z1 = 2, z2 = 0: a, b 2+1−0 = 3 > 1; c 0+1−0 = 1.
    expect(result.node).toBe("c");
    expect(result.failures.get("a")?.reasons).toEqual([ERR_REASON_CONSTRAINTS_NOT_MATCH]);
  });
});

// ---------------------------------------------------------------------------------------------
// Args

describe("PodTopologySpreadArgs (defaults.go, validation_pluginargs.go)", () => {
  const ok = (v: unknown) => podTopologySpreadArgsSchema.safeParse(v);
  const messages = (v: unknown) => {
    const r = ok(v);
    expect(r.success).toBe(false);
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("defaults defaultingType to System (absent args included)", () => {
    expect(podTopologySpreadArgsSchema.parse(undefined)).toEqual({ defaultingType: "System" });
    expect(podTopologySpreadArgsSchema.parse({})).toEqual({ defaultingType: "System" });
  });

  it("accepts List with valid constraints, or with none", () => {
    expect(ok({ defaultingType: "List" }).success).toBe(true);
    const args = { defaultingType: "List", defaultConstraints: [tsc(1, "node", DNS), tsc(2, "node", SA), tsc(3, "example.com/rack", DNS, undefined, { nodeTaintsPolicy: "Honor" })] };
    expect(podTopologySpreadArgsSchema.parse(args)).toEqual(args);
  });

  it("rejects System with defaultConstraints (including when defaultingType is left to default)", () => {
    expect(messages({ defaultingType: "System", defaultConstraints: [tsc(1, "node", DNS)] })).toEqual(['defaultingType: Invalid value: "System": when .defaultConstraints are not empty']);
    expect(messages({ defaultConstraints: [tsc(1, "node", DNS)] })).toHaveLength(1);
  });

  it("rejects an unknown defaultingType", () => {
    expect(ok({ defaultingType: "Invalid" }).success).toBe(false);
  });

  it.each([
    ["maxSkew 0", { maxSkew: 0, topologyKey: "node", whenUnsatisfiable: "DoNotSchedule" }, "defaultConstraints.0.maxSkew: Invalid value: 0: not in valid range (0, inf)"],
    ["maxSkew −1", { maxSkew: -1, topologyKey: "node", whenUnsatisfiable: "DoNotSchedule" }, "defaultConstraints.0.maxSkew: Invalid value: -1: not in valid range (0, inf)"],
    ["empty topologyKey", { maxSkew: 1, topologyKey: "", whenUnsatisfiable: "DoNotSchedule" }, "defaultConstraints.0.topologyKey: Required value: can not be empty"],
    [
      "a labelSelector",
      { maxSkew: 1, topologyKey: "node", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { a: "b" } } },
      "defaultConstraints.0.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod",
    ],
  ])("rejects %s", (_name, constraint, message) => {
    expect(messages({ defaultingType: "List", defaultConstraints: [constraint] })).toEqual([message]);
  });

  it("rejects an invalid topologyKey and an unknown whenUnsatisfiable", () => {
    expect(messages({ defaultingType: "List", defaultConstraints: [{ maxSkew: 1, topologyKey: "a/b/c", whenUnsatisfiable: "DoNotSchedule" }] })[0]).toMatch(/^defaultConstraints\.0\.topologyKey: Invalid value: "a\/b\/c"/);
    expect(messages({ defaultingType: "List", defaultConstraints: [{ maxSkew: 1, topologyKey: "-node", whenUnsatisfiable: "DoNotSchedule" }] })[0]).toMatch(/name part must consist/);
    expect(ok({ defaultingType: "List", defaultConstraints: [{ maxSkew: 1, topologyKey: "node", whenUnsatisfiable: "Sometimes" }] }).success).toBe(false);
  });

  it("rejects a repeated {topologyKey, whenUnsatisfiable} pair", () => {
    expect(messages({ defaultingType: "List", defaultConstraints: [tsc(1, "node", DNS), tsc(2, "node", SA), tsc(3, "node", DNS)] })).toEqual(['defaultConstraints.2: Duplicate value: "{node, DoNotSchedule}"']);
  });

  it("rejects unknown fields (strict decoding)", () => {
    expect(ok({ defaultingType: "List", defaultConstraint: [] }).success).toBe(false);
  });

  it("the factory is named PodTopologySpread, validates, and makes one plugin for all four extension points", () => {
    expect(podTopologySpreadFactory.name).toBe("PodTopologySpread");
    const plugin = podTopologySpreadFactory.create(podTopologySpreadFactory.args!.parse({}));
    expect(plugin).toBeInstanceOf(PodTopologySpread);
    expect(plugin.name).toBe("PodTopologySpread");
    expect(() => podTopologySpreadFactory.create({ defaultingType: "System", defaultConstraints: [tsc(1, "node", DNS)] })).toThrow();
  });
});
