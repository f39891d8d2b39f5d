import { describe, expect, it } from "vitest";
import { formatSweepTable, sweepCsv, sweepJson, sweepOutputFiles } from "../../reports/sweep.js";
import { errorBarSpec, renderSweepHtml } from "../../reports/sweepHtml.js";
import { aggregate } from "../../sim/sweep/aggregate.js";
import { variantsOf } from "../../sim/sweep/grid.js";
import { parseSet } from "../../sim/sweep/set.js";
import type { RunRecord } from "../../sim/sweep/task.js";

// Two variants × three seeds, values chosen so the statistics are easy by hand.
const sets = [parseSet("spec.components.scheduler.attemptLatency=1ms,5ms")];
const variants = variantsOf(sets);
const seeds = [1, 2, 3];
const values: Record<string, number[][]> = {
  // variant 0: 2, 4, 6 → mean 4, sd 2, half-width t(0.975,2)·2/√3 = 4.302653·1.154701 = 4.968275
  // variant 1: 5, 5, 5 → mean 5, sd 0
  "pods.pending.max": [[2, 4, 6], [5, 5, 5]],
  "scheduler.attempts": [[10, 10, 10], [12, 12, 12]],
  "cluster.cpu.fragmentation": [[0, 0, 0], [0, 0, 0]],
};
const runs: RunRecord[] = [];
for (let v = 0; v < 2; v++) {
  for (let s = 0; s < 3; s++) {
    const metrics: Record<string, number> = {};
    for (const [m, vs] of Object.entries(values)) metrics[m] = vs[v][s];
    // recovery.seconds only when the run recovered: seed 3 of variant 1 did not.
    if (!(v === 1 && s === 2)) metrics["recovery.seconds"] = 100 + 10 * s + v;
    runs.push({ task: v * 3 + s, variant: v, seed: seeds[s], metrics, expectations: 2, failed: v === 1 && s === 1 ? ["last(nodes.ready) == 4: got 3"] : [] });
  }
}
const result = aggregate({ scenario: "demo", seeds, sets: [{ path: sets[0].path, values: ["1ms", "5ms"] }], variants }, runs);

describe("sweep results", () => {
  it("n, mean, sd and the Student-t interval, per variant and metric, with the per-seed values", () => {
    const p = result.variants[0].metrics["pods.pending.max"];
    expect(p.n).toBe(3);
    expect(p.mean).toBe(4);
    expect(p.sd).toBe(2);
    expect(p.ci95![0]).toBeCloseTo(4 - 4.968275, 5);
    expect(p.ci95![1]).toBeCloseTo(4 + 4.968275, 5);
    expect(p.values).toEqual([2, 4, 6]);
    expect(result.variants[1].metrics["pods.pending.max"]).toEqual({ n: 3, mean: 5, sd: 0, ci95: [5, 5], values: [5, 5, 5] });
    // A metric some runs did not report: n counts the others, values has null.
    const r = result.variants[1].metrics["recovery.seconds"];
    expect(r.values).toEqual([101, 111, null]);
    expect(r.n).toBe(2);
    expect(r.mean).toBe(106);
    expect(result.variants[1].expectations).toEqual({ perRun: 2, allMet: 2, failures: [{ seed: 2, failed: ["last(nodes.ready) == 4: got 3"] }] });
  });

  it("sweep.json and sweep.csv", () => {
    const json = JSON.parse(sweepJson(result));
    expect(json).toMatchObject({ kind: "simk/sweep", version: 1, scenario: "demo", seeds: [1, 2, 3], confidence: 0.95, sets: [{ path: "spec.components.scheduler.attemptLatency", values: ["1ms", "5ms"] }] });
    expect(json.variants.map((v: { name: string; set: unknown }) => [v.name, v.set])).toEqual([
      ["attemptLatency=1ms", { "spec.components.scheduler.attemptLatency": "1ms" }],
      ["attemptLatency=5ms", { "spec.components.scheduler.attemptLatency": "5ms" }],
    ]);
    const csv = sweepCsv(result).trim().split("\n");
    expect(csv[0]).toBe("variant,spec.components.scheduler.attemptLatency,metric,n,mean,sd,ci95_low,ci95_high");
    const row = csv.find((l) => l.startsWith("attemptLatency=1ms,1ms,pods.pending.max,"))!.split(",");
    expect(row.slice(3, 6)).toEqual(["3", "4", "2"]);
    expect(Number(row[6])).toBeCloseTo(-0.968275, 5);
    // 101 and 111: mean 106, sd sqrt(50) = 7.0711, half-width t(0.975,1)·sd/√2 = 12.706205·5 = 63.531.
    const rec = csv.find((l) => l.startsWith("attemptLatency=5ms,5ms,recovery.seconds,"))!.split(",").slice(3).map(Number);
    expect(rec[0]).toBe(2);
    expect(rec[1]).toBe(106);
    expect(rec[2]).toBeCloseTo(Math.sqrt(50), 12);
    expect(rec[3]).toBeCloseTo(106 - 63.531024, 5);
    expect(rec[4]).toBeCloseTo(106 + 63.531024, 5);
    expect(sweepOutputFiles(result).map((f) => f.name)).toEqual(["sweep.json", "sweep.csv"]);
  });

  it("the table shows quality metrics as mean ± half the interval, and the expectations", () => {
    const table = formatSweepTable(result);
    expect(table).toMatch(/^  pods\.pending\.max\s+4 ± 4\.968\s+5 ± 0$/m);
    expect(table).not.toContain("scheduler.attempts"); // not a quality metric
    expect(table).not.toMatch(/^  cluster\.cpu\.fragmentation /m); // 0 in every run
    expect(table).toContain("(1 more quality metric is 0 in every run)");
    expect(table).toContain("✗ attemptLatency=5ms: expectations met in 2/3 runs; seed 2: last(nodes.ready) == 4: got 3");
    expect(formatSweepTable(result, ["scheduler.*"])).toMatch(/^  scheduler\.attempts\s+10 ± 0\s+12 ± 0$/m);
  });

  it("sweep.html: an error-bar chart per metric, rendered to SVG", async () => {
    const spec = errorBarSpec(result, "pods.pending.max") as unknown as { data: { values: { variant: string; mean: number; low: number; high: number }[] }; layer: { mark: { type: string } }[] };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(["errorbar", "point"]);
    expect(spec.data.values[0].variant).toBe("attemptLatency=1ms");
    expect(spec.data.values[0].high).toBeCloseTo(8.968275, 5);
    const html = await renderSweepHtml(result);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect((html.match(/<svg/g) ?? []).length).toBe(2); // pods.pending.max and recovery.seconds
    expect(html).toContain("<td>4 ± 4.968</td>");
    expect(await renderSweepHtml(result)).toBe(html); // deterministic
  });
});
