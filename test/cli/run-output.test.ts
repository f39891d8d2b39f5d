import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../sim/cli/main.js";
import { decisionsJsonl, eventsJsonl } from "../../reports/files.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { runScenario } from "../../sim/run/simulate.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

// The fixture's Scenario document says seed: 3.
const SMALL = new URL("../sweep/fixtures/small.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-run-");
const captured = captureOutput();

describe("simk run -o", () => {
  it("json prints exactly the summary.json it writes", async () => {
    const dir = tempDir();
    expect(await main(["run", SMALL, "-o", "json", "--out-dir", dir])).toBe(0);
    expect(captured.out).toBe(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(JSON.parse(captured.out).seed).toBe(3);
    expect(captured.err).toMatch(/^wrote .*summary\.json.*report\.html\n$/);
  });

  it("html prints the HTML report; --interactive needs an HTML report", async () => {
    expect(await main(["run", SMALL, "-o", "html", "-q"])).toBe(0);
    expect(captured.out).toMatch(/^<!DOCTYPE html>/i);
    expect(captured.out).toContain("</html>");
    expect(await main(["run", SMALL, "--interactive"])).toBe(2);
    expect(captured.err).toMatch(/--interactive is for the HTML report/);
    expect(await main(["run", SMALL, "-o", "yaml"])).toBe(2);
  });

  it("--set runs a changed scenario; several values are for simk sweep", async () => {
    expect(await main(["run", SMALL, "-o", "json", "--set", "spec.nodePools[0].count=5"])).toBe(0);
    expect(JSON.parse(captured.out).metrics["nodes.total"]).toBe(5);
    expect(await main(["run", SMALL, "--set", "spec.nodePools[0].count=5,6"])).toBe(2);
    expect(captured.err).toMatch(/one value per --set \(got 2\); to run several, use simk sweep/);
  });
});

describe("flags, environment variables and the scenario file", () => {
  const seedOf = async (args: string[]): Promise<number> => {
    captured.out = "";
    expect(await main(["run", SMALL, "-o", "json", ...args])).toBe(0);
    return JSON.parse(captured.out).seed as number;
  };

  it("the flag wins over SIMK_*, which wins over the file", async () => {
    expect(await seedOf([])).toBe(3);
    vi.stubEnv("SIMK_SEED", "5");
    expect(await seedOf([])).toBe(5);
    expect(await seedOf(["--seed", "7"])).toBe(7);
  });

  it("a bad environment value is a usage error naming the variable", async () => {
    vi.stubEnv("SIMK_SEED", "five");
    expect(await main(["run", SMALL, "-q"])).toBe(2);
    expect(captured.err).toMatch(/SIMK_SEED.*five/);
  });

  it("SIMK_OUT_DIR, SIMK_OUTPUT, SIMK_SAMPLE_INTERVAL and SIMK_QUIET", async () => {
    const dir = tempDir();
    vi.stubEnv("SIMK_OUT_DIR", dir);
    vi.stubEnv("SIMK_SAMPLE_INTERVAL", "10s");
    vi.stubEnv("SIMK_QUIET", "1");
    expect(await main(["run", SMALL])).toBe(0);
    expect(captured.out).toBe("");
    expect(captured.err).toBe("");
    expect(readdirSync(dir).sort()).toEqual(["events.jsonl", "report.html", "summary.json", "timeseries.csv"]);
    expect(readFileSync(join(dir, "timeseries.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 13); // 0..120 s every 10 s
    vi.stubEnv("SIMK_QUIET", "false");
    vi.stubEnv("SIMK_OUTPUT", "json");
    vi.stubEnv("SIMK_OUT_DIR", "");
    expect(await main(["run", SMALL])).toBe(0);
    expect(JSON.parse(captured.out).scenario).toBe("small");
  });

  it("--out-dir streams events.jsonl and decisions.jsonl during the run: the same bytes as the kept logs, no temporary left", async () => {
    const dir = tempDir();
    const scenario = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;
    expect(await main(["run", scenario, "--out-dir", dir, "--seed", "4", "--record-decisions", "-q"])).toBe(0);
    const kept = runScenario(loadScenario(scenario), { seed: 4, recordDecisions: true });
    expect(kept.events.length).toBeGreaterThan(0);
    expect(kept.decisions.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toBe(eventsJsonl(kept));
    expect(readFileSync(join(dir, "decisions.jsonl"), "utf8")).toBe(decisionsJsonl(kept));
    expect(readdirSync(dir).sort()).toEqual(["decisions.jsonl", "events.jsonl", "report.html", "summary.json", "timeseries.csv"]);
    // The report counts the events it was not given.
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain(`<b>${kept.events.length}</b> events`);
  });

  it("--record-decisions needs --out-dir (decisions are written as the run goes, never kept)", async () => {
    expect(await main(["run", SMALL, "--record-decisions", "-q"])).toBe(2);
    expect(captured.err).toMatch(/--record-decisions writes decisions\.jsonl: use it with --out-dir/);
  });

  it("an input error writes nothing anywhere", async () => {
    const dir = tempDir();
    expect(await main(["run", SMALL, "--set", "spec.duration=soon", "--out-dir", join(dir, "o"), "--junit", join(dir, "j.xml")])).toBe(2);
    expect(existsSync(join(dir, "o"))).toBe(false);
    expect(existsSync(join(dir, "j.xml"))).toBe(false);
  });
});
