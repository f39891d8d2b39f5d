/**
 * KubeProxy against kube-proxy's rules: watch latency then the BoundedFrequencyRunner
 * (pkg/proxy/runner/bounded_frequency_runner.go: a change syncs at max(delivery, last sync +
 * minSyncPeriod), plus a sync every syncPeriod), CategorizeEndpoints (pkg/proxy/topology.go),
 * the "ip:port" order (pkg/proxy/endpointslicecache.go) and ClientIP affinity.
 * Watch latency L = 20 ms, minSyncPeriod 1 s, syncPeriod 30 s unless said otherwise.
 */
import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../../sim/api/objects.js";
import type { SimContext } from "../../sim/cluster/context.js";
import { slicesForService } from "../../sim/controllers/endpointSlice.js";
import { Rng } from "../../sim/engine/rng.js";
import { Cluster } from "../../sim/run/cluster.js";
import { NO_ENDPOINTS, NO_SUCH_POD, type BalancerFactory, type EndpointView } from "../../sim/traffic/contract.js";
import { affinityTimeout, categorizeEndpoints, DEFAULT_CLIENT_IP_AFFINITY_SECONDS, KUBE_PROXY_DEFAULTS, KubeProxy, type KubeProxyOptions } from "../../sim/traffic/proxy.js";
import { BALANCERS } from "../../policies/proxy/registry.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";
import { context, MapDirectory, ms, s, service, setEndpoints, slice, type Ep } from "./helpers.js";

const L = 20 * ms;
const rr = BALANCERS.get("rr")!;

interface Setup {
  ctx: SimContext;
  dir: MapDirectory;
  proxy: KubeProxy;
  syncs: number[];
  balancerCalls: string[];
}

function setup(node = "node-a", options: Partial<KubeProxyOptions> & { balancer?: BalancerFactory; ctx?: SimContext; dir?: MapDirectory } = {}): Setup {
  const ctx = options.ctx ?? context(L);
  const dir = options.dir ?? new MapDirectory();
  const syncs: number[] = [];
  const balancerCalls: string[] = [];
  const proxy = new KubeProxy(ctx, node, {
    mode: "iptables",
    directory: dir,
    balancerFor: (key) => {
      balancerCalls.push(key);
      return options.balancer ?? rr;
    },
    onSync: (t) => syncs.push(t),
    ...options,
  });
  return { ctx, dir, proxy, syncs, balancerCalls };
}

function create(ctx: SimContext, obj: Parameters<SimContext["store"]["create"]>[0]): void {
  const r = ctx.store.create(obj);
  if (!r.ok) throw new Error(r.error.message);
}

const ips = (view: readonly EndpointView[]): string[] => view.map((e) => e.ip);
const three: Ep[] = [
  { ip: "10.0.1.1", node: "node-a" },
  { ip: "10.0.1.2", node: "node-b" },
  { ip: "10.0.1.3", node: "node-c" },
];
const directoryFor = (eps: readonly Ep[]): MapDirectory => new MapDirectory(Object.fromEntries(eps.map((e, i) => [e.ip, i])));

describe("sync timing", () => {
  it("defaults: minSyncPeriod 1 s and syncPeriod 30 s for every mode", () => {
    for (const mode of ["iptables", "nftables", "ipvs"] as const) expect(KUBE_PROXY_DEFAULTS[mode]).toEqual({ minSyncPeriod: 1 * s, syncPeriod: 30 * s });
    const { proxy } = setup();
    expect([proxy.minSyncPeriod, proxy.syncPeriod]).toEqual([1 * s, 30 * s]);
  });

  it("updates the view exactly at max(write + L, last sync + minSyncPeriod), coalescing changes", () => {
    const { ctx, proxy, syncs } = setup("node-a", { dir: directoryFor([...three, { ip: "10.0.1.4" }]) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three.slice(0, 2)));
    proxy.start();
    expect(syncs).toEqual([0]);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.1.1", "10.0.1.2"]);

    const e = ctx.engine;
    // A write at 0.1 s is delivered at 0.12 s, but the last sync was at 0: the sync waits for 1 s.
    e.at(100 * ms, () => setEndpoints(ctx, "web-x", three));
    e.run(1 * s - 1);
    expect(ips(proxy.viewOf("default/web"))).toHaveLength(2);
    e.run(1 * s);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.1.1", "10.0.1.2", "10.0.1.3"]);

    // Long after: synced as soon as delivered, at 5.02 s.
    e.at(5 * s, () => setEndpoints(ctx, "web-x", three.slice(1)));
    e.run(5 * s + L - 1);
    expect(proxy.viewOf("default/web")).toHaveLength(3);
    e.run(5 * s + L);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.1.2", "10.0.1.3"]);

    // Two writes inside the cool-down: one sync at 5.02 + 1 = 6.02 s with both.
    e.at(5.5 * s, () => setEndpoints(ctx, "web-x", three));
    e.at(5.6 * s, () => setEndpoints(ctx, "web-x", [...three, { ip: "10.0.1.4", node: "node-d" }]));
    e.run(6 * s + L - 1);
    expect(proxy.viewOf("default/web")).toHaveLength(2);
    e.run(6 * s + L);
    expect(proxy.viewOf("default/web")).toHaveLength(4);

    // Then only the periodic syncs, every 30 s after the last one.
    e.run(100 * s);
    expect(syncs).toEqual([0, 1 * s, 5 * s + L, 6 * s + L, 36 * s + L, 66 * s + L, 96 * s + L]);
    expect(proxy.lastSync).toBe(96 * s + L);
  });

  it("with minSyncPeriod 0 every delivered change syncs at once; Service changes count too", () => {
    const { ctx, proxy, syncs } = setup("node-a", { mode: "ipvs", minSyncPeriod: 0, dir: directoryFor(three) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    ctx.engine.at(10 * ms, () => setEndpoints(ctx, "web-x", three.slice(0, 1)));
    ctx.engine.at(15 * ms, () => ctx.store.modify("Service", "default/web", (svc) => ({ ...svc, spec: { ...svc.spec, sessionAffinity: "ClientIP" } })));
    ctx.engine.run(1 * s);
    expect(syncs).toEqual([0, 10 * ms + L, 15 * ms + L]);
    expect(proxy.viewOf("default/web")).toHaveLength(1);
  });

  it("a stale view keeps sending requests to a removed endpoint until the sync", () => {
    const { ctx, proxy } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    ctx.engine.at(200 * ms, () => setEndpoints(ctx, "web-x", three.slice(0, 2)));
    ctx.engine.run(999 * ms);
    // The store no longer lists 10.0.1.3, but the proxy does: rr still reaches server 2.
    expect([0, 1, 2, 3].map(() => proxy.route("default/web", 1))).toEqual([0, 1, 2, 0]);
    ctx.engine.run(1 * s);
    expect([0, 1, 2].map(() => proxy.route("default/web", 1))).toEqual([1, 0, 1]);
  });
});

describe("endpoints (CategorizeEndpoints, ip:port order)", () => {
  it("orders by the \"ip:port\" string, so 10.0.0.10:8080 comes before 10.0.0.1:8080", () => {
    const { ctx, proxy } = setup();
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", [{ ip: "10.0.0.2" }, { ip: "10.0.0.1" }, { ip: "10.0.0.10" }]));
    proxy.start();
    expect(proxy.viewOf("default/web").map((e) => e.address)).toEqual(["10.0.0.10:8080", "10.0.0.1:8080", "10.0.0.2:8080"]);
  });

  it("uses the ready endpoints, else the serving-and-terminating ones", () => {
    const { ctx, proxy } = setup();
    create(ctx, service("web"));
    const notReady: Ep[] = [
      { ip: "10.0.0.1", ready: false, serving: true, terminating: true },
      { ip: "10.0.0.2", ready: false, serving: false, terminating: true },
      { ip: "10.0.0.3", ready: false, serving: false, terminating: false },
      { ip: "10.0.0.4", ready: false, serving: true, terminating: false },
    ];
    create(ctx, slice("web-x", "web", notReady));
    proxy.start();
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.0.1"]);
    setEndpoints(ctx, "web-x", [...notReady, { ip: "10.0.0.5" }]);
    ctx.engine.run(2 * s);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.0.5"]);
    setEndpoints(ctx, "web-x", notReady.slice(1));
    ctx.engine.run(4 * s);
    expect(proxy.viewOf("default/web")).toEqual([]);
    expect(proxy.route("default/web", 1)).toBe(NO_ENDPOINTS);
  });

  it("internalTrafficPolicy Local: only this node's endpoints, ready else serving-terminating, else none", () => {
    const ctx = context(L);
    create(ctx, service("web", { internalTrafficPolicy: "Local" }));
    create(ctx, slice("web-x", "web", [...three, { ip: "10.0.1.4", node: "node-a" }]));
    const a = setup("node-a", { ctx, dir: directoryFor(three) }).proxy;
    const c = setup("node-z", { ctx }).proxy;
    a.start();
    c.start();
    expect(ips(a.viewOf("default/web"))).toEqual(["10.0.1.1", "10.0.1.4"]);
    expect(c.viewOf("default/web")).toEqual([]);
    expect(c.route("default/web", 1)).toBe(NO_ENDPOINTS);

    // node-a's endpoints terminate while node-b's are ready: Local keeps to node-a's serving ones.
    setEndpoints(ctx, "web-x", [
      { ip: "10.0.1.1", node: "node-a", ready: false, serving: true, terminating: true },
      { ip: "10.0.1.2", node: "node-b" },
      { ip: "10.0.1.4", node: "node-a", ready: false, serving: false, terminating: true },
    ]);
    ctx.engine.run(2 * s);
    expect(ips(a.viewOf("default/web"))).toEqual(["10.0.1.1"]);
    expect(a.route("default/web", 1)).toBe(0);
  });

  it("externalTrafficPolicy Local applies to external traffic of NodePort / LoadBalancer Services only", () => {
    const ctx = context(L);
    const dir = directoryFor(three);
    create(ctx, service("np", { type: "NodePort", externalTrafficPolicy: "Local" }));
    create(ctx, slice("np-x", "np", three));
    create(ctx, service("cip", { externalTrafficPolicy: "Local" }));
    create(ctx, slice("cip-x", "cip", three));
    const { proxy } = setup("node-b", { ctx, dir });
    proxy.start();
    expect(ips(proxy.viewOf("default/np"))).toEqual(["10.0.1.1", "10.0.1.2", "10.0.1.3"]);
    expect(ips(proxy.viewOf("default/np", true))).toEqual(["10.0.1.2"]);
    expect([1, 2, 3].map((c) => proxy.external.route("default/np", c))).toEqual([1, 1, 1]);
    // A ClusterIP Service has no external entry; its internal traffic ignores externalTrafficPolicy.
    expect(proxy.external.route("default/cip", 1)).toBe(NO_ENDPOINTS);
    expect(proxy.viewOf("default/cip")).toHaveLength(3);
  });

  it("categorizeEndpoints is upstream's choice for one policy", () => {
    const eps = [
      { id: 1, nodeName: "a", ready: true, serving: true, terminating: false },
      { id: 2, nodeName: "b", ready: false, serving: true, terminating: true },
      { id: 3, nodeName: "a", ready: false, serving: true, terminating: true },
    ];
    expect(categorizeEndpoints(eps, false, "a").map((e) => e.id)).toEqual([1]);
    expect(categorizeEndpoints(eps.slice(1), false, "a").map((e) => e.id)).toEqual([2, 3]);
    expect(categorizeEndpoints(eps, true, "b").map((e) => e.id)).toEqual([2]);
    expect(categorizeEndpoints(eps, true, "c")).toEqual([]);
  });

  it("skips headless Services and those labelled for another proxy", () => {
    const { ctx, proxy } = setup();
    create(ctx, service("headless", { clusterIP: "None" }));
    create(ctx, slice("headless-x", "headless", three));
    create(ctx, service("other", {}, { "service.kubernetes.io/service-proxy-name": "someone-else" }));
    create(ctx, slice("other-x", "other", three));
    proxy.start();
    expect(proxy.route("default/headless", 1)).toBe(NO_ENDPOINTS);
    expect(proxy.route("default/other", 1)).toBe(NO_ENDPOINTS);
    expect(proxy.route("default/nothing", 1)).toBe(NO_ENDPOINTS);
  });

  it("resolves servers at sync time, and an unknown IP again when a request picks it", () => {
    const dir = new MapDirectory({ "10.0.1.2": 5 });
    const { ctx, proxy } = setup("node-a", { dir });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three.slice(0, 2)));
    proxy.start();
    expect(proxy.viewOf("default/web").map((e) => e.server)).toEqual([-1, 5]);
    expect(proxy.route("default/web", 1)).toBe(NO_SUCH_POD); // rr picks 10.0.1.1: nobody there, refused
    dir.servers.set("10.0.1.1", 9);
    expect(proxy.route("default/web", 1)).toBe(5);
    expect(proxy.route("default/web", 1)).toBe(9);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([1, 1]));
  });

  it("asks for a Service's balancer once, and drops its state when the Service goes", () => {
    const { ctx, proxy, balancerCalls } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    setEndpoints(ctx, "web-x", three.slice(1));
    ctx.engine.run(5 * s);
    expect(balancerCalls).toEqual(["default/web"]);
    ctx.store.delete("Service", "default/web");
    ctx.engine.run(10 * s);
    expect(proxy.route("default/web", 1)).toBe(NO_ENDPOINTS);
    expect(proxy.viewOf("default/web")).toEqual([]);
  });
});

describe("requests in flight", () => {
  it("route counts, done uncounts, and the counts follow each pod across syncs", () => {
    const { ctx, proxy } = setup("node-a", { dir: directoryFor([...three, { ip: "10.0.0.9" }]) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    const got = [1, 2, 3, 4].map((c) => proxy.route("default/web", c));
    expect(got).toEqual([0, 1, 2, 0]);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([2, 1, 1]));
    // 10.0.0.9 sorts first ("10.0.0.9:8080" < "10.0.1.1:8080"); 10.0.1.2 goes.
    setEndpoints(ctx, "web-x", [{ ip: "10.0.0.9" }, three[0], three[2]]);
    ctx.engine.run(2 * s);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.0.9", "10.0.1.1", "10.0.1.3"]);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([0, 2, 1]));
    proxy.done("default/web", 0);
    proxy.done("default/web", 1); // its endpoint is gone: nothing to uncount in the view
    proxy.done("default/web", 2);
    proxy.done("default/web", 2); // not in flight any more: ignored
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([0, 1, 0]));
  });

  it("gives the balancer the counts: least picks the endpoint with fewest in flight", () => {
    const { ctx, proxy } = setup("node-a", { balancer: BALANCERS.get("least")!, dir: directoryFor(three) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    expect([1, 2, 3, 4, 5].map((c) => proxy.route("default/web", c))).toEqual([0, 1, 2, 0, 1]);
    proxy.done("default/web", 2);
    expect(proxy.route("default/web", 9)).toBe(2);
  });
});

describe("in-flight counts by pod server (server ids are global and never reused)", () => {
  const least = BALANCERS.get("least")!;

  /** A started least-connections proxy on node-a with Service web and its (empty) slice web-x. */
  function startedWithoutEndpoints(): { dir: MapDirectory; ctx: ReturnType<typeof setup>["ctx"]; proxy: ReturnType<typeof setup>["proxy"] } {
    const dir = new MapDirectory();
    const { ctx, proxy } = setup("node-a", { balancer: least, dir });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", []));
    proxy.start();
    return { dir, ctx, proxy };
  }

  it("a lane's per-server storage follows its endpoints, not the highest server id (ids up to 1e6)", () => {
    const { dir, ctx, proxy } = startedWithoutEndpoints();
    let held: number[] = []; // one request in flight to each of the previous round's servers
    let largest = 0;
    for (let round = 1; round <= 200; round++) {
      // Three new pods per round, their server ids 5000 apart: the last round's are 1,000,000+.
      const eps: Ep[] = [1, 2, 3].map((k) => ({ ip: `10.0.${round}.${k}` }));
      eps.forEach((e, k) => dir.servers.set(e.ip, round * 5000 + k));
      setEndpoints(ctx, "web-x", eps);
      ctx.engine.run(round * 2 * s);
      expect(proxy.viewOf("default/web").map((e) => e.server)).toEqual([0, 1, 2].map((k) => round * 5000 + k));
      // The lane tracks 6 servers now: the 3 in its view and the 3 that left with a request in flight.
      largest = Math.max(largest, proxy.serverCapacityOf("default/web"));
      for (const server of held) proxy.done("default/web", server); // they finish after their pods left the view
      expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([0, 0, 0]));
      held = [1, 2, 3].map((c) => proxy.route("default/web", c));
      expect(held).toEqual([0, 1, 2].map((k) => round * 5000 + k));
    }
    // A few buckets per tracked server, not an array as long as the highest id (2^20 before).
    expect(largest).toBeGreaterThanOrEqual(6);
    expect(largest).toBeLessThanOrEqual(4 * 6);
  });

  it("a server keeps its count while out of the view, done() for it still counts, and least sees it on its return", () => {
    const { ctx, proxy } = setup("node-a", { balancer: least, dir: directoryFor(three) }); // servers 0, 1, 2
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    // least takes the first endpoint with the fewest in flight: 0 1 2 0 1 2 0.
    expect([1, 2, 3, 4, 5, 6, 7].map((c) => proxy.route("default/web", c))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([3, 2, 2]));
    setEndpoints(ctx, "web-x", three.slice(1)); // 10.0.1.1 (server 0) leaves with 3 in flight
    ctx.engine.run(2 * s);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([2, 2]));
    proxy.done("default/web", 0); // server 0: 3 → 2, out of the view
    proxy.done("default/web", 1);
    proxy.done("default/web", 2);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([1, 1]));
    setEndpoints(ctx, "web-x", three); // server 0 comes back with its 2
    ctx.engine.run(4 * s);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([2, 1, 1]));
    // [2,1,1] → 1; [2,2,1] → 2; [2,2,2] → 0. (Had server 0 come back at 0 the first pick would be
    // 0; had the done() while it was away been lost, [3,2,2] would make the third pick 1.)
    expect([8, 9, 10].map((c) => proxy.route("default/web", c))).toEqual([1, 2, 0]);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([3, 2, 2]));
  });

  it("storage freed by a drained server is reused by the next one, which starts at 0; done() for the old one is ignored", () => {
    const { dir, ctx, proxy } = startedWithoutEndpoints();
    let previous = -1;
    const capacities = new Set<number>();
    for (let round = 1; round <= 50; round++) {
      // One endpoint at a time, a new pod (server 1000 × round) each round.
      const ip = `10.0.${round}.1`;
      dir.servers.set(ip, round * 1000);
      setEndpoints(ctx, "web-x", [{ ip }]);
      ctx.engine.run(round * 2 * s);
      capacities.add(proxy.serverCapacityOf("default/web"));
      expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([0]));
      expect([1, 2].map((c) => proxy.route("default/web", c))).toEqual([round * 1000, round * 1000]);
      // The previous server was already drained (below); more done()s for it must not touch this one.
      proxy.done("default/web", previous);
      expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([2]));
      proxy.done("default/web", round * 1000);
      proxy.done("default/web", round * 1000);
      previous = round * 1000;
    }
    // 50 servers went through storage that never grew past a few slots: every new one reused a
    // drained one's, and started at 0 all the same.
    expect(capacities.size).toBe(1);
    expect([...capacities][0]).toBeLessThan(50);
  });

  it("matches a count-per-server model through random churn, stale views and servers resolved late", () => {
    const rng = new Rng(42, "churn");
    const { dir, ctx, proxy } = startedWithoutEndpoints();
    const model = new Map<number, number>(); // requests in flight from this proxy, by server
    const outstanding: number[] = [];
    let nextServer = 0;
    let nextIP = 1;
    let pods: string[] = [];
    let away: string[] = [];
    let lastView: readonly EndpointView[] = [];
    let lateResolved = 0; // routes to an entry whose server was unknown at the sync
    let doneAway = 0; // done() for a server no longer in the view
    let returned = 0; // servers back in the view with requests still in flight
    for (let round = 1; round <= 300; round++) {
      // Churn: some pods leave the view (unready, or gone), some come back, some new ones come; a
      // new pod's server exists only some of the time at the sync (then route() looks its IP up
      // again, and finds it once it is mapped below).
      const back = away.filter(() => rng.next() < 0.2);
      away = away.filter((ip) => !back.includes(ip));
      const leaving = pods.filter(() => rng.next() < 0.3);
      away.push(...leaving);
      pods = [...pods.filter((ip) => !leaving.includes(ip)), ...back];
      for (let k = rng.int(4); k > 0; k--) {
        const ip = `10.1.${nextIP >> 8}.${nextIP & 255}`;
        nextIP++;
        pods.push(ip);
        if (rng.next() < 0.7) dir.servers.set(ip, nextServer++);
      }
      setEndpoints(ctx, "web-x", pods.map((ip) => ({ ip })));
      ctx.engine.run(round * 2 * s);
      for (const ip of pods) if (!dir.servers.has(ip) && rng.next() < 0.5) dir.servers.set(ip, nextServer++);
      const view = proxy.viewOf("default/web");
      returned += back.filter((ip) => (model.get(dir.servers.get(ip) ?? -1) ?? 0) > 0).length;
      if (view !== lastView) {
        // The new view's servers and those with requests in flight, a few slots each.
        expect(proxy.serverCapacityOf("default/web")).toBeLessThanOrEqual(4 * Math.max(2, view.length + new Set(outstanding).size));
        lastView = view;
      }
      for (let op = rng.int(12); op > 0; op--) {
        if (rng.next() < 0.55 || outstanding.length === 0) {
          const server = proxy.route("default/web", op);
          if (server >= 0) {
            if (!view.some((e) => e.server === server)) lateResolved++;
            outstanding.push(server);
            model.set(server, (model.get(server) ?? 0) + 1);
          }
        } else {
          const [server] = outstanding.splice(rng.int(outstanding.length), 1);
          proxy.done("default/web", server);
          if (!view.some((e) => e.server === server || dir.servers.get(e.ip) === server)) doneAway++;
          model.set(server, model.get(server)! - 1);
        }
        // A view entry resolved at the sync or since shows its server's count; one never resolved, 0.
        const expected = view.map((e) => {
          const server = e.server >= 0 ? e.server : (dir.servers.get(e.ip) ?? -1);
          return server >= 0 && (e.server >= 0 || model.has(server)) ? (model.get(server) ?? 0) : 0;
        });
        expect(Array.from(proxy.activeOf("default/web"))).toEqual(expected);
      }
    }
    // The run went through each case often enough to matter.
    expect(nextServer).toBeGreaterThan(300);
    expect(lateResolved).toBeGreaterThan(5);
    expect(doneAway).toBeGreaterThan(20);
    expect(returned).toBeGreaterThan(20);
  });
});

describe("ClientIP session affinity", () => {
  const sticky = (timeoutSeconds?: number): Partial<Service["spec"]> => ({
    sessionAffinity: "ClientIP",
    ...(timeoutSeconds !== undefined ? { sessionAffinityConfig: { clientIP: { timeoutSeconds } } } : {}),
  });

  it("keeps a client's endpoint while used within the timeout, then rebalances", () => {
    const { ctx, proxy } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web", sticky(10)));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    const route = (client: number, at: number): number => {
      ctx.engine.run(at);
      return proxy.route("default/web", client);
    };
    expect(route(100, 0)).toBe(0);
    expect(route(100, 0)).toBe(0); // rr would have moved on
    expect(route(200, 0)).toBe(1);
    expect(route(100, 9 * s)).toBe(0);
    expect(route(100, 18.9 * s)).toBe(0); // 9.9 s since the last use, which refreshed it
    expect(route(100, 28.9 * s)).toBe(2); // 10 s since: expired, rr's next
    // Its endpoint goes away: rebalanced after the sync (written 35 s, synced 35.02 s).
    ctx.engine.at(35 * s, () => setEndpoints(ctx, "web-x", three.slice(0, 2)));
    expect(route(100, 35 * s + L - 1)).toBe(2);
    expect(route(100, 35 * s + L)).toBe(0);
    expect(route(100, 36 * s)).toBe(0);
  });

  it("defaults to 10800 s (DefaultClientIPServiceAffinitySeconds)", () => {
    const svc = { spec: { sessionAffinity: "ClientIP" } } as Service;
    expect(DEFAULT_CLIENT_IP_AFFINITY_SECONDS).toBe(10800);
    expect(affinityTimeout(svc)).toBe(10800 * s);
    expect(affinityTimeout({ spec: { sessionAffinity: "None" } } as Service)).toBe(0);
    const { ctx, proxy } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web", sticky()));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    expect(proxy.route("default/web", 7)).toBe(0);
    ctx.engine.run(10800 * s - 1);
    expect(proxy.route("default/web", 7)).toBe(0);
    ctx.engine.run(2 * 10800 * s - 2); // 10800 s − 1 µs after the last use
    expect(proxy.route("default/web", 7)).toBe(0);
    ctx.engine.run(3 * 10800 * s);
    expect(proxy.route("default/web", 7)).toBe(1);
  });

  it("turning affinity off forgets it", () => {
    const { ctx, proxy } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web", sticky(60)));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    expect([proxy.route("default/web", 1), proxy.route("default/web", 1)]).toEqual([0, 0]);
    ctx.store.modify("Service", "default/web", (svc) => ({ ...svc, spec: { ...svc.spec, sessionAffinity: "None" } }));
    ctx.engine.run(2 * s);
    expect([proxy.route("default/web", 1), proxy.route("default/web", 1)]).toEqual([1, 2]);
  });
});

describe("node failure", () => {
  it("a stopped proxy routes nothing; started again it relists and syncs at once", () => {
    const { ctx, proxy, syncs } = setup("node-a", { dir: directoryFor(three) });
    create(ctx, service("web"));
    create(ctx, slice("web-x", "web", three));
    proxy.start();
    expect(proxy.route("default/web", 1)).toBe(0);
    ctx.engine.run(5 * s);
    proxy.stop();
    expect(proxy.isRunning).toBe(false);
    expect(proxy.route("default/web", 1)).toBe(NO_ENDPOINTS);
    expect(proxy.viewOf("default/web")).toEqual([]);
    setEndpoints(ctx, "web-x", three.slice(2));
    ctx.engine.run(100 * s);
    expect(syncs).toEqual([0]); // no periodic syncs while dead
    proxy.start();
    expect(syncs).toEqual([0, 100 * s]);
    expect(ips(proxy.viewOf("default/web"))).toEqual(["10.0.1.3"]);
    expect(proxy.route("default/web", 1)).toBe(2);
    expect(proxy.activeOf("default/web")).toEqual(Int32Array.from([1]));
  });
});

describe("in a cluster", () => {
  it("follows the EndpointSlice controller's writes at the runner's instants on every node", () => {
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" } as Service["metadata"],
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }], type: "ClusterIP", sessionAffinity: "None" },
      status: {},
    };
    const sc = scenario({ pools: [pool("worker", 3, ["a", "b", "c"])], manifests: [deployment("web", 3, { cpu: "100m", memory: "64Mi" }), svc as never], duration: 300 * s });
    const cluster = new Cluster(sc, { seed: 3 });
    const sliceWrites: number[] = [];
    cluster.store.observe((kind, e) => {
      if (kind === "EndpointSlice" && (e.object.metadata.labels ?? {})["kubernetes.io/service-name"] === "web") sliceWrites.push(cluster.engine.now);
    });
    // Pod servers: a stable index per running pod's IP.
    const ids = new Map<string, number>();
    const directory = {
      serverForIP(ip: string): number {
        const pod = cluster.store.list("Pod").find((p: Pod) => p.status.podIP === ip && p.status.phase === "Running");
        if (!pod) return -1;
        if (!ids.has(pod.metadata.uid)) ids.set(pod.metadata.uid, ids.size);
        return ids.get(pod.metadata.uid)!;
      },
    };
    const latency = sc.components.apiServer.watchLatency;
    const proxies = ["worker-0", "worker-1", "worker-2"].map((node) => {
      const syncs: number[] = [];
      const proxy = new KubeProxy(cluster, node, { mode: "iptables", directory, balancerFor: () => rr, zoneOf: (n) => cluster.store.get("Node", n)?.metadata.labels?.["topology.kubernetes.io/zone"], onSync: (t) => syncs.push(t) });
      return { proxy, syncs };
    });
    cluster.bootstrap();
    for (const p of proxies) p.proxy.start();
    cluster.engine.run(60 * s);
    for (const { proxy } of proxies) {
      const view = proxy.viewOf("default/web");
      expect(view).toHaveLength(3);
      expect(view.every((e) => e.server >= 0 && e.zone !== undefined && e.address.endsWith(":8080"))).toBe(true);
    }
    // Scale down: endpoints disappear from every proxy's view.
    cluster.scale("Deployment/default/web", 1);
    cluster.engine.run(200 * s);
    const live = slicesForService(cluster.store.list("EndpointSlice"), "default", "web").flatMap((sl) => sl.endpoints.filter((e) => e.conditions.ready));
    for (const { proxy, syncs } of proxies) {
      expect(proxy.viewOf("default/web")).toHaveLength(live.length);
      // Every slice write reaches the rules at max(write + L, previous sync + 1 s).
      for (const w of sliceWrites) {
        const delivered = w + latency;
        const first = syncs.find((t) => t >= delivered)!;
        const previous = syncs.filter((t) => t < delivered).at(-1) ?? -Infinity;
        expect(first).toBe(Math.max(delivered, previous + proxy.minSyncPeriod));
      }
    }
    expect(live).toHaveLength(1);
  });
});
