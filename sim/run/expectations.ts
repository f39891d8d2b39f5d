/**
 * Evaluates a scenario's `expect:` list. A metric that is a time-series column is reduced over the
 * samples in the window with the statistic (last, min, max, mean, pNN nearest-rank); a summary-only
 * metric has one value, which every statistic returns.
 */
import type { TimeSeries } from "../metrics/timeseries.js";
import { nearestRank } from "../metrics/stats.js";
import type { Expectation, ExpectOp, SourceLocation } from "../scenario/types.js";

export interface ExpectationResult {
  metric: string;
  stat: string;
  op: ExpectOp;
  value: number;
  after?: number;
  before?: number;
  /** The measured value, or null when the metric does not exist or has no samples in the window. */
  actual: number | null;
  ok: boolean;
  message: string;
  source: SourceLocation;
}

export function compare(actual: number, op: ExpectOp, value: number): boolean {
  switch (op) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case "==":
      return actual === value;
    case "!=":
      return actual !== value;
    case ">=":
      return actual >= value;
    case ">":
      return actual > value;
  }
}

export function reduce(values: number[], stat: string): number | null {
  if (values.length === 0) return null;
  switch (stat) {
    case "last":
      return values[values.length - 1];
    // Loops, not Math.min(...values): a spread of more than ~120k samples overflows the stack.
    case "min":
      return values.reduce((a, b) => (b < a ? b : a));
    case "max":
      return values.reduce((a, b) => (b > a ? b : a));
    case "mean":
      return values.reduce((a, b) => a + b, 0) / values.length;
    default: {
      const p = Number(stat.slice(1));
      return nearestRank(Float64Array.from(values).sort(), p);
    }
  }
}

export function evaluateExpectations(expect: readonly Expectation[], series: TimeSeries, metrics: Record<string, number>): ExpectationResult[] {
  return expect.map((e) => {
    let values: number[] = [];
    const col = series.column(e.metric);
    if (col) {
      for (let i = 0; i < col.length; i++) {
        const t = series.times[i] * 1_000_000;
        const v = col[i];
        if (v === undefined) continue;
        if (e.after !== undefined && t < e.after) continue;
        if (e.before !== undefined && t > e.before) continue;
        values.push(v);
      }
    } else if (e.metric in metrics) {
      values = [metrics[e.metric]];
    }
    const actual = reduce(values, e.stat);
    const window = e.after !== undefined || e.before !== undefined ? ` (${e.after !== undefined ? `after ${e.after / 1e6}s` : ""}${e.after !== undefined && e.before !== undefined ? ", " : ""}${e.before !== undefined ? `before ${e.before / 1e6}s` : ""})` : "";
    const desc = `${e.stat}(${e.metric})${window} ${e.op} ${e.value}`;
    const known = col !== undefined || e.metric in metrics;
    const ok = actual !== null && compare(actual, e.op, e.value);
    const message = !known ? `${desc}: no such metric` : actual === null ? `${desc}: no samples in the window` : `${desc}: got ${actual}`;
    return {
      metric: e.metric,
      stat: e.stat,
      op: e.op,
      value: e.value,
      ...(e.after !== undefined ? { after: e.after / 1_000_000 } : {}),
      ...(e.before !== undefined ? { before: e.before / 1_000_000 } : {}),
      actual,
      ok,
      message,
      source: e.source,
    };
  });
}
