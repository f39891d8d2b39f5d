/**
 * The ResourceQuota controller (pkg/controller/resourcequota/resource_quota_controller.go and
 * quota_monitor.go): keeps each quota's status.hard equal to spec.hard and status.used equal to
 * the namespace's current usage of every hard resource (0 where nothing is used), writing the
 * status only when it changed.
 *
 * A quota is recalculated
 *  - when it is created or its spec.hard changes (status-only updates are ignored);
 *  - on replenishment, as the quota monitor does: a pod that stops being charged (turns terminal
 *    or outlives its deletion grace period — QuotaV1Pod), a Service whose quota type changes, and
 *    any deletion of a quota-tracked object recalculates the quotas of its namespace that
 *    constrain that kind;
 *  - every resourceQuotaSyncPeriod (5 min; cmd/kube-controller-manager/app/options/
 *    resourcequotacontroller.go) for all quotas.
 * simk departure: creations also trigger a recalculation. Upstream the admission plugin has
 * already added the new object to status.used when it admitted it; simk's quota admission
 * (sim/admission/quota.ts) reads usage from the store instead, so status.used is published here,
 * one watch latency plus one sync latency after the create.
 * Usage comes from the shared informers' caches, as the real controller lists from its informers.
 */
import type { Kind, KindMap, KubeObject, Pod, ResourceQuota, Service } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { WatchEvent } from "../api/store.js";
import { formatAmount, hardLimits, matchingResources, podChargedForCompute, QUOTA_KINDS, totalUsage, type Usage } from "../admission/quota.js";
import type { SimContext } from "../cluster/context.js";
import { Priority } from "../engine/engine.js";
import type { ControllerSettings } from "../scenario/types.js";
import type { Informer, SharedInformers } from "./informers.js";
import { WorkQueue } from "./workqueue.js";

/** --resource-quota-sync-period default: 5 min. */
export const RESOURCE_QUOTA_SYNC_PERIOD = 300_000_000;

export class ResourceQuotaController {
  private readonly queue: WorkQueue;
  private readonly byKind: Partial<Record<Kind, Informer<Kind>>>;

  constructor(
    private readonly ctx: SimContext,
    private readonly informers: SharedInformers,
    settings: ControllerSettings,
    private readonly options: { resyncPeriod?: number } = {},
  ) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
    const i = informers;
    this.byKind = {
      Pod: i.pods,
      Service: i.services,
      ReplicaSet: i.replicaSets,
      Deployment: i.deployments,
      DaemonSet: i.daemonSets,
      Job: i.jobs,
      EndpointSlice: i.endpointSlices,
      PodDisruptionBudget: i.podDisruptionBudgets,
      ResourceQuota: i.resourceQuotas,
      Lease: i.leases,
    } as Partial<Record<Kind, Informer<Kind>>>;
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.resourceQuotas.on((e) => {
      if (e.type === "DELETED") return;
      const old = e.oldObject;
      if (e.type === "MODIFIED" && old && sameHard(old.spec.hard, e.object.spec.hard)) return;
      this.queue.add(e.key);
    });
    for (const kind of QUOTA_KINDS) {
      const informer = this.byKind[kind];
      if (!informer) continue;
      informer.on((e) => {
        if (this.shouldReplenish(kind, e as WatchEvent<KubeObject>)) this.replenish(kind, e.object.metadata.namespace ?? "default");
      });
    }
    const period = this.options.resyncPeriod ?? RESOURCE_QUOTA_SYNC_PERIOD;
    const resync = (): void => {
      for (const key of [...this.informers.resourceQuotas.objects.keys()].sort()) this.queue.add(key);
      this.ctx.engine.after(period, resync, Priority.Late);
    };
    this.ctx.engine.after(period, resync, Priority.Late);
  }

  private shouldReplenish(kind: Kind, e: WatchEvent<KubeObject>): boolean {
    if (e.type !== "MODIFIED") return true;
    const now = this.ctx.engine.now;
    if (kind === "Pod") {
      const old = e.oldObject as Pod | undefined;
      return old !== undefined && podChargedForCompute(old, now) && !podChargedForCompute(e.object as Pod, now);
    }
    if (kind === "Service") {
      const quotaType = (s: Service): string => (s.spec.type === "NodePort" || s.spec.type === "LoadBalancer" ? s.spec.type : "");
      const old = e.oldObject as Service | undefined;
      return old !== undefined && quotaType(old) !== quotaType(e.object as Service);
    }
    return false;
  }

  /** Queues the namespace's quotas that constrain something `kind` consumes. */
  private replenish(kind: Kind, namespace: string): void {
    for (const [key, q] of this.informers.resourceQuotas.objects) {
      if (q.metadata.namespace !== namespace) continue;
      if (matchingResources(kind, Object.keys(q.spec.hard ?? {})).length > 0) this.queue.add(key);
    }
  }

  private sync(key: string): void {
    const q = this.informers.resourceQuotas.get(key);
    if (!q) return;
    const status = this.computeStatus(q);
    if (sameList(q.status.hard, status.hard) && sameList(q.status.used, status.used)) return;
    this.ctx.store.modify("ResourceQuota", key, (cur) => (cur.metadata.uid === q.metadata.uid ? { ...cur, status } : undefined));
  }

  /** status.hard (canonical spec.hard) and status.used for every hard resource. */
  computeStatus(q: ResourceQuota): { hard: Record<string, string>; used: Record<string, string> } {
    const now = this.ctx.engine.now;
    const namespace = q.metadata.namespace ?? "default";
    const hard = hardLimits(q);
    const names = [...hard.keys()];
    const used: Usage = new Map();
    for (const kind of QUOTA_KINDS) {
      const matched = matchingResources(kind, names);
      if (matched.length === 0) continue;
      const informer = this.byKind[kind];
      if (!informer) continue;
      const objects: KindMap[Kind][] = [];
      for (const o of informer.objects.values()) if (o.metadata.namespace === namespace) objects.push(o);
      // Stable order, so that the printed format of a sum never depends on cache order.
      objects.sort((a, b) => (objectKey(a.metadata) < objectKey(b.metadata) ? -1 : 1));
      for (const [k, v] of totalUsage(objects, matched, now)) used.set(k, v);
    }
    const hardOut: Record<string, string> = {};
    const usedOut: Record<string, string> = {};
    for (const n of [...names].sort()) {
      hardOut[n] = formatAmount(hard.get(n)!);
      // Resources of kinds simk does not model (persistentvolumeclaims, configmaps, ...) use 0.
      usedOut[n] = used.has(n) ? formatAmount(used.get(n)!) : "0";
    }
    return { hard: hardOut, used: usedOut };
  }
}

function sameList(a: Record<string, string | number> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => String(a[k]) === b[k]);
}

function sameHard(a: Record<string, string | number> | undefined, b: Record<string, string | number> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b !== undefined && k in b && String(a![k]) === String(b[k]));
}
