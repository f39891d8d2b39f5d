/**
 * Run-wide statistics that components report as they go: counters (scheduler.attempts), gauges
 * (last value) and samples for distributions (queue wait). Only numbers; names are dotted.
 */
export class Stats {
  private readonly counters = new Map<string, number>();
  private readonly samples = new Map<string, number[]>();
  private readonly sources: (() => Record<string, number>)[] = [];

  /** Adds a component that reports its own summary metrics when the run ends. */
  addSource(source: () => Record<string, number>): void {
    this.sources.push(source);
  }

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  set(name: string, value: number): void {
    this.counters.set(name, value);
  }

  max(name: string, value: number): void {
    const cur = this.counters.get(name);
    if (cur === undefined || value > cur) this.counters.set(name, value);
  }

  get(name: string): number | undefined {
    return this.counters.get(name);
  }

  observe(name: string, value: number): void {
    let s = this.samples.get(name);
    if (!s) this.samples.set(name, (s = []));
    s.push(value);
  }

  /** Counters and gauges, plus count/mean/p50/p90/p99/max of each sample set. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const source of this.sources) Object.assign(out, source());
    for (const [k, v] of this.counters) out[k] = v;
    for (const [k, values] of this.samples) {
      if (values.length === 0) continue;
      const sorted = Float64Array.from(values).sort();
      out[`${k}.count`] = sorted.length;
      out[`${k}.mean`] = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      out[`${k}.p50`] = nearestRank(sorted, 50);
      out[`${k}.p90`] = nearestRank(sorted, 90);
      out[`${k}.p99`] = nearestRank(sorted, 99);
      out[`${k}.max`] = sorted[sorted.length - 1];
    }
    return out;
  }
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p % at or below it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
