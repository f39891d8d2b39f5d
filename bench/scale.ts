/**
 * Scale benchmarks: a scenario of bench/*.yaml run end to end by runScenario — the default
 * scheduler profile, the controllers and one kubelet per node — in a child process of its own, so
 * that its peak memory is its own. Reports the wall time of the run (loading excluded), the peak
 * resident set size, and what the run did. The event log is counted but not kept (runScenario's
 * keepEvents: false), as no events.jsonl is written.
 *
 *   node --import tsx bench/scale.ts bench/scale-150k-5k-failures.yaml   (prints one JSON line)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ScaleResult {
  scenario: string;
  nodes: number;
  podsRunning: number;
  scheduled: number;
  evicted: number;
  simulatedSeconds: number;
  load_s: number;
  run_s: number;
  peakRssMiB: number;
  /** Peak RSS of a child that only loads the same modules: the part that is not the run's. */
  baselineRssMiB?: number;
  recoverySeconds?: number;
  error?: string;
}

const here = fileURLToPath(import.meta.url);

/** Runs one scenario in a child process (same Node flags, hence the same TypeScript loader). */
export function runScale(file: string): ScaleResult {
  const p = spawnSync(process.execPath, [...process.execArgv, here, file], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = p.stdout.split("\n").filter((l) => l.startsWith("{")).pop();
  if (p.status !== 0 || !line) {
    const err = (p.stderr || "").trim().split("\n").slice(-3).join(" | ");
    return { scenario: file, nodes: 0, podsRunning: 0, scheduled: 0, evicted: 0, simulatedSeconds: 0, load_s: 0, run_s: NaN, peakRssMiB: NaN, error: err || `exit ${p.status}` };
  }
  return JSON.parse(line) as ScaleResult;
}

/** The child: load, run, report. With `--baseline`, only load (for the RSS floor). */
async function child(file: string, baselineOnly: boolean): Promise<void> {
  const { loadScenario } = await import("../sim/scenario/load.js");
  const { runScenario } = await import("../sim/run/simulate.js");
  const t0 = performance.now();
  const scenario = loadScenario(file);
  const t1 = performance.now();
  if (baselineOnly) {
    process.stdout.write(`${JSON.stringify({ peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
    return;
  }
  // Nothing reads the event log here (no events.jsonl): events are counted, not kept.
  const result = runScenario(scenario, { keepEvents: false });
  const t2 = performance.now();
  const m = result.metrics;
  const out: ScaleResult = {
    scenario: scenario.name,
    nodes: m["nodes.total"] ?? 0,
    podsRunning: m["pods.running"] ?? 0,
    scheduled: m["scheduler.scheduled"] ?? 0,
    evicted: m["pods.evicted"] ?? 0,
    simulatedSeconds: result.simulatedSeconds,
    load_s: +((t1 - t0) / 1000).toFixed(3),
    run_s: +((t2 - t1) / 1000).toFixed(3),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(m["recovery.seconds"] !== undefined ? { recoverySeconds: m["recovery.seconds"] } : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Peak RSS of a child that loads the scenario but does not run it. */
export function baselineRss(file: string): number {
  const p = spawnSync(process.execPath, [...process.execArgv, here, "--baseline", file], { encoding: "utf8" });
  const line = p.stdout.split("\n").filter((l) => l.startsWith("{")).pop();
  return line ? (JSON.parse(line) as { peakRssMiB: number }).peakRssMiB : NaN;
}

if (process.argv[1] === here) {
  const args = process.argv.slice(2);
  const baselineOnly = args[0] === "--baseline";
  const file = baselineOnly ? args[1] : args[0];
  if (!file) {
    process.stderr.write("usage: bench/scale.ts [--baseline] SCENARIO.yaml\n");
    process.exitCode = 2;
  } else await child(file, baselineOnly);
}
