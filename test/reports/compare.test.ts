import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { centre, compareSamples, formatComparison, samplesOf, splitSelector, type Sample } from "../../reports/compare.js";
import { main } from "../../sim/cli/main.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("../sweep/fixtures/small.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-compare-");
const captured = captureOutput();

const sample = (label: string, values: Record<string, number[]>): Sample => ({ label, values });

describe("compareSamples", () => {
  it("not significant (p ≥ 0.05): '~' instead of the change", () => {
    // Conover's example: exact p = 14/126 = 0.111.
    // A: mean 22, Σd² = 9+0+36+49+4 = 98, sd = sqrt(24.5) = 4.9497, half-width t(0.975,4)·sd/√5 =
    // 2.7764·2.2136 = 6.146 → 28 % of 22. B: mean 15, Σd² = 54, sd = sqrt(18) = 4.2426, half-width
    // 3.1824·2.1213 = 6.751 → 45 % of 15.
    const c = compareSamples(sample("A", { x: [19, 22, 16, 29, 24] }), sample("B", { x: [20, 11, 17, 12] }));
    const [row] = c.rows;
    expect(row.p).toBeCloseTo(0.1111111, 6);
    expect(row.significant).toBe(false);
    const table = formatComparison(c);
    expect(table).toMatch(/^x\s+22 ± 28%\s+15 ± 45%\s+~\s+p=0\.111 n=5\+4$/m);
    expect(table).toContain('"~": no significant difference (p ≥ 0.05)');
  });

  it("significant: the change of the mean in percent, and whether that is better or worse", () => {
    // 1..6 against 11..16: no overlap, exact p = 2 / C(12,6) = 2/924 = 0.0022.
    const a = [1, 2, 3, 4, 5, 6];
    const b = [11, 12, 13, 14, 15, 16];
    const c = compareSamples(sample("A", { "pods.pending.max": a, "scheduler.attempts": a }), sample("B", { "pods.pending.max": b, "scheduler.attempts": b }));
    const row = c.rows.find((r) => r.metric === "pods.pending.max")!;
    expect(row.p).toBeCloseTo(2 / 924, 12);
    expect(row.change).toBeCloseTo((13.5 - 3.5) / 3.5, 12);
    expect(row.verdict).toBe("worse");
    expect(c.rows.find((r) => r.metric === "scheduler.attempts")!.verdict).toBeUndefined();
    // ± is half the 95 % interval relative to the mean: t(0.975, 5)·sd/√6 / 3.5, sd = 1.8708
    // (A: 1.9633 / 3.5 = 56 %; B: 1.9633 / 13.5 = 15 %).
    expect(centre(row.a)).toBe(`3.5 ± ${Math.round(((2.5705818 * 1.8708287) / Math.sqrt(6) / 3.5) * 100)}%`);
    expect(formatComparison(c)).toMatch(/^pods\.pending\.max\s+3\.5 ± 56%\s+13\.5 ± 15%\s+\+286% \(worse\)\s+p=0\.002 n=6\+6$/m);
  });

  it("single runs: no p-value, the change alone", () => {
    const c = compareSamples(sample("A", { "recovery.seconds": [200], same: [4], zero: [0] }), sample("B", { "recovery.seconds": [150], same: [4], zero: [2] }));
    const byName = Object.fromEntries(c.rows.map((r) => [r.metric, r]));
    expect(byName["recovery.seconds"]).toMatchObject({ p: null, significant: true, change: -0.25, verdict: "better" });
    expect(byName.same).toMatchObject({ p: null, significant: false, change: 0 });
    expect(byName.zero).toMatchObject({ change: null, difference: 2 });
    const table = formatComparison(c);
    expect(table).toMatch(/^recovery\.seconds\s+200\s+150\s+-25\.0% \(better\)\s+n=1\+1$/m);
    expect(table).toMatch(/^same\s+4\s+4\s+~\s+n=1\+1$/m);
    expect(table).toMatch(/^zero\s+0\s+2\s+\+2\s+n=1\+1$/m);
  });

  it("metrics on one side only are listed; --metric filters", () => {
    const c = compareSamples(sample("A", { a: [1], b: [2] }), sample("B", { b: [2], c: [3] }), []);
    expect(c.onlyA).toEqual(["a"]);
    expect(c.onlyB).toEqual(["c"]);
    expect(compareSamples(sample("A", { "x.y": [1], "x.z": [1], w: [1] }), sample("B", { "x.y": [1], "x.z": [1], w: [1] }), ["x.*"]).rows.map((r) => r.metric)).toEqual(["x.y", "x.z"]);
  });
});

describe("reading inputs", () => {
  it("run summaries, baselines and sweeps; variants by index or name", () => {
    expect(splitSelector("a/b.json#2")).toEqual({ file: "a/b.json", selector: "2" });
    expect(splitSelector("a/b.json")).toEqual({ file: "a/b.json" });
    const run = samplesOf(JSON.stringify({ scenario: "s", seed: 3, metrics: { m: 1 } }), "r.json");
    expect(run).toEqual([{ label: "r.json (s, seed 3)", values: { m: [1] } }]);
    const sweep = JSON.stringify({
      kind: "simk/sweep",
      scenario: "s",
      seeds: [1, 2],
      variants: [
        { index: 0, name: "x=1", metrics: { m: { values: [1, null] } } },
        { index: 1, name: "x=2", metrics: { m: { values: [3, 4] } } },
      ],
    });
    expect(samplesOf(sweep, "s.json").map((s) => s.values.m)).toEqual([[1], [3, 4]]);
    expect(samplesOf(sweep, "s.json", "1")[0].label).toBe("s.json#1 (x=2, 2 seeds)");
    expect(samplesOf(sweep, "s.json", "x=1")[0].values.m).toEqual([1]);
    expect(() => samplesOf(sweep, "s.json", "x=3")).toThrow(/no variant "x=3"; variants: #0 x=1, #1 x=2/);
    expect(() => samplesOf("{}", "e.json")).toThrow(/neither a run summary/);
  });
});

describe("simk compare", () => {
  it("two run summaries", async () => {
    const dir = tempDir();
    for (const seed of [1, 2]) {
      captured.out = "";
      expect(await main(["run", SMALL, "--seed", String(seed), "-o", "json"])).toBe(0);
      writeFileSync(join(dir, `s${seed}.json`), captured.out);
    }
    captured.out = "";
    expect(await main(["compare", join(dir, "s1.json"), join(dir, "s2.json"), "--metric", "pods.*"])).toBe(0);
    expect(captured.out).toContain(`A: ${join(dir, "s1.json")} (small, seed 1)`);
    expect(captured.out).toMatch(/^metric\s+A\s+B\s+change\s+p$/m);
    expect(captured.out).toMatch(/^pods\.total\s+\d+\s+\d+\s+\S+\s+n=1\+1$/m);
  });

  it("two variants of one sweep, by selector or all against the first; -o json", async () => {
    const dir = tempDir();
    expect(await main(["sweep", SMALL, "--seeds", "1..5", "--set", "spec.components.scheduler.attemptLatency=1ms,100ms", "--jobs", "1", "--out-dir", dir, "--no-html", "-q"])).toBe(0);
    const file = join(dir, "sweep.json");
    captured.out = "";
    expect(await main(["compare", `${file}#0`, `${file}#attemptLatency=100ms`, "--metric", "scheduler.queueWaitSeconds.p99"])).toBe(0);
    // Five runs each; the p99 wait is the same in every run of a variant (ties), and every slow run
    // waits longer than every fast one: U = 0, tie term 2·(5³ − 5) = 240,
    // σ² = 25/12·(11 − 240/90) = 17.361, z = (12.5 − 0.5)/4.1667 = 2.88, p = 2·P(Z > 2.88) = 0.0040.
    expect(captured.out).toMatch(/^scheduler\.queueWaitSeconds\.p99\s+.*\(worse\)\s+p=0\.004 n=5\+5$/m);
    const table = captured.out;
    captured.out = "";
    expect(await main(["compare", file, "--metric", "scheduler.queueWaitSeconds.p99"])).toBe(0);
    expect(captured.out).toBe(table);
    captured.out = "";
    expect(await main(["compare", file, "-o", "json", "--metric", "scheduler.queueWaitSeconds.p99"])).toBe(0);
    const json = JSON.parse(captured.out);
    expect(json.rows[0].p).toBeCloseTo(0.003976, 5);
    expect(json.rows[0].a.n).toBe(5);
    expect(await main(["compare", file, `${file}#0`])).toBe(2);
    expect(captured.err).toMatch(/a sweep with 2 variants: pick one/);
  });

  it("input errors exit 2", async () => {
    expect(await main(["compare", "no-such.json", "no-such-2.json"])).toBe(2);
    expect(captured.err).toMatch(/no-such\.json: no such file/);
  });
});
