/**
 * The Deployment controller (pkg/controller/deployment/).
 *
 * The ReplicaSet whose pod-template-hash matches the Deployment's template is the new one; the
 * others are old. RollingUpdate (rolling.go):
 *  - scale the new ReplicaSet up to at most replicas + maxSurge pods in total;
 *  - scale old ones down, unhealthy pods first, never below replicas − maxUnavailable available,
 *    oldest ReplicaSet first.
 * Recreate (recreate.go): scale old ReplicaSets to 0, wait until their pods are gone, then scale the
 * new one up. maxSurge rounds up and maxUnavailable rounds down; both 0 → maxUnavailable 1
 * (util/deployment_util.go ResolveFenceposts). Old ReplicaSets beyond revisionHistoryLimit are
 * deleted once they have no replicas.
 */
import type { Deployment, IntOrString, PodTemplateSpec, ReplicaSet } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import type { ControllerSettings } from "../scenario/types.js";
import { controllerUid, type SharedInformers } from "./informers.js";
import { WorkQueue } from "./workqueue.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: surge rounded up, unavailable down; both zero → unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** MaxUnavailable (deployment_util.go): 0 for Recreate or 0 replicas; at most replicas. */
export function maxUnavailable(d: Deployment): number {
  if (d.spec.strategy.type !== "RollingUpdate" || d.spec.replicas === 0) return 0;
  const { unavailable } = resolveFenceposts(d.spec.strategy.rollingUpdate?.maxSurge, d.spec.strategy.rollingUpdate?.maxUnavailable, d.spec.replicas);
  return Math.min(unavailable, d.spec.replicas);
}

export function maxSurge(d: Deployment): number {
  if (d.spec.strategy.type !== "RollingUpdate") return 0;
  return resolveFenceposts(d.spec.strategy.rollingUpdate?.maxSurge, d.spec.strategy.rollingUpdate?.maxUnavailable, d.spec.replicas).surge;
}

/** FNV-1a 32-bit over the template's JSON, encoded with the API server's safe alphabet (as ComputeHash + SafeEncodeString). */
export function podTemplateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const text = JSON.stringify(template) + (collisionCount ? String(collisionCount) : "");
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (const ch of String(h)) out += alphabet[ch.charCodeAt(0) % alphabet.length];
  return out;
}

const replicasOf = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + rs.spec.replicas, 0);
const availableOf = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status.availableReplicas ?? 0), 0);
const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  a.metadata.creationTimestamp - b.metadata.creationTimestamp || (a.metadata.name < b.metadata.name ? -1 : 1);

/** NewRSNewReplicas for RollingUpdate: how many replicas the new ReplicaSet may have now. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const current = newRS?.spec.replicas ?? 0;
  if (d.spec.strategy.type === "Recreate") return d.spec.replicas;
  const maxTotal = d.spec.replicas + maxSurge(d);
  const total = replicasOf(all);
  if (total >= maxTotal) return current;
  const scaleUp = Math.min(maxTotal - total, d.spec.replicas - current);
  return current + Math.max(0, scaleUp);
}

export class DeploymentController {
  private readonly queue: WorkQueue;

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, settings: ControllerSettings) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.deployments.on((e) => {
      if (e.type !== "DELETED") this.queue.add(objectKey(e.object.metadata));
    });
    this.informers.replicaSets.on((e) => {
      const ref = e.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === "Deployment");
      if (ref) this.queue.add(`${e.object.metadata.namespace}/${ref.name}`);
    });
  }

  private replicaSetsOf(d: Deployment): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of this.informers.replicaSets.objects.values()) if (controllerUid(rs) === d.metadata.uid) out.push(rs);
    return out.sort(byCreation);
  }

  private sync(key: string): void {
    const d = this.informers.deployments.get(key);
    if (!d || d.metadata.deletionTimestamp !== undefined) return;
    let all = this.replicaSetsOf(d);
    const hash = podTemplateHash(d.spec.template);
    let newRS = all.find((rs) => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
    if (d.spec.paused) {
      this.syncStatus(d, all, newRS);
      return;
    }
    if (!newRS) {
      newRS = this.createNewReplicaSet(d, all, hash);
      if (!newRS) return;
      all = [...all, newRS];
    }
    const old = all.filter((rs) => rs !== newRS);
    if (d.spec.strategy.type === "Recreate") this.rolloutRecreate(d, old, newRS);
    else this.rolloutRolling(d, all, old, newRS);
    this.cleanup(d, this.replicaSetsOf(d), newRS);
    this.syncStatus(d, this.replicaSetsOf(d), this.replicaSetsOf(d).find((rs) => rs.metadata.uid === newRS!.metadata.uid));
  }

  private createNewReplicaSet(d: Deployment, all: ReplicaSet[], hash: string): ReplicaSet | undefined {
    const maxRevision = Math.max(0, ...all.map((rs) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0)));
    const labels = { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const template: PodTemplateSpec = { metadata: { ...(d.spec.template.metadata ?? {}), labels }, spec: d.spec.template.spec };
    const replicas = newRSNewReplicas(d, all, undefined);
    const result = this.ctx.store.create<"ReplicaSet">({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels,
        annotations: { [REVISION_ANNOTATION]: String(maxRevision + 1) },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas,
        minReadySeconds: d.spec.minReadySeconds,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template,
      },
      status: { replicas: 0 },
    });
    if (!result.ok) return undefined;
    if (replicas > 0) this.scaledEvent(d, result.object, 0, replicas);
    this.ctx.stats.inc("deployment.replicaSetsCreated");
    return result.object;
  }

  private rolloutRolling(d: Deployment, all: ReplicaSet[], old: ReplicaSet[], newRS: ReplicaSet): void {
    // reconcileNewReplicaSet
    if (newRS.spec.replicas > d.spec.replicas) {
      this.scale(d, newRS, d.spec.replicas);
      return;
    }
    if (newRS.spec.replicas < d.spec.replicas) {
      const target = newRSNewReplicas(d, all, newRS);
      if (target !== newRS.spec.replicas) {
        this.scale(d, newRS, target);
        return;
      }
    }
    // reconcileOldReplicaSets
    if (replicasOf(old) === 0) return;
    const minAvailable = d.spec.replicas - maxUnavailable(d);
    const newUnavailable = newRS.spec.replicas - (newRS.status.availableReplicas ?? 0);
    const maxScaledDown = replicasOf(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    // cleanupUnhealthyReplicas: remove old pods that are not available first.
    let cleaned = 0;
    const current = old.map((rs) => ({ rs, replicas: rs.spec.replicas }));
    for (const o of current.sort((a, b) => byCreation(a.rs, b.rs))) {
      if (cleaned >= maxScaledDown) break;
      if (o.replicas === 0) continue;
      const unhealthy = o.replicas - (o.rs.status.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      const before = o.replicas;
      o.replicas -= n;
      cleaned += n;
      this.scale(d, o.rs, o.replicas, before);
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available old pods, keeping minAvailable.
    const available = availableOf(all);
    if (available <= minAvailable) return;
    const toScale = available - minAvailable;
    let scaled = 0;
    for (const o of current) {
      if (scaled >= toScale) break;
      if (o.replicas === 0) continue;
      const n = Math.min(o.replicas, toScale - scaled);
      const before = o.replicas;
      o.replicas -= n;
      scaled += n;
      this.scale(d, o.rs, o.replicas, before);
    }
  }

  private rolloutRecreate(d: Deployment, old: ReplicaSet[], newRS: ReplicaSet): void {
    const activeOld = old.filter((rs) => rs.spec.replicas > 0);
    if (activeOld.length > 0) {
      for (const rs of activeOld) this.scale(d, rs, 0);
      return;
    }
    // Wait until every old pod is gone (recreate.go oldPodsRunning).
    const oldPods = old.reduce((n, rs) => n + rs.status.replicas, 0);
    if (oldPods > 0) return;
    if (newRS.spec.replicas !== d.spec.replicas) this.scale(d, newRS, d.spec.replicas);
  }

  private scale(d: Deployment, rs: ReplicaSet, replicas: number, from = rs.spec.replicas): void {
    if (from === replicas) return;
    const result = this.ctx.store.modify("ReplicaSet", objectKey(rs.metadata), (cur) =>
      cur.metadata.uid === rs.metadata.uid ? { ...cur, spec: { ...cur.spec, replicas } } : undefined,
    );
    if (result.ok) this.scaledEvent(d, rs, from, replicas);
  }

  private scaledEvent(d: Deployment, rs: ReplicaSet, from: number, to: number): void {
    this.ctx.events.record(
      d,
      "Normal",
      "ScalingReplicaSet",
      `Scaled ${to > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${to}`,
      "deployment-controller",
    );
  }

  /** Deletes old, empty ReplicaSets beyond revisionHistoryLimit (oldest first). */
  private cleanup(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): void {
    const old = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid && rs.spec.replicas === 0 && rs.status.replicas === 0);
    const excess = old.length - d.spec.revisionHistoryLimit;
    for (let i = 0; i < excess; i++) this.ctx.store.delete("ReplicaSet", objectKey(old[i].metadata));
  }

  private syncStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const now = this.ctx.engine.now;
    const replicas = all.reduce((n, rs) => n + rs.status.replicas, 0);
    const updated = newRS?.status.replicas ?? 0;
    const ready = all.reduce((n, rs) => n + (rs.status.readyReplicas ?? 0), 0);
    const available = availableOf(all);
    const unavailable = Math.max(0, replicasOf(all) - available);
    const availableOk = available >= d.spec.replicas - maxUnavailable(d);
    const complete = updated === d.spec.replicas && replicas === d.spec.replicas && available === d.spec.replicas;
    const current = this.informers.deployments.get(objectKey(d.metadata)) ?? d;
    const prevAvail = current.status.conditions?.find((c) => c.type === "Available");
    const prevProg = current.status.conditions?.find((c) => c.type === "Progressing");
    const availStatus = availableOk ? "True" : "False";
    const progReason = complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated";
    const conditions = [
      {
        type: "Available" as const,
        status: availStatus as "True" | "False",
        reason: availableOk ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        message: availableOk ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
        lastUpdateTime: prevAvail?.status === availStatus ? prevAvail.lastUpdateTime : now,
        lastTransitionTime: prevAvail?.status === availStatus ? prevAvail.lastTransitionTime : now,
      },
      {
        type: "Progressing" as const,
        status: "True" as const,
        reason: progReason,
        message: complete ? `ReplicaSet "${newRS?.metadata.name}" has successfully progressed.` : `ReplicaSet "${newRS?.metadata.name}" is progressing.`,
        lastUpdateTime: prevProg?.reason === progReason ? prevProg.lastUpdateTime : now,
        lastTransitionTime: prevProg?.lastTransitionTime ?? now,
      },
    ];
    const status = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: unavailable,
      conditions,
    };
    if (JSON.stringify(status) === JSON.stringify(current.status)) return;
    this.ctx.store.modify("Deployment", objectKey(d.metadata), (cur) => (cur.metadata.uid === d.metadata.uid ? { ...cur, status } : undefined));
  }
}
