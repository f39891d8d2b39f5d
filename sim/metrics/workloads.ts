/**
 * Per-Deployment dynamics, measured at the instant things change (from every write), not at sample
 * times:
 *  - rollouts: from the write that changes the pod template to the first moment the Deployment
 *    reports the rollout complete (updated = ready-for-service = available = desired, and the new
 *    generation observed); meanwhile the most pods (not terminating) and the fewest ready pods;
 *  - recovery: after the first node failure, from the failure to the first moment every replica is
 *    available again, if availability dipped.
 */
import type { Deployment, Kind, KubeObject, Pod, ReplicaSet } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { Store, WatchEvent } from "../api/store.js";

interface Rollout {
  start: number;
  end?: number;
  maxPods: number;
  minReady: number;
}

interface Tracked {
  key: string;
  pods: number;
  ready: number;
  desired: number;
  available: number;
  rollouts: Rollout[];
  dippedAfterFailure: boolean;
  recoveredAt?: number;
}

export class WorkloadTracker {
  private readonly deployments = new Map<string, Tracked>();
  /** ReplicaSet uid → owning Deployment key. */
  private readonly rsOwner = new Map<string, string>();
  private failureAt?: number;

  constructor(store: Store, private readonly now: () => number) {
    store.observe((kind, e) => this.onWrite(kind, e));
  }

  markFailure(at: number): void {
    if (this.failureAt !== undefined) return;
    this.failureAt = at;
    for (const d of this.deployments.values()) if (d.available < d.desired) d.dippedAfterFailure = true;
  }

  private tracked(key: string): Tracked {
    let t = this.deployments.get(key);
    if (!t) this.deployments.set(key, (t = { key, pods: 0, ready: 0, desired: 0, available: 0, rollouts: [], dippedAfterFailure: false }));
    return t;
  }

  private onWrite(kind: Kind, e: WatchEvent<KubeObject>): void {
    if (kind === "ReplicaSet") {
      const rs = e.object as ReplicaSet;
      const ref = rs.metadata.ownerReferences?.find((r) => r.controller && r.kind === "Deployment");
      if (ref) this.rsOwner.set(rs.metadata.uid, `${rs.metadata.namespace}/${ref.name}`);
    } else if (kind === "Pod") {
      const old = e.oldObject as Pod | undefined;
      const pod = e.object as Pod;
      const oldKey = old && this.deploymentOf(old);
      if (old) this.applyPod(old, oldKey, -1);
      // A status write keeps the pod's owner references (the same array): the same Deployment.
      const key = old && old.metadata.ownerReferences === pod.metadata.ownerReferences ? oldKey : this.deploymentOf(pod);
      if (e.type !== "DELETED") this.applyPod(pod, key, +1);
    } else if (kind === "Deployment") {
      this.onDeployment(e as WatchEvent<Deployment>);
    }
  }

  /** The key of the Deployment whose ReplicaSet controls the pod, if any. */
  private deploymentOf(p: Pod): string | undefined {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller && r.kind === "ReplicaSet");
    return ref && this.rsOwner.get(ref.uid);
  }

  private applyPod(p: Pod, key: string | undefined, sign: 1 | -1): void {
    if (!key) return;
    if (p.metadata.deletionTimestamp !== undefined || p.status.phase === "Succeeded" || p.status.phase === "Failed") return;
    const t = this.tracked(key);
    t.pods += sign;
    if (p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")) t.ready += sign;
    const r = t.rollouts[t.rollouts.length - 1];
    if (r && r.end === undefined) {
      r.maxPods = Math.max(r.maxPods, t.pods);
      r.minReady = Math.min(r.minReady, t.ready);
    }
  }

  private onDeployment(e: WatchEvent<Deployment>): void {
    const key = objectKey(e.object.metadata);
    if (e.type === "DELETED") return;
    const d = e.object;
    const t = this.tracked(key);
    const now = this.now();
    t.desired = d.spec.replicas;
    t.available = d.status.availableReplicas ?? 0;
    const old = e.oldObject;
    if (old && old.spec.template !== d.spec.template && JSON.stringify(old.spec.template) !== JSON.stringify(d.spec.template)) {
      t.rollouts.push({ start: now, maxPods: t.pods, minReady: t.ready });
    }
    const r = t.rollouts[t.rollouts.length - 1];
    const s = d.status;
    const complete =
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === d.spec.replicas &&
      s.replicas === d.spec.replicas &&
      s.availableReplicas === d.spec.replicas;
    if (r && r.end === undefined && complete) r.end = now;
    if (this.failureAt !== undefined && t.recoveredAt === undefined) {
      if (t.available < t.desired) t.dippedAfterFailure = true;
      else if (t.dippedAfterFailure) t.recoveredAt = now;
    }
  }

  /** Summary metrics, keyed deployment.<ns>.<name>.… . */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of [...this.deployments.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const prefix = `deployment.${t.key.replace("/", ".")}`;
      if (t.rollouts.length > 0) {
        const last = t.rollouts[t.rollouts.length - 1];
        out[`${prefix}.rollouts`] = t.rollouts.length;
        if (last.end !== undefined) out[`${prefix}.rollout.durationSeconds`] = (last.end - last.start) / 1_000_000;
        out[`${prefix}.rollout.complete`] = last.end !== undefined ? 1 : 0;
        out[`${prefix}.rollout.maxPods`] = last.maxPods;
        out[`${prefix}.rollout.minReady`] = last.minReady;
      }
      if (this.failureAt !== undefined && t.dippedAfterFailure && t.recoveredAt !== undefined) {
        out[`${prefix}.recoverySeconds`] = (t.recoveredAt - this.failureAt) / 1_000_000;
      }
    }
    return out;
  }
}
