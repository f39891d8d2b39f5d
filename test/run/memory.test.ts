import { describe, expect, it } from "vitest";
import { loadScenario, loadScenarioFromText } from "../../sim/scenario/load.js";
import { estimateNodes, estimatePods, heapWarning, HEAP_BYTES_PER_NODE, HEAP_BYTES_PER_POD } from "../../sim/run/memory.js";

const GiB = 2 ** 30;
const ONE_MILLION = new URL("../../bench/scale-1m-10k.yaml", import.meta.url).pathname;

function scenario(body: string[]): ReturnType<typeof loadScenarioFromText> {
  const text = [
    "apiVersion: simk.dev/v1alpha1",
    "kind: Scenario",
    "metadata: {name: mem}",
    "spec:",
    "  duration: 60s",
    "  nodePools:",
    "    - {name: worker, count: 20, template: {allocatable: {cpu: '4', memory: 16Gi, pods: 110}}}",
    "  timeline:",
    "    - {at: 10s, action: scale, target: Deployment/default/web, replicas: 50}",
    "    - {at: 20s, action: scale, target: Deployment/web, replicas: 30}",
    "    - {at: 30s, action: addNodes, pool: worker, count: 5}",
    ...body,
  ].join("\n");
  return loadScenarioFromText(text, "mem.yaml");
}

const WORKLOADS = [
  "---",
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata: {name: web}",
  "spec: {replicas: 10, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}}",
  "---",
  "apiVersion: apps/v1",
  "kind: DaemonSet",
  "metadata: {name: agent}",
  "spec: {selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: x}]}}}",
  "---",
  "apiVersion: v1",
  "kind: Pod",
  "metadata: {name: lone}",
  "spec: {containers: [{name: c, image: x}]}",
];

describe("the heap estimate behind simk run's out-of-memory warning", () => {
  it("counts the most replicas a workload is ever given, DaemonSets on every node, bare pods", () => {
    const s = scenario(WORKLOADS);
    expect(estimateNodes(s)).toBe(25);
    // web: 50 at most (10, scaled to 50, then 30); agent: one per node (25); one bare pod.
    expect(estimatePods(s)).toBe(50 + 25 + 1);
    // Pods with only generateName are one each; a Job counts its completions and retries.
    const more = scenario([
      ...WORKLOADS,
      "---",
      "{apiVersion: v1, kind: Pod, metadata: {generateName: x-}, spec: {containers: [{name: c, image: x}]}}",
      "---",
      "{apiVersion: v1, kind: Pod, metadata: {generateName: x-}, spec: {containers: [{name: c, image: x}]}}",
      "---",
      "{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {completions: 4, backoffLimit: 2, template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}}",
    ]);
    expect(estimatePods(more)).toBe(50 + 25 + 1 + 2 + (4 + 2));
  });

  it("warns for the 1M-pod scenario under a 2 GiB heap (a machine with 8 GiB), not under 4 GiB", () => {
    const s = loadScenario(ONE_MILLION);
    expect(estimatePods(s)).toBe(1_000_000);
    expect(estimateNodes(s)).toBe(10_000);
    const needed = 1_000_000 * HEAP_BYTES_PER_POD + 10_000 * HEAP_BYTES_PER_NODE;
    expect(needed / GiB).toBeCloseTo(2.94, 2);
    const warning = heapWarning(s, 2 * GiB);
    expect(warning).toContain("up to about 1,000,000 pods on 10,000 nodes");
    expect(warning).toContain("roughly 2.9 GiB");
    expect(warning).toContain("allows 2.0 GiB");
    // 1.5 × 2.94 GiB = 4.4 GiB, rounded up to 5 GiB.
    expect(warning).toContain("NODE_OPTIONS=--max-old-space-size=5120");
    expect(heapWarning(s, 4 * GiB)).toBeUndefined();
  });

  it("says nothing for a small scenario", () => {
    expect(heapWarning(scenario(WORKLOADS), 256 * 2 ** 20)).toBeUndefined();
  });
});
