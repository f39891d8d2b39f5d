/**
 * The DaemonSet controller against the upstream rules (pkg/controller/daemon/daemon_controller.go,
 * update.go, util/daemonset_util.go).
 *
 * Timing used throughout (constant delays): watch latency L = 20 ms, controller sync latency
 * S = 1 ms, scheduler attempt 1 ms + bind 2 ms, container start 2 s, Ready 1 s after start,
 * container stop 1 s after a graceful delete is seen by the kubelet.
 */
import { describe, expect, it } from "vitest";
import type { DaemonSet, DaemonSetSpec, Node, NewObject, Pod } from "../../sim/api/objects.js";
import {
  DAEMONSET_HASH_LABEL,
  DaemonSetController,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  surgeCount,
  targetNodeName,
  unavailableCount,
  withDaemonPodTolerations,
  type DaemonSetStatusFull,
} from "../../sim/controllers/daemonSet.js";
import { podTemplateHash } from "../../sim/controllers/deployment.js";
import { isPodReady } from "../../sim/controllers/replicaSet.js";
import { Cluster } from "../../sim/run/cluster.js";
import { defaultSchedulerConfig } from "../../sim/scheduler/profiles.js";
import { NodeAffinity } from "../../policies/scheduler/nodeAffinity.js";
import type { NodePool } from "../../sim/scenario/types.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const ms = 1_000;
const s = 1_000_000;
const L = 20 * ms;
const S = 1 * ms;

function daemonSet(name: string, spec: Partial<DaemonSetSpec> = {}, podSpec: Partial<DaemonSetSpec["template"]["spec"]> = {}): NewObject<DaemonSet> {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `${name}:1`, resources: { requests: { cpu: "100m", memory: "64Mi" } } }], ...podSpec },
      },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...spec,
    },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberReady: 0, numberMisscheduled: 0 },
  };
}

function labeledPool(name: string, count: number, template: Partial<NodePool["template"]>): NodePool {
  const p = pool(name, count);
  return { ...p, template: { ...p.template, ...template } };
}

/** A cluster with the DaemonSet controller wired in, and NodeAffinity in the scheduler profile. */
function build(parts: Parameters<typeof scenario>[0]): { cluster: Cluster; dsc: DaemonSetController } {
  const sc = scenario({ duration: 600 * s, ...parts });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: 2 * s };
  k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  const config = defaultSchedulerConfig();
  for (const profile of config.profiles) {
    // Daemon pods are placed by their metadata.name node affinity: the profile needs the plugin.
    if (!profile.filter.some((p) => p.name === "NodeAffinity")) {
      const na = new NodeAffinity();
      profile.preFilter.push(na);
      profile.filter.push(na);
    }
  }
  const cluster = new Cluster(sc, { seed: 3, schedulerConfig: config });
  const dsc = cluster.controllers.find((c): c is DaemonSetController => c instanceof DaemonSetController)!;
  cluster.bootstrap();
  return { cluster, dsc };
}

const dsPods = (cluster: Cluster, name: string): Pod[] =>
  cluster.store.list("Pod", "kube-system").filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet" && r.name === name));
const status = (cluster: Cluster, name: string): DaemonSetStatusFull => cluster.store.get("DaemonSet", `kube-system/${name}`)!.status as DaemonSetStatusFull;
const podsByNode = (pods: Pod[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of pods) if (p.spec.nodeName) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
  return out;
};

function node(name: string, extra: { labels?: Record<string, string>; taints?: Node["spec"]["taints"] } = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels: { "kubernetes.io/hostname": name, ...(extra.labels ?? {}) } },
    spec: { taints: extra.taints },
    status: { allocatable: { cpu: "4" }, capacity: { cpu: "4" }, conditions: [] },
  };
}

function storedDs(spec: Partial<DaemonSetSpec> = {}, podSpec: Partial<DaemonSetSpec["template"]["spec"]> = {}): DaemonSet {
  const d = daemonSet("agent", spec, podSpec);
  return { ...d, metadata: { ...d.metadata, name: "agent", uid: "u", resourceVersion: "1", generation: 1, creationTimestamp: 0 } } as DaemonSet;
}

describe("nodeShouldRunDaemonPod (NodeShouldRunDaemonPod)", () => {
  const ds = storedDs();
  const run = (n: Node, d = ds): [boolean, boolean] => {
    const r = nodeShouldRunDaemonPod(n, d);
    return [r.shouldRun, r.shouldContinueRunning];
  };

  it("tolerates the node-problem taints every daemon pod gets", () => {
    // AddOrUpdateDaemonPodTolerations: not-ready / unreachable NoExecute, the pressure and
    // unschedulable NoSchedule taints: all tolerated → (run, keep running).
    for (const [key, effect] of [
      ["node.kubernetes.io/not-ready", "NoExecute"],
      ["node.kubernetes.io/unreachable", "NoExecute"],
      ["node.kubernetes.io/disk-pressure", "NoSchedule"],
      ["node.kubernetes.io/memory-pressure", "NoSchedule"],
      ["node.kubernetes.io/pid-pressure", "NoSchedule"],
      ["node.kubernetes.io/unschedulable", "NoSchedule"],
    ] as const) {
      expect(run(node("n", { taints: [{ key, effect }] })), `${key}:${effect}`).toEqual([true, true]);
    }
  });

  it("an untolerated NoSchedule taint stops new pods but keeps the running one; NoExecute stops both", () => {
    // not-ready:NoSchedule (TaintNodesByCondition) is NOT among the daemon tolerations.
    expect(run(node("n", { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }))).toEqual([false, true]);
    expect(run(node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }))).toEqual([false, true]);
    expect(run(node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }] }))).toEqual([false, false]);
    // PreferNoSchedule never matters.
    expect(run(node("n", { taints: [{ key: "dedicated", effect: "PreferNoSchedule" }] }))).toEqual([true, true]);
    // The template's own toleration counts.
    const tolerant = storedDs({}, { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoExecute" }] });
    expect(run(node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }] }), tolerant)).toEqual([true, true]);
  });

  it("network-unavailable is tolerated only by hostNetwork pods", () => {
    const n = node("n", { taints: [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }] });
    expect(run(n)).toEqual([false, true]);
    expect(run(n, storedDs({}, { hostNetwork: true } as Partial<DaemonSetSpec["template"]["spec"]>))).toEqual([true, true]);
  });

  it("nodeSelector, required node affinity and nodeName must all match", () => {
    const sel = storedDs({}, { nodeSelector: { tier: "app" } });
    expect(run(node("a", { labels: { tier: "app" } }), sel)).toEqual([true, true]);
    expect(run(node("b"), sel)).toEqual([false, false]);
    const aff = storedDs({}, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }] }] } } },
    });
    expect(run(node("a", { labels: { zone: "z2" } }), aff)).toEqual([true, true]);
    expect(run(node("a", { labels: { zone: "z3" } }), aff)).toEqual([false, false]);
    expect(run(node("b"), storedDs({}, { nodeName: "a" }))).toEqual([false, false]);
  });

  it("daemon tolerations replace a matching one that had tolerationSeconds", () => {
    const spec = withDaemonPodTolerations({
      containers: [],
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }],
    });
    const unreachable = spec.tolerations!.filter((t) => t.key === "node.kubernetes.io/unreachable");
    expect(unreachable).toEqual([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }]);
    expect(spec.tolerations!.length).toBe(6);
  });

  it("pins pods with one matchFields term and reads the target back", () => {
    const affinity = replaceNodeNameAffinity(
      { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Exists" }] }] } } },
      "worker-7",
    );
    expect(affinity.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: "metadata.name", operator: "In", values: ["worker-7"] }] },
    ]);
    const pod = { spec: { containers: [], affinity } } as unknown as Pod;
    expect(targetNodeName(pod)).toBe("worker-7");
  });

  it("scales maxUnavailable and maxSurge against desired, percentages rounded up", () => {
    // intstr.GetScaledValueFromIntOrPercent(…, roundUp = true).
    expect(unavailableCount(storedDs({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "50%" } } }), 5)).toBe(3); // 2.5 → 3
    expect(unavailableCount(storedDs({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } } }), 5)).toBe(2); // 1.25 → 2
    expect(unavailableCount(storedDs({ updateStrategy: { type: "RollingUpdate" } }), 5)).toBe(1); // default 1
    expect(surgeCount(storedDs({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "10%" } } }), 5)).toBe(1); // 0.5 → 1
    expect(surgeCount(storedDs({ updateStrategy: { type: "RollingUpdate" } }), 5)).toBe(0); // default 0
    expect(unavailableCount(storedDs({ updateStrategy: { type: "OnDelete" } }), 5)).toBe(0);
  });
});

describe("DaemonSet controller in a cluster", () => {
  it("one pod per eligible node: taints, nodeSelector and cordoned nodes; status numbers", () => {
    // worker-0..2: tier=app → eligible.
    // gpu-0: tier=app but dedicated=gpu:NoSchedule → not eligible (shouldRun false, no pod).
    // infra-0: no tier label → nodeSelector fails.
    // cordoned-0: tier=app, unschedulable → the lifecycle controller taints it
    //   node.kubernetes.io/unschedulable:NoSchedule, which daemon pods tolerate → eligible.
    // Desired = 4.
    const app = { tier: "app" };
    const { cluster } = build({
      pools: [
        labeledPool("worker", 3, { labels: app }),
        labeledPool("gpu", 1, { labels: app, taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
        labeledPool("infra", 1, {}),
        labeledPool("cordoned", 1, { labels: app, unschedulable: true }),
      ],
      manifests: [daemonSet("agent", {}, { nodeSelector: app })],
    });
    cluster.engine.run(30 * s);
    const pods = dsPods(cluster, "agent");
    expect(podsByNode(pods)).toEqual({ "cordoned-0": 1, "worker-0": 1, "worker-1": 1, "worker-2": 1 });
    // Every pod landed on the node its affinity names, and carries the template hash.
    const ds = cluster.store.get("DaemonSet", "kube-system/agent")!;
    for (const p of pods) {
      expect(targetNodeName({ ...p, spec: { ...p.spec, nodeName: undefined } })).toBe(p.spec.nodeName);
      expect(p.metadata.labels?.[DAEMONSET_HASH_LABEL]).toBe(podTemplateHash(ds.spec.template));
      expect(p.status.phase).toBe("Running");
    }
    // The DaemonSet is created at t = 0; its informer sees it after L and the sync takes S: all
    // four pods are created in that one sync (slow start 1 + 2 + 1).
    const creates = cluster.events.byReason("SuccessfulCreate").filter((e) => e.object === "DaemonSet/kube-system/agent");
    expect(creates.map((e) => Math.round(e.time * s))).toEqual([L + S, L + S, L + S, L + S]);
    expect(status(cluster, "agent")).toMatchObject({
      desiredNumberScheduled: 4,
      currentNumberScheduled: 4,
      numberReady: 4,
      numberAvailable: 4,
      numberUnavailable: 0,
      updatedNumberScheduled: 4,
      numberMisscheduled: 0,
      observedGeneration: 1,
    });
  });

  it("a node added later gets a pod as soon as the controller sees it", () => {
    const { cluster } = build({ pools: [pool("worker", 2)], manifests: [daemonSet("agent")] });
    cluster.engine.at(60 * s, () => cluster.addNodes("worker", 1));
    cluster.engine.run(120 * s);
    // Node created at 60 s → node informer after L → DaemonSet queued → sync after S.
    const create = cluster.events.byReason("SuccessfulCreate").filter((e) => e.time >= 60);
    expect(create.length).toBe(1);
    expect(Math.round(create[0].time * s)).toBe(60 * s + L + S);
    const pod = dsPods(cluster, "agent").find((p) => p.metadata.name === create[0].message.replace("Created pod: ", ""))!;
    expect(pod.spec.nodeName).toBe("worker-2");
    expect(podsByNode(dsPods(cluster, "agent"))).toEqual({ "worker-0": 1, "worker-1": 1, "worker-2": 1 });
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 3, numberAvailable: 3 });
  });

  it("NoSchedule taint added later → misscheduled, pod kept; NoExecute → pod deleted; label removed → pod deleted", () => {
    const { cluster } = build({ pools: [labeledPool("worker", 4, { labels: { tier: "app" } })], manifests: [daemonSet("agent", {}, { nodeSelector: { tier: "app" } })] });
    const taint = (name: string, effect: "NoSchedule" | "NoExecute"): void => {
      cluster.store.modify("Node", name, (n) => ({ ...n, spec: { ...n.spec, taints: [...(n.spec.taints ?? []), { key: "maintenance", effect }] } }));
    };
    cluster.engine.at(30 * s, () => taint("worker-1", "NoSchedule"));
    cluster.engine.run(40 * s);
    // shouldRun false, shouldContinueRunning true: desired 3, the pod stays and is misscheduled.
    expect(podsByNode(dsPods(cluster, "agent"))["worker-1"]).toBe(1);
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 1 });

    cluster.engine.at(50 * s, () => taint("worker-1", "NoExecute"));
    cluster.engine.at(50 * s, () =>
      cluster.store.modify("Node", "worker-2", (n) => {
        const labels = { ...n.metadata.labels };
        delete labels.tier;
        return { ...n, metadata: { ...n.metadata, labels } };
      }),
    );
    cluster.engine.run(70 * s);
    // Both pods deleted in the sync at 50 s + L + S; gone after the kubelet stops them.
    const deletes = cluster.events.byReason("SuccessfulDelete").filter((e) => e.object === "DaemonSet/kube-system/agent");
    expect(deletes.map((e) => Math.round(e.time * s))).toEqual([50 * s + L + S, 50 * s + L + S]);
    expect(podsByNode(dsPods(cluster, "agent"))).toEqual({ "worker-0": 1, "worker-3": 1 });
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberAvailable: 2 });
  });

  it("a failed node keeps its daemon pod (no eviction), which turns misscheduled; Deployment pods are evicted", () => {
    // The daemon pod tolerates unreachable:NoExecute without tolerationSeconds → never evicted.
    // But the node lifecycle also sets unreachable:NoSchedule, which daemon pods do not tolerate:
    // the node leaves desiredNumberScheduled and its pod counts as misscheduled (upstream rule).
    const { cluster } = build({ pools: [pool("worker", 3)], manifests: [daemonSet("agent"), deployment("web", 3, { cpu: "100m", memory: "64Mi" })] });
    cluster.engine.at(60 * s, () => cluster.failNode("worker-0"));
    cluster.engine.run(500 * s);
    const evicted = cluster.events.byReason("TaintManagerEviction").map((e) => e.object);
    expect(evicted.some((o) => o.startsWith("Pod/default/web-"))).toBe(true);
    expect(evicted.some((o) => o.startsWith("Pod/kube-system/agent-"))).toBe(false);
    const onFailed = dsPods(cluster, "agent").filter((p) => p.spec.nodeName === "worker-0");
    expect(onFailed.length).toBe(1);
    expect(onFailed[0].metadata.deletionTimestamp).toBeUndefined();
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1 });
    // No replacement daemon pod anywhere: still exactly one per node.
    expect(podsByNode(dsPods(cluster, "agent"))).toEqual({ "worker-0": 1, "worker-1": 1, "worker-2": 1 });
  });

  it("a removed node's pod is left to pod GC; status follows", () => {
    const { cluster } = build({ pools: [pool("worker", 3)], manifests: [daemonSet("agent")] });
    cluster.engine.at(30 * s, () => cluster.removeNode("worker-2"));
    cluster.engine.run(200 * s);
    // The DaemonSet controller deletes nothing itself.
    expect(cluster.events.byReason("SuccessfulDelete")).toEqual([]);
    expect(podsByNode(dsPods(cluster, "agent"))).toEqual({ "worker-0": 1, "worker-1": 1 });
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberAvailable: 2 });
  });
});

/**
 * Rolling updates, checked at every store write: a node is unavailable when it should run a daemon
 * pod and has none that is Ready and not being deleted (minReadySeconds = 0).
 */
function watchUnavailable(cluster: Cluster, name: string, from: number): { max: () => number; maxPods: () => number } {
  let max = 0;
  let maxPods = 0;
  cluster.store.observe((kind) => {
    if (kind !== "Pod" || cluster.engine.now < from) return;
    const ds = cluster.store.get("DaemonSet", `kube-system/${name}`)!;
    const pods = dsPods(cluster, name).filter((p) => p.metadata.deletionTimestamp === undefined && p.status.phase !== "Failed" && p.status.phase !== "Succeeded");
    let unavailable = 0;
    for (const n of cluster.store.list("Node")) {
      if (!nodeShouldRunDaemonPod(n, ds).shouldRun) continue;
      if (!pods.some((p) => p.spec.nodeName === n.metadata.name && isPodReady(p))) unavailable++;
    }
    max = Math.max(max, unavailable);
    maxPods = Math.max(maxPods, pods.length);
  });
  return { max: () => max, maxPods: () => maxPods };
}

function rollout(cluster: Cluster, name: string, image: string): void {
  cluster.store.modify("DaemonSet", `kube-system/${name}`, (d) => ({
    ...d,
    spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: d.spec.template.spec.containers.map((c) => ({ ...c, image })) } } },
  }));
}

describe("DaemonSet rolling update", () => {
  it("maxUnavailable 1: node by node, never more than one node without a ready pod", () => {
    const { cluster } = build({ pools: [pool("worker", 4)], manifests: [daemonSet("agent")] });
    const watch = watchUnavailable(cluster, "agent", 30 * s);
    cluster.engine.at(30 * s, () => rollout(cluster, "agent", "agent:2"));
    cluster.engine.run(200 * s);
    expect(watch.max()).toBe(1);
    // Per node (update.go, no surge): delete the old pod (sync at t0), kubelet sees the deletion
    // after L and stops the container 1 s later; the DaemonSet sees the pod gone after L and
    // creates the new one (S); scheduler L + 1 ms + 2 ms; kubelet L + 2 s start + 1 s ready;
    // the controller sees Ready after L and deletes the next old pod after S.
    // t0 = 30 s + L + S; one node takes L+1s + L+S + L+3ms + L+3s + L+S = 4.105 s.
    const deletes = cluster.events.byReason("SuccessfulDelete").map((e) => Math.round(e.time * s));
    const t0 = 30 * s + L + S;
    const step = 5 * L + 2 * S + 3 * ms + 4 * s;
    expect(deletes).toEqual([t0, t0 + step, t0 + 2 * step, t0 + 3 * step]);
    // Old pods go in node-name order (simk visits nodes sorted by name).
    const deleted = cluster.events.byReason("Killing").map((e) => e.node);
    expect(deleted).toEqual(["worker-0", "worker-1", "worker-2", "worker-3"]);
    const ds = cluster.store.get("DaemonSet", "kube-system/agent")!;
    const hash = podTemplateHash(ds.spec.template);
    const pods = dsPods(cluster, "agent");
    expect(pods.length).toBe(4);
    expect(pods.every((p) => p.metadata.labels?.[DAEMONSET_HASH_LABEL] === hash && p.spec.containers[0].image === "agent:2")).toBe(true);
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, observedGeneration: 2 });
  });

  it("maxUnavailable 50% of 5 nodes = 3 (rounded up): three at a time, never more", () => {
    const { cluster } = build({
      pools: [pool("worker", 5)],
      manifests: [daemonSet("agent", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "50%", maxSurge: 0 } } })],
    });
    const watch = watchUnavailable(cluster, "agent", 30 * s);
    cluster.engine.at(30 * s, () => rollout(cluster, "agent", "agent:2"));
    cluster.engine.run(200 * s);
    expect(watch.max()).toBe(3);
    // First wave: worker-0..2 at t0; the other two once those are ready again.
    const t0 = 30 * s + L + S;
    const step = 5 * L + 2 * S + 3 * ms + 4 * s;
    const deletes = cluster.events.byReason("SuccessfulDelete").map((e) => Math.round(e.time * s));
    expect(deletes.slice(0, 3)).toEqual([t0, t0, t0]);
    expect(deletes.length).toBe(5);
    expect(deletes[3]).toBeGreaterThanOrEqual(t0 + step);
    expect(status(cluster, "agent")).toMatchObject({ updatedNumberScheduled: 5, numberAvailable: 5 });
  });

  it("maxSurge 1, maxUnavailable 0: the new pod starts beside the old one; no node is ever without a ready pod", () => {
    const { cluster } = build({
      pools: [pool("worker", 3)],
      manifests: [daemonSet("agent", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } })],
    });
    const watch = watchUnavailable(cluster, "agent", 30 * s);
    cluster.engine.at(30 * s, () => rollout(cluster, "agent", "agent:2"));
    cluster.engine.run(200 * s);
    expect(watch.max()).toBe(0);
    // At most desired + maxSurge = 4 pods that are not being deleted.
    expect(watch.maxPods()).toBe(4);
    expect(status(cluster, "agent")).toMatchObject({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 });
    expect(dsPods(cluster, "agent").length).toBe(3);
  });

  it("OnDelete: nothing is replaced until a pod is deleted; its replacement uses the new template", () => {
    const { cluster } = build({ pools: [pool("worker", 3)], manifests: [daemonSet("agent", { updateStrategy: { type: "OnDelete" } })] });
    cluster.engine.at(30 * s, () => rollout(cluster, "agent", "agent:2"));
    cluster.engine.run(100 * s);
    expect(cluster.events.byReason("SuccessfulDelete")).toEqual([]);
    expect(status(cluster, "agent")).toMatchObject({ updatedNumberScheduled: 0, numberAvailable: 3, observedGeneration: 2 });
    const victim = dsPods(cluster, "agent").find((p) => p.spec.nodeName === "worker-1")!;
    cluster.engine.at(100 * s, () => cluster.store.delete("Pod", `kube-system/${victim.metadata.name}`));
    cluster.engine.run(150 * s);
    const onW1 = dsPods(cluster, "agent").filter((p) => p.spec.nodeName === "worker-1");
    expect(onW1.length).toBe(1);
    expect(onW1[0].spec.containers[0].image).toBe("agent:2");
    expect(status(cluster, "agent")).toMatchObject({ updatedNumberScheduled: 1, numberAvailable: 3 });
  });
});
