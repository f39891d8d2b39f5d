/**
 * Workload (c), kube-scheduler-like placement, on simk's scheduler framework: the profile is built
 * from a KubeSchedulerConfiguration by the same code as a scenario's (sim/scheduler/config.ts),
 * each pod goes through FrameworkRunner.schedule — PreFilter, Filter over the nodes from the
 * rotating start index, PreScore, Score, normalise, weight, select with the seeded reservoir
 * tie-break — and is bound by adding it to simk's SchedulerCache, as the scheduler's assume does.
 *
 * The cluster is the peers' (../shared/peers/sched/sched_baseline.mjs): N scheduler_perf
 * node-default nodes (4 CPU, 32 GiB, 110 pods) and P pods with requests drawn from the peers'
 * sfc32 stream (cpu 100..500m step 100, memory 256..2048Mi step 256), scheduled in creation order.
 * Profile: NodeResourcesFit (filter + LeastAllocated score), plus NodeResourcesBalancedAllocation
 * with `balanced`; `pct` is percentageOfNodesToScore ("100" scores every node, "adaptive" is
 * kube's default, 0 in the configuration).
 *
 * simk breaks ties by reservoir sampling with its own stream (as the scheduler does in every
 * scenario), the peers by one draw from sfc32, so the chosen nodes — and the checksum — differ;
 * the scheduled count and the mean utilisation agree.
 */
import type { Node, Pod } from "../api/objects.js";
import { podRequests } from "../cluster/resources.js";
import { RngStreams } from "../engine/rng.js";
import { SchedulerCache } from "../scheduler/cache.js";
import { buildSchedulerConfig, SCHEDULER_CONFIG_API_VERSION, SCHEDULER_CONFIG_KIND } from "../scheduler/config.js";
import { AMOUNT, type PodInfo } from "../scheduler/framework.js";
import { FrameworkRunner, numFeasibleNodesToFind } from "../scheduler/scheduler.js";
import { nowSeconds, peakRssMiB, Sfc32 } from "./common.js";

export interface SchedOptions {
  nodes: number;
  pods: number;
  seed: number;
  /** "100" (every node), another percentage, or "adaptive". */
  pct: string;
  balanced: boolean;
  /** Node size: millicores, MiB, pods. */
  nodeCpu: number;
  nodeMem: number;
  nodePods: number;
}

export const SCHED_DEFAULTS: SchedOptions = { nodes: 1000, pods: 10000, seed: 1, pct: "100", balanced: false, nodeCpu: 4000, nodeMem: 32768, nodePods: 110 };

export interface SchedResult {
  workload: "sched";
  impl: "simk";
  nodes: number;
  pods: number;
  pct: string;
  nodes_to_find: number;
  balanced: boolean;
  scheduled: number;
  unschedulable: number;
  checksum: string;
  cpu_util_mean: number;
  cpu_util_min: number;
  cpu_util_max: number;
  run_s: number;
  pods_per_s: number;
  node_evals_per_s: number;
  /** Peak resident set size of the process so far, MiB. */
  peak_rss_mib: number;
}

const SCHEDULER_NAME = "bench-scheduler";

/** percentageOfNodesToScore for a --pct value: 0 is kube's adaptive default. */
export function percentageOf(pct: string): number {
  if (pct === "adaptive") return 0;
  const n = Number(pct);
  if (!(Number.isInteger(n) && n >= 1 && n <= 100)) throw new RangeError(`--pct must be adaptive or a whole percentage 1..100, got "${pct}"`);
  return n;
}

/** The KubeSchedulerConfiguration of the workload: only the resource plugins, at every point they implement. */
export function schedBenchConfiguration(percentage: number, balanced: boolean): Record<string, unknown> {
  // PrioritySort and DefaultBinder: every profile needs them (simk's queue and binder are built in).
  const enabled = [{ name: "PrioritySort" }, { name: "DefaultBinder" }, { name: "NodeResourcesFit", weight: 1 }];
  if (balanced) enabled.push({ name: "NodeResourcesBalancedAllocation", weight: 1 });
  return {
    apiVersion: SCHEDULER_CONFIG_API_VERSION,
    kind: SCHEDULER_CONFIG_KIND,
    percentageOfNodesToScore: percentage,
    profiles: [{ schedulerName: SCHEDULER_NAME, plugins: { multiPoint: { enabled, disabled: [{ name: "*" }] } } }],
  };
}

function benchNode(name: string, o: SchedOptions): Node {
  const allocatable = { cpu: `${o.nodeCpu}m`, memory: `${o.nodeMem}Mi`, pods: String(o.nodePods) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-uid-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
  };
}

function benchPod(i: number, milliCPU: number, mebibytes: number): Pod {
  const name = `pod-${i}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `pod-uid-${i}`, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {
      schedulerName: SCHEDULER_NAME,
      containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: `${milliCPU}m`, memory: `${mebibytes}Mi` } } }],
    },
    status: { phase: "Pending" },
  };
}

export function runSched(options: Partial<SchedOptions> = {}): SchedResult {
  const o: SchedOptions = { ...SCHED_DEFAULTS, ...options };
  const N = o.nodes;
  const P = o.pods;
  if (!(Number.isSafeInteger(N) && N > 0)) throw new RangeError(`--nodes must be a positive integer, got ${N}`);
  if (!(Number.isSafeInteger(P) && P >= 0)) throw new RangeError(`--pods must be a whole number, got ${P}`);
  const percentage = percentageOf(o.pct);
  // The workload's inputs, drawn exactly as the peers draw them.
  const rng = new Sfc32(o.seed);
  const podCpu = new Int32Array(P);
  const podMem = new Int32Array(P);
  for (let i = 0; i < P; i++) {
    podCpu[i] = 100 * (1 + rng.int(5));
    podMem[i] = 256 * (1 + rng.int(8));
  }

  const t0 = nowSeconds();
  const profile = buildSchedulerConfig([schedBenchConfiguration(percentage, o.balanced)]).profiles[0];
  const runner = new FrameworkRunner(new RngStreams(o.seed).stream("scheduler"), percentage);
  const cache = new SchedulerCache();
  // Zero-padded names keep the cache's name order equal to the peers' node index order.
  const width = String(N - 1).length;
  const index = new Map<string, number>();
  for (let n = 0; n < N; n++) {
    const name = `node-${String(n).padStart(width, "0")}`;
    index.set(name, n);
    cache.upsertNode(benchNode(name, o));
  }
  const assigned = new Int32Array(P);
  let evaluated = 0;
  let unschedulable = 0;
  for (let i = 0; i < P; i++) {
    const pod = benchPod(i, podCpu[i], podMem[i]);
    const info: PodInfo = { pod, key: `default/${pod.metadata.name}`, requests: podRequests(pod.spec) };
    const result = runner.schedule(profile, info, cache.nodes, 0);
    evaluated += result.evaluatedNodes;
    if (result.node === undefined) {
      assigned[i] = -1;
      unschedulable++;
      continue;
    }
    cache.addPod(pod, result.node);
    assigned[i] = index.get(result.node)!;
  }
  const runS = nowSeconds() - t0;

  // FNV-1a over the chosen node of every pod, and the utilisation, as the peers compute them.
  let h = 0x811c9dc5;
  for (let i = 0; i < P; i++) {
    h ^= assigned[i] + 1;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let minU = Infinity;
  let maxU = 0;
  let sumU = 0;
  for (const info of cache.nodes) {
    const u = info.amount(AMOUNT.REQUESTED_MILLI_CPU) / o.nodeCpu;
    sumU += u;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
  }
  return {
    workload: "sched",
    impl: "simk",
    nodes: N,
    pods: P,
    pct: o.pct,
    nodes_to_find: numFeasibleNodesToFind(N, percentage),
    balanced: o.balanced,
    scheduled: P - unschedulable,
    unschedulable,
    checksum: h.toString(16),
    cpu_util_mean: +(sumU / N).toFixed(4),
    cpu_util_min: +minU.toFixed(4),
    cpu_util_max: +maxU.toFixed(4),
    run_s: +runS.toFixed(4),
    pods_per_s: Math.round(P / runS),
    node_evals_per_s: Math.round(evaluated / runS),
    peak_rss_mib: peakRssMiB(),
  };
}
