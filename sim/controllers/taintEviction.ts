/**
 * The taint-eviction controller (pkg/controller/tainteviction/taint_eviction.go): deletes pods on
 * nodes with NoExecute taints they do not tolerate, or once their tolerationSeconds run out.
 *
 * For a pod on a node with NoExecute taints (getMinTolerationTime):
 *  - a taint no toleration matches → delete now;
 *  - otherwise the minimum tolerationSeconds of the matching tolerations (≤ 0 → now; all unset →
 *    never), counted from when this controller first processed the pod on the tainted node; a
 *    later update never postpones an eviction already scheduled.
 * When the taints go away, pending evictions are cancelled. An eviction adds the DisruptionTarget
 * condition (reason DeletionByTaintManager), records TaintManagerEviction and deletes the pod.
 */
import type { Pod, Taint } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { toleratesTaint } from "../cluster/selectors.js";
import type { Timer } from "../engine/engine.js";
import type { SharedInformers } from "./informers.js";

interface Scheduled {
  createdAt: number;
  timer: Timer;
}

/** Minimum toleration time in µs for the pod's NoExecute taints: -1 never, 0 now (see file comment). */
export function minTolerationTime(pod: Pod, taints: readonly Taint[]): { allTolerated: boolean; min: number } {
  const tolerations = pod.spec.tolerations ?? [];
  const used = [];
  for (const taint of taints) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return { allTolerated: false, min: 0 };
    used.push(...matching);
  }
  let min = -1;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    const us = t.tolerationSeconds <= 0 ? 0 : t.tolerationSeconds * 1_000_000;
    if (min < 0 || us < min) min = us;
  }
  return { allTolerated: true, min };
}

export class TaintEvictionController {
  private readonly scheduled = new Map<string, Scheduled>();
  private active = true;

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers) {}

  setActive(active: boolean): void {
    this.active = active;
  }

  start(): void {
    this.informers.nodes.on((e) => {
      if (e.type === "DELETED") return;
      const before = noExecute(e.oldObject?.spec.taints);
      const after = noExecute(e.object.spec.taints);
      if (JSON.stringify(before.map((t) => [t.key, t.value])) === JSON.stringify(after.map((t) => [t.key, t.value]))) return;
      for (const pod of this.informers.pods.onNode(e.object.metadata.name)) this.processPod(pod, after);
    });
    this.informers.pods.on((e) => {
      const pod = e.object;
      if (e.type === "DELETED") {
        this.cancel(pod.metadata.uid);
        return;
      }
      if (!pod.spec.nodeName) return;
      const node = this.informers.nodes.get(pod.spec.nodeName);
      if (!node) return;
      const taints = noExecute(node.spec.taints);
      if (taints.length === 0 && !this.scheduled.has(pod.metadata.uid)) return;
      this.processPod(pod, taints);
    });
  }

  private processPod(pod: Pod, taints: Taint[]): void {
    const uid = pod.metadata.uid;
    if (taints.length === 0) {
      this.cancel(uid);
      return;
    }
    if (pod.metadata.deletionTimestamp !== undefined) return;
    const { engine } = this.ctx;
    const { allTolerated, min } = minTolerationTime(pod, taints);
    if (!allTolerated) {
      this.cancel(uid);
      this.evict(pod);
      return;
    }
    if (min < 0) {
      this.cancel(uid);
      return;
    }
    const existing = this.scheduled.get(uid);
    const createdAt = existing?.createdAt ?? engine.now;
    const trigger = createdAt + min;
    if (existing && existing.timer.at <= trigger) return;
    existing?.timer.cancel();
    const timer = engine.timer(Math.max(trigger, engine.now), () => {
      this.scheduled.delete(uid);
      const current = this.informers.pods.get(objectKey(pod.metadata));
      if (current && current.metadata.uid === uid) this.evict(current);
    });
    this.scheduled.set(uid, { createdAt, timer });
  }

  private cancel(uid: string): void {
    const s = this.scheduled.get(uid);
    if (!s) return;
    s.timer.cancel();
    this.scheduled.delete(uid);
  }

  private evict(pod: Pod): void {
    if (!this.active) return;
    const { store, engine, events, stats } = this.ctx;
    const key = objectKey(pod.metadata);
    events.record(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`, "taint-eviction-controller", pod.spec.nodeName);
    store.modify("Pod", key, (cur) => {
      if (cur.metadata.uid !== pod.metadata.uid || cur.status.conditions?.some((c) => c.type === "DisruptionTarget")) return undefined;
      const conditions = [
        ...(cur.status.conditions ?? []),
        {
          type: "DisruptionTarget" as const,
          status: "True" as const,
          reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint",
          lastTransitionTime: engine.now,
        },
      ];
      return { ...cur, status: { ...cur.status, conditions } };
    });
    const result = store.delete("Pod", key, { uid: pod.metadata.uid });
    if (result.ok) stats.inc("pods.evicted");
    // The eviction queue retries a deletion the API server refused.
    else if (result.error.reason === "ServiceUnavailable") this.ctx.engine.after(1_000_000, () => this.evict(pod));
  }
}

function noExecute(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === "NoExecute");
}
