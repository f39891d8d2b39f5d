/**
 * The controller-manager's shared informers (client-go SharedInformerFactory): one watch per kind,
 * a local cache that lags the API server by the watch latency, indexes, and fan-out to every
 * controller's handlers. Controllers read these caches and write through the store.
 */
import type { Kind, KindMap, Pod } from "../api/objects.js";
import type { Store, WatchEvent } from "../api/store.js";

export type InformerHandler<T> = (event: WatchEvent<T & KindMap[Kind]>) => void;

export class Informer<K extends Kind> {
  readonly objects = new Map<string, KindMap[K]>();
  private readonly handlers: InformerHandler<KindMap[K]>[] = [];

  constructor(store: Store, readonly kind: K) {
    store.watch(kind, (e) => {
      // The store's key, which it hands with every event: no key string built per event here.
      if (e.type === "DELETED") this.objects.delete(e.key);
      else this.objects.set(e.key, e.object);
      this.onEvent(e);
      for (const h of this.handlers) h(e);
    });
  }

  on(handler: InformerHandler<KindMap[K]>): void {
    this.handlers.push(handler);
  }

  get(key: string): KindMap[K] | undefined {
    return this.objects.get(key);
  }

  /** Hook for subclasses to maintain indexes before handlers run. */
  protected onEvent(_e: WatchEvent<KindMap[K]>): void {}
}

/**
 * An informer that also indexes its objects by their controlling owner's uid (the ReplicaSets of
 * a Deployment), so a controller's sync need not walk every object of the kind.
 */
export class OwnerIndexedInformer<K extends Kind> extends Informer<K> {
  private readonly byOwner = new Map<string, Map<string, KindMap[K]>>();

  /** The objects whose controlling owner has this uid, in the order they came under it. */
  ownedBy(ownerUid: string): KindMap[K][] {
    return [...(this.byOwner.get(ownerUid)?.values() ?? [])];
  }

  protected override onEvent(e: WatchEvent<KindMap[K]>): void {
    const key = e.key;
    const before = e.oldObject ? controllerUid(e.oldObject) : undefined;
    const after = e.type === "DELETED" ? undefined : controllerUid(e.object);
    if (before !== undefined && before !== after) {
      const owned = this.byOwner.get(before);
      owned?.delete(key);
      if (owned?.size === 0) this.byOwner.delete(before);
    }
    if (after !== undefined) {
      let owned = this.byOwner.get(after);
      if (!owned) this.byOwner.set(after, (owned = new Map()));
      owned.set(key, e.object);
    }
  }
}

export const isPodTerminal = (p: Pod): boolean => p.status.phase === "Succeeded" || p.status.phase === "Failed";
export const isPodActive = (p: Pod): boolean => !isPodTerminal(p) && p.metadata.deletionTimestamp === undefined;
export const isPodReady = (p: Pod): boolean => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

type Labels = Readonly<Record<string, string>> | undefined;

/**
 * The active pods (not terminating, not finished) of one controller, counted as the informer's
 * events arrive, so that a controller's sync need not walk every pod it owns: how many, how many
 * Ready, and how many carry each labels object (pods made from one template share it).
 */
export class ActivePods {
  count = 0;
  ready = 0;
  readonly byLabels = new Map<Labels, number>();

  add(pod: Pod, delta: 1 | -1): void {
    this.count += delta;
    if (isPodReady(pod)) this.ready += delta;
    this.addLabels(pod.metadata.labels, delta);
  }

  /** add(old, -1) then add(pod, 1), for a pod that stays active: only what differs changes. */
  replace(old: Pod, pod: Pod): void {
    this.ready += Number(isPodReady(pod)) - Number(isPodReady(old));
    if (old.metadata.labels !== pod.metadata.labels) {
      this.addLabels(old.metadata.labels, -1);
      this.addLabels(pod.metadata.labels, 1);
    }
  }

  private addLabels(labels: Labels, delta: 1 | -1): void {
    const n = (this.byLabels.get(labels) ?? 0) + delta;
    if (n === 0) this.byLabels.delete(labels);
    else this.byLabels.set(labels, n);
  }
}

const NO_ACTIVE_PODS: Readonly<ActivePods> = Object.freeze(new ActivePods());

/** Pods, indexed by node and by controller owner uid. */
export class PodInformer extends Informer<"Pod"> {
  private readonly byNode = new Map<string, Map<string, Pod>>();
  private readonly byOwner = new Map<string, Map<string, Pod>>();
  private readonly activeByOwner = new Map<string, ActivePods>();

  constructor(store: Store) {
    super(store, "Pod");
  }

  onNode(node: string): Pod[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  /** Names of nodes that have (or had) pods bound to them. */
  boundNodeNames(): string[] {
    return [...this.byNode.keys()];
  }

  ownedBy(ownerUid: string): Pod[] {
    return [...(this.byOwner.get(ownerUid)?.values() ?? [])];
  }

  /** The counts of ownedBy(ownerUid).filter(isPodActive), kept up to date (read-only). */
  activeOwnedBy(ownerUid: string): Readonly<ActivePods> {
    return this.activeByOwner.get(ownerUid) ?? NO_ACTIVE_PODS;
  }

  protected override onEvent(e: WatchEvent<Pod>): void {
    const uid = e.object.metadata.uid;
    const old = e.oldObject;
    const pod = e.type === "DELETED" ? undefined : e.object;
    const ownerOld = old && controllerUid(old);
    // A status write keeps the owner references (the same array), so the same owner.
    const owner = pod && (old && old.metadata.ownerReferences === pod.metadata.ownerReferences ? ownerOld : controllerUid(pod));
    // Take the old version out of the indexes and put the new one in (at the end: the order of a
    // node's or an owner's pods is the order of their last change).
    if (old) {
      if (old.spec.nodeName) this.byNode.get(old.spec.nodeName)?.delete(uid);
      if (ownerOld) this.byOwner.get(ownerOld)?.delete(uid);
    }
    if (pod) {
      if (pod.spec.nodeName) index(this.byNode, pod.spec.nodeName, uid, pod);
      if (owner) index(this.byOwner, owner, uid, pod);
    }
    const wasActive = !!ownerOld && isPodActive(old!);
    const isActive = !!owner && isPodActive(pod!);
    const counted = wasActive && isActive && ownerOld === owner ? this.activeByOwner.get(owner) : undefined;
    if (counted) counted.replace(old!, pod!);
    else {
      if (wasActive) this.countActive(ownerOld, old!, -1);
      if (isActive) this.countActive(owner, pod!, 1);
    }
  }

  private countActive(owner: string, pod: Pod, delta: 1 | -1): void {
    let active = this.activeByOwner.get(owner);
    if (!active) this.activeByOwner.set(owner, (active = new ActivePods()));
    active.add(pod, delta);
    if (active.count === 0) this.activeByOwner.delete(owner);
  }
}

function index(map: Map<string, Map<string, Pod>>, key: string, uid: string, pod: Pod): void {
  let m = map.get(key);
  if (!m) map.set(key, (m = new Map()));
  m.set(uid, pod);
}

/** The uid of the object's controlling owner, if any. */
export function controllerUid(obj: { metadata: { ownerReferences?: { uid: string; controller?: boolean }[] } }): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

export interface SharedInformers {
  pods: PodInformer;
  nodes: Informer<"Node">;
  leases: Informer<"Lease">;
  replicaSets: OwnerIndexedInformer<"ReplicaSet">;
  deployments: Informer<"Deployment">;
  daemonSets: Informer<"DaemonSet">;
  jobs: Informer<"Job">;
  services: Informer<"Service">;
  endpointSlices: Informer<"EndpointSlice">;
  podDisruptionBudgets: Informer<"PodDisruptionBudget">;
  resourceQuotas: Informer<"ResourceQuota">;
  namespaces: Informer<"Namespace">;
}

export function createSharedInformers(store: Store): SharedInformers {
  return {
    pods: new PodInformer(store),
    nodes: new Informer(store, "Node"),
    leases: new Informer(store, "Lease"),
    replicaSets: new OwnerIndexedInformer(store, "ReplicaSet"),
    deployments: new Informer(store, "Deployment"),
    daemonSets: new Informer(store, "DaemonSet"),
    jobs: new Informer(store, "Job"),
    services: new Informer(store, "Service"),
    endpointSlices: new Informer(store, "EndpointSlice"),
    podDisruptionBudgets: new Informer(store, "PodDisruptionBudget"),
    resourceQuotas: new Informer(store, "ResourceQuota"),
    namespaces: new Informer(store, "Namespace"),
  };
}
