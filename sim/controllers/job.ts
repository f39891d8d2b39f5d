/**
 * The Job controller (pkg/controller/job/job_controller.go, backoff_utils.go,
 * indexed_job_utils.go; defaults pkg/apis/batch/v1/defaults.go), v1.34 feature defaults
 * (JobPodReplacementPolicy and JobManagedBy on, so terminal conditions wait for terminating pods).
 *
 * Queueing: a Job add or spec change syncs at once; pod events and status-only Job updates sync
 * after the 1 s batch period (syncJobBatchPeriod); a delayed add keeps the earliest pending time
 * per key, as client-go's delaying queue does.
 *
 * A sync (syncJob):
 *  - finished pods not yet counted are counted: Succeeded pods as succeeded; Failed pods and pods
 *    being deleted before they succeeded as failed (isPodFailed). simk has no finalizers: the
 *    controller remembers which pods it has counted, and a pod that disappears before it was
 *    counted is counted from its last state;
 *  - the Job fails when failed > backoffLimit (BackoffLimitExceeded, "Job has reached the
 *    specified backoff limit") or when activeDeadlineSeconds have passed since status.startTime
 *    (DeadlineExceeded, "Job was active longer than specified deadline"; a sync is scheduled for
 *    that instant). Active pods are deleted and counted as failed; the interim FailureTarget
 *    condition is written at once and Failed once no pod is terminating;
 *  - otherwise (expectations satisfied) manageJob keeps min(parallelism, completions −
 *    succeeded) pods active (with completions unset — a work queue — parallelism until the first
 *    success, after which nothing new starts). After pod failures, new pods wait for the back-off
 *    10 s × 2^(failures since the last success − 1), capped at 10 min (DefaultJobPodFailureBackOff,
 *    MaxJobPodFailureBackOff), counted from the last failure's finish time. Creates go in
 *    slow-start batches, at most 500 per sync;
 *  - the Job is complete when succeeded ≥ completions (or, with completions unset, some pod
 *    succeeded) and none is active: SuccessCriteriaMet, then Complete with completionTime.
 *  - Indexed: each pod gets the completion index annotation and label
 *    (batch.kubernetes.io/job-completion-index); the lowest indexes that have neither succeeded nor
 *    an active pod are started; status.completedIndexes lists the succeeded ones ("0-2,5").
 * Status (active, ready, terminating, succeeded, failed, startTime, completionTime, conditions) is
 * written when it changes. Events: SuccessfulCreate, SuccessfulDelete, Completed ("Job
 * completed"), BackoffLimitExceeded, DeadlineExceeded.
 *
 * simk:
 *  - restartPolicy OnFailure is treated like Never: the kubelet does not restart containers in
 *    place, so a failing pod always ends Failed and is replaced by a new pod;
 *  - `simk.dev/failure-probability: "0.3"` on the pod template marks each created pod with
 *    `simk.dev/exit: failure` with that probability, drawn from the stream "job/<ns>/<name>";
 *  - suspend, podFailurePolicy, backoffLimitPerIndex, successPolicy and pod adoption are not
 *    modelled.
 */
import type { Job, JobSpec, JobStatus, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import type { Rng } from "../engine/rng.js";
import type { ControllerSettings } from "../scenario/types.js";
import type { SharedInformers } from "./informers.js";
import { compareByAssignmentPhaseReadiness, isPodActive, isPodReady, isPodTerminal, slowStartBatch } from "./replicaSet.js";
import { WorkQueue } from "./workqueue.js";
import { jsonEqual } from "../api/json.js";

/** job_controller.go: syncJobBatchPeriod = 1 s. */
const SYNC_JOB_BATCH_PERIOD = 1_000_000;
/** job_controller.go: DefaultJobPodFailureBackOff = 10 s, MaxJobPodFailureBackOff = 10 min. */
export const DEFAULT_JOB_POD_FAILURE_BACKOFF = 10_000_000;
export const MAX_JOB_POD_FAILURE_BACKOFF = 600_000_000;
/** job_controller.go: MaxPodCreateDeletePerSync = 500. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** controller_utils.go: ExpectationsTimeout = 5 min. */
const EXPECTATIONS_TIMEOUT = 300_000_000;
/** simk: retry delay after a failed API call (upstream: the queue's rate limiter, 1 s to 1 min). */
const RETRY_DELAY = 1_000_000;
const SOURCE = "job-controller";

export const JOB_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
export const FAILURE_PROBABILITY_ANNOTATION = "simk.dev/failure-probability";
export const EXIT_ANNOTATION = "simk.dev/exit";

/** A Job condition with the types and fields simk's JobStatus type leaves out. */
export interface JobConditionFull {
  type: "Complete" | "Failed" | "Suspended" | "FailureTarget" | "SuccessCriteriaMet";
  status: "True" | "False";
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

/** The Job status with the fields simk's JobStatus type leaves out. */
export interface JobStatusFull extends Omit<JobStatus, "conditions"> {
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  conditions?: JobConditionFull[];
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests)

/** SetDefaults_Job: both unset → completions 1; parallelism 1, backoffLimit 6, NonIndexed. */
export function jobSpecDefaults(spec: JobSpec): { completions?: number; parallelism: number; backoffLimit: number; indexed: boolean } {
  const completions = spec.completions ?? (spec.parallelism === undefined ? 1 : undefined);
  return {
    ...(completions !== undefined ? { completions } : {}),
    parallelism: spec.parallelism ?? 1,
    backoffLimit: spec.backoffLimit ?? 6,
    indexed: spec.completionMode === "Indexed" && completions !== undefined,
  };
}

/** getRemainingTimeForFailuresCount (backoff_utils.go). */
export function backoffRemaining(failures: number, lastFailureTime: number | undefined, now: number): number {
  if (failures === 0 || lastFailureTime === undefined) return 0;
  let backoff = DEFAULT_JOB_POD_FAILURE_BACKOFF;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= MAX_JOB_POD_FAILURE_BACKOFF) {
      backoff = MAX_JOB_POD_FAILURE_BACKOFF;
      break;
    }
  }
  const elapsed = now - lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

/**
 * getFinishedTime: the Ready=False transition (the kubelet's, on termination), else the moment of
 * deletion (deletionTimestamp − grace), else creation. simk has no container termination times.
 */
export function podFinishedTime(p: Pod): number {
  const ready = p.status.conditions?.find((c) => c.type === "Ready");
  if (ready && ready.status === "False" && ready.lastTransitionTime !== undefined) return ready.lastTransitionTime;
  if (p.metadata.deletionTimestamp !== undefined) return p.metadata.deletionTimestamp - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1_000_000;
  return p.metadata.creationTimestamp;
}

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** backoffStore.newBackoffRecord: failures since the last success, and when the last one ended. */
export function nextBackoffRecord(old: BackoffRecord, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return old;
    return { failuresAfterLastSuccess: old.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length === 0 ? { failuresAfterLastSuccess: 0 } : { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] };
}

/** isPodFailed: Failed, or deleted before succeeding (orphaned pods never reach Failed). */
const isPodFailed = (p: Pod): boolean => p.status.phase === "Failed" || (p.metadata.deletionTimestamp !== undefined && p.status.phase !== "Succeeded");

/** The completion index annotation, or -1 (getCompletionIndex). */
export function completionIndex(p: Pod): number {
  const v = p.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

/** "0-2,5,7-8" (orderedIntervals.String). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** parseIndexesFromString, keeping indexes below `completions`. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(",")) {
    const [a, b] = part.split("-").map((x) => Number.parseInt(x, 10));
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a) && i < completions; i++) out.add(i);
  }
  return out;
}

/** controller.ActivePods order (first = removed first), without ranks or log buckets. */
function compareActivePods(a: Pod, b: Pod): number {
  const first = compareByAssignmentPhaseReadiness(a, b);
  if (first !== 0) return first;
  if (isPodReady(a) && isPodReady(b)) {
    const ta = a.status.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? 0;
    const tb = b.status.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? 0;
    if (ta !== tb) return tb - ta; // more recently ready first
  }
  const restarts = (p: Pod): number => Math.max(0, ...(p.status.containerStatuses ?? []).map((s) => s.restartCount));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  if (a.metadata.creationTimestamp !== b.metadata.creationTimestamp) return b.metadata.creationTimestamp - a.metadata.creationTimestamp;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** Whether two statuses agree on every field this controller writes. */
function sameStatus(a: JobStatusFull, b: JobStatusFull): boolean {
  return (
    a.startTime === b.startTime &&
    a.active === b.active &&
    a.ready === b.ready &&
    a.terminating === b.terminating &&
    a.succeeded === b.succeeded &&
    a.failed === b.failed &&
    a.completedIndexes === b.completedIndexes &&
    a.completionTime === b.completionTime &&
    jsonEqual(a.conditions ?? [], b.conditions ?? [])
  );
}

const hasCondition = (status: JobStatusFull, type: JobConditionFull["type"]): JobConditionFull | undefined =>
  status.conditions?.find((c) => c.type === type && c.status === "True");

/** util.IsJobFinished: a Complete or Failed condition that is True. */
export function isJobFinished(job: Job): boolean {
  const s = job.status as JobStatusFull;
  return hasCondition(s, "Complete") !== undefined || hasCondition(s, "Failed") !== undefined;
}

// ---------------------------------------------------------------------------------------------

interface Expectations {
  adds: number;
  dels: number;
  timestamp: number;
}

/** What a finalizer-based controller keeps on the pods, kept here per Job uid instead. */
interface JobState {
  /** Pods whose outcome is already in status.succeeded / status.failed. */
  counted: Set<string>;
  /** Pods deleted before they were counted: their last state. */
  gone: Map<string, Pod>;
  backoff: BackoffRecord;
  labels?: Record<string, string>;
  rng?: Rng;
}

interface Finish {
  type: "Complete" | "Failed";
  reason?: string;
  message?: string;
}

type NewPod = Omit<Pod, "metadata"> & { metadata: { generateName: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string>; ownerReferences: Pod["metadata"]["ownerReferences"] } };

export class JobController {
  private readonly queue: WorkQueue;
  private readonly expectations = new Map<string, Expectations>();
  private readonly states = new Map<string, JobState>();
  /** The earliest pending delayed add per key (client-go delaying queue). */
  private readonly pending = new Map<string, { at: number }>();

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, settings: ControllerSettings) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.jobs.on((e) => {
      const job = e.object;
      const key = objectKey(job.metadata);
      if (e.type === "ADDED") {
        this.queue.add(key);
        return;
      }
      if (e.type === "DELETED") {
        this.expectations.delete(key);
        this.states.delete(job.metadata.uid);
        this.queue.add(key);
        return;
      }
      const old = e.oldObject!;
      if (old.metadata.uid !== job.metadata.uid) this.states.delete(old.metadata.uid);
      // Spec changes sync at once; status-only updates are batched.
      if (job.metadata.generation === old.metadata.generation) this.enqueueAfter(key, SYNC_JOB_BATCH_PERIOD);
      else this.queue.add(key);
      const start = job.status.startTime;
      const ads = job.spec.activeDeadlineSeconds;
      if (start !== undefined && ads !== undefined && ads !== old.spec.activeDeadlineSeconds) {
        this.enqueueAfter(key, ads * 1_000_000 - (this.ctx.engine.now - start));
      }
    });
    this.informers.pods.on((e) => {
      const pod = e.object;
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === "Job");
      if (!ref) return;
      const key = `${pod.metadata.namespace}/${ref.name}`;
      const job = this.informers.jobs.get(key);
      if (!job || job.metadata.uid !== ref.uid) return;
      const exp = this.expectations.get(key);
      if (e.type === "ADDED") {
        if (exp) exp.adds--;
        this.enqueueAfter(key, SYNC_JOB_BATCH_PERIOD);
        return;
      }
      const startedDeleting = e.type === "MODIFIED" && pod.metadata.deletionTimestamp !== undefined && e.oldObject?.metadata.deletionTimestamp === undefined;
      if (startedDeleting || e.type === "DELETED") {
        // deletePod: a finished Job no longer cares.
        if (isJobFinished(job)) return;
        if (exp && (startedDeleting || e.oldObject?.metadata.deletionTimestamp === undefined)) exp.dels--;
        if (e.type === "DELETED") {
          const st = this.state(job);
          if (!st.counted.has(pod.metadata.uid)) st.gone.set(pod.metadata.uid, e.oldObject ?? pod);
        }
      }
      this.enqueueAfter(key, SYNC_JOB_BATCH_PERIOD);
    });
  }

  /** queue.AddAfter: 0 adds at once; otherwise keep only the earliest pending time per key. */
  private enqueueAfter(key: string, delay: number): void {
    if (delay <= 0) {
      this.queue.add(key);
      return;
    }
    const at = this.ctx.engine.now + delay;
    const cur = this.pending.get(key);
    if (cur && cur.at <= at) return;
    const entry = { at };
    this.pending.set(key, entry);
    this.ctx.engine.at(at, () => {
      if (this.pending.get(key) !== entry) return;
      this.pending.delete(key);
      this.queue.add(key);
    });
  }

  private state(job: Job): JobState {
    let st = this.states.get(job.metadata.uid);
    if (!st) this.states.set(job.metadata.uid, (st = { counted: new Set(), gone: new Map(), backoff: { failuresAfterLastSuccess: 0 } }));
    return st;
  }

  private satisfied(key: string): boolean {
    const exp = this.expectations.get(key);
    if (!exp) return true;
    if (exp.adds <= 0 && exp.dels <= 0) return true;
    return this.ctx.engine.now - exp.timestamp > EXPECTATIONS_TIMEOUT;
  }

  private sync(key: string): void {
    const job = this.informers.jobs.get(key);
    if (!job) {
      this.expectations.delete(key);
      return;
    }
    if (isJobFinished(job)) {
      this.states.delete(job.metadata.uid);
      return;
    }
    const { engine } = this.ctx;
    const now = engine.now;
    const spec = jobSpecDefaults(job.spec);
    const st = this.state(job);
    const status = job.status as JobStatusFull;
    // Expectations are read before the pods, so that a pod created meanwhile cannot sneak in.
    const satisfied = this.satisfied(key);
    const pods = this.informers.pods.ownedBy(job.metadata.uid).filter((p) => p.metadata.namespace === job.metadata.namespace);
    const activePods = pods.filter(isPodActive);
    let active = activePods.length;
    let ready = activePods.filter(isPodReady).length;
    let terminating = pods.filter((p) => !isPodTerminal(p) && p.metadata.deletionTimestamp !== undefined).length;
    const gone = [...st.gone.values()];
    const validIndex = (p: Pod): boolean => !spec.indexed || (completionIndex(p) >= 0 && completionIndex(p) < spec.completions!);
    const uncounted = [...pods.filter((p) => !st.counted.has(p.metadata.uid)), ...gone];
    // A pod that is gone had finished (or was deleted) before it could be counted.
    const isGone = (p: Pod): boolean => st.gone.has(p.metadata.uid);
    const newSucceeded = uncounted.filter((p) => p.status.phase === "Succeeded" && validIndex(p));
    const newFailed = uncounted.filter((p) => p.status.phase !== "Succeeded" && (isPodFailed(p) || isGone(p)) && validIndex(p));

    let succeeded = (status.succeeded ?? 0) + newSucceeded.length;
    const failed = (status.failed ?? 0) + newFailed.length;
    const startTime = status.startTime ?? now;
    const backoff = nextBackoffRecord(st.backoff, newSucceeded, newFailed);

    // Indexed: the succeeded indexes are the recorded ones plus those of succeeded pods.
    let succeededIndexes: Set<number> | undefined;
    if (spec.indexed) {
      succeededIndexes = parseIndexes(status.completedIndexes, spec.completions!);
      for (const p of newSucceeded) succeededIndexes.add(completionIndex(p));
      succeeded = succeededIndexes.size;
    }

    let finish: Finish | undefined;
    const successMet = hasCondition(status, "SuccessCriteriaMet");
    const failureTarget = hasCondition(status, "FailureTarget");
    if (successMet) finish = { type: "Complete", reason: successMet.reason, message: successMet.message };
    else if (failureTarget) finish = { type: "Failed", reason: failureTarget.reason, message: failureTarget.message };
    else if (failed > spec.backoffLimit) finish = { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
    else if (job.spec.activeDeadlineSeconds !== undefined) {
      const allowed = job.spec.activeDeadlineSeconds * 1_000_000;
      if (now - startTime >= allowed) finish = { type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
      else this.enqueueAfter(key, allowed - (now - startTime));
    }

    let ok = true;
    if (finish) {
      if (finish.type === "Failed") {
        // deleteActivePods: no expectations; the Job cannot finish before every delete went through.
        let deleted = 0;
        for (const pod of activePods) {
          const r = this.ctx.store.delete("Pod", objectKey(pod.metadata), { uid: pod.metadata.uid });
          if (r.ok || r.error.reason === "NotFound") {
            deleted++;
            if (isPodReady(pod)) ready--;
            if (r.ok) this.ctx.events.record(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, SOURCE);
          } else ok = false;
        }
        if (deleted !== activePods.length || !satisfied) finish = undefined;
        active -= deleted;
        terminating += deleted;
      }
    } else {
      if (satisfied && job.metadata.deletionTimestamp === undefined) {
        const r = this.manageJob(job, spec, activePods, succeeded, succeededIndexes, backoff);
        active = r.active;
        ready -= r.deletedReady;
        terminating += r.deleted;
        ok = r.ok;
      }
      const complete = spec.completions === undefined ? succeeded > 0 && active === 0 : succeeded >= spec.completions && active === 0;
      if (complete) finish = { type: "Complete" };
    }

    // trackJobStatusAndRemoveFinalizers: count every finished pod (and, once the Job has failed,
    // every pod that has not succeeded).
    let countSucceeded = status.succeeded ?? 0;
    let countFailed = status.failed ?? 0;
    const countedNow: string[] = [];
    for (const pod of uncounted) {
      const considerFailed = isPodFailed(pod) || isGone(pod);
      const canCount = job.metadata.deletionTimestamp !== undefined || finish !== undefined || pod.status.phase === "Succeeded" || considerFailed;
      if (!canCount) continue;
      countedNow.push(pod.metadata.uid);
      if (pod.status.phase === "Succeeded") {
        if (!spec.indexed) countSucceeded++;
      } else if ((considerFailed || finish?.type === "Failed") && validIndex(pod)) {
        countFailed++;
      }
    }
    if (succeededIndexes) countSucceeded = succeededIndexes.size;

    const conditions = [...(status.conditions ?? [])];
    if (finish?.type === "Failed" && !failureTarget) {
      conditions.push({ type: "FailureTarget", status: "True", reason: finish.reason, message: finish.message, lastTransitionTime: now });
    }
    if (finish?.type === "Complete" && !successMet) {
      conditions.push({ type: "SuccessCriteriaMet", status: "True", ...(finish.reason ? { reason: finish.reason } : {}), ...(finish.message ? { message: finish.message } : {}), lastTransitionTime: now });
    }
    // enactJobFinished: the terminal condition only once no pod is terminating.
    let finishedNow = false;
    let completionTime = status.completionTime;
    if (finish && terminating === 0) {
      conditions.push({ type: finish.type, status: "True", ...(finish.reason ? { reason: finish.reason } : {}), ...(finish.message ? { message: finish.message } : {}), lastTransitionTime: now });
      if (finish.type === "Complete") completionTime = now;
      finishedNow = true;
    }

    const next: JobStatusFull = {
      ...status,
      startTime,
      active,
      ready,
      terminating,
      succeeded: countSucceeded,
      failed: countFailed,
      ...(succeededIndexes ? { completedIndexes: formatIndexes(succeededIndexes) } : {}),
      ...(completionTime !== undefined ? { completionTime } : {}),
      conditions,
    };
    if (!sameStatus(next, status)) {
      const r = this.ctx.store.modify("Job", key, (cur) => (cur.metadata.uid === job.metadata.uid ? { ...cur, status: next as JobStatus } : undefined));
      if (!r.ok) {
        this.queue.addAfter(key, RETRY_DELAY);
        return;
      }
      st.backoff = backoff;
    }
    for (const uid of countedNow) {
      st.counted.add(uid);
      st.gone.delete(uid);
    }
    if (finishedNow) {
      if (finish!.type === "Complete") {
        if (spec.completions !== undefined && countSucceeded > spec.completions) {
          this.ctx.events.record(job, "Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached", SOURCE);
        }
        this.ctx.events.record(job, "Normal", "Completed", "Job completed", SOURCE);
      } else {
        this.ctx.events.record(job, "Warning", finish!.reason ?? "Failed", finish!.message ?? "", SOURCE);
      }
    }
    if (!ok) this.queue.addAfter(key, RETRY_DELAY);
  }

  /** manageJob: delete surplus pods, or create missing ones after the pod-failure back-off. */
  private manageJob(
    job: Job,
    spec: ReturnType<typeof jobSpecDefaults>,
    activePods: Pod[],
    succeeded: number,
    succeededIndexes: Set<number> | undefined,
    backoff: BackoffRecord,
  ): { active: number; deleted: number; deletedReady: number; ok: boolean } {
    const key = objectKey(job.metadata);
    const { store, events, engine } = this.ctx;
    let active = activePods.length;
    let wantActive: number;
    if (spec.completions === undefined) wantActive = succeeded > 0 ? active : spec.parallelism;
    else wantActive = Math.max(0, Math.min(spec.completions - succeeded, spec.parallelism));

    const remove = this.activePodsForRemoval(spec, activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (remove.length > 0) {
      const exp: Expectations = { adds: 0, dels: remove.length, timestamp: engine.now };
      this.expectations.set(key, exp);
      let deleted = 0;
      let deletedReady = 0;
      let ok = true;
      for (const pod of remove) {
        const r = store.delete("Pod", objectKey(pod.metadata), { uid: pod.metadata.uid });
        if (r.ok) {
          deleted++;
          events.record(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, SOURCE);
        } else {
          exp.dels--;
          if (r.error.reason !== "NotFound") ok = false;
          else deleted++;
        }
        if (isPodReady(pod)) deletedReady++;
      }
      // Deleting and creating never happen in the same sync.
      return { active: active - deleted, deleted, deletedReady, ok };
    }

    let diff = wantActive - active;
    if (diff <= 0) return { active, deleted: 0, deletedReady: 0, ok: true };
    const remaining = backoffRemaining(backoff.failuresAfterLastSuccess, backoff.lastFailureTime, engine.now);
    if (remaining > 0) {
      this.enqueueAfter(key, Math.max(remaining, SYNC_JOB_BATCH_PERIOD));
      // Upstream returns 0 active pods here, and the status shows it until the next sync.
      return { active: 0, deleted: 0, deletedReady: 0, ok: true };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (spec.indexed) {
      indexes = this.firstPendingIndexes(spec.completions!, succeededIndexes!, activePods, diff);
      diff = indexes.length;
      if (diff === 0) return { active, deleted: 0, deletedReady: 0, ok: true };
    }
    const exp: Expectations = { adds: diff, dels: 0, timestamp: engine.now };
    this.expectations.set(key, exp);
    let next = 0;
    let lastError = "";
    const successes = slowStartBatch(diff, 1, () => {
      const index = indexes ? indexes[next++] : undefined;
      const r = store.create<"Pod">(this.podFor(job, index));
      if (r.ok) {
        events.record(job, "Normal", "SuccessfulCreate", `Created pod: ${r.object.metadata.name}`, SOURCE);
        return true;
      }
      lastError = r.error.message;
      return false;
    });
    if (successes < diff) {
      exp.adds -= diff - successes;
      events.record(job, "Warning", "FailedCreate", `Error creating: ${lastError}`, SOURCE);
    }
    return { active: active + successes, deleted: 0, deletedReady: 0, ok: successes === diff };
  }

  /** activePodsForRemoval: for Indexed Jobs, duplicate and out-of-range indexes first. */
  private activePodsForRemoval(spec: ReturnType<typeof jobSpecDefaults>, pods: Pod[], rmAtLeast: number): Pod[] {
    const rm: Pod[] = [];
    let left = pods;
    if (spec.indexed) {
      left = [];
      const byIndex = new Map<number, Pod[]>();
      for (const p of pods) {
        const ix = completionIndex(p);
        if (ix < 0 || ix >= spec.completions!) rm.push(p);
        else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
      }
      for (const group of byIndex.values()) {
        // Keep the most advanced pod of an index; remove the others.
        const sorted = [...group].sort(compareActivePods);
        rm.push(...sorted.slice(0, -1));
        left.push(sorted[sorted.length - 1]);
      }
    }
    if (rm.length < rmAtLeast) rm.push(...[...left].sort(compareActivePods).slice(0, rmAtLeast - rm.length));
    return rm;
  }

  /** firstPendingIndexes: the lowest indexes with neither a success nor an active pod. */
  private firstPendingIndexes(completions: number, succeeded: Set<number>, activePods: Pod[], count: number): number[] {
    const taken = new Set(succeeded);
    for (const p of activePods) taken.add(completionIndex(p));
    const out: number[] = [];
    for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
    return out;
  }

  /** A pod from the Job's template, with the Job's labels, the completion index and the simk failure draw. */
  private podFor(job: Job, index: number | undefined): NewPod {
    const st = this.state(job);
    const t = job.spec.template;
    // The API server adds these to the template of a Job without a manual selector.
    st.labels ??= {
      ...(t.metadata?.labels ?? {}),
      "batch.kubernetes.io/controller-uid": job.metadata.uid,
      "batch.kubernetes.io/job-name": job.metadata.name,
      "controller-uid": job.metadata.uid,
      "job-name": job.metadata.name,
    };
    let labels = st.labels;
    let annotations = t.metadata?.annotations;
    if (index !== undefined) {
      labels = { ...labels, [JOB_COMPLETION_INDEX]: String(index) };
      annotations = { ...(annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
    }
    const p = Number.parseFloat(annotations?.[FAILURE_PROBABILITY_ANNOTATION] ?? "");
    if (p > 0) {
      st.rng ??= this.ctx.rng.stream(`job/${job.metadata.namespace}/${job.metadata.name}`);
      if (st.rng.next() < p) annotations = { ...(annotations ?? {}), [EXIT_ANNOTATION]: "failure" };
    }
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: index !== undefined ? `${job.metadata.name}-${index}-` : `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        labels,
        ...(annotations ? { annotations } : {}),
        ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: t.spec,
      status: { phase: "Pending" },
    };
  }
}
