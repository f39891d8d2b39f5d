/**
 * The EndpointSlice controller, against upstream's rules (staging/src/k8s.io/endpointslice
 * reconciler.go / utils.go, pkg/controller/endpointslice). Timings: watch latency L = 20 ms,
 * controller sync latency 1 ms, constant kubelet delays (start 2 s, ready 1 s after start).
 */
import { describe, expect, it } from "vitest";
import type { Endpoint, EndpointSlice, NewObject, Pod, Service } from "../../sim/api/objects.js";
import {
  CONTROLLER_NAME,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  endpointHash,
  endpointPorts,
  planSlices,
  readyEndpoints,
  sliceEndpoints,
  slicesForService,
  usableEndpoints,
  type DesiredGroup,
  type EndpointSliceOptions,
  type SlicePort,
} from "../../sim/controllers/endpointSlice.js";
import { Cluster } from "../../sim/run/cluster.js";
import { pool, scenario } from "../helpers/scenario.js";

const ms = 1_000;
const s = 1_000_000;
const L = 20 * ms;
const SYNC = 1 * ms;

// --- fixtures ----------------------------------------------------------------------------------

function service(name = "web", extra: Partial<Service["spec"]> = {}): NewObject<Service> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", labels: { tier: "front" } },
    spec: { selector: { app: name }, ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: "http" }], type: "ClusterIP", sessionAffinity: "None", ...extra },
    status: {},
  };
}

function bare(name: string, app = "web", port = 8080): NewObject<Pod> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app } },
    spec: { containers: [{ name: "c", image: "web:1", ports: [{ name: "http", containerPort: port }], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
    status: { phase: "Pending" },
  };
}

interface Built {
  cluster: Cluster;
  writes: { time: number; type: string; slice: EndpointSlice }[];
}

function build(manifests: NonNullable<Parameters<typeof scenario>[0]["manifests"]>, options: EndpointSliceOptions = {}, nodes = 3): Built {
  const sc = scenario({ pools: [pool("worker", nodes, ["a", "b", "c"])], manifests, duration: 600 * s });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: 2 * s };
  k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  if (options.batchPeriod !== undefined) sc.components.controllers.endpointSliceUpdatesBatchPeriod = options.batchPeriod;
  if (options.maxEndpointsPerSlice !== undefined) sc.components.controllers.maxEndpointsPerSlice = options.maxEndpointsPerSlice;
  const cluster = new Cluster(sc, { seed: 7 });
  const writes: Built["writes"] = [];
  cluster.store.observe((kind, e) => {
    if (kind === "EndpointSlice") writes.push({ time: cluster.engine.now, type: e.type, slice: e.object as EndpointSlice });
  });
  cluster.bootstrap();
  return { cluster, writes };
}

const slicesOf = (c: Cluster, svc = "web"): EndpointSlice[] => slicesForService(c.store.list("EndpointSlice"), "default", svc);
const podNamed = (c: Cluster, name: string): Pod => c.store.get("Pod", `default/${name}`)!;

// --- in a cluster ----------------------------------------------------------------------------------

describe("EndpointSlice controller in a cluster", () => {
  it("placeholder first; the endpoint appears with the pod's IP and turns ready when the pod is Ready", () => {
    const { cluster, writes } = build([service(), bare("web-0")]);
    cluster.engine.run(10 * s);
    const pod = podNamed(cluster, "web-0");
    const tRun = pod.status.startTime!; // IP assigned here (kubelet start)
    const tReady = pod.status.conditions!.find((c) => c.type === "Ready")!.lastTransitionTime!;
    expect(tReady).toBe(tRun + 1 * s);

    // 1. Service seen at L, sync takes 1 ms: an empty placeholder slice at 21 ms.
    expect(writes[0].type).toBe("ADDED");
    expect(writes[0].time).toBe(L + SYNC);
    expect(writes[0].slice.endpoints).toEqual([]);
    expect(writes[0].slice.ports).toEqual([]);
    // 2. Pod gets its IP at tRun; the placeholder is rewritten in place (same name) at tRun + 21 ms,
    //    listing the not-yet-ready endpoint.
    expect(writes[1].type).toBe("MODIFIED");
    expect(writes[1].time).toBe(tRun + L + SYNC);
    expect(writes[1].slice.metadata.name).toBe(writes[0].slice.metadata.name);
    expect(writes[1].slice.endpoints).toEqual([
      {
        addresses: [pod.status.podIP],
        conditions: { ready: false, serving: false, terminating: false },
        targetRef: { kind: "Pod", namespace: "default", name: "web-0", uid: pod.metadata.uid },
        nodeName: pod.spec.nodeName,
        zone: cluster.store.get("Node", pod.spec.nodeName!)!.metadata.labels!["topology.kubernetes.io/zone"],
      },
    ]);
    expect(readyEndpoints([writes[1].slice])).toEqual([]);
    // The named targetPort "http" resolves to the container port 8080.
    expect(writes[1].slice.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    // 3. Ready at tRun + 1 s → ready at tRun + 1 s + 21 ms. Nothing else was written.
    expect(writes[2].time).toBe(tReady + L + SYNC);
    expect(writes[2].slice.endpoints[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(writes.length).toBe(3);

    const [slice] = slicesOf(cluster);
    expect(slicesOf(cluster).length).toBe(1);
    expect(slice.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice.addressType).toBe("IPv4");
    expect(slice.metadata.labels).toEqual({ tier: "front", [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: CONTROLLER_NAME });
    const svc = cluster.store.get("Service", "default/web")!;
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(readyEndpoints(slicesOf(cluster))).toEqual([{ ip: pod.status.podIP, nodeName: pod.spec.nodeName, zone: slice.endpoints[0].zone, podName: "web-0" }]);
  });

  it("a terminating pod: ready=false, serving while Ready, terminating=true; gone after the kubelet's final delete", () => {
    const { cluster, writes } = build([service(), bare("web-0"), bare("web-1")]);
    cluster.engine.run(10 * s);
    expect(readyEndpoints(slicesOf(cluster)).map((e) => e.podName).sort()).toEqual(["web-0", "web-1"]);
    const T = 20 * s;
    cluster.engine.at(T, () => cluster.store.delete("Pod", "default/web-0"));
    // Half a second into the grace period its readiness probe fails (as a kubelet stopping the app would report).
    cluster.engine.at(T + 500 * ms, () =>
      cluster.store.modify("Pod", "default/web-0", (p) => ({
        ...p,
        status: { ...p.status, conditions: p.status.conditions!.map((c) => (c.type === "Ready" ? { ...c, status: "False" as const, lastTransitionTime: T + 500 * ms } : c)) },
      })),
    );
    const at = (t: number): Endpoint | undefined => {
      cluster.engine.run(t);
      return slicesOf(cluster)[0].endpoints.find((e) => e.targetRef!.name === "web-0");
    };
    // Deletion seen at T + 20 ms, slice written at T + 21 ms.
    expect(at(T + L + SYNC - 1)!.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(at(T + L + SYNC)!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    // Ready=False at T + 0.5 s → written at T + 0.5 s + 21 ms.
    expect(at(T + 500 * ms + L + SYNC)!.conditions).toEqual({ ready: false, serving: false, terminating: true });
    // kubelet: sees the deletion at T + 20 ms, stops the container in 1 s, deletes the pod at
    // T + 1.02 s; the controller sees that at T + 1.04 s and writes at T + 1.041 s.
    expect(at(T + 1 * s + 2 * L + SYNC - 1)).toBeDefined();
    expect(at(T + 1 * s + 2 * L + SYNC)).toBeUndefined();
    expect(readyEndpoints(slicesOf(cluster)).map((e) => e.podName)).toEqual(["web-1"]);
    // One slice throughout, updated in place.
    expect(new Set(writes.map((w) => w.slice.metadata.name)).size).toBe(1);
  });

  it("150 pods → two slices (≤ 100 each); removing a pod rewrites only its slice", () => {
    const pods = Array.from({ length: 150 }, (_, i) => bare(`web-${String(i).padStart(3, "0")}`));
    const { cluster, writes } = build([service(), ...pods]);
    cluster.engine.run(30 * s);
    const slices = slicesOf(cluster);
    // Pods get their IPs about 1 ms apart from 2.04 s on. A sync cannot act before the cache has
    // seen its previous write (EndpointSliceTracker), so the slice is written every L = 20 ms with
    // the ~20 endpoints that arrived meanwhile: 2, 22, 42, 62, 82; then 82 + 20 = 102 > 100 opens
    // a second slice (20, 40, 60). The 8 stragglers wait for the stale-cache retry / the next
    // write and fill the first slice, which is rewritten anyway when its pods turn ready: 90 + 60.
    expect(slices.length).toBe(2);
    expect(slices.map((x) => x.endpoints.length).sort((a, b) => b - a)).toEqual([90, 60]);
    const eps = sliceEndpoints(slices);
    expect(eps.length).toBe(150);
    expect(eps.every((e) => e.ready && e.serving && !e.terminating)).toBe(true);
    expect(readyEndpoints(slices).length).toBe(150);
    // Every slice carries the resolved port.
    expect(slices.every((x) => JSON.stringify(x.ports) === JSON.stringify([{ name: "http", port: 8080, protocol: "TCP" }]))).toBe(true);

    const full = slices.find((x) => x.endpoints.length === 90)!;
    const half = slices.find((x) => x.endpoints.length === 60)!;
    const victim = half.endpoints[0].targetRef!.name;
    const before = writes.length;
    cluster.engine.at(31 * s, () => cluster.store.delete("Pod", `default/${victim}`, { gracePeriodSeconds: 0 }));
    cluster.engine.run(40 * s);
    // Grace 0: gone at 31 s; seen at 31.02 s; one write at 31.021 s, to the 60-endpoint slice only.
    const after = writes.slice(before);
    expect(after.map((w) => [w.time, w.type, w.slice.metadata.name])).toEqual([[31 * s + L + SYNC, "MODIFIED", half.metadata.name]]);
    expect(cluster.store.get("EndpointSlice", `default/${full.metadata.name}`)!.metadata.resourceVersion).toBe(full.metadata.resourceVersion);
    expect(cluster.store.get("EndpointSlice", `default/${half.metadata.name}`)!.endpoints.length).toBe(59);
  });

  it("deleting the Service deletes its slices", () => {
    const { cluster } = build([service(), bare("web-0"), bare("web-1")]);
    cluster.engine.run(10 * s);
    expect(slicesOf(cluster).length).toBe(1);
    cluster.engine.at(15 * s, () => cluster.deleteObject("Service/default/web"));
    cluster.engine.run(15 * s + L + SYNC - 1);
    expect(slicesOf(cluster).length).toBe(1);
    cluster.engine.run(15 * s + L + SYNC);
    expect(cluster.store.list("EndpointSlice")).toEqual([]);
  });

  it("a pod the Service's selector does not match, or without an IP, is left out", () => {
    const unschedulable = { ...bare("web-huge"), spec: { containers: [{ name: "c", resources: { requests: { cpu: "64" } } }] } } as NewObject<Pod>;
    const { cluster } = build([service(), bare("web-0"), bare("other-0", "other"), unschedulable]);
    cluster.engine.run(10 * s);
    expect(podNamed(cluster, "web-huge").status.podIP).toBeUndefined();
    expect(sliceEndpoints(slicesOf(cluster)).map((e) => e.podName)).toEqual(["web-0"]);
  });

  it("EndpointUpdatesBatchPeriod delays pod-triggered syncs by the period", () => {
    const { cluster, writes } = build([service(), bare("web-0")], { batchPeriod: 500 * ms });
    cluster.engine.run(10 * s);
    const tRun = podNamed(cluster, "web-0").status.startTime!;
    // Service-triggered sync: not batched (21 ms). Pod IP at tRun: seen at tRun + 20 ms, queued
    // 500 ms later, synced 1 ms after that; Ready at tRun + 1 s likewise.
    expect(writes.map((w) => w.time)).toEqual([L + SYNC, tRun + L + 500 * ms + SYNC, tRun + 1 * s + L + 500 * ms + SYNC]);
  });

  it("changes within one batch period are written together", () => {
    // Period 1 s = the readiness delay: the Ready update (seen at tRun + 1.02 s) arrives while the
    // IP change's sync is still waiting (due at tRun + 1.02 s too; watch deliveries go first), so
    // one write carries both: the endpoint appears already ready.
    const { cluster, writes } = build([service(), bare("web-0")], { batchPeriod: 1 * s });
    cluster.engine.run(10 * s);
    const tRun = podNamed(cluster, "web-0").status.startTime!;
    expect(writes.map((w) => w.time)).toEqual([L + SYNC, tRun + L + 1 * s + SYNC]);
    expect(writes[1].slice.endpoints[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
  });

  it("pods whose named port cannot be resolved get a slice without that port", () => {
    const noPort = { ...bare("web-np"), spec: { containers: [{ name: "c", resources: { requests: { cpu: "10m" } } }] } } as NewObject<Pod>;
    const { cluster } = build([service(), bare("web-0"), noPort]);
    cluster.engine.run(10 * s);
    const slices = slicesOf(cluster);
    expect(slices.length).toBe(2);
    const byPod = new Map(slices.flatMap((x) => x.endpoints.map((e) => [e.targetRef!.name, x.ports] as const)));
    expect(byPod.get("web-0")).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(byPod.get("web-np")).toEqual([]);
  });
});

// --- the pure reconciler -------------------------------------------------------------------------

function svcObj(uid = "svc-uid"): Service {
  const n = service();
  return { ...n, metadata: { ...n.metadata, name: "web", uid, resourceVersion: "1", generation: 1, creationTimestamp: 0 } } as Service;
}

const PORTS: SlicePort[] = [{ name: "http", port: 8080, protocol: "TCP" }];

function ep(i: number, ready = true): Endpoint {
  return {
    addresses: [`10.0.${i >> 8}.${i & 255}`],
    conditions: { ready, serving: ready, terminating: false },
    targetRef: { kind: "Pod", namespace: "default", name: `p${i}`, uid: `u${i}` },
    nodeName: "n",
  };
}

function desiredOf(range: number[], ready = true): Map<string, DesiredGroup> {
  const endpoints = new Map(range.map((i) => [endpointHash(ep(i, ready)), ep(i, ready)] as const));
  return new Map([["http/TCP/8080", { ports: PORTS, endpoints }]]);
}

function stored(name: string, endpoints: Endpoint[], svc: Service, ports = PORTS): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name,
      namespace: "default",
      uid: name,
      resourceVersion: "5",
      generation: 1,
      creationTimestamp: 0,
      labels: { tier: "front", [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: CONTROLLER_NAME },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType: "IPv4",
    endpoints,
    ports,
  };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe("planSlices (reconciler.go)", () => {
  it("250 new endpoints → 3 new slices of 100, 100, 50", () => {
    const plan = planSlices(svcObj(), desiredOf(range(0, 250)), []);
    expect(plan.create.map((d) => d.endpoints.length)).toEqual([100, 100, 50]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it("no change → nothing to write", () => {
    const svc = svcObj();
    const a = stored("web-a", range(0, 100).map((i) => ep(i)), svc);
    const b = stored("web-b", range(100, 150).map((i) => ep(i)), svc);
    expect(planSlices(svc, desiredOf(range(0, 150)), [a, b])).toEqual({ create: [], update: [], delete: [] });
  });

  it("a removal rewrites only the slice that held it; new endpoints fill that slice first", () => {
    const svc = svcObj();
    const a = stored("web-a", range(0, 100).map((i) => ep(i)), svc);
    const b = stored("web-b", range(100, 150).map((i) => ep(i)), svc);
    // p120 gone, p150..p154 new: web-b is written anyway (49 left) and takes the 5 → 54.
    const plan = planSlices(svc, desiredOf([...range(0, 120), ...range(121, 155)]), [a, b]);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((d) => [d.existing!.metadata.name, d.endpoints.length])).toEqual([["web-b", 54]]);
  });

  it("additions alone go to the unchanged slice closest to full that can take them all", () => {
    const svc = svcObj();
    const a = stored("web-a", range(0, 95).map((i) => ep(i)), svc);
    const b = stored("web-b", range(95, 150).map((i) => ep(i)), svc);
    // 3 new: web-a would hold 98 (2 short of full), web-b 58 (42 short) → web-a.
    const plan1 = planSlices(svc, desiredOf(range(0, 153)), [a, b]);
    expect(plan1.update.map((d) => [d.existing!.metadata.name, d.endpoints.length])).toEqual([["web-a", 98]]);
    // 10 new: web-a cannot take them all (105 > 100); web-b → 65.
    const plan2 = planSlices(svc, desiredOf(range(0, 160)), [a, b]);
    expect(plan2.update.map((d) => [d.existing!.metadata.name, d.endpoints.length])).toEqual([["web-b", 65]]);
  });

  it("a condition change is an in-place update of that slice", () => {
    const svc = svcObj();
    const a = stored("web-a", range(0, 3).map((i) => ep(i, false)), svc);
    const plan = planSlices(svc, desiredOf(range(0, 3), true), [a]);
    expect(plan.update.length).toBe(1);
    expect(plan.update[0].endpoints.every((e) => e.conditions.ready)).toBe(true);
  });

  it("no endpoints → one placeholder, kept as it is on later syncs; an emptied slice becomes the placeholder", () => {
    const svc = svcObj();
    const first = planSlices(svc, new Map(), []);
    expect(first.create).toEqual([{ labels: { tier: "front", [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: CONTROLLER_NAME }, ports: [], endpoints: [] }]);
    const placeholder = stored("web-p", [], svc, []);
    expect(planSlices(svc, new Map(), [placeholder])).toEqual({ create: [], update: [], delete: [] });
    // The last endpoint goes: instead of delete + create, the slice is rewritten as the placeholder.
    const a = stored("web-a", [ep(1)], svc);
    const plan = planSlices(svc, new Map(), [a]);
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((d) => [d.existing!.metadata.name, d.endpoints.length, d.ports.length])).toEqual([["web-a", 0, 0]]);
  });

  it("slices owned by an older Service of the same name are replaced", () => {
    const svc = svcObj("new-uid");
    const old = stored("web-old", [ep(1)], svcObj("old-uid"));
    const plan = planSlices(svc, desiredOf([1, 2]), [old]);
    // Not owned → to delete; a new slice is needed → but a create may only reuse a slice this
    // Service owns, so it stays a create plus a delete.
    expect(plan.delete.map((x) => x.metadata.name)).toEqual(["web-old"]);
    expect(plan.create.map((d) => d.endpoints.length)).toEqual([2]);
  });
});

describe("reading slices", () => {
  it("readyEndpoints: ready only, one per IP, sorted by IP string", () => {
    const svc = svcObj();
    const a = stored("web-a", [ep(10), ep(5, false), { ...ep(2), zone: "b" }], svc);
    const b = stored("web-b", [ep(10), ep(3)], svc); // a duplicate of 10.0.0.10
    expect(readyEndpoints([b, a])).toEqual([
      { ip: "10.0.0.10", nodeName: "n", podName: "p10" },
      { ip: "10.0.0.2", nodeName: "n", zone: "b", podName: "p2" },
      { ip: "10.0.0.3", nodeName: "n", podName: "p3" },
    ]);
  });

  it("usableEndpoints falls back to serving terminating endpoints when none is ready", () => {
    const svc = svcObj();
    const term = (i: number, serving: boolean): Endpoint => ({ ...ep(i), conditions: { ready: false, serving, terminating: true } });
    const slice = stored("web-a", [term(1, true), term(2, false), ep(3, false)], svc);
    expect(usableEndpoints([slice]).map((e) => e.podName)).toEqual(["p1"]);
    expect(usableEndpoints([stored("web-b", [ep(4), term(1, true)], svc)]).map((e) => e.podName)).toEqual(["p4"]);
  });

  it("endpointPorts: numeric targetPort as is, named one by protocol, unresolvable skipped", () => {
    const svc = { ...svcObj(), spec: { ...svcObj().spec, ports: [{ name: "a", port: 80, targetPort: 9000 }, { name: "b", port: 81, protocol: "UDP" as const, targetPort: "dns" }, { name: "c", port: 82, targetPort: "missing" }] } };
    const p = { ...bare("x"), spec: { containers: [{ name: "c", ports: [{ name: "dns", containerPort: 53 }, { name: "dns", containerPort: 5353, protocol: "UDP" as const }] }] } } as unknown as Pod;
    expect(endpointPorts(svc, p)).toEqual([
      { name: "a", port: 9000, protocol: "TCP" },
      { name: "b", port: 5353, protocol: "UDP" },
    ]);
  });
});
