/**
 * The node-failure timeline, to the millisecond, worked out from the upstream rules:
 *  - kubelet renews its Lease every 10 s; the node lifecycle controller notes each renewal when its
 *    watch delivers it (watch latency L = 20 ms);
 *  - every 5 s (node-monitor-period) it marks a node Unknown once now > last observed renewal + 50 s
 *    (node-monitor-grace-period, v1.32+), adds unreachable:NoSchedule at once, and queues the node for
 *    unreachable:NoExecute, applied by the 100 ms zone tainter (token bucket of 1: immediate);
 *  - the taint-eviction controller sees the taint after L and deletes the pod when its 300 s default
 *    toleration (DefaultTolerationSeconds) runs out;
 *  - the ReplicaSet controller sees the deletion after L, syncs in 1 ms and creates a replacement;
 *    the scheduler sees it after L, decides in 1 ms, binds 2 ms later; the kubelet sees the binding
 *    after L, starts the container after 2 s and reports Ready 1 s after that.
 */
import { describe, expect, it } from "vitest";
import { Cluster } from "../../sim/run/cluster.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const ms = 1_000;
const s = 1_000_000;

function build(failAt: number): { cluster: Cluster; lastRenew: () => number } {
  const sc = scenario({ pools: [pool("worker", 3, ["a", "b", "c"])], manifests: [deployment("web", 3)], duration: 600 * s });
  const k = sc.components.kubelet;
  k.startupDelay = { distribution: "constant", value: 2 * s };
  k.cachedStartupDelay = { distribution: "constant", value: 2 * s };
  k.readinessDelay = { distribution: "constant", value: 1 * s };
  const cluster = new Cluster(sc, { seed: 5 });
  cluster.bootstrap();
  let renewAtFailure = -1;
  cluster.engine.at(failAt, () => {
    renewAtFailure = cluster.store.get("Lease", "kube-node-lease/worker-0")!.spec.renewTime!;
    cluster.failNode("worker-0");
  });
  return { cluster, lastRenew: () => renewAtFailure };
}

describe("node failure timeline (v1.34 defaults)", () => {
  it("NotReady, taints, eviction, replacement, scheduling and readiness at the computed instants", () => {
    const { cluster, lastRenew } = build(60 * s);
    cluster.engine.run(600 * s);
    const ev = cluster.events.events;
    const at = (reason: string, pred: (e: (typeof ev)[number]) => boolean = () => true): number => {
      const e = ev.find((x) => x.reason === reason && pred(x));
      if (!e) throw new Error(`no ${reason} event`);
      return Math.round(e.time * s);
    };
    const L = 20 * ms;
    const observed = lastRenew() + L;
    // First 5 s monitor tick strictly after observed + 50 s.
    const notReady = Math.floor((observed + 50 * s) / (5 * s)) * 5 * s + 5 * s;
    expect(at("NodeNotReady")).toBe(notReady);
    // The zone tainter runs every 100 ms; at the monitor's own instant it ran just before the
    // monitor (normal before late priority), so the NoExecute taint lands 100 ms later.
    const tainted = notReady + 100 * ms;
    const evict = tainted + L + 300 * s;
    expect(at("TaintManagerEviction")).toBe(evict);
    const created = evict + L + 1 * ms; // RS controller: watch latency + sync latency
    const replacementCreate = ev.find((e) => e.reason === "SuccessfulCreate" && e.time * s >= evict)!;
    expect(Math.round(replacementCreate.time * s)).toBe(created);
    const podName = replacementCreate.message.replace("Created pod: ", "");
    const scheduled = created + L + 1 * ms + 2 * ms; // scheduler: watch + attempt + bind
    expect(at("Scheduled", (e) => e.object.endsWith(podName))).toBe(scheduled);
    const started = scheduled + L + 2 * s; // kubelet: watch + start-up delay
    expect(at("Started", (e) => e.object.endsWith(podName))).toBe(started);
    // It lands on a surviving node, never on the failed one.
    expect(ev.find((e) => e.reason === "Scheduled" && e.object.endsWith(podName))!.node).not.toBe("worker-0");
    // Ready 1 s after start; the Deployment's status follows through RS → Deployment controllers.
    const pod = cluster.store.list("Pod").find((p) => p.metadata.name === podName)!;
    expect(pod.status.conditions!.find((c) => c.type === "Ready")!.lastTransitionTime).toBe(started + 1 * s);
    expect(cluster.store.get("Deployment", "default/web")!.status.availableReplicas).toBe(3);
  });

  it("marks the failed node's pods not ready when the node turns Unknown", () => {
    const { cluster } = build(60 * s);
    cluster.engine.run(200 * s);
    const podsOnFailed = cluster.store.list("Pod").filter((p) => p.spec.nodeName === "worker-0");
    expect(podsOnFailed.length).toBe(1);
    expect(podsOnFailed[0].status.conditions!.find((c) => c.type === "Ready")!.status).toBe("False");
    const node = cluster.store.get("Node", "worker-0")!;
    expect(node.status.conditions.find((c) => c.type === "Ready")!.status).toBe("Unknown");
    expect(node.spec.taints!.map((t) => `${t.key}:${t.effect}`).sort()).toEqual(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    // Before the 300 s toleration runs out, the pod is still there and the Deployment is short one.
    expect(cluster.store.get("Deployment", "default/web")!.status.availableReplicas).toBe(2);
  });

  it("a node that recovers before the toleration ends keeps its pod: taints removed, nothing evicted", () => {
    const { cluster } = build(60 * s);
    cluster.engine.at(200 * s, () => cluster.recoverNode("worker-0"));
    cluster.engine.run(600 * s);
    expect(cluster.events.byReason("TaintManagerEviction")).toEqual([]);
    const node = cluster.store.get("Node", "worker-0")!;
    expect(node.spec.taints ?? []).toEqual([]);
    expect(node.status.conditions.find((c) => c.type === "Ready")!.status).toBe("True");
    expect(cluster.store.get("Deployment", "default/web")!.status.availableReplicas).toBe(3);
  });
});
