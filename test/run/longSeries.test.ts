import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../helpers/cli.js";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const tempDir = useTempDirs("simk-long-");

describe("a run with more samples than a spread argument list can hold", () => {
  it("summarises and checks min/max expectations over 250 000 samples (simk run, in its own process)", () => {
    // Math.max(...column) overflows the stack at about 120k values with node's default stack (a
    // vitest worker's is larger, hence the subprocess).
    const file = join(tempDir(), "long.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: simk.dev/v1alpha1",
        "kind: Scenario",
        "metadata: {name: long-series}",
        "spec:",
        "  duration: 2500s",
        "  sampleInterval: 10ms",
        "  nodePools:",
        "    - {name: worker, count: 1, template: {allocatable: {cpu: '1', memory: 1Gi, pods: 10}}}",
        "  expect:",
        "    - {metric: nodes.ready, stat: min, op: '>=', value: 1}",
        "    - {metric: nodes.ready, stat: max, op: '<=', value: 1}",
        "",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", file, "-o", "json"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { metrics: Record<string, number>; expectations: { actual: number; ok: boolean }[] };
    expect(summary.metrics["pods.pending.max"]).toBe(0);
    expect(summary.expectations.map((e) => [e.actual, e.ok])).toEqual([
      [1, true],
      [1, true],
    ]);
  }, 60_000);
});
