/** The per-node allocation matrix and the per-interval placement series the HTML report draws. */
import { describe, expect, it } from "vitest";
import { BASE_COLUMNS } from "../../sim/metrics/timeseries.js";
import { runScenario } from "../../sim/run/simulate.js";
import { timeseriesCsv } from "../../reports/files.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

function run() {
  return runScenario(
    scenario({
      pools: [pool("worker", 3, [], { cpu: "4", memory: "16Gi", pods: "110" })],
      manifests: [deployment("web", 4, { cpu: "1", memory: "1Gi" })],
      timeline: [
        { at: 30 * s, action: "failNode", node: "worker-1" },
        { at: 60 * s, action: "addNodes", pool: "worker", count: 1 },
        { at: 90 * s, action: "removeNode", node: "worker-2" },
      ],
      duration: 120 * s,
    }),
  );
}

describe("TimeSeries.nodeSeries", () => {
  const result = run();
  const ts = result.timeseries;
  const ns = ts.nodeSeries();
  const at = (sec: number): number => ts.times.indexOf(sec);

  it("has one row per node, in order of appearance, aligned with the samples", () => {
    expect(ns.nodes).toEqual(["worker-0", "worker-1", "worker-2", "worker-3"]);
    for (const rows of [ns.cpu, ns.memory, ns.ready]) for (const row of rows) expect(row.length).toBe(ts.times.length);
  });

  it("holds requested ÷ allocatable per node, summing to the cluster's requests", () => {
    for (const t of [10, 50, 100]) {
      const i = at(t);
      const cpu = ns.cpu.reduce((sum, row) => sum + (Number.isFinite(row[i]) ? row[i] * 4000 : 0), 0);
      expect(cpu).toBeCloseTo(ts.column("cluster.cpu.requested")![i]!, 6);
      const memory = ns.memory.reduce((sum, row) => sum + (Number.isFinite(row[i]) ? row[i] * 16 * 2 ** 30 : 0), 0);
      expect(memory).toBeCloseTo(ts.column("cluster.memory.requested")![i]!, 0);
    }
    expect(ns.cpu[0][at(10)]).toBeGreaterThan(0);
  });

  it("is NaN while a node does not exist, and tracks readiness", () => {
    const added = ns.nodes.indexOf("worker-3");
    expect(Number.isNaN(ns.cpu[added][at(50)])).toBe(true);
    expect(ns.cpu[added][at(70)]).toBeGreaterThanOrEqual(0);
    const removed = ns.nodes.indexOf("worker-2");
    expect(Number.isNaN(ns.cpu[removed][at(100)])).toBe(true);
    const failed = ns.nodes.indexOf("worker-1");
    expect(ns.ready[failed][at(10)]).toBe(1);
    expect(ns.ready[failed][at(119)]).toBe(0);
    expect(ns.ready[0][at(119)]).toBe(1);
  });

  it("leaves timeseries.csv as it was", () => {
    const header = timeseriesCsv(result).split("\n")[0];
    expect(header).toBe(["time", ...BASE_COLUMNS, "deployment.default.web.desired", "deployment.default.web.available"].join(","));
  });
});

describe("TimeSeries.placementSeries", () => {
  const result = run();
  const p = result.timeseries.placementSeries();

  it("counts every binding once, in the interval it happened, with waits from creation", () => {
    expect(p.placed.length).toBe(result.timeseries.times.length);
    expect(p.placed.reduce((a, b) => a + b, 0)).toBe(result.metrics["scheduler.scheduled"]);
    for (let i = 0; i < p.placed.length; i++) {
      if (p.placed[i] === 0) {
        expect(p.maxSeconds[i]).toBeNull();
        expect(p.meanSeconds[i]).toBeNull();
      } else {
        expect(p.maxSeconds[i]!).toBeGreaterThanOrEqual(p.meanSeconds[i]!);
        expect(p.meanSeconds[i]!).toBeGreaterThan(0);
      }
    }
    // Binding comes a bind latency after the scheduler's decision: never shorter than its queue wait.
    expect(Math.max(...p.maxSeconds.map((v) => v ?? 0))).toBeGreaterThanOrEqual(result.metrics["scheduler.queueWaitSeconds.max"]);
  });
});
