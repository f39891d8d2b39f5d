/**
 * The cluster as an observer sees it at each instant: counts kept up to date incrementally from
 * every write (Store.observe), so sampling is O(number of metrics), not O(pods).
 */
import type { Deployment, Kind, KubeObject, Node, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { Store, WatchEvent } from "../api/store.js";
import { podRequests, toResources } from "../cluster/resources.js";

interface PodClass {
  phase: string;
  unscheduled: boolean;
  terminating: boolean;
  ready: boolean;
  /** Holds node resources: bound and not finished. */
  holding: boolean;
  cpu: number;
  memory: number;
}

function classifyPod(p: Pod): PodClass {
  const terminal = p.status.phase === "Succeeded" || p.status.phase === "Failed";
  const holding = !!p.spec.nodeName && !terminal;
  const r = holding ? podRequests(p.spec).requests : undefined;
  return {
    phase: p.status.phase,
    unscheduled: !p.spec.nodeName && !terminal,
    terminating: p.metadata.deletionTimestamp !== undefined,
    ready: p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    holding,
    cpu: r?.milliCPU ?? 0,
    memory: r?.memory ?? 0,
  };
}

interface NodeClass {
  ready: boolean;
  schedulable: boolean;
  cpu: number;
  memory: number;
  pods: number;
}

function classifyNode(n: Node): NodeClass {
  const alloc = toResources(n.status.allocatable);
  return {
    ready: n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"),
    schedulable: !n.spec.unschedulable,
    cpu: alloc.milliCPU,
    memory: alloc.memory,
    pods: Number(n.status.allocatable.pods ?? 110),
  };
}

export interface DeploymentView {
  key: string;
  desired: number;
  available: number;
  updated: number;
  replicas: number;
}

export class ClusterObserver {
  readonly podPhase = new Map<string, number>([
    ["Pending", 0],
    ["Running", 0],
    ["Succeeded", 0],
    ["Failed", 0],
    ["Unknown", 0],
  ]);
  podsTotal = 0;
  podsUnscheduled = 0;
  podsTerminating = 0;
  podsReady = 0;
  cpuRequested = 0;
  memoryRequested = 0;
  nodesTotal = 0;
  nodesReady = 0;
  nodesSchedulable = 0;
  cpuAllocatable = 0;
  memoryAllocatable = 0;
  podsAllocatable = 0;
  /** Per node: requested cpu and memory, for allocation and balance metrics. */
  readonly nodeRequested = new Map<string, { cpu: number; memory: number }>();
  readonly nodeAllocatable = new Map<string, { cpu: number; memory: number }>();
  readonly deployments = new Map<string, DeploymentView>();

  constructor(store: Store) {
    store.observe((kind, event) => this.onWrite(kind, event));
  }

  private onWrite(kind: Kind, e: WatchEvent<KubeObject>): void {
    if (kind === "Pod") this.onPod(e as WatchEvent<Pod>);
    else if (kind === "Node") this.onNode(e as WatchEvent<Node>);
    else if (kind === "Deployment") this.onDeployment(e as WatchEvent<Deployment>);
  }

  private onPod(e: WatchEvent<Pod>): void {
    if (e.oldObject) this.applyPod(e.oldObject, classifyPod(e.oldObject), -1);
    if (e.type !== "DELETED") this.applyPod(e.object, classifyPod(e.object), +1);
  }

  private applyPod(p: Pod, c: PodClass, sign: 1 | -1): void {
    this.podsTotal += sign;
    this.podPhase.set(c.phase, (this.podPhase.get(c.phase) ?? 0) + sign);
    if (c.unscheduled) this.podsUnscheduled += sign;
    if (c.terminating) this.podsTerminating += sign;
    if (c.ready) this.podsReady += sign;
    if (c.holding) {
      this.cpuRequested += sign * c.cpu;
      this.memoryRequested += sign * c.memory;
      const node = p.spec.nodeName!;
      const r = this.nodeRequested.get(node) ?? { cpu: 0, memory: 0 };
      r.cpu += sign * c.cpu;
      r.memory += sign * c.memory;
      this.nodeRequested.set(node, r);
    }
  }

  private onNode(e: WatchEvent<Node>): void {
    if (e.oldObject) this.applyNode(e.oldObject, classifyNode(e.oldObject), -1);
    if (e.type !== "DELETED") this.applyNode(e.object, classifyNode(e.object), +1);
    if (e.type === "DELETED") this.nodeAllocatable.delete(e.object.metadata.name);
    else {
      const c = classifyNode(e.object);
      this.nodeAllocatable.set(e.object.metadata.name, { cpu: c.cpu, memory: c.memory });
    }
  }

  private applyNode(_n: Node, c: NodeClass, sign: 1 | -1): void {
    this.nodesTotal += sign;
    if (c.ready) this.nodesReady += sign;
    if (c.schedulable) this.nodesSchedulable += sign;
    this.cpuAllocatable += sign * c.cpu;
    this.memoryAllocatable += sign * c.memory;
    this.podsAllocatable += sign * c.pods;
  }

  private onDeployment(e: WatchEvent<Deployment>): void {
    const key = objectKey(e.object.metadata);
    if (e.type === "DELETED") {
      this.deployments.delete(key);
      return;
    }
    const d = e.object;
    this.deployments.set(key, {
      key,
      desired: d.spec.replicas,
      available: d.status.availableReplicas ?? 0,
      updated: d.status.updatedReplicas ?? 0,
      replicas: d.status.replicas ?? 0,
    });
  }

  /** Population standard deviation of per-node cpu allocation ratio (requested / allocatable). */
  cpuImbalance(): number {
    const ratios: number[] = [];
    for (const [name, alloc] of this.nodeAllocatable) {
      if (alloc.cpu === 0) continue;
      ratios.push((this.nodeRequested.get(name)?.cpu ?? 0) / alloc.cpu);
    }
    if (ratios.length === 0) return 0;
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    return Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / ratios.length);
  }
}
