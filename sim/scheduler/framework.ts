/**
 * The scheduling framework's vocabulary, after kube-scheduler's
 * (staging/src/k8s.io/kube-scheduler/framework/interface.go): statuses with upstream codes,
 * per-cycle state, and the plugin interfaces for each extension point. Scores are integers in
 * 0..MAX_NODE_SCORE per plugin; the framework normalises, multiplies by the weight and sums.
 */
import type { Node, Pod } from "../api/objects.js";
import type { Rng } from "../engine/rng.js";
import type { PodRequests, Resources } from "../cluster/resources.js";

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export type Code = "Success" | "Error" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Wait" | "Skip";

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced a non-success status. */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: "Success", reasons: [] as string[] });
export const SKIP: Status = Object.freeze({ code: "Skip", reasons: [] as string[] });

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: "Unschedulable", reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: "UnschedulableAndUnresolvable", reasons, plugin };
}

export function errorStatus(plugin: string, reason: string): Status {
  return { code: "Error", reasons: [reason], plugin };
}

export const isSuccess = (s: Status): boolean => s.code === "Success";

/** A pod as the scheduler sees it, with its parsed requests. */
export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly requests: PodRequests;
}

/** Host ports in use on a node, as "protocol/hostIP/port". */
export type UsedPorts = Map<string, number>;

/** A node plus the pods the scheduler believes are on it (bound or assumed). */
export interface NodeInfo {
  readonly name: string;
  node: Node;
  allocatable: Resources;
  allowedPodNumber: number;
  /** Sum of actual requests of the pods on the node. */
  requested: Resources;
  /** Sum of requests with the non-zero defaults (for scoring). */
  nonZeroRequested: { milliCPU: number; memory: number };
  pods: Map<string, PodInfo>;
  usedPorts: UsedPorts;
  /** Bumped on every change, so plugins can cache per-node derived data. */
  generation: number;
}

/** Per-attempt scratch space shared by the plugins of one scheduling cycle. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** What plugins may look at besides the pod and node: all nodes, and the seeded RNG. */
export interface FrameworkHandle {
  /** Every node in the scheduler's snapshot, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  readonly rng: Rng;
  /** Simulated time, µs. */
  readonly now: number;
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, handle: FrameworkHandle): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PreScorePlugin extends Plugin {
  /** Returns Skip to leave this pod out of the plugin's Score. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], handle: FrameworkHandle): Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites `scores` (one per node in `nodes`) into 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
}

export function isPreFilter(p: Plugin): p is PreFilterPlugin {
  return typeof (p as PreFilterPlugin).preFilter === "function";
}
export function isFilter(p: Plugin): p is FilterPlugin {
  return typeof (p as FilterPlugin).filter === "function";
}
export function isPreScore(p: Plugin): p is PreScorePlugin {
  return typeof (p as PreScorePlugin).preScore === "function";
}
export function isScore(p: Plugin): p is ScorePlugin {
  return typeof (p as ScorePlugin).score === "function";
}
