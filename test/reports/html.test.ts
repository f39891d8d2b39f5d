import { beforeAll, describe, expect, it } from "vitest";
import { loadScenario, loadScenarioFromText } from "../../sim/scenario/load.js";
import { runScenario, type RunResult } from "../../sim/run/simulate.js";
import type { NodeSeries, TimeSeries } from "../../sim/metrics/timeseries.js";
import { buildCharts, heatmapRows, MAX_HEATMAP_ROWS } from "../../reports/charts.js";
import { escapeHtml, formatMetric, groupMetrics, jsonForScript, renderHtmlReport } from "../../reports/html.js";

const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;

function run(seed = 42): RunResult {
  return runScenario(loadScenario(SCENARIO), { seed });
}

/** A copy of the result's time series with extra columns (and optionally renamed nodes). */
function withColumns(ts: TimeSeries, extra: Record<string, (number | undefined)[]>, renameNodes?: (n: string) => string): TimeSeries {
  const copy = Object.create(ts) as TimeSeries;
  const names = [...ts.columnNames(), ...Object.keys(extra)];
  Object.assign(copy, {
    columnNames: () => names,
    column: (name: string) => extra[name] ?? ts.column(name),
    nodeSeries: () => {
      const s = ts.nodeSeries();
      return renameNodes ? { ...s, nodes: s.nodes.map(renameNodes) } : s;
    },
  });
  return copy;
}

function serviceResult(base: RunResult): RunResult {
  const n = base.timeseries.times.length;
  const wave = (f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => Math.round(f(i) * 1000) / 1000);
  const extra: Record<string, number[]> = {};
  for (const [svc, k] of [
    ["default.api", 1],
    ["shop.checkout", 2],
  ] as const) {
    extra[`service.${svc}.rps`] = wave((i) => 100 * k + 20 * Math.sin(i / 30));
    extra[`service.${svc}.latency.p50`] = wave((i) => 0.01 * k + 0.002 * Math.cos(i / 20));
    extra[`service.${svc}.latency.p99`] = wave((i) => 0.05 * k + (i > 60 && i < 120 ? 0.2 : 0));
    extra[`service.${svc}.errors`] = wave((i) => (i > 60 && i < 120 ? 3 * k : 0));
    extra[`service.${svc}.inFlight`] = wave((i) => 5 * k + (i % 7));
  }
  return {
    ...base,
    timeseries: withColumns(base.timeseries, extra),
    metrics: { ...base.metrics, "service.default.api.latency.p99": 0.25, "service.default.api.rps": 101.5, "service.shop.checkout.errors": 120 },
  };
}

let result: RunResult;
let html: string;

beforeAll(async () => {
  result = run();
  html = await renderHtmlReport(result, {});
});

describe("renderHtmlReport (default: inline SVG)", () => {
  it("is deterministic: the same result, and the same run again, give byte-identical HTML", async () => {
    expect(await renderHtmlReport(result, {})).toBe(html);
    expect(await renderHtmlReport(run(), {})).toBe(html);
  });

  it("differs for another seed", async () => {
    expect(await renderHtmlReport(run(7), {})).not.toBe(html);
  });

  it("has the header, the expectations with ✓/✗, key figures, grouped metric tables and the timeline", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<h1>node-failure ");
    expect(html).toContain("seed <b>42</b>");
    expect(html).toContain("600 s (10 min)</b> simulated");
    expect(html).toContain("✓ expectations 3/3 met");
    expect(html.match(/<li class="ok"><span class="mark" aria-label="met">✓<\/span>/g)).toHaveLength(3);
    expect(html).toContain("last(deployment.default.web.available) &gt;= 6: got 6");
    for (const group of ["Cluster", "Scheduler", "Workloads", "Control plane", "Events"]) expect(html).toContain(`<h3>${group}</h3>`);
    expect(html).toContain("<code>scheduler.queueWaitSeconds.p99</code>");
    expect(html).toContain('<td class="num">20.0 %</td>');
    expect(html).toContain("<td>NodeFailure</td><td><code>Node/worker-2</code></td>");
  });

  it("draws the charts as inline SVG, with the timeline's actions on every time chart", () => {
    const ids = [...html.matchAll(/<figure class="chart" id="chart-([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["pods", "nodes", "heatmap-cpu", "heatmap-memory", "allocation", "pending", "placement-wait", "deployments"]);
    const figures = html.split('<figure class="chart"').slice(1);
    for (const f of figures) {
      expect(f).toMatch(/<div class="plot"><svg [^>]*class="marks"/);
      expect(f).toContain("NodeFailure worker-2");
    }
    expect(html).toContain("time (s)");
  });

  it("has a failed expectation marked ✗", async () => {
    const failed = { ...result, expectations: [{ ...result.expectations[0], ok: false, message: "last(x) >= 7: got 6" }, ...result.expectations.slice(1)] };
    const out = await renderHtmlReport(failed);
    expect(out).toContain('<li class="bad"><span class="mark" aria-label="not met">✗</span><code>last(x) &gt;= 7: got 6</code>');
    expect(out).toContain("✗ expectations 2/3 met");
  });

  it("is self-contained: no script, no external reference, unique ids", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/i);
    expect(html).not.toMatch(/href="(?!#|data:)/i);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).not.toContain("/work/");
    expect(html).not.toContain(process.cwd());
  });

  it("escapes every string from the scenario, in the page and in the SVG", async () => {
    const evil = "<script>alert('x')</script>";
    const hostile: RunResult = {
      ...result,
      scenario: evil,
      timeseries: withColumns(result.timeseries, { [`deployment.default.${evil}.available`]: result.timeseries.column("deployment.default.web.available")!.slice() }, (n) => `${n}${evil}`),
      timeline: [...result.timeline, { time: 90, type: "Normal", reason: "Rollout", object: `Deployment/default/${evil}`, message: `</script><img src=x onerror=alert(1)>`, source: "simk-timeline" }],
      expectations: [{ ...result.expectations[0], message: `last(${evil}) >= 1: got 0`, ok: false }],
      metrics: { ...result.metrics, [`deployment.default.${evil}.available`]: 1 },
    };
    for (const interactive of [false, true]) {
      const out = await renderHtmlReport(hostile, { interactive });
      expect(out).not.toContain("<script>alert");
      expect(out).not.toContain("<img src=x");
      expect(out).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
      if (interactive) {
        // Only our three scripts, and none of the JSON closes its element early.
        expect(out.match(/<script/g)).toHaveLength(3);
        const json = /<script type="application\/json" id="simk-charts">([\s\S]*?)<\/script>/.exec(out)![1];
        expect(json).not.toMatch(/<|>/);
        expect(JSON.stringify(JSON.parse(json))).toContain(evil);
      } else {
        expect(out).not.toMatch(/<script/i);
        // The heatmap's node names and the timeline label, inside the SVG.
        expect(out).toMatch(/>worker-0&lt;sc/);
      }
    }
  });

  it("draws Services' request rate, latency, errors and requests in flight when the run has them", async () => {
    const out = await renderHtmlReport(serviceResult(result));
    expect(out).toContain('<section class="charts" id="charts-services">');
    for (const id of ["service-rps", "service-latency", "service-errors", "service-inflight"]) expect(out).toContain(`id="chart-${id}"`);
    const latency = out.slice(out.indexOf('id="chart-service-latency"'), out.indexOf('id="chart-service-errors"'));
    for (const label of ["default/api", "shop/checkout", "p99", "p50", "latency (ms)"]) expect(latency).toContain(`>${label}<`);
    expect(out).toContain("<h3>Services</h3>");
    expect(out).toContain('<div class="value">250 ms</div><div class="label">default/api latency p99</div>');
    expect(html).not.toContain("charts-services");
  });
});

describe("renderHtmlReport (interactive)", () => {
  it("inlines Vega and the charts' specs, and is deterministic", async () => {
    const out = await renderHtmlReport(result, { interactive: true });
    expect(await renderHtmlReport(result, { interactive: true })).toBe(out);
    expect(out.length).toBeGreaterThan(400_000);
    const json = /<script type="application\/json" id="simk-charts">([\s\S]*?)<\/script>/.exec(out)![1];
    const specs = JSON.parse(json) as Record<string, { $schema: string; marks: unknown[] }>;
    expect(Object.keys(specs)).toEqual(buildCharts(result).map((c) => c.id));
    for (const s of Object.values(specs)) expect(s.$schema).toContain("vega/v6");
    expect(out).not.toMatch(/\ssrc=/i);
    expect(out).not.toContain("<svg");
  });

  it("builds specs with tooltips and x zoom", () => {
    const charts = buildCharts(result, { interactive: true });
    const pods = JSON.stringify(charts.find((c) => c.id === "pods")!.spec);
    expect(pods).toContain('"bind":"scales"');
    expect(pods).toContain('"tooltip"');
  });
});

describe("helpers", () => {
  it("escapeHtml and jsonForScript", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const s = jsonForScript({ a: "</script><!-- & \u2028" });
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual({ a: "</script><!-- & \u2028" });
  });

  it("formats metrics with units", () => {
    expect(formatMetric("cluster.cpu.allocation", 0.2)).toBe("20.0 %");
    expect(formatMetric("cluster.cpu.allocatable", 20000)).toBe("20 cores");
    expect(formatMetric("cluster.memory.allocatable", 80 * 2 ** 30)).toBe("80 GiB");
    expect(formatMetric("scheduler.queueWaitSeconds.p99", 0.026)).toBe("0.026 s");
    expect(formatMetric("recovery.seconds", 353)).toBe("353 s");
    expect(formatMetric("service.a.b.latency.p99", 0.0123)).toBe("12.3 ms");
    expect(formatMetric("pods.running", 8)).toBe("8");
  });

  it("groups metrics", () => {
    const groups = groupMetrics({ "pods.evicted": 1, "pods.running": 2, "scheduler.attempts": 3, "service.a.b.rps": 4, "leaderElection.scheduler.transitions": 1, "events.Scheduled": 2, "zzz": 0 });
    expect(groups.map((g) => [g.title, g.rows.map(([k]) => k)])).toEqual([
      ["Cluster", ["pods.running"]],
      ["Scheduler", ["scheduler.attempts"]],
      ["Workloads", ["pods.evicted"]],
      ["Control plane", ["leaderElection.scheduler.transitions"]],
      ["Services", ["service.a.b.rps"]],
      ["Events", ["events.Scheduled"]],
      ["Other", ["zzz"]],
    ]);
  });
});

describe("the node heatmaps of a large cluster", () => {
  const series = (nodes: string[], cpu: number[][], ready: number[][]): NodeSeries => ({
    nodes,
    cpu: cpu.map((v) => Float64Array.from(v)),
    memory: cpu.map((v) => Float64Array.from(v)),
    ready: ready.map((v) => Uint8Array.from(v)),
  });

  it("up to the row limit, one row per node in natural order", () => {
    const rows = heatmapRows(series(["w-10", "w-2", "w-1"], [[0.1], [0.2], [0.3]], [[1], [1], [1]]), "cpu", 1, 3);
    expect(rows.map((r) => [r.label, r.values[0]])).toEqual([["w-1", 0.3], ["w-2", 0.2], ["w-10", 0.1]]);
  });

  it("beyond it, groups of consecutive nodes: the mean over the nodes that exist; NotReady if any of them is", () => {
    // 5 nodes, at most 2 rows: groups of ⌈5/2⌉ = 3 in natural order (w-1 w-2 w-3 | w-4 w-10).
    const ns = series(
      ["w-10", "w-1", "w-2", "w-3", "w-4"],
      [
        [NaN, 0.9],
        [0.2, 0.2],
        [0.4, 0.4],
        [0.6, 0.6],
        [0.5, 0.5],
      ],
      [
        [0, 1],
        [1, 1],
        [1, 0],
        [1, 1],
        [1, 1],
      ],
    );
    const rows = heatmapRows(ns, "cpu", 2, 2);
    expect(rows.map((r) => r.label)).toEqual(["w-1 … w-3", "w-4 … w-10"]);
    expect([...rows[0].values].map((v) => +v.toFixed(6))).toEqual([0.4, 0.4]);
    // w-10 does not exist at the first sample: neither its value nor its Ready counts.
    expect([...rows[1].values].map((v) => +v.toFixed(6))).toEqual([0.5, 0.7]);
    expect([...rows[0].ready]).toEqual([1, 0]);
    expect([...rows[1].ready]).toEqual([1, 1]);
  });

  it("a 1 000-node cluster renders (an explicit sort list of every node name overflowed Vega's expression parser)", async () => {
    const text = [
      "apiVersion: simk.dev/v1alpha1",
      "kind: Scenario",
      "metadata: {name: thousand-nodes}",
      "spec:",
      "  duration: 30s",
      "  sampleInterval: 10s",
      "  nodePools:",
      "    - {name: worker, count: 1000, template: {allocatable: {cpu: '4', memory: 16Gi, pods: 110}}}",
    ].join("\n");
    const result = runScenario(loadScenarioFromText(text, "thousand-nodes.yaml"), { keepEvents: false });
    const html = await renderHtmlReport(result, { interactive: false });
    expect(html).toContain(`1000 nodes, ${Math.ceil(1000 / MAX_HEATMAP_ROWS)} per row`);
    expect(html).toContain("Each row is 7 consecutive nodes (of 1000)");
  }, 60_000);
});
