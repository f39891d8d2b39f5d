/**
 * An API-server-like object store: the only path by which simk's components share cluster state.
 *
 * - Every write gets a new, cluster-wide increasing `metadata.resourceVersion`; an update whose
 *   resourceVersion is not the stored one fails with 409 Conflict (optimistic concurrency, as in
 *   kube-apiserver's GuaranteedUpdate).
 * - `metadata.generation` starts at 1 and increases when an update changes `spec`.
 * - Deleting a pod that is bound to a node is graceful, as in the real API server: the pod gets
 *   `deletionTimestamp` = now + grace period and stays until its kubelet confirms with a final
 *   delete (grace 0). Unbound pods and all other kinds go at once.
 * - Watches deliver ADDED / MODIFIED / DELETED events after a latency (the store default or the
 *   watcher's own), in write order. Watchers sharing a latency share one engine event per write.
 *   A pod watch may select one node (the kubelet's `spec.nodeName` field selector); those are
 *   indexed by node so a write costs O(1), not O(nodes).
 * - Stored objects are immutable snapshots: writers build new objects; readers never mutate.
 */
import { Engine, Priority } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import {
  API_VERSIONS,
  NAMESPACED_KINDS,
  objectKey,
  type Kind,
  type KindMap,
  type KubeObject,
  type NewObject,
  type Pod,
} from "./objects.js";

export type ApiErrorReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Forbidden"
  | "ServiceUnavailable"
  | "TooManyRequests";

export interface ApiError {
  readonly code: number;
  readonly reason: ApiErrorReason;
  readonly message: string;
}

export type ApiResult<T> = { readonly ok: true; readonly object: T } | { readonly ok: false; readonly error: ApiError };

const ERROR_CODES: Record<ApiErrorReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Forbidden: 403,
  ServiceUnavailable: 503,
  TooManyRequests: 429,
};

export function apiError(reason: ApiErrorReason, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code: ERROR_CODES[reason], reason, message } };
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchEvent<T extends KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
  /** The object's key in the store, "namespace/name" or "name" (objectKey of its metadata). */
  readonly key: string;
  /** The previous state, for MODIFIED and DELETED (what an informer's update handler gets). */
  readonly oldObject?: T;
}

export type WatchHandler<T extends KubeObject> = (event: WatchEvent<T>) => void;

export interface WatchOptions {
  /** Delivery latency in µs; defaults to the store's watch latency. */
  latency?: number;
  /** Only pods bound to this node (the kubelet's spec.nodeName field selector). Pods only. */
  nodeName?: string;
}

export interface Watch {
  stop(): void;
}

/**
 * Admission runs on create, in order, before the object is stored: it may return a changed object
 * (mutating admission) or an error (validating admission, e.g. quota).
 */
export type AdmissionPlugin = (object: NewObject<KubeObject>, store: Store) => ApiResult<NewObject<KubeObject>>;

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  /** Only delete if the stored object still has this uid (a delete precondition). */
  uid?: string;
}

/** Kinds whose `metadata.generation` tracks spec changes. */
const GENERATION_KINDS: ReadonlySet<Kind> = new Set<Kind>(["Deployment", "ReplicaSet", "DaemonSet", "Job", "PodDisruptionBudget"]);

/** Default pod termination grace period (core/v1 defaults: DefaultTerminationGracePeriodSeconds). */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

interface Channel {
  latency: number;
  handlers: Set<WatchHandler<KubeObject>>;
  /**
   * The handlers in order, as an array that is replaced, never changed, when a watch starts or
   * stops: a write takes it as its snapshot of who is watching without copying it.
   */
  snapshot: readonly WatchHandler<KubeObject>[];
  /** Its index in Store.channelList (the payload of its delivery events). */
  index: number;
  /**
   * Writes waiting for delivery, oldest first, with the handlers watching when each was made.
   * They all wait the same latency, so their delivery events fire in this order (equal times
   * fire in scheduling order): each event delivers the oldest.
   */
  pending: Delivery[];
  head: number;
}

/** A watch event on its way to the handlers of one channel. */
interface Delivery {
  readonly channel: Channel;
  readonly handlers: readonly WatchHandler<KubeObject>[];
  readonly event: WatchEvent<KubeObject>;
}

interface KindState {
  objects: Map<string, KubeObject>;
  channels: Map<number, Channel>;
}

export interface StoreOptions {
  /** Default watch delivery latency in µs. */
  watchLatency: number;
  /** Stream for generated names (generateName). */
  rng: Rng;
}

export class Store {
  private readonly kinds = new Map<Kind, KindState>();
  /** Pod watchers with a nodeName selector, by node then latency. */
  private readonly nodePodChannels = new Map<string, Map<number, Channel>>();
  private version = 0;
  private uidCounter = 0;
  private readonly admission: AdmissionPlugin[] = [];
  /** While set, writes fail with 503 and watch deliveries are held back until this time (µs). */
  private unavailableUntil = -1;
  private readonly held: Delivery[] = [];
  /** Every channel, by index: delivery events carry the index, not a closure. */
  private readonly channelList: Channel[] = [];
  private readonly deliverNext = (index: number): void => this.deliverOrHold(this.channelList[index]);
  /** Synchronous write observers: instruments (metrics), never cluster components. */
  private readonly observers: ((kind: Kind, event: WatchEvent<KubeObject>) => void)[] = [];
  writes = 0;

  constructor(readonly engine: Engine, private readonly options: StoreOptions) {}

  get watchLatency(): number {
    return this.options.watchLatency;
  }

  addAdmission(plugin: AdmissionPlugin): void {
    this.admission.push(plugin);
  }

  // --- reads --------------------------------------------------------------------------------

  get<K extends Kind>(kind: K, key: string): KindMap[K] | undefined {
    return this.state(kind).objects.get(key) as KindMap[K] | undefined;
  }

  /** All objects of a kind, in key order, optionally in one namespace. */
  list<K extends Kind>(kind: K, namespace?: string): KindMap[K][] {
    const out: KindMap[K][] = [];
    for (const obj of this.state(kind).objects.values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(obj as KindMap[K]);
    }
    return out.sort((a, b) => compareKeys(objectKey(a.metadata), objectKey(b.metadata)));
  }

  count(kind: Kind): number {
    return this.state(kind).objects.size;
  }

  // --- writes -------------------------------------------------------------------------------

  create<K extends Kind>(input: NewObject<KindMap[K]> & { kind: K }): ApiResult<KindMap[K]> {
    const unavailable = this.checkAvailable();
    if (unavailable) return unavailable;
    const kind = input.kind;
    const st = this.state(kind);
    let candidate: NewObject<KubeObject> = input;
    for (const plugin of this.admission) {
      const result = plugin(candidate, this);
      if (!result.ok) return result;
      candidate = result.object;
    }
    const meta = candidate.metadata;
    const namespaced = NAMESPACED_KINDS.has(kind);
    const namespace = namespaced ? meta.namespace ?? "default" : undefined;
    let name = meta.name;
    if (!name) {
      if (!meta.generateName) return apiError("Invalid", `${kind}: metadata.name or metadata.generateName is required`);
      name = this.generateName(st, meta.generateName, namespace);
    }
    const key = namespace ? `${namespace}/${name}` : name;
    if (st.objects.has(key)) return apiError("AlreadyExists", `${kind} "${key}" already exists`);
    const stored = {
      ...candidate,
      apiVersion: API_VERSIONS[kind],
      metadata: {
        ...meta,
        name,
        ...(namespace ? { namespace } : {}),
        uid: this.nextUid(),
        resourceVersion: this.nextVersion(),
        generation: 1,
        creationTimestamp: this.engine.now,
      },
    } as unknown as KindMap[K];
    st.objects.set(key, stored);
    this.notify(kind, { type: "ADDED", object: stored, key });
    return { ok: true, object: stored };
  }

  /** Replaces an object. Fails with Conflict if `metadata.resourceVersion` is stale. */
  update<T extends KubeObject>(object: T): ApiResult<T> {
    const unavailable = this.checkAvailable();
    if (unavailable) return unavailable;
    const kind = object.kind as Kind;
    const st = this.state(kind);
    const key = objectKey(object.metadata);
    const current = st.objects.get(key) as T | undefined;
    if (!current) return apiError("NotFound", `${kind} "${key}" not found`);
    if (current.metadata.resourceVersion !== object.metadata.resourceVersion) {
      return apiError(
        "Conflict",
        `Operation cannot be fulfilled on ${kind} "${key}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    let generation = current.metadata.generation;
    if (GENERATION_KINDS.has(kind) && "spec" in object && "spec" in current && object.spec !== current.spec) {
      if (JSON.stringify(object.spec) !== JSON.stringify(current.spec)) generation++;
    }
    const stored = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: this.nextVersion(),
        generation,
      },
    } as T;
    st.objects.set(key, stored);
    this.notify(kind, { type: "MODIFIED", object: stored, key, oldObject: current });
    return { ok: true, object: stored };
  }

  /**
   * Reads the latest object, applies `change` to it and writes it back, retrying on Conflict
   * (client-go's RetryOnConflict). `change` returns the new object, or undefined to skip.
   */
  modify<K extends Kind>(kind: K, key: string, change: (current: KindMap[K]) => KindMap[K] | undefined): ApiResult<KindMap[K]> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = this.get(kind, key);
      if (!current) return apiError("NotFound", `${kind} "${key}" not found`);
      const next = change(current);
      if (!next) return { ok: true, object: current };
      const result = this.update(next);
      if (result.ok || result.error.reason !== "Conflict") return result;
    }
    return apiError("Conflict", `${kind} "${key}": too many conflicts`);
  }

  delete(kind: Kind, key: string, options: DeleteOptions = {}): ApiResult<KubeObject> {
    const unavailable = this.checkAvailable();
    if (unavailable) return unavailable;
    const st = this.state(kind);
    const current = st.objects.get(key);
    if (!current) return apiError("NotFound", `${kind} "${key}" not found`);
    if (options.uid !== undefined && current.metadata.uid !== options.uid) {
      return apiError("Conflict", `${kind} "${key}": precondition failed: uid ${options.uid} does not match`);
    }
    if (kind === "Pod") {
      const pod = current as Pod;
      const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
      const terminal = pod.status.phase === "Succeeded" || pod.status.phase === "Failed";
      // A bound, still-running pod is deleted gracefully: its kubelet finishes the job.
      if (pod.spec.nodeName && grace > 0 && !terminal) {
        const deadline = this.engine.now + grace * 1_000_000;
        if (pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp <= deadline) {
          return { ok: true, object: pod };
        }
        const terminating: Pod = {
          ...pod,
          metadata: {
            ...pod.metadata,
            deletionTimestamp: deadline,
            deletionGracePeriodSeconds: grace,
            resourceVersion: this.nextVersion(),
          },
        };
        st.objects.set(key, terminating);
        this.notify(kind, { type: "MODIFIED", object: terminating, key, oldObject: pod });
        return { ok: true, object: terminating };
      }
    }
    st.objects.delete(key);
    const gone = { ...current, metadata: { ...current.metadata, resourceVersion: this.nextVersion() } } as KubeObject;
    this.notify(kind, { type: "DELETED", object: gone, key, oldObject: current });
    return { ok: true, object: gone };
  }

  // --- watches ------------------------------------------------------------------------------

  watch<K extends Kind>(kind: K, handler: WatchHandler<KindMap[K]>, options: WatchOptions = {}): Watch {
    const latency = options.latency ?? this.options.watchLatency;
    let channels: Map<number, Channel>;
    if (options.nodeName !== undefined) {
      if (kind !== "Pod") throw new Error("a nodeName watch selector is only supported for pods");
      channels = this.nodePodChannels.get(options.nodeName) ?? new Map();
      this.nodePodChannels.set(options.nodeName, channels);
    } else {
      channels = this.state(kind).channels;
    }
    let channel = channels.get(latency);
    if (!channel) {
      channel = { latency, handlers: new Set(), snapshot: [], index: this.channelList.length, pending: [], head: 0 };
      channels.set(latency, channel);
      this.channelList.push(channel);
    }
    const h = handler as WatchHandler<KubeObject>;
    if (!channel.handlers.has(h)) {
      channel.handlers.add(h);
      channel.snapshot = [...channel.snapshot, h];
    }
    const ch = channel;
    return {
      stop: () => {
        if (ch.handlers.delete(h)) ch.snapshot = ch.snapshot.filter((x) => x !== h);
      },
    };
  }

  /**
   * Makes the API server unavailable until `until` (µs): writes fail with 503 ServiceUnavailable
   * and watch events are held back, then delivered in order when it returns.
   */
  setUnavailable(until: number): void {
    this.unavailableUntil = Math.max(this.unavailableUntil, until);
    this.engine.at(until, () => this.release(), Priority.Urgent);
  }

  get available(): boolean {
    return this.engine.now >= this.unavailableUntil;
  }

  // --- internals ----------------------------------------------------------------------------

  private state(kind: Kind): KindState {
    let st = this.kinds.get(kind);
    if (!st) {
      if (!(kind in API_VERSIONS)) throw new Error(`unknown kind ${kind}`);
      st = { objects: new Map(), channels: new Map() };
      this.kinds.set(kind, st);
    }
    return st;
  }

  private checkAvailable(): { ok: false; error: ApiError } | undefined {
    if (this.engine.now < this.unavailableUntil) {
      return apiError("ServiceUnavailable", "the server is currently unable to handle the request");
    }
    this.writes++;
    return undefined;
  }

  /**
   * Registers an instrument that sees every write synchronously, at the instant it happens. For
   * measurement only: components must use {@link watch}, which has latency like the real thing.
   */
  observe(observer: (kind: Kind, event: WatchEvent<KubeObject>) => void): void {
    this.observers.push(observer);
  }

  private notify(kind: Kind, event: WatchEvent<KubeObject>): void {
    for (const o of this.observers) o(kind, event);
    this.fanOut(this.state(kind).channels, event);
    if (kind === "Pod") {
      const pod = event.object as Pod;
      const old = event.oldObject as Pod | undefined;
      const node = pod.spec.nodeName;
      if (node) {
        const channels = this.nodePodChannels.get(node);
        if (channels) this.fanOut(channels, old?.spec.nodeName === node ? event : { type: "ADDED", object: pod, key: event.key });
      }
    }
  }

  private fanOut(channels: Map<number, Channel>, event: WatchEvent<KubeObject>): void {
    for (const channel of channels.values()) {
      if (channel.handlers.size === 0) continue;
      // The handlers watching now: a watcher added later must not see an earlier write.
      channel.pending.push({ channel, handlers: channel.snapshot, event });
      this.engine.afterWith(channel.latency, this.deliverNext, channel.index, Priority.Urgent);
    }
  }

  private deliverOrHold(channel: Channel): void {
    const pending = channel.pending;
    const delivery = pending[channel.head++];
    // Drop what has been delivered once it is most of the array (a busy channel may never drain).
    if (channel.head === pending.length || (channel.head > 1024 && channel.head * 2 > pending.length)) {
      pending.splice(0, channel.head);
      channel.head = 0;
    }
    if (this.engine.now < this.unavailableUntil || this.held.length > 0) this.held.push(delivery);
    else deliver(delivery);
  }

  private release(): void {
    if (this.engine.now < this.unavailableUntil) return;
    const held = this.held.splice(0);
    for (const delivery of held) deliver(delivery);
  }

  private nextVersion(): string {
    return String(++this.version);
  }

  /** Deterministic RFC 4122-shaped uids: the run must not depend on a random source outside the seed. */
  private nextUid(): string {
    const n = ++this.uidCounter;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  }

  private generateName(st: KindState, prefix: string, namespace: string | undefined): string {
    // As the API server: prefix + 5 characters from an alphabet without vowels or look-alikes
    // (k8s.io/apimachinery/pkg/util/rand: "bcdfghjklmnpqrstvwxz2456789").
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    for (;;) {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += alphabet[this.options.rng.int(alphabet.length)];
      const name = prefix + suffix;
      if (!st.objects.has(namespace ? `${namespace}/${name}` : name)) return name;
    }
  }
}

/** Hands a watch event to the handlers that were watching when it was written and still are. */
function deliver({ channel, handlers, event }: Delivery): void {
  // While the snapshot is still the channel's own, no handler has stopped since (a stop, even one
  // by an earlier handler of this loop, replaces it), so the set need not be asked.
  for (const h of handlers) if (handlers === channel.snapshot || channel.handlers.has(h)) h(event);
}

/** Plain code-point order, independent of locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
