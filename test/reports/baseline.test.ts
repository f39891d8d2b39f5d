import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { baselineOf, checkBaseline, parseBaseline, parseTolerance, QUALITY_METRICS, qualityOf, type BaselineFile } from "../../reports/baseline.js";
import { main } from "../../sim/cli/main.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("../sweep/fixtures/small.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-baseline-");
const captured = captureOutput();

describe("the quality-metric table", () => {
  it.each([
    ["pods.pending.max", "lower"],
    ["scheduler.queueWaitSeconds.p99", "lower"],
    ["recovery.seconds", "lower"],
    ["deployment.default.web.unavailableReplicaSeconds", "lower"],
    ["deployment.team-a.api.minAvailable", "higher"],
    ["cluster.cpu.fragmentation", "lower"],
    ["cluster.memory.fragmentation.timeWeightedMean", "lower"],
    ["cluster.cpu.imbalance", "lower"],
    ["service.default.web.latency.p99", "lower"],
    ["service.default.web.errors.timeout", "lower"],
    ["scheduler.unschedulable", "lower"],
    ["recovery.recovered", "higher"],
  ])("%s: %s is better", (metric, better) => {
    expect(qualityOf(metric)?.better).toBe(better);
  });

  it("only quality metrics are in it", () => {
    for (const m of ["scheduler.attempts", "scheduler.queueWaitSeconds.count", "cluster.cpu.allocatable", "pods.total", "events.Scheduled", "pool.binpack.cpu.imbalance"]) {
      expect(qualityOf(m), m).toBeUndefined();
    }
  });

  it("every entry gives a reason and an epsilon", () => {
    for (const q of QUALITY_METRICS) {
      expect(q.reason.length, q.pattern).toBeGreaterThan(10);
      expect(q.epsilon, q.pattern).toBeGreaterThan(0);
    }
  });
});

const base = (metrics: Record<string, number>): BaselineFile => ({ kind: "simk/baseline", version: 1, scenario: "s", seed: 1, metrics });

describe("checking a run against a baseline", () => {
  it("worse by more than the tolerance is a regression; within it, unchanged", () => {
    const b = base({ "deployment.default.web.unavailableReplicaSeconds": 100 });
    const at = (v: number) => checkBaseline({ "deployment.default.web.unavailableReplicaSeconds": v }, b, { tolerance: 0.02, file: "b.json" }).checks[0];
    expect(at(102).verdict).toBe("unchanged"); // +2 ≤ 2 % of 100
    const r = at(103);
    expect(r.verdict).toBe("regression");
    expect(r.message).toBe("deployment.default.web.unavailableReplicaSeconds: 100 → 103 (+3.0%), lower is better; allowed 2");
    expect(at(90).verdict).toBe("improvement");
  });

  it("higher-is-better metrics regress when they fall", () => {
    const b = base({ "deployment.default.web.minAvailable": 10 });
    const r = checkBaseline({ "deployment.default.web.minAvailable": 8 }, b, { tolerance: 0.05, file: "b" });
    expect(r.ok).toBe(false);
    expect(r.regressions[0].message).toBe("deployment.default.web.minAvailable: 10 → 8 (-20.0%), higher is better; allowed 0.5");
  });

  it("near 0, the absolute epsilon decides: half a count, a millisecond, 0.001 of a ratio", () => {
    const b = base({ "pods.pending.max": 0, "scheduler.queueWaitSeconds.p99": 0, "cluster.cpu.fragmentation": 0 });
    const check = (cur: Record<string, number>) => Object.fromEntries(checkBaseline(cur, b, { tolerance: 0.02, file: "b" }).checks.map((c) => [c.metric, c.verdict]));
    expect(check({ "pods.pending.max": 0, "scheduler.queueWaitSeconds.p99": 0.0009, "cluster.cpu.fragmentation": 0.0005 })).toEqual({
      "pods.pending.max": "unchanged",
      "scheduler.queueWaitSeconds.p99": "unchanged",
      "cluster.cpu.fragmentation": "unchanged",
    });
    expect(check({ "pods.pending.max": 1, "scheduler.queueWaitSeconds.p99": 0.002, "cluster.cpu.fragmentation": 0.01 })).toEqual({
      "pods.pending.max": "regression",
      "scheduler.queueWaitSeconds.p99": "regression",
      "cluster.cpu.fragmentation": "regression",
    });
    const r = checkBaseline({ "pods.pending.max": 2 }, base({ "pods.pending.max": 0 }), { tolerance: 0.02, file: "b" });
    expect(r.regressions[0].message).toBe("pods.pending.max: 0 → 2 (+2), lower is better; allowed 0.5");
  });

  it("a metric no longer reported fails; a new one passes", () => {
    const r = checkBaseline({ "pods.pending.max": 3 }, base({ "recovery.seconds": 30, "pods.pending.max": 3 }), { tolerance: 0.02, file: "b" });
    expect(r.ok).toBe(false);
    expect(r.regressions.map((c) => [c.metric, c.verdict])).toEqual([["recovery.seconds", "missing"]]);
    const n = checkBaseline({ "pods.pending.max": 3, "recovery.seconds": 5 }, base({ "pods.pending.max": 3 }), { tolerance: 0.02, file: "b" });
    expect(n.ok).toBe(true);
    expect(n.checks.find((c) => c.metric === "recovery.seconds")?.verdict).toBe("new");
  });

  it("baselines keep only quality metrics; summary.json works as a baseline", () => {
    const b = baselineOf({ scenario: "x", seed: 4, metrics: { "pods.pending.max": 2, "pods.total": 9, "scheduler.attempts": 12 } });
    expect(b).toEqual({ kind: "simk/baseline", version: 1, scenario: "x", seed: 4, metrics: { "pods.pending.max": 2 } });
    expect(parseBaseline(JSON.stringify({ scenario: "x", seed: 2, metrics: { "pods.pending.max": 1, "nodes.total": 3 }, expectations: [] })).metrics).toEqual({ "pods.pending.max": 1 });
    expect(() => parseBaseline("[]")).toThrow(/not a baseline/);
    expect(() => parseBaseline("{")).toThrow(/not JSON/);
  });

  it("tolerances: percentages or fractions", () => {
    expect(parseTolerance("2%")).toBe(0.02);
    expect(parseTolerance("0.5 %")).toBe(0.005);
    expect(parseTolerance("0.1")).toBe(0.1);
    expect(() => parseTolerance("-2%")).toThrow(/percentage/);
    expect(() => parseTolerance("two")).toThrow(/percentage/);
  });
});

describe("simk baseline write and simk run --baseline", () => {
  it("a run that schedules worse fails, naming the metric, both values and the change", async () => {
    const dir = tempDir();
    const file = join(dir, "small.json");
    expect(await main(["baseline", "write", SMALL, "--seed", "1", "-o", file, "-q"])).toBe(0);
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written).toMatchObject({ kind: "simk/baseline", scenario: "small", seed: 1 });
    expect(Object.keys(written.metrics).every((m) => qualityOf(m))).toBe(true);
    const p99 = written.metrics["scheduler.queueWaitSeconds.p99"];

    // The same run: passes.
    expect(await main(["run", SMALL, "--seed", "1", "--baseline", file])).toBe(0);
    expect(captured.out).toMatch(/baseline .*small\.json \(seed 1\), tolerance 2%: 0 worse, 0 better, \d+ unchanged/);

    // Much slower scheduling attempts: the queue wait regresses.
    captured.out = "";
    const junit = join(dir, "junit.xml");
    expect(await main(["run", SMALL, "--seed", "1", "--baseline", file, "--set", "spec.components.scheduler.attemptLatency=300ms", "--junit", junit])).toBe(1);
    const line = captured.out.split("\n").find((l) => l.includes("✗ scheduler.queueWaitSeconds.p99"));
    expect(line).toMatch(new RegExp(`✗ scheduler\\.queueWaitSeconds\\.p99: ${String(p99).replace(".", "\\.")} → [\\d.]+ \\(\\+\\d+%\\), lower is better; allowed 0\\.001`));
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testcase name="scheduler\.queueWaitSeconds\.p99" classname="simk\.small\.baseline">\n\s+<failure message="scheduler\.queueWaitSeconds\.p99: /);

    // Faster attempts improve the wait: reported, passes.
    captured.out = "";
    expect(await main(["run", SMALL, "--seed", "1", "--baseline", file, "--set", "spec.components.apiServer.watchLatency=1ms"])).toBe(0);
    expect(captured.out).toMatch(/↑ scheduler\.queueWaitSeconds\.p99: /);
  });

  it("SIMK_BASELINE and SIMK_TOLERANCE; a huge tolerance lets the slow run pass", async () => {
    const dir = tempDir();
    const file = join(dir, "small.json");
    expect(await main(["baseline", "write", SMALL, "--seed", "1", "-o", file, "-q"])).toBe(0);
    vi.stubEnv("SIMK_BASELINE", file);
    vi.stubEnv("SIMK_TOLERANCE", "900%");
    expect(await main(["run", SMALL, "--seed", "1", "-q", "--set", "spec.components.scheduler.attemptLatency=30ms"])).toBe(0);
    expect(await main(["run", SMALL, "--seed", "1", "-q", "--set", "spec.components.scheduler.attemptLatency=30ms", "--tolerance", "0%"])).toBe(1);
  });

  it("--out-dir writes one baseline per scenario file; a warning when the seeds differ", async () => {
    const dir = tempDir();
    expect(await main(["baseline", "write", SMALL, "--seed", "2", "--out-dir", dir, "-q"])).toBe(0);
    expect(existsSync(join(dir, "small.json"))).toBe(true);
    expect(await main(["run", SMALL, "--seed", "3", "--baseline", join(dir, "small.json"), "-q", "--tolerance", "900%"])).toBe(0);
    expect(await main(["run", SMALL, "--seed", "3", "--baseline", join(dir, "small.json"), "--tolerance", "900%", "-o", "json"])).toBe(0);
    expect(captured.err).toMatch(/warning: the baseline was recorded with seed 2, this run used seed 3/);
    expect(await main(["baseline", "write", SMALL, SMALL, "-q"])).toBe(2);
  });

  it("bad baselines are input errors", async () => {
    const dir = tempDir();
    expect(await main(["run", SMALL, "--baseline", join(dir, "none.json"), "-q"])).toBe(2);
    expect(captured.err).toMatch(/none\.json: cannot read the baseline: no such file/);
    writeFileSync(join(dir, "bad.json"), "[1]");
    expect(await main(["run", SMALL, "--baseline", join(dir, "bad.json"), "-q"])).toBe(2);
    expect(await main(["run", SMALL, "--tolerance", "lots"])).toBe(2);
  });
});

describe("docs/ci.md", () => {
  it("lists every row of the quality-metric table, as the code has it", () => {
    const doc = readFileSync(new URL("../../docs/ci.md", import.meta.url), "utf8");
    for (const q of QUALITY_METRICS) expect(doc, q.pattern).toContain(`| \`${q.pattern}\` | ${q.better} | ${q.epsilon} | ${q.reason} |`);
  });
});
