/**
 * A kubelet: runs the pods bound to its node and reports that the node is alive.
 *
 * - Watches only its own pods (the spec.nodeName field selector).
 * - Admits a pod if the node's allocatable cpu, memory and pod count still cover it
 *   (pkg/kubelet/lifecycle/predicate.go); otherwise the pod fails with reason OutOf<resource>.
 * - Starts admitted pods after a start-up delay (shorter if the image is already on the node),
 *   marks them Ready after a readiness delay, and finishes a deletion after the containers stop
 *   (at most the grace period) with a final delete.
 * - Renews its Lease in kube-node-lease every 10 s, and posts node status when it changes or every
 *   nodeStatusReportFrequency (5 min) (pkg/kubelet/kubelet_node_status.go; defaults in
 *   pkg/kubelet/apis/config/v1beta1/defaults.go).
 * - A failed node stops everything silently: no status, no lease, no pod changes. A recovered node
 *   re-lists its pods, finishes deletions that happened meanwhile and reports Ready again.
 *
 * Pods annotated `simk.dev/run-duration: 30s` run for that long and then succeed
 * (`simk.dev/exit: failure` makes them fail), which is how Job workloads are modelled.
 */
import type { Container, ContainerStatus, Lease, Node, Pod, PodCondition, ResourceList } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { Watch } from "../api/store.js";
import type { SimContext } from "../cluster/context.js";
import { podRequests, toResources, type Resources } from "../cluster/resources.js";
import { sampleDelay } from "../cluster/delay.js";
import type { Rng } from "../engine/rng.js";
import type { KubeletSettings } from "../scenario/types.js";
import { parseDuration } from "../units/duration.js";
import { parseBytes } from "../units/quantity.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** pkg/kubelet/apis/config/v1beta1/defaults.go: nodeStatusReportFrequency 5 min. */
const NODE_STATUS_REPORT_FREQUENCY = 300_000_000;
/** simk: how long containers take to exit after SIGTERM (bounded by the grace period). */
const CONTAINER_STOP_DELAY = 1_000_000;
/** pkg/kubelet/status/status_manager.go: syncPeriod = 10 s (status writes that failed are retried then). */
const STATUS_SYNC_PERIOD = 10_000_000;

type StatusChange = (current: Pod) => Pod | undefined;

interface RunningPod {
  uid: string;
  key: string;
  /** The pod's requests (a pod's requests never change), for admitting the others. */
  milliCPU: number;
  memory: number;
  started: boolean;
  killing: boolean;
  /**
   * When the containers started and the pod's IP: the Running status the kubelet reported (or is
   * still trying to report). Plain fields, not a closure kept for the pod's life (~100 bytes).
   */
  startedAt?: number;
  podIP?: string;
  /** Status writes issued so far: a refused write is retried only while it is the latest. */
  statusWrites: number;
}

/**
 * The containerStatuses of every pod with these containers, not ready or ready: one frozen array
 * per container list, shared by all the pods of a template (stored objects are never changed in
 * place), instead of a copy per pod.
 */
const notReadyStatuses = new WeakMap<readonly Container[], ContainerStatus[]>();
const readyStatuses = new WeakMap<readonly Container[], ContainerStatus[]>();

function containerStatuses(containers: readonly Container[], ready: boolean): ContainerStatus[] {
  const memo = ready ? readyStatuses : notReadyStatuses;
  let statuses = memo.get(containers);
  if (statuses === undefined) {
    statuses = Object.freeze(containers.map((c) => Object.freeze({ name: c.name, ready, restartCount: 0, started: true }))) as ContainerStatus[];
    memo.set(containers, statuses);
  }
  return statuses;
}

export class Kubelet {
  private alive = false;
  /** Incremented on failure: callbacks scheduled by an earlier life are ignored. */
  private epoch = 0;
  private watch?: Watch;
  private readonly pods = new Map<string, RunningPod>();
  /**
   * Σ requests over {@link pods} (their count is pods.size): an upper bound of what admission
   * counts, kept as a running sum. Requests are whole millicores and bytes, so the sum is exact.
   */
  private readonly held = { milliCPU: 0, memory: 0 };
  private readonly images = new Set<string>();
  private readonly rng: Rng;
  private lastStatusPost = -Infinity;
  private podIndex = 0;
  private readonly hostIP: string;
  /** The store key of the node's Lease (made once: the lease is renewed every 10 s). */
  private readonly leaseKey: string;
  private parsedCapacity?: { list: ResourceList; alloc: Resources; maxPods: number };

  constructor(private readonly ctx: SimContext, readonly nodeName: string, private readonly settings: KubeletSettings, private readonly nodeIndex: number) {
    this.rng = ctx.rng.stream(`kubelet/${nodeName}`);
    this.hostIP = nodeIP(nodeIndex);
    this.leaseKey = `${NODE_LEASE_NAMESPACE}/${nodeName}`;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  start(): void {
    if (this.alive) return;
    this.alive = true;
    const epoch = ++this.epoch;
    const { store, engine } = this.ctx;
    this.watch = store.watch("Pod", (e) => this.alive && this.epoch === epoch && this.onPod(e.object, e.type === "DELETED"), {
      nodeName: this.nodeName,
    });
    // Re-list: after a restart, pick up what happened while the node was down.
    for (const pod of store.list("Pod")) if (pod.spec.nodeName === this.nodeName) this.onPod(pod, false, true);
    this.postStatus(true);
    this.renewLease();
    // Heartbeats start at a random phase so that nodes do not beat in lockstep. Each loop is one
    // closure per life of the node, not one per beat.
    const leaseLoop = (): void => {
      if (!this.alive || epoch !== this.epoch) return;
      this.renewLease();
      engine.after(this.settings.leaseRenewInterval, leaseLoop);
    };
    const statusLoop = (): void => {
      if (!this.alive || epoch !== this.epoch) return;
      this.postStatus(false);
      engine.after(this.settings.nodeStatusUpdateFrequency, statusLoop);
    };
    engine.after(this.rng.uniform(0, this.settings.leaseRenewInterval), leaseLoop);
    engine.after(this.rng.uniform(0, this.settings.nodeStatusUpdateFrequency), statusLoop);
  }

  /** The node dies: everything stops, silently. */
  fail(): void {
    this.alive = false;
    this.epoch++;
    this.watch?.stop();
    this.watch = undefined;
    this.pods.clear();
    this.held.milliCPU = 0;
    this.held.memory = 0;
  }

  private renewLease(): void {
    const { store, engine } = this.ctx;
    const existing = store.get("Lease", this.leaseKey);
    if (!existing) {
      store.create<"Lease">({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE },
        spec: {
          holderIdentity: this.nodeName,
          leaseDurationSeconds: this.settings.nodeLeaseDurationSeconds,
          acquireTime: engine.now,
          renewTime: engine.now,
        },
      });
      return;
    }
    store.update<Lease>({ ...existing, spec: { ...existing.spec, renewTime: engine.now } });
  }

  /** Posts Ready=True if it is not already, or if the report frequency has elapsed. */
  private postStatus(force: boolean): void {
    const { store, engine } = this.ctx;
    const now = engine.now;
    store.modify("Node", this.nodeName, (node) => {
      const ready = node.status.conditions.find((c) => c.type === "Ready");
      const needs = force || !ready || ready.status !== "True" || now - this.lastStatusPost >= NODE_STATUS_REPORT_FREQUENCY;
      if (!needs) return undefined;
      const transition = !ready || ready.status !== "True";
      const conditions = node.status.conditions.filter((c) => c.type !== "Ready");
      conditions.push({
        type: "Ready",
        status: "True",
        reason: "KubeletReady",
        message: "kubelet is posting ready status",
        lastHeartbeatTime: now,
        lastTransitionTime: transition ? now : ready!.lastTransitionTime,
      });
      if (transition && ready) this.ctx.events.record(node, "Normal", "NodeReady", `Node ${this.nodeName} status is now: NodeReady`, "kubelet", this.nodeName);
      this.lastStatusPost = now;
      return { ...node, status: { ...node.status, conditions } } satisfies Node;
    });
  }

  private onPod(pod: Pod, deleted: boolean, relist = false): void {
    const uid = pod.metadata.uid;
    if (deleted) {
      this.untrack(uid);
      return;
    }
    let running = this.pods.get(uid);
    if (!running) {
      if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") {
        if (pod.metadata.deletionTimestamp !== undefined) this.finishDeletion(pod);
        return;
      }
      const { milliCPU, memory } = podRequests(pod.spec).requests;
      running = { uid, key: objectKey(pod.metadata), milliCPU, memory, started: pod.status.phase === "Running", killing: false, statusWrites: 0 };
      this.track(running);
      if (pod.metadata.deletionTimestamp !== undefined) {
        this.kill(pod, running);
        return;
      }
      if (relist && running.started) {
        // The containers kept running while the node was unreachable; the status manager posts its
        // own view again, undoing the node controller's Ready=False (pkg/kubelet/status).
        const ready = pod.status.conditions?.find((c) => c.type === "Ready");
        if (ready && ready.status !== "True" && ready.reason === "NodeNotReady") this.setReady(running);
        return;
      }
      this.admit(pod, running);
      return;
    }
    if (pod.metadata.deletionTimestamp !== undefined && !running.killing) this.kill(pod, running);
  }

  private admit(pod: Pod, running: RunningPod): void {
    const { store } = this.ctx;
    const node = store.get("Node", this.nodeName);
    if (!node) return;
    const { alloc, maxPods } = this.capacity(node);
    const want = { milliCPU: running.milliCPU, memory: running.memory };
    // The other pods the kubelet holds bound the ones admission counts (those still in the API
    // server): if even they leave room, the pod fits and the exact count is not needed.
    const others = { count: this.pods.size - 1, milliCPU: this.held.milliCPU - want.milliCPU, memory: this.held.memory - want.memory };
    const reason0 = rejection(others, want, alloc, maxPods);
    let reason: string | undefined;
    let message = "";
    if (reason0 !== undefined) {
      let cpu = 0;
      let mem = 0;
      let count = 0;
      for (const other of this.pods.values()) {
        if (other.uid === running.uid) continue;
        const p = store.get("Pod", other.key);
        if (!p || p.metadata.uid !== other.uid) continue;
        cpu += other.milliCPU;
        mem += other.memory;
        count++;
      }
      reason = rejection({ count, milliCPU: cpu, memory: mem }, want, alloc, maxPods);
      if (reason === "OutOfpods") message = "Node didn't have enough resource: pods";
      else if (reason === "OutOfcpu") message = `Node didn't have enough resource: cpu, requested: ${want.milliCPU}, used: ${cpu}, capacity: ${alloc.milliCPU}`;
      else if (reason === "OutOfmemory") message = `Node didn't have enough resource: memory, requested: ${want.memory}, used: ${mem}, capacity: ${alloc.memory}`;
    }
    if (reason) {
      this.untrack(running.uid);
      this.ctx.events.record(pod, "Warning", reason, message, "kubelet", this.nodeName);
      this.writeStatus(running, (cur) => ({ ...cur, status: { ...cur.status, phase: "Failed", reason, message: `Pod was rejected: ${message}` } }));
      return;
    }
    const images = pod.spec.containers.map((c) => c.image ?? "");
    const cached = images.every((i) => this.images.has(i));
    const delay = sampleDelay(cached ? this.settings.cachedStartupDelay : this.settings.startupDelay, this.rng);
    const epoch = this.epoch;
    this.ctx.engine.after(delay, () => {
      if (epoch !== this.epoch || !this.pods.has(running.uid) || running.killing) return;
      for (const i of images) this.images.add(i);
      this.startPod(running, pod);
    });
  }

  /**
   * The node's allocatable resources and pod limit, worked out once per allocatable list: the
   * list object survives the node's status writes, so admitting a pod neither looks its
   * quantities up again nor builds a new Resources object.
   */
  private capacity(node: Node): { alloc: Resources; maxPods: number } {
    const list = node.status.allocatable;
    if (this.parsedCapacity?.list !== list) {
      const alloc = toResources(list);
      const maxPods = list.pods !== undefined ? parseBytes(list.pods) : this.settings.maxPods;
      this.parsedCapacity = { list, alloc, maxPods };
    }
    return this.parsedCapacity;
  }

  /**
   * Writes a status change as the kubelet's status manager does (pkg/kubelet/status): when the API
   * server refuses, the change is kept and written again at the next sync, every 10 s, unless a
   * later change has been issued since: the manager syncs only a pod's latest status, so a
   * refused Running write never lands after the Ready one that superseded it.
   */
  private writeStatus(running: RunningPod, change: StatusChange): void {
    const epoch = this.epoch;
    const write = ++running.statusWrites;
    const attempt = (): void => {
      if (epoch !== this.epoch || write !== running.statusWrites) return;
      const result = this.ctx.store.modify("Pod", running.key, (cur) => (cur.metadata.uid === running.uid ? change(cur) : undefined));
      if (!result.ok && result.error.reason === "ServiceUnavailable") this.ctx.engine.after(STATUS_SYNC_PERIOD, attempt);
    };
    attempt();
  }

  private startPod(running: RunningPod, admitted: Pod): void {
    const { engine, events, store } = this.ctx;
    // The pod manager holds the latest version of the pod it was told about.
    const latest = store.get("Pod", running.key);
    const pod = latest && latest.metadata.uid === running.uid ? latest : admitted;
    const now = engine.now;
    const ip = this.nextPodIP();
    running.started = true;
    running.startedAt = now;
    running.podIP = ip;
    this.writeStatus(running, this.runningStatus(now, ip));
    for (const c of pod.spec.containers) events.record(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet", this.nodeName);
    const epoch = this.epoch;
    engine.after(sampleDelay(this.settings.readinessDelay, this.rng), () => {
      if (epoch !== this.epoch || !this.pods.has(running.uid) || running.killing) return;
      this.setReady(running);
    });
    const runFor = pod.metadata.annotations?.["simk.dev/run-duration"];
    if (runFor !== undefined) {
      engine.after(parseDuration(runFor), () => {
        if (epoch !== this.epoch || !this.pods.has(running.uid) || running.killing) return;
        this.complete(running, pod.metadata.annotations?.["simk.dev/exit"] === "failure");
      });
    }
  }

  /** The Running status change of a pod started at `now` with `ip`. */
  private runningStatus(now: number, ip: string): StatusChange {
    const hostIP = this.hostIP;
    return (cur) => {
      if (cur.metadata.deletionTimestamp !== undefined) return undefined;
      const conditions: PodCondition[] = [
        { type: "PodScheduled", status: "True", lastTransitionTime: cur.status.conditions?.find((c) => c.type === "PodScheduled")?.lastTransitionTime ?? now },
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "ContainersReady", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
        { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
      ];
      return {
        ...cur,
        status: {
          ...cur.status,
          phase: "Running",
          startTime: now,
          hostIP,
          podIP: ip,
          conditions,
          containerStatuses: containerStatuses(cur.spec.containers, false),
        },
      } satisfies Pod;
    };
  }

  /**
   * `cur` with the Running status if the kubelet started the pod but its Running write has not
   * landed (refused, then superseded by a later write); undefined if it never started it.
   */
  private asRunning(running: RunningPod, cur: Pod): Pod | undefined {
    if (cur.status.phase === "Running") return cur;
    // A pod that has finished stays finished.
    if (cur.status.phase === "Succeeded" || cur.status.phase === "Failed") return undefined;
    return running.startedAt !== undefined ? this.runningStatus(running.startedAt, running.podIP!)(cur) : undefined;
  }

  /** The readiness probe passed: Ready and ContainersReady (and Running, if not yet reported). */
  private setReady(running: RunningPod): void {
    const now = this.ctx.engine.now;
    this.writeStatus(running, (cur) => {
      const base = this.asRunning(running, cur);
      if (!base || base.status.phase !== "Running") return undefined;
      const conditions = (base.status.conditions ?? []).map((c) =>
        c.type === "Ready" || c.type === "ContainersReady" ? { type: c.type, status: "True" as const, lastTransitionTime: now } : c,
      );
      return { ...base, status: { ...base.status, conditions, containerStatuses: base.status.containerStatuses && containerStatuses(base.spec.containers, true) } };
    });
  }

  private complete(running: RunningPod, failed: boolean): void {
    const now = this.ctx.engine.now;
    this.untrack(running.uid);
    this.writeStatus(running, (latest) => {
      // A pod whose Running write never landed still reports its start time and IP.
      const cur = this.asRunning(running, latest) ?? latest;
      const conditions = (cur.status.conditions ?? []).map((c) =>
        c.type === "Ready" || c.type === "ContainersReady" ? { type: c.type, status: "False" as const, reason: "PodCompleted", lastTransitionTime: now } : c,
      );
      return { ...cur, status: { ...cur.status, phase: failed ? "Failed" : "Succeeded", reason: failed ? "Error" : "Completed", conditions } };
    });
  }

  private kill(pod: Pod, running: RunningPod): void {
    running.killing = true;
    const { engine, events } = this.ctx;
    if (running.started) {
      for (const c of pod.spec.containers) events.record(pod, "Normal", "Killing", `Stopping container ${c.name}`, "kubelet", this.nodeName);
    }
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1_000_000;
    const stop = running.started ? Math.min(grace, CONTAINER_STOP_DELAY) : 0;
    const epoch = this.epoch;
    engine.after(stop, () => {
      if (epoch !== this.epoch) return;
      this.untrack(running.uid);
      this.finishDeletion(pod);
    });
  }

  private finishDeletion(pod: Pod): void {
    const epoch = this.epoch;
    const attempt = (): void => {
      if (epoch !== this.epoch) return;
      const result = this.ctx.store.delete("Pod", objectKey(pod.metadata), { gracePeriodSeconds: 0, uid: pod.metadata.uid });
      if (!result.ok && result.error.reason === "ServiceUnavailable") this.ctx.engine.after(STATUS_SYNC_PERIOD, attempt);
    };
    attempt();
  }

  private track(running: RunningPod): void {
    this.pods.set(running.uid, running);
    this.held.milliCPU += running.milliCPU;
    this.held.memory += running.memory;
  }

  private untrack(uid: string): void {
    const running = this.pods.get(uid);
    if (!running) return;
    this.pods.delete(uid);
    this.held.milliCPU -= running.milliCPU;
    this.held.memory -= running.memory;
  }

  private nextPodIP(): string {
    this.podIndex = (this.podIndex % 253) + 1;
    return `10.${244 + (this.nodeIndex >> 8)}.${this.nodeIndex & 255}.${this.podIndex + 1}`;
  }
}

/** predicate.go's resource checks, in its order: pods, then cpu, then memory. */
function rejection(
  used: { count: number; milliCPU: number; memory: number },
  want: { milliCPU: number; memory: number },
  alloc: { milliCPU: number; memory: number },
  maxPods: number,
): "OutOfpods" | "OutOfcpu" | "OutOfmemory" | undefined {
  if (used.count + 1 > maxPods) return "OutOfpods";
  if (used.milliCPU + want.milliCPU > alloc.milliCPU) return "OutOfcpu";
  if (used.memory + want.memory > alloc.memory) return "OutOfmemory";
  return undefined;
}

function nodeIP(index: number): string {
  return `192.168.${index >> 8}.${(index & 255) + 1}`;
}
