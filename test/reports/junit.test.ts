import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { checkBaseline } from "../../reports/baseline.js";
import { escapeXml, expectationName, junitXml } from "../../reports/junit.js";
import { main } from "../../sim/cli/main.js";
import type { ExpectationResult } from "../../sim/run/expectations.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("../sweep/fixtures/small.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-junit-");
captureOutput(); // keeps simk's output out of the test log; nothing here reads it

const source = { file: "s.yaml", line: 12, column: 7, path: "spec.expect[0]" };
const expectation = (over: Partial<ExpectationResult>): ExpectationResult => ({
  metric: "pods.pending",
  stat: "max",
  op: "<=",
  value: 3,
  actual: 2,
  ok: true,
  message: "max(pods.pending) <= 3: got 2",
  source,
  ...over,
});

describe("JUnit XML", () => {
  it("one test case per expectation; a failed one carries the expectation's message", () => {
    const xml = junitXml({
      scenario: "demo",
      seed: 4,
      expectations: [
        expectation({}),
        expectation({ metric: "nodes.ready", stat: "last", op: "==", value: 4, actual: 3, ok: false, message: "last(nodes.ready) == 4: got 3", after: 60, source: { ...source, line: 14 } }),
      ],
    });
    expect(xml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="simk" tests="2" failures="1" errors="0">
  <testsuite name="demo (seed 4)" tests="2" failures="1" errors="0" skipped="0">
    <testcase name="max(pods.pending) &lt;= 3" classname="simk.demo" file="s.yaml" line="12"/>
    <testcase name="last(nodes.ready) (after 60s) == 4" classname="simk.demo" file="s.yaml" line="14">
      <failure message="last(nodes.ready) == 4: got 3" type="ExpectationFailed">last(nodes.ready) == 4: got 3
s.yaml:14:7 (seed 4)</failure>
    </testcase>
  </testsuite>
</testsuites>
`,
    );
  });

  it("baseline regressions are test cases too", () => {
    const report = checkBaseline({ "pods.pending.max": 9, "recovery.seconds": 10 }, { kind: "simk/baseline", version: 1, scenario: "demo", seed: 1, metrics: { "pods.pending.max": 2, "recovery.seconds": 10 } }, { tolerance: 0.02, file: "b.json" });
    const xml = junitXml({ scenario: "demo", seed: 1, expectations: [] }, report);
    expect(xml).toContain('<testsuites name="simk" tests="2" failures="1" errors="0">');
    expect(xml).toContain('<testsuite name="demo baseline b.json" tests="2" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<failure message="pods.pending.max: 2 → 9 (+350%), lower is better; allowed 0.5" type="BaselineRegression">');
    expect(xml).toContain('<testcase name="recovery.seconds" classname="simk.demo.baseline"/>');
  });

  it("escapes markup and drops characters XML cannot hold", () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
    expect(expectationName(expectation({ before: 30 }))).toBe("max(pods.pending) (before 30s) <= 3");
  });

  it("simk run --junit writes the file (atomically) and keeps the exit status", async () => {
    const dir = tempDir();
    const file = join(dir, "s.yaml");
    writeFileSync(file, readFileSync(SMALL, "utf8").replace('op: ">=", value: 1}', 'op: ">=", value: 99}'));
    expect(await main(["run", file, "--junit", join(dir, "reports", "junit.xml"), "-q"])).toBe(1);
    const xml = readFileSync(join(dir, "reports", "junit.xml"), "utf8");
    expect(xml).toMatch(/<testcase name="last\(deployment\.default\.web\.available\) &gt;= 99" classname="simk\.small" file="[^"]*s\.yaml" line="22">\n\s+<failure message="last\(deployment\.default\.web\.available\) &gt;= 99: got \d+"/);
    vi.stubEnv("SIMK_JUNIT", join(dir, "env.xml"));
    expect(await main(["run", SMALL, "-q"])).toBe(0);
    expect(readFileSync(join(dir, "env.xml"), "utf8")).toContain('failures="0"');
    vi.unstubAllEnvs();
  });
});
