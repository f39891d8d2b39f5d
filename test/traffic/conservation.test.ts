/**
 * Property: in random scenarios — random arrivals, service times, workers, queue limits, timeouts,
 * retries and CPU models; pods created and deleted, stale views synced at random, nodes failing and
 * recovering, rates changed — every Service conserves its requests after every single event:
 * arrived = completed + failed + inFlight, the in-flight requests are exactly the live ones, each
 * with one attempt of its own, and the servers' worker and queue counts agree with what they hold.
 * Once the sources stop, every request ends (nothing hangs: timeouts, or the kernel's for
 * black-holed requests), and every route() has had its done().
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import type { ServiceTimeSpec } from "../../sim/scenario/types.js";
import { entry, ms, s, World } from "../fixtures/traffic/harness.js";

const SCENARIOS = 30;

function randomWorld(seed: number): { w: World; nodes: string[] } {
  const rng = new Rng(seed, "traffic-property");
  const nodes = ["node-a", "node-b", "node-c"];
  const services = rng.next() < 0.5 ? ["default/web"] : ["default/web", "default/api"];
  const times: ServiceTimeSpec[] = [
    { distribution: "constant", value: 20 * ms },
    { distribution: "exponential", mean: 30 * ms },
    { distribution: "uniform", min: 5 * ms, max: 80 * ms },
    { distribution: "lognormal", median: 20 * ms, sigma: 0.8 },
    { distribution: "empirical", file: "inline", values: [1 * ms, 10 * ms, 100 * ms] },
  ];
  const entries = services.map((service) =>
    entry({
      name: service.split("/")[1],
      service,
      arrivals: rng.next() < 0.7 ? { process: "poisson", rate: rng.uniform(20, 400) } : { process: "constant", rate: rng.uniform(20, 200) },
      clients: rng.next() < 0.3 ? { count: 5, from: { nodePort: { node: rng.pick(nodes) } } } : { count: 1 + rng.int(50), from: {} },
      ...(rng.next() < 0.6 ? { timeout: Math.round(rng.uniform(20, 400)) * ms } : {}),
      retries: rng.int(3),
      backend: {
        workers: 1 + rng.int(3),
        queueLimit: rng.int(6),
        serviceTime: rng.pick(times),
        ...(rng.next() < 0.3 ? { cpuPerWorker: 300 + rng.int(1000) } : {}),
      },
    }),
  ).map((e, i) => ({ ...e, source: { ...e.source, path: `spec.traffic[${i}]` } }));
  const w = new World(entries, { nodes, seed, cpu: "2" });
  let pods = 0;
  const apps = services.map((x) => x.split("/")[1]);
  const addPod = (): void => {
    const app = rng.pick(apps);
    w.addPod(`${app}-${pods++}`, rng.pick(nodes), app);
  };
  for (let i = 0; i < 2 + rng.int(4); i++) addPod();
  w.start();
  // Random happenings over 4 s.
  const down = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const at = Math.round(rng.uniform(0, 4 * s));
    const what = rng.next();
    w.at(at, () => {
      if (what < 0.25) w.syncAll();
      else if (what < 0.4) addPod();
      else if (what < 0.55) {
        const live = w.store.list("Pod");
        if (live.length > 0) w.deletePod(rng.pick(live).metadata.name);
      } else if (what < 0.65) {
        const n = rng.pick(nodes);
        down.add(n);
        w.system.failNode(n);
      } else if (what < 0.75 && down.size > 0) {
        const n = rng.pick([...down].sort());
        down.delete(n);
        w.system.recoverNode(n);
      } else if (what < 0.85) {
        const e = rng.pick(entries);
        w.system.setRate(e.name, rng.uniform(0, 500), rng.next() < 0.5 ? Math.round(rng.uniform(0, 1 * s)) : undefined);
      }
    });
  }
  // At 4 s: every node back, views synced; sources stop.
  w.at(4 * s, () => {
    for (const n of [...down].sort()) w.system.recoverNode(n);
    w.syncAll();
    for (const e of entries) w.system.setRate(e.name, 0);
  });
  return { w, nodes };
}

describe("conservation of requests (random scenarios, checked after every event)", () => {
  it.each(Array.from({ length: SCENARIOS }, (_, i) => i + 1))("scenario %i", (seed) => {
    const { w } = randomWorld(seed);
    w.run(4 * s, true);
    // Drain: past every client timeout and the kernel's 127 s.
    w.run(140 * s, true);
    for (const svc of ["default/web", "default/api"]) {
      const m = w.system.serviceMetrics(svc);
      if (!m) continue;
      expect(m.inFlight).toBe(0);
      expect(m.arrived).toBe(m.completed + m.failed);
    }
    expect(w.metrics().arrived).toBeGreaterThan(0);
    // Routers that never restarted have seen a done() for every route().
    for (const r of w.routers.values()) if (!r.restarted) expect(r.totalInflight()).toBe(0);
  });
});
