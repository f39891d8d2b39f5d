/**
 * The kubelet's status writes (pkg/kubelet/status): Running when the containers start, then Ready
 * and ContainersReady when the readiness probe passes; a write the API server refuses is kept and
 * tried again every 10 s.
 */
import { describe, expect, it } from "vitest";
import type { NewObject, Pod } from "../../sim/api/objects.js";
import { Cluster } from "../../sim/run/cluster.js";
import { pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

/** Pods of one template share their spec object, as a ReplicaSet's do. */
const SPEC: Pod["spec"] = { nodeName: "worker-0", containers: [{ name: "app", image: "img:1" }, { name: "sidecar", image: "img:2" }] };

function boundPod(name: string): NewObject<Pod> & { kind: "Pod" } {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: SPEC, status: { phase: "Pending" } };
}

/** One node; containers start 2 s after admission, are ready 5 s later. */
function cluster(): Cluster {
  const sc = scenario({ pools: [pool("worker", 1)], duration: 60 * s });
  sc.components.kubelet.startupDelay = { distribution: "constant", value: 2 * s };
  sc.components.kubelet.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  sc.components.kubelet.readinessDelay = { distribution: "constant", value: 5 * s };
  const c = new Cluster(sc, { seed: 1 });
  c.bootstrap();
  return c;
}

const get = (c: Cluster, name: string): Pod => c.store.get("Pod", `default/${name}`)!;
const condition = (p: Pod, type: string): string | undefined => p.status.conditions?.find((x) => x.type === type)?.status;

describe("kubelet status writes", () => {
  it("Running with containers not ready, then Ready; pods of one container list share the (frozen) container statuses", () => {
    const c = cluster();
    const t0 = c.engine.now;
    c.store.create(boundPod("a"));
    c.store.create(boundPod("b"));
    c.engine.run(t0 + 4 * s);
    const running = get(c, "a");
    expect(running.status.phase).toBe("Running");
    expect(condition(running, "Ready")).toBe("False");
    expect(running.status.containerStatuses).toEqual([
      { name: "app", ready: false, restartCount: 0, started: true },
      { name: "sidecar", ready: false, restartCount: 0, started: true },
    ]);
    expect(get(c, "b").status.containerStatuses).toBe(running.status.containerStatuses);
    expect(Object.isFrozen(running.status.containerStatuses)).toBe(true);
    c.engine.run(t0 + 10 * s);
    const ready = get(c, "a");
    expect(condition(ready, "Ready")).toBe("True");
    expect(condition(ready, "ContainersReady")).toBe("True");
    expect(ready.status.containerStatuses!.map((x) => x.ready)).toEqual([true, true]);
    expect(get(c, "b").status.containerStatuses).toBe(ready.status.containerStatuses);
    expect(ready.status.startTime).toBe(running.status.startTime);
  });

  it("a Ready write that lands before the refused Running one carries the Running status, from when the containers started", () => {
    const c = cluster();
    const t0 = c.engine.now;
    c.store.create(boundPod("a"));
    // Containers start at ~2 s (the Running write is refused, next try ~12 s: refused again, then
    // ~22 s); ready at ~7 s (refused, next try ~17 s: accepted).
    c.engine.run(t0 + 1 * s);
    c.store.setUnavailable(t0 + 13 * s);
    c.engine.run(t0 + 18 * s);
    const p = get(c, "a");
    expect(p.status.phase).toBe("Running");
    expect(condition(p, "Ready")).toBe("True");
    expect(p.status.podIP).toBeDefined();
    expect(p.status.startTime).toBeGreaterThan(t0 + 1 * s);
    expect(p.status.startTime).toBeLessThan(t0 + 3 * s);
    // The Running write's later retry must not take readiness back.
    c.engine.run(t0 + 40 * s);
    expect(condition(get(c, "a"), "Ready")).toBe("True");
  });

  it("a pod that finishes while its Running write is refused reports Succeeded with its start time and IP", () => {
    const c = cluster();
    const t0 = c.engine.now;
    const job = boundPod("job");
    c.store.create({ ...job, metadata: { ...job.metadata, annotations: { "simk.dev/run-duration": "3s" } } });
    // Started at ~2 s (Running refused), finished at ~5 s (refused, next try ~15 s: accepted).
    c.engine.run(t0 + 1 * s);
    c.store.setUnavailable(t0 + 13 * s);
    c.engine.run(t0 + 40 * s);
    const p = get(c, "job");
    expect(p.status.phase).toBe("Succeeded");
    expect(p.status.podIP).toBeDefined();
    expect(p.status.startTime).toBeGreaterThan(t0 + 1 * s);
    expect(p.status.startTime).toBeLessThan(t0 + 3 * s);
    expect(condition(p, "Ready")).toBe("False");
  });
});
