/**
 * vega and vega-lite are loaded only when a chart is rendered: `simk run` without an HTML report
 * must not pay for them. The mocks record every load of the two packages.
 */
import { describe, expect, it, vi } from "vitest";

const loaded: string[] = [];

vi.mock("vega", async (importOriginal) => {
  loaded.push("vega");
  return await importOriginal();
});
vi.mock("vega-lite", async (importOriginal) => {
  loaded.push("vega-lite");
  return await importOriginal();
});

describe("lazy loading of vega", () => {
  it("importing reports/html.ts (and the CLI's other report modules) loads neither vega nor vega-lite", async () => {
    await import("../../reports/html.js");
    await import("../../reports/charts.js");
    await import("../../reports/vega.js");
    await import("../../reports/files.js");
    expect(loaded).toEqual([]);
  });

  it("rendering a chart loads them", async () => {
    const { renderVegaLiteToSvg } = await import("../../reports/vega.js");
    await renderVegaLiteToSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point", encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
    expect([...new Set(loaded)].sort()).toEqual(["vega", "vega-lite"]);
  });
});
