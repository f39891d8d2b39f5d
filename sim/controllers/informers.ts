/**
 * The controller-manager's shared informers (client-go SharedInformerFactory): one watch per kind,
 * a local cache that lags the API server by the watch latency, indexes, and fan-out to every
 * controller's handlers. Controllers read these caches and write through the store.
 */
import type { Kind, KindMap, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { Store, WatchEvent } from "../api/store.js";

export type InformerHandler<T> = (event: WatchEvent<T & KindMap[Kind]>) => void;

export class Informer<K extends Kind> {
  readonly objects = new Map<string, KindMap[K]>();
  private readonly handlers: InformerHandler<KindMap[K]>[] = [];

  constructor(store: Store, readonly kind: K) {
    store.watch(kind, (e) => {
      const key = objectKey(e.object.metadata);
      if (e.type === "DELETED") this.objects.delete(key);
      else this.objects.set(key, e.object);
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

/** Pods, indexed by node and by controller owner uid. */
export class PodInformer extends Informer<"Pod"> {
  private readonly byNode = new Map<string, Map<string, Pod>>();
  private readonly byOwner = new Map<string, Map<string, Pod>>();

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

  protected override onEvent(e: WatchEvent<Pod>): void {
    const uid = e.object.metadata.uid;
    const old = e.oldObject;
    if (old) {
      if (old.spec.nodeName) this.byNode.get(old.spec.nodeName)?.delete(uid);
      const ownerOld = controllerUid(old);
      if (ownerOld) this.byOwner.get(ownerOld)?.delete(uid);
    }
    if (e.type === "DELETED") return;
    const pod = e.object;
    if (pod.spec.nodeName) index(this.byNode, pod.spec.nodeName, uid, pod);
    const owner = controllerUid(pod);
    if (owner) index(this.byOwner, owner, uid, pod);
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
  replicaSets: Informer<"ReplicaSet">;
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
    replicaSets: new Informer(store, "ReplicaSet"),
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
