/**
 * The scheduler's incremental aggregates (kept up to date from SchedulerCache's change
 * notifications, FrameworkHandle.cacheEvents) must give exactly what the plugins compute by
 * visiting every node and pod. A randomised cluster history — pods added, removed, relabelled,
 * terminating; nodes added, relabelled, given images, removed — is replayed into one cache, and
 * after each step the plugins run twice: with the live cache's events and without them.
 */
import { describe, expect, it } from "vitest";
import type { Affinity, Node, Pod, TopologySpreadConstraint } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { ImageLocality } from "../../policies/scheduler/imageLocality.js";
import { InterPodAffinity } from "../../policies/scheduler/interPodAffinity.js";
import { PodTopologySpread } from "../../policies/scheduler/podTopologySpread.js";
import { PodInformer } from "../../sim/controllers/informers.js";
import { Store } from "../../sim/api/store.js";
import { Engine } from "../../sim/engine/engine.js";
import { isPodActive, isPodReady } from "../../sim/controllers/replicaSet.js";

const ZONES = ["zone-a", "zone-b", "zone-c"];
const APPS = ["web", "api", "db"];

function node(i: number, zone: string | undefined, images: string[] = []): Node {
  const name = `node-${String(i).padStart(2, "0")}`;
  const allocatable = { cpu: "8", memory: "32Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      uid: `n-${name}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: 0,
      labels: { "kubernetes.io/hostname": name, ...(zone ? { "topology.kubernetes.io/zone": zone } : {}) },
    },
    spec: {},
    status: { allocatable, capacity: allocatable, conditions: [], ...(images.length > 0 ? { images: [{ names: images, sizeBytes: 300 * 2 ** 20 }] } : {}) },
  };
}

const spreadConstraints: TopologySpreadConstraint[] = [
  { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } },
  { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } },
];

const antiAffinity: Affinity = {
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" }],
    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: "api" } }, topologyKey: "topology.kubernetes.io/zone" } }],
  },
};

let uid = 0;
function pod(app: string, rng: Rng, nodeName?: string): Pod {
  const n = ++uid;
  const kind = rng.int(6);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${app}-${n}`,
      namespace: rng.int(5) === 0 ? "other" : "default",
      uid: `p-${n}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: 0,
      labels: { app },
      ...(kind === 0 ? { deletionTimestamp: 5 } : {}),
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      ...(kind === 1 ? { topologySpreadConstraints: spreadConstraints } : {}),
      ...(kind === 2 ? { affinity: antiAffinity } : {}),
      ...(kind === 3 ? { nodeSelector: { "topology.kubernetes.io/zone": "zone-a" } } : {}),
      containers: [{ name: "c", image: rng.int(2) === 0 ? "nginx:1.27" : "busybox", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
    },
    status: { phase: "Running" },
  };
}

const info = (p: Pod): PodInfo => ({ pod: p, key: `${p.metadata.namespace}/${p.metadata.name}`, requests: podRequests(p.spec) });

function handle(cache: SchedulerCache, live: boolean): FrameworkHandle {
  return {
    nodes: cache.nodes,
    nodeInfo: (name) => cache.nodeInfo(name),
    namespaceLabels: () => undefined,
    workloadSelectors: (p) => (p.metadata.labels?.app ? [{ matchLabels: { app: p.metadata.labels.app } }] : []),
    rng: new Rng(1, "test"),
    now: 0,
    ...(live ? { cacheEvents: cache } : {}),
  };
}

/** Everything the plugins derive for `incoming`: PreFilter/PreScore outcomes and every node's score. */
function outcome(plugins: { pts: PodTopologySpread; ipa: InterPodAffinity; img: ImageLocality }, cache: SchedulerCache, incoming: PodInfo, live: boolean): unknown {
  const h = handle(cache, live);
  const nodes: readonly NodeInfo[] = h.nodes;
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(plugins)) {
    const state = new CycleState();
    const pf = "preFilter" in p ? p.preFilter(state, incoming, h).status.code : undefined;
    const filters = pf === "Success" && "filter" in p ? nodes.map((n) => p.filter(state, incoming, n).code) : [];
    const ps = p.preScore(state, incoming, nodes, h).code;
    const scores = ps === "Success" ? nodes.map((n) => p.score(state, incoming, n)) : [];
    if (ps === "Success" && "normalizeScore" in p) p.normalizeScore(state, incoming, nodes, scores);
    out[name] = { pf, filters, ps, scores };
  }
  return out;
}

describe("incremental aggregates equal a full recount", () => {
  it("PodTopologySpread, InterPodAffinity and ImageLocality, over a random cluster history", () => {
    const rng = new Rng(7, "incremental");
    const cache = new SchedulerCache();
    const live = { pts: new PodTopologySpread(), ipa: new InterPodAffinity(), img: new ImageLocality() };
    const fresh = (): typeof live => ({ pts: new PodTopologySpread(), ipa: new InterPodAffinity(), img: new ImageLocality() });
    let nodeCount = 0;
    for (; nodeCount < 8; nodeCount++) cache.upsertNode(node(nodeCount, ZONES[nodeCount % 3]));
    const placed: Pod[] = [];
    let checks = 0;
    for (let step = 0; step < 400; step++) {
      const r = rng.int(100);
      const names = cache.nodes.map((n) => n.name);
      if (r < 45 && names.length > 0) {
        const p = pod(APPS[rng.int(3)], rng, names[rng.int(names.length)]);
        cache.addPod(p, p.spec.nodeName!);
        placed.push(p);
      } else if (r < 60 && placed.length > 0) {
        const [p] = placed.splice(rng.int(placed.length), 1);
        cache.removePod(p.metadata.uid);
      } else if (r < 72 && placed.length > 0) {
        // A status or label update: the pod object is replaced, maybe terminating, maybe relabelled.
        const i = rng.int(placed.length);
        const p = placed[i];
        const q: Pod = {
          ...p,
          metadata: { ...p.metadata, ...(rng.int(3) === 0 ? { labels: { app: APPS[rng.int(3)] } } : {}), ...(rng.int(4) === 0 ? { deletionTimestamp: 9 } : {}) },
          status: { ...p.status, phase: "Running" },
        };
        placed[i] = q;
        cache.addPod(q, q.spec.nodeName!);
      } else if (r < 80) {
        // A node update: new zone (or none), maybe images.
        const i = rng.int(nodeCount);
        if (cache.nodeInfo(node(i, undefined).metadata.name)) {
          const zone = rng.int(4) === 0 ? undefined : ZONES[rng.int(3)];
          cache.upsertNode(node(i, zone, rng.int(2) === 0 ? ["nginx:1.27", "docker.io/library/nginx:1.27"] : []));
        }
      } else if (r < 85 && names.length > 3) {
        const name = names[rng.int(names.length)];
        for (let i = placed.length - 1; i >= 0; i--) if (placed[i].spec.nodeName === name) placed.splice(i, 1);
        cache.removeNode(name);
      } else if (r < 90) {
        cache.upsertNode(node(nodeCount, ZONES[nodeCount % 3]));
        nodeCount++;
      }
      if (step % 10 !== 9) continue;
      for (const app of APPS) {
        const incoming = info(pod(app, rng));
        expect(outcome(live, cache, incoming, true)).toEqual(outcome(fresh(), cache, incoming, false));
        checks++;
      }
    }
    expect(checks).toBe(120);
  });

  it("PodInformer's active-pod counts equal a count over ownedBy", () => {
    const engine = new Engine();
    const store = new Store(engine, { watchLatency: 0, rng: new Rng(1, "apiserver") });
    const informer = new PodInformer(store);
    const rng = new Rng(3, "informer");
    const owners = ["rs-1", "rs-2"];
    const keys: string[] = [];
    const labels = [{ app: "a" }, { app: "b" }];
    for (let step = 0; step < 300; step++) {
      const r = rng.int(10);
      if (r < 4 || keys.length === 0) {
        const owner = owners[rng.int(2)];
        const created = store.create({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { generateName: "p-", namespace: "default", labels: labels[rng.int(2)], ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: owner, controller: true }] },
          spec: { containers: [{ name: "c" }] },
          status: { phase: "Pending" },
        } as never);
        if (created.ok) keys.push(`default/${created.object.metadata.name}`);
      } else if (r < 8) {
        const key = keys[rng.int(keys.length)];
        store.modify("Pod", key, (p) => ({
          ...p,
          status: {
            ...p.status,
            phase: rng.int(8) === 0 ? "Succeeded" : "Running",
            conditions: rng.int(2) === 0 ? [{ type: "Ready", status: "True" }] : [],
          },
        }));
      } else {
        const [key] = keys.splice(rng.int(keys.length), 1);
        store.delete("Pod", key, { gracePeriodSeconds: 0 });
      }
      engine.run();
      for (const owner of owners) {
        const active = informer.ownedBy(owner).filter(isPodActive);
        const counts = informer.activeOwnedBy(owner);
        expect(counts.count).toBe(active.length);
        expect(counts.ready).toBe(active.filter(isPodReady).length);
        const byLabels = new Map<unknown, number>();
        for (const p of active) byLabels.set(p.metadata.labels, (byLabels.get(p.metadata.labels) ?? 0) + 1);
        expect(new Map(counts.byLabels)).toEqual(byLabels);
      }
    }
  });
});
