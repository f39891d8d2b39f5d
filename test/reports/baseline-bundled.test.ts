/**
 * The CI gate: every bundled scenario, run with seed 1, must not be worse than its committed
 * baseline (baselines/<scenario>.json) by more than the default tolerance. A change that makes
 * scheduling (or load balancing, or recovery) worse fails here, naming the metric.
 *
 * After an intended change, rewrite the baselines and commit them with the change (docs/ci.md):
 *
 *   npx simk baseline write scenarios/*.yaml --seed 1 --out-dir baselines/
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkBaseline, parseBaseline, parseTolerance } from "../../reports/baseline.js";
import { baselineFileName } from "../../sim/cli/baseline.js";
import { DEFAULT_TOLERANCE } from "../../sim/cli/run.js";
import { runScenario } from "../../sim/run/simulate.js";
import { prepareRun } from "../../sim/sweep/prepare.js";
import { singleOverrides } from "../../sim/sweep/set.js";

const scenarios = new URL("../../scenarios/", import.meta.url).pathname;
const baselines = new URL("../../baselines/", import.meta.url).pathname;
const files = readdirSync(scenarios).filter((f) => f.endsWith(".yaml")).sort();
const UPDATE = "if the change is intended: npx simk baseline write scenarios/*.yaml --seed 1 --out-dir baselines/ (docs/ci.md)";

describe("bundled scenarios against their baselines", () => {
  it("every bundled scenario has a baseline, and every baseline a scenario", () => {
    const missing = files.filter((f) => !existsSync(baselines + baselineFileName(f)));
    expect(missing, `no baseline for ${missing.join(", ")}; ${UPDATE}`).toEqual([]);
    const orphans = readdirSync(baselines)
      .filter((f) => f.endsWith(".json"))
      .filter((b) => !files.some((f) => baselineFileName(f) === b));
    expect(orphans, "baselines without a scenario").toEqual([]);
  });

  it.each(files)("%s is no worse than its baseline", async (file) => {
    const path = baselines + baselineFileName(file);
    if (!existsSync(path)) return; // reported by the test above
    const baseline = parseBaseline(readFileSync(path, "utf8"));
    expect(baseline.seed).toBe(1);
    const { scenario, schedulerConfig, balancers } = await prepareRun(scenarios + file);
    const result = runScenario(scenario, { seed: baseline.seed, schedulerConfig, ...(balancers ? { balancers } : {}) });
    const report = checkBaseline(result.metrics, baseline, { tolerance: parseTolerance(DEFAULT_TOLERANCE), file: `baselines/${baselineFileName(file)}` });
    expect(report.regressions.map((r) => r.message), UPDATE).toEqual([]);
  });

  it("the gate catches worse scheduling: node-failure with slower scheduling attempts", async () => {
    const baseline = parseBaseline(readFileSync(baselines + "node-failure.json", "utf8"));
    const { scenario, schedulerConfig } = await prepareRun(scenarios + "node-failure.yaml", { overrides: singleOverrides(["spec.components.scheduler.attemptLatency=50ms"]) });
    const result = runScenario(scenario, { seed: 1, schedulerConfig });
    const report = checkBaseline(result.metrics, baseline, { tolerance: parseTolerance(DEFAULT_TOLERANCE), file: "baselines/node-failure.json" });
    expect(report.ok).toBe(false);
    expect(report.regressions.map((r) => r.metric)).toContain("scheduler.queueWaitSeconds.p99");
  });
});
