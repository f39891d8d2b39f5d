import { existsSync, mkdtempSync as makeTemp, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../sim/cli/main.js";

const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;

const temps: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const dir = makeTemp(prefix);
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("simk run", () => {
  it("prints a summary and writes the three output files", () => {
    const dir = mkdtempSync(join(tmpdir(), "simk-"));
    expect(main(["run", SCENARIO, "--seed", "42", "--out-dir", dir])).toBe(0);
    expect(out).toContain("simk: node-failure (seed 42, 600 s simulated)");
    expect(out).toMatch(/expectations: 3\/3 met/);
    expect(readdirSync(dir).sort()).toEqual(["events.jsonl", "summary.json", "timeseries.csv"]);
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

  it("exits 1 when an expectation fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "simk-"));
    const file = join(dir, "s.yaml");
    writeFileSync(file, readFileSync(SCENARIO, "utf8").replace("op: \"==\"\n      value: 4", "op: \"==\"\n      value: 5"));
    expect(main(["run", file, "--quiet"])).toBe(1);
  });

  it("exits 2 with file:line on bad input and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "simk-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, readFileSync(SCENARIO, "utf8").replace("duration: 10m", "duration: 10 min"));
    const outDir = join(dir, "out");
    expect(main(["run", file, "--out-dir", outDir])).toBe(2);
    expect(err).toMatch(/bad\.yaml:11:13: spec\.duration: invalid duration "10 min"/);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(outDir)).toBe(false);
  });

  it("exits 2 for a bad flag value", () => {
    expect(main(["run", SCENARIO, "--seed", "-1"])).toBe(2);
    expect(err).toMatch(/seed must be a whole number/);
  });

  it("exits 2 for a missing file", () => {
    expect(main(["run", "no-such-file.yaml"])).toBe(2);
    expect(err).toMatch(/no-such-file\.yaml/);
  });
});

describe("simk validate and schema", () => {
  it("validate accepts the bundled scenario", () => {
    expect(main(["validate", SCENARIO])).toBe(0);
    expect(out).toContain(": ok");
  });

  it("schema prints a JSON Schema", () => {
    expect(main(["schema"])).toBe(0);
    const schema = JSON.parse(out);
    expect(schema.$schema ?? schema.type).toBeTruthy();
  });

  it("help shows an example", () => {
    expect(main(["run", "--help"])).toBe(0);
    expect(out + err).toContain("Examples:");
  });
});

describe("determinism across processes", () => {
  it("two separate processes write byte-identical files for the same seed", () => {
    const root = new URL("../..", import.meta.url).pathname;
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "simk-proc-")));
    for (const dir of dirs) {
      execFileSync(process.execPath, ["--import", "tsx", "cli.ts", "run", "scenarios/node-failure.yaml", "--seed", "9", "--out-dir", dir, "--quiet"], { cwd: root });
    }
    for (const name of ["summary.json", "events.jsonl", "timeseries.csv"]) {
      expect(readFileSync(join(dirs[1], name)).equals(readFileSync(join(dirs[0], name))), name).toBe(true);
    }
  });
});
