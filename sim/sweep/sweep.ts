/**
 * Sweeps: every variant of a scenario (the `--set` alternatives) over every seed, on worker
 * threads; or one shard of that grid, to run on many machines (a Kubernetes Indexed Job), whose
 * shard files `mergeShards` combines into exactly the result of the unsharded sweep.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { InputError } from "../scenario/errors.js";
import { aggregate, type GridInfo, type SweepResult } from "./aggregate.js";
import { tasksOf, variantsOf, type Shard } from "./grid.js";
import { runTasks } from "./pool.js";
import { prepareRun } from "./prepare.js";
import type { RunRecord, SweepSpec } from "./task.js";

export const SHARD_KIND = "simk/sweep-shard";
export const SHARD_VERSION = 1;

export interface ShardFile {
  kind: typeof SHARD_KIND;
  version: number;
  scenario: string;
  /** sha256 of the scenario text and every sweep setting: shards of one sweep share it. */
  digest: string;
  seeds: number[];
  sets: { path: string; values: string[] }[];
  shard: Shard;
  runs: RunRecord[];
}

export interface SweepRunOptions {
  jobs: number;
  onProgress?: (done: number, total: number) => void;
}

function setsInfo(spec: SweepSpec): { path: string; values: string[] }[] {
  return spec.sets.map((s) => ({ path: s.path, values: s.values.map((v) => v.raw) }));
}

/** Identifies a sweep: the scenario file's text and every setting that shapes the runs. */
export function sweepDigest(spec: SweepSpec): string {
  let text = "";
  try {
    text = readFileSync(spec.file, "utf8");
  } catch {
    // Reported when the scenario is loaded.
  }
  const settings = { seeds: spec.seeds, sets: setsInfo(spec), sampleInterval: spec.sampleInterval ?? null, schedulerConfig: spec.schedulerConfig ?? null, plugins: spec.plugins };
  return createHash("sha256").update(text).update("\0").update(JSON.stringify(settings)).digest("hex");
}

/**
 * Loads every variant once in this thread (and builds its scheduler configuration), so that input
 * errors are reported before any run starts, and returns the grid.
 */
export async function prepareSweep(spec: SweepSpec): Promise<GridInfo> {
  const variants = variantsOf(spec.sets);
  let scenario = "";
  for (const v of variants) {
    const prepared = await prepareRun(spec.file, { overrides: v.overrides, sampleInterval: spec.sampleInterval, schedulerConfig: spec.schedulerConfig, plugins: spec.plugins });
    if (v.index === 0) scenario = prepared.scenario.name;
  }
  return { scenario, seeds: spec.seeds, sets: setsInfo(spec), variants };
}

export async function runSweep(spec: SweepSpec, options: SweepRunOptions): Promise<SweepResult> {
  const grid = await prepareSweep(spec);
  const tasks = tasksOf(grid.variants.length, spec.seeds).map((t) => t.index);
  const runs = await runTasks(spec, tasks, options);
  return aggregate(grid, runs);
}

export async function runShard(spec: SweepSpec, shard: Shard, options: SweepRunOptions): Promise<ShardFile> {
  const grid = await prepareSweep(spec);
  const tasks = tasksOf(grid.variants.length, spec.seeds, shard).map((t) => t.index);
  const runs = await runTasks(spec, tasks, options);
  return { kind: SHARD_KIND, version: SHARD_VERSION, scenario: grid.scenario, digest: sweepDigest(spec), seeds: spec.seeds, sets: grid.sets, shard, runs };
}

export function shardFileName(shard: Shard): string {
  const width = String(shard.count - 1).length;
  return `shard-${String(shard.index).padStart(width, "0")}-of-${shard.count}.json`;
}

export function shardJson(shard: ShardFile): string {
  return `${JSON.stringify(shard)}\n`;
}

/** Reads a shard file's JSON. Throws InputError naming the file. */
export function parseShardFile(text: string, file: string): ShardFile {
  let data: Partial<ShardFile>;
  try {
    data = JSON.parse(text) as Partial<ShardFile>;
  } catch (e) {
    throw new InputError([{ file, message: `not JSON: ${(e as Error).message}` }]);
  }
  if (data?.kind !== SHARD_KIND || !Array.isArray(data.runs) || !data.shard || !Array.isArray(data.seeds) || !Array.isArray(data.sets)) {
    throw new InputError([{ file, message: `not a sweep shard (written by simk sweep --shard I/N): expected "kind": "${SHARD_KIND}"` }]);
  }
  if (data.version !== SHARD_VERSION) throw new InputError([{ file, message: `shard format version ${String(data.version)}; this simk reads version ${SHARD_VERSION}` }]);
  return data as ShardFile;
}

/**
 * Combines the shards of one sweep into its result, exactly as the unsharded sweep computes it.
 * Every shard 0..N−1 must be there once, all from the same sweep. Throws InputError.
 */
export function mergeShards(shards: readonly { file: string; shard: ShardFile }[]): SweepResult {
  if (shards.length === 0) throw new InputError([{ file: "simk sweep merge", message: "no shard files given (directories are searched for shard-*.json)" }]);
  const first = shards[0];
  const problems: InputError["problems"] = [];
  const count = first.shard.shard.count;
  const seen = new Map<number, string>();
  for (const { file, shard } of shards) {
    if (shard.digest !== first.shard.digest) {
      problems.push({ file, message: `belongs to another sweep than ${first.file} (a different scenario text, seeds, --set values or settings)` });
      continue;
    }
    if (shard.shard.count !== count) {
      problems.push({ file, message: `is shard ${shard.shard.index}/${shard.shard.count}, but ${first.file} is one of ${count}` });
      continue;
    }
    const other = seen.get(shard.shard.index);
    if (other !== undefined) problems.push({ file, message: `shard ${shard.shard.index}/${count} is also in ${other}` });
    seen.set(shard.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) problems.push({ file: "simk sweep merge", message: `missing shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${count}`).join(", ")}` });
  if (problems.length > 0) throw new InputError(problems);

  const runs = shards.flatMap((s) => s.shard.runs).sort((a, b) => a.task - b.task);
  const sets = first.shard.sets.map((s) => ({ path: s.path, values: s.values.map((raw) => ({ raw, value: null })) }));
  const variants = variantsOf(sets);
  const total = variants.length * first.shard.seeds.length;
  if (runs.length !== total || runs.some((r, i) => r.task !== i)) {
    throw new InputError([{ file: "simk sweep merge", message: `the shards hold ${runs.length} runs, the sweep has ${total}: a shard file is incomplete or was edited` }]);
  }
  return aggregate({ scenario: first.shard.scenario, seeds: first.shard.seeds, sets: first.shard.sets, variants }, runs);
}
