/**
 * A sweep's result: per variant and metric n, mean, standard deviation and the 95 % Student-t
 * confidence interval of the mean, with the per-seed values kept (for `simk compare`). Built from
 * the runs in task order only, so an unsharded sweep and merged shards give identical results.
 */
import { summarise } from "./stats.js";
import type { Variant } from "./grid.js";
import type { RunRecord } from "./task.js";

export const SWEEP_KIND = "simk/sweep";
export const SWEEP_VERSION = 1;
export const CONFIDENCE = 0.95;

export interface MetricStats {
  n: number;
  mean: number;
  /** Sample standard deviation; null when n < 2. */
  sd: number | null;
  /** 95 % confidence interval of the mean; null when n < 2. */
  ci95: [number, number] | null;
  /** One per seed, in the order of `seeds`; null where that run did not report the metric. */
  values: (number | null)[];
}

export interface VariantResult {
  index: number;
  name: string;
  set: Record<string, string>;
  runs: number;
  expectations: {
    /** Expectations per run (the scenario's `expect:` list). */
    perRun: number;
    /** Runs that met all of them. */
    allMet: number;
    failures: { seed: number; failed: string[] }[];
  };
  metrics: Record<string, MetricStats>;
}

export interface SweepResult {
  kind: typeof SWEEP_KIND;
  version: number;
  scenario: string;
  seeds: number[];
  sets: { path: string; values: string[] }[];
  confidence: number;
  variants: VariantResult[];
}

export interface GridInfo {
  scenario: string;
  seeds: number[];
  sets: { path: string; values: string[] }[];
  variants: Variant[];
}

/** `runs` must hold every task of the grid, in task order. */
export function aggregate(grid: GridInfo, runs: readonly RunRecord[]): SweepResult {
  const perVariant = grid.seeds.length;
  if (runs.length !== grid.variants.length * perVariant) throw new Error(`aggregate: expected ${grid.variants.length * perVariant} runs, got ${runs.length}`);
  const variants = grid.variants.map((v, vi): VariantResult => {
    const mine = runs.slice(vi * perVariant, (vi + 1) * perVariant);
    mine.forEach((r, si) => {
      if (r.variant !== vi || r.seed !== grid.seeds[si]) throw new Error(`aggregate: run ${r.task} is out of order`);
    });
    const names = [...new Set(mine.flatMap((r) => Object.keys(r.metrics)))].sort(byCodePoint);
    const metrics: Record<string, MetricStats> = {};
    for (const name of names) {
      const values = mine.map((r) => (name in r.metrics ? r.metrics[name] : null));
      const present = values.filter((x): x is number => x !== null);
      const s = summarise(present, CONFIDENCE);
      metrics[name] = { n: s.n, mean: s.mean, sd: s.sd, ci95: s.ci, values };
    }
    const failures = mine.filter((r) => r.failed.length > 0).map((r) => ({ seed: r.seed, failed: r.failed }));
    return {
      index: vi,
      name: v.name,
      set: v.set,
      runs: mine.length,
      expectations: { perRun: mine[0]?.expectations ?? 0, allMet: mine.length - failures.length, failures },
      metrics,
    };
  });
  return { kind: SWEEP_KIND, version: SWEEP_VERSION, scenario: grid.scenario, seeds: grid.seeds, sets: grid.sets, confidence: CONFIDENCE, variants };
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
