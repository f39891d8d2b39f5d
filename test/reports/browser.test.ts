/**
 * Opens the HTML report of a real run in headless Chromium (one launch for both reports) and
 * checks what a reader would see: no console error, no network request at all, every chart drawn,
 * and a screenshot that is not blank.
 *
 * Chromium: /usr/bin/chromium (Debian's package; .ci/run installs it), or SIMK_CHROMIUM. Without
 * it the test is skipped with a message, except in CI (process.env.CI or SIMK_REQUIRE_BROWSER,
 * which .ci/run sets), where that is a failure.
 * SIMK_UPDATE_SCREENSHOT=1 also writes the default report's full-page screenshot to
 * docs/report.png (the README shows it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { loadScenario } from "../../sim/scenario/load.js";
import { runScenario } from "../../sim/run/simulate.js";
import { buildCharts } from "../../reports/charts.js";
import { renderHtmlReport } from "../../reports/html.js";

const CHROMIUM = process.env.SIMK_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;
const SCREENSHOT = new URL("../../docs/report.png", import.meta.url).pathname;
const VIEWPORT = { width: 1280, height: 900 };
/** In CI (or when .ci/run asks for it) a missing Chromium is a failure, not a skip. */
const REQUIRED = !!process.env.CI || !!process.env.SIMK_REQUIRE_BROWSER;

if (!HAVE_CHROMIUM && !REQUIRED) {
  console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SIMK_CHROMIUM)`);
}

describe.runIf(!HAVE_CHROMIUM && REQUIRED)("browser test in CI", () => {
  it("needs Chromium", () => {
    throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install -y chromium) or set SIMK_CHROMIUM`);
  });
});

describe.skipIf(!HAVE_CHROMIUM)("the HTML report in Chromium", () => {
  let browser: Browser;
  let dir: string;
  const result = runScenario(loadScenario(SCENARIO), { seed: 42 });
  const charts = buildCharts(result).length;

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    });
    dir = mkdtempSync(join(tmpdir(), "simk-report-"));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report; returns the page and what it did: console errors and every request. */
  async function open(name: string, html: string): Promise<{ page: Page; url: string; errors: string[]; requests: string[] }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    const errors: string[] = [];
    const requests: string[] = [];
    context.on("request", (r) => requests.push(r.url()));
    // Belt and braces: nothing but the page itself may even be attempted.
    await context.route("**/*", (route) => (route.request().url() === url ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: "load" });
    return { page, url, errors, requests };
  }

  /** The drawn charts: each figure's SVG size and number of drawn marks. */
  async function chartsOnPage(page: Page): Promise<{ id: string; width: number; height: number; marks: number; top: number; left: number }[]> {
    return page.$$eval("figure.chart", (figures) =>
      figures.map((f) => {
        const svg = f.querySelector(".plot svg");
        const r = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute("data-chart") ?? "",
          width: r?.width ?? 0,
          height: r?.height ?? 0,
          marks: svg ? svg.querySelectorAll("path, rect, line, text").length : 0,
          top: (r?.top ?? 0) + (globalThis as unknown as { scrollY: number }).scrollY,
          left: (r?.left ?? 0) + (globalThis as unknown as { scrollX: number }).scrollX,
        };
      }),
    );
  }

  it("default report: no console error, no request but the page, every chart drawn, not blank", async () => {
    const { page, url, errors, requests } = await open("report.html", await renderHtmlReport(result));
    const drawn = await chartsOnPage(page);
    expect(drawn.map((c) => c.id)).toEqual(buildCharts(result).map((c) => c.id));
    for (const c of drawn) {
      expect(c.width, c.id).toBeGreaterThan(400);
      expect(c.height, c.id).toBeGreaterThan(150);
      expect(c.marks, c.id).toBeGreaterThan(20);
    }
    expect(await page.locator("ul.expectations li.ok").count()).toBe(3);
    const png = await page.screenshot({ fullPage: true });
    const image = decodePng(png);
    expect(image.width).toBe(VIEWPORT.width);
    expect(image.height).toBeGreaterThan(2000);
    for (const c of drawn) {
      const ink = inkIn(image, c.left, c.top, c.width, c.height);
      expect(ink.dark, `${c.id}: axes and text`).toBeGreaterThan(0.005);
      expect(ink.colored, `${c.id}: coloured marks`).toBeGreaterThan(0.001);
    }
    if (process.env.SIMK_UPDATE_SCREENSHOT === "1") {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      writeFileSync(SCREENSHOT, png);
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.context().close();
  });

  it("interactive report: Vega draws every chart in the page, with tooltips, offline", async () => {
    const { page, url, errors, requests } = await open("report-interactive.html", await renderHtmlReport(result, { interactive: true }));
    await page.waitForFunction(`document.querySelectorAll("figure.chart .plot svg.marks").length === ${charts}`, undefined, { timeout: 20_000 });
    const drawn = await chartsOnPage(page);
    expect(drawn).toHaveLength(charts);
    for (const c of drawn) {
      expect(c.width, c.id).toBeGreaterThan(400);
      expect(c.marks, c.id).toBeGreaterThan(20);
    }
    // Hovering a heatmap cell shows a tooltip (text, from the spec's tooltip channel).
    const heat = page.locator("#chart-heatmap-cpu .plot svg");
    await heat.scrollIntoViewIfNeeded();
    const box = (await heat.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.2);
    await page.waitForFunction(`document.querySelector(".simk-tooltip")?.style.display === "block"`, undefined, { timeout: 5_000 });
    expect(await page.locator(".simk-tooltip").textContent()).toMatch(/node/);
    const image = decodePng(await page.screenshot({ fullPage: true }));
    for (const c of drawn) expect(inkIn(image, c.left, c.top, c.width, c.height).colored, c.id).toBeGreaterThan(0.001);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.context().close();
  });
});

interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8Array;
}

/** Shares of a region's pixels that are dark (text, axes) and saturated (coloured marks). */
function inkIn(image: Image, left: number, top: number, width: number, height: number): { dark: number; colored: number } {
  let dark = 0;
  let colored = 0;
  let total = 0;
  const x0 = Math.max(0, Math.floor(left));
  const y0 = Math.max(0, Math.floor(top));
  const x1 = Math.min(image.width, Math.ceil(left + width));
  const y1 = Math.min(image.height, Math.ceil(top + height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 4;
      const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
      total++;
      if (r + g + b < 3 * 128) dark++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
    }
  }
  return { dark: dark / Math.max(1, total), colored: colored / Math.max(1, total) };
}

/** A minimal PNG decoder (8-bit RGB or RGBA, not interlaced): what Chromium's screenshots are. */
function decodePng(png: Buffer): Image {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString("latin1", pos + 4, pos + 8);
    const body = png.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, color, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${color}, interlace ${interlace}`);
      channels = color === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * channels], cur[x * channels + 1], cur[x * channels + 2], channels === 4 ? cur[x * channels + 3] : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, data: out };
}
