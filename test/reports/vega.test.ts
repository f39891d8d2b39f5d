import { describe, expect, it } from "vitest";
import { compileVegaLite, OfflineLoadError, renderVegaLiteToSvg, renumberSvgIds, vegaBrowserBundle, type TopLevelSpec } from "../../reports/vega.js";

const spec: TopLevelSpec = {
  width: 300,
  height: 120,
  data: {
    values: [
      { t: 0, v: 1, s: "a" },
      { t: 10, v: 3, s: "a" },
      { t: 0, v: 2, s: "b" },
      { t: 10, v: 0, s: "b" },
    ],
  },
  mark: { type: "line", clip: true },
  encoding: {
    x: { field: "t", type: "quantitative", title: "time (s)" },
    y: { field: "v", type: "quantitative", title: "pods" },
    color: { field: "s", type: "nominal", scale: { range: ["#ff0000", "#0000ff"] } },
  },
};

describe("renderVegaLiteToSvg", () => {
  it("renders an SVG document with the marks, axes and legend", async () => {
    const svg = await renderVegaLiteToSvg(spec);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).toContain('stroke="#ff0000"');
    expect(svg).toContain('stroke="#0000ff"');
    expect(svg).toContain("time (s)");
    expect(svg).toContain("pods");
  });

  it("is deterministic: Vega's process-wide id counters do not leak into the output", async () => {
    const a = await renderVegaLiteToSvg(spec, { idPrefix: "x" });
    const b = await renderVegaLiteToSvg(spec, { idPrefix: "x" });
    expect(b).toBe(a);
    expect(a).toMatch(/id="x-1"/);
    expect(a).toContain("url(#x-1)");
    expect(a).not.toMatch(/id="clip\d+"/);
  });

  it("prefixes ids so that several charts can share a page", async () => {
    const a = await renderVegaLiteToSvg(spec, { idPrefix: "one" });
    const b = await renderVegaLiteToSvg(spec, { idPrefix: "two" });
    const ids = (svg: string): string[] => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a).length).toBeGreaterThan(0);
    for (const id of ids(a)) expect(ids(b)).not.toContain(id);
  });

  it("escapes text from the data", async () => {
    const svg = await renderVegaLiteToSvg({
      data: { values: [{ n: "<script>alert(1)</script>", v: 1 }] },
      mark: "bar",
      encoding: { y: { field: "n", type: "nominal" }, x: { field: "v", type: "quantitative" } },
    });
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("loads nothing: a spec with a data URL fails instead of fetching", async () => {
    await expect(renderVegaLiteToSvg({ data: { url: "https://example.com/data.json" }, mark: "point" })).rejects.toBeInstanceOf(OfflineLoadError);
    await expect(renderVegaLiteToSvg({ data: { url: "/etc/passwd", format: { type: "csv" } }, mark: "point" })).rejects.toBeInstanceOf(OfflineLoadError);
  });

  it("reports Vega-Lite warnings to onWarning", async () => {
    const warnings: string[] = [];
    // A quantitative field on the (discrete) shape channel: Vega-Lite warns and drops it.
    const spec = { data: { values: [{ a: 1 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" }, shape: { field: "a", type: "quantitative" } } };
    await renderVegaLiteToSvg(spec as unknown as TopLevelSpec, { onWarning: (w) => warnings.push(w) });
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe("renumberSvgIds", () => {
  it("renames ids in order and their url(#) and href references", () => {
    const svg = '<svg><defs><clipPath id="clip7"/><linearGradient id="gradient_3"/></defs><g clip-path="url(#clip7)" fill="url(#gradient_3)"/><use href="#clip7"/></svg>';
    expect(renumberSvgIds(svg, "c")).toBe('<svg><defs><clipPath id="c-1"/><linearGradient id="c-2"/></defs><g clip-path="url(#c-1)" fill="url(#c-2)"/><use href="#c-1"/></svg>');
  });
});

describe("compileVegaLite and the browser bundle", () => {
  it("compiles to a Vega spec", async () => {
    const vg = await compileVegaLite(spec);
    expect(vg.marks?.length).toBeGreaterThan(0);
  });

  it("reads Vega's UMD bundle from node_modules", () => {
    const js = vegaBrowserBundle();
    expect(js.length).toBeGreaterThan(100_000);
    expect(js).toContain("vega");
    expect(js).not.toMatch(/<\/script/i);
  });
});
