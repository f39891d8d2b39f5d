/**
 * PodTopologySpread's PodCountIndex, kept up to date from the scheduler cache's notifications,
 * must always give the counts a recount over every node's pods gives (countMatchingPods): per node
 * and per topology value, for any selector, after any sequence of pod adds, refreshes (labels,
 * deletionTimestamp), moves and removals, node label changes and node removals — including runs
 * with enough one-off label sets that empty classes are swept and come back. With a low dense
 * threshold, classes cross it both ways, so the dense per-node counts of large classes are checked
 * against the recount too (nodeCount reads them instead of the Map while a class is large).
 */
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../sim/api/objects.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { countMatchingPods, labelValue, PodSelector } from "../../policies/scheduler/podTopologySpread/common.js";
import { PodCountIndex } from "../../policies/scheduler/podTopologySpread/index.js";
import { NodeNumbers } from "../../policies/scheduler/podTopologySpread/topology.js";

const ZONE = "topology.kubernetes.io/zone";

function node(name: string, zone: string | undefined): Node {
  const labels: Record<string, string> = { "kubernetes.io/hostname": name };
  if (zone !== undefined) labels[ZONE] = zone;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels },
    spec: {},
    status: { allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, capacity: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  } as Node;
}

function pod(uid: string, ns: string, labels: Record<string, string> | undefined, terminating: boolean): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: uid, namespace: ns, uid, resourceVersion: "1", generation: 1, creationTimestamp: 0, ...(labels ? { labels } : {}), ...(terminating ? { deletionTimestamp: 1 } : {}) },
    spec: { containers: [{ name: "c", image: "i" }] },
    status: { phase: "Running" },
  } as Pod;
}

/** Shared label objects (as a ReplicaSet's pods share their template's), and fresh ones. */
const SHARED: (Record<string, string> | undefined)[] = [{ app: "a" }, { app: "b" }, { app: "a", tier: "fe" }, { tier: "fe" }, undefined, {}];
const SELECTORS = [
  PodSelector.fromLabelSelector({ matchLabels: { app: "a" } }),
  PodSelector.fromLabelSelector({ matchLabels: { tier: "fe" } }),
  PodSelector.fromLabelSelector({ matchExpressions: [{ key: "app", operator: "Exists" }] }),
  PodSelector.fromLabelSelector({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["a"] }] }),
  PodSelector.fromLabelSelector({ matchExpressions: [{ key: "u", operator: "DoesNotExist" }] }),
];

/** Checks that read a class's dense counts, and classes seen with / without them (any check). */
let denseReads = 0;
const seenDense = new Set<object>();
const seenSparseAfterDense = new Set<object>();

function check(cache: SchedulerCache, index: PodCountIndex): void {
  for (const ns of ["default", "other"]) {
    for (const sel of SELECTORS) {
      const classes = index.classesMatching(sel, ns);
      for (const c of classes) {
        if (c.dense) {
          denseReads++;
          seenDense.add(c);
        } else if (seenDense.has(c)) seenSparseAfterDense.add(c);
      }
      const perZone = new Map<string, number>();
      for (const info of cache.nodes) {
        const want = countMatchingPods(info, sel, ns);
        expect(index.nodeCount(classes, info, index.numberOf(info))).toBe(want);
        const z = labelValue(info.node.metadata.labels, ZONE) ?? "";
        perZone.set(z, (perZone.get(z) ?? 0) + want);
      }
      for (const [z, want] of perZone) expect(index.domainCount(classes, ZONE, z)).toBe(want);
    }
  }
}

/** `denseMinPods`: the index's threshold for dense counts; `nodes`: how many nodes. */
function run(seed: number, steps: number, freshLabels: number, denseMinPods?: number, nodeCount = 6): void {
  const rng = new Rng(seed, "pod-count-index");
  const cache = new SchedulerCache();
  const zones = [undefined, "z1", "z2", "z3"];
  for (let i = 0; i < nodeCount; i++) cache.upsertNode(node(`n${i}`, zones[1 + (i % 3)]));
  const index = new PodCountIndex(cache.nodes, new NodeNumbers(), denseMinPods);
  cache.subscribe(index);
  const live: string[] = [];
  let next = 0;
  const labelsFor = (): Record<string, string> | undefined => (rng.int(100) < freshLabels ? { app: "a", u: String(next) } : SHARED[rng.int(SHARED.length)]);
  for (let step = 0; step < steps; step++) {
    // With a dense threshold, the second half mostly removes pods, so large classes shrink again.
    const op = denseMinPods !== undefined && step > steps / 2 ? 25 + rng.int(75) : rng.int(100);
    const nodes = cache.nodes;
    if (op < 45 || live.length === 0) {
      const uid = `p${next++}`;
      cache.addPod(pod(uid, rng.int(4) === 0 ? "other" : "default", labelsFor(), rng.int(8) === 0), nodes[rng.int(nodes.length)].name);
      live.push(uid);
    } else if (op < 65) {
      // A refresh on the same node: new labels, or the deletion starting.
      const uid = live[rng.int(live.length)];
      const where = cache.nodes.find((n) => n.pods.has(uid));
      if (where) cache.addPod(pod(uid, where.pods.get(uid)!.pod.metadata.namespace!, labelsFor(), rng.int(3) === 0), where.name);
    } else if (op < 75) {
      // Moved (re-assumed elsewhere).
      const uid = live[rng.int(live.length)];
      const where = cache.nodes.find((n) => n.pods.has(uid));
      if (where) cache.addPod(where.pods.get(uid)!.pod, nodes[rng.int(nodes.length)].name);
    } else if (op < 93) {
      const i = rng.int(live.length);
      cache.removePod(live[i]);
      live.splice(i, 1);
    } else if (op < 98) {
      const n = nodes[rng.int(nodes.length)];
      cache.upsertNode(node(n.name, zones[rng.int(zones.length)]));
    } else {
      const n = nodes[rng.int(nodes.length)];
      cache.removeNode(n.name);
      cache.upsertNode(node(n.name, zones[rng.int(zones.length)]));
      for (let i = live.length - 1; i >= 0; i--) if (!cache.hasPod(live[i])) live.splice(i, 1);
    }
    if (step % 25 === 0) check(cache, index);
  }
  check(cache, index);
}

describe("PodCountIndex = a recount over every node's pods", () => {
  it.each([1, 2, 3, 4, 5])("random adds, refreshes, moves, removals and node changes (seed %i)", (seed) => {
    run(seed, 1500, 5);
  });

  it("with many one-off label sets: empty classes are swept and their labels come back", () => {
    run(42, 12000, 60);
  });

  it.each([1, 2, 3])("dense counts of large classes, classes crossing the threshold both ways (seed %i)", (seed) => {
    // 40 nodes (some added and removed again), a threshold of 8 pods: the shared-label classes
    // grow past it, shrink below half of it as removals catch up, and grow again.
    denseReads = 0;
    seenDense.clear();
    seenSparseAfterDense.clear();
    run(seed, 3000, 5, 8, 40);
    expect(denseReads).toBeGreaterThan(0);
    expect(seenSparseAfterDense.size).toBeGreaterThan(0);
  });
});
