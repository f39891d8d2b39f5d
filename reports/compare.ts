/**
 * `simk compare A B`: a benchstat-style table of two samples of runs — two run summaries
 * (summary.json, or baseline files: one run each), two sweeps (sweep.json: the per-seed values of
 * one variant each), or two variants of one sweep (`sweep.json#0`, `sweep.json#name`).
 *
 * Per metric: each side's mean ± its 95 % confidence interval (as a percentage of the mean), the
 * change of the mean in percent, and the two-sided Mann–Whitney U p-value; the change is shown as
 * "~" when p ≥ 0.05 (no significant difference). A side with a single run has no interval and the
 * row no p-value: the change alone is shown.
 */
import { mannWhitneyU, summarise, type Summary } from "../sim/sweep/stats.js";
import type { SweepResult } from "../sim/sweep/aggregate.js";
import { formatPercent, formatValue, matchesPattern, qualityOf } from "./baseline.js";
import { halfWidth } from "./sweep.js";

export const ALPHA = 0.05;

export interface Sample {
  /** How the side is named in the table: "summary.json (node-failure, seed 1)". */
  label: string;
  /** metric → the values of the runs (one for a single run). */
  values: Record<string, number[]>;
}

export class CompareInputError extends Error {}

/** Splits `file.json#variant` into the file and the selector. */
export function splitSelector(arg: string): { file: string; selector?: string } {
  const hash = arg.lastIndexOf("#");
  if (hash <= 0) return { file: arg };
  return { file: arg.slice(0, hash), selector: arg.slice(hash + 1) };
}

/**
 * The samples in a file's JSON: one for a run summary or baseline, one per variant for a sweep
 * (only the selected one with `selector`: an index or a variant name). Throws CompareInputError.
 */
export function samplesOf(text: string, file: string, selector?: string): Sample[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CompareInputError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const d = data as Record<string, unknown> | null;
  if (d && d.kind === "simk/sweep" && Array.isArray(d.variants)) {
    const sweep = d as unknown as SweepResult;
    let variants = sweep.variants;
    if (selector !== undefined) {
      const byIndex = /^\d+$/.test(selector) ? variants.find((v) => v.index === Number(selector)) : undefined;
      const chosen = byIndex ?? variants.find((v) => v.name === selector);
      if (!chosen) throw new CompareInputError(`${file}: no variant ${JSON.stringify(selector)}; variants: ${listVariants(sweep)}`);
      variants = [chosen];
    }
    return variants.map((v) => {
      const values: Record<string, number[]> = {};
      for (const [m, s] of Object.entries(v.metrics)) values[m] = s.values.filter((x): x is number => x !== null);
      const label = sweep.variants.length > 1 ? `${file}#${v.index} (${v.name}, ${sweep.seeds.length} seeds)` : `${file} (${sweep.scenario}, ${sweep.seeds.length} seeds)`;
      return { label, values };
    });
  }
  if (d && typeof d.metrics === "object" && d.metrics !== null && !Array.isArray(d.metrics)) {
    if (selector !== undefined) throw new CompareInputError(`${file}: a single run has no variants; drop "#${selector}"`);
    const values: Record<string, number[]> = {};
    for (const [m, v] of Object.entries(d.metrics as Record<string, unknown>)) if (typeof v === "number") values[m] = [v];
    const seed = typeof d.seed === "number" ? `, seed ${d.seed}` : "";
    return [{ label: `${file} (${String(d.scenario ?? "?")}${seed})`, values }];
  }
  throw new CompareInputError(`${file}: neither a run summary (summary.json), a baseline nor a sweep (sweep.json)`);
}

export function listVariants(sweep: Pick<SweepResult, "variants">): string {
  return sweep.variants.map((v) => `#${v.index} ${v.name}`).join(", ");
}

export interface CompareRow {
  metric: string;
  a: Summary;
  b: Summary;
  /** (mean B − mean A) / |mean A|; null when mean A is 0 (then `difference` tells). */
  change: number | null;
  difference: number;
  /** Two-sided Mann–Whitney U p-value; null when a side has a single run. */
  p: number | null;
  /** The change is significant: p < 0.05, or no p-value (single runs) and the means differ. */
  significant: boolean;
  /** For quality metrics with a significant change. */
  verdict?: "better" | "worse";
}

export interface Comparison {
  a: string;
  b: string;
  rows: CompareRow[];
  onlyA: string[];
  onlyB: string[];
}

export function compareSamples(a: Sample, b: Sample, patterns: readonly string[] = []): Comparison {
  const wanted = (m: string): boolean => patterns.length === 0 || patterns.some((p) => matchesPattern(m, p));
  const namesA = Object.keys(a.values).filter((m) => wanted(m) && a.values[m].length > 0);
  const namesB = new Set(Object.keys(b.values).filter((m) => wanted(m) && b.values[m].length > 0));
  const rows: CompareRow[] = [];
  for (const metric of namesA.filter((m) => namesB.has(m)).sort()) {
    const xa = a.values[metric];
    const xb = b.values[metric];
    const sa = summarise(xa);
    const sb = summarise(xb);
    const difference = sb.mean - sa.mean;
    const change = sa.mean !== 0 ? difference / Math.abs(sa.mean) : difference === 0 ? 0 : null;
    const p = xa.length >= 2 && xb.length >= 2 ? mannWhitneyU(xa, xb).p : null;
    const significant = p !== null ? p < ALPHA : difference !== 0;
    const q = qualityOf(metric);
    const verdict = q && significant && difference !== 0 ? ((q.better === "lower") === difference < 0 ? "better" : "worse") : undefined;
    rows.push({ metric, a: sa, b: sb, change, difference, p, significant, ...(verdict ? { verdict } : {}) });
  }
  return {
    a: a.label,
    b: b.label,
    rows,
    onlyA: namesA.filter((m) => !namesB.has(m)).sort(),
    onlyB: [...namesB].filter((m) => !(m in a.values) || a.values[m].length === 0).sort(),
  };
}

/** "353 ± 2%": the mean and the half-width of its 95 % interval relative to it. */
export function centre(s: Summary): string {
  if (!s.ci) return formatValue(s.mean);
  const half = halfWidth(s.mean, s.ci);
  if (s.mean === 0) return `${formatValue(s.mean)} ± ${formatValue(half)}`;
  return `${formatValue(s.mean)} ± ${Math.round((half / Math.abs(s.mean)) * 100)}%`;
}

function changeCell(r: CompareRow): string {
  if (!r.significant) return "~";
  const text = r.change !== null ? formatPercent(r.change) : `${r.difference > 0 ? "+" : ""}${formatValue(r.difference)}`;
  return r.verdict ? `${text} (${r.verdict})` : text;
}

function pCell(r: CompareRow): string {
  const n = `n=${r.a.n}+${r.b.n}`;
  return r.p === null ? n : `p=${r.p.toFixed(3)} ${n}`;
}

export const COMPARE_LEGEND =
  'centre: mean ± 95 % confidence interval (Student t); change: of the mean, (B − A) / |A|;\n' +
  'p: two-sided Mann–Whitney U test; "~": no significant difference (p ≥ 0.05); a side with one run: change only, no p-value';

export function formatComparison(c: Comparison): string {
  const header = ["metric", "A", "B", "change", "p"];
  const rows = c.rows.map((r) => [r.metric, centre(r.a), centre(r.b), changeCell(r), pCell(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 || i === 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd();
  const out = [`A: ${c.a}`, `B: ${c.b}`, ...COMPARE_LEGEND.split("\n"), "", line(header), ...rows.map(line)];
  if (c.onlyA.length > 0) out.push("", `only in A: ${c.onlyA.join(", ")}`);
  if (c.onlyB.length > 0) out.push(`${c.onlyA.length > 0 ? "" : "\n"}only in B: ${c.onlyB.join(", ")}`);
  return `${out.join("\n")}\n`;
}

export function comparisonJson(cs: readonly Comparison[]): string {
  return `${JSON.stringify(cs.length === 1 ? cs[0] : cs, null, 2)}\n`;
}
