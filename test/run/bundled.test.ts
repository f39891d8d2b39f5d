/** Every bundled scenario loads, runs, and meets its own expectations. */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load.js";
import { resolveSchedulerConfig } from "../../sim/scheduler/config.js";
import { runScenario } from "../../sim/run/simulate.js";

const dir = new URL("../../scenarios/", import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("bundled scenarios", () => {
  it("there are bundled scenarios", () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)("%s meets its expectations", async (file) => {
    const scenario = loadScenario(dir + file);
    const schedulerConfig = await resolveSchedulerConfig(scenario);
    const result = runScenario(scenario, { schedulerConfig });
    expect(result.expectations.length).toBeGreaterThan(0);
    expect(result.expectations.filter((e) => !e.ok).map((e) => e.message)).toEqual([]);
  });
});
