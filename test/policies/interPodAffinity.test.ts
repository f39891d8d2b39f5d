/**
 * InterPodAffinity. Most tables are ported from upstream
 * pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go and scoring_test.go (v1.34);
 * expected values are upstream's, with the arithmetic written beside each row. Upstream's empty
 * namespace "" is "default" here (like "", it has no Namespace object in these fixtures).
 */
import { describe, expect, it } from "vitest";
import type { Affinity, LabelSelector, LabelSelectorRequirement, Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../sim/api/objects.js";
import { objectKey } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { matchesLabelSelector } from "../../sim/cluster/selectors.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import {
  CycleState,
  isFilter,
  isPreFilter,
  isPreScore,
  isScore,
  type FrameworkHandle,
  type NodeInfo,
  type PodInfo,
  type Status,
} from "../../sim/scheduler/framework.js";
import { FrameworkRunner, type Profile } from "../../sim/scheduler/scheduler.js";
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH as AFF,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH as ANTI,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH as EXISTING,
  InterPodAffinity,
  interPodAffinityArgsSchema,
  interPodAffinityFactory,
  normalizeInterPodAffinityScores,
  PRE_FILTER_STATE_KEY,
  PreFilterState,
  type InterPodAffinityArgs,
} from "../../policies/scheduler/interPodAffinity.js";
import { CompiledSelector, selectorProblem } from "../../policies/scheduler/interPodAffinity/terms.js";

// ---------------------------------------------------------------------------------------------
// Fixtures

const DEFAULT_NS = "default";
let uid = 0;

function makeNode(name: string, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels },
    spec: {},
    status: { capacity: {}, allocatable: { cpu: "64", memory: "256Gi", pods: "110" }, conditions: [] },
  };
}

type Req = LabelSelectorRequirement;
const inReq = (key: string, ...values: string[]): Req => ({ key, operator: "In", values });
const notInReq = (key: string, ...values: string[]): Req => ({ key, operator: "NotIn", values });
const exists = (key: string): Req => ({ key, operator: "Exists" });
const doesNotExist = (key: string): Req => ({ key, operator: "DoesNotExist" });

/** A term with matchExpressions (upstream st.PodAffinityIn / NotIn / Exists build these). */
const term = (topologyKey: string, ...reqs: Req[]): PodAffinityTerm => ({ labelSelector: { matchExpressions: reqs }, topologyKey });
const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({ weight, podAffinityTerm: t });

/** A fluent pod builder after upstream's st.MakePod(). */
class P {
  private readonly pod: Pod;
  constructor(name?: string) {
    const id = `p${++uid}`;
    this.pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: name ?? id, namespace: DEFAULT_NS, uid: id, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
      spec: { containers: [] },
      status: { phase: "Pending" },
    };
  }
  ns(namespace: string): this {
    this.pod.metadata.namespace = namespace;
    return this;
  }
  labels(labels: Record<string, string>): this {
    this.pod.metadata.labels = { ...(this.pod.metadata.labels ?? {}), ...labels };
    return this;
  }
  node(nodeName: string): this {
    this.pod.spec.nodeName = nodeName;
    return this;
  }
  affinity(affinity: Affinity): this {
    this.pod.spec.affinity = affinity;
    return this;
  }
  private aff(): Affinity {
    return (this.pod.spec.affinity ??= {});
  }
  /** Required pod affinity term. */
  req(t: PodAffinityTerm): this {
    const pa = (this.aff().podAffinity ??= {});
    (pa.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(t);
    return this;
  }
  /** Required pod anti-affinity term. */
  reqAnti(t: PodAffinityTerm): this {
    const pa = (this.aff().podAntiAffinity ??= {});
    (pa.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(t);
    return this;
  }
  pref(weight: number, t: PodAffinityTerm): this {
    const pa = (this.aff().podAffinity ??= {});
    (pa.preferredDuringSchedulingIgnoredDuringExecution ??= []).push(weighted(weight, t));
    return this;
  }
  prefAnti(weight: number, t: PodAffinityTerm): this {
    const pa = (this.aff().podAntiAffinity ??= {});
    (pa.preferredDuringSchedulingIgnoredDuringExecution ??= []).push(weighted(weight, t));
    return this;
  }
  obj(): Pod {
    return this.pod;
  }
}
const pod = (name?: string): P => new P(name);

/** upstream createPodWithAffinityTerms: podAffinity and podAntiAffinity both set (possibly empty). */
function podWithTerms(namespace: string, labels: Record<string, string>, affinity: PodAffinityTerm[] | undefined, anti: PodAffinityTerm[] | undefined): Pod {
  return pod()
    .ns(namespace)
    .labels(labels)
    .affinity({
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: affinity },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti },
    })
    .obj();
}

const podInfo = (p: Pod): PodInfo => ({ pod: p, key: objectKey(p.metadata), requests: podRequests(p.spec) });

/** upstream scoring_test.go `namespaces` (team1 / team2 labels). */
const TEAM_NAMESPACES: Record<string, Record<string, string>> = {
  "subteam1.team1": { team: "team1" },
  "subteam2.team1": { team: "team1" },
  "subteam1.team2": { team: "team2" },
  "subteam2.team2": { team: "team2" },
};

interface Cluster {
  cache: SchedulerCache;
  handle: FrameworkHandle;
  info(name: string): NodeInfo;
}

function cluster(nodes: Node[], pods: Pod[], namespaces: Record<string, Record<string, string>> = TEAM_NAMESPACES): Cluster {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const p of pods) if (p.spec.nodeName) cache.addPod(p, p.spec.nodeName);
  const handle: FrameworkHandle = {
    get nodes() {
      return cache.nodes;
    },
    nodeInfo: (n) => cache.nodeInfo(n),
    namespaceLabels: (ns) => namespaces[ns],
    workloadSelectors: () => [],
    rng: new Rng(1, "test"),
    now: 0,
  };
  return { cache, handle, info: (name) => cache.nodeInfo(name)! };
}

/** A status reduced to what the tables state: null for Success, else [code, reason]. */
type Want = null | [Status["code"], string?];
const brief = (s: Status): Want => (s.code === "Success" ? null : s.reasons.length ? [s.code, s.reasons.join("; ")] : [s.code]);
const unsched = (reason: string): Want => ["Unschedulable", reason];
const unres = (reason: string): Want => ["UnschedulableAndUnresolvable", reason];

interface FilterRun {
  preFilter: Want;
  /** Filter status per node, in the order the nodes were given (only if PreFilter succeeded). */
  filter?: Want[];
  state: CycleState;
  plugin: InterPodAffinity;
  cluster: Cluster;
}

function runFilter(incoming: Pod, pods: Pod[], nodes: Node[], namespaces?: Record<string, Record<string, string>>): FilterRun {
  const c = cluster(nodes, pods, namespaces);
  const plugin = new InterPodAffinity();
  const state = new CycleState();
  const pi = podInfo(incoming);
  const pre = plugin.preFilter(state, pi, c.handle).status;
  const run: FilterRun = { preFilter: brief(pre), state, plugin, cluster: c };
  if (pre.code === "Success") run.filter = nodes.map((n) => brief(plugin.filter(state, pi, c.info(n.metadata.name))));
  return run;
}

interface ScoreRun {
  preScore: Status;
  raw?: number[];
  scores?: number[];
}

function runScore(incoming: Pod, pods: Pod[], nodes: Node[], args: Partial<InterPodAffinityArgs> = {}, namespaces?: Record<string, Record<string, string>>): ScoreRun {
  const c = cluster(nodes, pods, namespaces);
  const plugin = interPodAffinityFactory.create(interPodAffinityArgsSchema.parse(args)) as InterPodAffinity;
  const state = new CycleState();
  const pi = podInfo(incoming);
  const infos = nodes.map((n) => c.info(n.metadata.name));
  const status = plugin.preScore(state, pi, infos, c.handle);
  if (status.code !== "Success") return { preScore: status };
  const raw = infos.map((n) => plugin.score(state, pi, n));
  const scores = [...raw];
  plugin.normalizeScore(state, pi, infos, scores);
  return { preScore: status, raw, scores };
}

// ---------------------------------------------------------------------------------------------
// Filtering: TestRequiredAffinitySingleNode

describe("Filter on a single node (filtering_test.go TestRequiredAffinitySingleNode)", () => {
  const podLabel = { service: "securityscan" };
  const podLabel2 = { security: "S1" };
  const node1 = makeNode("node1", { region: "r1", zone: "z11" });
  const existing = (): Pod => pod().labels(podLabel).node("node1").obj();
  const badValue =
    'parsing pod: requiredAffinityTerms: values[0][service]: Invalid value: "{{.bad-value.}}": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')';

  const cases: { name: string; pod: () => Pod; pods: () => Pod[]; pre?: Want; want?: Want }[] = [
    {
      // No required terms and no existing pod with required anti-affinity → Skip.
      name: "no required pod affinity → PreFilter Skip",
      pod: () => pod().obj(),
      pods: () => [],
      pre: ["Skip"],
    },
    {
      // existing service=securityscan ∈ {securityscan, value2}; region=r1 count 1 > 0.
      name: "affinity In matches the existing pod",
      pod: () => pod().labels(podLabel2).req(term("region", inReq("service", "securityscan", "value2"))).obj(),
      pods: () => [existing()],
      want: null,
    },
    {
      // securityscan ∉ {securityscan3, value3} → NotIn matches; region=r1 count 1.
      name: "affinity NotIn matches the existing pod",
      pod: () => pod().labels(podLabel2).req(term("region", notInReq("service", "securityscan3", "value3"))).obj(),
      pods: () => [existing()],
      want: null,
    },
    {
      // Term namespaces [DiffNameSpace] exclude "ns"; topologyKey "" is not a node label → fails first.
      name: "affinity does not match because of a different namespace",
      pod: () => podWithTerms(DEFAULT_NS, podLabel2, [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaces: ["DiffNameSpace"], topologyKey: "" }], undefined),
      pods: () => [pod().ns("ns").labels(podLabel).node("node1").obj()],
      want: unres(AFF),
    },
    {
      // securityscan ∉ {antivirusscan, value2}; topologyKey "" missing on the node.
      name: "affinity selector does not match the existing pod",
      pod: () => pod().labels(podLabel).req(term("", inReq("service", "antivirusscan", "value2"))).obj(),
      pods: () => [existing()],
      want: unres(AFF),
    },
    {
      // Both terms match the existing pod (service exists, wrongkey absent; service=securityscan ≠ WrongValue).
      name: "affinity with several operators in several terms",
      pod: () =>
        podWithTerms(
          DEFAULT_NS,
          podLabel2,
          [term("region", exists("service"), doesNotExist("wrongkey")), term("region", inReq("service", "securityscan"), notInReq("service", "WrongValue"))],
          undefined,
        ),
      pods: () => [existing()],
      want: null,
    },
    {
      // Second term wants securityscan2: no pod matches all terms → counts empty; the incoming pod
      // (security=S1, no service label) does not match its own first term → fails.
      name: "matchExpressions are ANDed: one mismatch fails the term",
      pod: () =>
        podWithTerms(
          DEFAULT_NS,
          podLabel2,
          [term("region", exists("service"), doesNotExist("wrongkey")), term("region", inReq("service", "securityscan2"), notInReq("service", "WrongValue"))],
          undefined,
        ),
      pods: () => [existing()],
      want: unres(AFF),
    },
    {
      // Anti term on topology "node", which node1 lacks → never counted.
      name: "affinity and anti-affinity both satisfied",
      pod: () =>
        pod()
          .labels(podLabel2)
          .req(term("region", inReq("service", "securityscan", "value2")))
          .reqAnti(term("node", inReq("service", "antivirusscan", "value2")))
          .obj(),
      pods: () => [existing()],
      want: null,
    },
    {
      // The existing pod's anti term uses topology "node" (absent) → not counted either.
      name: "affinity, anti-affinity and anti-affinity symmetry satisfied",
      pod: () =>
        pod()
          .labels(podLabel2)
          .req(term("region", inReq("service", "securityscan", "value2")))
          .reqAnti(term("node", inReq("service", "antivirusscan", "value2")))
          .obj(),
      pods: () => [pod().labels(podLabel).node("node1").reqAnti(term("node", inReq("service", "antivirusscan", "value2"))).obj()],
      want: null,
    },
    {
      // Anti term service ∈ {securityscan, value2} on zone: existing pod → zone=z11 count 1.
      name: "affinity satisfied, anti-affinity not",
      pod: () =>
        pod()
          .labels(podLabel2)
          .req(term("region", inReq("service", "securityscan", "value2")))
          .reqAnti(term("zone", inReq("service", "securityscan", "value2")))
          .obj(),
      pods: () => [existing()],
      want: unsched(ANTI),
    },
    {
      // The existing pod's anti term (service In securityscan, zone) matches the incoming pod → z11.
      name: "affinity and anti-affinity satisfied, existing pod's anti-affinity not",
      pod: () =>
        pod()
          .labels(podLabel)
          .req(term("region", inReq("service", "securityscan", "value2")))
          .reqAnti(term("node", inReq("service", "antivirusscan", "value2")))
          .obj(),
      pods: () => [pod().labels(podLabel).node("node1").reqAnti(term("zone", inReq("service", "securityscan", "value2"))).obj()],
      want: unsched(EXISTING),
    },
    {
      // The only securityscan pod is on node2, which does not exist; the incoming pod carries
      // service=securityscan so it fails its own NotIn term → no first-pod exception.
      name: "pod does not match its own NotIn term",
      pod: () => pod().labels(podLabel).req(term("region", notInReq("service", "securityscan", "value2"))).obj(),
      pods: () => [pod().labels(podLabel).node("node2").obj()],
      want: unres(AFF),
    },
    {
      name: "existing pod's anti-affinity is respected when the pod has none (violated)",
      pod: () => pod().labels(podLabel).obj(),
      pods: () => [pod().labels(podLabel).node("node1").reqAnti(term("zone", inReq("service", "securityscan", "value2"))).obj()],
      want: unsched(EXISTING),
    },
    {
      // NotIn {securityscan, value2} does not match the incoming pod → no counts, no terms → Skip.
      name: "existing pod's anti-affinity is respected when the pod has none (satisfied)",
      pod: () => pod().labels(podLabel).obj(),
      pods: () => [pod().labels(podLabel).node("node1").reqAnti(term("zone", notInReq("service", "securityscan", "value2"))).obj()],
      pre: ["Skip"],
    },
    {
      // Incoming anti "security exists" on region matches the existing S1 pod → region=r1.
      name: "incoming anti-affinity violated, existing one satisfied",
      pod: () => pod().labels(podLabel).reqAnti(term("region", exists("service"))).reqAnti(term("region", exists("security"))).obj(),
      pods: () => [pod().labels(podLabel2).node("node1").reqAnti(term("zone", exists("security"))).obj()],
      want: unsched(ANTI),
    },
    {
      name: "symmetry a1: incoming term 'security exists' matches the existing pod",
      pod: () => pod().labels(podLabel).reqAnti(term("zone", exists("service"))).reqAnti(term("zone", exists("security"))).obj(),
      pods: () => [pod().labels(podLabel2).node("node1").reqAnti(term("zone", exists("security"))).obj()],
      want: unsched(ANTI),
    },
    {
      // Incoming term (security exists) misses the service-only pod; the existing pod's second
      // term (security exists) matches the incoming S1 pod → existing violated.
      name: "symmetry a2: existing term matches the incoming pod",
      pod: () => pod().labels(podLabel2).reqAnti(term("zone", exists("security"))).obj(),
      pods: () => [pod().labels(podLabel).node("node1").reqAnti(term("zone", exists("service"))).reqAnti(term("zone", exists("security"))).obj()],
      want: unsched(EXISTING),
    },
    {
      // Incoming {abc, xyz} term "def exists" matches the existing {def, xyz} → anti first.
      name: "symmetry b1",
      pod: () => pod().labels({ abc: "", xyz: "" }).reqAnti(term("zone", exists("abc"))).reqAnti(term("zone", exists("def"))).obj(),
      pods: () => [pod().labels({ def: "", xyz: "" }).node("node1").reqAnti(term("zone", exists("abc"))).reqAnti(term("zone", exists("def"))).obj()],
      want: unsched(ANTI),
    },
    {
      name: "symmetry b2",
      pod: () => pod().labels({ def: "", xyz: "" }).reqAnti(term("zone", exists("abc"))).reqAnti(term("zone", exists("def"))).obj(),
      pods: () => [pod().labels({ abc: "", xyz: "" }).node("node1").reqAnti(term("zone", exists("abc"))).reqAnti(term("zone", exists("def"))).obj()],
      want: unsched(ANTI),
    },
    {
      name: "invalid affinity label value fails PreFilter",
      pod: () => pod().labels(podLabel).req(term("region", inReq("service", "{{.bad-value.}}"))).req(term("node", inReq("service", "antivirusscan", "value2"))).obj(),
      pods: () => [],
      pre: unres(badValue),
    },
    {
      name: "invalid label value in a later term fails PreFilter",
      pod: () => pod().labels(podLabel).req(term("region", inReq("service", "foo"))).req(term("node", inReq("service", "{{.bad-value.}}"))).obj(),
      pods: () => [],
      pre: unres(badValue),
    },
    {
      // namespaceSelector team=team1 resolves to subteam1.team1 and subteam2.team1.
      name: "affinity with namespaceSelector",
      pod: () =>
        podWithTerms(
          DEFAULT_NS,
          podLabel2,
          [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaceSelector: { matchExpressions: [inReq("team", "team1")] }, topologyKey: "region" }],
          undefined,
        ),
      pods: () => [pod().ns("subteam1.team1").labels(podLabel).node("node1").obj()],
      want: null,
    },
    {
      // subteam1.team2 is team2; the incoming pod's own namespace is not selected either.
      name: "affinity with non-matching namespaceSelector",
      pod: () =>
        podWithTerms(
          DEFAULT_NS,
          podLabel2,
          [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaceSelector: { matchExpressions: [inReq("team", "team1")] }, topologyKey: "region" }],
          undefined,
        ),
      pods: () => [pod().ns("subteam1.team2").labels(podLabel).node("node1").obj()],
      want: unres(AFF),
    },
    {
      name: "anti-affinity with matching namespaceSelector",
      pod: () =>
        podWithTerms(
          "subteam1.team1",
          podLabel2,
          undefined,
          [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaceSelector: { matchExpressions: [inReq("team", "team1")] }, topologyKey: "zone" }],
        ),
      pods: () => [pod().ns("subteam2.team1").labels(podLabel).node("node1").obj()],
      want: unsched(ANTI),
    },
    {
      // An empty namespaceSelector selects every namespace.
      name: "anti-affinity with match-all namespaceSelector",
      pod: () =>
        podWithTerms("subteam1.team1", podLabel2, undefined, [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaceSelector: {}, topologyKey: "zone" }]),
      pods: () => [pod().ns("subteam2.team1").labels(podLabel).node("node1").obj()],
      want: unsched(ANTI),
    },
    {
      name: "anti-affinity with non-matching namespaceSelector",
      pod: () =>
        podWithTerms(
          "subteam1.team1",
          podLabel2,
          undefined,
          [{ labelSelector: { matchExpressions: [inReq("service", "securityscan", "value2")] }, namespaceSelector: { matchExpressions: [inReq("team", "team1")] }, topologyKey: "zone" }],
        ),
      pods: () => [pod().ns("subteam1.team2").labels(podLabel).node("node1").obj()],
      want: null,
    },
  ];

  it.each(cases)("$name", ({ pod: incoming, pods, pre, want }) => {
    const run = runFilter(incoming(), pods(), [node1]);
    expect(run.preFilter).toEqual(pre ?? null);
    if (run.filter) expect(run.filter).toEqual([want ?? null]);
  });
});

// ---------------------------------------------------------------------------------------------
// Filtering: TestRequiredAffinityMultipleNodes

describe("Filter on several nodes (filtering_test.go TestRequiredAffinityMultipleNodes)", () => {
  const china = { region: "China" };
  const chinaAz1 = { region: "China", az: "az1" };
  const india = { region: "India" };
  const r1z1 = (h: string): Record<string, string> => ({ region: "r1", zone: "z1", hostname: h });
  const r1z = (z: string, h: string): Record<string, string> => ({ region: "r1", zone: z, hostname: h });
  const NS1 = { NS1: {} };

  const cases: { name: string; pod: () => Pod; pods: () => Pod[]; nodes: Node[]; pre?: Want; want?: Want[] }[] = [
    {
      // p1 (foo=bar) on node1 → region=China count 1: node1, node2 China pass; node3 India fails.
      name: "nodes sharing the topology value of a matching pod pass",
      pod: () => pod().req(term("region", inReq("foo", "bar"))).obj(),
      pods: () => [pod().node("node1").labels({ foo: "bar" }).obj()],
      nodes: [makeNode("node1", china), makeNode("node2", chinaAz1), makeNode("node3", india)],
      want: [null, null, unres(AFF)],
    },
    {
      // p1 lacks service → matches no pod on all terms → counts empty; the incoming pod matches both
      // of its own terms and both nodes have "zone" → first pod of the group passes everywhere.
      name: "first pod of a self-affine collection may go anywhere",
      pod: () => pod().labels({ foo: "bar", service: "securityscan" }).req(term("zone", inReq("foo", "bar"))).req(term("zone", inReq("service", "securityscan"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "bar" }).obj()],
      nodes: [makeNode("nodeA", { zone: "az1", hostname: "h1" }), makeNode("nodeB", { zone: "az2", hostname: "h2" })],
      want: [null, null],
    },
    {
      name: "first pod of the collection still needs the topology keys on the node",
      pod: () => pod().labels({ foo: "bar", service: "securityscan" }).req(term("zone", inReq("foo", "bar"))).req(term("zone", inReq("service", "securityscan"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "bar" }).obj()],
      nodes: [makeNode("nodeA", { zoneLabel: "az1", hostname: "h1" }), makeNode("nodeB", { zoneLabel: "az2", hostname: "h2" })],
      want: [unres(AFF), unres(AFF)],
    },
    {
      // foo=abc on nodeA → region=r1 count 1; nodeB shares r1.
      name: "anti-affinity blocks every node of the region",
      pod: () => pod().reqAnti(term("region", inReq("foo", "abc"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "abc" }).obj()],
      nodes: [makeNode("nodeA", { region: "r1", hostname: "nodeA" }), makeNode("nodeB", { region: "r1", hostname: "nodeB" })],
      want: [unsched(ANTI), unsched(ANTI)],
    },
    {
      // Counts region=r1 1, zone=z1 1: nodeA hits both, nodeB (z2) still hits region=r1.
      name: "anti-affinity: any term matching is enough",
      pod: () => pod().reqAnti(term("region", inReq("foo", "abc"))).reqAnti(term("zone", inReq("service", "securityscan"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "abc", service: "securityscan" }).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(ANTI), unsched(ANTI)],
    },
    {
      name: "anti-affinity: another region stays open",
      pod: () => pod().reqAnti(term("region", inReq("foo", "abc"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "abc" }).obj()],
      nodes: [makeNode("nodeA", china), makeNode("nodeB", chinaAz1), makeNode("nodeC", india)],
      want: [unsched(ANTI), unsched(ANTI), null],
    },
    {
      // NS1 foo=bar on nodeA → China blocked. nodeC's NS2 pod has anti foo=123 but only within NS2.
      name: "anti-affinity across namespaces",
      pod: () => pod().ns("NS1").labels({ foo: "123" }).reqAnti(term("region", inReq("foo", "bar"))).obj(),
      pods: () => [pod().node("nodeA").ns("NS1").labels({ foo: "bar" }).obj(), pod().node("nodeC").ns("NS2").reqAnti(term("region", inReq("foo", "123"))).obj()],
      nodes: [makeNode("nodeA", china), makeNode("nodeB", chinaAz1), makeNode("nodeC", india)],
      want: [unsched(ANTI), unsched(ANTI), null],
    },
    {
      // The existing term's topology key is on no node → nothing counted, pod has no terms → Skip.
      name: "existing anti-affinity with a topology key no node has → Skip",
      pod: () => pod().labels({ foo: "" }).obj(),
      pods: () => [pod().node("nodeA").reqAnti(term("invalid-node-label", exists("foo"))).obj()],
      nodes: [makeNode("nodeA", r1z1("nodeA")), makeNode("nodeB", r1z1("nodeB"))],
      pre: ["Skip"],
    },
    {
      name: "incoming anti-affinity: the selector matches but the topology key does not",
      pod: () => pod().node("nodeA").reqAnti(term("invalid-node-label", exists("foo"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "" }).obj()],
      nodes: [makeNode("nodeA", r1z1("nodeA")), makeNode("nodeB", r1z1("nodeB"))],
      want: [null, null],
    },
    {
      // Existing counts zone=z1 1 (foo) and region=r1 1 (bar): nodeA both, nodeB region.
      name: "existing anti-affinity: the pod violates a term on every node",
      pod: () => pod().labels({ foo: "", bar: "" }).obj(),
      pods: () => [pod().node("nodeA").reqAnti(term("zone", exists("foo"))).obj(), pod().node("nodeA").reqAnti(term("region", exists("bar"))).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(EXISTING), unsched(EXISTING)],
    },
    {
      // Anti counts zone=z1 1 (foo pod on nodeA) and region=r1 1 (bar pod on nodeB).
      name: "incoming anti-affinity: the pod violates a term on every node",
      pod: () => pod().reqAnti(term("zone", exists("foo"))).reqAnti(term("region", exists("bar"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "" }).obj(), pod().node("nodeB").labels({ bar: "" }).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(ANTI), unsched(ANTI)],
    },
    {
      // Only the zone term counts (zone=z1); the other key is on no node.
      name: "existing anti-affinity: selector and topology key must both match (one key invalid)",
      pod: () => pod().labels({ foo: "", bar: "" }).obj(),
      pods: () => [pod().node("nodeA").reqAnti(term("invalid-node-label", exists("foo"))).reqAnti(term("zone", exists("bar"))).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(EXISTING), null],
    },
    {
      name: "incoming anti-affinity: selector and topology key must both match (one key invalid)",
      pod: () => pod().reqAnti(term("invalid-node-label", exists("foo"))).reqAnti(term("zone", exists("bar"))).obj(),
      pods: () => [pod("podA").node("nodeA").labels({ foo: "", bar: "" }).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(ANTI), null],
    },
    {
      // region=r1 and zone=z1 counted: nodeB shares region r1.
      name: "existing anti-affinity: all keys valid",
      pod: () => pod().labels({ foo: "", bar: "" }).obj(),
      pods: () => [pod().node("nodeA").reqAnti(term("region", exists("foo"))).reqAnti(term("zone", exists("bar"))).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(EXISTING), unsched(EXISTING)],
    },
    {
      name: "incoming anti-affinity: all keys valid",
      pod: () => pod().reqAnti(term("region", exists("foo"))).reqAnti(term("zone", exists("bar"))).obj(),
      pods: () => [pod().node("nodeA").labels({ foo: "", bar: "" }).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unsched(ANTI), unsched(ANTI)],
    },
    {
      // zone=z1 (nodeA's pod, foo) and zone=z2 (nodeB's pod, bar) counted; z3 free.
      name: "existing anti-affinity: only the third zone is free",
      pod: () => pod().labels({ foo: "", bar: "" }).obj(),
      pods: () => [
        pod().node("nodeA").reqAnti(term("zone", exists("foo"))).reqAnti(term("zone", exists("labelA"))).obj(),
        pod().node("nodeB").reqAnti(term("zone", exists("bar"))).reqAnti(term("zone", exists("labelB"))).obj(),
      ],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB")), makeNode("nodeC", r1z("z3", "nodeC"))],
      want: [unsched(EXISTING), unsched(EXISTING), null],
    },
    {
      // pod1 has foo and bar → region=r1 1, zone=z1 1; both nodes are r1/z1.
      name: "incoming affinity: one pod matching all terms",
      pod: () => pod().req(term("region", exists("foo"))).req(term("zone", exists("bar"))).obj(),
      pods: () => [pod("pod1").labels({ foo: "", bar: "" }).node("nodeA").obj()],
      nodes: [makeNode("nodeA", r1z1("nodeA")), makeNode("nodeB", r1z1("nodeB"))],
      want: [null, null],
    },
    {
      // foo and bar are on different pods: no single pod matches all terms → counts empty, and the
      // incoming pod (no labels) does not match its own terms.
      name: "incoming affinity: all terms must be matched by the same pod",
      pod: () => pod().req(term("region", exists("foo"))).req(term("zone", exists("bar"))).obj(),
      pods: () => [pod("pod1").node("nodeA").labels({ foo: "" }).obj(), pod("pod2").node("nodeB").labels({ bar: "" }).obj()],
      nodes: [makeNode("nodeA", r1z("z1", "nodeA")), makeNode("nodeB", r1z("z2", "nodeB"))],
      want: [unres(AFF), unres(AFF)],
    },
  ];

  it.each(cases)("$name", ({ pod: incoming, pods, nodes, pre, want }) => {
    const run = runFilter(incoming(), pods(), nodes, NS1);
    expect(run.preFilter).toEqual(pre ?? null);
    if (run.filter) expect(run.filter).toEqual(want);
  });
});

// ---------------------------------------------------------------------------------------------
// PreFilter counts (TestGetTPMapMatchingIncomingAffinityAntiAffinity) and the extensions

const countsOf = (run: FilterRun): { affinity: Record<string, number>; anti: Record<string, number>; existing: Record<string, number> } => {
  const s = run.state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!;
  return { affinity: s.affinityCounts.toObject(), anti: s.antiAffinityCounts.toObject(), existing: s.existingAntiAffinityCounts.toObject() };
};

describe("PreFilter counts (filtering_test.go TestGetTPMapMatchingIncomingAffinityAntiAffinity)", () => {
  const nodeA = makeNode("nodeA", { hostname: "nodeA" });
  const normal = (...keys: string[]): Pod => pod("normal").node("nodeA").labels(Object.fromEntries(keys.map((k) => [k, ""]))).obj();

  it("a pod without terms skips (upstream: both maps empty)", () => {
    expect(runFilter(pod().obj(), [], [nodeA]).preFilter).toEqual(["Skip"]);
    expect(runFilter(pod().obj(), [normal("aaa")], [nodeA]).preFilter).toEqual(["Skip"]);
  });

  const cases: { name: string; existing: () => Pod; pod: () => Pod; affinity: Record<string, number>; anti: Record<string, number> }[] = [
    {
      name: "no pod has a label the terms select",
      existing: () => normal("bbb"),
      pod: () => pod().req(term("hostname", exists("aaa"))).reqAnti(term("hostname", exists("aaa"))).obj(),
      affinity: {},
      anti: {},
    },
    {
      name: "single term each",
      existing: () => normal("aaa"),
      pod: () => pod().req(term("hostname", exists("aaa"))).reqAnti(term("hostname", exists("aaa"))).obj(),
      affinity: { "hostname=nodeA": 1 },
      anti: { "hostname=nodeA": 1 },
    },
    {
      // The pod matches both affinity terms → one count per term: 2.
      name: "multiple affinity terms matched by one pod",
      existing: () => normal("aaa", "bbb"),
      pod: () => pod().req(term("hostname", exists("aaa"))).req(term("hostname", exists("bbb"))).reqAnti(term("hostname", exists("aaa"))).obj(),
      affinity: { "hostname=nodeA": 2 },
      anti: { "hostname=nodeA": 1 },
    },
    {
      name: "affinity not matched (needs aaa and bbb), anti-affinity matched",
      existing: () => normal("aaa"),
      pod: () =>
        pod().req(term("hostname", exists("aaa"))).req(term("hostname", exists("bbb"))).reqAnti(term("hostname", exists("aaa"))).reqAnti(term("hostname", exists("bbb"))).obj(),
      affinity: {},
      anti: { "hostname=nodeA": 1 },
    },
    {
      name: "anti-affinity partially violated (case 1)",
      existing: () => normal("aaa", "bbb"),
      pod: () =>
        pod().req(term("hostname", exists("aaa"))).req(term("hostname", exists("ccc"))).reqAnti(term("hostname", exists("aaa"))).reqAnti(term("hostname", exists("ccc"))).obj(),
      affinity: {},
      anti: { "hostname=nodeA": 1 },
    },
    {
      name: "anti-affinity partially violated (case 2)",
      existing: () => normal("bbb"),
      pod: () =>
        pod().req(term("hostname", exists("aaa"))).req(term("hostname", exists("bbb"))).reqAnti(term("hostname", exists("aaa"))).reqAnti(term("hostname", exists("bbb"))).obj(),
      affinity: {},
      anti: { "hostname=nodeA": 1 },
    },
  ];

  it.each(cases)("$name", ({ existing, pod: incoming, affinity, anti }) => {
    const c = countsOf(runFilter(incoming(), [existing()], [nodeA]));
    expect(c.affinity).toEqual(affinity);
    expect(c.anti).toEqual(anti);
  });
});

describe("PreFilterExtensions addPod / removePod (filtering_test.go TestPreFilterStateAddRemovePod)", () => {
  const label1 = { region: "r1", zone: "z11" };
  const label2 = { region: "r1", zone: "z12" };
  const label3 = { region: "r2", zone: "z21" };
  const fooBar = { foo: "bar" };
  const antiFooBar = (p: P): P => p.reqAnti(term("region", inReq("foo", "bar")));
  const complexTerms = [term("region", inReq("foo", "bar", "buzz")), term("zone", notInReq("service", "bar", "security", "test"))];
  const antiComplex = (p: P): P => complexTerms.reduce((acc, t) => acc.reqAnti(t), p);
  const affinityComplex = (p: P): P => complexTerms.reduce((acc, t) => acc.req(t), p);
  const nodes = [makeNode("nodeA", label1), makeNode("nodeB", label2), makeNode("nodeC", label3)];

  const cases: { name: string; pending: () => Pod; existing: () => Pod[]; added: () => Pod; anti: Record<string, number>; affinity: Record<string, number> }[] = [
    {
      // Pending anti foo=bar on region: p1 (nodeA, r1) + added (nodeB, r1) → region=r1 2.
      name: "anti-affinity counts",
      pending: () => antiFooBar(pod("pending").labels(fooBar)).obj(),
      existing: () => [pod("p1").labels(fooBar).node("nodeA").obj(), antiFooBar(pod("p2").node("nodeC")).obj()],
      added: () => antiFooBar(pod("addedPod").labels(fooBar).node("nodeB")).obj(),
      anti: { "region=r1": 2 },
      affinity: {},
    },
    {
      // term1 (foo ∈ {bar, buzz}, region): p1 and added on nodeA → r1 2. term2 (service ∉ {...},
      // zone) matches every pod without service: p1, added (z11) → 2, p2 (z21) → 1.
      name: "anti-affinity counts with a complex rule",
      pending: () => antiComplex(pod("pending").labels(fooBar)).obj(),
      existing: () => [pod("p1").labels(fooBar).node("nodeA").obj(), antiFooBar(pod("p2").node("nodeC")).obj()],
      added: () => antiComplex(pod("addedPod").labels(fooBar).node("nodeA")).obj(),
      anti: { "region=r1": 2, "zone=z11": 2, "zone=z21": 1 },
      affinity: {},
    },
    {
      // Affinity terms: p1 and added (both foo=bar, no service, nodeA) match both → r1 2, z11 2;
      // p2 has no foo → no match.
      name: "affinity counts",
      pending: () => affinityComplex(pod("pending").labels(fooBar)).obj(),
      existing: () => [pod("p1").labels(fooBar).node("nodeA").obj(), affinityComplex(antiFooBar(pod("p2").node("nodeC"))).obj()],
      added: () => antiComplex(pod("addedPod").labels(fooBar).node("nodeA")).obj(),
      anti: {},
      affinity: { "region=r1": 2, "zone=z11": 2 },
    },
  ];

  it.each(cases)("$name", ({ pending, existing, added, anti, affinity }) => {
    const pendingPod = pending();
    const addedPod = added();
    const existingPods = existing();
    // State computed with every pod, including the added one.
    const all = countsOf(runFilter(pendingPod, [...existingPods, addedPod], nodes));
    // State without the added pod, then AddPod.
    const run = runFilter(pendingPod, existingPods, nodes);
    const before = countsOf(run);
    const node = run.cluster.info(addedPod.spec.nodeName!);
    expect(run.plugin.addPod(run.state, podInfo(pendingPod), podInfo(addedPod), node).code).toBe("Success");
    const afterAdd = countsOf(run);
    expect(afterAdd.anti).toEqual(anti);
    expect(afterAdd.affinity).toEqual(affinity);
    expect(afterAdd).toEqual(all);
    expect(run.plugin.removePod(run.state, podInfo(pendingPod), podInfo(addedPod), node).code).toBe("Success");
    expect(countsOf(run)).toEqual(before);
  });

  it("the existing anti-affinity count follows added pods too (first case: p2 → r2, added → r1)", () => {
    const pendingPod = antiFooBar(pod("pending").labels(fooBar)).obj();
    const run = runFilter(pendingPod, [pod("p1").labels(fooBar).node("nodeA").obj(), antiFooBar(pod("p2").node("nodeC")).obj()], nodes);
    expect(countsOf(run).existing).toEqual({ "region=r2": 1 });
    const addedPod = antiFooBar(pod("addedPod").labels(fooBar).node("nodeB")).obj();
    run.plugin.addPod(run.state, podInfo(pendingPod), podInfo(addedPod), run.cluster.info("nodeB"));
    expect(countsOf(run).existing).toEqual({ "region=r1": 1, "region=r2": 1 });
    // nodeA (r1) is now blocked by the added pod's term, nodeC (r2) by p2's.
    expect(brief(run.plugin.filter(run.state, podInfo(pendingPod), run.cluster.info("nodeA")))).toEqual(unsched(ANTI));
  });

  it("a cloned state is independent (TestPreFilterStateClone) and removal restores a passing node", () => {
    const pendingPod = pod("pending").labels(fooBar).obj();
    const blocker = antiFooBar(pod("blocker").node("nodeA")).obj();
    const run = runFilter(pendingPod, [blocker], nodes);
    expect(run.filter).toEqual([unsched(EXISTING), unsched(EXISTING), null]);
    const clone = run.state.clone();
    // Preemption-style dry run on the clone: remove the blocker.
    run.plugin.removePod(clone, podInfo(pendingPod), podInfo(blocker), run.cluster.info("nodeA"));
    expect(brief(run.plugin.filter(clone, podInfo(pendingPod), run.cluster.info("nodeA")))).toBeNull();
    expect(brief(run.plugin.filter(run.state, podInfo(pendingPod), run.cluster.info("nodeA")))).toEqual(unsched(EXISTING));
    expect(clone.read<PreFilterState>(PRE_FILTER_STATE_KEY)).not.toBe(run.state.read<PreFilterState>(PRE_FILTER_STATE_KEY));
  });

  it("addPod / removePod are no-ops when PreFilter skipped", () => {
    const plugin = new InterPodAffinity();
    const state = new CycleState();
    const c = cluster(nodes, []);
    expect(plugin.preFilter(state, podInfo(pod().obj()), c.handle).status.code).toBe("Skip");
    expect(plugin.addPod(state, podInfo(pod().obj()), podInfo(pod().node("nodeA").obj()), c.info("nodeA")).code).toBe("Success");
  });

  it("Filter without PreFilter state is an Error (TestPreFilterDisabled)", () => {
    const c = cluster(nodes, []);
    const s = new InterPodAffinity().filter(new CycleState(), podInfo(pod().obj()), c.info("nodeA"));
    expect(s.code).toBe("Error");
    expect(s.reasons[0]).toContain('error reading "PreFilterInterPodAffinity" from cycleState');
  });
});

// ---------------------------------------------------------------------------------------------
// Term semantics beyond upstream's tables

describe("selectors", () => {
  it("CompiledSelector agrees with sim/cluster/selectors.ts matchesLabelSelector", () => {
    const selectors: LabelSelector[] = [
      {},
      { matchLabels: { a: "1" } },
      { matchLabels: { a: "1", b: "" } },
      { matchExpressions: [inReq("a", "1", "2")] },
      { matchExpressions: [notInReq("a", "1")] },
      { matchExpressions: [exists("a"), doesNotExist("b")] },
      { matchLabels: { a: "1" }, matchExpressions: [notInReq("b", "x")] },
      { matchLabels: { toString: "x" } },
    ];
    const labelSets: (Record<string, string> | undefined)[] = [undefined, {}, { a: "1" }, { a: "2" }, { a: "1", b: "" }, { a: "1", b: "x" }, { b: "y" }, { toString: "x" }];
    for (const sel of selectors) for (const l of labelSets) expect(new CompiledSelector(sel).matches(l)).toBe(matchesLabelSelector(sel, l));
  });

  it.each([
    [{ matchExpressions: [{ key: "a", operator: "In" as const, values: [] }] }, "for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: "a", operator: "Exists" as const, values: ["x"] }] }, "values set must be empty for exists and does not exist"],
    [{ matchLabels: { a: "-bad" } }, 'values[0][a]: Invalid value: "-bad"'],
    [{ matchExpressions: [inReq("a", "ok", "x".repeat(64))] }, "values[1][a]: Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 characters"],
  ])("selectorProblem(%j) mentions %s", (sel, want) => {
    expect(selectorProblem(sel)).toContain(want);
  });

  it("valid selectors have no problem", () => {
    expect(selectorProblem({ matchLabels: { a: "" }, matchExpressions: [inReq("b", "x.y_z-1"), doesNotExist("c")] })).toBeUndefined();
  });
});

describe("term semantics", () => {
  const zones = [makeNode("a", { zone: "za", hostname: "a" }), makeNode("b", { zone: "zb", hostname: "b" })];

  it("matchLabelKeys merges the pod's own value as `key In (value)`", () => {
    // Only the version=v2 pod (zone zb) matches app=web AND version In (v2).
    const incoming = pod()
      .labels({ app: "web", version: "v2" })
      .req({ labelSelector: { matchLabels: { app: "web" } }, matchLabelKeys: ["version"], topologyKey: "zone" })
      .obj();
    const pods = [pod().node("a").labels({ app: "web", version: "v1" }).obj(), pod().node("b").labels({ app: "web", version: "v2" }).obj()];
    expect(runFilter(incoming, pods, zones).filter).toEqual([unres(AFF), null]);
  });

  it("mismatchLabelKeys merges `key NotIn (value)`: anti-affinity towards other tenants only", () => {
    // tenant exists AND tenant NotIn (t1): only the t2 pod on b matches.
    const incoming = pod()
      .labels({ tenant: "t1" })
      .reqAnti({ labelSelector: { matchExpressions: [exists("tenant")] }, mismatchLabelKeys: ["tenant"], topologyKey: "zone" })
      .obj();
    const pods = [pod().node("a").labels({ tenant: "t1" }).obj(), pod().node("b").labels({ tenant: "t2" }).obj()];
    expect(runFilter(incoming, pods, zones).filter).toEqual([null, unsched(ANTI)]);
  });

  it("matchLabelKeys: keys the pod lacks are skipped; a nil labelSelector stays nil (selects nothing)", () => {
    const missingKey = pod()
      .labels({ app: "web" })
      .req({ labelSelector: { matchLabels: { app: "web" } }, matchLabelKeys: ["version"], topologyKey: "zone" })
      .obj();
    const pods = [pod().node("a").labels({ app: "web", version: "v1" }).obj()];
    // Selector stays app=web → the pod on a (zone za) matches; b has no match and counts are non-empty.
    expect(runFilter(missingKey, pods, zones).filter).toEqual([null, unres(AFF)]);
    // nil selector: no existing pod and not the pod itself match → fails everywhere.
    const nilSelector = pod().labels({ app: "web" }).req({ matchLabelKeys: ["app"], topologyKey: "zone" }).obj();
    expect(runFilter(nilSelector, pods, zones).filter).toEqual([unres(AFF), unres(AFF)]);
  });

  it("an empty labelSelector selects every pod of the term's namespaces; nil selects none", () => {
    const pods = [pod().node("a").labels({ x: "1" }).obj(), pod().node("b").ns("other").labels({ x: "1" }).obj()];
    // {} in namespace default: the pod on a (zone za) counts; b's pod is in "other".
    const empty = pod().reqAnti({ labelSelector: {}, topologyKey: "zone" }).obj();
    expect(runFilter(empty, pods, zones).filter).toEqual([unsched(ANTI), null]);
    const nil = pod().reqAnti({ topologyKey: "zone" }).obj();
    expect(runFilter(nil, pods, zones).filter).toEqual([null, null]);
  });

  it("an existing pod's term with namespaceSelector {} matches the incoming pod in any namespace", () => {
    const pods = [pod().node("a").ns("subteam1.team1").reqAnti({ labelSelector: { matchLabels: { app: "db" } }, namespaceSelector: {}, topologyKey: "zone" }).obj()];
    // "nowhere" has no Namespace object; Everything still matches.
    const incoming = pod().ns("nowhere").labels({ app: "db" }).obj();
    expect(runFilter(incoming, pods, zones).filter).toEqual([unsched(EXISTING), null]);
  });

  it("an existing pod's namespaceSelector is evaluated against the incoming pod's namespace labels", () => {
    const sel: LabelSelector = { matchExpressions: [inReq("team", "team2")] };
    const pods = [pod().node("a").ns("subteam1.team1").reqAnti({ labelSelector: { matchLabels: { app: "db" } }, namespaceSelector: sel, topologyKey: "zone" }).obj()];
    expect(runFilter(pod().ns("subteam2.team2").labels({ app: "db" }).obj(), pods, zones).filter).toEqual([unsched(EXISTING), null]);
    expect(runFilter(pod().ns("subteam2.team1").labels({ app: "db" }).obj(), pods, zones).preFilter).toEqual(["Skip"]);
  });

  it("an incoming pod's non-empty namespaceSelector only selects namespaces that exist", () => {
    // team DoesNotExist would match empty labels, but "ghost" has no Namespace object, so upstream's
    // namespace listing never yields it; subteam1.team1 has team=team1 and is not selected either.
    const sel: LabelSelector = { matchExpressions: [doesNotExist("team")] };
    const incoming = pod().ns("subteam1.team1").reqAnti({ labelSelector: { matchLabels: { app: "db" } }, namespaceSelector: sel, topologyKey: "zone" }).obj();
    const pods = [pod().node("a").ns("ghost").labels({ app: "db" }).obj()];
    expect(runFilter(incoming, pods, zones).filter).toEqual([null, null]);
    const withPlain = runFilter(incoming, pods, zones, { ...TEAM_NAMESPACES, ghost: {} });
    expect(withPlain.filter).toEqual([unsched(ANTI), null]);
  });

  it("explicit namespaces replace the pod's own namespace", () => {
    const incoming = pod().req({ labelSelector: { matchLabels: { app: "db" } }, namespaces: ["data"], topologyKey: "zone" }).obj();
    const pods = [pod().node("a").labels({ app: "db" }).obj(), pod().node("b").ns("data").labels({ app: "db" }).obj()];
    expect(runFilter(incoming, pods, zones).filter).toEqual([unres(AFF), null]);
  });

  it("PreFilter does not skip while an existing pod's required anti-affinity matches the pod", () => {
    // Required affinity of an existing pod does not matter for Filter; its anti-affinity does.
    const affOnly = [pod().node("a").req(term("zone", exists("x"))).obj()];
    expect(runFilter(pod().labels({ x: "1" }).obj(), affOnly, zones).preFilter).toEqual(["Skip"]);
    const antiPods = [pod().node("a").reqAnti(term("hostname", exists("x"))).obj()];
    expect(runFilter(pod().labels({ x: "1" }).obj(), antiPods, zones).filter).toEqual([unsched(EXISTING), null]);
  });

  it("replicas sharing one term object still get their own namespace and matchLabelKeys values", () => {
    // One affinity object shared by four replicas (as pods stamped from one template share a spec).
    const shared: Affinity = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, matchLabelKeys: ["version"], topologyKey: "hostname" }] },
    };
    const pods = [
      pod().node("a").ns("x").labels({ app: "web", version: "v1" }).affinity(shared).obj(), // x: app=web, version In (v1)
      pod().node("a").ns("x").labels({ app: "web", version: "v2" }).affinity(shared).obj(), // x: app=web, version In (v2)
      pod().node("a").ns("x").labels({ app: "web", version: "v2" }).affinity(shared).obj(), // same term again
      pod().node("b").ns("y").labels({ app: "web", version: "v2" }).affinity(shared).obj(), // y only
    ];
    // Incoming x/v2: the two v2 replicas in x (both on a) match → hostname=a 2; y's term is y-only.
    const run = runFilter(pod().ns("x").labels({ app: "web", version: "v2" }).obj(), pods, zones);
    expect(countsOf(run).existing).toEqual({ "hostname=a": 2 });
    expect(run.filter).toEqual([unsched(EXISTING), null]);
    // Incoming y/v1: only namespace y's term could match, and it wants v2 → nothing → Skip.
    expect(runFilter(pod().ns("y").labels({ app: "web", version: "v1" }).obj(), pods, zones).preFilter).toEqual(["Skip"]);
  });

  it("sees pods added to and removed from the cache between cycles (per-node cache invalidation)", () => {
    const c = cluster(zones, []);
    const plugin = new InterPodAffinity();
    const incoming = podInfo(pod().labels({ x: "1" }).obj());
    const cycle = (): { pre: Want; filter: Want[] } => {
      const state = new CycleState();
      const pre = brief(plugin.preFilter(state, incoming, c.handle).status);
      return { pre, filter: pre === null ? zones.map((n) => brief(plugin.filter(state, incoming, c.info(n.metadata.name)))) : [] };
    };
    expect(cycle().pre).toEqual(["Skip"]);
    const blocker = pod().node("b").reqAnti(term("zone", exists("x"))).obj();
    c.cache.addPod(blocker, "b");
    expect(cycle()).toEqual({ pre: null, filter: [null, unsched(EXISTING)] });
    c.cache.removePod(blocker.metadata.uid);
    expect(cycle().pre).toEqual(["Skip"]);
    // A relabelled node (upsertNode bumps the generation) moves the blocker's domain.
    c.cache.addPod(blocker, "b");
    c.cache.upsertNode(makeNode("a", { zone: "zb", hostname: "a" }));
    expect(cycle()).toEqual({ pre: null, filter: [unsched(EXISTING), unsched(EXISTING)] });
  });
});

// ---------------------------------------------------------------------------------------------
// Scoring: TestPreferredAffinity

describe("Score (scoring_test.go TestPreferredAffinity)", () => {
  const china = { region: "China" };
  const india = { region: "India" };
  const az1 = { az: "az1" };
  const az2 = { az: "az2" };
  const chinaAz1 = { region: "China", az: "az1" };
  const s1 = { security: "S1" };
  const s2 = { security: "S2" };

  const stayWithS1InRegion = (p: P): P => p.pref(5, term("region", inReq("security", "S1")));
  const stayWithS2InRegion = (p: P): P => p.pref(6, term("region", inReq("security", "S2")));
  const affinity3 = (p: P): P => p.pref(8, term("region", notInReq("security", "S1"), inReq("security", "S2"))).pref(2, term("region", exists("security"), doesNotExist("wrongkey")));
  const hardAffinity = (p: P): P => p.req(term("region", inReq("security", "S1", "value2"))).req(term("region", exists("security"), doesNotExist("wrongkey")));
  const awayFromS1InAz = (p: P): P => p.prefAnti(5, term("az", inReq("security", "S1")));
  const awayFromS2InAz = (p: P): P => p.prefAnti(5, term("az", inReq("security", "S2")));
  const stayWithS1InRegionAwayFromS2InAz = (p: P): P => p.pref(8, term("region", inReq("security", "S1"))).prefAnti(5, term("az", inReq("security", "S2")));
  const nsTerm = (): PodAffinityTerm => ({
    labelSelector: { matchExpressions: [inReq("security", "S1")] },
    topologyKey: "region",
    namespaces: ["subteam2.team2"],
    namespaceSelector: { matchExpressions: [inReq("team", "team1")] },
  });
  const affinityNamespaceSelector = (p: P): P => p.pref(5, nsTerm());
  const antiAffinityNamespaceSelector = (p: P): P => p.prefAnti(5, nsTerm());
  const n = (name: string, labels: Record<string, string>): Node => makeNode(name, labels);
  const on = (node: string, labels: Record<string, string> = {}): P => pod().node(node).labels(labels);

  const cases: { name: string; pod: () => Pod; pods: () => Pod[]; nodes: Node[]; want?: number[]; status?: Status["code"]; ignore?: boolean }[] = [
    {
      name: "no affinity anywhere → Skip",
      pod: () => pod().labels(s1).obj(),
      pods: () => [],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      status: "Skip",
    },
    {
      // S1 pods: node1 (China) → China +5; node3 has no region. Raw [5, 0, 0] → [100, 0, 0].
      name: "affinity: matching pod in the topology domain scores highest",
      pod: () => stayWithS1InRegion(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s2).obj(), on("node3", s1).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [100, 0, 0],
    },
    {
      // China +5 covers node1 and node2 (both China). Raw [5, 5, 0].
      name: "affinity: every node of the matching domain gets the same score",
      pod: () => stayWithS1InRegion(pod()).obj(),
      pods: () => [on("node1", s1).obj()],
      nodes: [n("node1", china), n("node2", chinaAz1), n("node3", india)],
      want: [100, 100, 0],
    },
    {
      // China: 4 S2 pods × 6 = 24; India: 2 × 6 = 12. min 12, max 24 → China 100, India 0
      // (min is taken over the scores, not 0: anchored at 0 India would get 50).
      name: "affinity: the region with more matches wins",
      pod: () => stayWithS2InRegion(pod().labels(s1)).obj(),
      pods: () => [on("node1", s2).obj(), on("node1", s2).obj(), on("node2", s2).obj(), on("node3", s2).obj(), on("node4", s2).obj(), on("node5", s2).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", china), n("node4", china), n("node5", india)],
      want: [100, 0, 100, 100, 0],
    },
    {
      // Term w8 (NotIn S1, In S2): node2's S2 pod → India +8. Term w2 (security exists, wrongkey
      // absent): node1 → China +2, node2 → India +2, node3 no region. Raw [2, 10, 0] → 100×2/10 = 20.
      name: "affinity: several operators, some mismatching",
      pod: () => affinity3(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s2).obj(), on("node3", s1).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [20, 100, 0],
    },
    {
      // node2's pod prefers S2 in its region; the incoming pod is S2 → India +6. Raw [0, 6, 0].
      name: "affinity symmetry: existing pods' preferred terms",
      pod: () => pod().labels(s2).obj(),
      pods: () => [stayWithS1InRegion(on("node1", s1)).obj(), stayWithS2InRegion(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [0, 100, 0],
    },
    {
      // node1's pod term: namespaces [subteam2.team2] or team=team1 — the incoming pod's namespace
      // subteam1.team1 is team1, labels S1 → China +5. Raw [5, 0, 0].
      name: "affinity symmetry with namespaceSelector",
      pod: () => pod().ns("subteam1.team1").labels(s1).obj(),
      pods: () => [affinityNamespaceSelector(on("node1", s1)).obj(), stayWithS2InRegion(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [100, 0, 0],
    },
    {
      // Same term as anti-affinity → China −5. Raw [−5, 0, 0]: min −5, max 0 → [0, 100, 100].
      name: "anti-affinity symmetry with namespaceSelector",
      pod: () => pod().ns("subteam1.team1").labels(s1).obj(),
      pods: () => [antiAffinityNamespaceSelector(on("node1", s1)).obj(), stayWithS2InRegion(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [0, 100, 100],
    },
    {
      // Both existing pods have 2 required terms the S1 pod matches → +1 each (hardPodAffinityWeight
      // 1): China 2, India 2, az1 node 0 → [100, 100, 0].
      name: "affinity symmetry: existing pods' required terms count with hardPodAffinityWeight",
      pod: () => pod().labels(s1).obj(),
      pods: () => [hardAffinity(on("node1", s1)).obj(), hardAffinity(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india), n("node3", az1)],
      want: [100, 100, 0],
    },
    {
      // az1 −5 (S1 pod on node1). Raw [−5, 0].
      name: "anti-affinity: a node without matching pods scores higher",
      pod: () => awayFromS1InAz(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s2).obj()],
      nodes: [n("node1", az1), n("node2", china)],
      want: [0, 100],
    },
    {
      // node2's S1 pod sits on a node without az → not counted. Raw [−5, 0].
      name: "anti-affinity: a node without the topology key scores higher",
      pod: () => awayFromS1InAz(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s1).obj()],
      nodes: [n("node1", az1), n("node2", china)],
      want: [0, 100],
    },
    {
      // az1: 2 × −5 = −10. Raw [−10, 0].
      name: "anti-affinity: more matches, lower score",
      pod: () => awayFromS1InAz(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node1", s1).obj(), on("node2", s2).obj()],
      nodes: [n("node1", az1), n("node2", india)],
      want: [0, 100],
    },
    {
      // node1's pod avoids S2 in its az; the incoming pod is S2 → az1 −5. Raw [−5, 0].
      name: "anti-affinity symmetry",
      pod: () => pod().labels(s2).obj(),
      pods: () => [awayFromS2InAz(on("node1", s1)).obj(), awayFromS1InAz(on("node2", s2)).obj()],
      nodes: [n("node1", az1), n("node2", az2)],
      want: [0, 100],
    },
    {
      // Affinity S1 in region: node1's pod → China +8; node2 has no region. No S2 pods. Raw [8, 0].
      name: "affinity and anti-affinity together",
      pod: () => stayWithS1InRegionAwayFromS2InAz(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s1).obj()],
      nodes: [n("node1", china), n("node2", az1)],
      want: [100, 0],
    },
    {
      // China pods: 2 + 2 + 1 = 5 → 40; India pods: 1 + 1 = 2 → 16. No S2 → no anti. Raw
      // [40, 16, 40, 40, 16].
      name: "affinity and anti-affinity towards the pod's own kind",
      pod: () => stayWithS1InRegionAwayFromS2InAz(pod().labels(s1)).obj(),
      pods: () => [
        on("node1", s1).obj(),
        on("node1", s1).obj(),
        on("node2", s1).obj(),
        on("node3", s1).obj(),
        on("node3", s1).obj(),
        on("node4", s1).obj(),
        on("node5", s1).obj(),
      ],
      nodes: [n("node1", chinaAz1), n("node2", india), n("node3", china), n("node4", china), n("node5", india)],
      want: [100, 0, 100, 100, 0],
    },
    {
      // Affinity: node1 S1 → China +8. Anti: node2 S2 → az1 −5. Symmetry: node3's pod prefers S1 in
      // region → India +8; node4's pod avoids S1 in az → az2 −5. Raw [8, −5, 8, −5].
      name: "affinity, anti-affinity and both symmetries",
      pod: () => stayWithS1InRegionAwayFromS2InAz(pod().labels(s1)).obj(),
      pods: () => [on("node1", s1).obj(), on("node2", s2).obj(), stayWithS1InRegionAwayFromS2InAz(on("node3")).obj(), awayFromS1InAz(on("node4")).obj()],
      nodes: [n("node1", china), n("node2", az1), n("node3", india), n("node4", az2)],
      want: [100, 0, 100, 0],
    },
    {
      // node2's pod prefers S1 in region → China +8 on both nodes: max = min → [0, 0].
      name: "only some nodes of a domain host pods with affinity (issue 82796)",
      pod: () => pod().labels(s1).obj(),
      pods: () => [on("node1", s1).obj(), stayWithS1InRegionAwayFromS2InAz(on("node2")).obj()],
      nodes: [n("node1", china), n("node2", china)],
      want: [0, 0],
    },
    {
      // Merged namespaces: subteam2.team2 ∪ {subteam1.team1, subteam2.team1}. node1: two
      // subteam1.team1 pods → China +10 (subteam1.team2 is team2); node2: subteam2.team1 → India +5.
      name: "affinity with pods matching namespaceSelector",
      pod: () => affinityNamespaceSelector(pod().ns("subteam1.team1").labels(s1)).obj(),
      pods: () => [
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team2").obj(),
        on("node2", s1).ns("subteam2.team1").obj(),
      ],
      nodes: [n("node1", china), n("node2", india)],
      want: [100, 0],
    },
    {
      // node1: 2 × subteam1.team1 + subteam2.team2 (listed) → +15; node2 → +5.
      name: "affinity with pods matching both namespaceSelector and namespaces",
      pod: () => affinityNamespaceSelector(pod().ns("subteam1.team1").labels(s1)).obj(),
      pods: () => [
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam2.team2").obj(),
        on("node2", s1).ns("subteam2.team1").obj(),
      ],
      nodes: [n("node1", china), n("node2", india)],
      want: [100, 0],
    },
    {
      // Anti: node1 −10, node2 −5 → min −10, max −5 → [0, 100].
      name: "anti-affinity with pods matching namespaceSelector",
      pod: () => antiAffinityNamespaceSelector(pod().ns("subteam1.team1").labels(s1)).obj(),
      pods: () => [
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team2").obj(),
        on("node2", s1).ns("subteam2.team1").obj(),
      ],
      nodes: [n("node1", china), n("node2", india)],
      want: [0, 100],
    },
    {
      // node1 −15, node2 −5.
      name: "anti-affinity with pods matching both namespaceSelector and namespaces",
      pod: () => antiAffinityNamespaceSelector(pod().ns("subteam1.team1").labels(s1)).obj(),
      pods: () => [
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam1.team1").obj(),
        on("node1", s1).ns("subteam2.team2").obj(),
        on("node2", s1).ns("subteam2.team1").obj(),
      ],
      nodes: [n("node1", china), n("node2", india)],
      want: [0, 100],
    },
    {
      name: "ignorePreferredTermsOfExistingPods and no preferred terms → Skip",
      pod: () => pod().labels(s2).obj(),
      pods: () => [stayWithS1InRegionAwayFromS2InAz(on("node1", s1)).obj(), stayWithS2InRegion(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india)],
      ignore: true,
      status: "Skip",
    },
    {
      // node1's pod: prefers S1 (no), avoids S2 in az (node1 has no az). node2's: S2 in region → +6.
      name: "existing pods' preferred terms are not ignored by default",
      pod: () => pod().labels(s2).obj(),
      pods: () => [stayWithS1InRegionAwayFromS2InAz(on("node1", s1)).obj(), stayWithS2InRegion(on("node2", s2)).obj()],
      nodes: [n("node1", china), n("node2", india)],
      want: [0, 100],
    },
    {
      name: "no nodes → Skip",
      pod: () => pod().labels(s2).obj(),
      pods: () => [],
      nodes: [],
      status: "Skip",
    },
  ];

  it.each(cases)("$name", ({ pod: incoming, pods, nodes, want, status, ignore }) => {
    const r = runScore(incoming(), pods(), nodes, { ignorePreferredTermsOfExistingPods: ignore ?? false });
    expect(r.preScore.code).toBe(status ?? "Success");
    if (want) expect(r.scores).toEqual(want);
  });

  it("invalid preferred terms fail PreScore with an Error", () => {
    const bad = (p: P): Pod => p.obj();
    for (const incoming of [
      bad(pod().pref(8, term("region", inReq("security", "{{.bad-value.}}")))),
      bad(pod().prefAnti(5, term("az", inReq("security", "{{.bad-value.}}")))),
    ]) {
      const r = runScore(incoming, [], [n("node1", china), n("node2", china)]);
      expect(r.preScore.code).toBe("Error");
      expect(r.preScore.reasons[0]).toContain('Invalid value: "{{.bad-value.}}"');
    }
  });

  it("with preferred terms of its own, the pod still counts existing pods' terms when ignoring is on", () => {
    // Incoming: prefers S1 in region (w5); node1's S1 pod → China +5. node2's pod prefers S2 in
    // region and the incoming pod is S2 → India +6. Raw [5, 6] → min 5, max 6 → [0, 100].
    const r = runScore(stayWithS1InRegion(pod().labels(s2)).obj(), [on("node1", s1).obj(), stayWithS2InRegion(on("node2", s2)).obj()], [n("node1", china), n("node2", india)], {
      ignorePreferredTermsOfExistingPods: true,
    });
    expect(r.raw).toEqual([5, 6]);
    expect(r.scores).toEqual([0, 100]);
  });

  it("sums existing pods' required and preferred terms per domain", () => {
    // node1 (China): pod A with a required term selecting S1 (hard weight 3) and a preferred term
    // (w4) selecting S1, pod B with the same preferred term object (w4) → 3 + 4 + 4 = 11.
    // node2 (India): pod C avoids S1 (w2) → −2. node3 (az only) → 0. Incoming S1, no terms.
    // Raw [11, −2, 0]: min −2, max 11, diff 13 → [100, 0, trunc(100 × 2/13) = trunc(15.38) = 15].
    const sharedPref = term("region", inReq("security", "S1"));
    const pods = [
      on("node1").req(term("region", exists("security"))).pref(4, sharedPref).obj(),
      on("node1").pref(4, sharedPref).obj(),
      on("node2").prefAnti(2, term("region", inReq("security", "S1"))).obj(),
    ];
    const r = runScore(pod().labels(s1).obj(), pods, [n("node1", china), n("node2", india), n("node3", az1)], { hardPodAffinityWeight: 3 });
    expect(r.raw).toEqual([11, -2, 0]);
    expect(r.scores).toEqual([100, 0, 15]);
  });

  it("terms whose weights cancel still count as scored (Success, all 0)", () => {
    // +5 (affinity) and −5 (anti-affinity) on China: an entry exists, so no Skip; raw [0, 0].
    const incoming = pod().labels(s1).pref(5, term("region", inReq("security", "S1"))).prefAnti(5, term("region", inReq("security", "S1"))).obj();
    const r = runScore(incoming, [on("node1", s1).obj()], [n("node1", china), n("node2", india)]);
    expect(r.preScore.code).toBe("Success");
    expect(r.raw).toEqual([0, 0]);
    expect(r.scores).toEqual([0, 0]);
  });
});

describe("Score with hardPodAffinityWeight (scoring_test.go TestPreferredAffinityWithHardPodAffinitySymmetricWeight)", () => {
  const hardPodAffinity = (p: P): P =>
    p.req({
      labelSelector: { matchExpressions: [inReq("service", "S1")] },
      namespaces: [DEFAULT_NS, "subteam2.team2"],
      namespaceSelector: { matchExpressions: [inReq("team", "team1")] },
      topologyKey: "region",
    });
  const nodes = [makeNode("node1", { region: "China" }), makeNode("node2", { region: "India" }), makeNode("node3", { az: "az1" })];
  const pods = (): Pod[] => [hardPodAffinity(pod().node("node1")).obj(), hardPodAffinity(pod().node("node2")).obj()];

  const cases: { name: string; ns: string; weight: number; want?: number[] }[] = [
    // China +1, India +1, node3 0 → [100, 100, 0].
    { name: "default weight", ns: DEFAULT_NS, weight: 1, want: [100, 100, 0] },
    // Weight 0: the required terms are not counted; nothing else → Skip.
    { name: "zero weight → Skip", ns: DEFAULT_NS, weight: 0 },
    // subteam1.team2 is neither listed nor team1 → Skip.
    { name: "no matching namespace → Skip", ns: "subteam1.team2", weight: 1 },
    { name: "matching namespaceSelector", ns: "subteam1.team1", weight: 1, want: [100, 100, 0] },
    { name: "matching namespaces", ns: "subteam2.team2", weight: 1, want: [100, 100, 0] },
  ];

  it.each(cases)("$name", ({ ns, weight, want }) => {
    const r = runScore(pod().ns(ns).labels({ service: "S1" }).obj(), pods(), nodes, { hardPodAffinityWeight: weight });
    expect(r.preScore.code).toBe(want ? "Success" : "Skip");
    if (want) expect(r.scores).toEqual(want);
  });

  it("weight 7 scales the required-term contribution", () => {
    // One existing pod on China with the required term; India has none: raw [7, 0, 0].
    const r = runScore(pod().labels({ service: "S1" }).obj(), [hardPodAffinity(pod().node("node1")).obj()], nodes, { hardPodAffinityWeight: 7 });
    expect(r.raw).toEqual([7, 0, 0]);
    expect(r.scores).toEqual([100, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// NormalizeScore arithmetic

describe("NormalizeScore", () => {
  it.each([
    // min/max over the scores: 5..13, diff 8: (0, 100×3/8 = 37.5 → 37, 100).
    [[5, 8, 13], [0, 37, 100]],
    // Negative: −5..3, diff 8: (0, 100×5/8 = 62.5 → 62, 100).
    [[-5, 0, 3], [0, 62, 100]],
    // 100 × (1/3) = 33.33… → 33; 100 × (2/3) = 66.66… → 66 (truncated, not rounded).
    [[0, 1, 2, 3], [0, 33, 66, 100]],
    // float64: 29/100 = 0.29 (slightly below), × 100 = 28.999999999999996 → 28, as in Go.
    [[0, 29, 100], [0, 28, 100]],
    // All equal → all 0, even when positive.
    [[7, 7, 7], [0, 0, 0]],
    [[-4], [0]],
  ])("%j → %j", (raw, want) => {
    const scores = [...raw];
    normalizeInterPodAffinityScores(scores);
    expect(scores).toEqual(want);
  });
});

// ---------------------------------------------------------------------------------------------
// Args and factory

describe("InterPodAffinityArgs and the factory", () => {
  it("defaults hardPodAffinityWeight to 1 and ignorePreferredTermsOfExistingPods to false", () => {
    expect(interPodAffinityArgsSchema.parse(undefined)).toEqual({ hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false });
    expect(interPodAffinityArgsSchema.parse({})).toEqual({ hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false });
    expect(interPodAffinityArgsSchema.parse({ hardPodAffinityWeight: 0, ignorePreferredTermsOfExistingPods: true })).toEqual({
      hardPodAffinityWeight: 0,
      ignorePreferredTermsOfExistingPods: true,
    });
    expect(interPodAffinityArgsSchema.parse({ hardPodAffinityWeight: 100 }).hardPodAffinityWeight).toBe(100);
  });

  it.each([{ hardPodAffinityWeight: 101 }, { hardPodAffinityWeight: -1 }, { hardPodAffinityWeight: 1.5 }, { hardPodAffinityWeight: "1" }, { unknownField: true }])(
    "rejects %j",
    (bad) => {
      expect(interPodAffinityArgsSchema.safeParse(bad).success).toBe(false);
    },
  );

  it("creates one plugin implementing PreFilter, Filter, PreScore and Score", () => {
    expect(interPodAffinityFactory.name).toBe("InterPodAffinity");
    const p = interPodAffinityFactory.create(interPodAffinityFactory.args!.parse({}));
    expect(p.name).toBe("InterPodAffinity");
    expect([isPreFilter(p), isFilter(p), isPreScore(p), isScore(p)]).toEqual([true, true, true, true]);
  });
});

// ---------------------------------------------------------------------------------------------
// Inside the framework

describe("InterPodAffinity in FrameworkRunner", () => {
  it("filters, skips and scores through the framework (weight 2)", () => {
    const nodes = [makeNode("n1", { zone: "a" }), makeNode("n2", { zone: "a" }), makeNode("n3", { zone: "b" }), makeNode("n4", { zone: "c" })];
    // A db pod on n1 (zone a) that repels other db pods zone-wide; a cache pod on n3 (zone b).
    const pods = [pod().node("n1").labels({ app: "db" }).reqAnti(term("zone", inReq("app", "db"))).obj(), pod().node("n3").labels({ app: "cache" }).obj()];
    const c = cluster(nodes, pods);
    const plugin = interPodAffinityFactory.create(interPodAffinityArgsSchema.parse({})) as InterPodAffinity;
    const profile: Profile = { schedulerName: "s", preFilter: [plugin], filter: [plugin], preScore: [plugin], score: [{ plugin, weight: 2 }] };
    const runner = new FrameworkRunner(new Rng(1, "runner"), 0);

    // Another db pod preferring to sit next to a cache (w10): zone a is blocked by the existing
    // pod's anti-affinity; zone b has the cache → raw n3 10, n4 0 → normalised 100, 0; × 2.
    const db = pod().labels({ app: "db" }).pref(10, term("zone", inReq("app", "cache"))).obj();
    const r = runner.schedule(profile, podInfo(db), c.handle.nodes, 0, true, { namespaceLabels: (ns) => TEAM_NAMESPACES[ns], workloadSelectors: () => [] });
    expect(r.node).toBe("n3");
    expect([...r.failures].map(([n, s]) => [n, s.code, s.reasons[0], s.plugin])).toEqual([
      ["n1", "Unschedulable", EXISTING, "InterPodAffinity"],
      ["n2", "Unschedulable", EXISTING, "InterPodAffinity"],
    ]);
    const totals = Object.fromEntries(r.decisions!.filter((d) => d.feasible).map((d) => [d.name, d.total]));
    expect(totals).toEqual({ n3: 200, n4: 0 });

    // A pod without terms, with no matching anti-affinity anywhere: PreFilter and PreScore skip.
    const plain = pod().labels({ app: "web" }).obj();
    const r2 = runner.schedule(profile, podInfo(plain), c.handle.nodes, 0, true, { namespaceLabels: () => undefined, workloadSelectors: () => [] });
    expect(r2.failures.size).toBe(0);
    expect(r2.state.skipFilter.has("InterPodAffinity")).toBe(true);
    expect(r2.state.skipScore.has("InterPodAffinity")).toBe(true);
  });
});
