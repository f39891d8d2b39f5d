/**
 * ResourceQuota admission and controller. Expected values are worked out from the upstream rules
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go,
 * pkg/quota/v1/evaluator/core/pods.go) by hand; arithmetic in the comments.
 */
import { describe, expect, it } from "vitest";
import type { Container, Deployment, NewObject, Pod, ReplicaSet, ResourceQuota, Service } from "../../sim/api/objects.js";
import { Store } from "../../sim/api/store.js";
import { defaultTolerationSeconds, podDefaulting, priorityAdmission } from "../../sim/admission/admission.js";
import { createQuotaAdmission, podConstraintViolation } from "../../sim/admission/quota.js";
import { ResourceQuotaController } from "../../sim/controllers/resourceQuota.js";
import { Engine } from "../../sim/engine/engine.js";
import { RngStreams } from "../../sim/engine/rng.js";
import { Stats } from "../../sim/metrics/stats.js";
import { Cluster } from "../../sim/run/cluster.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const ms = 1_000;
const s = 1_000_000;

function setup(): { store: Store; stats: Stats; engine: Engine } {
  const engine = new Engine();
  const stats = new Stats();
  const rng = new RngStreams(1);
  const store = new Store(engine, { watchLatency: 0, rng: rng.stream("apiserver") });
  // Validating admission last, as in kube-apiserver.
  store.addAdmission(podDefaulting);
  store.addAdmission(priorityAdmission);
  store.addAdmission(defaultTolerationSeconds);
  store.addAdmission(createQuotaAdmission({ stats, rng }));
  return { store, stats, engine };
}

function quota(name: string, hard: Record<string, string>, namespace = "default"): NewObject<ResourceQuota> & { kind: "ResourceQuota" } {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: { name, namespace }, spec: { hard }, status: {} };
}

function pod(name: string, containers: Container[], extra: Partial<Pod["spec"]> = {}, namespace = "default"): NewObject<Pod> & { kind: "Pod" } {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers, ...extra }, status: { phase: "Pending" } };
}

const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>): Container => ({
  name,
  image: "x",
  resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
});

function errorOf(r: ReturnType<Store["create"]>): { code: number; reason: string; message: string } {
  if (r.ok) throw new Error(`expected a rejection, ${r.object.metadata.name} was admitted`);
  return r.error;
}

function setPhase(store: Store, name: string, phase: Pod["status"]["phase"]): void {
  const r = store.modify("Pod", `default/${name}`, (p) => ({ ...p, status: { ...p.status, phase } }));
  expect(r.ok).toBe(true);
}

describe("quota admission: compute resources", () => {
  it("requests.cpu 2 admits exactly four 500m pods; the fifth gets upstream's message", () => {
    const { store, stats } = setup();
    store.create(quota("compute-quota", { "requests.cpu": "2" }));
    // 4 × 500m = 2000m = 2 ≤ 2; a fifth would make 2500m > 2.
    for (let i = 1; i <= 4; i++) expect(store.create(pod(`p${i}`, [c("app", { cpu: "500m" })])).ok).toBe(true);
    const err = errorOf(store.create(pod("p5", [c("app", { cpu: "500m" })])));
    expect(err.code).toBe(403);
    expect(err.reason).toBe("Forbidden");
    expect(err.message).toBe('pods "p5" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2');
    expect(stats.get("quota.rejections")).toBe(1);
    expect(store.count("Pod")).toBe(4);
  });

  it("bare cpu / memory mean requests; every exceeded resource is listed, sorted", () => {
    const { store } = setup();
    store.create(quota("q", { cpu: "1", memory: "1Gi" }));
    expect(store.create(pod("a", [c("app", { cpu: "600m", memory: "768Mi" })])).ok).toBe(true);
    // cpu 600m + 600m = 1200m > 1; memory 768Mi + 768Mi = 1536Mi > 1Gi (1024Mi).
    expect(errorOf(store.create(pod("b", [c("app", { cpu: "600m", memory: "768Mi" })]))).message).toBe(
      'pods "b" is forbidden: exceeded quota: q, requested: cpu=600m,memory=768Mi, used: cpu=600m,memory=768Mi, limited: cpu=1,memory=1Gi',
    );
  });

  it("only the resources that would go over are reported", () => {
    const { store } = setup();
    store.create(quota("q", { "requests.cpu": "4", "requests.memory": "1Gi" }));
    for (const n of ["a", "b"]) expect(store.create(pod(n, [c("app", { cpu: "1", memory: "512Mi" })])).ok).toBe(true);
    // Third pod: cpu 3 ≤ 4 is fine; memory 1024Mi + 512Mi = 1536Mi > 1Gi. Used 1024Mi prints as 1Gi.
    expect(errorOf(store.create(pod("c", [c("app", { cpu: "1", memory: "512Mi" })]))).message).toBe(
      'pods "c" is forbidden: exceeded quota: q, requested: requests.memory=512Mi, used: requests.memory=1Gi, limited: requests.memory=1Gi',
    );
  });

  it("limits.cpu counts container limits (and defaulting gives the requests)", () => {
    const { store } = setup();
    store.create(quota("lim", { "limits.cpu": "1" }));
    // 400m + 400m = 800m ≤ 1; + 400m = 1200m > 1.
    for (const n of ["a", "b"]) expect(store.create(pod(n, [c("app", undefined, { cpu: "400m" })])).ok).toBe(true);
    expect(errorOf(store.create(pod("c", [c("app", undefined, { cpu: "400m" })]))).message).toBe(
      'pods "c" is forbidden: exceeded quota: lim, requested: limits.cpu=400m, used: limits.cpu=800m, limited: limits.cpu=1',
    );
  });

  it("pod requests aggregate like PodRequests: max(containers + sidecars, init + earlier sidecars) + overhead", () => {
    const { store } = setup();
    store.create(quota("q", { "requests.cpu": "1" }));
    // app 200m + sidecar 100m = 300m; init 900m + sidecar before it (none) = 900m → 900m;
    // + overhead 50m = 950m ≤ 1. A second pod needs 950m more: 1900m > 1.
    const spec = { initContainers: [c("init", { cpu: "900m" }), { ...c("side", { cpu: "100m" }), restartPolicy: "Always" as const }], overhead: { cpu: "50m" } };
    expect(store.create(pod("a", [c("app", { cpu: "200m" })], spec)).ok).toBe(true);
    expect(errorOf(store.create(pod("b", [c("app", { cpu: "200m" })], spec))).message).toBe(
      'pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=950m, used: requests.cpu=950m, limited: requests.cpu=1',
    );
  });

  it("a container without a request the quota constrains is rejected (must specify ...)", () => {
    const { store, stats } = setup();
    store.create(quota("compute-quota", { "requests.cpu": "2", "limits.memory": "1Gi" }));
    const err = errorOf(store.create(pod("p", [c("a", { cpu: "100m" }), c("b")])));
    // a lacks limits.memory; b lacks both. Resources sorted, container names sorted.
    expect(err.message).toBe('pods "p" is forbidden: failed quota: compute-quota: must specify limits.memory for: a,b; requests.cpu for: b');
    expect(err.code).toBe(403);
    expect(stats.get("quota.rejections")).toBe(1);
    expect(podConstraintViolation({ containers: [c("x", { cpu: "1" })] }, ["pods", "requests.cpu"])).toBeUndefined();
  });
});

describe("quota admission: pods and object counts", () => {
  it("pods counts non-terminal pods; count/pods counts every stored pod", () => {
    const { store } = setup();
    store.create(quota("compute", { pods: "2" }));
    store.create(quota("objects", { "count/pods": "3" }));
    expect(store.create(pod("p1", [c("app")])).ok).toBe(true);
    expect(store.create(pod("p2", [c("app")])).ok).toBe(true);
    // pods: 2 + 1 > 2 (the quota named first, "compute", reports it).
    expect(errorOf(store.create(pod("p3", [c("app")]))).message).toBe('pods "p3" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
    setPhase(store, "p1", "Succeeded");
    // pods: p2 only = 1, + 1 = 2 ≤ 2; count/pods: 2 stored + 1 = 3 ≤ 3.
    expect(store.create(pod("p3", [c("app")])).ok).toBe(true);
    setPhase(store, "p2", "Failed");
    // pods: p3 only = 1, + 1 = 2 ≤ 2 passes; count/pods: 3 stored (two terminal) + 1 = 4 > 3.
    expect(errorOf(store.create(pod("p4", [c("app")]))).message).toBe(
      'pods "p4" is forbidden: exceeded quota: objects, requested: count/pods=1, used: count/pods=3, limited: count/pods=3',
    );
  });

  it("a terminating pod stops counting once deletionTimestamp + grace period has passed (QuotaV1Pod)", () => {
    const { store, engine } = setup();
    store.create(quota("q", { pods: "1" }));
    expect(store.create(pod("old", [c("app")], { nodeName: "n1" })).ok).toBe(true);
    store.delete("Pod", "default/old"); // bound: graceful, deletionTimestamp = 0 + 30 s, grace 30 s
    expect(store.get("Pod", "default/old")!.metadata.deletionTimestamp).toBe(30 * s);
    // Still charged while now ≤ 30 s + 30 s = 60 s.
    engine.run(60 * s);
    expect(errorOf(store.create(pod("new", [c("app")]))).message).toContain("used: pods=1, limited: pods=1");
    engine.run(60 * s + 1);
    expect(store.create(pod("new", [c("app")])).ok).toBe(true);
  });

  it("object counts: count/deployments.apps, services and services.nodeports", () => {
    const { store, stats } = setup();
    store.create(quota("objects", { "count/deployments.apps": "1", services: "5", "services.nodeports": "3" }));
    const d = (name: string): NewObject<Deployment> & { kind: "Deployment" } => ({ ...deployment(name, 1), metadata: { name, namespace: "default" } }) as never;
    expect(store.create(d("a")).ok).toBe(true);
    expect(errorOf(store.create(d("b"))).message).toBe(
      'deployments.apps "b" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    const svc = (name: string, type: Service["spec"]["type"]): NewObject<Service> & { kind: "Service" } => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: "default" },
      spec: { type, sessionAffinity: "None", ports: [{ port: 80 }, { port: 443 }] },
      status: {},
    });
    expect(store.create(svc("np1", "NodePort")).ok).toBe(true); // 2 node ports ≤ 3
    // 2 + 2 = 4 node ports > 3.
    expect(errorOf(store.create(svc("np2", "NodePort"))).message).toBe(
      'services "np2" is forbidden: exceeded quota: objects, requested: services.nodeports=2, used: services.nodeports=2, limited: services.nodeports=3',
    );
    // A ClusterIP Service uses no node port: services 1 + 1 = 2 ≤ 5.
    expect(store.create(svc("cip", "ClusterIP")).ok).toBe(true);
    expect(stats.get("quota.rejections")).toBe(2);
  });

  it("quotas apply only in their namespace; kinds the quota does not mention pass", () => {
    const { store } = setup();
    store.create<"Namespace">({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" }, spec: {}, status: { phase: "Active" } });
    store.create(quota("q", { pods: "0" }, "team"));
    expect(store.create(pod("free", [c("app")])).ok).toBe(true);
    expect(errorOf(store.create(pod("blocked", [c("app")], {}, "team"))).message).toBe(
      'pods "blocked" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0',
    );
    const d = { ...deployment("web", 1), metadata: { name: "web", namespace: "team" } } as NewObject<Deployment> & { kind: "Deployment" };
    expect(store.create(d).ok).toBe(true);
  });

  it("a generateName pod is named in the message as the API server would have named it", () => {
    const { store } = setup();
    store.create(quota("q", { pods: "0" }));
    const p = { ...pod("", [c("app")]), metadata: { generateName: "web-", namespace: "default" } };
    expect(errorOf(store.create(p)).message).toMatch(/^pods "web-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: exceeded quota: q, /);
  });
});

// --- in a cluster ----------------------------------------------------------------------------------

function quotaCluster(hard: Record<string, string>, manifests: NonNullable<Parameters<typeof scenario>[0]["manifests"]>): { cluster: Cluster; rq: ResourceQuotaController } {
  const sc = scenario({ pools: [pool("worker", 3, ["a", "b", "c"])], manifests: [quota("pod-quota", hard), ...manifests] });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: 2 * s };
  k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  const cluster = new Cluster(sc, { seed: 3 });
  const rq = cluster.controllers.find((c): c is ResourceQuotaController => c instanceof ResourceQuotaController)!;
  cluster.bootstrap();
  return { cluster, rq };
}

function replicaSet(name: string, replicas: number): NewObject<ReplicaSet> {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      minReadySeconds: 0,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1`, resources: { requests: { cpu: "100m", memory: "64Mi" } } }] } },
    },
    status: { replicas: 0 },
  };
}

const running = (cluster: Cluster): number => cluster.store.list("Pod").filter((p) => p.status.phase === "Running").length;

describe("ReplicaSet under a pods quota (upstream behaviour)", () => {
  it("stops at the quota with FailedCreate, keeps retrying, and completes once the quota is raised", () => {
    const { cluster } = quotaCluster({ pods: "4" }, [replicaSet("web", 6)]);
    // Raise the quota from 4 to 6 pods at 30 s, through the API like `kubectl apply`.
    cluster.engine.at(30 * s, () => {
      const r = cluster.store.modify("ResourceQuota", "default/pod-quota", (q) => ({ ...q, spec: { hard: { pods: "6" } } }));
      expect(r.ok).toBe(true);
    });
    cluster.engine.run(29 * s);
    // The RS controller sees the ReplicaSet after the 20 ms watch latency and syncs 1 ms later:
    // slow start creates 1, then 2, then a batch of min(4, 3) = 3 of which the first passes (4 pods)
    // and the other two are forbidden: 1 + 2 + 1 = 4 created.
    expect(cluster.store.list("Pod").length).toBe(4);
    expect(running(cluster)).toBe(4);
    const failed = cluster.events.byReason("FailedCreate");
    expect(failed[0].time).toBeCloseTo(0.021, 9);
    expect(failed[0].object).toBe("ReplicaSet/default/web");
    expect(failed[0].type).toBe("Warning");
    expect(failed[0].message).toMatch(
      /^Error creating: pods "web-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: exceeded quota: pod-quota, requested: pods=1, used: pods=4, limited: pods=4$/,
    );
    // It keeps retrying through the rate-limited work queue (client-go's per-item backoff, 5 ms
    // doubling per failure, whatever triggered the sync — its own status writes and its pods'
    // events fail too), so FailedCreate repeats ever more sparsely.
    expect(failed.length).toBeGreaterThan(5);
    const gaps = failed.slice(1).map((e, i) => e.time - failed[i].time);
    expect(Math.max(...gaps)).toBeGreaterThan(1);
    expect(cluster.events.byReason("SuccessfulCreate").length).toBe(4);
    // Every forbidden create is counted (two in the first sync, then one per retry).
    expect(cluster.stats.get("quota.rejections")).toBe(failed.length + 1);

    // Nothing else triggers a sync, so the ReplicaSet only tries again at its next rate-limited
    // retry — after the quota was raised at 30 s, and at most 1000 s (the limiter's cap) after its
    // last failure, as upstream (one reason a raised quota can take minutes to take effect).
    cluster.engine.run(1100 * s);
    expect(cluster.store.list("Pod").length).toBe(6);
    expect(running(cluster)).toBe(6);
    const created = cluster.events.byReason("SuccessfulCreate");
    expect(created.length).toBe(6);
    const lastFail = cluster.events.byReason("FailedCreate").at(-1)!;
    expect(lastFail.time).toBeLessThan(30);
    expect(created[4].time).toBeGreaterThan(30);
    expect(created[4].time - lastFail.time).toBeLessThanOrEqual(1000);
    expect(cluster.store.get("ReplicaSet", "default/web")!.status.readyReplicas).toBe(6);
  });

  it("quota freed by deleting pods lets the ReplicaSet make up the difference", () => {
    const { cluster } = quotaCluster({ pods: "4" }, [replicaSet("web", 4), replicaSet("api", 2)]);
    cluster.engine.run(20 * s);
    // Both ReplicaSets are created at 0 s in the order listed; the RS controller syncs web at 21 ms
    // (1 + 2 + 1 = 4 pods, the quota is full) and api at 22 ms (refused entirely).
    const podsOf = (app: string): Pod[] => cluster.store.list("Pod").filter((p) => p.metadata.labels?.app === app);
    expect(podsOf("web").length).toBe(4);
    expect(podsOf("api").length).toBe(0);
    // Scale web down to 2: its two extra pods terminate and free quota for api.
    cluster.engine.at(20 * s + 1, () => cluster.scale("ReplicaSet/default/web", 2));
    cluster.engine.run(60 * s);
    expect(podsOf("web").length).toBe(2);
    expect(podsOf("api").length).toBe(2);
    expect(running(cluster)).toBe(4);
  });
});

describe("ResourceQuota controller", () => {
  it("publishes status.hard and status.used, and recalculates when pods go away", () => {
    const { cluster } = quotaCluster({ "requests.cpu": "2", pods: "10", "count/deployments.apps": "5" }, [deployment("web", 3)]);
    cluster.engine.run(10 * s);
    const q = (): ResourceQuota => cluster.store.get("ResourceQuota", "default/pod-quota")!;
    expect(q().status.hard).toEqual({ "count/deployments.apps": "5", pods: "10", "requests.cpu": "2" });
    // 3 pods × 500m = 1500m; one Deployment.
    expect(q().status.used).toEqual({ "count/deployments.apps": "1", pods: "3", "requests.cpu": "1500m" });
    // Nothing changes while the pods merely become Running/Ready: no status write.
    const rv = q().metadata.resourceVersion;
    cluster.engine.run(20 * s);
    expect(q().metadata.resourceVersion).toBe(rv);
    cluster.scale("Deployment/default/web", 1);
    cluster.engine.run(60 * s);
    // 1 pod × 500m.
    expect(q().status.used).toEqual({ "count/deployments.apps": "1", pods: "1", "requests.cpu": "500m" });
  });

  it("status.used follows a create one watch latency plus one sync latency later", () => {
    const { cluster } = quotaCluster({ pods: "10" }, []);
    cluster.engine.run(1 * s);
    const writes: { time: number; used: string | number | undefined }[] = [];
    cluster.store.observe((kind, e) => {
      if (kind === "ResourceQuota") writes.push({ time: cluster.engine.now, used: (e.object as ResourceQuota).status.used?.pods });
    });
    cluster.engine.at(2 * s, () => expect(cluster.store.create(pod("solo", [c("app", { cpu: "100m" })])).ok).toBe(true));
    cluster.engine.run(5 * s);
    // Created at 2 s; the controller's pod informer sees it at 2 s + 20 ms and the sync takes 1 ms.
    expect(writes).toEqual([{ time: 2 * s + 20 * ms + 1 * ms, used: "1" }]);
  });
});
