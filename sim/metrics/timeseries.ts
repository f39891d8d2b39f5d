/**
 * The time series: one row per sample interval (and one at t = 0) of cluster-level gauges, plus
 * the per-Deployment availability columns. Also derives the summary metrics that need the whole
 * run: maxima, time-weighted means, replica-seconds unavailable and recovery time after a failure.
 */
import { Priority } from "../engine/engine.js";
import type { Cluster } from "../run/cluster.js";
import { fragmentation, imbalance, type NodeUsage } from "./quality.js";

/** Fixed columns, in CSV order. Units: cpu in millicores, memory in bytes, ratios in [0, 1]. */
export const BASE_COLUMNS = [
  "nodes.total",
  "nodes.ready",
  "nodes.schedulable",
  "pods.total",
  "pods.pending",
  "pods.unscheduled",
  "pods.running",
  "pods.ready",
  "pods.succeeded",
  "pods.failed",
  "pods.terminating",
  "cluster.cpu.requested",
  "cluster.cpu.allocatable",
  "cluster.cpu.allocation",
  "cluster.memory.requested",
  "cluster.memory.allocatable",
  "cluster.memory.allocation",
  "cluster.cpu.imbalance",
  "cluster.memory.imbalance",
  "cluster.cpu.fragmentation",
  "cluster.memory.fragmentation",
  "cluster.cpu.stranded",
  "scheduler.queue.waiting",
] as const;

export class TimeSeries {
  readonly times: number[] = [];
  private readonly columns = new Map<string, (number | undefined)[]>();
  private failureAt?: number;
  private recoveredAt?: number;
  private dippedAfterFailure = false;
  private readonly unavailableSeconds = new Map<string, number>();
  private readonly minAvailable = new Map<string, number>();
  private lastSample?: number;

  constructor(private readonly cluster: Cluster, readonly interval: number) {
    for (const c of BASE_COLUMNS) this.columns.set(c, []);
  }

  start(duration: number): void {
    const { engine } = this.cluster;
    const sample = (): void => {
      this.sample();
      const next = engine.now + this.interval;
      if (next <= duration) engine.at(next, sample, Priority.Late);
    };
    engine.at(0, sample, Priority.Late);
  }

  /** The first node failure: recovery is measured from here. */
  markFailure(at: number): void {
    this.failureAt ??= at;
  }

  columnNames(): string[] {
    return [...this.columns.keys()];
  }

  column(name: string): readonly (number | undefined)[] | undefined {
    return this.columns.get(name);
  }

  private set(name: string, value: number): void {
    let col = this.columns.get(name);
    if (!col) {
      col = new Array<number | undefined>(this.times.length - 1).fill(undefined);
      this.columns.set(name, col);
    }
    col.push(value);
  }

  private sample(): void {
    const o = this.cluster.observer;
    const now = this.cluster.engine.now;
    this.times.push(now / 1_000_000);
    const live = [...o.nodes.values()].filter((n) => n.cpu > 0 || n.memory > 0);
    const balance = imbalance(live);
    const frag = fragmentation(live, o.typicalPod());
    const values: Record<(typeof BASE_COLUMNS)[number], number> = {
      "nodes.total": o.nodesTotal,
      "nodes.ready": o.nodesReady,
      "nodes.schedulable": o.nodesSchedulable,
      "pods.total": o.podsTotal,
      "pods.pending": o.podPhase.get("Pending") ?? 0,
      "pods.unscheduled": o.podsUnscheduled,
      "pods.running": o.podPhase.get("Running") ?? 0,
      "pods.ready": o.podsReady,
      "pods.succeeded": o.podPhase.get("Succeeded") ?? 0,
      "pods.failed": o.podPhase.get("Failed") ?? 0,
      "pods.terminating": o.podsTerminating,
      "cluster.cpu.requested": o.cpuRequested,
      "cluster.cpu.allocatable": o.cpuAllocatable,
      "cluster.cpu.allocation": o.cpuAllocatable > 0 ? round6(o.cpuRequested / o.cpuAllocatable) : 0,
      "cluster.memory.requested": o.memoryRequested,
      "cluster.memory.allocatable": o.memoryAllocatable,
      "cluster.memory.allocation": o.memoryAllocatable > 0 ? round6(o.memoryRequested / o.memoryAllocatable) : 0,
      "cluster.cpu.imbalance": round6(balance.cpu),
      "cluster.memory.imbalance": round6(balance.memory),
      "cluster.cpu.fragmentation": round6(frag.cpu),
      "cluster.memory.fragmentation": round6(frag.memory),
      "cluster.cpu.stranded": frag.cpuStranded,
      "scheduler.queue.waiting": this.cluster.scheduler.queue.waiting,
    };
    for (const c of BASE_COLUMNS) this.set(c, values[c]);
    this.samplePools(live);
    const dt = this.lastSample === undefined ? 0 : (now - this.lastSample) / 1_000_000;
    let allAvailable = true;
    for (const d of [...o.deployments.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const prefix = `deployment.${d.key.replace("/", ".")}`;
      this.set(`${prefix}.desired`, d.desired);
      this.set(`${prefix}.available`, d.available);
      const missing = Math.max(0, d.desired - d.available);
      if (missing > 0) allAvailable = false;
      this.unavailableSeconds.set(prefix, (this.unavailableSeconds.get(prefix) ?? 0) + missing * dt);
      // The floor only counts once the Deployment has first become fully available.
      if (d.available >= d.desired || this.minAvailable.has(prefix)) {
        this.minAvailable.set(prefix, Math.min(this.minAvailable.get(prefix) ?? d.available, d.available));
      }
    }
    for (const col of this.columns.values()) if (col.length < this.times.length) col.push(undefined);
    if (this.failureAt !== undefined && now >= this.failureAt && this.recoveredAt === undefined) {
      if (!allAvailable) this.dippedAfterFailure = true;
      else if (this.dippedAfterFailure) this.recoveredAt = now;
    }
    this.lastSample = now;
  }

  /** Per node pool (when the cluster has more than one): allocation and imbalance. */
  private samplePools(nodes: readonly (NodeUsage & { pool: string })[]): void {
    const pools = new Map<string, NodeUsage[]>();
    for (const n of nodes) {
      if (!n.pool) continue;
      let list = pools.get(n.pool);
      if (!list) pools.set(n.pool, (list = []));
      list.push(n);
    }
    if (pools.size < 2) return;
    for (const name of [...pools.keys()].sort()) {
      const list = pools.get(name)!;
      const sum = (f: (n: NodeUsage) => number): number => list.reduce((a, n) => a + f(n), 0);
      const cpu = sum((n) => n.cpu);
      const memory = sum((n) => n.memory);
      const b = imbalance(list);
      this.set(`pool.${name}.cpu.allocation`, cpu > 0 ? round6(sum((n) => n.requestedCpu) / cpu) : 0);
      this.set(`pool.${name}.memory.allocation`, memory > 0 ? round6(sum((n) => n.requestedMemory) / memory) : 0);
      this.set(`pool.${name}.cpu.imbalance`, round6(b.cpu));
      this.set(`pool.${name}.memory.imbalance`, round6(b.memory));
    }
  }

  /** Summary metrics derived from the series. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, col] of this.columns) {
      const last = col[col.length - 1];
      if (last !== undefined) out[name] = last;
    }
    for (const name of ["pods.pending", "pods.unscheduled", "scheduler.queue.waiting"]) {
      out[`${name}.max`] = Math.max(0, ...(this.columns.get(name) ?? []).map((v) => v ?? 0));
    }
    for (const name of this.columns.keys()) {
      if (/(allocation|imbalance|fragmentation)$/.test(name)) out[`${name}.timeWeightedMean`] = round6(mean(this.columns.get(name) ?? []));
    }
    for (const [prefix, s] of this.unavailableSeconds) out[`${prefix}.unavailableReplicaSeconds`] = round6(s);
    for (const [prefix, m] of this.minAvailable) out[`${prefix}.minAvailable`] = m;
    if (this.failureAt !== undefined) {
      out["recovery.recovered"] = this.recoveredAt !== undefined || !this.dippedAfterFailure ? 1 : 0;
      if (this.recoveredAt !== undefined) out["recovery.seconds"] = (this.recoveredAt - this.failureAt) / 1_000_000;
      else if (!this.dippedAfterFailure) out["recovery.seconds"] = 0;
    }
    return out;
  }
}

/** Samples are equally spaced, so the time-weighted mean is the plain mean. */
function mean(values: readonly (number | undefined)[]): number {
  const v = values.filter((x): x is number => x !== undefined);
  return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
