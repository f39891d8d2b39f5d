/**
 * The contract between simk's data plane parts:
 *  - the traffic core (sim/traffic/): request sources, clients (timeouts, retries), pods as
 *    servers, metrics;
 *  - kube-proxy (sim/traffic/proxy.ts) and the balancing policies (policies/proxy/): per node, a
 *    stale view of each Service's endpoints and a Balancer that picks one.
 *
 * Requests are plain integers (indices into the core's typed arrays), so the hot path allocates
 * nothing per request.
 */
import type { Rng } from "../engine/rng.js";

/** One endpoint as a kube-proxy sees it after its last sync. */
export interface EndpointView {
  /** "ip:port": kube-proxy orders a Service's endpoints by this string (endpointslicecache.go). */
  readonly address: string;
  readonly ip: string;
  readonly podName: string;
  readonly nodeName: string;
  readonly zone?: string;
  /** IPVS real-server weight (kube-proxy sets 1). */
  readonly weight: number;
  /** The pod server behind the IP when the view was built (see ServerDirectory), or -1. */
  readonly server: number;
}

/**
 * A load-balancing policy for one Service on one node. Stateful (round-robin position, IPVS
 * current weight, hash tables); one instance per (kube-proxy, Service).
 */
export interface Balancer {
  readonly name: string;
  /** The proxy's endpoint list changed (ready endpoints, ordered by address). */
  setEndpoints(endpoints: readonly EndpointView[], rng: Rng): void;
  /**
   * The index (into the endpoints last set) to send this request to, or -1 if none.
   * `active[i]` is the number of requests this proxy has in flight to endpoint i.
   */
  pick(clientIP: number, rng: Rng, active: ArrayLike<number>): number;
}

export interface BalancerFactory {
  /** "iptables", "ipvs-rr", "p2c", ... or a user module's own name. */
  readonly name: string;
  create(): Balancer;
}

/** Where an IP's pod server is, for kube-proxy to resolve endpoints when it syncs. */
export interface ServerDirectory {
  /** The server index of the pod with this IP right now, or -1 (no such pod, or not started). */
  serverForIP(ip: string): number;
}

/** Why a request failed (the error causes in the metrics). */
export type FailureCause = "noEndpoints" | "refused" | "timeout" | "queueFull" | "reset";

/** What kube-proxy answers for one request: no endpoints (iptables REJECTs at once). */
export const NO_ENDPOINTS = -1;
/**
 * The chosen endpoint's IP has no pod behind it any more (the proxy's view is stale): the packet
 * is sent there and the connection is refused. Not counted as in flight.
 */
export const NO_SUCH_POD = -2;

/**
 * What the traffic core asks of the kube-proxy on a request's entry node. Services are identified
 * by "namespace/name".
 */
export interface ServiceRouter {
  /** The pod server to send this request to (counted as in flight), or NO_ENDPOINTS / NO_SUCH_POD. */
  route(service: string, clientIP: number): number;
  /** The request routed to `server` finished (or failed): no longer in flight from this proxy. */
  done(service: string, server: number): void;
}
