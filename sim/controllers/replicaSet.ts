/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go).
 *
 * A sync compares the ReplicaSet's active pods (not terminating, not finished) with spec.replicas:
 *  - too few: create up to BurstReplicas (500) pods in slow-start batches of 1, 2, 4, ... (each
 *    min(2 × previous, remaining)), stopping after the first batch with a failure
 *    (controller_utils.go slowStartBatch); calls not made are taken off the expectations;
 *  - too many: delete the lowest-ranked pods (see {@link comparePodsForDeletion}).
 * Expectations (controller_utils.go ControllerExpectations) stop a sync from acting again before
 * the controller has seen its own creates and deletes come back through the watch.
 * Status (replicas, ready, available after minReadySeconds) is written back when it changes.
 */
import type { Pod, ReplicaSet } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import type { ControllerSettings } from "../scenario/types.js";
import { type ActivePods, controllerUid, isPodActive, isPodReady, isPodTerminal, type SharedInformers } from "./informers.js";
import { WorkQueue } from "./workqueue.js";

/** controller_utils.go: ExpectationsTimeout = 5 min; after it a sync proceeds regardless. */
const EXPECTATIONS_TIMEOUT = 300_000_000;
/** controller_utils.go: SlowStartInitialBatchSize = 1. */
const SLOW_START_INITIAL_BATCH_SIZE = 1;
const DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

interface Expectations {
  adds: number;
  dels: number;
  timestamp: number;
}

export { isPodActive, isPodReady, isPodTerminal };

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const ready = p.status.conditions?.find((c) => c.type === "Ready");
  if (!ready || ready.status !== "True") return false;
  if (minReadySeconds === 0) return true;
  return (ready.lastTransitionTime ?? 0) + minReadySeconds * 1_000_000 <= now;
}

/**
 * slowStartBatch: calls `fn` `count` times in batches of 1, 2, 4, ...; stops after the first batch
 * with a failure. Returns the number of successful calls.
 */
export function slowStartBatch(count: number, initialBatchSize: number, fn: () => boolean): number {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    let failed = false;
    for (let i = 0; i < batch; i++) {
      if (fn()) successes++;
      else failed = true;
    }
    remaining -= batch;
    if (failed) break;
  }
  return successes;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readyTime(p: Pod): number | undefined {
  return p.status.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
}

/** floor(log2(elapsed ns)), or -1 for no elapsed time (controller_utils.go logarithmicRankDiff). */
function logBucket(t: number, now: number): number {
  const ns = (now - t) * 1000;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.[DELETION_COST_ANNOTATION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

const uidLess = (a: Pod, b: Pod): number => (a.metadata.uid < b.metadata.uid ? -1 : a.metadata.uid > b.metadata.uid ? 1 : 0);

/**
 * ActivePodsWithRanks.Less (controller_utils.go), with PodDeletionCost and LogarithmicScaleDown
 * on: negative when `a` should be deleted before `b`. `rank` is the number of related active pods
 * on the pod's node.
 */
/**
 * The first three steps both of upstream's pod orders share (controller_utils.go ActivePods and
 * ActivePodsWithRanks): unassigned before assigned; Pending < Unknown < Running; not ready before
 * ready. Negative when `a` goes first; 0 when these steps do not decide.
 */
export function compareByAssignmentPhaseReadiness(a: Pod, b: Pod): number {
  const assignedA = a.spec.nodeName ? 1 : 0;
  const assignedB = b.spec.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const pa = PHASE_ORDER[a.status.phase] ?? 2;
  const pb = PHASE_ORDER[b.status.phase] ?? 2;
  if (pa !== pb) return pa - pb;
  return (isPodReady(a) ? 1 : 0) - (isPodReady(b) ? 1 : 0);
}

export function comparePodsForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  // 1–3. Unassigned before assigned; Pending < Unknown < Running; not ready before ready.
  const first = compareByAssignmentPhaseReadiness(a, b);
  if (first !== 0) return first;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  // 4. Lower pod-deletion-cost first.
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca < cb ? -1 : 1;
  // 5. Higher rank (more related pods on the same node) first.
  if (rankA !== rankB) return rankB - rankA;
  // 6. Both ready: more recently ready first, by log2 buckets; equal buckets by uid.
  if (ra && rb) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) {
      if (ta === undefined) return -1;
      if (tb === undefined) return 1;
      const diff = logBucket(ta, now) - logBucket(tb, now);
      return diff === 0 ? uidLess(a, b) : diff;
    }
  }
  // 7. Higher restart count first.
  const restarts = (p: Pod): number => Math.max(0, ...(p.status.containerStatuses ?? []).map((s) => s.restartCount));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  // 8. Newer first, by log2 buckets; equal buckets by uid.
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) {
    const diff = logBucket(ta, now) - logBucket(tb, now);
    return diff === 0 ? uidLess(a, b) : diff;
  }
  return uidLess(a, b);
}

export class ReplicaSetController {
  private readonly queue: WorkQueue;
  private readonly expectations = new Map<string, Expectations>();
  /** Each ReplicaSet's PodOwner, by its uid (dropped when the ReplicaSet is deleted). */
  private readonly owners = new Map<string, PodOwner>();

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, private readonly settings: ControllerSettings) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
  }

  private ownerOf(rs: ReplicaSet): PodOwner {
    let owner = this.owners.get(rs.metadata.uid);
    if (owner === undefined) this.owners.set(rs.metadata.uid, (owner = podOwner(rs)));
    return owner;
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.replicaSets.on((e) => {
      const key = e.key;
      if (e.type === "DELETED") {
        this.expectations.delete(key);
        this.owners.delete(e.object.metadata.uid);
      } else this.queue.add(key);
    });
    this.informers.pods.on((e) => {
      const ref = e.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === "ReplicaSet");
      if (!ref) return;
      const key = `${e.object.metadata.namespace}/${ref.name}`;
      const exp = this.expectations.get(key);
      if (e.type === "ADDED" && exp) exp.adds--;
      const startedDeleting = e.type === "MODIFIED" && e.object.metadata.deletionTimestamp !== undefined && e.oldObject?.metadata.deletionTimestamp === undefined;
      if (exp && (startedDeleting || (e.type === "DELETED" && e.oldObject?.metadata.deletionTimestamp === undefined))) exp.dels--;
      this.queue.add(key);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      if (e.type === "MODIFIED" && isPodReady(e.object) && !(e.oldObject && isPodReady(e.oldObject))) {
        const rs = this.informers.replicaSets.get(key);
        if (rs && rs.spec.minReadySeconds > 0) this.queue.addAfter(key, rs.spec.minReadySeconds * 1_000_000 + 1);
      }
    });
  }

  private satisfied(key: string): boolean {
    const exp = this.expectations.get(key);
    if (!exp) return true;
    if (exp.adds <= 0 && exp.dels <= 0) return true;
    return this.ctx.engine.now - exp.timestamp > EXPECTATIONS_TIMEOUT;
  }

  private sync(key: string): boolean | void {
    const rs = this.informers.replicaSets.get(key);
    if (!rs) return;
    // The informer counts the active pods as they come and go; only deleting surplus pods needs
    // them one by one. (The creates below reach the informer later, through the watch.)
    const counts = snapshot(this.informers.pods.activeOwnedBy(rs.metadata.uid));
    const activePods = (): Pod[] => this.informers.pods.ownedBy(rs.metadata.uid).filter(isPodActive);
    const managed = this.satisfied(key) && rs.metadata.deletionTimestamp === undefined ? this.manageReplicas(rs, counts.count, activePods) : undefined;
    this.updateStatus(rs, counts, activePods);
    return managed;
  }

  private manageReplicas(rs: ReplicaSet, activeCount: number, activePods: () => Pod[]): boolean | void {
    const key = objectKey(rs.metadata);
    const diff = activeCount - rs.spec.replicas;
    const { store, events, engine } = this.ctx;
    if (diff < 0) {
      const want = Math.min(-diff, this.settings.burstReplicas);
      this.expectations.set(key, { adds: want, dels: 0, timestamp: engine.now });
      let lastError = "";
      const owner = this.ownerOf(rs);
      const successes = slowStartBatch(want, SLOW_START_INITIAL_BATCH_SIZE, () => {
        const result = store.create<"Pod">(podFromTemplate(rs, owner));
        if (result.ok) {
          events.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${result.object.metadata.name}`, "replicaset-controller");
          return true;
        }
        lastError = result.error.message;
        return false;
      });
      if (successes < want) {
        // Creations that failed or were never made will not be observed.
        this.expectations.get(key)!.adds -= want - successes;
        events.record(rs, "Warning", "FailedCreate", `Error creating: ${lastError}`, "replicaset-controller");
        this.ctx.stats.inc("replicaset.failedCreates");
        // The sync failed: the work queue retries it with per-item exponential backoff
        // (AddRateLimited), one pending retry per ReplicaSet.
        return false;
      }
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.settings.burstReplicas);
      const victims = this.podsToDelete(rs, activePods(), n);
      this.expectations.set(key, { adds: 0, dels: victims.length, timestamp: engine.now });
      for (const pod of victims) {
        const result = store.delete("Pod", objectKey(pod.metadata), { uid: pod.metadata.uid });
        if (result.ok) events.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, "replicaset-controller");
        else this.expectations.get(key)!.dels--;
      }
    }
  }

  /** getPodsToDelete: rank only when some pods stay (diff < number of pods). */
  private podsToDelete(rs: ReplicaSet, active: Pod[], n: number): Pod[] {
    if (n >= active.length) return active;
    // Related pods: those of this ReplicaSet and its siblings under the same owner.
    const owner = controllerUid(rs);
    const related: Pod[] = [];
    if (owner) {
      for (const sibling of this.informers.replicaSets.ownedBy(owner)) {
        // Loops, not push(...list): a spread of more than ~120k pods overflows the stack.
        for (const p of this.informers.pods.ownedBy(sibling.metadata.uid)) if (isPodActive(p)) related.push(p);
      }
    } else for (const p of active) related.push(p);
    const perNode = new Map<string, number>();
    for (const p of related) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    const rank = (p: Pod): number => (p.spec.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
    const now = this.ctx.engine.now;
    return [...active].sort((a, b) => comparePodsForDeletion(a, b, rank(a), rank(b), now)).slice(0, n);
  }

  private updateStatus(rs: ReplicaSet, active: ActiveCounts, activePods: () => Pod[]): void {
    const now = this.ctx.engine.now;
    // Available = ready for minReadySeconds: with 0, every ready pod; otherwise it depends on the
    // time, so the pods are looked at.
    let available = active.ready;
    if (rs.spec.minReadySeconds > 0) {
      available = 0;
      for (const p of activePods()) if (isPodAvailable(p, rs.spec.minReadySeconds, now)) available++;
    }
    // Fully labeled: the pods whose labels include every template label, counted per labels object.
    const tmplLabels = Object.entries(rs.spec.template.metadata?.labels ?? {});
    let labeled = 0;
    for (const [labels, n] of active.byLabels) if (tmplLabels.every(([k, v]) => labels?.[k] === v)) labeled += n;
    const ready = active.ready;
    const status = {
      replicas: active.count,
      fullyLabeledReplicas: labeled,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
    };
    const s = rs.status;
    if (
      s.replicas === status.replicas &&
      s.readyReplicas === status.readyReplicas &&
      s.availableReplicas === status.availableReplicas &&
      s.fullyLabeledReplicas === status.fullyLabeledReplicas &&
      s.observedGeneration === status.observedGeneration
    ) {
      return;
    }
    this.ctx.store.modify("ReplicaSet", objectKey(rs.metadata), (cur) => (cur.metadata.uid === rs.metadata.uid ? { ...cur, status } : undefined));
  }
}

/** The active-pod counts as they were when a sync began. */
interface ActiveCounts {
  readonly count: number;
  readonly ready: number;
  readonly byLabels: ReadonlyMap<Readonly<Record<string, string>> | undefined, number>;
}

function snapshot(a: Readonly<ActivePods>): ActiveCounts {
  return { count: a.count, ready: a.ready, byLabels: new Map(a.byLabels) };
}

/**
 * What every pod of one ReplicaSet carries in its metadata unchanged: built once per ReplicaSet
 * rather than once per pod (about 150 bytes a pod; stored objects are never changed in place).
 */
export interface PodOwner {
  readonly generateName: string;
  readonly ownerReferences: NonNullable<Pod["metadata"]["ownerReferences"]>;
}

export function podOwner(rs: ReplicaSet): PodOwner {
  const reference = Object.freeze({ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true });
  return { generateName: `${rs.metadata.name}-`, ownerReferences: Object.freeze([reference]) as unknown as PodOwner["ownerReferences"] };
}

/** A pod for a ReplicaSet (controller_utils.go GetPodFromTemplate). The spec object is shared. */
export function podFromTemplate(
  rs: ReplicaSet,
  owner: PodOwner = podOwner(rs),
): Omit<Pod, "metadata"> & { metadata: { generateName: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences: Pod["metadata"]["ownerReferences"] } } {
  const t = rs.spec.template;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: owner.generateName,
      namespace: rs.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: t.metadata?.annotations,
      ownerReferences: owner.ownerReferences,
    },
    spec: t.spec,
    status: { phase: "Pending" },
  };
}
