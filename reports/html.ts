/**
 * The HTML report of a run: one self-contained file that opens offline and makes no network
 * request. Inline CSS; charts as inline SVG rendered in Node (the default), or, interactive, Vega's
 * browser bundle inlined with the charts' Vega specs (compiled from Vega-Lite here), for tooltips
 * and x zoom/pan.
 *
 * Contents: header (scenario, seed, simulated time), expectations, key figures, charts (see
 * charts.ts), the timeline's actions, and every summary metric grouped (cluster, scheduler,
 * workloads, control plane, services, events).
 *
 * Every string from the scenario is HTML-escaped; JSON embedded in the page is escaped so that it
 * cannot close its <script> element. Deterministic: the same result gives the same bytes (no
 * clock, no paths, no random ids).
 */
import type { RunResult } from "../sim/run/simulate.js";
import type { ExpectationResult } from "../sim/run/expectations.js";
import { buildCharts, serviceColumns, type Chart, type Section } from "./charts.js";
import type { OutputFile } from "./atomic.js";
import { compileVegaLite, renderVegaLiteToSvg, vegaBrowserBundle } from "./vega.js";

export interface HtmlReportOptions {
  /** Inline Vega and render the charts in the page, with tooltips and zoom (larger file). */
  interactive?: boolean;
  /** Receives Vega-Lite and Vega warnings while the charts are built. */
  onWarning?: (message: string) => void;
}

/** The report's file name in an output directory. */
export const REPORT_FILE = "report.html";

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON that is safe inside a <script> element: no "<", ">", "&" or line separators as such. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Script source that is safe inside a <script> element. */
function scriptSource(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const esc = escapeHtml;

export async function renderHtmlReport(result: RunResult, options: HtmlReportOptions = {}): Promise<string> {
  const interactive = options.interactive ?? false;
  const charts = buildCharts(result, { interactive });
  const figures: string[] = [];
  const specs: Record<string, unknown> = {};
  for (const chart of charts) {
    const body = interactive
      ? ((specs[chart.id] = await compileVegaLite(chart.spec, options)), "")
      : await renderVegaLiteToSvg(chart.spec, { idPrefix: `${chart.id}`, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
    figures.push(figure(chart, body));
  }
  const sections: Section[] = ["Cluster", "Scheduling", "Workloads", "Services"];
  const chartSections = sections
    .map((s) => ({ s, items: charts.map((c, i) => ({ c, html: figures[i] })).filter((x) => x.c.section === s) }))
    .filter((x) => x.items.length > 0)
    .map((x) => `<section class="charts" id="charts-${x.s.toLowerCase()}">\n<h2>${esc(x.s)}</h2>\n<div class="grid">\n${x.items.map((i) => i.html).join("\n")}\n</div>\n</section>`);

  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="simk">',
    `<title>${esc(`simk · ${result.scenario} · seed ${result.seed}`)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>\n${CSS}</style>`,
    "</head>",
    "<body>",
    header(result, charts.length),
    "<main>",
    expectationsSection(result.expectations),
    keyFigures(result),
    ...chartSections,
    timelineSection(result),
    metricsSection(result),
    "</main>",
    `<footer>simk · ${esc(result.scenario)} · seed ${result.seed} · the same scenario and seed give the same report, byte for byte${interactive ? " · charts: Vega (inlined), scroll to zoom, drag to pan, double-click to reset" : ""}</footer>`,
  ];
  if (interactive) {
    parts.push(`<script>\n${scriptSource(vegaBrowserBundle())}\n</script>`);
    parts.push(`<script type="application/json" id="simk-charts">${jsonForScript(specs)}</script>`);
    parts.push(`<script>\n${scriptSource(PAGE_SCRIPT)}</script>`);
  }
  parts.push("</body>", "</html>", "");
  return parts.join("\n");
}

/** The report as an output file (report.html), for writeFilesAtomically. */
export async function htmlReportFile(result: RunResult, options: HtmlReportOptions = {}): Promise<OutputFile> {
  return { name: REPORT_FILE, content: await renderHtmlReport(result, options) };
}

function figure(chart: Chart, body: string): string {
  return [
    `<figure class="chart" id="chart-${esc(chart.id)}" data-chart="${esc(chart.id)}" role="img" aria-label="${esc(chart.title)}">`,
    `<figcaption><h3>${esc(chart.title)}</h3><p>${esc(chart.caption)}</p></figcaption>`,
    `<div class="plot">${body}</div>`,
    "</figure>",
  ].join("\n");
}

function header(result: RunResult, charts: number): string {
  const met = result.expectations.filter((e) => e.ok).length;
  const total = result.expectations.length;
  const badge =
    total === 0 ? `<span class="badge neutral">no expectations</span>` : `<span class="badge ${met === total ? "ok" : "bad"}">${met === total ? "✓" : "✗"} expectations ${met}/${total} met</span>`;
  const actions = result.timeline.length;
  const facts = [
    `seed <b>${result.seed}</b>`,
    `<b>${esc(formatDuration(result.simulatedSeconds))}</b> simulated`,
    `sampled every <b>${esc(formatNumber(result.timeseries.interval / 1_000_000))} s</b>`,
    `<b>${result.eventCount}</b> events`,
    `<b>${actions}</b> timeline action${actions === 1 ? "" : "s"}`,
    `<b>${charts}</b> charts`,
  ];
  return [
    "<header>",
    `<p class="kicker">simk run report</p>`,
    `<h1>${esc(result.scenario)} ${badge}</h1>`,
    `<p class="facts">${facts.join(" · ")}</p>`,
    `<nav><a href="#expectations">Expectations</a><a href="#key-figures">Key figures</a><a href="#charts-cluster">Charts</a><a href="#timeline">Timeline</a><a href="#metrics">All metrics</a></nav>`,
    "</header>",
  ].join("\n");
}

function expectationsSection(expectations: readonly ExpectationResult[]): string {
  if (expectations.length === 0) return `<section id="expectations"><h2>Expectations</h2><p class="muted">The scenario states no expectations.</p></section>`;
  const rows = expectations.map(
    (e) =>
      `<li class="${e.ok ? "ok" : "bad"}"><span class="mark" aria-label="${e.ok ? "met" : "not met"}">${e.ok ? "✓" : "✗"}</span><code>${esc(e.message)}</code><span class="muted">line ${e.source.line}</span></li>`,
  );
  return `<section id="expectations"><h2>Expectations</h2>\n<ul class="expectations">\n${rows.join("\n")}\n</ul></section>`;
}

/** The headline numbers, as tiles. */
function keyFigures(result: RunResult): string {
  const m = result.metrics;
  const tiles: [string, string][] = [];
  const add = (label: string, key: string, fmt: (v: number) => string = formatNumber): void => {
    if (key in m) tiles.push([label, fmt(m[key])]);
  };
  if ("nodes.ready" in m) tiles.push(["nodes Ready (end)", `${formatNumber(m["nodes.ready"])} / ${formatNumber(m["nodes.total"] ?? m["nodes.ready"])}`]);
  add("pods running (end)", "pods.running");
  add("pods pending (max)", "pods.pending.max");
  add("queue wait p99", "scheduler.queueWaitSeconds.p99", (v) => `${formatNumber(v)} s`);
  add("pods evicted", "pods.evicted");
  if ("recovery.recovered" in m && m["recovery.recovered"] === 0) tiles.push(["recovery after node failure", "not recovered"]);
  else add("recovery after node failure", "recovery.seconds", (v) => `${formatNumber(v)} s`);
  add("cpu allocated (end)", "cluster.cpu.allocation", formatPercent);
  add("memory allocated (end)", "cluster.memory.allocation", formatPercent);
  add("cpu fragmentation (mean)", "cluster.cpu.fragmentation.timeWeightedMean", formatPercent);
  for (const s of serviceColumns(Object.keys(m))) {
    add(`${s.key} latency p99`, `${s.prefix}.latency.p99`, formatLatency);
  }
  const html = tiles.map(([label, value]) => `<div class="tile"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`);
  return `<section id="key-figures"><h2>Key figures</h2>\n<div class="tiles">\n${html.join("\n")}\n</div></section>`;
}

function timelineSection(result: RunResult): string {
  const actions = result.timeline;
  const body =
    actions.length === 0
      ? `<p class="muted">The scenario has no timeline actions.</p>`
      : `<table class="timeline"><thead><tr><th class="num">time (s)</th><th>action</th><th>object</th><th>message</th></tr></thead><tbody>\n${actions
          .map((e) => `<tr><td class="num">${esc(formatNumber(e.time))}</td><td>${esc(e.reason)}</td><td><code>${esc(e.object)}</code></td><td>${esc(e.message)}</td></tr>`)
          .join("\n")}\n</tbody></table>`;
  return `<section id="timeline"><h2>Timeline</h2>\n${body}</section>`;
}

const GROUPS: { title: string; match: RegExp }[] = [
  { title: "Services", match: /^service\./ },
  { title: "Scheduler", match: /^scheduler\./ },
  { title: "Workloads", match: /^(deployment|replicaset|replicaSet|daemonset|daemonSet|job|drain|quota|recovery|pdb|disruption)\.|^pods\.evicted$/ },
  { title: "Control plane", match: /^(leaderElection|nodeLifecycle|apiServer|apiserver|controllers?|controllerManager|kubelet)\./ },
  { title: "Events", match: /^events\./ },
  { title: "Cluster", match: /^(nodes|pods|cluster|pool)\./ },
  { title: "Other", match: /./ },
];
const GROUP_ORDER = ["Cluster", "Scheduler", "Workloads", "Control plane", "Services", "Events", "Other"];

/** Summary metrics by group (first matching rule wins), each group sorted by name. */
export function groupMetrics(metrics: Record<string, number>): { title: string; rows: [string, number][] }[] {
  const groups = new Map<string, [string, number][]>(GROUP_ORDER.map((g) => [g, []]));
  for (const key of Object.keys(metrics).sort()) {
    const g = GROUPS.find((x) => x.match.test(key))!;
    groups.get(g.title)!.push([key, metrics[key]]);
  }
  return GROUP_ORDER.map((title) => ({ title, rows: groups.get(title)! })).filter((g) => g.rows.length > 0);
}

function metricsSection(result: RunResult): string {
  const tables = groupMetrics(result.metrics).map(
    (g) =>
      `<div class="metric-group"><h3>${esc(g.title)}</h3><table class="metrics"><tbody>\n${g.rows
        .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td class="num">${esc(formatMetric(k, v))}</td></tr>`)
        .join("\n")}\n</tbody></table></div>`,
  );
  return `<section id="metrics"><h2>All metrics</h2>\n<p class="muted">The values of summary.json, with units. Ratios are shown as percentages.</p>\n<div class="metric-groups">\n${tables.join("\n")}\n</div></section>`;
}

/** A metric's value with its unit, from its name. */
export function formatMetric(name: string, v: number): string {
  if (/\.(allocation|imbalance|fragmentation)(\.timeWeightedMean)?$/.test(name)) return formatPercent(v);
  if (/\.cpu\.(requested|allocatable|stranded)$/.test(name)) return `${formatNumber(v / 1000)} cores`;
  if (/\.memory\.(requested|allocatable)$/.test(name)) return formatBytes(v);
  if (/^service\..*\.latency\./.test(name)) return formatLatency(v);
  if (/^service\..*\.rps$/.test(name)) return `${formatNumber(v)} /s`;
  if (/(Seconds(\.[a-z0-9]+)?|^recovery\.seconds)$/.test(name)) return `${formatNumber(v)} s`;
  return formatNumber(v);
}

/** Up to 3 decimals, trailing zeros dropped; no locale. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const s = Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toPrecision(3);
  return s.includes("e") ? s : s.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

function formatPercent(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}

function formatBytes(v: number): string {
  const units: [number, string][] = [
    [2 ** 40, "TiB"],
    [2 ** 30, "GiB"],
    [2 ** 20, "MiB"],
    [2 ** 10, "KiB"],
  ];
  for (const [size, unit] of units) if (Math.abs(v) >= size) return `${formatNumber(v / size)} ${unit}`;
  return `${formatNumber(v)} B`;
}

function formatLatency(seconds: number): string {
  return `${formatNumber(seconds * 1000)} ms`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${formatNumber(seconds)} s`;
  const h = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h} h` : "", min > 0 ? `${min} min` : "", s > 0 ? `${formatNumber(s)} s` : ""].filter(Boolean);
  return `${formatNumber(seconds)} s (${parts.join(" ")})`;
}

const CSS = `:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --card: #fff; --ok: #15803d; --bad: #b91c1c; --accent: #2563eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 22px; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: 11px; }
h1 { margin: 2px 0 4px; font-size: 26px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; word-break: break-word; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0; }
.facts { margin: 0 0 8px; color: #374151; }
nav { display: flex; gap: 14px; flex-wrap: wrap; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.badge { font-size: 13px; font-weight: 600; padding: 3px 10px; border-radius: 999px; white-space: nowrap; }
.badge.ok { background: #dcfce7; color: var(--ok); }
.badge.bad { background: #fee2e2; color: var(--bad); }
.badge.neutral { background: #e5e7eb; color: #374151; }
.muted { color: var(--muted); }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
ul.expectations { list-style: none; margin: 0; padding: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
ul.expectations li { display: flex; gap: 10px; align-items: baseline; padding: 7px 12px; border-top: 1px solid var(--line); }
ul.expectations li:first-child { border-top: 0; }
ul.expectations .mark { font-weight: 700; width: 1em; }
ul.expectations li.ok .mark { color: var(--ok); }
ul.expectations li.bad .mark { color: var(--bad); }
ul.expectations li.bad code { color: var(--bad); }
ul.expectations .muted { margin-left: auto; font-size: 12px; white-space: nowrap; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 10px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .label { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 14px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 12px 6px; min-width: 0; }
figcaption p { margin: 2px 0 4px; color: var(--muted); font-size: 12px; }
.plot { overflow-x: auto; }
.plot svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; background: var(--card); width: 100%; }
th, td { text-align: left; padding: 4px 10px; border-top: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 12px; color: #374151; background: #f9fafb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.timeline { border: 1px solid var(--line); border-radius: 8px; }
.metric-groups { columns: 2 480px; column-gap: 16px; }
.metric-group { break-inside: avoid; margin-bottom: 16px; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: var(--card); }
.metric-group h3 { padding: 6px 10px; background: #f9fafb; font-size: 13px; }
.metric-group td { font-size: 13px; }
.metric-group td code { word-break: break-all; }
footer { color: var(--muted); font-size: 12px; padding-top: 18px; padding-bottom: 26px; }
.simk-tooltip { position: fixed; z-index: 10; pointer-events: none; background: rgba(17, 24, 39, .92); color: #fff; font-size: 12px; padding: 6px 8px; border-radius: 6px; max-width: 360px; display: none; }
.simk-tooltip table { background: none; width: auto; }
.simk-tooltip td { border: 0; padding: 1px 6px 1px 0; color: #fff; }
.simk-tooltip td:first-child { color: #d1d5db; }
@media print { body { background: #fff; } figure.chart, .tile, .metric-group { break-inside: avoid; } nav { display: none; } }
`;

/**
 * The interactive page's script: runs each chart's Vega spec in a View (SVG renderer) with a
 * loader that loads nothing and a small tooltip (text only, never HTML).
 */
const PAGE_SCRIPT = `(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("simk-charts").textContent);
  var loader = vega.loader();
  var refuse = function (uri) { return Promise.reject(new Error("this report loads nothing (asked for " + uri + ")")); };
  loader.load = refuse; loader.sanitize = refuse; loader.http = refuse; loader.file = refuse;
  var tip = document.createElement("div");
  tip.className = "simk-tooltip";
  document.body.appendChild(tip);
  function show(handler, event, item, value) {
    if (value == null || value === "") { tip.style.display = "none"; return; }
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    if (typeof value === "object") {
      var table = document.createElement("table");
      Object.keys(value).forEach(function (k) {
        var tr = document.createElement("tr");
        var a = document.createElement("td"); a.textContent = k;
        var b = document.createElement("td"); b.textContent = String(value[k]);
        tr.appendChild(a); tr.appendChild(b); table.appendChild(tr);
      });
      tip.appendChild(table);
    } else {
      tip.textContent = String(value);
    }
    tip.style.display = "block";
    var x = event.clientX + 12, y = event.clientY + 12;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = event.clientX - w - 12;
    if (y + h > window.innerHeight - 4) y = event.clientY - h - 12;
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  var figures = document.querySelectorAll("figure.chart[data-chart]");
  Array.prototype.forEach.call(figures, function (figure) {
    var spec = specs[figure.getAttribute("data-chart")];
    var plot = figure.querySelector(".plot");
    if (!spec || !plot) return;
    var view = new vega.View(vega.parse(spec), { renderer: "svg", container: plot, hover: true, loader: loader, tooltip: show });
    view.runAsync().catch(function (err) { console.error(err); plot.textContent = "This chart could not be drawn: " + err.message; });
  });
})();
`;
