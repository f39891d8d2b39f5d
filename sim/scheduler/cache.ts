/**
 * The scheduler's cache of nodes and the pods on them (kube-scheduler's internal cache +
 * snapshot). It is fed by the scheduler's own watches, so it lags the API server by the watch
 * latency, and by "assume": a pod the scheduler has just placed counts on its node at once, before
 * the binding is written (pkg/scheduler/backend/cache AssumePod).
 *
 * Terminal pods (Succeeded/Failed) hold no resources; terminating pods still do until deleted.
 */
import type { Node, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import { podRequests, toResources } from "../cluster/resources.js";
import { parseBytes } from "../units/quantity.js";
import type { NodeInfoEvents, NodeInfoListener, PodInfo } from "./framework.js";
import { AMOUNT_COLUMNS, applyPodToNodeInfo, NodeInfo } from "./framework.js";

export class SchedulerCache implements NodeInfoEvents {
  private readonly byName = new Map<string, NodeInfo>();
  private ordered: NodeInfo[] = [];
  private orderDirty = false;
  /** Where each cached pod is, by uid. */
  private readonly podNode = new Map<string, string>();
  /** Plugins keeping aggregates over the cache (FrameworkHandle.cacheEvents). */
  private readonly listeners: NodeInfoListener[] = [];

  subscribe(listener: NodeInfoListener): void {
    this.listeners.push(listener);
  }

  get nodes(): readonly NodeInfo[] {
    if (this.orderDirty) {
      this.ordered = [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.orderDirty = false;
      this.layOutAmounts();
    }
    return this.ordered;
  }

  /**
   * Puts the nodes' amount rows (NodeInfo.amounts) into one fresh buffer in `ordered` order, so
   * that the scheduler's passes over the nodes read it front to back. Runs when the node set
   * changes, which is rare next to scheduling cycles.
   */
  private layOutAmounts(): void {
    const buffer = new Float64Array(this.ordered.length * AMOUNT_COLUMNS);
    this.ordered.forEach((info, i) => info.moveAmounts(buffer, i * AMOUNT_COLUMNS));
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  upsertNode(node: Node): void {
    const name = node.metadata.name;
    const existing = this.byName.get(name);
    const allocatable = toResources(node.status.allocatable);
    const allowedPodNumber = node.status.allocatable.pods !== undefined ? parseBytes(node.status.allocatable.pods) : 110;
    if (existing) {
      const previous = existing.node;
      existing.node = node;
      existing.setAllocatable(allocatable, allowedPodNumber);
      existing.generation++;
      for (const l of this.listeners) l.nodeUpdated(existing, previous);
      return;
    }
    const info = new NodeInfo(name, node);
    info.setAllocatable(allocatable, allowedPodNumber);
    this.byName.set(name, info);
    this.orderDirty = true;
    for (const l of this.listeners) l.nodeAdded(info);
  }

  removeNode(name: string): void {
    const info = this.byName.get(name);
    if (!info) return;
    for (const uid of info.pods.keys()) this.podNode.delete(uid);
    this.byName.delete(name);
    this.orderDirty = true;
    // Off the shared buffer, which the next layout replaces: the removed node keeps its figures.
    info.moveAmounts(new Float64Array(AMOUNT_COLUMNS), 0);
    for (const l of this.listeners) {
      for (const podInfo of info.pods.values()) l.podRemoved(info, podInfo);
      l.nodeRemoved(info);
    }
  }

  /** Adds or refreshes a pod that is bound (or assumed) to `nodeName`. */
  addPod(pod: Pod, nodeName: string): void {
    const uid = pod.metadata.uid;
    const current = this.podNode.get(uid);
    if (current !== undefined) {
      if (current === nodeName) {
        // Refresh the stored object; requests do not change for a pod once created. Labels can:
        // then per-node caches keyed on generation (InterPodAffinity) must see the change.
        const info = this.byName.get(nodeName)!;
        const old = info.pods.get(uid)!;
        const refreshed = { ...old, pod };
        info.pods.set(uid, refreshed);
        if (old.pod.metadata.labels !== pod.metadata.labels && JSON.stringify(old.pod.metadata.labels) !== JSON.stringify(pod.metadata.labels)) info.generation++;
        for (const l of this.listeners) {
          if (l.podUpdated) l.podUpdated(info, old, refreshed);
          else {
            l.podRemoved(info, old);
            l.podAdded(info, refreshed);
          }
        }
        return;
      }
      this.removePod(uid);
    }
    const info = this.byName.get(nodeName);
    if (!info) return;
    const podInfo: PodInfo = { pod, key: objectKey(pod.metadata), requests: podRequests(pod.spec) };
    info.pods.set(uid, podInfo);
    this.podNode.set(uid, nodeName);
    applyPod(info, podInfo, +1);
    for (const l of this.listeners) l.podAdded(info, podInfo);
  }

  removePod(uid: string): void {
    const nodeName = this.podNode.get(uid);
    if (nodeName === undefined) return;
    this.podNode.delete(uid);
    const info = this.byName.get(nodeName);
    const podInfo = info?.pods.get(uid);
    if (!info || !podInfo) return;
    info.pods.delete(uid);
    applyPod(info, podInfo, -1);
    for (const l of this.listeners) l.podRemoved(info, podInfo);
  }

  hasPod(uid: string): boolean {
    return this.podNode.has(uid);
  }

  /** Applies a pod watch event: bound, non-terminal pods are cached; others are dropped. */
  onPod(pod: Pod, deleted: boolean): void {
    const terminal = pod.status.phase === "Succeeded" || pod.status.phase === "Failed";
    if (deleted || terminal || !pod.spec.nodeName) {
      // An unbound pod may still be assumed; only a deletion or a terminal phase removes it.
      if (deleted || terminal) this.removePod(pod.metadata.uid);
      return;
    }
    this.addPod(pod, pod.spec.nodeName);
  }
}

function applyPod(info: NodeInfo, podInfo: PodInfo, sign: 1 | -1): void {
  applyPodToNodeInfo(info, podInfo, sign);
  info.generation++;
}
