/**
 * kube-scheduler in virtual time (pkg/scheduler/schedule_one.go).
 *
 * One pod at a time: pop from the queue, spend `attemptLatency` deciding, then run the profile's
 * PreFilter and Filter plugins over the nodes (starting at a rotating index and stopping once
 * numFeasibleNodesToFind feasible nodes are found), PreScore and Score the feasible ones, normalise,
 * weight and sum, and pick the highest total (ties broken uniformly with the seeded RNG). The pod
 * is assumed on the node at once and bound `bindLatency` later by writing `spec.nodeName`.
 */
import type { Node, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { podRequests } from "../cluster/resources.js";
import { Priority } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import type { SchedulerSettings } from "../scenario/types.js";
import { SchedulerCache } from "./cache.js";
import {
  CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  type NodeInfo,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from "./framework.js";
import { SchedulingQueue } from "./queue.js";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** A scheduling profile: which plugins run at each extension point. */
export interface Profile {
  schedulerName: string;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  /** 0 = adaptive (upstream default). */
  percentageOfNodesToScore?: number;
}

export interface SchedulerConfig {
  profiles: Profile[];
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
}

/** Per node: each filter's status and each score plugin's raw, normalised and weighted score. */
export interface NodeDecision {
  name: string;
  filters: { plugin: string; status: Status["code"]; reasons: string[] }[];
  feasible: boolean;
  scores: { plugin: string; raw: number; normalized: number; weight: number; weighted: number }[];
  total: number;
}

export interface ScheduleResult {
  /** The chosen node, or undefined when none is feasible. */
  node?: string;
  /** Non-success filter statuses by node (for FailedScheduling and preemption). */
  failures: Map<string, Status>;
  evaluatedNodes: number;
  feasibleNodes: number;
  /** Only filled when decisions are recorded. */
  decisions?: NodeDecision[];
}

/**
 * numFeasibleNodesToFind (schedule_one.go): all nodes below 100; otherwise pct of them, where the
 * adaptive pct is 50 − n/125 with a floor of 5, and at least 100 nodes.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  const minFeasibleNodesToFind = 100;
  const minFeasibleNodesPercentageToFind = 5;
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentage;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

/** The framework run for one pod over a set of nodes: pure with respect to the cluster. */
export class FrameworkRunner {
  private nextStartNodeIndex = 0;

  constructor(private readonly rng: Rng, private readonly globalPercentage: number) {}

  schedule(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], now: number, record = false): ScheduleResult {
    const state = new CycleState();
    const handle: FrameworkHandle = {
      nodes,
      nodeInfo: (name) => nodes.find((n) => n.name === name),
      rng: this.rng,
      now,
    };
    const failures = new Map<string, Status>();
    const decisions: NodeDecision[] | undefined = record ? [] : undefined;
    for (const p of profile.preFilter) {
      const s = p.preFilter(state, pod, handle);
      if (s.code !== "Success" && s.code !== "Skip") {
        for (const n of nodes) failures.set(n.name, s);
        return { failures, evaluatedNodes: nodes.length, feasibleNodes: 0, decisions };
      }
    }
    const total = nodes.length;
    const want = record ? total : numFeasibleNodesToFind(total, profile.percentageOfNodesToScore ?? this.globalPercentage);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    const start = total === 0 ? 0 : this.nextStartNodeIndex % total;
    for (let i = 0; i < total && feasible.length < want; i++) {
      const node = nodes[(start + i) % total];
      processed++;
      const decision: NodeDecision | undefined = decisions ? { name: node.name, filters: [], feasible: false, scores: [], total: 0 } : undefined;
      let failed: Status | undefined;
      for (const f of profile.filter) {
        const s = f.filter(state, pod, node);
        decision?.filters.push({ plugin: f.name, status: s.code, reasons: [...s.reasons] });
        if (s.code !== "Success") {
          failed = s.plugin ? s : { ...s, plugin: f.name };
          break;
        }
      }
      if (failed) failures.set(node.name, failed);
      else feasible.push(node);
      if (decision) {
        decision.feasible = !failed;
        decisions!.push(decision);
      }
    }
    if (total > 0) this.nextStartNodeIndex = (start + processed) % total;
    const result: ScheduleResult = { failures, evaluatedNodes: processed, feasibleNodes: feasible.length, decisions };
    if (feasible.length === 0) return result;
    if (feasible.length === 1 && !record) {
      result.node = feasible[0].name;
      return result;
    }
    const totals = this.scoreNodes(profile, state, pod, feasible, handle, decisions);
    result.node = feasible[this.selectHost(totals)].name;
    return result;
  }

  private scoreNodes(
    profile: Profile,
    state: CycleState,
    pod: PodInfo,
    nodes: NodeInfo[],
    handle: FrameworkHandle,
    decisions: NodeDecision[] | undefined,
  ): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const skipped = new Set<string>();
    for (const p of profile.preScore) {
      const s = p.preScore(state, pod, nodes, handle);
      if (s.code === "Skip") skipped.add(p.name);
    }
    const byName = decisions ? new Map(decisions.map((d) => [d.name, d])) : undefined;
    for (const { plugin, weight } of profile.score) {
      if (skipped.has(plugin.name)) continue;
      const scores = nodes.map((n) => plugin.score(state, pod, n));
      const raw = byName ? [...scores] : undefined;
      plugin.normalizeScore?.(state, pod, nodes, scores);
      for (let i = 0; i < nodes.length; i++) {
        totals[i] += scores[i] * weight;
        byName?.get(nodes[i].name)!.scores.push({
          plugin: plugin.name,
          raw: raw![i],
          normalized: scores[i],
          weight,
          weighted: scores[i] * weight,
        });
      }
    }
    if (byName) nodes.forEach((n, i) => (byName.get(n.name)!.total = totals[i]));
    return totals;
  }

  /** Highest total wins; ties are broken uniformly at random (reservoir sampling, seeded). */
  private selectHost(totals: number[]): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.rng.int(ties) === 0) best = i;
      }
    }
    return best;
  }
}

/**
 * The upstream FailedScheduling message: "0/5 nodes are available: 2 Insufficient cpu, 3 node(s)
 * had untolerated taint {k: v}." — reasons counted over nodes and sorted (framework/types.go
 * FitError.Error).
 */
export function fitErrorMessage(numAllNodes: number, failures: Map<string, Status>, preFilterMessage?: string): string {
  if (preFilterMessage) return `0/${numAllNodes} nodes are available: ${preFilterMessage}.`;
  const counts = new Map<string, number>();
  for (const s of failures.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${numAllNodes} nodes are available: ${parts.join(", ")}.`;
}

const isTerminal = (pod: Pod): boolean => pod.status.phase === "Succeeded" || pod.status.phase === "Failed";

/** Node changes that can make an unschedulable pod schedulable (eventhandlers.go nodeSchedulingPropertiesChange). */
function schedulingPropertiesChanged(a: Node, b: Node): boolean {
  return (
    a.spec.unschedulable !== b.spec.unschedulable ||
    JSON.stringify(a.spec.taints ?? []) !== JSON.stringify(b.spec.taints ?? []) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    JSON.stringify(a.status.allocatable) !== JSON.stringify(b.status.allocatable)
  );
}

export interface DecisionRecord {
  time: number;
  pod: string;
  attempt: number;
  selected: string | null;
  nodes: NodeDecision[];
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly runner: FrameworkRunner;
  private readonly profiles = new Map<string, Profile>();
  private busy = false;
  /** Set to record every attempt's per-node decisions. */
  onDecision?: (record: DecisionRecord) => void;
  private active = true;

  constructor(private readonly ctx: SimContext, private readonly settings: SchedulerSettings, config: SchedulerConfig) {
    for (const p of config.profiles) this.profiles.set(p.schedulerName, p);
    this.queue = new SchedulingQueue({
      initialBackoff: config.podInitialBackoffSeconds * 1_000_000,
      maxBackoff: config.podMaxBackoffSeconds * 1_000_000,
      // pkg/scheduler/backend/queue: DefaultPodMaxInUnschedulablePodsDuration = 5 min.
      maxInUnschedulable: 300 * 1_000_000,
    });
    this.runner = new FrameworkRunner(ctx.rng.stream("scheduler"), config.percentageOfNodesToScore);
  }

  start(): void {
    const { store, engine } = this.ctx;
    store.watch("Node", (e) => {
      if (e.type === "DELETED") this.cache.removeNode(e.object.metadata.name);
      else this.cache.upsertNode(e.object);
      if (e.type === "ADDED" || (e.type === "MODIFIED" && e.oldObject && schedulingPropertiesChanged(e.oldObject, e.object))) {
        this.queue.moveAllToActiveOrBackoff(engine.now);
        this.kick();
      }
    });
    store.watch("Pod", (e) => {
      const pod = e.object;
      const deleted = e.type === "DELETED";
      if (pod.spec.nodeName || deleted || isTerminal(pod)) {
        if (this.queue.has(pod.metadata.uid) && (deleted || pod.spec.nodeName)) this.queue.delete(pod.metadata.uid);
        const wasCached = this.cache.hasPod(pod.metadata.uid);
        this.cache.onPod(pod, deleted);
        if (wasCached && !this.cache.hasPod(pod.metadata.uid)) {
          // Resources were freed: unschedulable pods may fit now.
          this.queue.moveAllToActiveOrBackoff(engine.now);
          this.kick();
        }
        return;
      }
      if (!this.profiles.has(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME)) return;
      if (pod.metadata.deletionTimestamp !== undefined) return;
      if (e.type === "ADDED") this.queue.add(pod, engine.now);
      else if (this.queue.has(pod.metadata.uid)) this.queue.update(pod);
      else if (!this.cache.hasPod(pod.metadata.uid)) this.queue.add(pod, engine.now);
      this.kick();
    });
    // Periodic queue flushes (scheduling_queue.go Run): backoffQ every 1 s, unschedulable every 30 s.
    const flushBackoff = (): void => {
      this.queue.flushBackoffCompleted(engine.now);
      this.kick();
      engine.after(1_000_000, flushBackoff, Priority.Late);
    };
    const flushLeftover = (): void => {
      this.queue.flushUnschedulableLeftover(engine.now);
      this.kick();
      engine.after(30_000_000, flushLeftover, Priority.Late);
    };
    engine.after(1_000_000, flushBackoff, Priority.Late);
    engine.after(30_000_000, flushLeftover, Priority.Late);
  }

  /** Stops or resumes scheduling (leader election, component failure). */
  setActive(active: boolean): void {
    this.active = active;
    if (active) this.kick();
  }

  private kick(): void {
    if (this.busy || !this.active) return;
    const q = this.queue.pop(this.ctx.engine.now);
    if (!q) return;
    this.busy = true;
    const cycle = this.queue.schedulingCycle;
    this.ctx.engine.after(this.settings.attemptLatency, () => {
      this.attempt(q.pod, q.attempts, cycle, q.initialAttemptTimestamp ?? this.ctx.engine.now);
      this.busy = false;
      this.kick();
    });
  }

  private attempt(pod: Pod, attempts: number, cycle: number, firstAttempt: number): void {
    const { engine, stats, events, store } = this.ctx;
    const profile = this.profiles.get(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME)!;
    const info: PodInfo = { pod, key: objectKey(pod.metadata), requests: podRequests(pod.spec) };
    const nodes = this.cache.nodes;
    const record = this.onDecision !== undefined;
    const result = this.runner.schedule(profile, info, nodes, engine.now, record);
    stats.inc("scheduler.attempts");
    if (record) {
      this.onDecision!({
        time: engine.now / 1_000_000,
        pod: info.key,
        attempt: attempts,
        selected: result.node ?? null,
        nodes: result.decisions ?? [],
      });
    }
    if (!result.node) {
      stats.inc("scheduler.unschedulable");
      const message = fitErrorMessage(nodes.length, result.failures);
      events.record(pod, "Warning", "FailedScheduling", message, "default-scheduler");
      this.queue.addUnschedulable(pod.metadata.uid, cycle, engine.now);
      store.modify("Pod", info.key, (cur) => {
        if (cur.metadata.uid !== pod.metadata.uid || cur.spec.nodeName) return undefined;
        const cond = cur.status.conditions?.find((c) => c.type === "PodScheduled");
        if (cond && cond.status === "False" && cond.message === message) return undefined;
        const conditions = (cur.status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
        conditions.push({ type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: engine.now });
        return { ...cur, status: { ...cur.status, conditions } };
      });
      return;
    }
    const nodeName = result.node;
    this.cache.addPod(pod, nodeName);
    this.queue.done(pod.metadata.uid);
    stats.observe("scheduler.queueWaitSeconds", (engine.now - pod.metadata.creationTimestamp) / 1_000_000);
    stats.observe("scheduler.attemptsPerPod", attempts);
    void firstAttempt;
    engine.after(this.settings.bindLatency, () => this.bind(pod, nodeName));
  }

  /** DefaultBinder: writes the binding; on failure the assumed pod is forgotten and retried. */
  private bind(pod: Pod, nodeName: string): void {
    const { engine, store, events, stats } = this.ctx;
    const key = objectKey(pod.metadata);
    const result = store.modify("Pod", key, (cur) => {
      if (cur.metadata.uid !== pod.metadata.uid || cur.spec.nodeName || cur.metadata.deletionTimestamp !== undefined) return undefined;
      const conditions = (cur.status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: engine.now });
      return { ...cur, spec: { ...cur.spec, nodeName }, status: { ...cur.status, conditions } };
    });
    if (result.ok && result.object.spec.nodeName === nodeName && result.object.metadata.uid === pod.metadata.uid) {
      stats.inc("scheduler.scheduled");
      events.record(pod, "Normal", "Scheduled", `Successfully assigned ${key} to ${nodeName}`, "default-scheduler", nodeName);
      return;
    }
    this.cache.removePod(pod.metadata.uid);
    if (result.ok || result.error.reason === "NotFound") return;
    // The API server refused (unavailable): try the pod again after backoff.
    stats.inc("scheduler.bindErrors");
    const current = store.get("Pod", key);
    if (current && !current.spec.nodeName) {
      this.queue.add(current, engine.now);
      this.kick();
    }
  }
}
