/**
 * sweep.html: one self-contained page with, per metric, each variant's mean and its 95 %
 * confidence interval as an error bar (Vega-Lite rendered to inline SVG by reports/vega.ts), then
 * a table of every metric. Deterministic: the same sweep gives the same bytes.
 *
 * vega is loaded (dynamic import) only when a page is rendered.
 */
import type { SweepResult } from "../sim/sweep/aggregate.js";
import { qualityOf } from "./baseline.js";
import { meanWithInterval, shownMetrics } from "./sweep.js";
import type { TopLevelSpec } from "./vega.js";

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The Vega-Lite spec of one metric's chart: a point at the mean, an error bar over the interval. */
export function errorBarSpec(result: SweepResult, metric: string): TopLevelSpec {
  const values = result.variants
    .filter((v) => (v.metrics[metric]?.n ?? 0) > 0)
    .map((v) => {
      const s = v.metrics[metric];
      return { variant: v.name, order: v.index, mean: s.mean, low: s.ci95 ? s.ci95[0] : s.mean, high: s.ci95 ? s.ci95[1] : s.mean, n: s.n };
    });
  const q = qualityOf(metric);
  const longest = Math.max(0, ...values.map((v) => v.variant.length));
  const step = Math.min(220, Math.max(70, 7 * longest));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: metric, subtitle: q ? `${q.better} is better` : "", anchor: "start", fontSize: 13 },
    width: Math.max(160, step * values.length),
    height: 160,
    data: { values },
    encoding: {
      x: { field: "variant", type: "nominal", sort: { field: "order" }, title: null, axis: { labelAngle: step * values.length > 900 ? -30 : 0, labelLimit: 220 } },
    },
    layer: [
      {
        mark: { type: "errorbar", ticks: true },
        encoding: { y: { field: "low", type: "quantitative", title: "mean, 95 % CI", scale: { zero: false } }, y2: { field: "high" } },
      },
      {
        mark: { type: "point", filled: true, size: 50 },
        encoding: {
          y: { field: "mean", type: "quantitative" },
          tooltip: [
            { field: "variant", type: "nominal" },
            { field: "mean", type: "quantitative" },
            { field: "low", type: "quantitative", title: "95 % CI low" },
            { field: "high", type: "quantitative", title: "95 % CI high" },
            { field: "n", type: "quantitative" },
          ],
        },
      },
    ],
    config: { font: "sans-serif" },
  } as TopLevelSpec;
}

export interface SweepHtmlOptions {
  /** Chart these metrics (glob patterns) instead of the quality metrics. */
  metrics?: readonly string[];
}

export async function renderSweepHtml(result: SweepResult, options: SweepHtmlOptions = {}): Promise<string> {
  const { renderVegaLiteToSvg } = await import("./vega.js");
  const { metrics: charted, hidden } = shownMetrics(result, options.metrics ?? []);
  const charts: string[] = [];
  for (const [i, metric] of charted.entries()) {
    const svg = await renderVegaLiteToSvg(errorBarSpec(result, metric), { idPrefix: `m${i}` });
    charts.push(`<figure>${svg}</figure>`);
  }
  const all = [...new Set(result.variants.flatMap((v) => Object.keys(v.metrics)))].sort();
  const head = `<tr><th>metric</th>${result.variants.map((v) => `<th>${escapeHtml(v.name)}</th>`).join("")}</tr>`;
  const rows = all.map((m) => `<tr><td>${escapeHtml(m)}</td>${result.variants.map((v) => `<td>${escapeHtml(meanWithInterval(v, m))}</td>`).join("")}</tr>`);
  const sets = result.sets.length > 0 ? result.sets.map((s) => `<code>${escapeHtml(s.path)}</code> = ${s.values.map((x) => `<code>${escapeHtml(x)}</code>`).join(", ")}`).join("<br>") : "none";
  const expectations = result.variants
    .filter((v) => v.expectations.perRun > 0)
    .map((v) => `<li>${escapeHtml(v.name)}: expectations met in ${v.expectations.allMet}/${v.runs} runs</li>`)
    .join("");
  const seeds = result.seeds.length <= 12 ? result.seeds.join(", ") : `${result.seeds.length} seeds (${result.seeds.slice(0, 5).join(", ")}, …)`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>simk sweep: ${escapeHtml(result.scenario)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
figure { display: inline-block; margin: 0 1.5em 1.5em 0; vertical-align: top; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.8em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
code { background: #f3f3f3; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>simk sweep: ${escapeHtml(result.scenario)}</h1>
<p>${result.variants.length} variant(s) × ${result.seeds.length} seed(s): ${escapeHtml(seeds)}.<br>--set: ${sets}</p>
<p>Each point is the mean over the seeds; the bar is its 95 % confidence interval (Student t, n − 1 degrees of freedom).</p>
${expectations ? `<ul>${expectations}</ul>` : ""}
<h2>Quality metrics</h2>
${charts.length > 0 ? charts.join("\n") : "<p>No metric to chart.</p>"}
${hidden > 0 ? `<p>${hidden} more quality metric${hidden === 1 ? " is" : "s are"} 0 in every run (in the table below).</p>` : ""}
<h2>All metrics (mean ± half the 95 % interval)</h2>
<table>
${head}
${rows.join("\n")}
</table>
<p>Values are rounded to 4 significant digits; sweep.json has the exact ones.</p>
</body>
</html>
`;
}
