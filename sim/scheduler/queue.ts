/**
 * The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go), in three parts:
 *  - activeQ: pods ready to be tried, ordered by the QueueSort plugin (PrioritySort: higher
 *    priority first, then earlier queue timestamp);
 *  - backoffQ: pods that failed and wait out their backoff, initial × 2^(attempts−1) capped at
 *    the maximum (defaults 1 s and 10 s, pkg/scheduler/apis/config/v1/defaults.go); flushed to
 *    activeQ every second;
 *  - unschedulablePods: pods that failed and wait for a cluster event that may help them; they
 *    are also moved after DefaultPodMaxInUnschedulablePodsDuration (5 min) by a flush every 30 s.
 *
 * simk simplification (README): every "may help" cluster event (node added or changed, an assigned
 * pod deleted or finished) moves all unschedulable pods, as MoveAllToActiveOrBackoffQueue did
 * before per-plugin queueing hints.
 */
import type { Pod } from "../api/objects.js";
import { BinaryHeap } from "../engine/heap.js";

export interface QueuedPod {
  pod: Pod;
  /** When the pod was (re-)added to the queue: the PrioritySort tie-breaker. */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
  /** When the pod became unschedulable, or when its backoff expires (by state). */
  since: number;
  backoffExpiry: number;
  where: "active" | "backoff" | "unschedulable" | "inFlight" | "gone";
  /** Monotone counter of enqueue operations: lazily removes stale heap entries. */
  ticket: number;
}

export interface QueueOptions {
  initialBackoff: number;
  maxBackoff: number;
  maxInUnschedulable: number;
}

export const podPriority = (pod: Pod): number => pod.spec.priority ?? 0;

export class SchedulingQueue {
  private readonly byUid = new Map<string, QueuedPod>();
  private readonly active = new BinaryHeap<{ q: QueuedPod; ticket: number }>((a, b) => {
    const pa = podPriority(a.q.pod);
    const pb = podPriority(b.q.pod);
    if (pa !== pb) return pa > pb;
    if (a.q.timestamp !== b.q.timestamp) return a.q.timestamp < b.q.timestamp;
    return a.ticket < b.ticket;
  });
  private readonly backoff = new BinaryHeap<{ q: QueuedPod; ticket: number }>((a, b) =>
    a.q.backoffExpiry !== b.q.backoffExpiry ? a.q.backoffExpiry < b.q.backoffExpiry : a.ticket < b.ticket,
  );
  private readonly unschedulable = new Set<QueuedPod>();
  private tickets = 0;
  private activeCount = 0;
  /** The scheduling cycle in which the last move request happened (upstream moveRequestCycle). */
  private moveRequestCycle = -1;
  schedulingCycle = 0;

  constructor(private readonly options: QueueOptions) {}

  get lengths(): { active: number; backoff: number; unschedulable: number } {
    let backoff = 0;
    for (const q of this.byUid.values()) if (q.where === "backoff") backoff++;
    return { active: this.activeCount, backoff, unschedulable: this.unschedulable.size };
  }

  /** Number of pods waiting in any sub-queue (not in flight). */
  get waiting(): number {
    let n = 0;
    for (const q of this.byUid.values()) if (q.where !== "inFlight" && q.where !== "gone") n++;
    return n;
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  /** A new unscheduled pod. */
  add(pod: Pod, now: number): void {
    if (this.byUid.has(pod.metadata.uid)) return this.update(pod);
    const q: QueuedPod = { pod, timestamp: now, attempts: 0, since: now, backoffExpiry: now, where: "gone", ticket: 0 };
    this.byUid.set(pod.metadata.uid, q);
    this.toActive(q);
  }

  /** The pod object changed (still unscheduled): keep its place, use the new object. */
  update(pod: Pod): void {
    const q = this.byUid.get(pod.metadata.uid);
    if (!q) return;
    const priorityChanged = podPriority(q.pod) !== podPriority(pod);
    q.pod = pod;
    if (priorityChanged && q.where === "active") this.toActive(q);
  }

  delete(uid: string): void {
    const q = this.byUid.get(uid);
    if (!q) return;
    this.leave(q);
    q.where = "gone";
    this.byUid.delete(uid);
  }

  /** The next pod to schedule, or undefined. It stays known to the queue as "in flight". */
  pop(now: number): QueuedPod | undefined {
    for (;;) {
      const entry = this.active.pop();
      if (!entry) return undefined;
      if (entry.ticket !== entry.q.ticket || entry.q.where !== "active") continue;
      const q = entry.q;
      this.activeCount--;
      q.where = "inFlight";
      q.attempts++;
      q.initialAttemptTimestamp ??= now;
      this.schedulingCycle++;
      return q;
    }
  }

  /** The in-flight pod was bound (or given up): forget it. */
  done(uid: string): void {
    const q = this.byUid.get(uid);
    if (q) q.where = "gone";
    this.byUid.delete(uid);
  }

  /**
   * The in-flight pod could not be scheduled in cycle `cycle`. If a move request came during that
   * cycle, it goes to backoff (the event might have helped); otherwise it waits as unschedulable.
   */
  addUnschedulable(uid: string, cycle: number, now: number): void {
    const q = this.byUid.get(uid);
    if (!q || q.where !== "inFlight") return;
    q.timestamp = now;
    if (this.moveRequestCycle >= cycle) this.toBackoffOrActive(q, now);
    else {
      q.where = "unschedulable";
      q.since = now;
      this.unschedulable.add(q);
    }
  }

  /** A cluster event that may make unschedulable pods schedulable. */
  moveAllToActiveOrBackoff(now: number): void {
    for (const q of [...this.unschedulable]) {
      this.unschedulable.delete(q);
      this.toBackoffOrActive(q, now);
    }
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Moves pods whose backoff has expired to activeQ (upstream: every 1 s). */
  flushBackoffCompleted(now: number): void {
    for (;;) {
      const top = this.backoff.peek();
      if (!top) return;
      if (top.ticket !== top.q.ticket || top.q.where !== "backoff") {
        this.backoff.pop();
        continue;
      }
      if (top.q.backoffExpiry > now) return;
      this.backoff.pop();
      this.toActive(top.q);
    }
  }

  /** Moves pods unschedulable for longer than the maximum (upstream: every 30 s). */
  flushUnschedulableLeftover(now: number): void {
    for (const q of [...this.unschedulable]) {
      if (now - q.since > this.options.maxInUnschedulable) {
        this.unschedulable.delete(q);
        this.toBackoffOrActive(q, now);
      }
    }
  }

  /** Backoff for a pod that has been tried `attempts` times. */
  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.options.initialBackoff;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.options.maxBackoff) return this.options.maxBackoff;
    }
    return Math.min(d, this.options.maxBackoff);
  }

  private toBackoffOrActive(q: QueuedPod, now: number): void {
    const expiry = (q.timestamp ?? now) + this.backoffDuration(q.attempts);
    if (expiry > now) {
      this.leave(q);
      q.where = "backoff";
      q.backoffExpiry = expiry;
      q.ticket = ++this.tickets;
      this.backoff.push({ q, ticket: q.ticket });
    } else {
      this.toActive(q);
    }
  }

  private toActive(q: QueuedPod): void {
    this.leave(q);
    q.where = "active";
    q.ticket = ++this.tickets;
    this.activeCount++;
    this.active.push({ q, ticket: q.ticket });
  }

  private leave(q: QueuedPod): void {
    if (q.where === "active") this.activeCount--;
    if (q.where === "unschedulable") this.unschedulable.delete(q);
    // Heap entries are removed lazily: the ticket no longer matches.
    q.ticket = ++this.tickets;
  }
}
