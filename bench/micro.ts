/**
 * Micro-benchmarks of simk's hot paths, with tinybench: each task runs a batch of operations on
 * the real code (no stand-ins) and the table reports the time per operation.
 *
 *   event queue       Engine.after + run, the HOLD pattern, 1 000 and 100 000 pending events
 *   filter + score    FrameworkRunner.schedule, per node evaluated: NodeResourcesFit alone, and
 *                     the default profile (every default plugin), on 1 000 half-full nodes
 *   balancer pick     each lb policy's Balancer.pick over 10 endpoints (policies/proxy)
 *   quantity parsing  parseQuantity / parseCpuMillis / parseBytes on typical requests
 *   store writes      Store.create and Store.update of a pod, with the watch deliveries to 10
 *                     watchers (one engine event per write: watchers with one latency share it)
 */
import { Bench } from "tinybench";
import type { Node, Pod } from "../sim/api/objects.js";
import { Store } from "../sim/api/store.js";
import { podRequests } from "../sim/cluster/resources.js";
import { Engine } from "../sim/engine/engine.js";
import { Rng, RngStreams } from "../sim/engine/rng.js";
import { schedBenchConfiguration } from "../sim/bench/sched.js";
import { SchedulerCache } from "../sim/scheduler/cache.js";
import { buildSchedulerConfig } from "../sim/scheduler/config.js";
import type { PodInfo } from "../sim/scheduler/framework.js";
import { defaultSchedulerConfig } from "../sim/scheduler/profiles.js";
import { FrameworkRunner, type Profile } from "../sim/scheduler/scheduler.js";
import type { EndpointView } from "../sim/traffic/contract.js";
import { parseBytes, parseCpuMillis, parseQuantity } from "../sim/units/quantity.js";
import { BALANCERS } from "../policies/proxy/registry.js";

export interface MicroRow {
  group: string;
  name: string;
  /** Nanoseconds per operation (mean over the samples). */
  nsPerOp: number;
  /** Operations per second. */
  opsPerSec: number;
  /** Relative margin of error of the mean, %. */
  rme: number;
  samples: number;
}

interface Case {
  group: string;
  name: string;
  /** Operations one call of `fn` performs. */
  ops: number;
  fn: () => void;
}

// --- event queue ---------------------------------------------------------------------------------

function holdCase(pending: number, events: number): Case {
  return {
    group: "event queue",
    name: `Engine hold, ${pending.toLocaleString("en")} pending`,
    ops: events,
    fn: () => {
      const engine = new Engine(pending + 1);
      const left = new Int32Array(pending).fill(events / pending);
      let t = 1;
      const fire = (p: number): void => {
        if (--left[p] > 0) engine.afterWith(1 + (t = (t * 1103515245 + 12345) & 0xffff), fire, p);
      };
      for (let p = 0; p < pending; p++) engine.afterWith(p & 0xff, fire, p);
      engine.run();
    },
  };
}

function closureCase(events: number): Case {
  return {
    group: "event queue",
    name: "Engine.after with a closure per event",
    ops: events,
    fn: () => {
      const engine = new Engine();
      let n = 0;
      const tick = (): void => {
        if (++n < events) engine.after(7, () => tick());
      };
      engine.after(0, tick);
      engine.run();
    },
  };
}

// --- scheduler -------------------------------------------------------------------------------------

function benchNode(i: number): Node {
  const name = `node-${String(i).padStart(4, "0")}`;
  const allocatable = { cpu: "4", memory: "32Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      uid: `n${i}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: 0,
      labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${i % 3}` },
    },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
  };
}

function benchPod(name: string, cpu: string, memory: string, app: string, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels: { app } },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu, memory } } }] },
    status: { phase: nodeName ? "Running" : "Pending" },
  };
}

/** 1 000 nodes holding 15 000 pods of 10 apps (half the cpu), and a pod to place. */
function schedulerCases(): Case[] {
  const nodes = 1000;
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) cache.upsertNode(benchNode(i));
  const names = cache.nodes.map((n) => n.name);
  for (let k = 0; k < 15 * nodes; k++) cache.addPod(benchPod(`p${k}`, "100m", "256Mi", `app-${k % 10}`, names[(k * 7919) % nodes]), names[(k * 7919) % nodes]);
  const pod = benchPod("incoming", "300m", "512Mi", "app-3");
  const info: PodInfo = { pod, key: "default/incoming", requests: podRequests(pod.spec) };
  const cases: Case[] = [];
  const profiles: [string, Profile, number][] = [
    ["NodeResourcesFit only, every node", buildSchedulerConfig([schedBenchConfiguration(100, false)]).profiles[0], 100],
    ["default profile, every node", defaultSchedulerConfig().profiles[0], 100],
    ["default profile, adaptive sampling", defaultSchedulerConfig().profiles[0], 0],
  ];
  for (const [name, profile, pct] of profiles) {
    const runner = new FrameworkRunner(new RngStreams(1).stream("scheduler"), pct);
    const lookups = { namespaceLabels: () => undefined, workloadSelectors: () => [{ matchLabels: { app: "app-3" } }], cacheEvents: cache };
    let evaluated = runner.schedule(profile, info, cache.nodes, 0, false, lookups).evaluatedNodes;
    cases.push({
      group: "filter + score",
      name: `${name} (${evaluated} nodes), per node`,
      ops: evaluated,
      fn: () => {
        evaluated = runner.schedule(profile, info, cache.nodes, 0, false, lookups).evaluatedNodes;
      },
    });
  }
  return cases;
}

// --- balancers -------------------------------------------------------------------------------------

function balancerCases(): Case[] {
  const k = 10;
  const endpoints: EndpointView[] = Array.from({ length: k }, (_, i) => ({
    address: `10.0.0.${i + 1}:8080`,
    ip: `10.0.0.${i + 1}`,
    podName: `web-${i}`,
    nodeName: "node-0",
    weight: 1,
    server: i,
  }));
  const active = new Int32Array(k);
  const picks = 10_000;
  return ["random", "rr", "least", "p2c"].map((policy) => {
    const rng = new Rng(1, `bench/${policy}`);
    const balancer = BALANCERS.get(policy)!.create();
    balancer.setEndpoints(endpoints, rng);
    return {
      group: "balancer pick",
      name: `${policy} over ${k} endpoints`,
      ops: picks,
      fn: () => {
        for (let i = 0; i < picks; i++) {
          const e = balancer.pick(i, rng, active);
          // Keep the in-flight counts moving so that least and p2c do real work.
          active[e]++;
          active[i % k] = active[i % k] > 0 ? active[i % k] - 1 : 0;
        }
      },
    };
  });
}

// --- quantities ------------------------------------------------------------------------------------

function quantityCases(): Case[] {
  const inputs = ["100m", "250m", "2", "1.5", "128Mi", "512Mi", "4Gi", "1G", "500M", "1e3"];
  const reps = 1000;
  return [
    {
      group: "quantity parsing",
      name: "parseQuantity (mixed inputs)",
      ops: inputs.length * reps,
      fn: () => {
        for (let r = 0; r < reps; r++) for (const s of inputs) parseQuantity(s);
      },
    },
    {
      group: "quantity parsing",
      name: "parseCpuMillis('250m')",
      ops: reps,
      fn: () => {
        for (let r = 0; r < reps; r++) parseCpuMillis("250m");
      },
    },
    {
      group: "quantity parsing",
      name: "parseBytes('512Mi')",
      ops: reps,
      fn: () => {
        for (let r = 0; r < reps; r++) parseBytes("512Mi");
      },
    },
  ];
}

// --- store -----------------------------------------------------------------------------------------

function storeCases(): Case[] {
  const writes = 2000;
  const watchers = 10;
  const make = (): { engine: Engine; store: Store; delivered: () => number } => {
    const engine = new Engine();
    const store = new Store(engine, { watchLatency: 20_000, rng: new Rng(1, "apiserver") });
    let delivered = 0;
    for (let w = 0; w < watchers; w++) store.watch("Pod", () => delivered++);
    return { engine, store, delivered: () => delivered };
  };
  return [
    {
      group: "store writes",
      name: `create a pod + deliver to ${watchers} watchers`,
      ops: writes,
      fn: () => {
        const { engine, store } = make();
        for (let i = 0; i < writes; i++) store.create({ ...benchPod(`p${i}`, "100m", "128Mi", "web"), metadata: { name: `p${i}`, namespace: "default", labels: { app: "web" } } } as never);
        engine.run();
      },
    },
    {
      group: "store writes",
      name: `update a pod's status + deliver to ${watchers} watchers`,
      ops: writes,
      fn: () => {
        const { engine, store } = make();
        store.create({ ...benchPod("p", "100m", "128Mi", "web"), metadata: { name: "p", namespace: "default" } } as never);
        for (let i = 0; i < writes; i++) store.modify("Pod", "default/p", (p) => ({ ...p, status: { ...p.status, message: String(i & 1) } }));
        engine.run();
      },
    },
  ];
}

// --- runner ----------------------------------------------------------------------------------------

export interface MicroOptions {
  /** Milliseconds per task (tinybench `time`). */
  time?: number;
  /** Only cases whose group or name contains this. */
  filter?: string;
}

export async function runMicro(options: MicroOptions = {}): Promise<MicroRow[]> {
  const cases = [holdCase(1000, 100_000), holdCase(100_000, 400_000), closureCase(100_000), ...schedulerCases(), ...balancerCases(), ...quantityCases(), ...storeCases()].filter(
    (c) => !options.filter || `${c.group} ${c.name}`.includes(options.filter),
  );
  const bench = new Bench({ time: options.time ?? 1000, warmupTime: 200 });
  for (const c of cases) bench.add(`${c.group}: ${c.name}`, c.fn);
  await bench.run();
  return cases.map((c, i) => {
    const r = bench.tasks[i].result;
    if (r.state !== "completed") throw new Error(`${c.group}: ${c.name}: ${r.state === "errored" ? r.error.message : r.state}`);
    const msPerCall = r.latency.mean;
    return {
      group: c.group,
      name: c.name,
      nsPerOp: (msPerCall * 1e6) / c.ops,
      opsPerSec: (c.ops * 1000) / msPerCall,
      rme: r.latency.rme,
      samples: r.latency.samples?.length ?? Math.round(r.totalTime / msPerCall),
    };
  });
}
