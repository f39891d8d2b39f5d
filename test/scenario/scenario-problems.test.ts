import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_COMPONENTS } from "../../sim/scenario/defaults.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadScenario, validateFile } from "../../sim/scenario/load.js";

// Files are written to a temp dir and named relative to it in messages ("x.yaml", "later.yaml").
const dir = mkdtempSync(join(tmpdir(), "simk-scenario-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function show(problems: { file: string; line?: number; column?: number; path?: string; message: string }[]): string[] {
  return problems.map((p) => formatProblem({ ...p, file: relative(dir, p.file) }));
}

function problems(text: string): string[] {
  return show(validateFile(write("x.yaml", text)));
}

function loadProblems(text: string): string[] {
  try {
    loadScenario(write("x.yaml", text));
  } catch (e) {
    if (e instanceof InputError) return show(e.problems);
    throw e;
  }
  throw new Error("expected an InputError");
}

const ACTIONS = "failNode, recoverNode, removeNode, cordon, uncordon, drain, addNodes, scale, rollout, apply, delete, failComponent, setTraffic";

describe("Scenario document", () => {
  it("a minimal scenario: a number of seconds as duration, defaults everywhere", () => {
    const scenario = loadScenario(
      write("min.yaml", "apiVersion: simk.dev/v1alpha1\nkind: Scenario\nmetadata: {name: min}\nspec: {duration: 600}\n"),
    );
    expect(scenario).toEqual({
      name: "min",
      file: join(dir, "min.yaml"),
      duration: 600_000_000,
      seed: 1,
      sampleInterval: 1_000_000,
      nodePools: [],
      components: DEFAULT_COMPONENTS,
      manifests: [],
      timeline: [],
      expect: [],
      schedulerConfigs: [],
    });
  });

  it("reports every schema problem at once, each at its node", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata:
  name: demo
  descripton: typo
spec:
  duration: 10 min
  sampleInterval: 0
  nodepools: []
  nodePools:
    - name: worker
      count: 2
      template:
        allocatable: {cpu: "4"}
  components:
    kubelet:
      startupDelay: {distribution: uniform, min: 2s, max: 1s}
      readinessDelay: {distribution: normal, mean: 1s}
  timeline:
    - {at: 1m, action: failnode, node: worker-0}
    - {at: 1m, node: worker-0}
  expect:
    - {metric: pods.pending, stat: avg, op: "=", value: 0}
`),
    ).toEqual([
      'x.yaml:5:3: metadata: unknown field "descripton" (did you mean "description"?)',
      'x.yaml:7:13: spec.duration: invalid duration "10 min": expected a Go duration such as 90s, 5m, 1h30m or 250ms (units ns, us, ms, s, m, h), or a number of seconds',
      "x.yaml:8:19: spec.sampleInterval: must be greater than 0",
      'x.yaml:9:3: spec: unknown field "nodepools" (did you mean "nodePools"?)',
      'x.yaml:14:22: spec.nodePools[0].template.allocatable: allocatable must include cpu and memory, e.g. {cpu: "4", memory: 16Gi}',
      "x.yaml:17:59: spec.components.kubelet.startupDelay.max: max must be >= min",
      'x.yaml:18:38: spec.components.kubelet.readinessDelay.distribution: distribution must be one of constant, uniform, exponential, lognormal; got string "normal"',
      `x.yaml:20:24: spec.timeline[0].action: action must be one of ${ACTIONS}; got string "failnode" (did you mean "failNode"?)`,
      `x.yaml:21:7: spec.timeline[1]: missing required field "action" (one of ${ACTIONS})`,
      'x.yaml:23:36: spec.expect[0].stat: stat must be one of last, min, max, mean or a percentile such as p50, p99, p99.9; got string "avg"',
      'x.yaml:23:45: spec.expect[0].op: op must be one of <, <=, ==, !=, >=, >; got string "=" (did you mean "=="?)',
    ]);
  });

  it("wrong apiVersion, missing required field (at the parent mapping), non-integer", () => {
    expect(problems("apiVersion: simk.dev/v1\nkind: Scenario\nmetadata: {name: x}\nspec: {seed: 1.5}\n")).toEqual([
      'x.yaml:1:13: apiVersion: apiVersion must be "simk.dev/v1alpha1", got string "simk.dev/v1"',
      'x.yaml:4:7: spec: missing required field "duration"',
      "x.yaml:4:14: spec.seed: expected an integer, got number 1.5",
    ]);
  });

  it("exactly one Scenario document: none is a problem", () => {
    expect(loadProblems("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")).toEqual([
      "x.yaml:1:1: no Scenario document: a scenario file needs one document with apiVersion: simk.dev/v1alpha1 and kind: Scenario",
    ]);
  });

  it("exactly one Scenario document: a second one is a problem", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: a}
spec: {duration: 1m}
---
apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: b}
spec: {duration: 1m}
`),
    ).toEqual(["x.yaml:7:7: kind: a scenario file holds exactly one Scenario document; the first is at line 1"]);
  });

  it("a YAML error in the Scenario document is reported once, not as a missing Scenario", () => {
    expect(problems("apiVersion: simk.dev/v1alpha1\nkind: Scenario\nkind: Scenario\n")).toEqual([
      "x.yaml:3:1: invalid YAML: Map keys must be unique",
    ]);
  });

  it("caps the list at 20 problems and counts the rest", () => {
    const labels = Array.from({ length: 25 }, (_, i) => `    l${i}: ${i}`).join("\n");
    const lines = problems(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n${labels}\n`);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('x.yaml:6:9: metadata.labels.l0: expected a string, got number 0 (quote it: "0")');
    expect(lines[20]).toBe("x.yaml: 5 more problems not shown");
  });
});

describe("timeline cross-references", () => {
  it("nodes must exist at that moment: unknown, added later, removed earlier; pools must exist; at < duration", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: timeline}
spec:
  duration: 10m
  nodePools:
    - {name: n, count: 2, template: {allocatable: {cpu: "1", memory: 1Gi}}}
  timeline:
    - {at: 1m, action: failNode, node: n-9}
    - {at: 1m, action: failNode, node: n-3}
    - {at: 2m, action: addNodes, pool: n, count: 2}
    - {at: 3m, action: failNode, node: n-3}
    - {at: 3m, action: removeNode, node: n-3}
    - {at: 4m, action: cordon, node: n-3}
    - {at: 4m, action: addNodes, pool: m, count: 1}
    - {at: 10m, action: drain, node: n-0}
`),
    ).toEqual([
      'x.yaml:9:40: spec.timeline[0].node: unknown node "n-9"; known nodes: n-0, n-1 (did you mean "n-0"?)',
      'x.yaml:10:40: spec.timeline[1].node: unknown node "n-3" at this time: it is only added at 2m0s (spec.timeline[2])',
      // timeline[3] (n-3 at 3m, after addNodes at 2m) is fine.
      'x.yaml:14:38: spec.timeline[5].node: unknown node "n-3" at this time: it was removed at 3m0s (spec.timeline[4])',
      'x.yaml:15:40: spec.timeline[6].pool: unknown node pool "m" (did you mean "n"?); pools: n',
      "x.yaml:16:12: spec.timeline[7].at: 10m0s is not before the end of the scenario (duration 10m0s)",
    ]);
  });

  it("an entry written earlier in the file but happening later sees nodes added before it", () => {
    const scenario = loadScenario(
      write(
        "order.yaml",
        `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: order}
spec:
  duration: 10m
  nodePools: [{name: n, count: 1, template: {allocatable: {cpu: "1", memory: 1Gi}}}]
  timeline:
    - {at: 5m, action: drain, node: n-2}
    - {at: 1m, action: addNodes, pool: n, count: 2}
`,
      ),
    );
    expect(scenario.timeline.map((a) => a.action)).toEqual(["addNodes", "drain"]);
  });

  it("targets must name an existing object of a suitable kind", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: targets}
spec:
  duration: 10m
  timeline:
    - {at: 1m, action: scale, target: Deployment/default/webb, replicas: 2}
    - {at: 1m, action: scale, target: Service/web, replicas: 2}
    - {at: 1m, action: rollout, target: Deployment/web, template: {image: x}}
    - {at: 2m, action: delete, target: Deployment/web}
    - {at: 3m, action: scale, target: Deployment/web, replicas: 1}
    - {at: 3m, action: delete, target: web}
    - {at: 4m, action: scale, target: Deployment/default/api, replicas: 1}
    - at: 3m
      action: apply
      manifest: {apiVersion: apps/v1, kind: Deployment, metadata: {name: api}, spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}}
    - {at: 5m, action: delete, target: Node/default/n-0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
`),
    ).toEqual([
      'x.yaml:7:39: spec.timeline[0].target: unknown Deployment/default/webb; defined Deployments: default/web (did you mean "Deployment/default/web"?)',
      'x.yaml:8:39: spec.timeline[1].target: scale works on Deployment, ReplicaSet; got kind "Service"',
      // rollout at 1m and delete at 2m are fine; scale at 4m follows the apply at 3m.
      "x.yaml:11:39: spec.timeline[4].target: unknown Deployment/default/web at this time: it was deleted at 2m0s (spec.timeline[3])",
      'x.yaml:12:40: spec.timeline[5].target: target must be "Kind/namespace/name" or "Kind/name" (e.g. Deployment/default/web), got "web"',
      "x.yaml:17:40: spec.timeline[8].target: Node is cluster-scoped: write Node/name",
    ]);
  });

  it("pool names are unique, Node manifests may not take a pool node's name, PriorityClass names must exist", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: pools}
spec:
  duration: 1m
  nodePools:
    - {name: w, count: 2, template: {allocatable: {cpu: "1", memory: 1Gi}}}
    - {name: w, count: 1, template: {allocatable: {cpu: "1", memory: 1Gi}}}
---
apiVersion: v1
kind: Node
metadata: {name: w-1}
status: {allocatable: {cpu: "1", memory: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {priorityClassName: hihg, containers: [{name: c}]}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 100
`),
    ).toEqual([
      'x.yaml:8:14: spec.nodePools[1].name: duplicate node pool name "w"',
      'x.yaml:12:18: metadata.name: Node "w-1" clashes with a node of pool "w" (pool nodes are named w-0, w-1, ...)',
      'x.yaml:18:27: spec.priorityClassName: no PriorityClass named "hihg" (did you mean "high"?); defined: system-cluster-critical, system-node-critical, high',
    ]);
  });

  it("cross-references are only checked once every document loads (no false alarms about broken ones)", () => {
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: gated}
spec:
  duration: 1m
  timeline: [{at: 1s, action: failNode, node: nowhere}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, resources: {requests: {cpu: lots}}}]}
`),
    ).toEqual([expect.stringMatching(/^x\.yaml:11:59: spec\.containers\[0\]\.resources\.requests\.cpu: invalid quantity "lots"/)]);
  });
});

describe("apply and include", () => {
  it("apply: manifests are validated where they are written, a file relative to the scenario, exactly one source", () => {
    write("later.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n");
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: apply}
spec:
  duration: 10m
  timeline:
    - {at: 1m, action: apply, file: later.yaml}
    - {at: 2m, action: apply, file: later.yaml, manifests: []}
    - at: 3m
      action: apply
      manifests:
        - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: 1}]}}
`),
    ).toEqual([
      "x.yaml:8:7: spec.timeline[1]: apply takes only one of manifest, manifests or file; got manifests and file",
      "x.yaml:8:60: spec.timeline[1].manifests: must have at least 1 item",
      'x.yaml:12:97: spec.timeline[2].manifests[0].spec.containers[0].image: expected a string, got number 1 (quote it: "1")',
      "later.yaml:4:23: spec.ports[0].port: must be >= 1, got 0",
    ]);
  });

  it("include: no file twice, and an included file may not hold a Scenario document", () => {
    write("inc.yaml", "apiVersion: simk.dev/v1alpha1\nkind: Scenario\nmetadata: {name: nested}\nspec: {duration: 1m}\n");
    expect(
      problems(`apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: inc}
spec:
  duration: 1m
  include: [inc.yaml, ./inc.yaml]
`),
    ).toEqual([
      'x.yaml:6:23: spec.include[1]: "./inc.yaml" is already included',
      "inc.yaml:2:7: kind: an included file holds only Kubernetes manifests, not a Scenario document",
    ]);
  });
});
