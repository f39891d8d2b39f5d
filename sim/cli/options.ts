/**
 * Flag parsing shared by the commands, and the SIMK_* environment variables. Precedence: a flag on
 * the command line wins over its environment variable, which wins over the scenario file.
 */
import { InvalidArgumentError, Option } from "commander";
import { availableParallelism } from "node:os";
import { parseTolerance } from "../../reports/baseline.js";
import { DurationError, parseDuration } from "../units/duration.js";

export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`the seed must be a whole number ≥ 0, got "${value}"`);
  }
  return Number(value);
}

export function parseDurationFlag(value: string): number {
  try {
    const us = parseDuration(value);
    if (us <= 0) throw new InvalidArgumentError(`must be greater than 0, got "${value}"`);
    return us;
  } catch (err) {
    if (err instanceof DurationError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

export function parseJobs(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`the number of jobs must be a whole number ≥ 1, got "${value}"`);
  }
  return Number(value);
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`must be a whole number ≥ 1, got "${value}"`);
  }
  return Number(value);
}

export function parseToleranceFlag(value: string): number {
  try {
    return parseTolerance(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Default --jobs: the CPUs this process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** A boolean environment variable: set to anything but "", "0", "false". */
export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[name];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** --quiet, or SIMK_QUIET. */
export function isQuiet(flag: boolean | undefined): boolean {
  return flag === true || envFlag("SIMK_QUIET");
}

/** Every environment variable simk reads, for `simk --help`. */
export const ENVIRONMENT: readonly [string, string][] = [
  ["SIMK_SEED", "--seed (run, baseline write)"],
  ["SIMK_SEEDS", "--seeds (sweep)"],
  ["SIMK_OUT_DIR", "--out-dir (run, sweep, sweep merge)"],
  ["SIMK_OUTPUT", "--output (run)"],
  ["SIMK_JOBS", "--jobs (sweep)"],
  ["SIMK_TOLERANCE", "--tolerance (run)"],
  ["SIMK_BASELINE", "--baseline (run)"],
  ["SIMK_JUNIT", "--junit (run)"],
  ["SIMK_SAMPLE_INTERVAL", "--sample-interval (run, sweep, baseline write)"],
  ["SIMK_IMAGE", "--image (sweep --emit-job)"],
  ["SIMK_QUIET", "--quiet, when set to anything but \"\", 0 or false"],
  ["CI", "when set (not 0/false): no progress bar"],
  ["JOB_COMPLETION_INDEX", "sweep --shards N: this pod's shard (Kubernetes Indexed Jobs set it)"],
];

export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT.map(([n]) => n.length));
  return (
    "\nEnvironment variables (a flag on the command line wins over its variable, which wins over the scenario file):\n" +
    ENVIRONMENT.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join("\n") +
    "\n"
  );
}

export function seedOption(): Option {
  return new Option("--seed <n>", "random seed (overrides the scenario's)").argParser(parseSeed).env("SIMK_SEED");
}

export function sampleIntervalOption(): Option {
  return new Option("--sample-interval <duration>", "time-series sample interval, e.g. 1s, 500ms").argParser(parseDurationFlag).env("SIMK_SAMPLE_INTERVAL");
}

export function pluginOption(): Option {
  return new Option("--plugin <module>", "load custom scheduler plugins from a .ts/.js module exporting `factory` or `factories` (repeatable)").argParser(collect);
}

export function schedulerConfigOption(): Option {
  return new Option("--scheduler-config <file>", "use this KubeSchedulerConfiguration instead of the scenario's");
}

export function setOption(description: string): Option {
  return new Option("--set <path=value>", description).argParser(collect);
}

export function quietOption(): Option {
  return new Option("-q, --quiet", "print nothing but errors and the requested output (env SIMK_QUIET)");
}

export function metricOption(): Option {
  return new Option("--metric <pattern>", "show these metrics (glob, * = anything; repeatable) instead of the quality metrics").argParser(collect);
}
