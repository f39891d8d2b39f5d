/**
 * Baselines: a run's quality metrics recorded in a file (`simk baseline write`), and the check of a
 * later run against it (`simk run --baseline FILE --tolerance 2%`).
 *
 * Every quality metric knows which direction is better (QUALITY_METRICS). A metric is worse when it
 * moved the wrong way by more than max(tolerance × |baseline|, epsilon): the tolerance is relative,
 * and the metric's absolute epsilon keeps values at or near 0 from failing on noise (a relative
 * tolerance of 0 is nothing at all). The epsilon is per unit: half a count (so any whole extra pod
 * pending counts), a millisecond, or a tenth of a percentage point of a ratio. Worse beyond that is
 * a regression (exit 1); better beyond it is an improvement (reported, passes).
 */
import type { RunResult } from "../sim/run/simulate.js";

export type Better = "lower" | "higher";

export interface QualityMetric {
  /** A metric name; `*` stands for any run of characters, dots included (or none). */
  pattern: string;
  better: Better;
  /** Changes no larger than this are never regressions (absolute, in the metric's unit). */
  epsilon: number;
  reason: string;
}

const COUNT = 0.5;
const SECONDS = 0.001;
const RATIO = 0.001;

/** The quality metrics and which way is better. The first matching pattern wins. */
export const QUALITY_METRICS: readonly QualityMetric[] = [
  // Scheduling
  { pattern: "pods.pending.max", better: "lower", epsilon: COUNT, reason: "pods waiting for a node: capacity or placement fell short" },
  { pattern: "pods.pending", better: "lower", epsilon: COUNT, reason: "pods still waiting at the end were never placed" },
  { pattern: "pods.unscheduled.max", better: "lower", epsilon: COUNT, reason: "pods no node could take" },
  { pattern: "scheduler.unschedulable", better: "lower", epsilon: COUNT, reason: "failed scheduling attempts are retries and delay" },
  { pattern: "scheduler.attemptsPerPod.mean", better: "lower", epsilon: RATIO, reason: "every attempt beyond one per pod is a retry" },
  { pattern: "scheduler.attemptsPerPod.max", better: "lower", epsilon: COUNT, reason: "the most retried pod" },
  { pattern: "scheduler.attemptsPerPod.p*", better: "lower", epsilon: COUNT, reason: "attempts per pod, by percentile" },
  { pattern: "scheduler.queueWaitSeconds.p*", better: "lower", epsilon: SECONDS, reason: "time from pod creation to placement, by percentile" },
  { pattern: "scheduler.queueWaitSeconds.mean", better: "lower", epsilon: SECONDS, reason: "mean time from pod creation to placement" },
  { pattern: "scheduler.queueWaitSeconds.max", better: "lower", epsilon: SECONDS, reason: "the longest any pod waited for a node" },
  { pattern: "scheduler.queue.waiting.max", better: "lower", epsilon: COUNT, reason: "a longer scheduling queue means slower placement" },
  { pattern: "scheduler.preemptions", better: "lower", epsilon: COUNT, reason: "each preemption evicts running work" },
  { pattern: "scheduler.preemptionVictims", better: "lower", epsilon: COUNT, reason: "pods killed to make room" },
  // Placement quality
  { pattern: "cluster.*.fragmentation*", better: "lower", epsilon: RATIO, reason: "free capacity stranded on nodes too full for the typical pending pod" },
  { pattern: "cluster.cpu.stranded", better: "lower", epsilon: COUNT, reason: "millicores no pending pod can use" },
  { pattern: "cluster.*.imbalance*", better: "lower", epsilon: RATIO, reason: "uneven nodes: hot spots and wasted headroom (bin-packing setups want the opposite)" },
  // Availability and recovery
  { pattern: "recovery.seconds", better: "lower", epsilon: SECONDS, reason: "time from a node failure until every replica is available again" },
  { pattern: "recovery.recovered", better: "higher", epsilon: COUNT, reason: "1 when the workloads recovered from the failure" },
  { pattern: "deployment.*.unavailableReplicaSeconds", better: "lower", epsilon: COUNT, reason: "replica-seconds of lost capacity" },
  { pattern: "deployment.*.recoverySeconds", better: "lower", epsilon: SECONDS, reason: "time for the Deployment to be whole again after a node failure" },
  { pattern: "deployment.*.minAvailable", better: "higher", epsilon: COUNT, reason: "the worst availability after the Deployment first became complete" },
  { pattern: "deployment.*.rollout.durationSeconds", better: "lower", epsilon: SECONDS, reason: "how long a rollout takes" },
  { pattern: "deployment.*.rollout.minReady", better: "higher", epsilon: COUNT, reason: "ready pods during a rollout: capacity kept while updating" },
  { pattern: "deployment.*.rollout.complete", better: "higher", epsilon: COUNT, reason: "1 when the rollout finished" },
  { pattern: "deployment.progressDeadlineExceeded", better: "lower", epsilon: COUNT, reason: "Deployments that stopped progressing" },
  { pattern: "deployment.*.available", better: "higher", epsilon: COUNT, reason: "available replicas at the end" },
  { pattern: "drain.*.durationSeconds", better: "lower", epsilon: SECONDS, reason: "time to empty a node for maintenance" },
  { pattern: "drain.evictionRetries", better: "lower", epsilon: COUNT, reason: "evictions refused by a PodDisruptionBudget and retried" },
  { pattern: "leaderElection.*.maxGapSeconds", better: "lower", epsilon: SECONDS, reason: "the longest time without a leader (nothing scheduled or reconciled)" },
  { pattern: "leaderElection.*.gapSeconds", better: "lower", epsilon: SECONDS, reason: "total time without a leader" },
  // Services (traffic)
  { pattern: "service.*.latency.*", better: "lower", epsilon: SECONDS, reason: "request latency seen by clients" },
  { pattern: "service.*.errors.*", better: "lower", epsilon: COUNT, reason: "failed requests" },
  { pattern: "service.*.errors", better: "lower", epsilon: COUNT, reason: "failed requests" },
  { pattern: "service.*.errorRate", better: "lower", epsilon: RATIO, reason: "the share of requests that failed" },
  { pattern: "service.*.failed", better: "lower", epsilon: COUNT, reason: "requests that failed for any cause" },
  { pattern: "service.*.retries", better: "lower", epsilon: COUNT, reason: "requests clients had to retry" },
  { pattern: "service.*.imbalance", better: "lower", epsilon: RATIO, reason: "uneven load over a Service's endpoints" },
];

function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

const COMPILED = QUALITY_METRICS.map((q) => ({ q, re: patternRegExp(q.pattern) }));

/** The quality table's entry for a metric, or undefined when it is not a quality metric. */
export function qualityOf(metric: string): QualityMetric | undefined {
  return COMPILED.find((c) => c.re.test(metric))?.q;
}

/** Glob match (`*` = any run of characters) for --metric filters. */
export function matchesPattern(metric: string, pattern: string): boolean {
  return patternRegExp(pattern).test(metric);
}

// ---------------------------------------------------------------------------------------------
// Baseline files

export const BASELINE_KIND = "simk/baseline";

export interface BaselineFile {
  kind: typeof BASELINE_KIND;
  version: 1;
  scenario: string;
  seed: number;
  /** Quality metrics only, sorted by name. */
  metrics: Record<string, number>;
}

export function baselineOf(result: Pick<RunResult, "scenario" | "seed" | "metrics">): BaselineFile {
  const metrics: Record<string, number> = {};
  for (const name of Object.keys(result.metrics).sort()) if (qualityOf(name)) metrics[name] = result.metrics[name];
  return { kind: BASELINE_KIND, version: 1, scenario: result.scenario, seed: result.seed, metrics };
}

export function baselineJson(result: Pick<RunResult, "scenario" | "seed" | "metrics">): string {
  return `${JSON.stringify(baselineOf(result), null, 2)}\n`;
}

/**
 * Reads a baseline: a baseline file, or any JSON with `scenario` and numeric `metrics` (a run's
 * summary.json works too; only its quality metrics are compared). Throws an Error with the reason.
 */
export function parseBaseline(text: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const d = data as Partial<BaselineFile> | null;
  if (!d || typeof d !== "object" || typeof d.metrics !== "object" || d.metrics === null || Array.isArray(d.metrics)) {
    throw new Error('not a baseline: expected {"scenario", "seed", "metrics": {"name": number}} as simk baseline write writes it');
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(d.metrics)) {
    if (typeof v !== "number") throw new Error(`metric ${k} is ${JSON.stringify(v)}, not a number`);
    if (qualityOf(k)) metrics[k] = v;
  }
  return { kind: BASELINE_KIND, version: 1, scenario: String(d.scenario ?? ""), seed: Number(d.seed ?? NaN), metrics };
}

// ---------------------------------------------------------------------------------------------
// Checking a run against a baseline

export type Verdict = "regression" | "improvement" | "unchanged" | "missing" | "new";

export interface MetricCheck {
  metric: string;
  baseline: number | null;
  current: number | null;
  /** current − baseline. */
  change: number | null;
  /** change ÷ |baseline| (null when the baseline is 0 or a side is missing). */
  relative: number | null;
  better: Better;
  /** The most a metric may move the wrong way: max(tolerance × |baseline|, epsilon). */
  allowed: number;
  verdict: Verdict;
  message: string;
}

export interface BaselineReport {
  file: string;
  scenario: string;
  seed: number;
  tolerance: number;
  checks: MetricCheck[];
  regressions: MetricCheck[];
  improvements: MetricCheck[];
  ok: boolean;
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function formatPercent(r: number): string {
  const p = r * 100;
  return `${p >= 0 ? "+" : ""}${Math.abs(p) >= 100 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** "4 → 6 (+50.0%)" / "0 → 2 (+2)". */
function changeText(base: number, cur: number): string {
  const d = cur - base;
  const rel = base !== 0 ? ` (${formatPercent(d / Math.abs(base))})` : ` (${d >= 0 ? "+" : ""}${formatValue(d)})`;
  return `${formatValue(base)} → ${formatValue(cur)}${rel}`;
}

/**
 * Compares a run's metrics with a baseline. A quality metric in the baseline but not in the run is
 * a regression (it stopped being reported, e.g. a recovery that no longer happens); one in the run
 * but not in the baseline is listed as new and passes.
 */
export function checkBaseline(current: Record<string, number>, baseline: BaselineFile, options: { tolerance: number; file: string }): BaselineReport {
  const names = [...new Set([...Object.keys(baseline.metrics), ...Object.keys(current).filter((k) => qualityOf(k))])].sort();
  const checks: MetricCheck[] = [];
  for (const metric of names) {
    const q = qualityOf(metric);
    if (!q) continue;
    const base = metric in baseline.metrics ? baseline.metrics[metric] : null;
    const cur = metric in current ? current[metric] : null;
    const allowed = base === null ? q.epsilon : Math.max(options.tolerance * Math.abs(base), q.epsilon);
    const common = { metric, baseline: base, current: cur, better: q.better, allowed };
    if (base === null) {
      checks.push({ ...common, change: null, relative: null, verdict: "new", message: `${metric}: new, ${formatValue(cur!)} (not in the baseline)` });
      continue;
    }
    if (cur === null) {
      checks.push({ ...common, change: null, relative: null, verdict: "missing", message: `${metric}: ${formatValue(base)} in the baseline, no longer reported` });
      continue;
    }
    const change = cur - base;
    const worse = q.better === "lower" ? change : -change;
    const verdict: Verdict = worse > allowed ? "regression" : -worse > allowed ? "improvement" : "unchanged";
    const tail = verdict === "unchanged" ? "" : `, ${q.better} is better${verdict === "regression" ? `; allowed ${formatValue(allowed)}` : ""}`;
    checks.push({
      ...common,
      change,
      relative: base !== 0 ? change / Math.abs(base) : null,
      verdict,
      message: `${metric}: ${changeText(base, cur)}${tail}`,
    });
  }
  const regressions = checks.filter((c) => c.verdict === "regression" || c.verdict === "missing");
  const improvements = checks.filter((c) => c.verdict === "improvement");
  return {
    file: options.file,
    scenario: baseline.scenario,
    seed: baseline.seed,
    tolerance: options.tolerance,
    checks,
    regressions,
    improvements,
    ok: regressions.length === 0,
  };
}

/** The lines `simk run --baseline` prints after the summary. */
export function formatBaselineReport(r: BaselineReport): string {
  const unchanged = r.checks.filter((c) => c.verdict === "unchanged").length;
  const lines = [
    "",
    `baseline ${r.file} (seed ${r.seed}), tolerance ${Number((r.tolerance * 100).toFixed(4))}%: ` +
      `${r.regressions.length} worse, ${r.improvements.length} better, ${unchanged} unchanged`,
  ];
  for (const c of r.regressions) lines.push(`  ✗ ${c.message}`);
  for (const c of r.improvements) lines.push(`  ↑ ${c.message}`);
  for (const c of r.checks.filter((x) => x.verdict === "new")) lines.push(`  + ${c.message}`);
  return `${lines.join("\n")}\n`;
}

/** "2%", "0.5 %", "0.02" → 0.02. Throws an Error with the reason. */
export function parseTolerance(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new Error(`the tolerance is a percentage like 2% or a fraction like 0.02, got "${text}"`);
  const v = m[2] === "%" ? Number(m[1]) / 100 : Number(m[1]);
  if (!(v >= 0 && v < 10)) throw new Error(`the tolerance must be between 0% and 1000%, got "${text}"`);
  return v;
}
