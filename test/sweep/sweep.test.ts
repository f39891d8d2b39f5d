import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { sweepJson } from "../../reports/sweep.js";
import { main } from "../../sim/cli/main.js";
import { runScenario } from "../../sim/run/simulate.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { resolveSchedulerConfig } from "../../sim/scheduler/config.js";
import { parseSeeds } from "../../sim/sweep/grid.js";
import { workerEntry } from "../../sim/sweep/pool.js";
import { parseSet } from "../../sim/sweep/set.js";
import { runSweep } from "../../sim/sweep/sweep.js";
import type { SweepSpec } from "../../sim/sweep/task.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("./fixtures/small.yaml", import.meta.url).pathname;
const ROOT = new URL("../..", import.meta.url).pathname;

const tempDir = useTempDirs("simk-sweep-");
const captured = captureOutput();

const SET = "spec.components.scheduler.attemptLatency=1ms,200ms";
const spec = (): SweepSpec => ({ file: SMALL, seeds: parseSeeds("1..3"), sets: [parseSet(SET)], plugins: [] });

describe("simk sweep", () => {
  it("gives the same result for every --jobs (worker threads or not)", async () => {
    const one = await runSweep(spec(), { jobs: 1 });
    const three = await runSweep(spec(), { jobs: 3 });
    expect(sweepJson(three)).toBe(sweepJson(one));
    expect(one.variants.map((v) => v.name)).toEqual(["attemptLatency=1ms", "attemptLatency=200ms"]);
  });

  it("keeps each run's values, equal to separate runs with the value written in the file", async () => {
    const result = await runSweep(spec(), { jobs: 2 });
    const dir = tempDir();
    const edited = join(dir, "slow.yaml");
    writeFileSync(edited, readFileSync(SMALL, "utf8").replace("attemptLatency: 1ms", "attemptLatency: 200ms"));
    const scenario = loadScenario(edited);
    const schedulerConfig = await resolveSchedulerConfig(scenario);
    const direct = [1, 2, 3].map((seed) => runScenario(scenario, { seed, schedulerConfig }).metrics);
    const slow = result.variants[1];
    for (const metric of ["scheduler.queueWaitSeconds.p99", "deployment.default.web.unavailableReplicaSeconds", "pods.pending.max"]) {
      expect(slow.metrics[metric].values, metric).toEqual(direct.map((m) => m[metric]));
    }
    // The summary of those values, computed here by hand: mean, sd (n − 1), t(0.975, 2) = 4.302653.
    const xs = direct.map((m) => m["deployment.default.web.unavailableReplicaSeconds"]);
    const m = (xs[0] + xs[1] + xs[2]) / 3;
    const sd = Math.sqrt(((xs[0] - m) ** 2 + (xs[1] - m) ** 2 + (xs[2] - m) ** 2) / 2);
    const s = slow.metrics["deployment.default.web.unavailableReplicaSeconds"];
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(m, 10);
    expect(s.sd).toBeCloseTo(sd, 10);
    expect(s.ci95![1] - s.mean).toBeCloseTo((4.302653 * sd) / Math.sqrt(3), 4);
    // Slower attempts make pods wait longer.
    expect(slow.metrics["scheduler.queueWaitSeconds.p99"].mean).toBeGreaterThan(result.variants[0].metrics["scheduler.queueWaitSeconds.p99"].mean);
  });

  it("N shards merged are byte for byte the unsharded sweep", async () => {
    const dir = tempDir();
    const args = ["sweep", SMALL, "--seeds", "1..4", "--set", SET, "--jobs", "2", "-q"];
    expect(await main([...args, "--out-dir", join(dir, "whole")])).toBe(0);
    for (let i = 0; i < 3; i++) expect(await main([...args, "--shard", `${i}/3`, "--out-dir", join(dir, "shards")])).toBe(0);
    expect(readdirSync(join(dir, "shards")).sort()).toEqual(["shard-0-of-3.json", "shard-1-of-3.json", "shard-2-of-3.json"]);
    expect(await main(["sweep", "merge", join(dir, "shards"), "--out-dir", join(dir, "merged"), "-q"])).toBe(0);
    expect(readdirSync(join(dir, "whole")).sort()).toEqual(["sweep.csv", "sweep.html", "sweep.json"]);
    for (const f of ["sweep.json", "sweep.csv", "sweep.html"]) {
      expect(readFileSync(join(dir, "merged", f)).equals(readFileSync(join(dir, "whole", f))), f).toBe(true);
    }
    const csv = readFileSync(join(dir, "whole", "sweep.csv"), "utf8").split("\n");
    expect(csv[0]).toBe("variant,spec.components.scheduler.attemptLatency,metric,n,mean,sd,ci95_low,ci95_high");
    const json = JSON.parse(readFileSync(join(dir, "whole", "sweep.json"), "utf8"));
    expect(json.seeds).toEqual([1, 2, 3, 4]);
    expect(json.variants[0].metrics["pods.pending.max"].values).toHaveLength(4);
    const html = readFileSync(join(dir, "whole", "sweep.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("scheduler.queueWaitSeconds.p99");
  });

  it("a Kubernetes Indexed Job's pod runs the shard JOB_COMPLETION_INDEX names (printed when there is no --out-dir)", async () => {
    vi.stubEnv("JOB_COMPLETION_INDEX", "1");
    expect(await main(["sweep", SMALL, "--seeds", "1..4", "--shards", "2", "--jobs", "1", "-q"])).toBe(0);
    const shard = JSON.parse(captured.out);
    expect(shard.kind).toBe("simk/sweep-shard");
    expect(shard.shard).toEqual({ index: 1, count: 2 });
    expect(shard.runs.map((r: { seed: number }) => r.seed)).toEqual([2, 4]);
  });

  it("merge refuses incomplete or mixed shards", async () => {
    const dir = tempDir();
    const base = ["sweep", SMALL, "--seeds", "1..2", "--jobs", "1", "-q"];
    expect(await main([...base, "--shard", "0/2", "--out-dir", join(dir, "a")])).toBe(0);
    expect(await main(["sweep", "merge", join(dir, "a"), "-q"])).toBe(2);
    expect(captured.err).toMatch(/missing shard 1\/2/);
    captured.err = "";
    expect(await main(["sweep", SMALL, "--seeds", "1..3", "--jobs", "1", "-q", "--shard", "1/2", "--out-dir", join(dir, "b")])).toBe(0);
    expect(await main(["sweep", "merge", join(dir, "a"), join(dir, "b"), "-q"])).toBe(2);
    expect(captured.err).toMatch(/belongs to another sweep/);
    captured.err = "";
    expect(await main(["sweep", "merge", join(dir, "a", "shard-0-of-2.json"), join(dir, "a", "shard-0-of-2.json"), "-q"])).toBe(2);
    expect(captured.err).toMatch(/shard 0\/2 is also in/);
  });

  it("exit 1 when some run misses an expectation (a shard exits 0); 2 for bad input", async () => {
    const fail = ["sweep", SMALL, "--seeds", "1..2", "--jobs", "1", "--set", "spec.expect[0].value=1,100"];
    expect(await main(fail)).toBe(1);
    expect(captured.out).toMatch(/✓ value=1: expectations met in 2\/2 runs/);
    expect(captured.out).toMatch(/✗ value=100: expectations met in 0\/2 runs; seed 1: last\(deployment\.default\.web\.available\) >= 100: got \d+/);
    expect(await main([...fail, "-q", "--shard", "0/1"])).toBe(0);
    captured.err = "";
    expect(await main(["sweep", SMALL, "--seeds", "1..2", "--set", "spec.components.scheduler.attemptLatency=1ms,soon"])).toBe(2);
    expect(captured.err).toMatch(/invalid duration "soon".*\(set by --set spec\.components\.scheduler\.attemptLatency=soon\)/);
    captured.err = "";
    expect(await main(["sweep", SMALL, "--seeds", "3..1"])).toBe(2);
    expect(captured.err).toMatch(/--seeds 3\.\.1: the range 3\.\.1 is empty/);
    expect(await main(["sweep", SMALL, "--set", "spec.duration=1m", "--set", "spec.duration=2m"])).toBe(2);
    expect(await main(["sweep", SMALL, "--jobs", "0"])).toBe(2);
  });

  it("-o json prints sweep.json; SIMK_SEEDS and SIMK_JOBS stand in for the flags, which win", async () => {
    vi.stubEnv("SIMK_SEEDS", "5..6");
    vi.stubEnv("SIMK_JOBS", "2");
    expect(await main(["sweep", SMALL, "-o", "json"])).toBe(0);
    expect(JSON.parse(captured.out).seeds).toEqual([5, 6]);
    captured.out = "";
    expect(await main(["sweep", SMALL, "-o", "json", "--seeds", "7"])).toBe(0);
    expect(JSON.parse(captured.out).seeds).toEqual([7]);
  });
});

describe("the sweep worker", () => {
  it("runs TypeScript in a development tree and JavaScript when built", () => {
    expect(workerEntry("file:///x/sim/sweep/pool.ts")).toEqual({ kind: "ts", url: new URL("file:///x/sim/sweep/worker.ts") });
    expect(workerEntry("file:///x/dist/sim/sweep/pool.js")).toEqual({ kind: "js", url: new URL("file:///x/dist/sim/sweep/worker.js") });
    expect(workerEntry("file:///x/sim/sweep/pool.ts?tsx-namespace=1").kind).toBe("ts");
  });

  it("built into JavaScript, a sweep on worker threads gives the same result", async () => {
    // Compile the CLI the way `npm run build` does, into a scratch directory inside node_modules
    // (so that the dependencies resolve), and run a sweep with it.
    const build = join(ROOT, "node_modules", ".cache", `simk-dist-test-${process.pid}`);
    tempDir.removeAfterAll(build);
    mkdirSync(build, { recursive: true });
    try {
      execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", build], { cwd: ROOT, stdio: "pipe" });
    } catch {
      // Type errors elsewhere in the tree (someone mid-edit) do not stop tsc from emitting.
    }
    expect(existsSync(join(build, "cli.js"))).toBe(true);
    expect(existsSync(join(build, "sim", "sweep", "worker.js"))).toBe(true);
    writeFileSync(join(build, "package.json"), '{"type": "module"}\n');
    const json = execFileSync(process.execPath, [join(build, "cli.js"), "sweep", SMALL, "--seeds", "1..3", "--set", SET, "--jobs", "3", "-o", "json", "-q"], { cwd: ROOT, encoding: "utf8" });
    const inProcess = await runSweep(spec(), { jobs: 1 });
    expect(json).toBe(sweepJson(inProcess));
  }, 180_000);
});
