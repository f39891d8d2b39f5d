/**
 * The Job controller against the upstream rules (pkg/controller/job/job_controller.go,
 * backoff_utils.go).
 *
 * Timing used throughout (constant delays): watch latency L = 20 ms, controller sync latency
 * S = 1 ms, scheduler attempt 1 ms + bind 2 ms (the first pod of a batch is bound 3 ms after the
 * scheduler sees it), container start D = 2 s (cached image too), Ready 1 s after start,
 * container stop 1 s. The Job controller syncs at once on a Job add, and 1 s after a pod event
 * (syncJobBatchPeriod), keeping the earliest pending time per Job.
 */
import { describe, expect, it } from "vitest";
import type { Job, JobSpec, NewObject, Pod } from "../../sim/api/objects.js";
import {
  JOB_COMPLETION_INDEX,
  backoffRemaining,
  formatIndexes,
  jobSpecDefaults,
  nextBackoffRecord,
  parseIndexes,
  type JobStatusFull,
} from "../../sim/controllers/job.js";
import { isPodActive } from "../../sim/controllers/replicaSet.js";
import { Cluster } from "../../sim/run/cluster.js";
import { pool, scenario } from "../helpers/scenario.js";

const ms = 1_000;
const s = 1_000_000;
const L = 20 * ms;
const S = 1 * ms;
const D = 2 * s;
/** Job sync creates a pod → scheduler sees it (L), binds (3 ms) → kubelet sees it (L), starts (D). */
const CREATE_TO_START = L + 3 * ms + L + D;
/** A pod finishes → the Job controller sees it (L) → batch period (1 s) → sync (S). */
const FINISH_TO_SYNC = L + 1 * s + S;

function job(name: string, spec: Partial<JobSpec>, annotations: Record<string, string>): NewObject<Job> {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] },
      },
      ...spec,
    },
    status: {},
  };
}

function build(manifests: NewObject<Job>[], seed = 5): Cluster {
  const sc = scenario({ pools: [pool("worker", 3)], manifests, duration: 900 * s });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: D };
  k.cachedStartupDelay = { distribution: "constant", value: D };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  const cluster = new Cluster(sc, { seed });
  cluster.bootstrap();
  return cluster;
}

const jobStatus = (cluster: Cluster, name: string): JobStatusFull => cluster.store.get("Job", `default/${name}`)!.status as JobStatusFull;
const jobPods = (cluster: Cluster, name: string): Pod[] =>
  cluster.store.list("Pod", "default").filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === "Job" && r.name === name));
const eventTimes = (cluster: Cluster, reason: string): number[] => cluster.events.byReason(reason).map((e) => Math.round(e.time * s));

describe("Job helpers", () => {
  it("pod failure back-off: 10 s × 2^(n−1), capped at 10 min, minus the time since the last failure", () => {
    expect(backoffRemaining(0, undefined, 50 * s)).toBe(0);
    expect(backoffRemaining(1, 0, 0)).toBe(10 * s);
    expect(backoffRemaining(2, 0, 0)).toBe(20 * s);
    expect(backoffRemaining(3, 0, 0)).toBe(40 * s);
    expect(backoffRemaining(6, 0, 0)).toBe(320 * s);
    expect(backoffRemaining(7, 0, 0)).toBe(600 * s); // 640 s ≥ 10 min → 10 min
    expect(backoffRemaining(30, 0, 0)).toBe(600 * s);
    expect(backoffRemaining(1, 5 * s, 8 * s)).toBe(7 * s);
    expect(backoffRemaining(1, 5 * s, 20 * s)).toBe(0);
  });

  it("back-off record: failures since the last success (newBackoffRecord)", () => {
    const finished = (phase: "Succeeded" | "Failed", at: number): Pod =>
      ({ metadata: { creationTimestamp: 0 }, status: { phase, conditions: [{ type: "Ready", status: "False", lastTransitionTime: at }] } }) as unknown as Pod;
    expect(nextBackoffRecord({ failuresAfterLastSuccess: 2, lastFailureTime: 5 }, [], [finished("Failed", 9), finished("Failed", 7)])).toEqual({ failuresAfterLastSuccess: 4, lastFailureTime: 9 });
    // A success resets; only failures after it count.
    expect(nextBackoffRecord({ failuresAfterLastSuccess: 2, lastFailureTime: 5 }, [finished("Succeeded", 10)], [finished("Failed", 8), finished("Failed", 12)])).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: 12 });
    expect(nextBackoffRecord({ failuresAfterLastSuccess: 2, lastFailureTime: 5 }, [finished("Succeeded", 10)], [])).toEqual({ failuresAfterLastSuccess: 0 });
  });

  it("defaults (SetDefaults_Job) and completed-index intervals", () => {
    expect(jobSpecDefaults({ template: { spec: { containers: [] } } })).toEqual({ completions: 1, parallelism: 1, backoffLimit: 6, indexed: false });
    expect(jobSpecDefaults({ template: { spec: { containers: [] } }, parallelism: 4 })).toEqual({ parallelism: 4, backoffLimit: 6, indexed: false });
    expect(formatIndexes([5, 0, 1, 2, 7, 8])).toBe("0-2,5,7-8");
    expect([...parseIndexes("0-2,5,7-8", 8)].sort((a, b) => a - b)).toEqual([0, 1, 2, 5, 7]); // 8 ≥ completions is dropped
  });
});

describe("Job controller in a cluster", () => {
  it("10 completions, parallelism 3, 30 s pods: four waves, complete at the computed instant", () => {
    // The Job is created at 0; its informer delivers it after L and the sync (S) creates
    // min(10 − 0, 3) = 3 pods at t1 = L + S. The three are scheduled 1 ms apart; the first
    // finishes at t1 + CREATE_TO_START + 30 s, the other two 1 and 2 ms later — inside the 1 s
    // batch — so one sync FINISH_TO_SYNC after the first completion counts all three and creates
    // the next wave: min(10 − 3, 3) = 3, then 3, then min(10 − 9, 3) = 1.
    // One wave: CREATE_TO_START + 30 s + FINISH_TO_SYNC = 43 ms + 2 s + 30 s + 1.021 s = 33.064 s.
    const cluster = build([job("batch", { completions: 10, parallelism: 3 }, { "simk.dev/run-duration": "30s" })]);
    let maxActive = 0;
    cluster.store.observe((kind) => {
      if (kind === "Pod") maxActive = Math.max(maxActive, jobPods(cluster, "batch").filter(isPodActive).length);
    });
    cluster.engine.run(300 * s);
    const t1 = L + S;
    const wave = CREATE_TO_START + 30 * s + FINISH_TO_SYNC;
    expect(wave).toBe(33_064 * ms);
    expect(eventTimes(cluster, "SuccessfulCreate")).toEqual([t1, t1, t1, t1 + wave, t1 + wave, t1 + wave, t1 + 2 * wave, t1 + 2 * wave, t1 + 2 * wave, t1 + 3 * wave]);
    // After the 1-pod wave succeeds: succeeded = 10 ≥ completions, active = 0 → SuccessCriteriaMet
    // and, with no pod terminating, Complete in the same sync.
    const done = t1 + 4 * wave;
    expect(done).toBe(132_277 * ms);
    expect(eventTimes(cluster, "Completed")).toEqual([done]);
    expect(cluster.events.byReason("Completed")[0].message).toBe("Job completed");
    expect(maxActive).toBe(3);
    const st = jobStatus(cluster, "batch");
    expect(st).toMatchObject({ startTime: t1, completionTime: done, succeeded: 10, failed: 0, active: 0, ready: 0, terminating: 0 });
    expect(st.conditions!.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ["SuccessCriteriaMet", "True", done],
      ["Complete", "True", done],
    ]);
    expect(jobPods(cluster, "batch").length).toBe(10);
  });

  it("backoffLimit 2: three failed pods, re-created after 10 s and 20 s, then BackoffLimitExceeded", () => {
    // Each pod runs 5 s then fails. Pod k is created at t_k, fails at
    // F_k = t_k + CREATE_TO_START + 5 s and is counted FINISH_TO_SYNC later. failed = k:
    //  - k ≤ backoffLimit (2): the next pod waits 10 s × 2^(k−1) from F_k (the Ready=False
    //    transition the kubelet writes), i.e. the sync at F_k + backoff creates it after S;
    //  - k = 3 > 2: BackoffLimitExceeded. No pod is active or terminating, so FailureTarget and
    //    Failed are both written in that sync.
    const cluster = build([job("flaky", { completions: 1, parallelism: 1, backoffLimit: 2 }, { "simk.dev/run-duration": "5s", "simk.dev/exit": "failure" })]);
    cluster.engine.run(300 * s);
    const run = CREATE_TO_START + 5 * s;
    const t1 = L + S;
    const f1 = t1 + run;
    const t2 = f1 + 10 * s + S;
    const f2 = t2 + run;
    const t3 = f2 + 20 * s + S;
    const f3 = t3 + run;
    const failedAt = f3 + FINISH_TO_SYNC;
    expect([t1, t2, t3, failedAt]).toEqual([21 * ms, 17_065 * ms, 44_109 * ms, 52_173 * ms]);
    expect(eventTimes(cluster, "SuccessfulCreate")).toEqual([t1, t2, t3]);
    expect(eventTimes(cluster, "BackoffLimitExceeded")).toEqual([failedAt]);
    const ev = cluster.events.byReason("BackoffLimitExceeded")[0];
    expect([ev.type, ev.message]).toEqual(["Warning", "Job has reached the specified backoff limit"]);
    const st = jobStatus(cluster, "flaky");
    expect(st).toMatchObject({ failed: 3, succeeded: 0, active: 0 });
    expect(st.completionTime).toBeUndefined();
    expect(st.conditions!.map((c) => [c.type, c.reason, c.lastTransitionTime])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded", failedAt],
      ["Failed", "BackoffLimitExceeded", failedAt],
    ]);
    expect(jobPods(cluster, "flaky").map((p) => p.status.phase)).toEqual(["Failed", "Failed", "Failed"]);
  });

  it("activeDeadlineSeconds: active pods deleted at the deadline, Failed once they are gone", () => {
    // startTime = t1 = L + S. The first sync queues the Job for startTime + 100 s; that sync
    // (S later) finds now − startTime ≥ 100 s → DeadlineExceeded: both running pods are deleted
    // (counted failed) and FailureTarget is written. The kubelet sees the deletions after L and
    // stops the containers 1 s later; the controller sees the pods gone after L, syncs 1 s + S
    // later, finds nothing terminating and writes Failed.
    const cluster = build([job("slow", { completions: 4, parallelism: 2, activeDeadlineSeconds: 100 }, { "simk.dev/run-duration": "1000s" })]);
    cluster.engine.run(300 * s);
    const t1 = L + S;
    const deadline = t1 + 100 * s + S;
    const gone = deadline + L + 1 * s;
    const failedAt = gone + L + 1 * s + S;
    expect(eventTimes(cluster, "SuccessfulDelete")).toEqual([deadline, deadline]);
    expect(eventTimes(cluster, "DeadlineExceeded")).toEqual([failedAt]);
    expect(cluster.events.byReason("DeadlineExceeded")[0].message).toBe("Job was active longer than specified deadline");
    const st = jobStatus(cluster, "slow");
    expect(st).toMatchObject({ startTime: t1, failed: 2, succeeded: 0, active: 0, terminating: 0 });
    expect(st.conditions!.map((c) => [c.type, c.reason, c.lastTransitionTime])).toEqual([
      ["FailureTarget", "DeadlineExceeded", deadline],
      ["Failed", "DeadlineExceeded", failedAt],
    ]);
    expect(jobPods(cluster, "slow")).toEqual([]);
  });

  it("completions unset (work queue): nothing new after the first success; done when the rest finish", () => {
    // parallelism 3 → 3 pods. Before they start, one is made to run 10 s and one to fail.
    // First success (10 s pod): wantActive = active, so no new pod. The failing pod's failure
    // (1 ≤ backoffLimit 6) is ignored. When the last pod succeeds: succeeded > 0 and active = 0
    // → Complete, with succeeded 2 and failed 1.
    const cluster = build([job("queue", { parallelism: 3 }, { "simk.dev/run-duration": "30s" })]);
    cluster.engine.at(1 * s, () => {
      const [a, b] = jobPods(cluster, "queue");
      const annotate = (p: Pod, extra: Record<string, string>): void => {
        cluster.store.modify("Pod", `default/${p.metadata.name}`, (cur) => ({ ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, ...extra } } }));
      };
      annotate(a, { "simk.dev/run-duration": "10s" });
      annotate(b, { "simk.dev/exit": "failure" });
    });
    cluster.engine.run(200 * s);
    expect(cluster.events.byReason("SuccessfulCreate").length).toBe(3);
    expect(cluster.events.byReason("Completed").length).toBe(1);
    // The 30 s pods were created with the others at L + S and finish together.
    const lastFinish = L + S + CREATE_TO_START + 30 * s;
    expect(eventTimes(cluster, "Completed")[0]).toBeGreaterThanOrEqual(lastFinish + FINISH_TO_SYNC);
    expect(eventTimes(cluster, "Completed")[0]).toBeLessThanOrEqual(lastFinish + 2 * ms + FINISH_TO_SYNC);
    expect(jobStatus(cluster, "queue")).toMatchObject({ succeeded: 2, failed: 1, active: 0 });
    expect(jobPods(cluster, "queue").map((p) => p.status.phase).sort()).toEqual(["Failed", "Succeeded", "Succeeded"]);
  });

  it("Indexed: each index 0..4 succeeds once; failures drawn from the Job's own RNG stream", () => {
    // failure-probability 0.5: each created pod is marked to fail with probability 0.5, drawn
    // from stream "job/default/idx". A failed index gets a new pod (same index); the Job is done
    // when every index has succeeded once. The same seed gives the same pods.
    const make = (): Cluster =>
      build(
        [job("idx", { completions: 5, parallelism: 5, completionMode: "Indexed", backoffLimit: 20 }, { "simk.dev/run-duration": "10s", "simk.dev/failure-probability": "0.5" })],
        11,
      );
    const a = make();
    a.engine.run(900 * s);
    const pods = jobPods(a, "idx");
    const failedPods = pods.filter((p) => p.status.phase === "Failed");
    const succeededPods = pods.filter((p) => p.status.phase === "Succeeded");
    expect(failedPods.every((p) => p.metadata.annotations?.["simk.dev/exit"] === "failure")).toBe(true);
    expect(failedPods.length).toBeGreaterThan(0);
    expect(succeededPods.map((p) => Number(p.metadata.annotations![JOB_COMPLETION_INDEX])).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
    for (const p of pods) {
      const ix = p.metadata.annotations![JOB_COMPLETION_INDEX];
      expect(p.metadata.name.startsWith(`idx-${ix}-`)).toBe(true);
      expect(p.metadata.labels![JOB_COMPLETION_INDEX]).toBe(ix);
      expect(p.metadata.labels!["batch.kubernetes.io/job-name"]).toBe("idx");
    }
    expect(jobStatus(a, "idx")).toMatchObject({ succeeded: 5, failed: failedPods.length, completedIndexes: "0-4" });
    expect(a.events.byReason("Completed").length).toBe(1);
    const b = make();
    b.engine.run(900 * s);
    expect(jobPods(b, "idx").map((p) => [p.metadata.name, p.metadata.annotations?.["simk.dev/exit"] ?? ""])).toEqual(pods.map((p) => [p.metadata.name, p.metadata.annotations?.["simk.dev/exit"] ?? ""]));
  });
});
