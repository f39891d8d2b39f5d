/**
 * Performance regression checks that do not depend on the machine: each hot path's throughput is
 * compared with a simple baseline doing the same work, measured in the same process, interleaved,
 * best of several rounds. Only a ratio far below today's fails (an accidental 10× slowdown), so a
 * busy CI runner does not make the suite flaky. Today's ratios are in docs/performance.md.
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Engine } from "../../sim/engine/engine.js";
import { RngStreams } from "../../sim/engine/rng.js";
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

/** The same on the simplest event list: a binary heap of {time, seq, fn} objects. */
function holdOnArrayHeap(): number {
  type Ev = { time: number; seq: number; fn: () => void };
  const heap: Ev[] = [];
  const before = (a: Ev, b: Ev): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq);
  let now = 0;
  let seq = 0;
  const push = (ev: Ev): void => {
    let i = heap.push(ev) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = ev;
  };
  const pop = (): Ev => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= heap.length) break;
        if (c + 1 < heap.length && before(heap[c + 1], heap[c])) c++;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  let fired = 0;
  for (let p = 0; p < PROCS; p++) {
    let left = EVENTS / PROCS;
    let i = p;
    const fire = (): void => {
      fired++;
      if (--left > 0) push({ time: now + delay(++i), seq: seq++, fn: fire });
    };
    push({ time: delay(i), seq: seq++, fn: fire });
  }
  while (heap.length > 0) {
    const ev = pop();
    now = ev.time;
    ev.fn();
  }
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
});
