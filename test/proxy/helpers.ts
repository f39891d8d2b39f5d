/** Shared fixtures for the kube-proxy and balancer tests. */
import type { EndpointSlice, NewObject, Service } from "../../sim/api/objects.js";
import { Store } from "../../sim/api/store.js";
import type { SimContext } from "../../sim/cluster/context.js";
import { Engine } from "../../sim/engine/engine.js";
import { Rng, RngStreams } from "../../sim/engine/rng.js";
import { EventRecorder } from "../../sim/metrics/events.js";
import { Stats } from "../../sim/metrics/stats.js";
import type { Balancer, BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";

/** Endpoint views for addresses (or "A", "B", ... names turned into 10.0.0.x:80), with weights. */
export function views(count: number, weights?: readonly number[], zones?: readonly (string | undefined)[]): EndpointView[] {
  const out: EndpointView[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `10.0.0.${i + 1}`;
    const zone = zones?.[i];
    out.push({ address: `${ip}:80`, ip, podName: `pod-${i}`, nodeName: `node-${i}`, ...(zone !== undefined ? { zone } : {}), weight: weights?.[i] ?? 1, server: i });
  }
  return out;
}

export function viewsOf(addresses: readonly string[], weights?: readonly number[]): EndpointView[] {
  return addresses.map((address, i) => ({ address, ip: address.split(":")[0], podName: `pod-${i}`, nodeName: `node-${i}`, weight: weights?.[i] ?? 1, server: i }));
}

/** A balancer with its endpoints set. */
export function balancerWith(factory: BalancerFactory, endpoints: EndpointView[], rng = new Rng(1, "test")): Balancer {
  const b = factory.create();
  b.setEndpoints(endpoints, rng);
  return b;
}

/** `count` picks with constant active counts. */
export function picks(b: Balancer, count: number, options: { rng?: Rng; active?: ArrayLike<number>; clientIP?: number } = {}): number[] {
  const rng = options.rng ?? new Rng(1, "test");
  const active = options.active ?? new Int32Array(64);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(b.pick(options.clientIP ?? 0, rng, active));
  return out;
}

export const letters = (indices: readonly number[]): string => indices.map((i) => (i < 0 ? "-" : String.fromCharCode(65 + i))).join("");

// --- a bare API server for the proxy tests --------------------------------------------------------

export const ms = 1_000;
export const s = 1_000_000;

export function context(watchLatency = 20 * ms, seed = 1): SimContext {
  const engine = new Engine();
  const rng = new RngStreams(seed);
  const store = new Store(engine, { watchLatency, rng: rng.stream("apiserver") });
  return { engine, store, rng, events: new EventRecorder(engine), stats: new Stats() };
}

export function service(name: string, spec: Partial<Service["spec"]> = {}, labels?: Record<string, string>): NewObject<Service> & { kind: "Service" } {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", ...(labels ? { labels } : {}) },
    spec: { selector: { app: name }, ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }], type: "ClusterIP", sessionAffinity: "None", ...spec },
    status: {},
  };
}

export interface Ep {
  ip: string;
  node?: string;
  zone?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  pod?: string;
}

export function slice(name: string, serviceName: string, endpoints: readonly Ep[], port = 8080): NewObject<EndpointSlice> & { kind: "EndpointSlice" } {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": serviceName } },
    addressType: "IPv4",
    ports: [{ name: "http", port, protocol: "TCP" }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.node !== undefined ? { nodeName: e.node } : {}),
      ...(e.zone !== undefined ? { zone: e.zone } : {}),
      targetRef: { kind: "Pod" as const, namespace: "default", name: e.pod ?? `pod-${e.ip}`, uid: `uid-${e.ip}` },
    })),
  };
}

/** Replaces a stored slice's endpoints. */
export function setEndpoints(ctx: SimContext, name: string, endpoints: readonly Ep[]): void {
  const current = ctx.store.get("EndpointSlice", `default/${name}`)!;
  const next = slice(name, current.metadata.labels!["kubernetes.io/service-name"], endpoints, current.ports[0]?.port);
  const result = ctx.store.update<EndpointSlice>({ ...current, endpoints: next.endpoints });
  if (!result.ok) throw new Error(result.error.message);
}

/** A directory over a plain map; IPs not in it are -1. */
export class MapDirectory {
  readonly servers = new Map<string, number>();
  constructor(entries: Record<string, number> = {}) {
    for (const [ip, s] of Object.entries(entries)) this.servers.set(ip, s);
  }
  serverForIP(ip: string): number {
    return this.servers.get(ip) ?? -1;
  }
}
