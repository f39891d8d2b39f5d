/**
 * NodeAffinity. Rows marked "upstream" come from
 * pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go (TestNodeAffinity,
 * TestNodeAffinityPriority) and staging/src/k8s.io/component-helpers/scheduling/corev1/
 * nodeaffinity/nodeaffinity_test.go (TestNodeSelectorMatch, TestPreferredSchedulingTermsScore,
 * TestPodMatchesNodeSelectorAndAffinityTerms); the others are worked by hand from the rules in
 * node_affinity.go, nodeaffinity.go and apimachinery labels/selector.go.
 */
import { describe, expect, it } from "vitest";
import type { Affinity, Node, NodeAffinity as NodeAffinitySpec, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, PreferredSchedulingTerm } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type Code, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import {
  NodeAffinity,
  NodeSelectorMatcher,
  PreferredSchedulingTerms,
  RequiredNodeAffinity,
  aggregateErrors,
  labelKeyProblems,
  labelValueProblems,
  nodeAffinityArgsSchema,
  nodeAffinityFactory,
  parseInt64,
  type NodeAffinityArgs,
} from "../../policies/scheduler/nodeAffinity.js";

type Labels = Record<string, string>;

function mkNode(name: string, labels?: Labels): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels },
    spec: {},
    status: { capacity: { cpu: "4", memory: "8Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  };
}

function infos(nodes: Node[]): NodeInfo[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  return nodes.map((n) => cache.nodeInfo(n.metadata.name)!);
}

function mkPod(spec: Partial<PodSpec> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "p", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers: [{ name: "c" }], ...spec },
    status: { phase: "Pending" },
  };
}

function info(spec: Partial<PodSpec> = {}): PodInfo {
  const pod = mkPod(spec);
  return { pod, key: "default/p", requests: podRequests(pod.spec) };
}

const handle: FrameworkHandle = {
  nodes: [],
  nodeInfo: () => undefined,
  namespaceLabels: () => undefined,
  workloadSelectors: () => [],
  rng: new Rng(1, "test"),
  now: 0,
};

const r = (key: string, operator: NodeSelectorRequirement["operator"], values?: string[]): NodeSelectorRequirement => (values === undefined ? { key, operator } : { key, operator, values });
const nameIn = (...values: string[]): NodeSelectorRequirement => r("metadata.name", "In", values);
const required = (...terms: NodeSelectorTerm[]): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const preferred = (...terms: PreferredSchedulingTerm[]): Affinity => ({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } });

const POD = "node(s) didn't match Pod's node affinity/selector";
const ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
const CONFLICT = "pod affinity terms conflict";

interface FilterRow {
  name: string;
  spec: Partial<PodSpec>;
  labels?: Labels;
  nodeName?: string;
  args?: NodeAffinityArgs;
  runPreFilter?: boolean;
  /** PreFilter status code and reason; Success when omitted. */
  preFilter?: [Code, string?];
  nodeNames?: string[];
  /** Filter reason (UnschedulableAndUnresolvable), or null for Success. */
  filter: string | null;
}

const addedNode2: NodeAffinitySpec = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [nameIn("node2")] }] } };

const filterRows: FilterRow[] = [
  // ---- upstream TestNodeAffinity
  { name: "missing labels", spec: { nodeSelector: { foo: "bar" } }, filter: POD },
  { name: "same labels", spec: { nodeSelector: { foo: "bar" } }, labels: { foo: "bar" }, filter: null },
  { name: "node labels are superset", spec: { nodeSelector: { foo: "bar" } }, labels: { foo: "bar", baz: "blah" }, filter: null },
  { name: "node labels are subset", spec: { nodeSelector: { foo: "bar", baz: "blah" } }, labels: { foo: "bar" }, filter: POD },
  { name: "In matches", spec: { affinity: required({ matchExpressions: [r("foo", "In", ["bar", "value2"])] }) }, labels: { foo: "bar" }, filter: null },
  // 0206 > 0204 as integers (206 > 204)
  { name: "Gt matches", spec: { affinity: required({ matchExpressions: [r("kernel-version", "Gt", ["0204"])] }) }, labels: { "kernel-version": "0206" }, filter: null },
  { name: "NotIn matches", spec: { affinity: required({ matchExpressions: [r("mem-type", "NotIn", ["DDR", "DDR2"])] }) }, labels: { "mem-type": "DDR3" }, filter: null },
  { name: "Exists matches", spec: { affinity: required({ matchExpressions: [r("GPU", "Exists")] }) }, labels: { GPU: "NVIDIA-GRID-K1" }, filter: null },
  { name: "In does not match", spec: { affinity: required({ matchExpressions: [r("foo", "In", ["value1", "value2"])] }) }, labels: { foo: "bar" }, filter: POD },
  { name: "empty matchExpressions matches nothing", spec: { affinity: required({ matchExpressions: [] }) }, labels: { foo: "bar" }, filter: POD },
  { name: "no affinity → Skip, passes", spec: {}, labels: { foo: "bar" }, preFilter: ["Skip"], filter: null },
  { name: "affinity without required → Skip, passes", spec: { affinity: { nodeAffinity: {} } }, labels: { foo: "bar" }, preFilter: ["Skip"], filter: null },
  {
    name: "expressions ANDed, match",
    spec: { affinity: required({ matchExpressions: [r("GPU", "Exists"), r("GPU", "NotIn", ["AMD", "INTER"])] }) },
    labels: { GPU: "NVIDIA-GRID-K1" },
    filter: null,
  },
  {
    name: "expressions ANDed, no match",
    spec: { affinity: required({ matchExpressions: [r("GPU", "Exists"), r("GPU", "In", ["AMD", "INTER"])] }) },
    labels: { GPU: "NVIDIA-GRID-K1" },
    filter: POD,
  },
  {
    name: "terms ORed",
    spec: { affinity: required({ matchExpressions: [r("foo", "In", ["bar", "value2"])] }, { matchExpressions: [r("diffkey", "In", ["wrong", "value2"])] }) },
    labels: { foo: "bar" },
    filter: null,
  },
  { name: "affinity and nodeSelector both satisfied", spec: { nodeSelector: { foo: "bar" }, affinity: required({ matchExpressions: [r("foo", "Exists")] }) }, labels: { foo: "bar" }, filter: null },
  { name: "affinity ok but nodeSelector not", spec: { nodeSelector: { foo: "bar" }, affinity: required({ matchExpressions: [r("foo", "Exists")] }) }, labels: { foo: "barrrrrr" }, filter: POD },
  { name: "invalid value in term → no match", spec: { affinity: required({ matchExpressions: [r("foo", "NotIn", ["invalid value: ___@#$%^"])] }) }, labels: { foo: "bar" }, filter: POD },
  { name: "matchFields In matches", spec: { affinity: required({ matchFields: [nameIn("node1")] }) }, nodeName: "node1", nodeNames: ["node1"], filter: null },
  { name: "matchFields In does not match", spec: { affinity: required({ matchFields: [nameIn("node1")] }) }, nodeName: "node2", nodeNames: ["node1"], filter: POD },
  {
    name: "two terms: fields miss, expressions match",
    spec: { affinity: required({ matchFields: [nameIn("node1"), nameIn("node2")] }, { matchExpressions: [r("foo", "In", ["bar"])] }) },
    nodeName: "node2",
    labels: { foo: "bar" },
    filter: null, // the second term has no name constraint → no nodeNames
  },
  {
    name: "one term: fields miss, expressions match",
    spec: { affinity: required({ matchFields: [nameIn("node1")], matchExpressions: [r("foo", "In", ["bar"])] }) },
    nodeName: "node2",
    labels: { foo: "bar" },
    nodeNames: ["node1"],
    filter: POD,
  },
  {
    name: "one term: fields and expressions match",
    spec: { affinity: required({ matchFields: [nameIn("node1")], matchExpressions: [r("foo", "In", ["bar"])] }) },
    nodeName: "node1",
    labels: { foo: "bar" },
    nodeNames: ["node1"],
    filter: null,
  },
  {
    name: "two terms, neither matches",
    spec: { affinity: required({ matchFields: [nameIn("node1")] }, { matchExpressions: [r("foo", "In", ["not-match-to-bar"])] }) },
    nodeName: "node2",
    labels: { foo: "bar" },
    filter: POD,
  },
  { name: "two node.Name terms → union", spec: { affinity: required({ matchFields: [nameIn("node1")] }, { matchFields: [nameIn("node2")] }) }, nodeName: "node2", nodeNames: ["node1", "node2"], filter: null },
  // {node1} ∩ {node2} = ∅ within one term → conflict
  {
    name: "conflicting matchFields",
    spec: { affinity: required({ matchFields: [nameIn("node1"), nameIn("node2")] }) },
    nodeName: "node2",
    labels: { foo: "bar" },
    preFilter: ["UnschedulableAndUnresolvable", CONFLICT],
    filter: POD,
  },
  {
    name: "matches addedAffinity and the pod's",
    spec: { affinity: required({ matchExpressions: [r("zone", "In", ["foo"])] }) },
    nodeName: "node2",
    labels: { zone: "foo" },
    args: { addedAffinity: addedNode2 },
    filter: null,
  },
  {
    name: "matches addedAffinity, not the pod's",
    spec: { affinity: required({ matchExpressions: [r("zone", "In", ["bar"])] }) },
    nodeName: "node2",
    labels: { zone: "foo" },
    args: { addedAffinity: addedNode2 },
    filter: POD,
  },
  {
    name: "does not match addedAffinity",
    spec: {},
    nodeName: "node2",
    labels: { zone: "foo" },
    args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [r("zone", "In", ["bar"])] }] } } },
    filter: ENFORCED,
  },
  { name: "nodeSelector without PreFilter", spec: { nodeSelector: { foo: "bar" } }, labels: { foo: "bar", baz: "blah" }, runPreFilter: false, filter: null },
  {
    name: "affinity without PreFilter",
    spec: { affinity: required({ matchExpressions: [r("GPU", "Exists"), r("GPU", "NotIn", ["AMD", "INTER"])] }) },
    labels: { GPU: "NVIDIA-GRID-K1" },
    runPreFilter: false,
    filter: null,
  },
  // ---- upstream component-helpers TestPodMatchesNodeSelectorAndAffinityTerms (extra rows)
  { name: "nil nodeSelectorTerms match nothing", spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} as NodeSelector } } }, labels: { foo: "bar" }, filter: POD },
  { name: "empty nodeSelectorTerms match nothing", spec: { affinity: required() }, labels: { foo: "bar" }, filter: POD },
  // ---- by hand
  { name: "addedAffinity checked before the pod's", spec: { nodeSelector: { a: "b" } }, nodeName: "node1", args: { addedAffinity: addedNode2 }, filter: ENFORCED },
  // only addedAffinity.preferred: addedNodeSelector is nil → Skip as upstream
  {
    name: "addedAffinity with only preferred terms → Skip",
    spec: {},
    args: { addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [r("a", "Exists")] } }] } },
    preFilter: ["Skip"],
    filter: null,
  },
  { name: "empty nodeSelector map is not nil: no Skip, matches all", spec: { nodeSelector: {} }, labels: {}, filter: null },
  { name: "Gt with a non-integer label → no match", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["1"])] }) }, labels: { v: "abc" }, filter: POD },
  { name: "Gt missing label → no match", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["1"])] }) }, labels: {}, filter: POD },
  { name: "Gt equal → no match (strict)", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["5"])] }) }, labels: { v: "5" }, filter: POD },
  { name: "Lt 4 < 5", spec: { affinity: required({ matchExpressions: [r("v", "Lt", ["5"])] }) }, labels: { v: "4" }, filter: null },
  { name: "Lt with a negative label (-3 < 5)", spec: { affinity: required({ matchExpressions: [r("v", "Lt", ["5"])] }) }, labels: { v: "-3" }, filter: null },
  // "-5" fails label-value syntax (must start with an alphanumeric) in NewRequirement → term unparsable
  { name: "Gt -5 is an invalid label value → no match", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["-5"])] }) }, labels: { v: "3" }, filter: POD },
  { name: "Gt non-integer value → unparsable term", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["1.5"])] }) }, labels: { v: "3" }, filter: POD },
  { name: "Gt with two values → unparsable term", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["1", "2"])] }) }, labels: { v: "3" }, filter: POD },
  // 9223372036854775808 = 2^63 overflows int64 → ParseInt fails → the label matches nothing
  { name: "Gt with an int64-overflowing label", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["1"])] }) }, labels: { v: "9223372036854775808" }, filter: POD },
  // 9223372036854775807 (2^63 − 1) > 9223372036854775806: needs exact 64-bit comparison
  { name: "Gt near int64 max compares exactly", spec: { affinity: required({ matchExpressions: [r("v", "Gt", ["9223372036854775806"])] }) }, labels: { v: "9223372036854775807" }, filter: null },
  { name: "In without values → unparsable term", spec: { affinity: required({ matchExpressions: [r("foo", "In", [])] }) }, labels: { foo: "" }, filter: POD },
  { name: "Exists with values → unparsable term", spec: { affinity: required({ matchExpressions: [r("foo", "Exists", ["x"])] }) }, labels: { foo: "x" }, filter: POD },
  { name: "unparsable term ignored, another term matches", spec: { affinity: required({ matchExpressions: [r("foo", "In", [])] }, { matchExpressions: [r("foo", "Exists")] }) }, labels: { foo: "x" }, filter: null },
  { name: "NotIn on a missing key matches", spec: { affinity: required({ matchExpressions: [r("foo", "NotIn", ["x"])] }) }, labels: {}, filter: null },
  { name: "DoesNotExist", spec: { affinity: required({ matchExpressions: [r("foo", "DoesNotExist")] }) }, labels: { bar: "x" }, filter: null },
  { name: "DoesNotExist fails when present", spec: { affinity: required({ matchExpressions: [r("foo", "DoesNotExist")] }) }, labels: { foo: "" }, filter: POD },
  { name: "In with an empty-string value", spec: { affinity: required({ matchExpressions: [r("foo", "In", [""])] }) }, labels: { foo: "" }, filter: null },
  { name: "matchFields NotIn excludes the node", spec: { affinity: required({ matchFields: [r("metadata.name", "NotIn", ["node1"])] }) }, nodeName: "node1", filter: POD },
  { name: "matchFields NotIn admits others", spec: { affinity: required({ matchFields: [r("metadata.name", "NotIn", ["node1"])] }) }, nodeName: "node2", filter: null },
  // matchFields In with two values does not parse (must have one element), but PreFilter still narrows to both names
  { name: "matchFields In with two values", spec: { affinity: required({ matchFields: [nameIn("node1", "node2")] }) }, nodeName: "node1", nodeNames: ["node1", "node2"], filter: POD },
  // an unknown field key compares against "": In "x" fails
  { name: "matchFields on another key", spec: { affinity: required({ matchFields: [r("metadata.uid", "In", ["x"])] }) }, nodeName: "node1", filter: POD },
  { name: "matchFields Exists is unsupported", spec: { affinity: required({ matchFields: [r("metadata.name", "Exists")] }) }, nodeName: "node1", filter: POD },
  // In with no values on metadata.name → empty name set → conflict
  { name: "matchFields In with no values → conflict", spec: { affinity: required({ matchFields: [nameIn()] }) }, nodeName: "node1", preFilter: ["UnschedulableAndUnresolvable", CONFLICT], filter: POD },
  // term A: {n1,n2} ∩ {n2,n3} = {n2}; term B: {n4}; union {n2, n4}
  {
    name: "intersection within a term, union across",
    spec: { affinity: required({ matchFields: [nameIn("n1", "n2"), nameIn("n2", "n3")] }, { matchFields: [nameIn("n4")] }) },
    nodeName: "n4",
    nodeNames: ["n2", "n4"],
    filter: null,
  },
  {
    name: "NotIn on metadata.name gives no node names",
    spec: { affinity: required({ matchFields: [r("metadata.name", "NotIn", ["x"])] }) },
    nodeName: "n1",
    filter: null,
  },
  { name: "key with a prefix", spec: { affinity: required({ matchExpressions: [r("topology.kubernetes.io/zone", "In", ["a"])] }) }, labels: { "topology.kubernetes.io/zone": "a" }, filter: null },
  { name: "invalid key prefix → unparsable", spec: { affinity: required({ matchExpressions: [r("Bad_Prefix/zone", "Exists")] }) }, labels: { "Bad_Prefix/zone": "a" }, filter: POD },
];

describe("NodeAffinity PreFilter + Filter", () => {
  it.each(filterRows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const pl = new NodeAffinity(row.args);
    const [ni] = infos([mkNode(row.nodeName ?? "", row.labels)]);
    const pod = info(row.spec);
    const state = new CycleState();
    if (row.runPreFilter !== false) {
      const res = pl.preFilter(state, pod, handle);
      const [code, reason] = row.preFilter ?? ["Success"];
      expect(res.status.code).toBe(code);
      if (reason) expect(res.status.reasons).toEqual([reason]);
      if (row.nodeNames) expect([...(res.nodeNames ?? [])].sort()).toEqual(row.nodeNames);
      else expect(res.nodeNames).toBeUndefined();
    }
    const s = pl.filter(state, pod, ni);
    if (row.filter === null) expect(s.code).toBe("Success");
    else {
      expect(s.code).toBe("UnschedulableAndUnresolvable");
      expect(s.reasons).toEqual([row.filter]);
      expect(s.plugin).toBe("NodeAffinity");
    }
  });
});

describe("RequiredNodeAffinity (GetRequiredNodeAffinity().Match)", () => {
  it.each<[string, Partial<PodSpec>, Labels, string, boolean]>([
    ["no selector", {}, {}, "n", true],
    ["missing labels", { nodeSelector: { foo: "bar" } }, {}, "n", false],
    ["same labels", { nodeSelector: { foo: "bar" } }, { foo: "bar" }, "n", true],
    ["selector value differs", { nodeSelector: { foo: "bar" } }, { foo: "baz" }, "n", false],
    ["selector with empty value needs the key", { nodeSelector: { foo: "" } }, {}, "n", false],
    ["selector AND affinity", { nodeSelector: { a: "1" }, affinity: required({ matchExpressions: [r("b", "Exists")] }) }, { a: "1", b: "" }, "n", true],
  ])("%s", (_name, spec, labels, nodeName, want) => {
    expect(new RequiredNodeAffinity(mkPod(spec)).matchNode(mkNode(nodeName, labels))).toBe(want);
  });
});

const KEY_REGEX_DETAIL =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("NodeSelectorMatcher (component-helpers NodeSelector)", () => {
  it("reports every parse error with its path (upstream: invalid field selector and label selector)", () => {
    const m = new NodeSelectorMatcher({
      nodeSelectorTerms: [
        { matchFields: [nameIn("host_1", "host_2")] },
        { matchExpressions: [r("label_1", "In", ["label_1_val"])], matchFields: [nameIn("host_1")] },
        { matchExpressions: [r("invalid key", "In", ["label_value"])] },
      ],
    });
    expect(m.errors).toEqual([
      'nodeSelectorTerms[0].matchFields[0].values: Invalid value: []string{"host_1", "host_2"}: must have one element',
      `nodeSelectorTerms[2].matchExpressions[0].key: Invalid value: "invalid key": ${KEY_REGEX_DETAIL}`,
    ]);
  });

  it.each<[string, NodeSelectorTerm[], string, Labels | undefined, boolean]>([
    // upstream
    ["field matches but labels do not", [{ matchExpressions: [r("label_1", "In", ["label_1_val"])], matchFields: [nameIn("host_1")] }], "host_1", undefined, false],
    ["field and labels match", [{ matchExpressions: [r("label_1", "In", ["label_1_val"])], matchFields: [nameIn("host_1")] }], "host_1", { label_1: "label_1_val" }, true],
    ["second term matches", [{ matchExpressions: [r("label_1", "In", ["label_1_val"])] }, { matchFields: [nameIn("host_1")] }], "host_1", undefined, true],
    // by hand
    ["empty term selects nothing", [{}], "host_1", { a: "b" }, false],
    ["no terms select nothing", [], "host_1", { a: "b" }, false],
  ])("%s", (_name, terms, nodeName, labels, want) => {
    const m = new NodeSelectorMatcher({ nodeSelectorTerms: terms });
    expect(m.errors).toEqual([]);
    expect(m.matchNode(mkNode(nodeName, labels))).toBe(want);
  });
});

describe("PreferredSchedulingTerms (component-helpers)", () => {
  it("collects parse errors (upstream: invalid field selector and label selector)", () => {
    const res = PreferredSchedulingTerms.parse([
      { weight: 1, preference: { matchFields: [nameIn("host_1", "host_2")] } },
      { weight: 1, preference: { matchExpressions: [r("label_1", "In", ["label_1_val"])], matchFields: [nameIn("host_1")] } },
      { weight: 1, preference: { matchExpressions: [r("invalid key", "In", ["label_value"])] } },
    ]);
    expect(res.errors).toEqual([
      '[0].matchFields[0].values: Invalid value: []string{"host_1", "host_2"}: must have one element',
      `[2].matchExpressions[0].key: Invalid value: "invalid key": ${KEY_REGEX_DETAIL}`,
    ]);
  });

  it("skips weight-0 terms without parsing them (upstream)", () => {
    const res = PreferredSchedulingTerms.parse([{ weight: 0, preference: { matchFields: [nameIn("host_1", "host_2")] } }]);
    expect(res.errors).toBeUndefined();
    expect(res.terms!.score({}, "host_1")).toBe(0);
  });

  it("sums matching weights: first and third term (upstream: 5 + 11 = 16)", () => {
    const res = PreferredSchedulingTerms.parse([
      { weight: 5, preference: { matchFields: [nameIn("host_1")] } },
      { weight: 7, preference: { matchExpressions: [r("unknown_label", "In", ["unknown_label_val"])] } },
      { weight: 11, preference: { matchExpressions: [r("label_1", "In", ["label_1_val"])] } },
    ]);
    expect(res.terms!.score({ label_1: "label_1_val" }, "host_1")).toBe(16);
  });

  it("drops empty preferences (by hand: only the weight-3 term counts → 3)", () => {
    const res = PreferredSchedulingTerms.parse([
      { weight: 50, preference: {} },
      { weight: 3, preference: { matchExpressions: [r("a", "Exists")] } },
    ]);
    expect(res.terms!.score({ a: "x" }, "n")).toBe(3);
  });
});

describe("label key / value syntax and int64 parsing", () => {
  it.each<[string, number]>([
    ["foo", 0],
    ["kubernetes.io/hostname", 0],
    ["a.b-c_d", 0],
    ["invalid key", 1], // space: name regex error
    ["-foo", 1], // must start alphanumeric
    ["a/b/c", 1], // too many '/'
    ["/foo", 1], // empty prefix
    ["Example.com/foo", 1], // prefix must be lowercase DNS-1123
    ["example.com/", 2], // empty name: "must be non-empty" and the regex error
    ["a".repeat(63), 0],
    ["a".repeat(64), 1], // > 63 bytes
  ])("key %j → %i problem(s)", (key, n) => {
    expect(labelKeyProblems(key)).toHaveLength(n);
  });

  it.each<[string, number]>([
    ["", 0],
    ["v1.2_3-x", 0],
    ["-5", 1],
    ["a b", 1],
    ["x".repeat(64), 1],
  ])("value %j → %i problem(s)", (value, n) => {
    expect(labelValueProblems(value)).toHaveLength(n);
  });

  it.each<[string, bigint | undefined]>([
    ["0204", 204n],
    ["+5", 5n],
    ["-12", -12n],
    ["9223372036854775807", 9223372036854775807n],
    ["9223372036854775808", undefined],
    ["-9223372036854775808", -9223372036854775808n],
    ["1.5", undefined],
    ["", undefined],
    [" 1", undefined],
  ])("parseInt64(%j)", (s, want) => {
    expect(parseInt64(s)).toBe(want);
  });

  it("aggregates like errors.NewAggregate", () => {
    expect(aggregateErrors(["a"])).toBe("a");
    expect(aggregateErrors(["a", "a"])).toBe("a");
    expect(aggregateErrors(["a", "b", "a"])).toBe("[a, b]");
  });
});

// ---- Scoring (upstream TestNodeAffinityPriority)

const label1 = { foo: "bar" };
const label2 = { key: "value" };
const label3 = { az: "az1" };
const label4 = { abc: "az11", def: "az22" };
const label5 = { foo: "bar", key: "value", az: "az1" };

const affinity1 = preferred({ weight: 2, preference: { matchExpressions: [r("foo", "In", ["bar"])] } });
const affinity2 = preferred(
  { weight: 2, preference: { matchExpressions: [r("foo", "In", ["bar"])] } },
  { weight: 4, preference: { matchExpressions: [r("key", "In", ["value"])] } },
  { weight: 5, preference: { matchExpressions: [r("foo", "In", ["bar"]), r("key", "In", ["value"]), r("az", "In", ["az1"])] } },
);

function runScore(spec: Partial<PodSpec>, nodes: [string, Labels][], args?: NodeAffinityArgs, runPreScore = true): number[] {
  const pl = new NodeAffinity(args);
  const state = new CycleState();
  const pod = info(spec);
  const nis = infos(nodes.map(([n, l]) => mkNode(n, l)));
  if (runPreScore) expect(pl.preScore(state, pod, nis, handle).code).toBe("Success");
  const s = nis.map((n) => pl.score(state, pod, n));
  pl.normalizeScore(state, pod, nis, s);
  return s;
}

describe("NodeAffinity Score", () => {
  it("all 0 when the pod has no node affinity (upstream; PreScore not run)", () => {
    // raw [0, 0, 0], max 0 without reverse → unchanged
    expect(runScore({}, [["node1", label1], ["node2", label2], ["node3", label3]], undefined, false)).toEqual([0, 0, 0]);
  });

  it("PreScore returns Skip without preferred terms (upstream)", () => {
    const pl = new NodeAffinity();
    expect(pl.preScore(new CycleState(), info({}), infos([mkNode("node1", label1)]), handle).code).toBe("Skip");
  });

  it("PreScore returns an Error for a broken preferred term (upstream message)", () => {
    const pl = new NodeAffinity();
    const pod = info({ affinity: preferred({ weight: 2, preference: { matchExpressions: [r("invalid key", "In", ["bar"])] } }) });
    const s = pl.preScore(new CycleState(), pod, infos([mkNode("node1", label1)]), handle);
    expect(s.code).toBe("Error");
    expect(s.reasons).toEqual([`[0].matchExpressions[0].key: Invalid value: "invalid key": ${KEY_REGEX_DETAIL}`]);
  });

  it.each<[string, Partial<PodSpec>, [string, Labels][], NodeAffinityArgs | undefined, number[]]>([
    // upstream: no node has foo=bar → raw [0, 0, 0] → [0, 0, 0]
    ["no node matches", { affinity: affinity1 }, [["node1", label4], ["node2", label2], ["node3", label3]], undefined, [0, 0, 0]],
    // upstream: raw [2, 0, 0], max 2 → [100, 0, 0]
    ["only node1 matches", { affinity: affinity1 }, [["node1", label1], ["node2", label2], ["node3", label3]], undefined, [100, 0, 0]],
    // upstream: node1 2; node5 2+4+5 = 11; node2 4 → 200/11 = 18, 100, 400/11 = 36
    ["different priorities", { affinity: affinity2 }, [["node1", label1], ["node5", label5], ["node2", label2]], undefined, [18, 100, 36]],
    // upstream: addedAffinity = affinity1's: raw [2, 0] → [100, 0]
    ["added affinity", {}, [["node1", label1], ["node2", label2]], { addedAffinity: affinity1.nodeAffinity }, [100, 0]],
    // upstream: pod 2·[foo=bar] + added 3·[key=value]: node1 2, node2 3, node3 5 → 40, 60, 100
    [
      "added affinity and pod affinity",
      { affinity: affinity1 },
      [["node1", label1], ["node2", label2], ["node3", label5]],
      { addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, preference: { matchExpressions: [r("key", "In", ["value"])] } }] } },
      [40, 60, 100],
    ],
    // by hand: matchFields preference on the node name: raw [0, 7] → [0, 100]
    ["preference on metadata.name", { affinity: preferred({ weight: 7, preference: { matchFields: [nameIn("b")] } }) }, [["a", {}], ["b", {}]], undefined, [0, 100]],
    // by hand: raw [1, 3, 0] with max 3 → 100/3 = 33, 100, 0
    [
      "thirds",
      { affinity: preferred({ weight: 1, preference: { matchExpressions: [r("a", "Exists")] } }, { weight: 2, preference: { matchExpressions: [r("b", "Exists")] } }) },
      [["n1", { a: "" }], ["n2", { a: "", b: "" }], ["n3", {}]],
      undefined,
      [33, 100, 0],
    ],
    // by hand: an empty preferred list is not nil: PreScore succeeds, every raw score 0 → [0, 0]
    ["empty preferred list", { affinity: preferred() }, [["n1", {}], ["n2", {}]], undefined, [0, 0]],
  ])("%s", (_name, spec, nodes, args, want) => {
    expect(runScore(spec, nodes, args)).toEqual(want);
  });

  it("computes the same without PreScore (upstream: 18, 100, 36)", () => {
    expect(runScore({ affinity: affinity2 }, [["node1", label1], ["node5", label5], ["node2", label2]], undefined, false)).toEqual([18, 100, 36]);
  });

  it("raw score is the weight sum (affinity2 on label5: 2 + 4 + 5 = 11)", () => {
    const pl = new NodeAffinity();
    const state = new CycleState();
    const pod = info({ affinity: affinity2 });
    const [n] = infos([mkNode("node5", label5)]);
    pl.preScore(state, pod, [n], handle);
    expect(pl.score(state, pod, n)).toBe(11);
  });
});

describe("NodeAffinity args and factory", () => {
  it("factory is named NodeAffinity and takes NodeAffinityArgs", () => {
    expect(nodeAffinityFactory.name).toBe("NodeAffinity");
    const args = nodeAffinityFactory.args!.parse({ addedAffinity: addedNode2 });
    expect(args).toEqual({ addedAffinity: addedNode2 });
    const p = nodeAffinityFactory.create(args);
    expect(p).toBeInstanceOf(NodeAffinity);
  });

  it("missing args default to {}; apiVersion/kind are accepted and dropped", () => {
    expect(nodeAffinityArgsSchema.parse(undefined)).toEqual({});
    expect(nodeAffinityArgsSchema.parse({ apiVersion: "kubescheduler.config.k8s.io/v1", kind: "NodeAffinityArgs" })).toEqual({});
  });

  it("rejects an unparsable addedAffinity", () => {
    const bad = { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "invalid key", operator: "Exists" }] }] } } };
    const res = nodeAffinityArgsSchema.safeParse(bad);
    expect(res.success).toBe(false);
    expect(res.error!.issues[0].message).toBe(`nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: "invalid key": ${KEY_REGEX_DETAIL}`);
    expect(res.error!.issues[0].path).toEqual(["addedAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]);
    expect(() => new NodeAffinity(bad as NodeAffinityArgs)).toThrow(
      `parsing addedAffinity.requiredDuringSchedulingIgnoredDuringExecution: nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: "invalid key": ${KEY_REGEX_DETAIL}`,
    );
  });

  it("rejects unknown fields and unknown operators", () => {
    expect(nodeAffinityArgsSchema.safeParse({ addedAfinity: {} }).success).toBe(false);
    expect(
      nodeAffinityArgsSchema.safeParse({ addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Equals" }] }] } } }).success,
    ).toBe(false);
  });
});
