import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { main } from "../../sim/cli/main.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-");
const captured = captureOutput();

describe("simk run", () => {
  it("prints a summary and writes the output files and the HTML report", async () => {
    const dir = tempDir();
    expect(await main(["run", SCENARIO, "--seed", "42", "--out-dir", dir])).toBe(0);
    expect(captured.out).toContain("simk: node-failure (seed 42, 600 s simulated)");
    expect(captured.out).toMatch(/expectations: 3\/3 met/);
    expect(readdirSync(dir).sort()).toEqual(["events.jsonl", "report.html", "summary.json", "timeseries.csv"]);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(summary).toMatchObject({ scenario: "node-failure", seed: 42, simulatedSeconds: 600 });
    expect(summary.metrics["nodes.ready"]).toBe(4);
    const csv = readFileSync(join(dir, "timeseries.csv"), "utf8").trim().split("\n");
    expect(csv[0].split(",").slice(0, 3)).toEqual(["time", "nodes.total", "nodes.ready"]);
    expect(csv.length).toBe(1 + 601); // header + a row per second from 0 to 600 inclusive
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.reason)).toContain("TaintManagerEviction");
    expect(events.every((e, i) => i === 0 || e.time >= events[i - 1].time)).toBe(true);
  });

  it("exits 1 when an expectation fails", async () => {
    const dir = tempDir();
    const file = join(dir, "s.yaml");
    writeFileSync(file, readFileSync(SCENARIO, "utf8").replace("op: \"==\"\n      value: 4", "op: \"==\"\n      value: 5"));
    expect(await main(["run", file, "--quiet"])).toBe(1);
  });

  it("exits 2 with file:line on bad input and writes nothing", async () => {
    const dir = tempDir();
    const file = join(dir, "bad.yaml");
    writeFileSync(file, readFileSync(SCENARIO, "utf8").replace("duration: 10m", "duration: 10 min"));
    const outDir = join(dir, "out");
    expect(await main(["run", file, "--out-dir", outDir])).toBe(2);
    expect(captured.err).toMatch(/bad\.yaml:11:13: spec\.duration: invalid duration "10 min"/);
    expect(captured.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(outDir)).toBe(false);
  });

  it("exits 2 for a bad flag value", async () => {
    expect(await main(["run", SCENARIO, "--seed", "-1"])).toBe(2);
    expect(captured.err).toMatch(/seed must be a whole number/);
  });

  it("exits 2 for a missing file", async () => {
    expect(await main(["run", "no-such-file.yaml"])).toBe(2);
    expect(captured.err).toMatch(/no-such-file\.yaml/);
  });
});

describe("simk run without the event log", () => {
  it("prints the same summary.json and table whether or not it keeps the event log (--out-dir keeps it)", async () => {
    const dir = tempDir();
    expect(await main(["run", SCENARIO, "--seed", "7", "--out-dir", dir, "--quiet"])).toBe(0);
    const kept = readFileSync(join(dir, "summary.json"), "utf8");
    expect(readFileSync(join(dir, "events.jsonl"), "utf8").split("\n").length).toBeGreaterThan(10);
    // -o json alone does not keep the log, and its summary must not notice.
    expect(await main(["run", SCENARIO, "--seed", "7", "-o", "json"])).toBe(0);
    expect(captured.out).toBe(kept);
    expect(JSON.parse(kept).metrics["events.Scheduled"]).toBeGreaterThan(0);
    // The printed table, with the log kept (--out-dir) and without.
    captured.out = "";
    expect(await main(["run", SCENARIO, "--seed", "7", "--out-dir", tempDir()])).toBe(0);
    const tableKept = captured.out;
    captured.out = "";
    expect(await main(["run", SCENARIO, "--seed", "7"])).toBe(0);
    expect(captured.out).toBe(tableKept);
    expect(tableKept).toMatch(/expectations: 3\/3 met/);
  });
});

describe("simk validate and schema", () => {
  it("validate accepts the bundled scenario", async () => {
    expect(await main(["validate", SCENARIO])).toBe(0);
    expect(captured.out).toContain(": ok");
  });

  it("schema prints a JSON Schema", async () => {
    expect(await main(["schema"])).toBe(0);
    const schema = JSON.parse(captured.out);
    expect(schema.$schema ?? schema.type).toBeTruthy();
  });

  it("help shows an example", async () => {
    expect(await main(["run", "--help"])).toBe(0);
    expect(captured.out + captured.err).toContain("Examples:");
  });
});

describe("determinism across processes", () => {
  it("two separate processes write byte-identical files for the same seed", () => {
    const root = new URL("../..", import.meta.url).pathname;
    const dirs = [0, 1].map(() => tempDir());
    for (const dir of dirs) {
      execFileSync(process.execPath, ["--import", "tsx", "cli.ts", "run", "scenarios/node-failure.yaml", "--seed", "9", "--out-dir", dir, "--quiet"], { cwd: root });
    }
    for (const name of ["summary.json", "events.jsonl", "timeseries.csv"]) {
      expect(readFileSync(join(dirs[1], name)).equals(readFileSync(join(dirs[0], name))), name).toBe(true);
    }
  });
});

describe("the executable's validation", () => {
  it("reports bad input as the in-process CLI does (cli.ts switches zod to jitless parsers)", async () => {
    const root = new URL("../..", import.meta.url).pathname;
    const dir = tempDir();
    const file = join(dir, "bad.yaml");
    // Three kinds of mistake zod's object parsers see: a bad value, an unknown key, a wrong type.
    const text = readFileSync(SCENARIO, "utf8").replace("duration: 10m", "duration: 10 min\n  colour: blue").replace(/replicas: \d+/, 'replicas: "three"');
    writeFileSync(file, text);
    expect(await main(["run", file, "--quiet"])).toBe(2);
    const inProcess = captured.err;
    expect(inProcess).toMatch(/invalid duration "10 min"/);
    expect(inProcess).toMatch(/colour/);
    expect(inProcess).toMatch(/replicas/);
    const p = spawnSync(process.execPath, ["--import", "tsx", "cli.ts", "run", file, "--quiet"], { cwd: root, encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stderr).toBe(inProcess);
  });
});

describe("output into a pipe the reader closes early", () => {
  it("`simk run --help | head -1` ends quietly, without an EPIPE stack trace", () => {
    const root = new URL("../..", import.meta.url).pathname;
    // The shell's pipeline: head exits after one line while simk is still writing.
    const p = spawnSync("sh", ["-c", `"${process.execPath}" --import tsx cli.ts run --help | head -1`], { cwd: root, encoding: "utf8" });
    expect(p.stdout.split("\n")[0]).toBe("Usage: simk run [options] <file>");
    expect(p.stderr).not.toMatch(/EPIPE|at \w+ \(/);
  });
});

// --- KubeSchedulerConfiguration, plugins and help (issue 3) ------------------------------------

const SCHED_CONFIG = new URL("../../scenarios/explain/sched-config.yaml", import.meta.url).pathname;
const EXAMPLE_PLUGIN = new URL("../../policies/examples/tierPreference.ts", import.meta.url).pathname;
const TIER_CONFIG = new URL("../../policies/examples/tier-config.yaml", import.meta.url).pathname;

describe("simk run with a scheduler configuration", () => {
  it("--scheduler-config replaces the scenario's configuration", async () => {
    const dir = tempDir();
    expect(await main(["run", SCENARIO, "--seed", "42", "--scheduler-config", SCHED_CONFIG, "--record-decisions", "--out-dir", dir, "--quiet"])).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, "decisions.jsonl"), "utf8").split("\n")[0]);
    const feasible = first.nodes.find((n: { feasible: boolean }) => n.feasible);
    // The bin-packing profile: NodeResourcesFit first with weight 5, no BalancedAllocation score.
    const scores: string[] = feasible.scores.map((s: { plugin: string; weight: number }) => `${s.plugin}:${s.weight}`);
    expect(scores[0]).toBe("NodeResourcesFit:5");
    expect(scores).toContain("TaintToleration:3");
    expect(scores.some((s) => s.startsWith("NodeResourcesBalancedAllocation"))).toBe(false);
  });

  it("a bad configuration in the scenario: exit 2 with file:line:column and the YAML path", async () => {
    const dir = tempDir();
    const file = join(dir, "x.yaml");
    writeFileSync(
      file,
      `${readFileSync(SCENARIO, "utf8")}---\napiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - plugins:\n      score:\n        enabled:\n          - {name: NodeResourcesFit, weight: 0}\n          - {name: ImageLocality, weight: 1000}\n`,
    );
    const line = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes("weight: 1000")) + 1;
    expect(await main(["run", file])).toBe(2);
    expect(captured.err).toBe(`error: ${file}:${line}:43: profiles[0].plugins.score.enabled[1].weight: weight must be between 1 and 100 (0 or unset means 1), got 1000\n`);
  });

  it("--scheduler-config must hold a KubeSchedulerConfiguration", async () => {
    expect(await main(["run", SCENARIO, "--scheduler-config", SCENARIO])).toBe(2);
    expect(captured.err).toMatch(/a Scenario document is not allowed in a manifest file/);
  });

  it("--plugin loads a module whose plugin the configuration enables", async () => {
    expect(await main(["run", SCENARIO, "--seed", "42", "--plugin", EXAMPLE_PLUGIN, "--scheduler-config", TIER_CONFIG, "--quiet"])).toBe(0);
    expect(await main(["run", SCENARIO, "--scheduler-config", TIER_CONFIG, "--quiet"])).toBe(2);
    expect(captured.err).toMatch(/tier-config\.yaml:13:19: profiles\[0\]\.plugins\.multiPoint\.enabled\[0\]\.name: unknown plugin "TierPreference"/);
    captured.err = "";
    expect(await main(["run", SCENARIO, "--plugin", "no/such/module.ts", "--quiet"])).toBe(2);
    expect(captured.err).toMatch(/^error: no\/such\/module\.ts: plugin module not found \(looked for .*no\/such\/module\.ts\)\n$/);
  });
});

describe("simk validate checks scheduler configurations", () => {
  it("accepts the bundled configuration, rejects a bad one", async () => {
    expect(await main(["validate", SCHED_CONFIG])).toBe(0);
    expect(captured.out).toContain("sched-config.yaml: ok");
    const dir = tempDir();
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(SCHED_CONFIG, "utf8").replace("type: MostAllocated", "type: Most"));
    expect(await main(["validate", bad])).toBe(2);
    expect(captured.err).toMatch(/bad\.yaml:\d+:19: profiles\[0\]\.pluginConfig\[0\]\.args\.scoringStrategy\.type: Unsupported value: "Most"/);
    expect(await main(["validate", TIER_CONFIG, "--plugin", EXAMPLE_PLUGIN])).toBe(0);
  });
});

describe("help", () => {
  it("every subcommand's help shows an example", async () => {
    for (const command of ["run", "validate", "explain", "schema", "sweep", "sweep merge", "baseline", "baseline write", "compare"]) {
      captured.out = "";
      expect(await main([...command.split(" "), "--help"])).toBe(0);
      expect(captured.out, command).toMatch(/Examples?:\n  simk /);
    }
    captured.out = "";
    expect(await main(["--help"])).toBe(0);
    expect(captured.out).toMatch(/Examples:\n  simk run/);
    for (const command of ["explain", "sweep", "baseline", "compare"]) expect(captured.out).toContain(`  ${command} `);
    // The environment variables, and which flag each stands for.
    for (const v of ["SIMK_SEED", "SIMK_OUT_DIR", "SIMK_JOBS", "SIMK_TOLERANCE", "SIMK_SEEDS", "JOB_COMPLETION_INDEX"]) expect(captured.out).toContain(`  ${v} `);
    captured.out = "";
    expect(await main(["run", "--help"])).toBe(0);
    expect(captured.out).toMatch(/env:\s+SIMK_SEED/);
  });
});
