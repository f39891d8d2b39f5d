/**
 * Traffic metrics, per Service: counters (arrived, completed, failed by cause, in flight), exact
 * latency percentiles (every completed request's latency is kept, in integer µs, in a growable
 * Float64Array, and radix sorted when a percentile is wanted: sim/metrics/sort.ts), completions per
 * pod, and per-sample-interval columns for the time series.
 *
 * Summary metrics (summary.json; all latencies in seconds):
 *   service.<ns>.<name>.arrived | completed | failed | inFlight (at the end) | retries
 *   service.<ns>.<name>.errors.<cause>   cause: noEndpoints, refused, timeout, queueFull, reset
 *   service.<ns>.<name>.errorRate        failed / (completed + failed)
 *   service.<ns>.<name>.throughput       completed per simulated second
 *   service.<ns>.<name>.latency.mean | p50 | p90 | p99 | p999 | max   (nearest rank; completed
 *                                        requests that arrived after the entry's warmup)
 *   service.<ns>.<name>.pods.<pod>.completed | share   (share of the Service's completions)
 *   service.<ns>.<name>.imbalance        max / mean of completions per pod, over every pod that was
 *                                        behind the Service during the run (selected by it when its
 *                                        containers started), those that served nothing included
 * Time-series columns, one value per sample interval (the interval that ends at the sample):
 *   service.<ns>.<name>.rps              completed per second
 *   service.<ns>.<name>.latency.p50 | latency.p99   over the requests completed in the interval
 *                                        (empty when none completed)
 *   service.<ns>.<name>.errors           requests failed in the interval
 *   service.<ns>.<name>.inFlight         at the sample
 * A column and a summary metric can share a name (latency.p50, latency.p99, inFlight): in
 * summary.json the value is the whole run's; `expect:` reduces the column.
 */
import { Priority, type Engine } from "../engine/engine.js";
import { Sorter, sortedCopy } from "../metrics/sort.js";
import { nearestRank } from "../metrics/stats.js";
import { TimeSeries } from "../metrics/timeseries.js";
import type { Cluster } from "../run/cluster.js";
import type { FailureCause } from "./contract.js";

/** Failure causes, in the order of the counters. */
export const CAUSES: readonly FailureCause[] = ["noEndpoints", "refused", "timeout", "queueFull", "reset"];
export const NO_ENDPOINTS_CAUSE = 0;
export const REFUSED = 1;
export const TIMEOUT = 2;
export const QUEUE_FULL = 3;
export const RESET = 4;

export class ServiceMetrics {
  arrived = 0;
  completed = 0;
  failed = 0;
  inFlight = 0;
  retries = 0;
  readonly failures = new Float64Array(CAUSES.length);
  /** Latencies (µs, integers) of completed requests past the warmup, in completion order. */
  latencyMicros = new Float64Array(1024);
  latencyCount = 0;
  /** Completions per pod server (indexed by server). */
  byServer = new Float64Array(64);
  /** Sorts each interval's latencies (its buffers are reused from sample to sample). */
  private readonly sorter = new Sorter();
  // Interval bookkeeping.
  private lastCompleted = 0;
  private lastFailed = 0;
  private lastLatency = 0;

  constructor(readonly service: string, readonly prefix: string) {}

  recordLatency(micros: number): void {
    if (this.latencyCount === this.latencyMicros.length) {
      const next = new Float64Array(this.latencyMicros.length * 2);
      next.set(this.latencyMicros);
      this.latencyMicros = next;
    }
    this.latencyMicros[this.latencyCount++] = micros;
  }

  /** The recorded latencies in seconds, in completion order (tests, inspection). */
  latencySeconds(): number[] {
    return Array.from(this.latencyMicros.subarray(0, this.latencyCount), toSeconds);
  }

  countServer(server: number): void {
    if (server >= this.byServer.length) {
      let size = this.byServer.length * 2;
      while (size <= server) size *= 2;
      const next = new Float64Array(size);
      next.set(this.byServer);
      this.byServer = next;
    }
    this.byServer[server]++;
  }

  /** One row of the time series: the interval since the previous sample. */
  sample(intervalSeconds: number): { rps: number; p50: number | undefined; p99: number | undefined; errors: number; inFlight: number } {
    const completed = this.completed - this.lastCompleted;
    const errors = this.failed - this.lastFailed;
    let p50: number | undefined;
    let p99: number | undefined;
    if (this.latencyCount > this.lastLatency) {
      const sorted = this.sorter.sorted(this.latencyMicros, this.lastLatency, this.latencyCount);
      p50 = toSeconds(nearestRank(sorted, 50));
      p99 = toSeconds(nearestRank(sorted, 99));
    }
    this.lastCompleted = this.completed;
    this.lastFailed = this.failed;
    this.lastLatency = this.latencyCount;
    return { rps: intervalSeconds > 0 ? completed / intervalSeconds : 0, p50, p99, errors, inFlight: this.inFlight };
  }

  /**
   * Summary metrics; `podName(server)` names a server's pod; `seconds` is the time simulated so
   * far; `members` are the servers of the pods behind the Service (those with no completions
   * count in the imbalance as 0).
   */
  summary(podName: (server: number) => string, seconds: number, members: readonly number[] = []): Record<string, number> {
    const p = this.prefix;
    const out: Record<string, number> = {
      [`${p}.arrived`]: this.arrived,
      [`${p}.completed`]: this.completed,
      [`${p}.failed`]: this.failed,
      [`${p}.inFlight`]: this.inFlight,
      [`${p}.retries`]: this.retries,
      [`${p}.errorRate`]: this.completed + this.failed > 0 ? round9(this.failed / (this.completed + this.failed)) : 0,
      [`${p}.throughput`]: seconds > 0 ? round9(this.completed / seconds) : 0,
    };
    CAUSES.forEach((cause, i) => (out[`${p}.errors.${cause}`] = this.failures[i]));
    const n = this.latencyCount;
    if (n > 0) {
      const sorted = sortedCopy(this.latencyMicros, 0, n);
      // Summed in seconds in ascending order, as the metric has always been defined.
      let sum = 0;
      for (let i = 0; i < n; i++) sum += sorted[i] / 1_000_000;
      out[`${p}.latency.mean`] = round9(sum / n);
      out[`${p}.latency.p50`] = toSeconds(nearestRank(sorted, 50));
      out[`${p}.latency.p90`] = toSeconds(nearestRank(sorted, 90));
      out[`${p}.latency.p99`] = toSeconds(nearestRank(sorted, 99));
      out[`${p}.latency.p999`] = toSeconds(nearestRank(sorted, 99.9));
      out[`${p}.latency.max`] = toSeconds(sorted[n - 1]);
    }
    const perPod = new Map<string, number>();
    for (const s of members) perPod.set(podName(s), 0);
    for (let s = 0; s < this.byServer.length; s++) {
      const c = this.byServer[s];
      if (c > 0) {
        const name = podName(s);
        perPod.set(name, (perPod.get(name) ?? 0) + c);
      }
    }
    let max = 0;
    for (const name of [...perPod.keys()].sort()) {
      const c = perPod.get(name)!;
      out[`${p}.pods.${name}.completed`] = c;
      out[`${p}.pods.${name}.share`] = this.completed > 0 ? round9(c / this.completed) : 0;
      if (c > max) max = c;
    }
    if (perPod.size > 0 && this.completed > 0) out[`${p}.imbalance`] = round9(max / (this.completed / perPod.size));
    return out;
  }
}

/** The time-series columns of every Service, sampled at the same instants as the cluster's. */
export class TrafficColumns {
  readonly names: string[] = [];
  private readonly columns = new Map<string, (number | undefined)[]>();
  /** Per Service, its five columns in sampling order (rps, p50, p99, errors, inFlight). */
  private readonly serviceColumns: (number | undefined)[][][] = [];
  private rows = 0;

  constructor(private readonly services: readonly ServiceMetrics[]) {
    for (const m of services) {
      const own: (number | undefined)[][] = [];
      for (const c of ["rps", "latency.p50", "latency.p99", "errors", "inFlight"]) {
        const name = `${m.prefix}.${c}`;
        const column: (number | undefined)[] = [];
        this.names.push(name);
        this.columns.set(name, column);
        own.push(column);
      }
      this.serviceColumns.push(own);
    }
  }

  /** Samples at t = 0 and every `interval` µs up to `duration`, after everything else at that instant. */
  start(engine: Engine, interval: number, duration: number): void {
    let last = 0;
    const sample = (): void => {
      const now = engine.now;
      this.sample((now - last) / 1_000_000);
      last = now;
      const next = now + interval;
      if (next <= duration) engine.at(next, sample, Priority.Late);
    };
    engine.at(0, sample, Priority.Late);
  }

  sample(intervalSeconds: number): void {
    for (let i = 0; i < this.services.length; i++) {
      const row = this.services[i].sample(intervalSeconds);
      const [rps, p50, p99, errors, inFlight] = this.serviceColumns[i];
      rps.push(round9(row.rps));
      p50.push(row.p50);
      p99.push(row.p99);
      errors.push(row.errors);
      inFlight.push(row.inFlight);
    }
    this.rows++;
  }

  column(name: string): (number | undefined)[] | undefined {
    return this.columns.get(name);
  }
}

/**
 * The cluster's time series plus the traffic columns (TimeSeries' own columns are fixed; this adds
 * the traffic ones for the CSV and for `expect:`). The traffic sampler runs at the same instants.
 */
export class TrafficTimeSeries extends TimeSeries {
  constructor(
    private readonly clusterRef: Cluster,
    interval: number,
    private readonly traffic: TrafficColumns,
  ) {
    super(clusterRef, interval);
  }

  override start(duration: number): void {
    super.start(duration);
    this.traffic.start(this.clusterRef.engine, this.interval, duration);
  }

  override columnNames(): string[] {
    return [...super.columnNames(), ...this.traffic.names];
  }

  override column(name: string): readonly (number | undefined)[] | undefined {
    const own = super.column(name);
    if (own) return own;
    const col = this.traffic.column(name);
    if (!col) return undefined;
    // Aligned with the cluster's rows (both sample at the same instants).
    const n = this.times.length;
    return col.length === n ? col : col.length > n ? col.slice(0, n) : [...col, ...new Array<undefined>(n - col.length).fill(undefined)];
  }
}

/** µs → s, exactly as the latency was once computed in seconds: (completion − arrival) / 10^6. */
function toSeconds(micros: number): number {
  return micros / 1_000_000;
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
