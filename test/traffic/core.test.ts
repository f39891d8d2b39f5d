/**
 * Hand-worked cases of the traffic core, with deterministic service times, arrivals at given
 * times and a stand-in router whose staleness the test controls.
 */
import { describe, expect, it } from "vitest";
import { entry, ms, replay, s, World } from "../fixtures/traffic/harness.js";

const latencies = (w: World): number[] => {
  return w.metrics().latencySeconds();
};

describe("the server model", () => {
  it("2 workers, queue limit 1: the 4th and 5th requests are rejected, the 3rd waits", () => {
    // 100 ms service; arrivals at 0, 10, 20, 30, 40 ms.
    const w = new World([entry({ arrivals: replay([0, 10 * ms, 20 * ms, 30 * ms, 40 * ms]), backend: { workers: 2, queueLimit: 1 } })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.run(1 * s, true);
    const m = w.metrics();
    expect(m.arrived).toBe(5);
    expect(m.completed).toBe(3);
    expect(m.failed).toBe(2);
    expect(m.failures[3]).toBe(2); // queueFull
    // Two served at once (0.1 s each); the third waited 80 ms for the first worker: 0.18 s.
    expect(latencies(w)).toEqual([0.1, 0.1, 0.18]);
    expect(m.inFlight).toBe(0);
    expect(w.routers.get("node-a")!.totalInflight()).toBe(0);
  });

  it("queue limit 0: a request finding every worker busy fails at once", () => {
    const w = new World([entry({ arrivals: replay([0, 50 * ms, 150 * ms]), backend: { workers: 1, queueLimit: 0 } })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.completed, m.failures[3]]).toEqual([2, 1]);
    expect(latencies(w)).toEqual([0.1, 0.1]);
  });

  it("a client timeout fails the waiting request, but the server still does the work", () => {
    // 1 worker, 100 ms; timeout 150 ms; arrivals 0, 10, 20 and 260 ms.
    const w = new World([entry({ arrivals: replay([0, 10 * ms, 20 * ms, 260 * ms]), timeout: 150 * ms })]);
    w.addPod("web-0", "node-a");
    w.start();
    const seen: [number, number, number][] = [];
    for (const t of [150, 165, 175, 390, 405]) w.at(t * ms, () => seen.push([t, w.metrics().completed, w.metrics().failures[2]]));
    w.run(1 * s, true);
    // r1 done at 100 ms. r2 (started 100) times out at 160, r3 (queued) at 170; the server serves
    // both anyway (100–200, 200–300), so r4 (260) starts at 300 and completes at 400: 0.14 s.
    expect(seen).toEqual([
      [150, 1, 0],
      [165, 1, 1],
      [175, 1, 2],
      [390, 1, 2],
      [405, 2, 2],
    ]);
    expect(latencies(w)).toEqual([0.1, 0.14]);
    expect(w.summary()["service.default.web.errors.timeout"]).toBe(2);
  });

  it("retries: a rejected attempt is retried through a new route; the request counts once", () => {
    // Pods a and b, 1 worker, no queue, retries 1. Picks: r1 → a; r2 → a (busy: queueFull) then b;
    // r3 → a, a again (both busy): it fails, queueFull, after 2 attempts.
    const w = new World([entry({ arrivals: replay([0, 10 * ms, 20 * ms]), retries: 1, backend: { workers: 1, queueLimit: 0 } })]);
    w.addPod("web-a", "node-a");
    w.addPod("web-b", "node-a");
    w.start();
    w.routers.get("node-a")!.script = [0, 0, 1, 0, 0];
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.arrived, m.completed, m.failed, m.failures[3], m.retries]).toEqual([3, 2, 1, 1, 2]);
    expect(latencies(w)).toEqual([0.1, 0.1]);
    const sum = w.summary();
    expect(sum["service.default.web.pods.web-a.completed"]).toBe(1);
    expect(sum["service.default.web.pods.web-b.completed"]).toBe(1);
    expect(sum["service.default.web.imbalance"]).toBe(1);
    expect(w.routers.get("node-a")!.routes).toBe(5);
    expect(w.routers.get("node-a")!.totalInflight()).toBe(0);
  });

  it("a timed-out attempt is retried, and the latency runs from the arrival", () => {
    // Pod a is slow (its queue holds r0 until 300 ms); r1's first attempt on a times out at 150 ms,
    // its retry goes to b and completes at 250 ms: latency 0.25 s.
    const w = new World([entry({ arrivals: replay([0, 0]), timeout: 150 * ms, retries: 1, backend: { serviceTime: { distribution: "constant", value: 100 * ms } } })]);
    w.addPod("web-a", "node-a");
    w.addPod("web-b", "node-a");
    w.start();
    w.routers.get("node-a")!.script = [0, 0, 1];
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.completed, m.failed, m.retries]).toEqual([2, 0, 1]);
    expect(latencies(w)).toEqual([0.1, 0.25]);
  });

  it("a pod that stops fails what it holds with reset", () => {
    // 1 worker, 100 ms: r1 in service, r2 and r3 queued when the pod stops at 50 ms.
    const w = new World([entry({ arrivals: replay([0, 10 * ms, 20 * ms]) })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.at(50 * ms, () => w.deletePod("web-0"));
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.completed, m.failed, m.failures[4]]).toEqual([0, 3, 3]);
    expect(w.routers.get("node-a")!.totalInflight()).toBe(0);
  });

  it("a pod gone before the proxy's view updates: refused at once; after the sync: noEndpoints", () => {
    const w = new World([entry({ arrivals: replay([200 * ms, 600 * ms]) })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.at(100 * ms, () => w.deletePod("web-0")); // the router still routes to its server
    w.at(500 * ms, () => w.syncAll());
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.failures[1], m.failures[0], m.completed]).toEqual([1, 1, 0]);
  });

  it("refused requests are retried (a stale view with one good endpoint)", () => {
    const w = new World([entry({ arrivals: replay([200 * ms]), retries: 2 })]);
    w.addPod("web-a", "node-a");
    w.addPod("web-b", "node-a");
    w.start();
    w.at(100 * ms, () => w.deletePod("web-a"));
    w.routers.get("node-a")!.script = [0, 0, 1];
    w.run(1 * s, true);
    const m = w.metrics();
    expect([m.completed, m.failed, m.retries]).toEqual([1, 0, 2]);
    expect(latencies(w)).toEqual([0.1]);
  });

  it("cpuPerWorker: service stretches by busy cpu / allocatable once the node is over-committed", () => {
    // Node with 1 cpu, 4 workers × 500m; 4 requests at 0: 100, 100, 150, 200 ms.
    const w = new World([entry({ arrivals: replay([0, 0, 0, 0]), backend: { workers: 4, cpuPerWorker: 500 } })], { cpu: "1" });
    w.addPod("web-0", "node-a");
    w.start();
    w.run(1 * s, true);
    expect(latencies(w)).toEqual([0.1, 0.1, 0.15, 0.2]);
  });

  it("warmup leaves early arrivals out of the latency statistics only", () => {
    const w = new World([entry({ arrivals: replay([0, 500 * ms]), warmup: 100 * ms })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.run(1 * s, true);
    expect(w.metrics().completed).toBe(2);
    expect(latencies(w)).toEqual([0.1]);
  });
});

describe("failed nodes", () => {
  it("a server's node fails: its requests time out at the client timeout", () => {
    const w = new World([entry({ arrivals: replay([0, 10 * ms, 300 * ms]), timeout: 1 * s })], { nodes: ["node-a", "node-b"] });
    w.addPod("web-0", "node-b");
    w.start();
    w.at(50 * ms, () => w.system.failNode("node-b"));
    const seen: number[] = [];
    w.at(999 * ms, () => seen.push(w.metrics().failures[2]));
    w.at(1001 * ms, () => seen.push(w.metrics().failures[2]));
    w.run(5 * s, true);
    // r1 (in service) and r2 (queued) were black-holed at 50 ms and time out at 1.0 / 1.01 s; r3
    // (300 ms, client on node-a whose stale view still has the pod) is black-holed too: 1.3 s.
    expect(seen).toEqual([0, 1]);
    const m = w.metrics();
    expect([m.completed, m.failures[2], m.inFlight]).toEqual([0, 3, 0]);
  });

  it("without a client timeout, a black-holed request fails after the kernel's 127 s connect timeout", () => {
    const w = new World([entry({ arrivals: replay([0]), clients: { count: 1, from: { nodes: ["node-a"] } } })], { nodes: ["node-a", "node-b"] });
    w.addPod("web-0", "node-b");
    w.start();
    w.at(50 * ms, () => w.system.failNode("node-b"));
    const inflight: number[] = [];
    w.at(127 * s, () => inflight.push(w.metrics().inFlight));
    w.at(127 * s + 50 * ms + 1, () => inflight.push(w.metrics().inFlight));
    w.run(200 * s, true);
    expect(inflight).toEqual([1, 0]);
    expect(w.metrics().failures[2]).toBe(1);
  });

  it("a client whose entry node is down times out; a refused-free recovery serves again", () => {
    const w = new World([entry({ arrivals: replay([100 * ms, 2 * s]), timeout: 500 * ms, clients: { count: 1, from: { nodes: ["node-a"] } } })], {
      nodes: ["node-a", "node-b"],
    });
    w.addPod("web-0", "node-b");
    w.start();
    w.at(50 * ms, () => w.system.failNode("node-a"));
    w.at(1 * s, () => w.system.recoverNode("node-a")); // the router starts again and syncs
    w.run(5 * s, true);
    const m = w.metrics();
    expect([m.failures[2], m.completed]).toEqual([1, 1]);
    expect(latencies(w)).toEqual([0.1]);
  });

  it("a recovered node's surviving pod serves again; stale completions from before are ignored", () => {
    // r1 in service on node-b when it fails at 50 ms (its completion event at 100 ms is stale);
    // node-b is back at 60 ms; r2 at 70 ms is served 70–170 ms.
    const w = new World([entry({ arrivals: replay([0, 70 * ms]), timeout: 1 * s, clients: { count: 1, from: { nodes: ["node-a"] } } })], {
      nodes: ["node-a", "node-b"],
    });
    w.addPod("web-0", "node-b");
    w.start();
    w.at(50 * ms, () => w.system.failNode("node-b"));
    w.at(60 * ms, () => w.system.recoverNode("node-b"));
    w.run(2 * s, true);
    const m = w.metrics();
    expect(latencies(w)).toEqual([0.1]);
    expect([m.completed, m.failures[2]]).toEqual([1, 1]);
  });

  it("a pod deleted while its node is down stays black-holed, and refuses once the node is back", () => {
    const w = new World([entry({ arrivals: replay([200 * ms, 2 * s]), timeout: 500 * ms, clients: { count: 1, from: { nodes: ["node-a"] } } })], {
      nodes: ["node-a", "node-b"],
    });
    w.addPod("web-0", "node-b");
    w.start();
    w.at(50 * ms, () => w.system.failNode("node-b"));
    w.at(100 * ms, () => w.store.delete("Pod", "default/web-0", { gracePeriodSeconds: 0 }));
    w.at(1 * s, () => w.system.recoverNode("node-b"));
    w.run(5 * s, true);
    const m = w.metrics();
    // 200 ms: the pod is gone but its node is dead: timeout. 2 s: node alive, pod gone: refused.
    expect([m.failures[2], m.failures[1]]).toEqual([1, 1]);
  });
});

describe("sources", () => {
  it("constant: one request every 1/rate; setTraffic keeps the accrued part of the gap", () => {
    const w = new World([entry({ arrivals: { process: "constant", rate: 10 } })]);
    w.addPod("web-0", "node-a");
    w.start();
    const counts: number[] = [];
    w.at(1 * s + 1, () => counts.push(w.metrics().arrived));
    // At 1.05 s half a gap has accrued at 10/s; at 20/s the other half takes 25 ms: 1.075 s.
    w.at(1050 * ms, () => w.system.setRate("web", 20));
    w.at(1075 * ms, () => counts.push(w.metrics().arrived));
    w.at(1075 * ms + 1, () => counts.push(w.metrics().arrived));
    w.at(2 * s + 1, () => counts.push(w.metrics().arrived));
    w.run(3 * s);
    // 0.1 … 1.0 s: 10; then 1.075, 1.125, … 1.975: 19 more.
    expect(counts).toEqual([10, 10, 11, 29]);
  });

  it("constant with a linear ramp from 0: the integral of the rate decides (5 t² by t seconds)", () => {
    const w = new World([entry({ arrivals: { process: "constant", rate: 0 } })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.at(0, () => w.system.setRate("web", 100, 10 * s));
    const counts: number[] = [];
    for (const t of [1, 2, 5, 10, 11]) w.at(t * s + 1, () => counts.push(w.metrics().arrived));
    w.run(12 * s);
    expect(counts).toEqual([5, 20, 125, 500, 600]);
  });

  it("poisson: the count over a long window is near rate × time; a ramp by thinning too", () => {
    const w = new World([entry({ arrivals: { process: "poisson", rate: 1000 }, backend: { workers: 1000, serviceTime: { distribution: "constant", value: 1 } } })]);
    w.addPod("web-0", "node-a");
    w.start();
    const counts: number[] = [];
    w.at(100 * s, () => {
      counts.push(w.metrics().arrived);
      w.system.setRate("web", 3000, 100 * s);
    });
    w.at(200 * s, () => counts.push(w.metrics().arrived));
    w.run(200 * s);
    // 100 000 ± 3σ (σ ≈ 316); the ramp adds ∫ = 200 000 ± 3σ (σ ≈ 447).
    expect(Math.abs(counts[0] - 100_000)).toBeLessThan(1000);
    expect(Math.abs(counts[1] - counts[0] - 200_000)).toBeLessThan(1400);
  });

  it("sine: a day's arrivals follow mean + amplitude × sin", () => {
    const day = 86_400 * s;
    const w = new World([
      entry({ arrivals: { process: "sine", mean: 10, amplitude: 8, period: day, phase: 0 }, backend: { workers: 100, serviceTime: { distribution: "constant", value: 1 } } }),
    ]);
    w.addPod("web-0", "node-a");
    w.start();
    const counts: number[] = [];
    for (let q = 1; q <= 4; q++) w.at((q * day) / 4, () => counts.push(w.metrics().arrived));
    w.run(day);
    const quarters = counts.map((c, i) => c - (i > 0 ? counts[i - 1] : 0));
    // Expected per quarter: 21 600 × 10 ± 8 × 86 400/(2π) = 216 000 ± 110 003.
    const rise = (8 * 86_400) / (2 * Math.PI);
    const expected = [216_000 + rise, 216_000 + rise, 216_000 - rise, 216_000 - rise];
    quarters.forEach((q, i) => expect(Math.abs(q - expected[i])).toBeLessThan(2000));
  });

  it("replay: several arrivals at the same microsecond all arrive", () => {
    const w = new World([entry({ arrivals: replay([5, 5, 5, 7]), backend: { workers: 4 } })]);
    w.addPod("web-0", "node-a");
    w.start();
    w.run(1 * s, true);
    expect(w.metrics().completed).toBe(4);
  });
});
