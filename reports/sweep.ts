/**
 * A sweep's outputs: sweep.json (the SweepResult, per-seed values included), sweep.csv (one row
 * per variant and metric: n, mean, sd, 95 % interval) and the table `simk sweep` prints. Like the
 * run outputs: deterministic, no wall-clock time, no absolute path.
 */
import { stringify } from "csv-stringify/sync";
import type { SweepResult, VariantResult } from "../sim/sweep/aggregate.js";
import type { OutputFile } from "./atomic.js";
import { formatValue, matchesPattern, qualityOf } from "./baseline.js";

export function sweepJson(result: SweepResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function sweepCsv(result: SweepResult): string {
  const paths = result.sets.map((s) => s.path);
  const rows: (string | number)[][] = [];
  for (const v of result.variants) {
    for (const [metric, s] of Object.entries(v.metrics)) {
      rows.push([v.name, ...paths.map((p) => v.set[p] ?? ""), metric, s.n, s.n > 0 ? s.mean : "", s.sd ?? "", s.ci95?.[0] ?? "", s.ci95?.[1] ?? ""]);
    }
  }
  return stringify(rows, { header: true, columns: ["variant", ...paths, "metric", "n", "mean", "sd", "ci95_low", "ci95_high"] });
}

/** The metrics a sweep shows by default: the quality metrics some variant reports. */
export function chartMetrics(result: SweepResult, patterns: readonly string[] = []): string[] {
  const names = new Set<string>();
  for (const v of result.variants) for (const m of Object.keys(v.metrics)) names.add(m);
  const wanted = (m: string): boolean => (patterns.length > 0 ? patterns.some((p) => matchesPattern(m, p)) : qualityOf(m) !== undefined);
  return [...names].filter(wanted).sort();
}

/** A metric that is 0 in every run of every variant. */
export function allZero(result: SweepResult, metric: string): boolean {
  return result.variants.every((v) => (v.metrics[metric]?.values ?? []).every((x) => x === null || x === 0));
}

/**
 * The metrics a table or page shows: those asked for, or the quality metrics except those that are
 * 0 in every run (they say nothing; `hidden` counts them, the files have them).
 */
export function shownMetrics(result: SweepResult, patterns: readonly string[] = []): { metrics: string[]; hidden: number } {
  const chosen = chartMetrics(result, patterns);
  const metrics = patterns.length > 0 ? chosen : chosen.filter((m) => !allZero(result, m));
  return { metrics, hidden: chosen.length - metrics.length };
}

/** Half the interval; rounding noise (values equal but for the last bits) shows as 0. */
export function halfWidth(mean: number, ci: [number, number]): number {
  const half = (ci[1] - ci[0]) / 2;
  return half <= 1e-12 * Math.max(1, Math.abs(mean)) ? 0 : half;
}

/** "12.5 ± 0.8" (mean ± half the 95 % interval), "12.5" for one run, "-" when absent. */
export function meanWithInterval(v: VariantResult, metric: string): string {
  const s = v.metrics[metric];
  if (!s || s.n === 0) return "-";
  if (!s.ci95) return formatValue(s.mean);
  return `${formatValue(s.mean)} ± ${formatValue(halfWidth(s.mean, s.ci95))}`;
}

/** What `simk sweep` prints: the chosen metrics by variant, and how many runs met the expectations. */
export function formatSweepTable(result: SweepResult, patterns: readonly string[] = []): string {
  const { metrics, hidden } = shownMetrics(result, patterns);
  const header = ["metric", ...result.variants.map((v) => v.name)];
  const rows = metrics.map((m) => [m, ...result.variants.map((v) => meanWithInterval(v, m))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`.trimEnd();
  const seeds = result.seeds.length;
  const out = [
    `simk sweep: ${result.scenario}, ${result.variants.length} variant${result.variants.length === 1 ? "" : "s"} × ${seeds} seed${seeds === 1 ? "" : "s"} (mean ± 95 % confidence interval)`,
    "",
    line(header),
    ...rows.map(line),
  ];
  if (hidden > 0) out.push(`  (${hidden} more quality metric${hidden === 1 ? " is" : "s are"} 0 in every run)`);
  if (result.variants.some((v) => v.expectations.perRun > 0)) {
    out.push("");
    for (const v of result.variants) {
      const e = v.expectations;
      const mark = e.allMet === v.runs ? "✓" : "✗";
      const firstFailure = e.failures[0] ? `; seed ${e.failures[0].seed}: ${e.failures[0].failed[0]}` : "";
      out.push(`  ${mark} ${v.name}: expectations met in ${e.allMet}/${v.runs} runs${firstFailure}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export interface SweepFileOptions {
  /** The rendered sweep.html, when it is written. */
  html?: string;
}

export function sweepOutputFiles(result: SweepResult, options: SweepFileOptions = {}): OutputFile[] {
  const files: OutputFile[] = [
    { name: "sweep.json", content: sweepJson(result) },
    { name: "sweep.csv", content: sweepCsv(result) },
  ];
  if (options.html !== undefined) files.push({ name: "sweep.html", content: options.html });
  return files;
}
