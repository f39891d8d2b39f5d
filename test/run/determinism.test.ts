import { describe, expect, it } from "vitest";
import { loadScenario, loadScenarioFromText } from "../../sim/scenario/load.js";
import { runScenario } from "../../sim/run/simulate.js";
import { decisionsJsonl, eventsJsonl, jsonLine, runOutputFiles } from "../../reports/files.js";

const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;

function outputs(seed: number): Map<string, string> {
  const result = runScenario(loadScenario(SCENARIO), { seed, recordDecisions: true });
  return new Map(runOutputFiles(result, { recordDecisions: true }).map((f) => [f.name, "content" in f ? String(f.content) : ""]));
}

describe("determinism", () => {
  it("the same scenario and seed give byte-identical files", () => {
    const a = outputs(42);
    const b = outputs(42);
    expect([...a.keys()]).toEqual(["summary.json", "events.jsonl", "timeseries.csv", "decisions.jsonl"]);
    for (const [name, content] of a) expect(b.get(name), name).toBe(content);
  });

  it("a different seed gives a different run", () => {
    expect(outputs(1).get("events.jsonl")).not.toBe(outputs(2).get("events.jsonl"));
  });

  it("outputs carry no absolute paths", () => {
    for (const content of outputs(3).values()) expect(content).not.toContain("/work/");
  });

  it("keepEvents: false changes nothing but the kept event log (the events.* counts stay)", () => {
    const kept = runScenario(loadScenario(SCENARIO), { seed: 5 });
    const counted = runScenario(loadScenario(SCENARIO), { seed: 5, keepEvents: false });
    expect(kept.events.length).toBeGreaterThan(0);
    expect(counted.events).toEqual([]);
    expect(counted.metrics).toEqual(kept.metrics);
  });

  it("events handed to onEvent as they happen are the kept log, in order; the count and timeline stay without it", () => {
    const kept = runScenario(loadScenario(SCENARIO), { seed: 6 });
    let streamed = "";
    let decisions = "";
    const counted = runScenario(loadScenario(SCENARIO), {
      seed: 6,
      keepEvents: false,
      onEvent: (e) => (streamed += jsonLine(e)),
      recordDecisions: true,
      onDecision: (d) => (decisions += jsonLine(d)),
    });
    expect(streamed).toBe(eventsJsonl(kept));
    expect(counted.decisions).toEqual([]);
    expect(decisions).toBe(decisionsJsonl(runScenario(loadScenario(SCENARIO), { seed: 6, recordDecisions: true })));
    expect(counted.eventCount).toBe(kept.events.length);
    // node-failure.yaml's timeline: one failNode.
    expect(counted.timeline.map((e) => e.reason)).toEqual(["NodeFailure"]);
    expect(counted.timeline).toEqual(kept.events.filter((e) => e.source === "simk-timeline"));
  });

  it("the timeline keeps a timeline action's failure (FailedApply) as well as the action", () => {
    const text = [
      "apiVersion: simk.dev/v1alpha1",
      "kind: Scenario",
      "metadata: {name: failed-apply}",
      "spec:",
      "  duration: 30s",
      "  nodePools: [{name: worker, count: 1, template: {allocatable: {cpu: '2', memory: 4Gi, pods: 10}}}]",
      "  timeline:",
      "    - at: 10s",
      "      action: apply",
      "      manifests:",
      "        - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: x}]}}",
      // A quota of no pods in the namespace: the apply is refused.
      "---",
      "{apiVersion: v1, kind: ResourceQuota, metadata: {name: none, namespace: default}, spec: {hard: {pods: '0'}}}",
      "",
    ].join("\n");
    const result = runScenario(loadScenarioFromText(text, "failed-apply.yaml"), { keepEvents: false });
    expect(result.timeline.map((e) => e.reason)).toEqual(["Apply", "FailedApply"]);
  });
});
