/**
 * The traffic core: request sources, clients (timeouts, retries), pods as servers, and the metrics.
 * kube-proxy (one ServiceRouter per node) decides which pod server each request goes to.
 *
 * The request path, allocation-free once warm (requests, attempts, servers and workers are indices
 * into growable typed arrays; queues are intrusive linked lists; every engine handler is pre-bound):
 *
 *   arrival (one engine event) → a client, uniform over the entry's `clients.count`, drawn from the
 *   seeded stream "traffic/<name>"; the client's entry node (client i on from.nodes[i mod n]) →
 *   that node's kube-proxy route() →
 *     NO_ENDPOINTS                        fails "noEndpoints" at once (iptables REJECT);
 *     a server whose pod is gone          fails "refused" at once (the node answers RST);
 *     a server on a failed node, or
 *     an entry node that has failed       black-holed: fails "timeout" at the client timeout, or,
 *                                         with no client timeout, after the kernel's connect
 *                                         timeout (127 s, tcp_syn_retries 6);
 *     a live server                       a free worker serves it (one engine event per service
 *                                         completion), else it waits in the pod's FIFO queue, else
 *                                         (queue full) it fails "queueFull" at once.
 *
 * Pods are servers from the moment their containers start (phase Running with a podIP, seen
 * synchronously through store.observe: the node's network, not a component) until they stop: the
 * kubelet's final delete (after min(grace, 1 s)), or a terminal phase. Readiness only gates the
 * endpoints, so a running-but-unready pod that a stale proxy still routes to serves the request.
 * A pod that stops with requests queued or in service fails them "reset". A node that fails takes
 * its servers off the network: their queued and in-service requests are black-holed (see above);
 * if the node recovers and the pod still exists, the server comes back with an empty queue.
 *
 * Clients: with `timeout`, each attempt that is still waiting `timeout` after it started fails
 * "timeout" — the server, if it has the request, still does the work (an orphan). The timeout is
 * one constant per entry, so deadlines are FIFO: one ring buffer and one pending engine event per
 * entry, not one event per request. A failed attempt (any cause) is retried at once, up to
 * `retries` times, through a new route() (the same client and entry node); the request counts
 * once, with the cause of its last attempt, and its latency runs from its arrival. The timeout is
 * per attempt (Envoy's per-try timeout).
 *
 * CPU model (backend.cpuPerWorker): a request's service time, drawn when it starts, is stretched by
 * max(1, busy workers on the node × cpuPerWorker / node allocatable cpu), counting the workers
 * busy at that moment (itself included); later changes do not re-stretch a request in service.
 *
 * Conservation holds at every instant for every Service: arrived = completed + failed + inFlight
 * (assertConservation checks it, and that the in-flight requests are exactly the live ones).
 */
import { Priority } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import type { SimContext } from "../cluster/context.js";
import { matchesMapSelector } from "../cluster/selectors.js";
import type { Pod, Service } from "../api/objects.js";
import { TRAFFIC_DEFAULTS } from "../scenario/defaults.js";
import type { BackendSpec, KubeProxySettings, ServiceTimeSpec, TrafficSpec } from "../scenario/types.js";
import { parseCpuMillis } from "../units/quantity.js";
import { balancerFactoryFor, type BalancerModules } from "./balancers.js";
import type { BalancerFactory, ServerDirectory, ServiceRouter } from "./contract.js";
import { NO_SUCH_POD } from "./contract.js";
import { CAUSES, NO_ENDPOINTS_CAUSE, QUEUE_FULL, REFUSED, RESET, ServiceMetrics, TIMEOUT, TrafficColumns } from "./metrics.js";
import { ArrivalSource } from "./sources.js";

/** A node's kube-proxy as the traffic core uses it. */
export interface NodeRouter extends ServiceRouter {
  start(): void;
  stop(): void;
  /** The router for external traffic through this node's NodePort (externalTrafficPolicy); default: this one. */
  readonly external?: ServiceRouter;
}

export interface RouterOptions {
  /** The balancer for a Service ("namespace/name"). */
  balancerFor(serviceKey: string): BalancerFactory;
  directory: ServerDirectory;
}

export type RouterFactory = (nodeName: string, options: RouterOptions) => NodeRouter;

export interface TrafficSystemOptions {
  /** Builds each node's kube-proxy (the cluster passes KubeProxy; tests pass stand-ins). */
  routerFactory: RouterFactory;
  /** Module balancers, resolved before the run (balancers.ts). */
  balancers?: BalancerModules;
}

/** What the traffic core needs of a scenario. */
export interface TrafficScenario {
  traffic?: TrafficSpec[];
  components: { kubeProxy: KubeProxySettings };
}

// Attempt locations.
const FREE = 0;
const QUEUED = 1;
const IN_SERVICE = 2;
const BLACK_HOLED = 3;
/** Attached to a request but not yet placed (transient). */
const STARTING = 4;

// Server states.
const RUNNING = 1;
const GONE = 2;

/** Client IPs: client pods from 10.240.0.0, external clients from 198.18.0.0 (RFC 2544), as numbers. */
const POD_CLIENT_BASE = (10 << 24) + (240 << 16);
const EXTERNAL_CLIENT_BASE = 198 * 2 ** 24 + (18 << 16);

/** One traffic entry at run time. */
class Entry {
  readonly rng: Rng;
  readonly serviceRng: Rng;
  source!: ArrivalSource;
  /** Entry node index of each client. */
  clientNode = new Int32Array(0);
  clientIPBase: number;
  /** External clients through a NodePort (kube-proxy's external rules). */
  readonly external: boolean;
  /** Client timeout deadlines (FIFO). */
  deadlines?: DeadlineQueue;
  readonly sampleServiceTime: () => number;

  constructor(
    readonly index: number,
    readonly spec: TrafficSpec,
    readonly group: number,
    ctx: SimContext,
  ) {
    this.rng = ctx.rng.stream(`traffic/${spec.name}`);
    this.serviceRng = ctx.rng.stream(`traffic/${spec.name}/service`);
    this.external = "nodePort" in spec.clients.from;
    this.clientIPBase = (this.external ? EXTERNAL_CLIENT_BASE : POD_CLIENT_BASE) + index * 1_000_000;
    this.sampleServiceTime = serviceTimeSampler(spec.backend.serviceTime, this.serviceRng);
  }
}

/** A Service with traffic: its metrics and its pods' server model. */
interface Group {
  key: string;
  namespace: string;
  name: string;
  backend: BackendSpec;
  metrics: ServiceMetrics;
  entry: TrafficSpec;
  /** Servers of the pods the Service selected when they started (for shares and imbalance). */
  servers: number[];
}

export class TrafficSystem implements ServerDirectory {
  private readonly entries: Entry[] = [];
  private readonly groups: Group[] = [];
  private readonly groupByService = new Map<string, number>();
  readonly columns: TrafficColumns;
  private started = false;

  // --- nodes ---
  private readonly nodeIndex = new Map<string, number>();
  private readonly nodeNames: string[] = [];
  private nodeUp = new Uint8Array(16);
  private nodeBusyCpu = new Float64Array(16);
  private nodeAllocCpu = new Float64Array(16);
  private readonly routers: (NodeRouter | undefined)[] = [];
  private readonly nodeServers: number[][] = [];

  // --- servers (pods) ---
  private serverCount = 0;
  private srvState = new Uint8Array(64);
  private srvNode = new Int32Array(64);
  private srvWorkers = new Int32Array(64);
  private srvBusy = new Int32Array(64);
  private srvQueueLimit = new Int32Array(64);
  private srvQHead = new Int32Array(64);
  private srvQTail = new Int32Array(64);
  private srvQLen = new Int32Array(64);
  private srvCpu = new Float64Array(64);
  /** Free workers: a stack per server in the worker space [srvWorkerBase, + workers). */
  private srvWorkerBase = new Int32Array(64);
  private srvFreeTop = new Int32Array(64);
  /** The server has workers of its own (allocated, not retired). */
  private srvHasWorkers = new Uint8Array(64);
  private readonly srvPod: string[] = [];
  private readonly srvIP: string[] = [];
  private readonly serverByUid = new Map<string, number>();
  private readonly serverByIP = new Map<string, number>();

  // --- workers ---
  private workerCount = 0;
  private wkAttempt = new Int32Array(64);
  private wkServer = new Int32Array(64);
  private wkFree = new Int32Array(64);
  /** A worker's service completion: one engine payload event (the worker) per request served. */
  private readonly onComplete = (w: number): void => this.complete(w);

  // --- requests ---
  private reqCap = 0;
  private reqFree = new Int32Array(0);
  private reqFreeTop = 0;
  private reqLive = new Uint8Array(0);
  private reqEntry = new Int32Array(0);
  private reqArrival = new Float64Array(0);
  private reqClient = new Int32Array(0);
  private reqTries = new Int32Array(0);
  private reqAttempt = new Int32Array(0);

  // --- attempts ---
  private attCap = 0;
  private attFree = new Int32Array(0);
  private attFreeTop = 0;
  private attWhere = new Uint8Array(0);
  private attReq = new Int32Array(0);
  private attServer = new Int32Array(0);
  private attEntry = new Int32Array(0);
  private attNext = new Int32Array(0);
  private attGen = new Int32Array(0);

  /** Black-holed attempts of entries without a client timeout: the kernel's connect timeout. */
  private readonly blackHole: DeadlineQueue;
  /** Is attempt `a` of generation `gen` still the one its client waits for? */
  private readonly waiting = (a: number, gen: number): boolean => this.attGen[a] === gen && this.attReq[a] >= 0;

  constructor(
    private readonly ctx: SimContext,
    scenario: TrafficScenario,
    private readonly options: TrafficSystemOptions,
  ) {
    const specs = scenario.traffic ?? [];
    for (const spec of specs) {
      let g = this.groupByService.get(spec.service);
      if (g === undefined) {
        g = this.groups.length;
        const [namespace, name] = spec.service.split("/");
        this.groups.push({ key: spec.service, namespace, name, backend: spec.backend, metrics: new ServiceMetrics(spec.service, `service.${namespace}.${name}`), entry: spec, servers: [] });
        this.groupByService.set(spec.service, g);
      }
      const entry = new Entry(this.entries.length, spec, g, ctx);
      const index = this.entries.length;
      entry.source = new ArrivalSource(ctx.engine, spec.arrivals, entry.rng, () => this.arrive(index));
      if (spec.timeout !== undefined) entry.deadlines = new DeadlineQueue(ctx, spec.timeout, this.waiting, (a) => this.expire(a));
      this.entries.push(entry);
    }
    this.blackHole = new DeadlineQueue(ctx, TRAFFIC_DEFAULTS.blackHoleTimeout, this.waiting, (a) => this.expire(a));
    this.columns = new TrafficColumns(this.groups.map((g) => g.metrics));
    this.growRequests(256);
    this.growAttempts(256);
    const kubeProxy = scenario.components.kubeProxy;
    this.balancerFor = (serviceKey: string): BalancerFactory => {
      const g = this.groupByService.get(serviceKey);
      return balancerFactoryFor(g === undefined ? undefined : this.groups[g].entry, kubeProxy, options.balancers);
    };
    ctx.store.observe((kind, event) => {
      if (kind === "Pod") this.onPod(event.object as Pod, event.type === "DELETED");
      else if (kind === "Node" && event.type !== "DELETED") this.onNodeObject(event.object.metadata.name);
    });
    ctx.stats.addSource(() => this.summary());
  }

  /** The balancer kube-proxy uses for a Service. */
  readonly balancerFor: (serviceKey: string) => BalancerFactory;

  // --- ServerDirectory ------------------------------------------------------------------------------

  serverForIP(ip: string): number {
    return this.serverByIP.get(ip) ?? -1;
  }

  // --- nodes -----------------------------------------------------------------------------------

  /** A node joined: its kube-proxy starts. */
  addNode(name: string): void {
    let n = this.nodeIndex.get(name);
    if (n === undefined) {
      n = this.nodeNames.length;
      if (n >= this.nodeUp.length) {
        this.nodeUp = growU8(this.nodeUp, n * 2);
        this.nodeBusyCpu = growF64(this.nodeBusyCpu, n * 2);
        this.nodeAllocCpu = growF64(this.nodeAllocCpu, n * 2);
      }
      this.nodeIndex.set(name, n);
      this.nodeNames.push(name);
      this.nodeServers.push([]);
      this.routers.push(undefined);
    }
    this.onNodeObject(name);
    if (!this.routers[n]) this.routers[n] = this.options.routerFactory(name, { balancerFor: this.balancerFor, directory: this });
    this.recoverNode(name);
  }

  /** The node died: its kube-proxy stops and its pods drop off the network. */
  failNode(name: string): void {
    const n = this.nodeIndex.get(name);
    if (n === undefined || !this.nodeUp[n]) return;
    this.nodeUp[n] = 0;
    this.routers[n]?.stop();
    for (const s of this.nodeServers[n]) if (this.srvState[s] === RUNNING) this.blackHoleServer(s);
    this.nodeBusyCpu[n] = 0;
    this.nodeServers[n] = this.nodeServers[n].filter((s) => this.srvState[s] === RUNNING);
  }

  /** The node is back: its kube-proxy restarts and its surviving pods serve again. */
  recoverNode(name: string): void {
    const n = this.nodeIndex.get(name);
    if (n === undefined || this.nodeUp[n]) return;
    const router = this.routers[n];
    if (!router) return;
    this.nodeUp[n] = 1;
    router.start();
    for (const s of this.nodeServers[n]) if (this.srvState[s] === RUNNING) this.allocateWorkers(s);
  }

  /** The node is gone for good. */
  removeNode(name: string): void {
    this.failNode(name);
    const n = this.nodeIndex.get(name);
    if (n !== undefined) this.routers[n] = undefined;
  }

  private onNodeObject(name: string): void {
    const n = this.nodeIndex.get(name);
    if (n === undefined) return;
    const node = this.ctx.store.get("Node", name);
    const cpu = node?.status.allocatable.cpu;
    if (cpu !== undefined) this.nodeAllocCpu[n] = parseCpuMillis(cpu);
  }

  // --- sources -------------------------------------------------------------------------------------

  /** Starts every source (at t = 0, after bootstrap: the client placement uses the nodes that exist). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.entries) {
      const from = e.spec.clients.from;
      const count = e.spec.clients.count;
      const nodes = "nodePort" in from ? [from.nodePort.node] : from.nodes && from.nodes.length > 0 ? from.nodes : this.nodeNames.slice();
      const indices = nodes.map((name) => {
        const n = this.nodeIndex.get(name);
        if (n === undefined) throw new Error(`traffic ${e.spec.name}: unknown node ${name}`);
        return n;
      });
      e.clientNode = new Int32Array(count);
      for (let i = 0; i < count; i++) e.clientNode[i] = indices.length > 0 ? indices[i % indices.length] : -1;
      e.source.start();
    }
  }

  /** setTraffic: the entry's rate becomes `rate` req/s, at once or over `over` µs. */
  setRate(name: string, rate: number, over?: number): void {
    const e = this.entries.find((x) => x.spec.name === name);
    if (!e) throw new Error(`unknown traffic ${name}`);
    e.source.setRate(rate, over ?? 0);
  }

  /** Time-series sampling (TrafficTimeSeries calls this through `columns`). */
  startSampling(interval: number, duration: number): void {
    this.columns.start(this.ctx.engine, interval, duration);
  }

  // --- the request path ------------------------------------------------------------------------------

  private arrive(t: number): void {
    const e = this.entries[t];
    const m = this.groups[e.group].metrics;
    m.arrived++;
    m.inFlight++;
    const r = this.allocRequest();
    this.reqEntry[r] = t;
    this.reqArrival[r] = this.ctx.engine.now;
    this.reqClient[r] = e.rng.int(e.spec.clients.count);
    this.reqTries[r] = 0;
    this.reqAttempt[r] = -1;
    this.attempt(r);
  }

  /** One attempt of request r; immediate failures are retried here, in a loop. */
  private attempt(r: number): void {
    const t = this.reqEntry[r];
    const e = this.entries[t];
    const g = this.groups[e.group];
    for (;;) {
      this.reqTries[r]++;
      if (this.reqTries[r] > 1) g.metrics.retries++;
      const client = this.reqClient[r];
      const node = e.clientNode[client];
      const router = node >= 0 && this.nodeUp[node] ? this.routerOf(node, e) : undefined;
      if (!router) {
        // The entry node is down: nobody answers.
        this.placeBlackHoled(r, -1, t);
        return;
      }
      const server = router.route(g.key, e.clientIPBase + client);
      let cause: number;
      if (server === NO_SUCH_POD) {
        cause = REFUSED;
      } else if (server < 0) {
        cause = NO_ENDPOINTS_CAUSE;
      } else if (server >= this.serverCount) {
        cause = REFUSED;
      } else if (!this.nodeUp[this.srvNode[server]]) {
        this.placeBlackHoled(r, server, t);
        return;
      } else if (this.srvState[server] !== RUNNING) {
        cause = REFUSED;
      } else if (this.srvBusy[server] < this.srvWorkers[server]) {
        const a = this.allocAttempt(r, server, t);
        this.armTimeout(e, a);
        this.startService(a, server);
        return;
      } else if (this.srvQLen[server] < this.srvQueueLimit[server]) {
        const a = this.allocAttempt(r, server, t);
        this.armTimeout(e, a);
        this.enqueue(server, a);
        return;
      } else {
        cause = QUEUE_FULL;
      }
      if (server >= 0) router.done(g.key, server);
      if (this.reqTries[r] > e.spec.retries) {
        this.failRequest(r, cause);
        return;
      }
    }
  }

  /** The entry node's router for this entry's kind of client. */
  private routerOf(node: number, e: Entry): ServiceRouter | undefined {
    const router = this.routers[node];
    if (!router) return undefined;
    return e.external ? (router.external ?? router) : router;
  }

  private placeBlackHoled(r: number, server: number, t: number): void {
    const e = this.entries[t];
    const a = this.allocAttempt(r, server, t);
    this.attWhere[a] = BLACK_HOLED;
    if (e.deadlines) e.deadlines.push(a, this.attGen[a]);
    else this.blackHole.push(a, this.attGen[a]);
  }

  private armTimeout(e: Entry, a: number): void {
    if (e.deadlines) e.deadlines.push(a, this.attGen[a]);
  }

  private startService(a: number, s: number): void {
    const w = this.wkFree[this.srvWorkerBase[s] + --this.srvFreeTop[s]];
    this.srvBusy[s]++;
    this.wkAttempt[w] = a;
    this.attWhere[a] = IN_SERVICE;
    let time = this.entries[this.attEntry[a]].sampleServiceTime();
    const cpu = this.srvCpu[s];
    if (cpu > 0) {
      const n = this.srvNode[s];
      const busy = (this.nodeBusyCpu[n] += cpu);
      const alloc = this.nodeAllocCpu[n];
      if (alloc > 0 && busy > alloc) time *= busy / alloc;
    }
    this.ctx.engine.atWith(this.ctx.engine.now + time, this.onComplete, w);
  }

  private enqueue(s: number, a: number): void {
    this.attWhere[a] = QUEUED;
    this.attNext[a] = -1;
    if (this.srvQLen[s] === 0) this.srvQHead[s] = a;
    else this.attNext[this.srvQTail[s]] = a;
    this.srvQTail[s] = a;
    this.srvQLen[s]++;
  }

  /** A worker finished its request. */
  private complete(w: number): void {
    const a = this.wkAttempt[w];
    if (a < 0) return; // the server stopped or dropped off the network meanwhile
    const s = this.wkServer[w];
    this.wkAttempt[w] = -1;
    this.srvBusy[s]--;
    this.wkFree[this.srvWorkerBase[s] + this.srvFreeTop[s]++] = w;
    const cpu = this.srvCpu[s];
    if (cpu > 0) this.nodeBusyCpu[this.srvNode[s]] -= cpu;
    const r = this.attReq[a];
    if (r >= 0) {
      const t = this.reqEntry[r];
      const e = this.entries[t];
      const g = this.groups[e.group];
      const m = g.metrics;
      const now = this.ctx.engine.now;
      m.completed++;
      m.inFlight--;
      const arrival = this.reqArrival[r];
      if (arrival >= e.spec.warmup) m.recordLatency(now - arrival);
      m.countServer(s);
      this.routerOf(e.clientNode[this.reqClient[r]], e)?.done(g.key, s);
      this.freeRequest(r);
    }
    this.freeAttempt(a);
    if (this.srvQLen[s] > 0) {
      const next = this.srvQHead[s];
      this.srvQHead[s] = this.attNext[next];
      this.srvQLen[s]--;
      this.startService(next, s);
    }
  }

  /** An attempt's deadline passed (client timeout, or the kernel's for a black hole). */
  private expire(a: number): void {
    const r = this.attReq[a];
    if (r < 0) return;
    const where = this.attWhere[a];
    const server = this.attServer[a];
    if (where === QUEUED || where === IN_SERVICE) this.attReq[a] = -1; // the server still works on it
    else this.freeAttempt(a);
    this.endAttempt(r, server, TIMEOUT);
  }

  /** The client is done with its current attempt (failed with `cause`): retry, or fail the request. */
  private endAttempt(r: number, server: number, cause: number): void {
    const e = this.entries[this.reqEntry[r]];
    this.reqAttempt[r] = -1;
    if (server >= 0) this.routerOf(e.clientNode[this.reqClient[r]], e)?.done(this.groups[e.group].key, server);
    if (this.reqTries[r] > e.spec.retries) this.failRequest(r, cause);
    else this.attempt(r);
  }

  private failRequest(r: number, cause: number): void {
    const m = this.groups[this.entries[this.reqEntry[r]].group].metrics;
    m.failed++;
    m.failures[cause]++;
    m.inFlight--;
    this.freeRequest(r);
  }

  // --- servers ---------------------------------------------------------------------------------------

  private onPod(pod: Pod, deleted: boolean): void {
    const uid = pod.metadata.uid;
    const s = this.serverByUid.get(uid);
    if (deleted || pod.status.phase === "Succeeded" || pod.status.phase === "Failed") {
      if (s !== undefined) {
        this.serverByUid.delete(uid);
        this.stopServer(s);
      }
      return;
    }
    if (s === undefined && pod.status.phase === "Running" && pod.status.podIP) this.createServer(pod);
  }

  private createServer(pod: Pod): void {
    const n = this.nodeIndex.get(pod.spec.nodeName ?? "");
    if (n === undefined) return;
    const s = this.serverCount++;
    if (s >= this.srvState.length) this.growServers(s * 2);
    const groups = this.groupsOf(pod);
    for (const g of groups) this.groups[g].servers.push(s);
    const backend = groups.length > 0 ? this.groups[groups[0]].backend : DEFAULT_BACKEND;
    this.srvState[s] = RUNNING;
    this.srvNode[s] = n;
    this.srvWorkers[s] = backend.workers;
    this.srvQueueLimit[s] = backend.queueLimit;
    this.srvCpu[s] = backend.cpuPerWorker ?? 0;
    this.srvQLen[s] = 0;
    this.srvBusy[s] = 0;
    this.srvPod[s] = pod.metadata.name;
    this.srvIP[s] = pod.status.podIP!;
    this.serverByUid.set(pod.metadata.uid, s);
    this.serverByIP.set(pod.status.podIP!, s);
    this.nodeServers[n].push(s);
    this.srvHasWorkers[s] = 0;
    this.srvFreeTop[s] = 0;
    if (this.nodeUp[n]) this.allocateWorkers(s);
  }

  /**
   * The traffic Services that select the pod when it starts, in spec order; the first gives its
   * server model (workers, queue limit, cpuPerWorker). Requests take their service time from their
   * own entry.
   */
  private groupsOf(pod: Pod): number[] {
    const out: number[] = [];
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g];
      if (group.namespace !== pod.metadata.namespace) continue;
      const svc = this.ctx.store.get("Service", group.key) as Service | undefined;
      if (svc && matchesMapSelector(svc.spec.selector, pod.metadata.labels ?? {})) out.push(g);
    }
    return out;
  }

  /** Fresh workers (a server that was black-holed never reuses its old ones: their events are stale). */
  private allocateWorkers(s: number): void {
    const c = this.srvWorkers[s];
    const base = this.workerCount;
    this.workerCount += c;
    if (this.workerCount > this.wkAttempt.length) {
      let size = this.wkAttempt.length * 2;
      while (size < this.workerCount) size *= 2;
      this.wkAttempt = growI32(this.wkAttempt, size);
      this.wkServer = growI32(this.wkServer, size);
      this.wkFree = growI32(this.wkFree, size);
    }
    for (let i = 0; i < c; i++) {
      const w = base + i;
      this.wkAttempt[w] = -1;
      this.wkServer[w] = s;
      // Free stack in reverse, so that worker `base` is taken first.
      this.wkFree[base + i] = base + c - 1 - i;
    }
    this.srvWorkerBase[s] = base;
    this.srvFreeTop[s] = c;
    this.srvBusy[s] = 0;
    this.srvHasWorkers[s] = 1;
  }

  /** The pod's containers stopped: everything it holds fails "reset". */
  private stopServer(s: number): void {
    if (this.srvState[s] === GONE) return;
    const wasUp = this.nodeUp[this.srvNode[s]] === 1;
    this.srvState[s] = GONE;
    if (this.serverByIP.get(this.srvIP[s]) === s) this.serverByIP.delete(this.srvIP[s]);
    if (!wasUp) return; // already off the network: nothing is queued
    const victims = this.detach(s);
    for (const a of victims) {
      const r = this.attReq[a];
      this.freeAttempt(a);
      if (r >= 0) this.endAttempt(r, s, RESET);
    }
  }

  /** The server's node failed: its requests are black-holed; its workers are retired. */
  private blackHoleServer(s: number): void {
    const victims = this.detach(s);
    for (const a of victims) {
      const r = this.attReq[a];
      if (r < 0) {
        this.freeAttempt(a);
        continue;
      }
      this.attWhere[a] = BLACK_HOLED;
      const e = this.entries[this.attEntry[a]];
      // With a client timeout the attempt's deadline is already queued.
      if (!e.deadlines) this.blackHole.push(a, this.attGen[a]);
    }
    this.srvFreeTop[s] = 0;
  }

  /** Takes every attempt off the server (in service first, then queued) and retires its workers. */
  private detach(s: number): number[] {
    const out: number[] = [];
    if (this.srvHasWorkers[s]) {
      const base = this.srvWorkerBase[s];
      const cpu = this.srvCpu[s];
      for (let w = base; w < base + this.srvWorkers[s]; w++) {
        const a = this.wkAttempt[w];
        if (a >= 0) {
          out.push(a);
          // Retired: its pending completion event will find no attempt and do nothing.
          this.wkAttempt[w] = -1;
          if (cpu > 0) this.nodeBusyCpu[this.srvNode[s]] -= cpu;
        }
      }
    }
    let a = this.srvQHead[s];
    for (let i = 0; i < this.srvQLen[s]; i++) {
      out.push(a);
      a = this.attNext[a];
    }
    this.srvQLen[s] = 0;
    this.srvBusy[s] = 0;
    this.srvFreeTop[s] = 0;
    this.srvHasWorkers[s] = 0;
    return out;
  }

  // --- pools -------------------------------------------------------------------------------------------

  private allocRequest(): number {
    if (this.reqFreeTop === 0) this.growRequests(this.reqCap * 2);
    const r = this.reqFree[--this.reqFreeTop];
    this.reqLive[r] = 1;
    return r;
  }

  private freeRequest(r: number): void {
    this.reqLive[r] = 0;
    this.reqAttempt[r] = -1;
    this.reqFree[this.reqFreeTop++] = r;
  }

  private allocAttempt(r: number, server: number, t: number): number {
    if (this.attFreeTop === 0) this.growAttempts(this.attCap * 2);
    const a = this.attFree[--this.attFreeTop];
    this.attWhere[a] = STARTING;
    this.attReq[a] = r;
    this.attServer[a] = server;
    this.attEntry[a] = t;
    this.reqAttempt[r] = a;
    return a;
  }

  private freeAttempt(a: number): void {
    this.attWhere[a] = FREE;
    this.attReq[a] = -1;
    this.attGen[a]++;
    this.attFree[this.attFreeTop++] = a;
  }

  private growRequests(size: number): void {
    const old = this.reqCap;
    this.reqLive = growU8(this.reqLive, size);
    this.reqEntry = growI32(this.reqEntry, size);
    this.reqArrival = growF64(this.reqArrival, size);
    this.reqClient = growI32(this.reqClient, size);
    this.reqTries = growI32(this.reqTries, size);
    this.reqAttempt = growI32(this.reqAttempt, size);
    const free = new Int32Array(size);
    free.set(this.reqFree.subarray(0, this.reqFreeTop));
    // New slots go under the existing free ones, highest first, so the lowest index is taken next.
    let top = this.reqFreeTop;
    for (let i = size - 1; i >= old; i--) free[top++] = i;
    this.reqFree = free;
    this.reqFreeTop = top;
    this.reqCap = size;
  }

  private growAttempts(size: number): void {
    const old = this.attCap;
    this.attWhere = growU8(this.attWhere, size);
    this.attReq = growI32(this.attReq, size);
    this.attServer = growI32(this.attServer, size);
    this.attEntry = growI32(this.attEntry, size);
    this.attNext = growI32(this.attNext, size);
    this.attGen = growI32(this.attGen, size);
    const free = new Int32Array(size);
    free.set(this.attFree.subarray(0, this.attFreeTop));
    let top = this.attFreeTop;
    for (let i = size - 1; i >= old; i--) {
      free[top++] = i;
      this.attReq[i] = -1;
    }
    this.attFree = free;
    this.attFreeTop = top;
    this.attCap = size;
  }

  private growServers(size: number): void {
    this.srvState = growU8(this.srvState, size);
    this.srvNode = growI32(this.srvNode, size);
    this.srvWorkers = growI32(this.srvWorkers, size);
    this.srvBusy = growI32(this.srvBusy, size);
    this.srvQueueLimit = growI32(this.srvQueueLimit, size);
    this.srvQHead = growI32(this.srvQHead, size);
    this.srvQTail = growI32(this.srvQTail, size);
    this.srvQLen = growI32(this.srvQLen, size);
    this.srvCpu = growF64(this.srvCpu, size);
    this.srvWorkerBase = growI32(this.srvWorkerBase, size);
    this.srvFreeTop = growI32(this.srvFreeTop, size);
    this.srvHasWorkers = growU8(this.srvHasWorkers, size);
  }

  // --- metrics -------------------------------------------------------------------------------------------

  /** Per-Service metrics (read-only use: tests and reports). */
  serviceMetrics(service: string): ServiceMetrics | undefined {
    const g = this.groupByService.get(service);
    return g === undefined ? undefined : this.groups[g].metrics;
  }

  /** Summary metrics of every Service (cluster.stats source). */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    const seconds = this.ctx.engine.now / 1_000_000;
    for (const g of this.groups) Object.assign(out, g.metrics.summary((s) => this.srvPod[s] ?? `server-${s}`, seconds, g.servers));
    return out;
  }

  /** A node's kube-proxy (tests, inspection). */
  nodeRouter(name: string): NodeRouter | undefined {
    const n = this.nodeIndex.get(name);
    return n === undefined ? undefined : this.routers[n];
  }

  /** The pod name of a server (tests). */
  podOfServer(server: number): string | undefined {
    return this.srvPod[server];
  }

  /**
   * Checks the bookkeeping: for every Service, arrived = completed + failed + inFlight, and
   * inFlight is the number of live requests, each attached to exactly one attempt of its own;
   * busy workers and queue lengths match the attempts they hold. Throws on a violation.
   */
  assertConservation(): void {
    const live = new Array<number>(this.groups.length).fill(0);
    for (let r = 0; r < this.reqCap; r++) {
      if (!this.reqLive[r]) continue;
      live[this.entries[this.reqEntry[r]].group]++;
      const a = this.reqAttempt[r];
      if (a < 0 || this.attReq[a] !== r || this.attWhere[a] === FREE || this.attWhere[a] === STARTING) {
        throw new Error(`request ${r} in flight without an attempt of its own (attempt ${a})`);
      }
    }
    this.groups.forEach((g, i) => {
      const m = g.metrics;
      let failed = 0;
      for (let c = 0; c < CAUSES.length; c++) failed += m.failures[c];
      if (failed !== m.failed) throw new Error(`${g.key}: failures by cause (${failed}) ≠ failed (${m.failed})`);
      if (m.arrived !== m.completed + m.failed + m.inFlight) {
        throw new Error(`${g.key}: arrived ${m.arrived} ≠ completed ${m.completed} + failed ${m.failed} + inFlight ${m.inFlight}`);
      }
      if (m.inFlight !== live[i]) throw new Error(`${g.key}: inFlight ${m.inFlight} ≠ live requests ${live[i]}`);
    });
    for (let s = 0; s < this.serverCount; s++) {
      if (this.srvState[s] !== RUNNING || !this.nodeUp[this.srvNode[s]]) continue;
      let busy = 0;
      const base = this.srvWorkerBase[s];
      for (let w = base; w < base + this.srvWorkers[s]; w++) if (this.wkAttempt[w] >= 0) busy++;
      if (busy !== this.srvBusy[s]) throw new Error(`server ${s}: ${busy} workers busy, counted ${this.srvBusy[s]}`);
      if (busy + this.srvFreeTop[s] !== this.srvWorkers[s]) throw new Error(`server ${s}: busy ${busy} + free ${this.srvFreeTop[s]} ≠ workers ${this.srvWorkers[s]}`);
      if (this.srvQLen[s] > 0 && busy < this.srvWorkers[s]) throw new Error(`server ${s}: requests queued while a worker is free`);
      if (this.srvQLen[s] > this.srvQueueLimit[s]) throw new Error(`server ${s}: queue ${this.srvQLen[s]} over its limit`);
    }
  }
}

const DEFAULT_BACKEND: BackendSpec = {
  workers: TRAFFIC_DEFAULTS.workers,
  serviceTime: TRAFFIC_DEFAULTS.serviceTime,
  queueLimit: TRAFFIC_DEFAULTS.queueLimit,
};

/**
 * Attempt deadlines for one constant delay: FIFO, so a ring buffer and at most one pending engine
 * event (at the earliest deadline of an attempt still waiting). Entries of attempts that ended
 * meanwhile are skipped (their generation changed, or they no longer belong to a request).
 */
class DeadlineQueue {
  private slots = new Int32Array(256);
  private gens = new Int32Array(256);
  private times = new Float64Array(256);
  private head = 0;
  private len = 0;
  private pendingAt = -1;
  private readonly fire: () => void;

  constructor(
    private readonly ctx: SimContext,
    private readonly delay: number,
    /** Is this attempt (slot, generation) still waiting for its client? */
    private readonly current: (attempt: number, gen: number) => boolean,
    private readonly expire: (attempt: number) => void,
  ) {
    this.fire = () => this.onFire();
  }

  push(attempt: number, gen: number): void {
    if (this.len === this.slots.length) this.grow();
    const i = (this.head + this.len) % this.slots.length;
    const at = this.ctx.engine.now + this.delay;
    this.slots[i] = attempt;
    this.gens[i] = gen;
    this.times[i] = at;
    this.len++;
    if (this.pendingAt < 0) {
      this.pendingAt = at;
      this.ctx.engine.at(at, this.fire, Priority.Normal);
    }
  }

  private onFire(): void {
    const now = this.ctx.engine.now;
    // While expiring, retries may push new deadlines: they are later than every entry here, so
    // they must not schedule an event of their own (rearm does, for the earliest one).
    this.pendingAt = Infinity;
    const cap = this.slots.length;
    while (this.len > 0 && this.times[this.head] <= now) {
      const a = this.slots[this.head];
      const gen = this.gens[this.head];
      this.head = (this.head + 1) % cap;
      this.len--;
      if (this.current(a, gen)) this.expire(a);
    }
    this.pendingAt = -1;
    this.rearm();
  }

  /** Drops the entries of attempts that already ended, then waits for the first live one. */
  private rearm(): void {
    if (this.pendingAt >= 0) return;
    const cap = this.slots.length;
    while (this.len > 0 && !this.current(this.slots[this.head], this.gens[this.head])) {
      this.head = (this.head + 1) % cap;
      this.len--;
    }
    if (this.len > 0) {
      this.pendingAt = this.times[this.head];
      this.ctx.engine.at(this.pendingAt, this.fire, Priority.Normal);
    }
  }

  private grow(): void {
    const cap = this.slots.length;
    const slots = new Int32Array(cap * 2);
    const gens = new Int32Array(cap * 2);
    const times = new Float64Array(cap * 2);
    for (let i = 0; i < this.len; i++) {
      const j = (this.head + i) % cap;
      slots[i] = this.slots[j];
      gens[i] = this.gens[j];
      times[i] = this.times[j];
    }
    this.slots = slots;
    this.gens = gens;
    this.times = times;
    this.head = 0;
  }
}

/** A sampler of service times (µs) for a ServiceTimeSpec, drawing from `rng`. */
export function serviceTimeSampler(spec: ServiceTimeSpec, rng: Rng): () => number {
  switch (spec.distribution) {
    case "constant": {
      const v = spec.value;
      return () => v;
    }
    case "uniform": {
      const { min, max } = spec;
      return () => Math.round(rng.uniform(min, max));
    }
    case "exponential": {
      const mean = spec.mean;
      return () => Math.round(rng.exponential(1 / mean));
    }
    case "lognormal": {
      const mu = Math.log(spec.median);
      const sigma = spec.sigma;
      return () => Math.round(rng.lognormal(mu, sigma));
    }
    case "empirical": {
      const values = spec.values;
      return () => values[rng.int(values.length)];
    }
  }
}

function growI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a.subarray(0, Math.min(a.length, size)));
  return b;
}
function growF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a.subarray(0, Math.min(a.length, size)));
  return b;
}
function growU8(a: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  b.set(a.subarray(0, Math.min(a.length, size)));
  return b;
}
