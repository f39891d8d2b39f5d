/**
 * The machine-readable outputs of a run (a contract other tools read; see README "Outputs"):
 * summary.json, events.jsonl, timeseries.csv and, on request, decisions.jsonl. Deterministic:
 * no wall-clock times, no absolute paths, keys in a fixed order.
 */
import { stringify } from "csv-stringify/sync";
import type { SimEvent } from "../sim/metrics/events.js";
import type { RunResult } from "../sim/run/simulate.js";
import type { DecisionRecord } from "../sim/scheduler/scheduler.js";
import type { OutputFile, StagedFile } from "./atomic.js";

export function summaryJson(result: RunResult): string {
  const summary = {
    scenario: result.scenario,
    seed: result.seed,
    simulatedSeconds: result.simulatedSeconds,
    metrics: result.metrics,
    expectations: result.expectations.map((e) => ({
      metric: e.metric,
      stat: e.stat,
      op: e.op,
      value: e.value,
      ...(e.after !== undefined ? { after: e.after } : {}),
      ...(e.before !== undefined ? { before: e.before } : {}),
      actual: e.actual,
      ok: e.ok,
      message: e.message,
      line: e.source.line,
    })),
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

export function eventsJsonl(result: RunResult): string {
  return result.events.map(jsonLine).join("");
}

export function timeseriesCsv(result: RunResult): string {
  const ts = result.timeseries;
  const names = ts.columnNames();
  const cols = names.map((n) => ts.column(n)!);
  const rows: (string | number)[][] = ts.times.map((t, i) => [t, ...cols.map((c) => c[i] ?? "")]);
  return stringify(rows, { header: true, columns: ["time", ...names] });
}

/** One line of events.jsonl or decisions.jsonl. */
export function jsonLine(record: SimEvent | DecisionRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function decisionsJsonl(result: RunResult): string {
  return result.decisions.map(jsonLine).join("");
}

export interface RunFileOptions {
  recordDecisions?: boolean;
  /** events.jsonl as written during the run (RunOptions.onEvent and jsonLine), instead of from result.events. */
  events?: StagedFile;
  /** decisions.jsonl as written during the run (RunOptions.onDecision and jsonLine), instead of from result.decisions. */
  decisions?: StagedFile;
}

export function runOutputFiles(result: RunResult, options: RunFileOptions = {}): OutputFile[] {
  const files: OutputFile[] = [
    { name: "summary.json", content: summaryJson(result) },
    options.events ? { name: "events.jsonl", staged: options.events } : { name: "events.jsonl", content: eventsJsonl(result) },
    { name: "timeseries.csv", content: timeseriesCsv(result) },
  ];
  if (options.decisions) files.push({ name: "decisions.jsonl", staged: options.decisions });
  else if (options.recordDecisions) files.push({ name: "decisions.jsonl", content: decisionsJsonl(result) });
  return files;
}
