/**
 * The traffic core wired into the whole cluster: one kube-proxy per node that lives and dies with
 * its node, the time-series columns, setTraffic on the timeline, balancer modules, NodePort
 * clients, and determinism.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/simulate.js";
import { Cluster } from "../../sim/run/cluster.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { resolveBalancerModules } from "../../sim/traffic/balancers.js";
import type { KubeProxy } from "../../sim/traffic/proxy.js";
import type { Scenario } from "../../sim/scenario/types.js";

const LB = new URL("../fixtures/traffic/lb.yaml", import.meta.url).pathname;
const FIRST = new URL("../fixtures/traffic/firstBalancer.ts", import.meta.url).pathname;

/** The lb fixture, shortened: requests from 30 s to `seconds`. */
function lb(seconds = 60): Scenario {
  const s = loadScenario(LB);
  s.duration = seconds * 1_000_000;
  return s;
}

describe("determinism", () => {
  it("the same scenario and seed give identical metrics and time series; another seed does not", () => {
    const a = runScenario(lb(), { seed: 7 });
    const b = runScenario(lb(), { seed: 7 });
    const c = runScenario(lb(), { seed: 8 });
    expect(a.metrics).toEqual(b.metrics);
    for (const name of a.timeseries.columnNames()) expect(a.timeseries.column(name)).toEqual(b.timeseries.column(name));
    expect(c.metrics["service.default.web.latency.mean"]).not.toEqual(a.metrics["service.default.web.latency.mean"]);
  });
});

describe("time series and summary", () => {
  it("per-interval columns: rps, latency.p50/p99, errors, inFlight, aligned with the samples", () => {
    const r = runScenario(lb());
    const ts = r.timeseries;
    const names = ts.columnNames();
    for (const c of ["rps", "latency.p50", "latency.p99", "errors", "inFlight"]) expect(names).toContain(`service.default.web.${c}`);
    const rps = ts.column("service.default.web.rps")!;
    expect(rps.length).toBe(ts.times.length);
    // One-second samples: the completions per interval add up to the total.
    const total = rps.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(total).toBeCloseTo(r.metrics["service.default.web.completed"], 6);
    // Nothing before the traffic starts at 30 s; about 800/s after.
    expect(rps[20]).toBe(0);
    expect(ts.column("service.default.web.latency.p99")![20]).toBeUndefined();
    const late = rps.slice(40).map((v) => v ?? 0);
    expect(late.reduce((a, v) => a + v, 0) / late.length).toBeGreaterThan(700);
    const p50 = ts.column("service.default.web.latency.p50")![50]!;
    const p99 = ts.column("service.default.web.latency.p99")![50]!;
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThan(p50);
    expect(ts.column("service.default.web.inFlight")!.at(-1)).toBe(r.metrics["service.default.web.inFlight"]);
    // The summary: counters, causes, percentiles, per-pod shares summing to 1.
    const m = r.metrics;
    expect(m["service.default.web.arrived"]).toBe(m["service.default.web.completed"] + m["service.default.web.failed"] + m["service.default.web.inFlight"]);
    for (const cause of ["noEndpoints", "refused", "timeout", "queueFull", "reset"]) expect(m[`service.default.web.errors.${cause}`]).toBe(0);
    expect(m["service.default.web.latency.p50"]).toBeLessThanOrEqual(m["service.default.web.latency.p90"]);
    expect(m["service.default.web.latency.p99"]).toBeLessThanOrEqual(m["service.default.web.latency.p999"]);
    const shares = Object.entries(m).filter(([k]) => /^service\.default\.web\.pods\..*\.share$/.test(k));
    expect(shares).toHaveLength(10);
    expect(shares.reduce((a, [, v]) => a + v, 0)).toBeCloseTo(1, 6);
    expect(m["service.default.web.imbalance"]).toBeGreaterThanOrEqual(1);
  });

  it("setTraffic on the timeline: a ramp from 0 to 800 req/s over 10 s", () => {
    const s = lb(50);
    s.timeline = s.timeline.map((a) => (a.action === "setTraffic" ? { ...a, over: 10_000_000 } : a));
    const r = runScenario(s);
    const rps = r.timeseries.column("service.default.web.rps")!;
    // Arrivals in 30–40 s: ∫ 80 t dt = 4000; then 800/s for 10 s.
    expect(Math.abs(r.metrics["service.default.web.arrived"] - 12_000)).toBeLessThan(400);
    expect(rps[33]!).toBeLessThan(rps[45]!);
    expect(r.events.some((e) => e.reason === "SetTraffic" && e.object === "Traffic/web")).toBe(true);
  });
});

describe("kube-proxies live and die with their nodes", () => {
  it("one per node; failNode stops it, recoverNode restarts it, addNodes adds one, removeNode drops it", () => {
    const s = lb(40);
    const cluster = new Cluster(s, { seed: 1 });
    cluster.bootstrap();
    const proxy = (n: string) => cluster.traffic!.nodeRouter(n) as KubeProxy | undefined;
    for (let i = 0; i < 5; i++) expect(proxy(`worker-${i}`)?.isRunning).toBe(true);
    cluster.engine.run(5_000_000);
    cluster.failNode("worker-1");
    expect(proxy("worker-1")?.isRunning).toBe(false);
    cluster.engine.run(6_000_000);
    cluster.recoverNode("worker-1");
    expect(proxy("worker-1")?.isRunning).toBe(true);
    const [added] = cluster.addNodes("worker", 1);
    expect(proxy(added)?.isRunning).toBe(true);
    cluster.removeNode("worker-2");
    expect(proxy("worker-2")).toBeUndefined();
    cluster.engine.run(40_000_000);
    cluster.traffic!.assertConservation();
  });
});

describe("stale kube-proxy views", () => {
  it("a pod force-deleted under traffic: refused until every kube-proxy has synced, then nothing", () => {
    const s = lb(50);
    const cluster = new Cluster(s, { seed: 3 });
    cluster.bootstrap();
    cluster.engine.run(30_000_000);
    cluster.traffic!.setRate("web", 800); // the timeline's setTraffic (runScenario plays it, not Cluster)
    cluster.engine.run(40_000_000);
    const victim = cluster.store.list("Pod").find((p) => p.metadata.labels?.app === "web")!;
    const before = cluster.traffic!.serviceMetrics("default/web")!.failures.slice();
    // Gone at once (no graceful termination): its queue is reset; routes to it are refused until
    // the EndpointSlice update reaches the proxy (two watch latencies, a sync, minSyncPeriod).
    cluster.store.delete("Pod", `default/${victim.metadata.name}`, { gracePeriodSeconds: 0 });
    cluster.engine.run(42_000_000);
    const m = cluster.traffic!.serviceMetrics("default/web")!;
    const refused = m.failures[1] - before[1];
    expect(refused).toBeGreaterThan(0);
    // 800/s × 1/10 for at most minSyncPeriod (1 s) plus the latencies.
    expect(refused).toBeLessThan(120);
    // (What it held when it vanished is reset: none or a few, as its queue was then.)
    expect(m.failures[0] + m.failures[2] + m.failures[3]).toBe(0);
    const settled = m.failed;
    cluster.engine.run(50_000_000);
    expect(m.failed).toBe(settled);
    cluster.traffic!.assertConservation();
  });
});

describe("balancers", () => {
  it("a balancer module: refused until resolved, then used (every request to the first endpoint)", async () => {
    const s = lb(45);
    s.traffic![0].balancer = { module: FIRST, given: "firstBalancer.ts" };
    expect(() => runScenario(s)).toThrow(/resolveBalancerModules/);
    const balancers = await resolveBalancerModules(s);
    const m = runScenario(s, { balancers }).metrics;
    // One pod takes everything: max ÷ mean over the 10 pods is 10.
    expect(m["service.default.web.imbalance"]).toBe(10);
  });

  it("kube-proxy's mode decides when the entry names no balancer (ipvs with rr: equal shares)", () => {
    const s = lb(60);
    delete s.traffic![0].balancer;
    s.components.kubeProxy = { ...s.components.kubeProxy, mode: "ipvs", ipvsScheduler: "rr" };
    const m = runScenario(s).metrics;
    expect(m["service.default.web.imbalance"]).toBeLessThan(1.001);
  });

  it("NodePort clients enter through one node; externalTrafficPolicy Local keeps them on its pods", () => {
    const s = lb(45);
    const svc = s.manifests.find((m) => m.kind === "Service")!;
    Object.assign(svc.spec as object, { type: "NodePort", externalTrafficPolicy: "Local" });
    s.traffic![0].clients = { count: 10, from: { nodePort: { node: "worker-0" } } };
    s.traffic![0].arrivals = { process: "poisson", rate: 0 };
    const cluster = new Cluster(s, { seed: 1 });
    cluster.bootstrap();
    cluster.engine.run(30_000_000);
    const local = cluster.store.list("Pod").filter((p) => p.spec.nodeName === "worker-0").map((p) => p.metadata.name);
    cluster.traffic!.setRate("web", 50);
    cluster.engine.run(45_000_000);
    const m = cluster.stats.snapshot();
    const served = Object.entries(m)
      .filter(([k, v]) => k.endsWith(".completed") && k.includes(".pods.") && v > 0)
      .map(([k]) => k.split(".pods.")[1].replace(/\.completed$/, ""));
    expect(local.length).toBeGreaterThan(0);
    expect(served.sort()).toEqual(local.sort());
  });
});
