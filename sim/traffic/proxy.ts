/**
 * kube-proxy: one per node, routing the requests that enter the data plane on that node.
 *
 * Like kube-proxy (cmd/kube-proxy, pkg/proxy), it watches Services and EndpointSlices through the
 * API server (store.watch, so it sees every change one watch latency late) and keeps its own
 * cache of them; it turns that cache into rules only when it syncs, and between syncs it routes
 * by the rules of the last sync. That staleness is the point: a request can be sent to a pod that
 * is already gone, and fails in the traffic core.
 *
 * Syncs follow pkg/proxy/runner/bounded_frequency_runner.go: a change makes the proxy sync as soon
 * as possible, but never sooner than minSyncPeriod after the previous sync (changes in between are
 * coalesced into one sync), and it also syncs every syncPeriod without changes. Syncs take no
 * simulated time. The first sync happens when the proxy starts (kube-proxy syncs once its informers
 * have listed everything).
 *
 * At a sync, for each Service (pkg/proxy/topology.go CategorizeEndpoints):
 *  - the usable endpoints are the ready ones, or, if there are none, the serving-and-terminating
 *    ones; with a Local traffic policy, only those on this node (ready ones, else
 *    serving-and-terminating ones; none at all if this node has neither: traffic is dropped);
 *  - internal traffic (`route`: clients inside the cluster, to the ClusterIP) follows
 *    internalTrafficPolicy; external traffic (`external.route`: clients through this node's
 *    NodePort or load balancer) follows externalTrafficPolicy, for NodePort and LoadBalancer
 *    Services only;
 *  - the endpoints are "ip:port" for the Service's first port, ordered by that string
 *    (pkg/proxy/endpointslicecache.go sorts by Endpoint.String());
 *  - each gets `server = directory.serverForIP(ip)` as of the sync, and the Service's Balancer
 *    (one per proxy and Service, stateful) is told when the list changed.
 * Headless Services and Services labelled service.kubernetes.io/service-proxy-name are skipped, as
 * kube-proxy's informers filter them out (cmd/kube-proxy/app/server.go).
 *
 * A request (`route`) first honours ClientIP session affinity: the client's previous endpoint is
 * reused while it is still in the view and less than timeoutSeconds (sessionAffinityConfig,
 * default 10800, core/v1 DefaultClientIPServiceAffinitySeconds) have passed since the client last
 * used it, and each use refreshes the time — iptables' `-m recent --rcheck --seconds T --reap`
 * then `--set`, IPVS persistence, the userspace proxier's affinity map. Otherwise the Balancer
 * picks. The proxy counts requests in flight per endpoint (`active`, given to the Balancer) until
 * `done`; the counts follow each endpoint's pod server across syncs.
 *
 * simk: a view entry whose IP had no pod server at the sync is looked up again when a request
 * picks it (the rules send packets to the IP, whoever holds it then). The proxy dies with its node
 * (`stop`) and starts afresh (`start`): no rules, counts or affinity survive a node failure.
 * Topology hints (trafficDistribution) are not modelled, and a Service is balanced as a whole (by
 * its first port), not per port.
 */
import type { EndpointSlice, KubeObject, Service } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { Watch, WatchEvent } from "../api/store.js";
import type { SimContext } from "../cluster/context.js";
import { LABEL_SERVICE_NAME, sliceEndpoints, type SliceEndpoint } from "../controllers/endpointSlice.js";
import { Priority } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import type { ProxyMode } from "../../policies/proxy/registry.js";
import { NO_ENDPOINTS, NO_SUCH_POD, type Balancer, type BalancerFactory, type EndpointView, type ServerDirectory, type ServiceRouter } from "./contract.js";

const SECOND = 1_000_000;

/**
 * minSyncPeriod and syncPeriod by mode (µs): the kube-proxy defaults — 1 s and 30 s for iptables,
 * ipvs and nftables alike (pkg/proxy/apis/config/v1alpha1/defaults.go; the command-line reference
 * lists --iptables-min-sync-period and --ipvs-min-sync-period defaulting to 1s, --*-sync-period to
 * 30s; older releases had no IPVS minimum, i.e. 0). Current releases pass syncPeriod to the
 * runner as its retry interval and a fixed full-resync period (proxyutil.FullSyncPeriod) as its
 * maximum interval; older ones (ipvs, winkernel), and simk, resync every syncPeriod. simk's syncs never fail and a resync rebuilds the same rules from the same
 * cache, so the difference only shows in how often `server` is looked up again.
 */
export const KUBE_PROXY_DEFAULTS: Readonly<Record<ProxyMode, { readonly minSyncPeriod: number; readonly syncPeriod: number }>> = {
  iptables: { minSyncPeriod: 1 * SECOND, syncPeriod: 30 * SECOND },
  nftables: { minSyncPeriod: 1 * SECOND, syncPeriod: 30 * SECOND },
  ipvs: { minSyncPeriod: 1 * SECOND, syncPeriod: 30 * SECOND },
};

/** staging/src/k8s.io/api/core/v1/types.go: DefaultClientIPServiceAffinitySeconds (3 hours). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;
/** Same file: MaxClientIPServiceAffinitySeconds (1 day). */
export const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** Services with this label belong to another proxy (pkg/proxy/apis: LabelServiceProxyName). */
export const LABEL_SERVICE_PROXY_NAME = "service.kubernetes.io/service-proxy-name";

/**
 * A Balancer that also wants to know where its proxy runs (e.g. to prefer endpoints in its own
 * zone): the proxy calls setNode once, right after create() and before setEndpoints.
 */
export interface NodeAwareBalancer extends Balancer {
  setNode(nodeName: string, zone: string | undefined): void;
}

export interface KubeProxyOptions {
  /** Only sets the default sync periods. */
  mode: ProxyMode;
  /** µs; default KUBE_PROXY_DEFAULTS[mode]. */
  minSyncPeriod?: number;
  /** µs; default KUBE_PROXY_DEFAULTS[mode]. */
  syncPeriod?: number;
  /** The policy for a Service ("namespace/name"); asked once, when the proxy first sees it. */
  balancerFor(serviceKey: string): BalancerFactory;
  directory: ServerDirectory;
  /** A node's zone, for endpoints whose slice has none and for this node's own zone. */
  zoneOf?(node: string): string | undefined;
  /** The watch delivery latency (µs); default the store's. */
  watchLatency?: number;
  /** Called after every sync with the sync time and the Services it looked at. */
  onSync?(time: number, services: readonly string[]): void;
}

/** What CategorizeEndpoints needs to know about an endpoint. */
export interface CategorizableEndpoint {
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * pkg/proxy/topology.go CategorizeEndpoints, for one traffic policy: with Cluster, the ready
 * endpoints, or if there are none the serving-and-terminating ones; with Local, the same choice
 * among the endpoints on `nodeName` only.
 */
export function categorizeEndpoints<T extends CategorizableEndpoint>(endpoints: readonly T[], local: boolean, nodeName: string): T[] {
  const candidates = local ? endpoints.filter((e) => e.nodeName === nodeName) : endpoints;
  const ready = candidates.filter((e) => e.ready);
  return ready.length > 0 ? ready : candidates.filter((e) => e.serving && e.terminating);
}

/** The ClientIP affinity timeout of a Service (µs), or 0 without affinity. */
export function affinityTimeout(service: Service): number {
  if (service.spec.sessionAffinity !== "ClientIP") return 0;
  return (service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS) * SECOND;
}

/** NodePort and LoadBalancer Services take external traffic (externalTrafficPolicy applies). */
export function isExternallyAccessible(service: Service): boolean {
  return service.spec.type === "NodePort" || service.spec.type === "LoadBalancer";
}

interface EndpointCandidate extends SliceEndpoint {
  port?: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The smallest server table (buckets); a power of two. */
const MIN_TABLE = 8;
/** 2^32 / φ: Fibonacci hashing spreads ids that share a stride (a lane sees every k-th id). */
const FIBONACCI = 0x9e3779b1;

/**
 * One Service's rules for one kind of traffic: its view, balancer, counts and affinity.
 *
 * Requests in flight are counted per pod server, not per view index, so that the counts survive
 * syncs: a server that leaves the view and comes back keeps its count, and done() for a server
 * no longer in the view still uncounts it. Server ids are global and never reused, so the counts
 * live in a small open-addressing table keyed by server id (linear probing, Int32Arrays), whose
 * bucket is the server's slot: route() reaches it through `slots[i]` without hashing, done() —
 * which gets the server id from the traffic core — hashes once (usually one probe). Hashing in
 * done() costs a multiply and a probe or two, and keeps ServiceRouter.done(service, server) as it
 * is, rather than making the traffic core remember a lane slot per attempt.
 *
 * The table is rebuilt at every update() with just the servers still worth tracking: the new
 * view's and those that left it with requests in flight. So the lane's memory follows its
 * endpoints, not the highest server id ever seen, and there is nothing to delete between updates
 * (no tombstones, no free list): a server that left and drained keeps its bucket, at count 0,
 * until the next update drops it. The table is sized at more than twice the servers the view can
 * add (one per entry, including the entries resolved later by route()) plus the leftovers, so it
 * never fills between updates and a probe always ends.
 */
class Lane {
  view: readonly EndpointView[] = [];
  /** servers[i]: the pod server of view[i] (looked up again at route time while -1). */
  servers = new Int32Array(0);
  /** slots[i]: the bucket of servers[i] in the server table (-1 while servers[i] is -1). */
  private slots = new Int32Array(0);
  active = new Int32Array(0);
  private indexByAddress = new Map<string, number>();
  /** The server table, by bucket: the server id held (-1: empty) ... */
  private slotServer = new Int32Array(MIN_TABLE).fill(-1);
  /** ... its requests in flight from this lane ... */
  private inflight = new Int32Array(MIN_TABLE);
  /** ... and its index in the view, or -1 if it is not in the view. */
  private indexBySlot = new Int32Array(MIN_TABLE).fill(-1);
  /** 32 - log2(table size), for the hash. */
  private shift = 32 - Math.log2(MIN_TABLE);
  private readonly affinityAddress = new Map<number, string>();
  private readonly affinityLastUsed = new Map<number, number>();
  readonly balancer: Balancer;

  constructor(
    factory: BalancerFactory,
    readonly rng: Rng,
    nodeName: string,
    zone: string | undefined,
  ) {
    this.balancer = factory.create();
    const nodeAware = this.balancer as Partial<NodeAwareBalancer>;
    if (typeof nodeAware.setNode === "function") nodeAware.setNode(nodeName, zone);
    this.balancer.setEndpoints(this.view, rng);
  }

  /** The length of the per-server arrays (tests: it follows the endpoints, not the server ids). */
  get serverCapacity(): number {
    return this.slotServer.length;
  }

  /** Installs a new endpoint list if it differs from the current one. */
  update(entries: EndpointView[]): boolean {
    if (sameView(this.view, entries)) return false;
    const n = entries.length;
    this.view = Object.freeze(entries.map((e) => Object.freeze(e)));
    this.servers = Int32Array.from(entries, (e) => e.server);
    this.slots = new Int32Array(n).fill(-1);
    this.indexByAddress = new Map(entries.map((e, i) => [e.address, i]));
    this.active = new Int32Array(n);
    // A new table with the servers that still have requests in flight (whether or not they stay
    // in the view), then the new view's servers.
    const oldServer = this.slotServer;
    const oldInflight = this.inflight;
    let leftovers = 0;
    for (let b = 0; b < oldServer.length; b++) if (oldServer[b] >= 0 && oldInflight[b] > 0) leftovers++;
    let size = MIN_TABLE;
    while (size < 2 * (n + leftovers) + 1) size *= 2;
    this.slotServer = new Int32Array(size).fill(-1);
    this.inflight = new Int32Array(size);
    this.indexBySlot = new Int32Array(size).fill(-1);
    this.shift = 32 - Math.log2(size);
    for (let b = 0; b < oldServer.length; b++) {
      if (oldServer[b] >= 0 && oldInflight[b] > 0) this.inflight[this.slotOf(oldServer[b])] = oldInflight[b];
    }
    for (let i = 0; i < n; i++) {
      const server = this.servers[i];
      if (server >= 0) this.enter(i, server);
    }
    this.balancer.setEndpoints(this.view, this.rng);
    return true;
  }

  route(clientIP: number, now: number, timeout: number, directory: ServerDirectory): number {
    const n = this.view.length;
    if (n === 0) return NO_ENDPOINTS;
    let i = -1;
    if (timeout > 0) {
      const address = this.affinityAddress.get(clientIP);
      if (address !== undefined && now - this.affinityLastUsed.get(clientIP)! < timeout) {
        const j = this.indexByAddress.get(address);
        if (j !== undefined) i = j;
      }
    }
    if (i < 0) {
      i = this.balancer.pick(clientIP, this.rng, this.active);
      if (!(i >= 0 && i < n)) return NO_ENDPOINTS;
    }
    if (timeout > 0) {
      this.affinityAddress.set(clientIP, this.view[i].address);
      this.affinityLastUsed.set(clientIP, now);
    }
    let server = this.servers[i];
    if (server < 0) {
      server = directory.serverForIP(this.view[i].ip);
      if (server < 0) return NO_SUCH_POD;
      this.servers[i] = server;
      this.enter(i, server);
    }
    this.active[i]++;
    this.inflight[this.slots[i]]++;
    return server;
  }

  done(server: number): void {
    if (server < 0) return;
    const keys = this.slotServer;
    const mask = keys.length - 1;
    let b = Math.imul(server, FIBONACCI) >>> this.shift;
    while (keys[b] !== server) {
      if (keys[b] < 0) return; // not tracked: nothing in flight
      b = (b + 1) & mask;
    }
    if (this.inflight[b] <= 0) return;
    this.inflight[b]--;
    const i = this.indexBySlot[b];
    if (i >= 0 && this.active[i] > 0) this.active[i]--;
  }

  /** View entry i is `server`: give it the server's bucket and its count so far. */
  private enter(i: number, server: number): void {
    const b = this.slotOf(server);
    this.slots[i] = b;
    this.indexBySlot[b] = i;
    this.active[i] = this.inflight[b];
  }

  /** The bucket of `server`, claimed (count 0, not in the view) if the server is new. */
  private slotOf(server: number): number {
    const keys = this.slotServer;
    const mask = keys.length - 1;
    let b = Math.imul(server, FIBONACCI) >>> this.shift;
    while (keys[b] !== server) {
      if (keys[b] < 0) {
        keys[b] = server;
        return b;
      }
      b = (b + 1) & mask;
    }
    return b;
  }

  /** Forgets affinity entries not used for `timeout` (xt_recent's --reap), or all of them. */
  reapAffinity(now: number, timeout: number): void {
    if (timeout <= 0) {
      this.affinityAddress.clear();
      this.affinityLastUsed.clear();
      return;
    }
    for (const [client, last] of this.affinityLastUsed) {
      if (now - last >= timeout) {
        this.affinityLastUsed.delete(client);
        this.affinityAddress.delete(client);
      }
    }
  }
}

function sameView(a: readonly EndpointView[], b: readonly EndpointView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.address !== y.address || x.server !== y.server || x.weight !== y.weight || x.nodeName !== y.nodeName || x.zone !== y.zone || x.podName !== y.podName || x.ip !== y.ip) {
      return false;
    }
  }
  return true;
}

interface ServiceState {
  affinityTimeout: number;
  internal: Lane;
  /** Present for NodePort and LoadBalancer Services. */
  external?: Lane;
}

export class KubeProxy implements ServiceRouter {
  readonly minSyncPeriod: number;
  readonly syncPeriod: number;
  /** The router for external traffic (through this node's NodePort or load balancer). */
  readonly external: ServiceRouter;
  private readonly zone: string | undefined;
  private readonly latency: number;

  private running = false;
  private epoch = 0;
  private watches: Watch[] = [];
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly states = new Map<string, ServiceState>();
  /** The last Service looked up by route/done and its state (every request asks twice for the same one). */
  private cachedKey: string | undefined;
  private cachedState: ServiceState | undefined;
  private readonly dirty = new Set<string>();
  private lastSyncAt = -1;
  private syncs = 0;
  private syncPending = false;
  private periodicToken = 0;

  constructor(
    private readonly ctx: SimContext,
    readonly nodeName: string,
    private readonly options: KubeProxyOptions,
  ) {
    const defaults = KUBE_PROXY_DEFAULTS[options.mode];
    if (!defaults) throw new Error(`unknown kube-proxy mode ${JSON.stringify(options.mode)}`);
    this.minSyncPeriod = options.minSyncPeriod ?? defaults.minSyncPeriod;
    this.syncPeriod = options.syncPeriod ?? defaults.syncPeriod;
    if (!(this.minSyncPeriod >= 0)) throw new RangeError(`minSyncPeriod must be >= 0, got ${this.minSyncPeriod}`);
    if (!(this.syncPeriod > 0 && this.syncPeriod >= this.minSyncPeriod)) {
      throw new RangeError(`syncPeriod must be > 0 and >= minSyncPeriod (${this.minSyncPeriod}), got ${this.syncPeriod}`);
    }
    this.zone = options.zoneOf?.(nodeName);
    this.latency = options.watchLatency ?? ctx.store.watchLatency;
    this.external = {
      route: (service, clientIP) => this.routeVia(service, clientIP, true),
      done: (service, server) => this.doneVia(service, server, true),
    };
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Time of the last sync (µs), or -1 before the first. */
  get lastSync(): number {
    return this.lastSyncAt;
  }

  /** Number of syncs since the proxy was created. */
  get syncCount(): number {
    return this.syncs;
  }

  /** Starts watching and syncs at once (kube-proxy's start-up, or its node coming back). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const epoch = ++this.epoch;
    const { store } = this.ctx;
    // The store delivers a write only to the watchers that existed when it was made, so the
    // events seen here are of writes after this list; `newer` keeps the cache from going back.
    const guard =
      <T extends KubeObject>(apply: (e: WatchEvent<T>) => void) =>
      (e: WatchEvent<T>): void => {
        if (this.running && epoch === this.epoch) apply(e);
      };
    this.watches = [
      store.watch("Service", guard<Service>((e) => this.onService(e)), { latency: this.latency }),
      store.watch("EndpointSlice", guard<EndpointSlice>((e) => this.onSlice(e)), { latency: this.latency }),
    ];
    for (const svc of store.list("Service")) this.services.set(objectKey(svc.metadata), svc);
    for (const slice of store.list("EndpointSlice")) this.putSlice(slice);
    this.sync(true);
  }

  /** The node died: the proxy stops routing and forgets everything. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.epoch++;
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.services.clear();
    this.slices.clear();
    this.slicesByService.clear();
    this.states.clear();
    this.forgetCachedState();
    this.dirty.clear();
    this.syncPending = false;
    this.lastSyncAt = -1;
  }

  // --- ServiceRouter ---------------------------------------------------------------------------

  route(service: string, clientIP: number): number {
    return this.routeVia(service, clientIP, false);
  }

  done(service: string, server: number): void {
    this.doneVia(service, server, false);
  }

  // --- inspection --------------------------------------------------------------------------------

  /** The endpoints as of the last sync (for internal, or with `external`, external traffic). */
  viewOf(service: string, external = false): readonly EndpointView[] {
    const st = this.states.get(service);
    return (external ? st?.external?.view : st?.internal.view) ?? [];
  }

  /** Requests in flight from this proxy per endpoint of viewOf(service). */
  activeOf(service: string, external = false): ArrayLike<number> {
    const st = this.states.get(service);
    return (external ? st?.external?.active : st?.internal.active) ?? [];
  }

  /** The Balancer instance for a Service, if the proxy has synced it. */
  balancerOf(service: string, external = false): Balancer | undefined {
    const st = this.states.get(service);
    return external ? st?.external?.balancer : st?.internal.balancer;
  }

  /**
   * The length of a Service's per-server arrays (0 if the proxy has not synced it). For tests:
   * it is bounded by the servers the lane tracks, not by the highest server id.
   */
  serverCapacityOf(service: string, external = false): number {
    const st = this.states.get(service);
    return (external ? st?.external?.serverCapacity : st?.internal.serverCapacity) ?? 0;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** states.get(service), through a one-entry cache (cleared whenever `states` changes). */
  private stateOf(service: string): ServiceState | undefined {
    if (service !== this.cachedKey) {
      this.cachedKey = service;
      this.cachedState = this.states.get(service);
    }
    return this.cachedState;
  }

  private forgetCachedState(): void {
    this.cachedKey = undefined;
    this.cachedState = undefined;
  }

  private routeVia(service: string, clientIP: number, external: boolean): number {
    if (!this.running) return NO_ENDPOINTS;
    const st = this.stateOf(service);
    if (st === undefined) return NO_ENDPOINTS;
    const lane = external ? st.external : st.internal;
    if (lane === undefined) return NO_ENDPOINTS;
    return lane.route(clientIP, this.ctx.engine.now, st.affinityTimeout, this.options.directory);
  }

  private doneVia(service: string, server: number, external: boolean): void {
    const st = this.stateOf(service);
    if (st === undefined) return;
    (external ? st.external : st.internal)?.done(server);
  }

  private onService(e: WatchEvent<Service>): void {
    const key = objectKey(e.object.metadata);
    const current = this.services.get(key);
    if (!newer(e.object, current) || (e.type === "DELETED" && current === undefined)) return;
    if (e.type === "DELETED") this.services.delete(key);
    else this.services.set(key, e.object);
    this.changed(key);
  }

  private onSlice(e: WatchEvent<EndpointSlice>): void {
    const key = objectKey(e.object.metadata);
    const current = this.slices.get(key);
    if (!newer(e.object, current)) return;
    if (current) this.changed(this.removeSlice(key, current));
    if (e.type !== "DELETED") this.changed(this.putSlice(e.object));
  }

  private putSlice(slice: EndpointSlice): string | undefined {
    const key = objectKey(slice.metadata);
    this.slices.set(key, slice);
    const service = serviceKeyOf(slice);
    if (service === undefined) return undefined;
    let set = this.slicesByService.get(service);
    if (!set) this.slicesByService.set(service, (set = new Set()));
    set.add(key);
    return service;
  }

  private removeSlice(key: string, slice: EndpointSlice): string | undefined {
    this.slices.delete(key);
    const service = serviceKeyOf(slice);
    if (service === undefined) return undefined;
    const set = this.slicesByService.get(service);
    set?.delete(key);
    if (set?.size === 0) this.slicesByService.delete(service);
    return service;
  }

  /** A Service's inputs changed: sync as soon as the runner allows. */
  private changed(service: string | undefined): void {
    if (service === undefined) return;
    this.dirty.add(service);
    if (this.syncPending) return;
    this.syncPending = true;
    const epoch = this.epoch;
    const at = Math.max(this.ctx.engine.now, this.lastSyncAt + this.minSyncPeriod);
    // Normal priority: watch events delivered at the same instant (Urgent) are all in this sync.
    this.ctx.engine.at(
      at,
      () => {
        if (epoch !== this.epoch) return;
        this.syncPending = false;
        if (this.dirty.size > 0) this.sync(false);
      },
      Priority.Normal,
    );
  }

  private sync(full: boolean): void {
    const now = this.ctx.engine.now;
    this.lastSyncAt = now;
    this.syncs++;
    const keys = full ? new Set([...this.services.keys(), ...this.states.keys()]) : new Set(this.dirty);
    this.dirty.clear();
    const sorted = [...keys].sort(byString);
    for (const key of sorted) this.syncService(key, full);
    this.schedulePeriodic();
    this.options.onSync?.(now, sorted);
  }

  private schedulePeriodic(): void {
    const token = ++this.periodicToken;
    const epoch = this.epoch;
    this.ctx.engine.at(
      this.lastSyncAt + this.syncPeriod,
      () => {
        if (epoch === this.epoch && token === this.periodicToken) this.sync(true);
      },
      Priority.Normal,
    );
  }

  private syncService(key: string, full: boolean): void {
    const svc = this.services.get(key);
    if (svc === undefined || !proxied(svc)) {
      this.states.delete(key);
      this.forgetCachedState();
      return;
    }
    const timeout = affinityTimeout(svc);
    let st = this.states.get(key);
    if (st === undefined) {
      st = { affinityTimeout: timeout, internal: this.lane(key, false) };
      this.states.set(key, st);
      this.forgetCachedState();
    }
    if (st.affinityTimeout !== timeout || full) {
      st.internal.reapAffinity(this.ctx.engine.now, timeout);
      st.external?.reapAffinity(this.ctx.engine.now, timeout);
    }
    st.affinityTimeout = timeout;
    const candidates = this.candidates(key, svc);
    st.internal.update(this.entries(categorizeEndpoints(candidates, svc.spec.internalTrafficPolicy === "Local", this.nodeName)));
    if (isExternallyAccessible(svc)) {
      st.external ??= this.lane(key, true);
      st.external.update(this.entries(categorizeEndpoints(candidates, svc.spec.externalTrafficPolicy === "Local", this.nodeName)));
    } else st.external = undefined;
  }

  private lane(key: string, external: boolean): Lane {
    const rng = this.ctx.rng.stream(`kube-proxy/${this.nodeName}/${key}${external ? "/external" : ""}`);
    return new Lane(this.options.balancerFor(key), rng, this.nodeName, this.zone);
  }

  /** Every endpoint of the Service's IPv4 slices, with the port of the Service's first port. */
  private candidates(key: string, svc: Service): EndpointCandidate[] {
    const slices: EndpointSlice[] = [];
    for (const sliceKey of this.slicesByService.get(key) ?? []) {
      const s = this.slices.get(sliceKey);
      if (s && s.addressType === "IPv4") slices.push(s);
    }
    if (slices.length === 0) return [];
    slices.sort((a, b) => byString(a.metadata.name, b.metadata.name));
    const ports = svc.spec.ports ?? [];
    if (ports.length === 0) return sliceEndpoints(slices);
    // The port of an IP comes from the first slice (by name) listing it, as sliceEndpoints does;
    // a slice without the Service's port contributes no endpoints for it.
    const portName = ports[0].name ?? "";
    const portOf = new Map<string, number | undefined>();
    for (const s of slices) {
      const port = s.ports.find((p) => (p.name ?? "") === portName)?.port;
      for (const ep of s.endpoints) for (const ip of ep.addresses) if (!portOf.has(ip)) portOf.set(ip, port);
    }
    const out: EndpointCandidate[] = [];
    for (const ep of sliceEndpoints(slices)) {
      const port = portOf.get(ep.ip);
      if (port !== undefined) out.push({ ...ep, port });
    }
    return out;
  }

  /** The view entries for a list of endpoints, ordered by "ip:port". */
  private entries(endpoints: readonly EndpointCandidate[]): EndpointView[] {
    const { directory, zoneOf } = this.options;
    const out: EndpointView[] = endpoints.map((ep) => {
      const zone = ep.zone ?? (ep.nodeName !== undefined ? zoneOf?.(ep.nodeName) : undefined);
      return {
        address: ep.port !== undefined ? `${ep.ip}:${ep.port}` : ep.ip,
        ip: ep.ip,
        podName: ep.podName ?? "",
        nodeName: ep.nodeName ?? "",
        ...(zone !== undefined ? { zone } : {}),
        weight: 1,
        server: directory.serverForIP(ep.ip),
      };
    });
    return out.sort((a, b) => byString(a.address, b.address));
  }
}

function serviceKeyOf(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata.namespace ?? "default"}/${name}` : undefined;
}

/** kube-proxy ignores headless Services and those handed to another proxy. */
function proxied(svc: Service): boolean {
  return svc.spec.clusterIP !== "None" && svc.metadata.labels?.[LABEL_SERVICE_PROXY_NAME] === undefined;
}

/** Is `incoming` newer than what the cache holds? (An informer never goes back in time.) */
function newer(incoming: KubeObject, current: KubeObject | undefined): boolean {
  return current === undefined || Number(incoming.metadata.resourceVersion) > Number(current.metadata.resourceVersion);
}
