/**
 * The time series: one row per sample interval (and one at t = 0) of cluster-level gauges, plus
 * the per-Deployment availability columns. Also derives the summary metrics that need the whole
 * run: maxima, time-weighted means, replica-seconds unavailable and recovery time after a failure.
 */
import { Priority } from "../engine/engine.js";
import type { Cluster } from "../run/cluster.js";
import { fragmentation, imbalance, type NodeUsage } from "./quality.js";
import type { Pod } from "../api/objects.js";

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

  /** Per node, its allocation ratios as runs of equal values (see {@link nodeSeries}). */
  private readonly nodeRuns = new Map<string, NodeRuns>();
  /** Pods placed (bound) since the last sample, and their waits from creation, in seconds. */
  private placedCount = 0;
  private placedWaitSum = 0;
  private placedWaitMax = 0;
  private readonly placement = { placed: [] as number[], meanSeconds: [] as (number | null)[], maxSeconds: [] as (number | null)[] };

  constructor(private readonly cluster: Cluster, readonly interval: number) {
    for (const c of BASE_COLUMNS) this.columns.set(c, []);
    cluster.store.observe((kind, e) => {
      if (kind !== "Pod" || e.type !== "MODIFIED") return;
      const pod = e.object as Pod;
      if (!pod.spec.nodeName || (e.oldObject as Pod | undefined)?.spec.nodeName) return;
      const wait = (cluster.engine.now - pod.metadata.creationTimestamp) / 1_000_000;
      this.placedCount++;
      this.placedWaitSum += wait;
      this.placedWaitMax = Math.max(this.placedWaitMax, wait);
    });
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
    this.sampleNodes();
    this.samplePlacement();
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

  /** Per node: allocation ratios (requested ÷ allocatable) and readiness, appended when they change. */
  private sampleNodes(): void {
    const index = this.times.length - 1;
    const seen = new Set<string>();
    const records = [...this.cluster.observer.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of records) {
      if (n.cpu <= 0 && n.memory <= 0) continue;
      seen.add(n.name);
      this.appendNodeRun(n.name, index, n.cpu > 0 ? round6(n.requestedCpu / n.cpu) : NaN, n.memory > 0 ? round6(n.requestedMemory / n.memory) : NaN, n.ready ? 1 : 0);
    }
    for (const name of this.nodeRuns.keys()) if (!seen.has(name)) this.appendNodeRun(name, index, NaN, NaN, 0);
  }

  private appendNodeRun(name: string, index: number, cpu: number, memory: number, ready: number): void {
    let runs = this.nodeRuns.get(name);
    if (!runs) this.nodeRuns.set(name, (runs = { starts: [], cpu: [], memory: [], ready: [] }));
    const last = runs.starts.length - 1;
    if (last >= 0 && Object.is(runs.cpu[last], cpu) && Object.is(runs.memory[last], memory) && runs.ready[last] === ready) return;
    runs.starts.push(index);
    runs.cpu.push(cpu);
    runs.memory.push(memory);
    runs.ready.push(ready);
  }

  private samplePlacement(): void {
    const n = this.placedCount;
    this.placement.placed.push(n);
    this.placement.meanSeconds.push(n > 0 ? round6(this.placedWaitSum / n) : null);
    this.placement.maxSeconds.push(n > 0 ? round6(this.placedWaitMax) : null);
    this.placedCount = 0;
    this.placedWaitSum = 0;
    this.placedWaitMax = 0;
  }

  /**
   * Per node and sample (aligned with {@link times}): the node's cpu and memory allocation ratio
   * (requested ÷ allocatable, NaN while the node does not exist) and whether it is Ready (1/0).
   * Nodes in order of first appearance. Not part of timeseries.csv; built on demand.
   */
  nodeSeries(): NodeSeries {
    const length = this.times.length;
    const out: NodeSeries = { nodes: [], cpu: [], memory: [], ready: [] };
    for (const [name, runs] of this.nodeRuns) {
      const cpu = new Float64Array(length).fill(NaN);
      const memory = new Float64Array(length).fill(NaN);
      const ready = new Uint8Array(length);
      for (let r = 0; r < runs.starts.length; r++) {
        const end = r + 1 < runs.starts.length ? runs.starts[r + 1] : length;
        cpu.fill(runs.cpu[r], runs.starts[r], end);
        memory.fill(runs.memory[r], runs.starts[r], end);
        ready.fill(runs.ready[r], runs.starts[r], end);
      }
      out.nodes.push(name);
      out.cpu.push(cpu);
      out.memory.push(memory);
      out.ready.push(ready);
    }
    return out;
  }

  /**
   * Per sample interval (aligned with {@link times}; entry i covers (times[i-1], times[i]]): how many
   * pods were bound to a node, and their mean and longest wait from creation to binding in seconds
   * (null when none was bound). Not part of timeseries.csv.
   */
  placementSeries(): PlacementSeries {
    return { placed: [...this.placement.placed], meanSeconds: [...this.placement.meanSeconds], maxSeconds: [...this.placement.maxSeconds] };
  }

  /** Summary metrics derived from the series. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, col] of this.columns) {
      const last = col[col.length - 1];
      if (last !== undefined) out[name] = last;
    }
    for (const name of ["pods.pending", "pods.unscheduled", "scheduler.queue.waiting"]) {
      // A loop, not Math.max(...column): a spread of more than ~120k samples overflows the stack.
      out[`${name}.max`] = (this.columns.get(name) ?? []).reduce<number>((m, v) => (v !== undefined && v > m ? v : m), 0);
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

/** Per-node allocation over time: `cpu[i][t]` is node `nodes[i]` at sample `t`. */
export interface NodeSeries {
  nodes: string[];
  /** Requested ÷ allocatable cpu, NaN while the node does not exist. */
  cpu: Float64Array[];
  /** Requested ÷ allocatable memory, NaN while the node does not exist. */
  memory: Float64Array[];
  /** 1 while the node is Ready, else 0. */
  ready: Uint8Array[];
}

/** Pods bound per sample interval and their wait from creation to binding (seconds). */
export interface PlacementSeries {
  placed: number[];
  meanSeconds: (number | null)[];
  maxSeconds: (number | null)[];
}

interface NodeRuns {
  /** Sample index where each run starts; a run lasts until the next one. */
  starts: number[];
  cpu: number[];
  memory: number[];
  ready: number[];
}

/** Samples are equally spaced, so the time-weighted mean is the plain mean. */
function mean(values: readonly (number | undefined)[]): number {
  const v = values.filter((x): x is number => x !== undefined);
  return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
