/**
 * `simk sweep`: a scenario over many seeds and `--set` variants, on worker threads; its shards
 * (--shard I/N, or --shards N in a Kubernetes Indexed Job) and `simk sweep merge`; and
 * `--emit-job`, the Indexed Job that runs the shards on a cluster.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { writeFilesAtomically } from "../../reports/atomic.js";
import { progressBar } from "../../reports/progress.js";
import { formatSweepTable, sweepJson, sweepOutputFiles } from "../../reports/sweep.js";
import type { SweepResult } from "../sweep/aggregate.js";
import { checkShard, MAX_TASKS, parseSeeds, parseShard, variantsOf, type Shard } from "../sweep/grid.js";
import { indexedJobYaml } from "../sweep/job.js";
import { mergeShards, parseShardFile, prepareSweep, runShard, runSweep, shardFileName, shardJson } from "../sweep/sweep.js";
import { parseSet } from "../sweep/set.js";
import type { SweepSpec } from "../sweep/task.js";
import { InputError } from "../scenario/errors.js";
import { formatDuration } from "../units/duration.js";
import { UsageError } from "./errors.js";
import {
  defaultJobs,
  isQuiet,
  metricOption,
  parseCount,
  parseJobs,
  pluginOption,
  quietOption,
  sampleIntervalOption,
  schedulerConfigOption,
  setOption,
} from "./options.js";
import { shown } from "./run.js";

export const DEFAULT_SEEDS = "1..10";
export const DEFAULT_IMAGE = "simk:0.1.0";
export const DEFAULT_JOB_SHARDS = 4;

interface SweepFlags {
  seeds: string;
  set?: string[];
  jobs?: number;
  outDir?: string;
  output: "table" | "json";
  metric?: string[];
  html: boolean;
  shard?: string;
  shards?: number;
  emitJob?: boolean;
  image: string;
  claim?: string;
  sampleInterval?: number;
  schedulerConfig?: string;
  plugin?: string[];
  quiet?: boolean;
}

interface MergeFlags {
  outDir?: string;
  output: "table" | "json";
  metric?: string[];
  html: boolean;
  quiet?: boolean;
}

function specOf(file: string, flags: SweepFlags): SweepSpec {
  const seeds = parseSeeds(flags.seeds);
  const sets = (flags.set ?? []).map(parseSet);
  const paths = sets.map((s) => s.path);
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new UsageError(`--set ${twice} is given twice: list its values in one --set, separated by commas`);
  const variants = sets.reduce((n, s) => n * s.values.length, 1);
  if (variants * seeds.length > MAX_TASKS) throw new UsageError(`the sweep would have ${variants * seeds.length} runs; the most is ${MAX_TASKS}`);
  return {
    file,
    seeds,
    sets,
    plugins: flags.plugin ?? [],
    ...(flags.sampleInterval !== undefined ? { sampleInterval: flags.sampleInterval } : {}),
    ...(flags.schedulerConfig !== undefined ? { schedulerConfig: flags.schedulerConfig } : {}),
  };
}

/** --shard I/N, or --shards N with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod). */
export function shardOf(flags: { shard?: string; shards?: number }, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (flags.shard !== undefined) {
    const shard = parseShard(flags.shard);
    if (flags.shards !== undefined && flags.shards !== shard.count) throw new UsageError(`--shard ${flags.shard} and --shards ${flags.shards} disagree`);
    return shard;
  }
  if (flags.shards === undefined) return undefined;
  const index = env.JOB_COMPLETION_INDEX;
  if (index === undefined || !/^\d+$/.test(index)) {
    throw new UsageError(`--shards ${flags.shards} without --shard needs JOB_COMPLETION_INDEX (set in the pods of a Kubernetes Indexed Job)${index !== undefined ? `; it is "${index}"` : ""}`);
  }
  const shard = { index: Number(index), count: flags.shards };
  checkShard(shard, `JOB_COMPLETION_INDEX=${index}`);
  return shard;
}

/** `1..30`; `1..10,20,22..25`. */
export function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    parts.push(j > i ? `${seeds[i]}..${seeds[j]}` : String(seeds[i]));
    i = j + 1;
  }
  return parts.join(",");
}

async function sweepHtml(result: SweepResult, metrics: readonly string[]): Promise<string> {
  // Loaded only when a page is wanted: it brings in vega.
  const { renderSweepHtml } = await import("../../reports/sweepHtml.js");
  return renderSweepHtml(result, { metrics });
}

/** Writes and prints a sweep's result; exit 1 when some run missed an expectation. */
async function emitResult(result: SweepResult, flags: MergeFlags | SweepFlags, quiet: boolean): Promise<number> {
  if (flags.outDir !== undefined) {
    const html = flags.html ? await sweepHtml(result, flags.metric ?? []) : undefined;
    const written = writeFilesAtomically(flags.outDir, sweepOutputFiles(result, html !== undefined ? { html } : {}));
    if (!quiet) process.stderr.write(`wrote ${written.map(shown).join(", ")}\n`);
  }
  if (flags.output === "json") process.stdout.write(sweepJson(result));
  else if (!quiet) process.stdout.write(formatSweepTable(result, flags.metric ?? []));
  return result.variants.every((v) => v.expectations.allMet === v.runs) ? 0 : 1;
}

async function sweepCommand(file: string, flags: SweepFlags): Promise<number> {
  const quiet = isQuiet(flags.quiet);
  const spec = specOf(file, flags);
  if (flags.emitJob) return emitJob(spec, flags);
  const jobs = flags.jobs ?? defaultJobs();
  const shard = shardOf(flags);
  const bar = progressBar((done, total) => `${Math.floor(done)}/${total} runs`, { quiet });
  const onProgress = (done: number, total: number): void => bar.update(done, total);
  try {
    if (shard) {
      const out = await runShard(spec, shard, { jobs, onProgress });
      bar.done();
      if (flags.outDir !== undefined) {
        const written = writeFilesAtomically(flags.outDir, [{ name: shardFileName(shard), content: shardJson(out) }]);
        if (!quiet) process.stderr.write(`wrote ${written.map(shown).join(", ")} (${out.runs.length} runs)\n`);
      } else process.stdout.write(shardJson(out));
      // A shard exits 0 even when runs missed expectations: `simk sweep merge` reports them (and
      // a Kubernetes Job must not retry a run that will fail the same way).
      return 0;
    }
    const result = await runSweep(spec, { jobs, onProgress });
    bar.done();
    return await emitResult(result, flags, quiet);
  } finally {
    bar.done();
  }
}

async function emitJob(spec: SweepSpec, flags: SweepFlags): Promise<number> {
  if (flags.shard !== undefined) throw new UsageError("--emit-job prints a Job that runs every shard: give --shards N, not --shard");
  const grid = await prepareSweep(spec); // the same checks as a real sweep
  const tasks = variantsOf(spec.sets).length * spec.seeds.length;
  const shards = Math.min(flags.shards ?? DEFAULT_JOB_SHARDS, tasks);
  const args = [spec.file, "--seeds", formatSeeds(spec.seeds)];
  for (const s of flags.set ?? []) args.push("--set", s);
  if (spec.sampleInterval !== undefined) args.push("--sample-interval", formatDuration(spec.sampleInterval));
  if (spec.schedulerConfig !== undefined) args.push("--scheduler-config", spec.schedulerConfig);
  for (const p of spec.plugins) args.push("--plugin", p);
  process.stdout.write(
    indexedJobYaml({ args, scenario: grid.scenario, image: flags.image, shards, ...(flags.claim ? { claim: flags.claim } : {}), ...(flags.jobs ? { cpus: flags.jobs } : {}) }),
  );
  return 0;
}

/** Shard files: the files given, and the shard-*.json files in the directories given. */
export function shardInputs(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      throw new InputError([{ file: input, message: "no such file or directory" }]);
    }
    if (!isDir) {
      files.push(input);
      continue;
    }
    const found = readdirSync(input)
      .filter((f) => /^shard-.*\.json$/.test(f))
      .sort()
      .map((f) => join(input, f));
    if (found.length === 0) throw new InputError([{ file: input, message: "no shard-*.json files in this directory" }]);
    files.push(...found);
  }
  return files;
}

async function mergeCommand(inputs: string[], flags: MergeFlags): Promise<number> {
  const quiet = isQuiet(flags.quiet);
  const shards = shardInputs(inputs).map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new InputError([{ file, message: `cannot read: ${(e as Error).message}` }]);
    }
    return { file, shard: parseShardFile(text, file) };
  });
  return emitResult(mergeShards(shards), flags, quiet);
}

const SET_HELP = `
--set PATH=V1,V2,...  (repeatable: the sweep runs every combination, each over every seed)
  spec.components.scheduler.attemptLatency=1ms,5ms     a field of the Scenario document
  KubeSchedulerConfiguration.profiles[1].pluginConfig[0].args.scoringStrategy.type=LeastAllocated,MostAllocated
                                                       a field of another document of the file, by kind
  Deployment/web.spec.replicas=6,12                    ... by kind and name (or Kind/namespace/name)
  spec.traffic[service=default/web].balancer=iptables,p2c
                                                       [2] is a list index; [key=value] the item whose key is value
  spec.nodePools[0].template.labels["a.b/c"]=x,y       a key with dots or slashes, JSON-quoted
  Values are YAML (5ms, 3, true, [a, b], {cpu: "2"}); commas inside brackets, braces or quotes do not split.
`;

export function registerSweepCommand(program: Command, setExit: (code: number) => void): void {
  const sweep = program
    .command("sweep")
    .description("run a scenario over many seeds and --set variants, in parallel; print mean ± 95 % confidence interval per metric")
    .argument("<file>", "scenario YAML file")
    .enablePositionalOptions()
    .addOption(new Option("--seeds <list>", "seeds: 1..30, 1,2,5 or 1..10,20..25").default(DEFAULT_SEEDS).env("SIMK_SEEDS"))
    .addOption(setOption("a scenario value and its alternatives: PATH=V1,V2 (repeatable; see below)"))
    .addOption(new Option("-j, --jobs <n>", "worker threads (default: the CPUs available)").argParser(parseJobs).env("SIMK_JOBS"))
    .addOption(new Option("-d, --out-dir <dir>", "write sweep.json, sweep.csv and sweep.html (with --shard: the shard file)").env("SIMK_OUT_DIR"))
    .addOption(new Option("-o, --output <format>", "what to print: the table, or sweep.json").choices(["table", "json"]).default("table"))
    .addOption(metricOption())
    .option("--no-html", "do not write sweep.html")
    .option("--shard <I/N>", "run only shard I of N (0 ≤ I < N) and write its runs, for simk sweep merge")
    .addOption(new Option("--shards <n>", "with JOB_COMPLETION_INDEX set (a Kubernetes Indexed Job): run that shard of n; with --emit-job: the number of pods").argParser(parseCount))
    .option("--emit-job", "print a Kubernetes Indexed Job (batch/v1) that runs the shards of this sweep")
    .addOption(new Option("--image <image>", "container image of the emitted Job (simk on its PATH, the scenario inside)").default(DEFAULT_IMAGE).env("SIMK_IMAGE"))
    .option("--claim <pvc>", "emitted Job: write the shard files to this PersistentVolumeClaim (default: each pod prints its shard)")
    .addOption(sampleIntervalOption())
    .addOption(schedulerConfigOption())
    .addOption(pluginOption())
    .addOption(quietOption())
    .addHelpText(
      "after",
      `${SET_HELP}
Results are the same for every --jobs (and for N shards merged). Exit status: 0 every run met the
scenario's expectations, 1 some run did not (a --shard run exits 0: merge reports them), 2 a usage
or input error, 3 an internal error.

Examples:
  simk sweep scenarios/node-failure.yaml --seeds 1..30 --out-dir sweep/
  simk sweep scenarios/node-failure.yaml --seeds 1..30 --set spec.components.scheduler.attemptLatency=1ms,5ms,20ms --jobs 8
  simk sweep scenarios/binpack-vs-spread.yaml --seeds 1..10 --set 'KubeSchedulerConfiguration.profiles[1].pluginConfig[0].args.scoringStrategy.type=LeastAllocated,MostAllocated'
  simk sweep scenarios/lb-compare.yaml --seeds 1..10 --set 'spec.traffic[service=default/iptables].balancer=iptables,ipvs-rr,p2c'
  simk sweep scenarios/node-failure.yaml --seeds 1..100 --shard 0/4 --out-dir shards/
  simk sweep scenarios/node-failure.yaml --seeds 1..100 --emit-job --shards 4 --image ghcr.io/me/simk:1 | kubectl apply -f -
  simk sweep merge shards/ --out-dir sweep/
`,
    )
    .action(async (file: string, flags: SweepFlags) => setExit(await sweepCommand(file, flags)));

  sweep
    .command("merge")
    .description("combine shard files (simk sweep --shard) into the output of the unsharded sweep")
    .argument("<inputs...>", "shard files, or directories holding shard-*.json")
    .addOption(new Option("-d, --out-dir <dir>", "write sweep.json, sweep.csv and sweep.html").env("SIMK_OUT_DIR"))
    .addOption(new Option("-o, --output <format>", "what to print: the table, or sweep.json").choices(["table", "json"]).default("table"))
    .addOption(metricOption())
    .option("--no-html", "do not write sweep.html")
    .addOption(quietOption())
    .addHelpText("after", "\nExamples:\n  simk sweep merge shards/ --out-dir sweep/\n  simk sweep merge shard-0.json shard-1.json shard-2.json -o json > sweep.json\n")
    .action(async (inputs: string[], flags: MergeFlags) => setExit(await mergeCommand(inputs, flags)));
}
