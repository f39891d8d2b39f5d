/**
 * Performance regression checks that do not depend on the machine: each hot path's throughput is
 * compared with a simple baseline doing the same work, measured in the same process, interleaved,
 * best of several rounds. Only a ratio far below today's fails (an accidental 10× slowdown), so a
 * busy CI runner does not make the suite flaky. Today's ratios are in the comments of each check.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Store } from "../../sim/api/store.js";
import { runLb } from "../../sim/bench/lb.js";
import { Engine } from "../../sim/engine/engine.js";
import { Rng, RngStreams } from "../../sim/engine/rng.js";
import { schedBenchConfiguration } from "../../sim/bench/sched.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { buildSchedulerConfig } from "../../sim/scheduler/config.js";
import { AMOUNT, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { FrameworkRunner } from "../../sim/scheduler/scheduler.js";

/** Best (shortest) time of `rounds` runs of each function, interleaved, in ms. */
function bestTimes(fns: (() => void)[], rounds: number): number[] {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      fn();
      best[i] = Math.min(best[i], performance.now() - t0);
    });
  }
  return best;
}

// --- event queue -----------------------------------------------------------------------------------

const PROCS = 1000;
const EVENTS = 200_000;
const delay = (i: number): number => 1 + ((i * 2654435761) >>> 20);

/** The HOLD model on simk's Engine, one handler per process (a closure, as most models write it). */
function holdOnEngine(): number {
  const engine = new Engine();
  let fired = 0;
  for (let p = 0; p < PROCS; p++) {
    let left = EVENTS / PROCS;
    let i = p;
    const fire = (): void => {
      fired++;
      if (--left > 0) engine.after(delay(++i), fire);
    };
    engine.after(delay(i), fire);
  }
  engine.run();
  return fired;
}

/** The same with payload events: one handler for every process, its state in typed arrays. */
function holdOnEnginePayloads(): number {
  const engine = new Engine();
  const left = new Int32Array(PROCS).fill(EVENTS / PROCS);
  const next = Int32Array.from({ length: PROCS }, (_, p) => p);
  let fired = 0;
  const fire = (p: number): void => {
    fired++;
    if (--left[p] > 0) engine.afterWith(delay(++next[p]), fire, p);
  };
  for (let p = 0; p < PROCS; p++) engine.afterWith(delay(p), fire, p);
  engine.run();
  return fired;
}

/**
 * The simplest event list, the baselines' engine: a binary heap of {time, seq, fn} objects, ordered
 * by time then insertion.
 */
class PlainEventList {
  now = 0;
  private seq = 0;
  private readonly heap: { time: number; seq: number; fn: () => void }[] = [];

  at(time: number, fn: () => void): void {
    const heap = this.heap;
    const ev = { time, seq: this.seq++, fn };
    let i = heap.push(ev) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pe = heap[parent];
      if (pe.time < time || (pe.time === time && pe.seq < ev.seq)) break;
      heap[i] = pe;
      i = parent;
    }
    heap[i] = ev;
  }

  run(): void {
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0];
      const last = heap.pop()!;
      const n = heap.length;
      if (n > 0) {
        let i = 0;
        for (;;) {
          let c = 2 * i + 1;
          if (c >= n) break;
          const r = c + 1;
          if (r < n && (heap[r].time < heap[c].time || (heap[r].time === heap[c].time && heap[r].seq < heap[c].seq))) c = r;
          const ce = heap[c];
          if (last.time < ce.time || (last.time === ce.time && last.seq < ce.seq)) break;
          heap[i] = ce;
          i = c;
        }
        heap[i] = last;
      }
      this.now = top.time;
      top.fn();
    }
  }
}

/** The same on the PlainEventList. */
function holdOnArrayHeap(): number {
  const events = new PlainEventList();
  let fired = 0;
  for (let p = 0; p < PROCS; p++) {
    let left = EVENTS / PROCS;
    let i = p;
    const fire = (): void => {
      fired++;
      if (--left > 0) events.at(events.now + delay(++i), fire);
    };
    events.at(delay(i), fire);
  }
  events.run();
  return fired;
}

// --- scheduler -------------------------------------------------------------------------------------

const NODES = 300;

function node(i: number): Node {
  const allocatable = { cpu: "4", memory: "32Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${String(i).padStart(3, "0")}`, uid: `n${i}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [] },
  };
}

function pod(name: string, cpu: string, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", resources: { requests: { cpu, memory: "256Mi" } } }] },
    status: { phase: "Pending" },
  };
}

/** A 300-node cache with some pods on it, and a pod to place. */
function cluster(): { cache: SchedulerCache; info: PodInfo } {
  const cache = new SchedulerCache();
  for (let i = 0; i < NODES; i++) cache.upsertNode(node(i));
  cache.nodes.forEach((n, i) => {
    for (let k = 0; k < i % 7; k++) cache.addPod(pod(`${n.name}-${k}`, "200m", n.name), n.name);
  });
  const p = pod("incoming", "300m");
  return { cache, info: { pod: p, key: "default/incoming", requests: podRequests(p.spec) } };
}

/**
 * The baseline: the same filter (cpu, memory, pod count) and LeastAllocated score over the same
 * NodeInfo objects, through the simplest plugin framework — filter and score plugins called per
 * node, a status object per failure, an array of feasible nodes and one of totals, the highest
 * total wins (what ../shared/peers/sched/sched_baseline.mjs --impl objects does).
 */
interface SimpleStatus {
  reason: string;
}
interface SimplePlugin {
  filter(pod: PodInfo, node: NodeInfo): SimpleStatus | null;
  score(pod: PodInfo, node: NodeInfo): number;
}
const least = (requested: number, capacity: number): number => (requested > capacity || capacity === 0 ? 0 : Math.floor(((capacity - requested) * 100) / capacity));
const simpleFit: SimplePlugin = {
  filter(pod, n) {
    const r = pod.requests.requests;
    if (n.podCount + 1 > n.allowedPodNumber) return { reason: "Too many pods" };
    if (n.amount(AMOUNT.REQUESTED_MILLI_CPU) + r.milliCPU > n.amount(AMOUNT.ALLOCATABLE_MILLI_CPU)) return { reason: "Insufficient cpu" };
    if (n.amount(AMOUNT.REQUESTED_MEMORY) + r.memory > n.amount(AMOUNT.ALLOCATABLE_MEMORY)) return { reason: "Insufficient memory" };
    return null;
  },
  score(pod, n) {
    const r = pod.requests.nonZero;
    const cpu = least(n.amount(AMOUNT.NON_ZERO_MILLI_CPU) + r.milliCPU, n.amount(AMOUNT.ALLOCATABLE_MILLI_CPU));
    const memory = least(n.amount(AMOUNT.NON_ZERO_MEMORY) + r.memory, n.amount(AMOUNT.ALLOCATABLE_MEMORY));
    return Math.trunc((cpu + memory) / 2);
  },
};
function simpleFramework(plugins: readonly SimplePlugin[], nodes: readonly NodeInfo[], info: PodInfo): NodeInfo | undefined {
  const feasible: NodeInfo[] = [];
  for (const n of nodes) if (plugins.every((p) => p.filter(info, n) === null)) feasible.push(n);
  const totals = new Array<number>(feasible.length).fill(0);
  for (const p of plugins) for (let i = 0; i < feasible.length; i++) totals[i] += p.score(info, feasible[i]);
  let best = 0;
  for (let i = 1; i < totals.length; i++) if (totals[i] > totals[best]) best = i;
  return feasible[best];
}

// --- request routing -------------------------------------------------------------------------------

const LB = { policy: "random" as const, requests: 100_000, k: 10, mu: 100, rho: 0.8, seed: 1 };

/**
 * The baseline: the same open queueing system (Poisson arrivals at ρkμ, a uniformly random server
 * of k, FIFO, Exp(μ) service) on the PlainEventList, a closure per event.
 */
function lbPlain(): number {
  const events = new PlainEventList();
  let state = 12345;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const exp = (rate: number): number => -Math.log(uniform()) / rate;
  const lambda = LB.rho * LB.k * LB.mu;
  const queues: number[][] = Array.from({ length: LB.k }, () => []);
  const busy = new Uint8Array(LB.k);
  let completed = 0;
  let latencySum = 0;
  const start = (s: number, arrivedAt: number): void => {
    busy[s] = 1;
    events.at(events.now + exp(LB.mu), () => {
      completed++;
      latencySum += events.now - arrivedAt;
      const next = queues[s].shift();
      if (next === undefined) busy[s] = 0;
      else start(s, next);
    });
  };
  let sent = 0;
  const arrive = (): void => {
    const s = Math.floor(uniform() * LB.k);
    if (busy[s]) queues[s].push(events.now);
    else start(s, events.now);
    if (++sent < LB.requests) events.at(events.now + exp(lambda), arrive);
  };
  events.at(exp(lambda), arrive);
  events.run();
  return latencySum > 0 ? completed : 0;
}

// --- store writes and watch fan-out ----------------------------------------------------------------

const WRITES = 5000;
const WATCHERS = 10;

function storeWrites(): number {
  const engine = new Engine();
  const store = new Store(engine, { watchLatency: 20_000, rng: new Rng(1, "apiserver") });
  let delivered = 0;
  for (let w = 0; w < WATCHERS; w++) store.watch("Pod", () => delivered++);
  for (let i = 0; i < WRITES; i++) store.create(pod(`p${i}`, "100m") as never);
  for (let i = 0; i < WRITES; i++) store.modify("Pod", `default/p${i}`, (p) => ({ ...p, status: { ...p.status, phase: "Running" } }));
  engine.run();
  return delivered;
}

/**
 * The baseline: a Map of objects, copied on write with a bumped version; each write's event goes
 * to every watcher after the one latency, so in write order (a FIFO of closures).
 */
function storeWritesPlain(): number {
  const objects = new Map<string, Pod>();
  const watchers: ((e: { type: string; object: Pod }) => void)[] = [];
  const queue: (() => void)[] = [];
  let delivered = 0;
  for (let w = 0; w < WATCHERS; w++) watchers.push(() => delivered++);
  let version = 0;
  const write = (type: string, object: Pod): void => {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++version) } };
    objects.set(`${stored.metadata.namespace}/${stored.metadata.name}`, stored);
    const event = { type, object: stored };
    queue.push(() => watchers.forEach((h) => h(event)));
  };
  for (let i = 0; i < WRITES; i++) write("ADDED", pod(`p${i}`, "100m"));
  for (let i = 0; i < WRITES; i++) {
    const p = objects.get(`default/p${i}`)!;
    write("MODIFIED", { ...p, status: { ...p.status, phase: "Running" } });
  }
  for (const deliver of queue) deliver();
  return delivered;
}

describe("hot-path throughput against a plain baseline in the same process", () => {
  it("event queue: Engine runs the HOLD model at ≥ 0.1× a plain object heap, with closures or payloads", () => {
    expect(holdOnEngine()).toBe(EVENTS);
    expect(holdOnEnginePayloads()).toBe(EVENTS);
    expect(holdOnArrayHeap()).toBe(EVENTS);
    const [closures, payloads, baseline] = bestTimes([holdOnEngine, holdOnEnginePayloads, holdOnArrayHeap], 7);
    // Today about 1× (closures) and 1.2× (payloads).
    expect(baseline / closures).toBeGreaterThan(0.1);
    expect(baseline / payloads).toBeGreaterThan(0.1);
  });

  it("payload events fire in the same (time, priority, insertion) order as closures", () => {
    const log = (usePayloads: boolean): string[] => {
      const engine = new Engine(2);
      const out: string[] = [];
      const record = (i: number): void => {
        out.push(`${engine.now}:${i}`);
        if (i < 40) {
          if (usePayloads) engine.afterWith((i * 7) % 5, record, i + 10, (i % 3) - 1);
          else engine.after((i * 7) % 5, () => record(i + 10), (i % 3) - 1);
        }
      };
      for (let i = 0; i < 10; i++) {
        if (usePayloads) engine.atWith(i % 4, record, i, (i % 3) - 1);
        else engine.at(i % 4, () => record(i), (i % 3) - 1);
      }
      engine.run();
      return out;
    };
    expect(log(true)).toEqual(log(false));
    expect(log(true)).toHaveLength(10 + 40);
  });

  it("scheduler: FrameworkRunner filters and scores nodes at ≥ 0.1× a minimal plugin framework", () => {
    const { cache, info } = cluster();
    const profile = buildSchedulerConfig([schedBenchConfiguration(100, false)]).profiles[0];
    const runner = new FrameworkRunner(new RngStreams(1).stream("scheduler"), 100);
    const nodes = cache.nodes;
    expect(runner.schedule(profile, info, nodes, 0).evaluatedNodes).toBe(NODES);
    const reps = 100;
    const [framework, baseline] = bestTimes(
      [
        () => {
          for (let r = 0; r < reps; r++) runner.schedule(profile, info, nodes, 0);
        },
        () => {
          for (let r = 0; r < reps; r++) simpleFramework([simpleFit], nodes, info);
        },
      ],
      7,
    );
    const ratio = baseline / framework;
    // Today about 0.3×: simk adds PreFilter/PreScore, cycle state, nominated pods and the seeded tie-break.
    expect(ratio).toBeGreaterThan(0.1);
  });

  it("request routing: a Service's traffic through kube-proxy and the traffic core at ≥ 0.05× a plain queueing simulation", () => {
    let completed = 0;
    const [simk, baseline] = bestTimes(
      [
        () => {
          completed = runLb(LB).requests;
        },
        () => {
          expect(lbPlain()).toBe(LB.requests);
        },
      ],
      5,
    );
    // Poisson arrivals for requests/λ seconds: the count is within a few standard deviations.
    expect(Math.abs(completed - LB.requests)).toBeLessThan(5 * Math.sqrt(LB.requests));
    // Today about 0.5×, with a cluster to bootstrap, endpoints, proxy rules and per-second series on top.
    expect(baseline / simk).toBeGreaterThan(0.05);
  });

  it("store: writes with watch fan-out at ≥ 0.03× a Map with copy-on-write and a FIFO of deliveries", () => {
    expect(storeWrites()).toBe(2 * WRITES * WATCHERS);
    expect(storeWritesPlain()).toBe(2 * WRITES * WATCHERS);
    const [store, baseline] = bestTimes([storeWrites, storeWritesPlain], 7);
    // Today about 0.25×: uids, conflict checks, generation, admission, and the engine's events.
    expect(baseline / store).toBeGreaterThan(0.03);
  });
});
