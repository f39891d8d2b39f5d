import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { DEFAULT_COMPONENTS } from "../../sim/scenario/defaults.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadScenario, validateFile } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/types.js";

const FIXTURES = "test/fixtures/scenarios";
const FULL = `${FIXTURES}/valid/full.yaml`;

const s = 1_000_000;
const m = 60 * s;

/** Where each timeline entry / expectation of full.yaml is written (lines counted in the file). */
const at = (line: number, path: string) => ({ file: FULL, line, column: 7, path });

describe("loadScenario: a complete valid scenario", () => {
  const scenario = loadScenario(FULL);

  it("normalises the Scenario document", () => {
    expect(scenario.name).toBe("node-failure");
    expect(scenario.description).toBe("A worker fails and recovers while web scales up");
    expect(scenario.file).toBe(resolve(FULL));
    expect(scenario.duration).toBe(600_000_000); // 10m
    expect(scenario.seed).toBe(7);
    expect(scenario.sampleInterval).toBe(1_000_000); // default 1s
    expect(scenario.schedulerConfigs).toEqual([]);
  });

  it("fills pool defaults: pods 110 and capacity = allocatable", () => {
    expect(scenario.nodePools).toEqual([
      {
        name: "worker",
        count: 3,
        zones: ["zone-a", "zone-b"],
        region: "region-1",
        template: {
          labels: { tier: "general" },
          taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
          allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
          capacity: { cpu: "4", memory: "16Gi", pods: "110" },
        },
      },
    ]);
  });

  it("merges components over DEFAULT_COMPONENTS, durations in µs, a bare duration as a constant delay", () => {
    const expected: Scenario["components"] = {
      ...DEFAULT_COMPONENTS,
      apiServer: { watchLatency: 50_000 },
      kubelet: {
        ...DEFAULT_COMPONENTS.kubelet,
        startupDelay: { distribution: "constant", value: 3 * s },
        readinessDelay: { distribution: "exponential", mean: 2 * s },
      },
      nodeLifecycle: { ...DEFAULT_COMPONENTS.nodeLifecycle, nodeEvictionRate: 0.5 },
    };
    expect(scenario.components).toEqual(expected);
    // The defaults object itself is left alone.
    expect(DEFAULT_COMPONENTS.apiServer.watchLatency).toBe(20_000);
  });

  it("keeps manifests in file order, an include standing where the Scenario document is", () => {
    expect(scenario.manifests.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
      "Deployment/web", // manifests/app.yaml, first document
      "PriorityClass/high", // manifests/app.yaml, List items[0]
      "Service/web", // List items[1]
      "Node/big-0", // full.yaml, the document after the Scenario
    ]);
    const node = scenario.manifests[3];
    expect(node).toEqual({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "big-0", labels: { tier: "big" } },
      spec: {},
      status: {
        capacity: { cpu: "64", memory: "256Gi", pods: "250" },
        allocatable: { cpu: "63", memory: "250Gi", pods: "250" },
        conditions: [],
      },
    });
  });

  it("sorts the timeline by time, keeping file order for equal times, with sources and canonical targets", () => {
    expect(scenario.timeline).toEqual([
      { at: 1 * m, action: "failNode", node: "worker-2", source: at(28, "spec.timeline[1]") },
      { at: 2 * m, action: "addNodes", pool: "worker", count: 2, source: at(29, "spec.timeline[2]") },
      { at: 2 * m, action: "recoverNode", node: "worker-2", source: at(30, "spec.timeline[3]") },
      // worker-4 exists: addNodes at 2m created worker-3 and worker-4.
      { at: 3 * m, action: "cordon", node: "worker-4", source: at(31, "spec.timeline[4]") },
      { at: 5 * m, action: "scale", target: "Deployment/default/web", replicas: 6, source: at(27, "spec.timeline[0]") },
      {
        at: 6 * m,
        action: "rollout",
        target: "Deployment/default/web",
        template: { image: "nginx:1.27" },
        source: at(32, "spec.timeline[5]"),
      },
      {
        at: 7 * m,
        action: "apply",
        manifests: [
          {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "late", namespace: "default" },
            spec: { containers: [{ name: "c", image: "busybox" }] },
            status: { phase: "Pending" },
          },
        ],
        source: at(33, "spec.timeline[6]"),
      },
      // Pod/late was applied at 7m, so it can be deleted at 8m.
      { at: 8 * m, action: "delete", target: "Pod/default/late", source: at(41, "spec.timeline[7]") },
    ]);
  });

  it("keeps expectations with stat defaulting to last", () => {
    expect(scenario.expect).toEqual([
      { metric: "pods.pending", stat: "last", op: "==", value: 0, after: 7 * m, before: 9 * m, source: at(43, "spec.expect[0]") },
      { metric: "pods.running", stat: "p99.9", op: ">=", value: 3, source: at(44, "spec.expect[1]") },
    ]);
  });

  it("validates clean", () => {
    expect(validateFile(FULL)).toEqual([]);
  });
});

describe("loadScenario: problems", () => {
  it("reports an error inside an included file with that file's name and lines, and an unreadable include at its entry", () => {
    const file = `${FIXTURES}/broken/include-error.yaml`;
    let error: unknown;
    try {
      loadScenario(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const lines = (error as InputError).problems.map(formatProblem);
    expect(lines).toEqual([
      // The scenario file comes first; "- manifests/missing.yaml" is on line 9, the value at column 7.
      `${file}:9:7: spec.include[1]: cannot read ${FIXTURES}/broken/manifests/missing.yaml: no such file`,
      // "    version: 1": the value starts at column 14.
      `${FIXTURES}/broken/manifests/bad-app.yaml:7:14: metadata.labels.version: expected a string, got number 1 (quote it: "1")`,
      // "              memory: 2 Gi": column 23.
      expect.stringMatching(
        new RegExp(
          `^${FIXTURES}/broken/manifests/bad-app\\.yaml:22:23: spec\\.template\\.spec\\.containers\\[0\\]\\.resources\\.requests\\.memory: invalid quantity "2 Gi": unknown suffix " Gi"`,
        ),
      ),
    ]);
  });

  it("reports a missing file with the OS reason", () => {
    expect(() => loadScenario(`${FIXTURES}/nope.yaml`)).toThrow(InputError);
    expect(validateFile(`${FIXTURES}/nope.yaml`)).toEqual([{ file: `${FIXTURES}/nope.yaml`, message: "cannot read file: no such file" }]);
  });

  it("reports a directory as unreadable", () => {
    expect(validateFile(FIXTURES)).toEqual([{ file: FIXTURES, message: "cannot read file: is a directory, not a YAML file" }]);
  });
});
