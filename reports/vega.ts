/**
 * Vega-Lite charts rendered to SVG strings in Node: compiled to Vega, run in a headless View (no
 * canvas, no DOM) and serialised. No network and no file access: the specs carry their data
 * inline, and the loader refuses every URI. Deterministic: Vega numbers clip paths and gradients
 * from process-wide counters, so the ids are renumbered per chart (and prefixed, so that several
 * charts inlined in one page never share an id); text is measured by Vega's estimate, never by a
 * canvas, so no font on the machine changes a byte.
 *
 * vega and vega-lite are loaded with dynamic import() inside the functions that need them: a run
 * that writes no HTML report never loads them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Loader, Spec as VegaSpec } from "vega";
import type { TopLevelSpec } from "vega-lite";

export type { TopLevelSpec } from "vega-lite";
export type { Spec as VegaSpec } from "vega";

export interface RenderOptions {
  /** Prefix of every id in the SVG (clip paths, gradients), unique per chart of a page. Default "c". */
  idPrefix?: string;
  /** Receives Vega-Lite and Vega warnings (by default they are dropped). */
  onWarning?: (message: string) => void;
}

/** Thrown when a chart asks to load anything: every report is self-contained. */
export class OfflineLoadError extends Error {}

function refuse(uri: unknown): never {
  throw new OfflineLoadError(`simk charts load nothing over the network or from files (asked for ${String(uri)})`);
}

/** A Vega loader that loads nothing: data, images and links must be inline. */
export function offlineLoader(): Loader {
  return {
    load: async (uri) => refuse(uri),
    sanitize: async (uri) => refuse(uri),
    http: async (uri) => refuse(uri),
    file: async (uri) => refuse(uri),
  };
}

interface Logger {
  level(): number;
  level(level: number): Logger;
  error(...args: readonly unknown[]): Logger;
  warn(...args: readonly unknown[]): Logger;
  info(...args: readonly unknown[]): Logger;
  debug(...args: readonly unknown[]): Logger;
}

/**
 * A logger that hands warnings to `onWarning` and keeps errors (and refused loads, which Vega
 * reports as warnings) in `failures`, for the caller to throw once rendering is over.
 */
function collectingLogger(onWarning: (message: string) => void): Logger & { failures: Error[] } {
  let current = 2;
  const failures: Error[] = [];
  const text = (args: readonly unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
  const logger: Logger & { failures: Error[] } = {
    failures,
    level: ((level?: number) => {
      if (level === undefined) return current;
      current = level;
      return logger;
    }) as Logger["level"],
    error: (...args) => {
      failures.push(args.find((a): a is Error => a instanceof Error) ?? new Error(text(args)));
      return logger;
    },
    warn: (...args) => {
      const refused = args.find((a): a is OfflineLoadError => a instanceof OfflineLoadError);
      if (refused) failures.push(refused);
      else onWarning(text(args));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Compiles a Vega-Lite spec to Vega (for pages that run Vega themselves). */
export async function compileVegaLite(spec: TopLevelSpec, options: Pick<RenderOptions, "onWarning"> = {}): Promise<VegaSpec> {
  const vl = await import("vega-lite");
  const logger = collectingLogger(options.onWarning ?? (() => {}));
  const compiled = vl.compile(spec, { logger: logger as never }).spec as VegaSpec;
  if (logger.failures.length > 0) throw logger.failures[0];
  return compiled;
}

/** Renders a Vega-Lite spec to a standalone SVG document string. Same spec, same bytes. */
export async function renderVegaLiteToSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const vegaSpec = await compileVegaLite(spec, options);
  const vega = await import("vega");
  // Text widths from Vega's estimate, never from a canvas (the optional "canvas" package, where
  // installed, would measure with the machine's fonts): the same bytes on every machine.
  (vega as unknown as { textMetrics?: { canvas(use: boolean): void } }).textMetrics?.canvas(false);
  const logger = collectingLogger(options.onWarning ?? (() => {}));
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "none", loader: offlineLoader(), logger: logger as never, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (logger.failures.length > 0) throw logger.failures[0];
    return renumberSvgIds(svg, options.idPrefix ?? "c");
  } finally {
    view.finalize();
  }
}

/**
 * Renames every id of an SVG document, in order of first definition, to `<prefix>-<n>`, and every
 * reference to it (url(#id), href="#id"): Vega's ids come from process-wide counters.
 */
export function renumberSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid=")([^"]+)(")|(url\(#)([^)]+)(\))|(href="#)([^"]+)(")/g, (all, a1, id1, z1, a2, id2, z2, a3, id3, z3) => {
    if (id1 !== undefined) return ids.has(id1) ? `${a1}${ids.get(id1)}${z1}` : all;
    if (id2 !== undefined) return ids.has(id2) ? `${a2}${ids.get(id2)}${z2}` : all;
    return ids.has(id3) ? `${a3}${ids.get(id3)}${z3}` : all;
  });
}

/** Vega's browser bundle (UMD, defines `vega`), read from the installed package. */
export function vegaBrowserBundle(): string {
  const main = createRequire(import.meta.url).resolve("vega");
  return readFileSync(join(dirname(main), "vega.min.js"), "utf8");
}

/** The installed Vega version (shown in the interactive report). */
export function vegaVersion(): string {
  const main = createRequire(import.meta.url).resolve("vega");
  const pkg = JSON.parse(readFileSync(join(dirname(main), "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
