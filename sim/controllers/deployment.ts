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
import type { SharedInformers } from "./informers.js";
import { WorkQueue } from "./workqueue.js";
import { jsonEqual } from "../api/json.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** util/deployment_util.go: the Deployment size and size + surge a ReplicaSet was last scaled for. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";

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
  // Stored objects are immutable: a template's hash is worked out once (a sync runs per
  // ReplicaSet status change, thousands of times in a large rollout).
  if (collisionCount === 0) {
    let hash = templateHashes.get(template);
    if (hash === undefined) templateHashes.set(template, (hash = computeTemplateHash(template, 0)));
    return hash;
  }
  return computeTemplateHash(template, collisionCount);
}

const templateHashes = new WeakMap<PodTemplateSpec, string>();

function computeTemplateHash(template: PodTemplateSpec, collisionCount: number): string {
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

function replicasAnnotations(d: Deployment): Record<string, string> {
  return { [DESIRED_REPLICAS_ANNOTATION]: String(d.spec.replicas), [MAX_REPLICAS_ANNOTATION]: String(d.spec.replicas + maxSurge(d)) };
}

/** isScalingEvent: an active ReplicaSet was last sized for a different Deployment size. */
export function isScalingEvent(d: Deployment, all: ReplicaSet[]): boolean {
  for (const rs of all) {
    if (rs.spec.replicas === 0) continue;
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    if (desired !== undefined && Number(desired) !== d.spec.replicas) return true;
  }
  return false;
}

/** FindActiveOrLatest: the only ReplicaSet with replicas; with none, the new (or newest) one; else none. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, old: ReplicaSet[]): ReplicaSet | undefined {
  const all = [...(newRS ? [newRS] : []), ...old];
  const active = all.filter((rs) => rs.spec.replicas > 0);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? [...old].sort(byCreation).pop();
  return undefined;
}

/**
 * getProportion / getReplicaSetFraction (sync.go): the share of `toAdd` this ReplicaSet gets,
 * round(replicas × (replicas + maxSurge) ÷ the max-replicas it was sized for) − replicas, bounded by
 * what is left to add (or remove).
 */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rs.spec.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (d.spec.replicas === 0) fraction = -rs.spec.replicas;
  else {
    const deploymentReplicas = d.spec.replicas + maxSurge(d);
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? d.status.replicas ?? 0);
    const newSize = annotated > 0 ? (rs.spec.replicas * deploymentReplicas) / annotated : 0;
    fraction = goRound(newSize) - rs.spec.replicas;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * sync.go scale(), as sizes: the one active ReplicaSet takes the new size; if the new ReplicaSet
 * is saturated the old ones go to 0; otherwise (RollingUpdate) the difference to replicas +
 * maxSurge is spread over the active ReplicaSets in proportion to their size (larger first; newer
 * first when growing, older first when shrinking), leftovers to the first.
 */
export function proportionalSizes(d: Deployment, newRS: ReplicaSet | undefined, old: ReplicaSet[]): Map<ReplicaSet, number> {
  const sizes = new Map<ReplicaSet, number>();
  const activeOrLatest = findActiveOrLatest(newRS, old);
  if (activeOrLatest) return sizes.set(activeOrLatest, d.spec.replicas);
  if (newRS && newRS.spec.replicas === d.spec.replicas && (newRS.status.availableReplicas ?? 0) === d.spec.replicas) {
    for (const rs of old) if (rs.spec.replicas > 0) sizes.set(rs, 0);
    return sizes;
  }
  if (d.spec.strategy.type !== "RollingUpdate") return sizes;
  const active = [...(newRS ? [newRS] : []), ...old].filter((rs) => rs.spec.replicas > 0);
  const allowed = d.spec.replicas > 0 ? d.spec.replicas + maxSurge(d) : 0;
  const toAdd = allowed - replicasOf(active);
  const ordered = [...active].sort((a, b) => {
    if (a.spec.replicas !== b.spec.replicas) return b.spec.replicas - a.spec.replicas;
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
  });
  let added = 0;
  for (const rs of ordered) {
    const p = proportion(rs, d, toAdd, added);
    sizes.set(rs, rs.spec.replicas + p);
    added += p;
  }
  if (ordered.length > 0 && added !== toAdd) sizes.set(ordered[0], sizes.get(ordered[0])! + (toAdd - added));
  for (const [rs, size] of sizes) sizes.set(rs, Math.max(0, size));
  return sizes;
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
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
      if (e.type !== "DELETED") this.queue.add(e.key);
    });
    this.informers.replicaSets.on((e) => {
      const ref = e.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === "Deployment");
      if (ref) this.queue.add(`${e.object.metadata.namespace}/${ref.name}`);
    });
  }

  private replicaSetsOf(d: Deployment): ReplicaSet[] {
    return this.informers.replicaSets.ownedBy(d.metadata.uid).sort(byCreation);
  }

  /** Set when a write in the current sync failed (API server unavailable): the sync is retried. */
  private writeFailed = false;

  private sync(key: string): boolean | void {
    this.writeFailed = false;
    const d = this.informers.deployments.get(key);
    if (!d || d.metadata.deletionTimestamp !== undefined) return;
    let all = this.replicaSetsOf(d);
    const hash = podTemplateHash(d.spec.template);
    let newRS = all.find((rs) => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
    if (d.spec.paused) {
      this.syncStatus(d, all, newRS);
      return;
    }
    // A change of spec.replicas alone is a scaling event: resize proportionally (sync.go scale).
    if (isScalingEvent(d, all)) {
      this.scaleProportionally(d, newRS, all.filter((rs) => rs !== newRS));
      this.syncStatus(d, this.replicaSetsOf(d), newRS && this.replicaSetsOf(d).find((rs) => rs.metadata.uid === newRS!.metadata.uid));
      return this.writeFailed ? false : undefined;
    }
    if (!newRS) {
      newRS = this.createNewReplicaSet(d, all, hash);
      if (!newRS) return false;
      all = [...all, newRS];
    }
    const old = all.filter((rs) => rs !== newRS);
    if (d.spec.strategy.type === "Recreate") this.rolloutRecreate(d, old, newRS);
    else this.rolloutRolling(d, all, old, newRS);
    this.cleanup(d, this.replicaSetsOf(d), newRS);
    this.syncStatus(d, this.replicaSetsOf(d), this.replicaSetsOf(d).find((rs) => rs.metadata.uid === newRS!.metadata.uid));
    return this.writeFailed ? false : undefined;
  }

  /**
   * sync.go scale(): the one active ReplicaSet takes the new size; if the new ReplicaSet is
   * saturated the old ones go to 0; otherwise (RollingUpdate) the difference to replicas + maxSurge
   * is spread over the active ReplicaSets in proportion to their size, leftovers to the largest.
   */
  private scaleProportionally(d: Deployment, newRS: ReplicaSet | undefined, old: ReplicaSet[]): void {
    for (const [rs, size] of proportionalSizes(d, newRS, old)) {
      if (size !== rs.spec.replicas) this.scale(d, rs, size);
      else this.annotate(d, rs);
    }
  }

  /** Records the Deployment size a ReplicaSet now serves (setReplicasAnnotations). */
  private annotate(d: Deployment, rs: ReplicaSet): void {
    const want = replicasAnnotations(d);
    const has = rs.metadata.annotations ?? {};
    if (has[DESIRED_REPLICAS_ANNOTATION] === want[DESIRED_REPLICAS_ANNOTATION] && has[MAX_REPLICAS_ANNOTATION] === want[MAX_REPLICAS_ANNOTATION]) return;
    const result = this.ctx.store.modify("ReplicaSet", objectKey(rs.metadata), (cur) =>
      cur.metadata.uid === rs.metadata.uid ? { ...cur, metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), ...want } } } : undefined,
    );
    if (!result.ok) this.writeFailed = true;
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
        annotations: { [REVISION_ANNOTATION]: String(maxRevision + 1), ...replicasAnnotations(d) },
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
    const annotations = replicasAnnotations(d);
    const result = this.ctx.store.modify("ReplicaSet", objectKey(rs.metadata), (cur) =>
      cur.metadata.uid === rs.metadata.uid
        ? { ...cur, metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), ...annotations } }, spec: { ...cur.spec, replicas } }
        : undefined,
    );
    if (result.ok) this.scaledEvent(d, rs, from, replicas);
    else this.writeFailed = true;
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
    // Progress (progress.go): complete; or something moved since the last status; or timed out.
    const before = current.status;
    const progressed =
      (updated > (before.updatedReplicas ?? 0)) ||
      (replicas < (before.replicas ?? 0)) ||
      (ready > (before.readyReplicas ?? 0)) ||
      (available > (before.availableReplicas ?? 0)) ||
      current.metadata.generation !== before.observedGeneration;
    const deadline = d.spec.progressDeadlineSeconds * 1_000_000;
    let prog: { status: "True" | "False"; reason: string; message: string; lastUpdateTime: number; lastTransitionTime: number };
    const rsName = newRS?.metadata.name;
    if (complete) {
      prog = { status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.`, lastUpdateTime: prevProg?.reason === "NewReplicaSetAvailable" ? prevProg.lastUpdateTime ?? now : now, lastTransitionTime: prevProg?.status === "True" ? prevProg.lastTransitionTime ?? now : now };
    } else if (progressed || !prevProg) {
      prog = { status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.`, lastUpdateTime: now, lastTransitionTime: prevProg?.status === "True" ? prevProg.lastTransitionTime ?? now : now };
    } else if (prevProg.status === "True" && prevProg.reason !== "NewReplicaSetAvailable" && (prevProg.lastUpdateTime ?? now) + deadline < now) {
      prog = { status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rsName}" has timed out progressing.`, lastUpdateTime: now, lastTransitionTime: now };
      this.ctx.stats.inc("deployment.progressDeadlineExceeded");
    } else {
      prog = { status: prevProg.status === "False" ? "False" : "True", reason: prevProg.reason ?? "ReplicaSetUpdated", message: prevProg.message ?? "", lastUpdateTime: prevProg.lastUpdateTime ?? now, lastTransitionTime: prevProg.lastTransitionTime ?? now };
    }
    // requeueStuckDeployment: look again just after the deadline would pass.
    if (!complete && prog.status === "True") this.queue.addAfter(objectKey(d.metadata), Math.max(1, prog.lastUpdateTime + deadline + 1 - now));
    const conditions = [
      {
        type: "Available" as const,
        status: availStatus as "True" | "False",
        reason: availableOk ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        message: availableOk ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
        lastUpdateTime: prevAvail?.status === availStatus ? prevAvail.lastUpdateTime : now,
        lastTransitionTime: prevAvail?.status === availStatus ? prevAvail.lastTransitionTime : now,
      },
      { type: "Progressing" as const, ...prog },
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
    if (jsonEqual(status, current.status)) return;
    this.ctx.store.modify("Deployment", objectKey(d.metadata), (cur) => (cur.metadata.uid === d.metadata.uid ? { ...cur, status } : undefined));
  }
}
