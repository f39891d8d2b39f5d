/**
 * JUnit XML for CI systems (`simk run --junit FILE`): one test suite for the scenario's
 * expectations, one test case per expectation (the failure message is the expectation's message),
 * and, with --baseline, one more suite with a test case per quality metric compared. Deterministic:
 * no timestamps, no durations, no host names.
 */
import type { RunResult } from "../sim/run/simulate.js";
import type { ExpectationResult } from "../sim/run/expectations.js";
import type { BaselineReport } from "./baseline.js";

export function escapeXml(s: string): string {
  // XML 1.0 forbids most control characters, even escaped.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** The expectation as written: "last(nodes.ready) == 4", with its window. */
export function expectationName(e: ExpectationResult): string {
  const window: string[] = [];
  if (e.after !== undefined) window.push(`after ${e.after}s`);
  if (e.before !== undefined) window.push(`before ${e.before}s`);
  return `${e.stat}(${e.metric})${window.length > 0 ? ` (${window.join(", ")})` : ""} ${e.op} ${e.value}`;
}

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  failure?: { message: string; type: string; body: string };
}

function suite(name: string, cases: Case[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const lines = [`  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`];
  for (const c of cases) {
    const attrs = [`name="${escapeXml(c.name)}"`, `classname="${escapeXml(c.classname)}"`];
    if (c.file !== undefined) attrs.push(`file="${escapeXml(c.file)}"`);
    if (c.line !== undefined) attrs.push(`line="${c.line}"`);
    if (!c.failure) {
      lines.push(`    <testcase ${attrs.join(" ")}/>`);
      continue;
    }
    lines.push(`    <testcase ${attrs.join(" ")}>`);
    lines.push(`      <failure message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.body)}</failure>`);
    lines.push("    </testcase>");
  }
  lines.push("  </testsuite>");
  return lines.join("\n");
}

export function junitXml(result: Pick<RunResult, "scenario" | "seed" | "expectations">, baseline?: BaselineReport): string {
  const classname = `simk.${result.scenario}`;
  const expectations: Case[] = result.expectations.map((e) => ({
    name: expectationName(e),
    classname,
    file: e.source.file,
    line: e.source.line,
    ...(e.ok ? {} : { failure: { message: e.message, type: "ExpectationFailed", body: `${e.message}\n${e.source.file}:${e.source.line}:${e.source.column} (seed ${result.seed})` } }),
  }));
  const suites = [suite(`${result.scenario} (seed ${result.seed})`, expectations)];
  if (baseline) {
    const cases: Case[] = baseline.checks
      .filter((c) => c.verdict !== "new")
      .map((c) => {
        const failed = c.verdict === "regression" || c.verdict === "missing";
        return {
          name: c.metric,
          classname: `${classname}.baseline`,
          ...(failed ? { failure: { message: c.message, type: "BaselineRegression", body: `${c.message}\nbaseline ${baseline.file}, tolerance ${baseline.tolerance * 100}%` } } : {}),
        };
      });
    suites.push(suite(`${result.scenario} baseline ${baseline.file}`, cases));
  }
  const tests = result.expectations.length + (baseline ? baseline.checks.filter((c) => c.verdict !== "new").length : 0);
  const failures = result.expectations.filter((e) => !e.ok).length + (baseline ? baseline.regressions.length : 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="simk" tests="${tests}" failures="${failures}" errors="0">\n${suites.join("\n")}\n</testsuites>\n`;
}
