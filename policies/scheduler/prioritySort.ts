/**
 * PrioritySort, the one queue-sort plugin upstream ships
 * (pkg/scheduler/framework/plugins/queuesort/priority_sort.go): a pod with a higher priority
 * (spec.priority, 0 when unset) goes first; for equal priorities, the pod that entered the queue
 * earlier goes first.
 *
 * simk's scheduling queue (sim/scheduler/queue.ts) orders its activeQ this way itself, so this
 * plugin is what a KubeSchedulerConfiguration names at `queueSort`; its `less` states the order for
 * tests and documentation. No other queue-sort plugin can be configured (sim/scheduler/config.ts).
 */
import type { Pod } from "../../sim/api/objects.js";
import type { Plugin } from "../../sim/scheduler/framework.js";
import { podPriority } from "../../sim/scheduler/queue.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "PrioritySort";

/** A pod in the queue as a queue-sort plugin sees it (upstream QueuedPodInfo). */
export interface QueuedPodInfo {
  pod: Pod;
  /** When the pod was (re-)added to the queue (µs). */
  timestamp: number;
}

/** Upstream QueueSortPlugin: `less(a, b)` is true when `a` should be tried before `b`. */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export function isQueueSort(p: Plugin): p is QueueSortPlugin {
  return typeof (p as QueueSortPlugin).less === "function";
}

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = podPriority(a.pod);
    const pb = podPriority(b.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export const prioritySortFactory: PluginFactory = {
  name: NAME,
  create: () => new PrioritySort(),
};
