/**
 * The HTML report's charts as Vega-Lite specs, built from a run's time series: pods by phase,
 * nodes, per-node allocation heatmaps, pending pods and the scheduling queue, scheduling waits,
 * cluster allocation and fragmentation, Deployment availability, node pools and, when the run has
 * Service traffic, request rate, latency, errors and requests in flight per Service.
 *
 * Every time chart shares one x scale (the whole run, in s, min or h) and draws the timeline's
 * actions (events from "simk-timeline") as labelled vertical rules. Pure: no vega import here.
 *
 * Data is kept small without losing anything: gauge series keep only the samples where the value
 * changes (drawn as steps), the heatmaps one rectangle per run of equal values; only Service
 * series, which change at every sample, are averaged down to at most MAX_POINTS per series.
 */
import { TIMELINE_SOURCE, type SimEvent } from "../sim/metrics/events.js";
import type { NodeSeries } from "../sim/metrics/timeseries.js";
import type { RunResult } from "../sim/run/simulate.js";
import type { TopLevelSpec } from "./vega.js";

export type Section = "Cluster" | "Scheduling" | "Workloads" | "Services";

export interface Chart {
  /** Stable id (also the id prefix of the chart's SVG). */
  id: string;
  section: Section;
  title: string;
  /** One sentence under the title: what is drawn and how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

export interface ChartOptions {
  /** Adds tooltips and x zoom/pan (mouse wheel, drag; double-click resets): for the live page. */
  interactive?: boolean;
}

/** The width of every chart's SVG in px (the plot area shrinks to make room for axes). */
export const CHART_WIDTH = 520;
/** Roughly the plot area's width: for placing the timeline's labels. */
const PLOT_WIDTH = 455;
export const CHART_HEIGHT = 190;
/** Service series longer than this are averaged into this many buckets. */
export const MAX_POINTS = 1000;
/** The unit of `service.*.latency.*` columns, in seconds. */
export const SERVICE_LATENCY_UNIT_SECONDS = 1;

/** Heatmap colours: white-ish at 0 % to dark blue at 100 %. */
const HEAT_DOMAIN = [0, 0.25, 0.5, 0.75, 1];
const HEAT_RANGE = ["#f1f5fb", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"];
const RULE_COLOR = "#6b7280";

/** Colours, the same in every chart. */
export const COLORS = {
  pending: "#f59e0b",
  running: "#16a34a",
  succeeded: "#2563eb",
  failed: "#dc2626",
  terminating: "#9333ea",
  total: "#d1d5db",
  ready: "#16a34a",
  schedulable: "#2563eb",
  cpu: "#2563eb",
  memory: "#db2777",
  unscheduled: "#dc2626",
  queue: "#2563eb",
} as const;

/** Categorical colours for Deployments, pools and Services (Tableau 10). */
const CATEGORICAL = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

const FIT = { type: "fit-x", contains: "padding" };

const CONFIG = {
  background: "white",
  padding: 6,
  aria: false,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: "normal",
    titleColor: "#374151",
    labelColor: "#4b5563",
    gridColor: "#eceef1",
    domainColor: "#9ca3af",
    tickColor: "#9ca3af",
  },
  legend: {
    orient: "bottom",
    direction: "horizontal",
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: "normal",
    titleColor: "#374151",
    labelColor: "#374151",
    symbolStrokeWidth: 2.5,
    columnPadding: 14,
    labelLimit: 300,
    // Several legends under a chart (colour and dash): one under the other, not side by side.
    layout: { bottom: { anchor: "start", direction: "vertical", margin: 6 } },
  },
} as const;

type Json = Record<string, unknown>;

interface TimeAxis {
  /** Seconds per unit. */
  div: number;
  unit: "s" | "min" | "h";
  end: number;
}

interface Context {
  axis: TimeAxis;
  interactive: boolean;
  actions: TimelineMark[];
}

interface TimelineMark {
  t: number;
  label: string;
  message: string;
  lane: number;
  right: boolean;
}

interface Point {
  t: number;
  s: string;
  v: number;
}

/** The time unit for a run of this many seconds: s up to 20 min, min up to 20 h, else h. */
export function timeAxis(seconds: number): TimeAxis {
  if (seconds <= 1200) return { div: 1, unit: "s", end: seconds };
  if (seconds <= 72_000) return { div: 60, unit: "min", end: round(seconds / 60) };
  return { div: 3600, unit: "h", end: round(seconds / 3600) };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The timeline's actions, with label lanes so that labels close in time do not overlap: more than
 * two actions at one instant share one label ("SetTraffic ×6"), and a label that finds no free
 * lane is left out (its rule stays).
 */
export function timelineMarks(events: readonly SimEvent[], axis: TimeAxis, width = PLOT_WIDTH): TimelineMark[] {
  const groups = new Map<number, SimEvent[]>();
  for (const e of events) {
    if (e.source !== TIMELINE_SOURCE) continue;
    const t = round(e.time / axis.div);
    let g = groups.get(t);
    if (!g) groups.set(t, (g = []));
    g.push(e);
  }
  const labelled: { t: number; label: string; message: string }[] = [];
  for (const [t, g] of groups) {
    const one = (e: SimEvent): string => truncate(`${e.reason} ${e.object.split("/").slice(1).join("/")}`.trim(), 30);
    if (g.length <= 2) for (const e of g) labelled.push({ t, label: one(e), message: `${e.reason}: ${e.message}` });
    else {
      const reasons = [...new Set(g.map((e) => e.reason))];
      labelled.push({ t, label: reasons.length === 1 ? `${reasons[0]} ×${g.length}` : `${g.length} actions`, message: g.map((e) => `${e.reason}: ${e.message}`).join("; ") });
    }
  }
  const lanes = 3;
  const laneEnds: number[] = [];
  return labelled.map(({ t, label, message }) => {
    const x = axis.end > 0 ? (t / axis.end) * width : 0;
    const w = label.length * 6 + 8;
    const right = x + w > width;
    const [from, to] = right ? [x - w, x] : [x, x + w];
    let lane = laneEnds.findIndex((end) => end < from);
    if (lane === -1 && laneEnds.length < lanes) lane = laneEnds.length;
    if (lane === -1) return { t, label: "", message, lane: 0, right };
    laneEnds[lane] = to;
    return { t, label, message, lane, right };
  });
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** A gauge column as change points (plus the last sample): exact when drawn as steps. */
function changePoints(times: readonly number[], values: readonly (number | undefined | null)[], series: string, div: number): Point[] {
  const out: Point[] = [];
  let prev: number | undefined;
  for (let i = 0; i < times.length; i++) {
    const v = values[i];
    if (v === undefined || v === null || !Number.isFinite(v)) {
      prev = undefined;
      continue;
    }
    const last = i === times.length - 1 || values[i + 1] === undefined || values[i + 1] === null;
    if (v !== prev || last) out.push({ t: round(times[i] / div), s: series, v });
    prev = v;
  }
  return out;
}

/** A fast-changing column averaged into at most MAX_POINTS buckets (all samples when fewer). */
function bucketed(times: readonly number[], values: readonly (number | undefined)[], series: string, div: number, scale = 1): Point[] {
  const n = times.length;
  const size = Math.max(1, Math.ceil(n / MAX_POINTS));
  const out: Point[] = [];
  for (let start = 0; start < n; start += size) {
    let sum = 0;
    let count = 0;
    for (let i = start; i < Math.min(n, start + size); i++) {
      const v = values[i];
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    if (count > 0) out.push({ t: round(times[Math.min(n, start + size) - 1] / div), s: series, v: round((sum / count) * scale) });
  }
  return out;
}

function xEncoding(ctx: Context, field = "t"): Json {
  return {
    field,
    type: "quantitative",
    title: `time (${ctx.axis.unit})`,
    scale: { domain: [0, ctx.axis.end], nice: false, zero: false },
    axis: { grid: true, tickCount: 8 },
  };
}

/**
 * The timeline's actions: dashed rules over the plot, labelled above it (interactive: inside its
 * top edge, clipped with the rules, so that zooming moves them together).
 */
function timelineLayers(ctx: Context): Json[] {
  if (ctx.actions.length === 0) return [];
  const inside = ctx.interactive;
  const data = { values: ctx.actions.map((a) => ({ t: a.t, label: a.label, message: a.message, y: inside ? 2 + a.lane * 12 : -4 - a.lane * 12, right: a.right })) };
  const tooltip = ctx.interactive ? { tooltip: { field: "message", type: "nominal" } } : {};
  const text = (right: boolean): Json => ({
    data: { values: data.values.filter((a) => a.right === right && a.label !== "") },
    mark: { type: "text", align: right ? "right" : "left", baseline: inside ? "top" : "bottom", dx: right ? -3 : 3, fontSize: 10, color: "#374151", clip: inside },
    encoding: { x: { field: "t", type: "quantitative" }, y: { field: "y", type: "quantitative", scale: null }, text: { field: "label" }, ...tooltip },
  });
  return [
    { data, mark: { type: "rule", color: RULE_COLOR, strokeDash: [4, 3], strokeWidth: 1.2, clip: inside }, encoding: { x: { field: "t", type: "quantitative" }, ...tooltip } },
    text(false),
    text(true),
  ].filter((l) => ((l.data as { values: unknown[] }).values).length > 0);
}

function zoomParams(ctx: Context): Json {
  return ctx.interactive ? { params: [{ name: "zoom", select: { type: "interval", encodings: ["x"] }, bind: "scales" }] } : {};
}

interface SeriesStyle {
  name: string;
  color: string;
  dash?: number[];
  /** Stroke width (default 2): a wide pale line stays visible under the others. */
  width?: number;
}

/** As many legend columns as fit the chart's width. */
function legendColumns(labels: readonly string[]): number {
  // Vega lays legends out by its own estimate of text width in Node: 0.8 × font size per character.
  const entry = Math.max(...labels.map((l) => l.length), 1) * 0.8 * 11 + 32;
  return Math.max(1, Math.min(labels.length, Math.floor((PLOT_WIDTH + 30) / entry)));
}

interface LineChartInput {
  id: string;
  section: Section;
  title: string;
  caption: string;
  points: Point[];
  series: SeriesStyle[];
  yTitle: string;
  /** "count" (whole numbers), "percent" (ratios in [0, 1]) or a d3 format. */
  y: "count" | "percent" | { format: string };
  step: boolean;
}

function lineChart(input: LineChartInput, ctx: Context): Chart {
  const domain = input.series.map((s) => s.name);
  const yFormat = input.y === "count" ? "d" : input.y === "percent" ? ".0%" : input.y.format;
  // All zeros: a 0–1 axis rather than a lone "0" tick in the middle.
  const flat = input.points.every((p) => p.v === 0);
  const yScale = flat ? { domain: [0, 1], padding: 6 } : { zero: true, nice: true, padding: 6 };
  const yAxis = { format: yFormat, tickCount: 5, ...(input.y === "count" ? { tickMinStep: 1 } : {}), ...(flat ? { values: [0, 1] } : {}) };
  const legend = { columns: legendColumns(domain) };
  const color = { field: "s", type: "nominal", title: null, scale: { domain, range: input.series.map((s) => s.color) }, legend };
  const strokeDash = { field: "s", type: "nominal", title: null, scale: { domain, range: input.series.map((s) => s.dash ?? [1, 0]) }, legend };
  const x = xEncoding(ctx);
  const y = { field: "v", type: "quantitative", title: input.yTitle, scale: yScale, axis: yAxis };
  // Wide series first (underneath), each in a layer of its own; the others in one layer.
  const wide = input.series.filter((s) => s.width !== undefined);
  const line = (points: Point[], width: number, zoom: boolean): Json => ({
    ...(zoom ? zoomParams(ctx) : {}),
    data: { values: points },
    mark: { type: "line", interpolate: input.step ? "step-after" : "linear", strokeWidth: width, clip: true },
    encoding: { x, y, color, strokeDash },
  });
  const layers: Json[] = [
    ...wide.map((s) => line(input.points.filter((p) => p.s === s.name), s.width!, false)),
    line(
      input.points.filter((p) => !wide.some((s) => s.name === p.s)),
      2,
      true,
    ),
  ];
  if (ctx.interactive) {
    layers.push({
      data: { values: input.points },
      mark: { type: "point", filled: true, size: 50, opacity: 0, clip: true },
      encoding: {
        x,
        y,
        tooltip: [
          { field: "s", type: "nominal", title: "series" },
          { field: "t", type: "quantitative", title: `time (${ctx.axis.unit})` },
          { field: "v", type: "quantitative", title: input.yTitle, format: yFormat },
        ],
      },
    });
  }
  layers.push(...timelineLayers(ctx));
  const spec = { config: CONFIG, width: CHART_WIDTH, autosize: FIT, height: CHART_HEIGHT, layer: layers };
  return { id: input.id, section: input.section, title: input.title, caption: input.caption, spec: spec as unknown as TopLevelSpec };
}

function column(result: RunResult, name: string): readonly (number | undefined)[] | undefined {
  return result.timeseries.column(name);
}

/** The named columns as series (absent or all-zero optional ones are left out). */
function gaugeSeries(result: RunResult, ctx: Context, defs: { column: string; style: SeriesStyle; optional?: boolean }[]): { points: Point[]; series: SeriesStyle[] } {
  const points: Point[] = [];
  const series: SeriesStyle[] = [];
  for (const d of defs) {
    const col = column(result, d.column);
    if (!col) continue;
    if (d.optional && !col.some((v) => v !== undefined && v !== 0)) continue;
    for (const p of changePoints(result.timeseries.times, col, d.style.name, ctx.axis.div)) points.push(p);
    series.push(d.style);
  }
  return { points, series };
}

/** Natural order: worker-2 before worker-10. */
function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The most rows a heatmap draws: above it, each row is a group of consecutive nodes. */
export const MAX_HEATMAP_ROWS = 160;

/** A heatmap row: one node, or a group of consecutive nodes (mean allocation; Ready only if all are). */
interface HeatmapRow {
  label: string;
  values: Float64Array;
  /** 0 where a node of the row that exists is NotReady. */
  ready: Uint8Array;
}

/**
 * The rows of a heatmap, in natural node order: one per node up to MAX_HEATMAP_ROWS nodes; beyond,
 * groups of ⌈nodes ÷ MAX_HEATMAP_ROWS⌉ consecutive nodes, each the mean over the group's existing
 * nodes, so that a 5 000-node cluster is a readable chart and not 15 000 pixels of 3-pixel rows.
 */
export function heatmapRows(ns: NodeSeries, resource: "cpu" | "memory", length: number, maxRows = MAX_HEATMAP_ROWS): HeatmapRow[] {
  const order = ns.nodes.map((_, k) => k).sort((a, b) => naturalCompare(ns.nodes[a], ns.nodes[b]));
  if (order.length <= maxRows) return order.map((k) => ({ label: ns.nodes[k], values: ns[resource][k], ready: ns.ready[k] }));
  const size = Math.ceil(order.length / maxRows);
  const rows: HeatmapRow[] = [];
  for (let first = 0; first < order.length; first += size) {
    const members = order.slice(first, first + size);
    const values = new Float64Array(length);
    const ready = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      let sum = 0;
      let existing = 0;
      let allReady = 1;
      for (const k of members) {
        const v = ns[resource][k][i];
        if (!Number.isFinite(v)) continue;
        sum += v;
        existing++;
        if (ns.ready[k][i] === 0) allReady = 0;
      }
      values[i] = existing > 0 ? sum / existing : NaN;
      ready[i] = allReady;
    }
    const [head, last] = [ns.nodes[members[0]], ns.nodes[members[members.length - 1]]];
    rows.push({ label: members.length === 1 ? head : `${head} … ${last}`, values, ready });
  }
  return rows;
}

function heatmap(result: RunResult, ctx: Context, resource: "cpu" | "memory"): Chart | undefined {
  const ns = result.timeseries.nodeSeries();
  if (ns.nodes.length === 0) return undefined;
  const times = result.timeseries.times;
  const end = (i: number): number => round((i + 1 < times.length ? times[i + 1] : times[i] + result.timeseries.interval / 1_000_000) / ctx.axis.div);
  const rows = heatmapRows(ns, resource, times.length);
  const grouped = rows.length < ns.nodes.length;
  // `o`, the row's position, orders the rows (a sort by an explicit list of names compiles to one
  // expression per name, which Vega cannot parse for a thousand nodes).
  const cells: { n: string; o: number; t: number; t2: number; v: number }[] = [];
  const down: { n: string; o: number; t: number; t2: number }[] = [];
  rows.forEach(({ label, values, ready }, o) => {
    let start = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i < times.length && Object.is(values[i], values[start])) continue;
      if (Number.isFinite(values[start])) cells.push({ n: label, o, t: round(times[start] / ctx.axis.div), t2: end(i - 1), v: values[start] });
      start = i;
    }
    start = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i < times.length && ready[i] === ready[start]) continue;
      if (ready[start] === 0 && Number.isFinite(values[start])) down.push({ n: label, o, t: round(times[start] / ctx.axis.div), t2: end(i - 1) });
      start = i;
    }
  });
  const step = rows.length <= 24 ? 18 : Math.max(3, Math.floor(480 / rows.length));
  const x = xEncoding(ctx);
  const rowsTitle = grouped ? `${ns.nodes.length} nodes, ${Math.ceil(ns.nodes.length / rows.length)} per row` : `${rows.length} nodes`;
  const y = {
    field: "n",
    type: "nominal",
    title: null,
    sort: { field: "o", op: "min" },
    scale: { paddingInner: 0.12, paddingOuter: 0.05 },
    axis: step >= 10 ? { labelLimit: 110 } : { labels: false, ticks: false, title: rowsTitle },
  };
  const label = `${resource} requested ÷ allocatable`;
  const tooltip = ctx.interactive
    ? {
        tooltip: [
          { field: "n", type: "nominal", title: "node" },
          { field: "t", type: "quantitative", title: `from (${ctx.axis.unit})` },
          { field: "t2", type: "quantitative", title: `to (${ctx.axis.unit})` },
          { field: "v", type: "quantitative", title: label, format: ".1%" },
        ],
      }
    : {};
  const layers: Json[] = [
    {
      ...zoomParams(ctx),
      data: { values: cells },
      mark: { type: "rect", strokeWidth: 0, clip: true },
      encoding: {
        x,
        x2: { field: "t2" },
        y,
        color: {
          field: "v",
          type: "quantitative",
          title: label,
          scale: { domain: HEAT_DOMAIN, range: HEAT_RANGE, clamp: true },
          legend: { format: ".0%", gradientLength: 220, titleLimit: 300, values: [0, 0.25, 0.5, 0.75, 1] },
        },
        ...tooltip,
      },
    },
  ];
  if (down.length > 0) {
    layers.push({
      data: { values: down },
      mark: { type: "rect", color: "#111827", opacity: 0.45, strokeWidth: 0, clip: true },
      encoding: { x, x2: { field: "t2" }, y, ...(ctx.interactive ? { tooltip: [{ field: "n", type: "nominal", title: "node NotReady" }] } : {}) },
    });
  }
  layers.push(...timelineLayers(ctx));
  const spec = { config: CONFIG, width: CHART_WIDTH, autosize: FIT, height: step * rows.length, layer: layers };
  const what = resource === "cpu" ? "CPU" : "Memory";
  return {
    id: `heatmap-${resource}`,
    section: "Cluster",
    title: `${what} allocation per node`,
    caption: grouped
      ? `Each row is ${Math.ceil(ns.nodes.length / rows.length)} consecutive nodes (of ${ns.nodes.length}): the mean share of their allocatable ${resource} that pods request.${down.length > 0 ? " Darkened: a node of the row is NotReady." : ""} Blank: none of them exists.`
      : `Each row is a node: the share of its allocatable ${resource} that pods request.${down.length > 0 ? " Darkened: the node is NotReady." : ""} Blank: the node does not exist.`,
    spec: spec as unknown as TopLevelSpec,
  };
}

function placementChart(result: RunResult, ctx: Context): Chart | undefined {
  const p = result.timeseries.placementSeries();
  const times = result.timeseries.times;
  const rows: { t: number; wait: number; mean: number; n: number }[] = [];
  for (let i = 0; i < times.length; i++) {
    const max = p.maxSeconds[i];
    if (p.placed[i] > 0 && max !== null) rows.push({ t: round(times[i] / ctx.axis.div), wait: max, mean: p.meanSeconds[i] ?? max, n: p.placed[i] });
  }
  if (rows.length === 0) return undefined;
  const x = xEncoding(ctx);
  // Reductions, not Math.max(...rows): a spread of more than ~120k values overflows the stack.
  const maxCount = rows.reduce((m, r) => Math.max(m, r.n), -Infinity);
  const maxWait = rows.reduce((m, r) => Math.max(m, r.wait), 1e-6);
  const layers: Json[] = [
    {
      ...zoomParams(ctx),
      data: { values: rows },
      mark: { type: "circle", color: COLORS.queue, opacity: 0.75, clip: ctx.interactive },
      encoding: {
        x,
        y: { field: "wait", type: "quantitative", title: "longest wait (s)", scale: { domain: [0, round(maxWait * 1.15)], nice: true }, axis: { tickCount: 5 } },
        size: {
          field: "n",
          type: "quantitative",
          title: "pods bound",
          scale: { domain: [1, Math.max(2, maxCount)], range: [30, 260], zero: false },
          legend: { values: maxCount > 1 ? [1, maxCount] : [1], format: "d", symbolFillColor: COLORS.queue, symbolStrokeWidth: 0 },
        },
        ...(ctx.interactive
          ? {
              tooltip: [
                { field: "t", type: "quantitative", title: `time (${ctx.axis.unit})` },
                { field: "n", type: "quantitative", title: "pods bound" },
                { field: "wait", type: "quantitative", title: "longest wait (s)", format: ".3f" },
                { field: "mean", type: "quantitative", title: "mean wait (s)", format: ".3f" },
              ],
            }
          : {}),
      },
    },
    ...timelineLayers(ctx),
  ];
  return {
    id: "placement-wait",
    section: "Scheduling",
    title: "Wait from creation to binding",
    caption: "One dot per sample interval in which pods were bound to a node: its height is the longest wait of those pods, its size how many there were.",
    spec: { config: CONFIG, width: CHART_WIDTH, autosize: FIT, height: CHART_HEIGHT, layer: layers } as unknown as TopLevelSpec,
  };
}

interface KeyedChartInput {
  id: string;
  section: Section;
  title: string;
  caption: string;
  /** `s`: the key (colour: a Deployment, a Service), `k`: the kind (dash: desired, p99, ...). */
  rows: (Point & { k: string })[];
  keys: string[];
  kinds: { name: string; dash: number[] }[];
  keyTitle: string;
  yTitle: string;
  yFormat: string;
  step: boolean;
}

/** Lines coloured by key and dashed by kind, with one legend for each. */
function keyedChart(input: KeyedChartInput, ctx: Context): Chart {
  const x = xEncoding(ctx);
  const count = input.yFormat === "d";
  const y = { field: "v", type: "quantitative", title: input.yTitle, scale: { zero: true, nice: true, padding: 6 }, axis: { format: input.yFormat, tickCount: 5, ...(count ? { tickMinStep: 1 } : {}) } };
  const color = { field: "s", type: "nominal", title: null, scale: { domain: input.keys, range: input.keys.map((_, i) => CATEGORICAL[i % CATEGORICAL.length]) }, legend: { columns: legendColumns(input.keys) } };
  const dash = { field: "k", type: "nominal", title: null, scale: { domain: input.kinds.map((k) => k.name), range: input.kinds.map((k) => k.dash) }, legend: { symbolStrokeColor: "#374151" } };
  const layers: Json[] = [
    {
      ...zoomParams(ctx),
      data: { values: input.rows },
      mark: { type: "line", interpolate: input.step ? "step-after" : "linear", strokeWidth: 2, clip: true },
      encoding: { x, y, color, strokeDash: dash },
    },
  ];
  if (ctx.interactive) {
    layers.push({
      data: { values: input.rows },
      mark: { type: "point", filled: true, size: 50, opacity: 0, clip: true },
      encoding: {
        x,
        y,
        tooltip: [
          { field: "s", type: "nominal", title: input.keyTitle },
          { field: "k", type: "nominal", title: "series" },
          { field: "t", type: "quantitative", title: `time (${ctx.axis.unit})` },
          { field: "v", type: "quantitative", title: input.yTitle, format: input.yFormat },
        ],
      },
    });
  }
  layers.push(...timelineLayers(ctx));
  return {
    id: input.id,
    section: input.section,
    title: input.title,
    caption: input.caption,
    spec: { config: CONFIG, width: CHART_WIDTH, autosize: FIT, height: CHART_HEIGHT, layer: layers } as unknown as TopLevelSpec,
  };
}

/** deployment.<ns>.<name>.available / .desired. */
function deploymentChart(result: RunResult, ctx: Context): Chart | undefined {
  const names = result.timeseries
    .columnNames()
    .map((c) => /^deployment\.([^.]+)\.(.+)\.available$/.exec(c))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: `${m[1]}/${m[2]}`, prefix: `deployment.${m[1]}.${m[2]}` }));
  if (names.length === 0) return undefined;
  const rows: (Point & { k: string })[] = [];
  for (const d of names) {
    for (const kind of ["available", "desired"] as const) {
      const col = column(result, `${d.prefix}.${kind}`);
      if (!col) continue;
      for (const p of changePoints(result.timeseries.times, col, d.key, ctx.axis.div)) rows.push({ ...p, k: kind });
    }
  }
  return keyedChart(
    {
      id: "deployments",
      section: "Workloads",
      title: "Deployment availability",
      caption: "Available replicas (solid) against the desired count (dashed), per Deployment.",
      rows,
      keys: names.map((d) => d.key),
      kinds: [
        { name: "available", dash: [1, 0] },
        { name: "desired", dash: [5, 3] },
      ],
      keyTitle: "Deployment",
      yTitle: "replicas",
      yFormat: "d",
      step: true,
    },
    ctx,
  );
}

interface ServiceColumns {
  key: string;
  prefix: string;
}

const SERVICE_COLUMN = /^service\.([^.]+)\.([^.]+)\.(rps|latency\.p50|latency\.p99|errors|inFlight)$/;

/** The Services that have time-series columns, in name order. */
export function serviceColumns(names: readonly string[]): ServiceColumns[] {
  const keys = new Map<string, ServiceColumns>();
  for (const c of names) {
    const m = SERVICE_COLUMN.exec(c);
    if (m) keys.set(`${m[1]}/${m[2]}`, { key: `${m[1]}/${m[2]}`, prefix: `service.${m[1]}.${m[2]}` });
  }
  return [...keys.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function serviceCharts(result: RunResult, ctx: Context): Chart[] {
  const services = serviceColumns(result.timeseries.columnNames());
  if (services.length === 0) return [];
  const colorOf = new Map(services.map((s, i) => [s.key, CATEGORICAL[i % CATEGORICAL.length]]));
  const times = result.timeseries.times;
  const chart = (id: string, title: string, caption: string, yTitle: string, parts: { suffix: string; label: (key: string) => string; dash?: number[]; scale?: number }[], format: string): Chart | undefined => {
    const points: Point[] = [];
    const series: SeriesStyle[] = [];
    for (const s of services) {
      for (const part of parts) {
        const col = column(result, `${s.prefix}.${part.suffix}`);
        if (!col) continue;
        const name = part.label(s.key);
        points.push(...bucketed(times, col, name, ctx.axis.div, part.scale ?? 1));
        series.push({ name, color: colorOf.get(s.key)!, ...(part.dash ? { dash: part.dash } : {}) });
      }
    }
    if (series.length === 0) return undefined;
    return lineChart({ id, section: "Services", title, caption, points, series, yTitle, y: { format }, step: false }, ctx);
  };
  const ms = SERVICE_LATENCY_UNIT_SECONDS * 1000;
  const latencyRows: (Point & { k: string })[] = [];
  for (const s of services) {
    for (const k of ["p99", "p50"] as const) {
      const col = column(result, `${s.prefix}.latency.${k}`);
      if (col) for (const p of bucketed(times, col, s.key, ctx.axis.div, ms)) latencyRows.push({ ...p, k });
    }
  }
  const latency =
    latencyRows.length === 0
      ? undefined
      : keyedChart(
          {
            id: "service-latency",
            section: "Services",
            title: "Latency",
            caption: "Latency of the requests completed in each sample interval, per Service: p99 (solid) and p50 (dashed).",
            rows: latencyRows,
            keys: services.map((s) => s.key),
            kinds: [
              { name: "p99", dash: [1, 0] },
              { name: "p50", dash: [5, 3] },
            ],
            keyTitle: "Service",
            yTitle: "latency (ms)",
            yFormat: ",.4~g",
            step: false,
          },
          ctx,
        );
  return [
    chart("service-rps", "Request rate", "Requests completed per second, per Service.", "requests/s", [{ suffix: "rps", label: (k) => k }], ",.4~g"),
    latency,
    chart("service-errors", "Errors", "Failed requests per Service in each sample interval.", "errors", [{ suffix: "errors", label: (k) => k }], ",.4~g"),
    chart("service-inflight", "Requests in flight", "Requests in flight per Service at each sample.", "requests", [{ suffix: "inFlight", label: (k) => k }], ",.4~g"),
  ].filter((c): c is Chart => c !== undefined);
}

function poolChart(result: RunResult, ctx: Context): Chart | undefined {
  const pools = result.timeseries
    .columnNames()
    .map((c) => /^pool\.(.+)\.cpu\.allocation$/.exec(c)?.[1])
    .filter((p): p is string => p !== undefined);
  if (pools.length === 0) return undefined;
  const defs = pools.flatMap((p, i) => [
    { column: `pool.${p}.cpu.allocation`, style: { name: `${p} cpu`, color: CATEGORICAL[i % CATEGORICAL.length] } },
    { column: `pool.${p}.memory.allocation`, style: { name: `${p} memory`, color: CATEGORICAL[i % CATEGORICAL.length], dash: [5, 3] } },
  ]);
  const { points, series } = gaugeSeries(result, ctx, defs);
  return lineChart(
    {
      id: "pools",
      section: "Cluster",
      title: "Allocation per node pool",
      caption: "Requested ÷ allocatable per node pool: cpu (solid) and memory (dashed).",
      points,
      series,
      yTitle: "allocated (%)",
      y: "percent",
      step: true,
    },
    ctx,
  );
}

/** All the report's charts for a run, in page order. */
export function buildCharts(result: RunResult, options: ChartOptions = {}): Chart[] {
  const axis = timeAxis(result.simulatedSeconds);
  const ctx: Context = { axis, interactive: options.interactive ?? false, actions: timelineMarks(result.timeline, axis) };
  const charts: (Chart | undefined)[] = [];

  const phases = gaugeSeries(result, ctx, [
    { column: "pods.pending", style: { name: "Pending", color: COLORS.pending } },
    { column: "pods.running", style: { name: "Running", color: COLORS.running } },
    { column: "pods.succeeded", style: { name: "Succeeded", color: COLORS.succeeded }, optional: true },
    { column: "pods.failed", style: { name: "Failed", color: COLORS.failed }, optional: true },
    { column: "pods.terminating", style: { name: "Terminating", color: COLORS.terminating, dash: [5, 3] } },
  ]);
  charts.push(
    lineChart(
      {
        id: "pods",
        section: "Cluster",
        title: "Pods by phase",
        caption: "Pods in each phase; Terminating (dashed) counts pods being deleted, whatever their phase.",
        ...phases,
        yTitle: "pods",
        y: "count",
        step: true,
      },
      ctx,
    ),
  );
  const nodes = gaugeSeries(result, ctx, [
    { column: "nodes.total", style: { name: "total", color: COLORS.total, width: 6 } },
    { column: "nodes.ready", style: { name: "Ready", color: COLORS.ready, dash: [6, 3] } },
    { column: "nodes.schedulable", style: { name: "schedulable", color: COLORS.schedulable, dash: [2, 3] } },
  ]);
  charts.push(lineChart({ id: "nodes", section: "Cluster", title: "Nodes", caption: "Nodes in the cluster, Ready ones, and schedulable (not cordoned) ones.", ...nodes, yTitle: "nodes", y: "count", step: true }, ctx));
  charts.push(heatmap(result, ctx, "cpu"), heatmap(result, ctx, "memory"));
  const alloc = gaugeSeries(result, ctx, [
    { column: "cluster.cpu.allocation", style: { name: "cpu allocation", color: COLORS.cpu } },
    { column: "cluster.memory.allocation", style: { name: "memory allocation", color: COLORS.memory } },
    { column: "cluster.cpu.fragmentation", style: { name: "cpu fragmentation", color: COLORS.cpu, dash: [5, 3] } },
    { column: "cluster.memory.fragmentation", style: { name: "memory fragmentation", color: COLORS.memory, dash: [5, 3] } },
    { column: "cluster.cpu.imbalance", style: { name: "cpu imbalance", color: "#0f766e", dash: [1.5, 2.5] } },
  ]);
  charts.push(
    lineChart(
      {
        id: "allocation",
        section: "Cluster",
        title: "Cluster allocation and fragmentation",
        caption: "Requested ÷ allocatable over all nodes; fragmentation: share of free capacity on nodes too full for the typical pending pod; imbalance: std. dev. of the nodes' cpu allocation.",
        ...alloc,
        yTitle: "share (%)",
        y: "percent",
        step: true,
      },
      ctx,
    ),
  );
  charts.push(poolChart(result, ctx));
  const queue = gaugeSeries(result, ctx, [
    { column: "pods.pending", style: { name: "Pending pods", color: COLORS.pending } },
    { column: "pods.unscheduled", style: { name: "unscheduled pods", color: COLORS.unscheduled, dash: [5, 3] } },
    { column: "scheduler.queue.waiting", style: { name: "scheduling queue", color: COLORS.queue, dash: [2, 3] } },
  ]);
  charts.push(
    lineChart(
      {
        id: "pending",
        section: "Scheduling",
        title: "Pending pods and the scheduling queue",
        caption: "Pending pods, those not yet bound to a node, and the pods waiting in the scheduler's queues.",
        ...queue,
        yTitle: "pods",
        y: "count",
        step: true,
      },
      ctx,
    ),
  );
  charts.push(placementChart(result, ctx));
  charts.push(deploymentChart(result, ctx));
  charts.push(...serviceCharts(result, ctx));
  return charts.filter((c): c is Chart => c !== undefined);
}
