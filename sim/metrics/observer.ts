/**
 * The cluster as an observer sees it at each instant: counts kept up to date incrementally from
 * every write (Store.observe), so sampling is O(number of metrics), not O(pods).
 */
import type { Deployment, Kind, KubeObject, Node, Pod } from "../api/objects.js";
import type { Store, WatchEvent } from "../api/store.js";
import { podRequests, toResources } from "../cluster/resources.js";

interface PodClass {
  phase: string;
  unscheduled: boolean;
  terminating: boolean;
  ready: boolean;
  /** Holds node resources: bound and not finished. */
  holding: boolean;
  /** Requests (cpu millicores, memory bytes) of a pod holding or waiting for resources, else 0. */
  cpu: number;
  memory: number;
}

function classifyPod(p: Pod): PodClass {
  const terminal = p.status.phase === "Succeeded" || p.status.phase === "Failed";
  const holding = !!p.spec.nodeName && !terminal;
  const unscheduled = !p.spec.nodeName && !terminal;
  // podRequests is cached per spec object, which status writes keep.
  const r = holding || unscheduled ? podRequests(p.spec).requests : undefined;
  return {
    phase: p.status.phase,
    unscheduled,
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

/** What the observer tracks per node: capacity from the Node, usage from the pods bound to it. */
export interface NodeRecord extends NodeClass {
  name: string;
  /** The node pool (label simk.dev/pool), or "" for nodes from manifests. */
  pool: string;
  requestedCpu: number;
  requestedMemory: number;
  /** Pods holding resources on the node (bound, not finished). */
  podCount: number;
}

export const POOL_LABEL = "simk.dev/pool";

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

/** A pod's resource shape, for the "typical pending pod" of the fragmentation metric. */
interface Shape {
  cpu: number;
  memory: number;
  count: number;
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
  /** Per node: capacity and usage (usage survives the node's deletion until its pods go). */
  readonly nodes = new Map<string, NodeRecord>();
  /** Request shapes of unscheduled pods, and of all pods holding or wanting resources. */
  private readonly pendingShapes = new Map<string, Shape>();
  private readonly allShapes = new Map<string, Shape>();
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
    const old = e.oldObject;
    const before = old && classifyPod(old);
    const after = e.type === "DELETED" ? undefined : classifyPod(e.object);
    if (!old || !before || !after) {
      if (old && before) this.applyPod(old, before, -1);
      if (after) this.applyPod(e.object, after, +1);
      return;
    }
    // A pod changed (most often its status): the net effect of taking the old version out and
    // putting the new one in. Counts (integers) change by the difference, so what both versions
    // share costs nothing; sums of requests are still taken out and put back, as the values may
    // be fractional and the rounding must not change.
    this.movePod(old, before, e.object, after);
  }

  private applyPod(p: Pod, c: PodClass, sign: 1 | -1): void {
    this.podsTotal += sign;
    this.podPhase.set(c.phase, (this.podPhase.get(c.phase) ?? 0) + sign);
    if (c.unscheduled) this.podsUnscheduled += sign;
    if (c.terminating) this.podsTerminating += sign;
    if (c.ready) this.podsReady += sign;
    if (c.holding) this.applyHolding(this.nodeRecord(p.spec.nodeName!), c, sign);
    if (c.unscheduled || c.holding) {
      addShape(this.allShapes, c.cpu, c.memory, sign);
      if (c.unscheduled) addShape(this.pendingShapes, c.cpu, c.memory, sign);
    }
  }

  private applyHolding(r: NodeRecord, c: PodClass, sign: 1 | -1): void {
    this.cpuRequested += sign * c.cpu;
    this.memoryRequested += sign * c.memory;
    r.requestedCpu += sign * c.cpu;
    r.requestedMemory += sign * c.memory;
    r.podCount += sign;
  }

  /** applyPod(old, a, -1) then applyPod(cur, b, +1), without the work that cancels out. */
  private movePod(old: Pod, a: PodClass, cur: Pod, b: PodClass): void {
    if (a.phase !== b.phase) {
      this.podPhase.set(a.phase, (this.podPhase.get(a.phase) ?? 0) - 1);
      this.podPhase.set(b.phase, (this.podPhase.get(b.phase) ?? 0) + 1);
    }
    this.podsUnscheduled += Number(b.unscheduled) - Number(a.unscheduled);
    this.podsTerminating += Number(b.terminating) - Number(a.terminating);
    this.podsReady += Number(b.ready) - Number(a.ready);
    const oldNode = old.spec.nodeName!;
    const newNode = cur.spec.nodeName!;
    const r = a.holding ? this.nodeRecord(oldNode) : undefined;
    if (r) this.applyHolding(r, a, -1);
    if (b.holding) this.applyHolding(r && oldNode === newNode ? r : this.nodeRecord(newNode), b, +1);
    const aShape = a.unscheduled || a.holding;
    const bShape = b.unscheduled || b.holding;
    const sameShape = aShape && bShape && a.cpu === b.cpu && a.memory === b.memory;
    if (!sameShape) {
      if (aShape) addShape(this.allShapes, a.cpu, a.memory, -1);
      if (bShape) addShape(this.allShapes, b.cpu, b.memory, +1);
    }
    if (!sameShape || a.unscheduled !== b.unscheduled) {
      if (a.unscheduled) addShape(this.pendingShapes, a.cpu, a.memory, -1);
      if (b.unscheduled) addShape(this.pendingShapes, b.cpu, b.memory, +1);
    }
  }

  private nodeRecord(name: string): NodeRecord {
    let r = this.nodes.get(name);
    if (!r) {
      r = { name, pool: "", ready: false, schedulable: false, cpu: 0, memory: 0, pods: 0, requestedCpu: 0, requestedMemory: 0, podCount: 0 };
      this.nodes.set(name, r);
    }
    return r;
  }

  private onNode(e: WatchEvent<Node>): void {
    if (e.oldObject) this.applyNode(e.oldObject, classifyNode(e.oldObject), -1);
    const name = e.object.metadata.name;
    if (e.type === "DELETED") {
      const r = this.nodes.get(name);
      if (r && r.podCount === 0) this.nodes.delete(name);
      else if (r) Object.assign(r, { ready: false, schedulable: false, cpu: 0, memory: 0, pods: 0 });
      return;
    }
    const c = classifyNode(e.object);
    this.applyNode(e.object, c, +1);
    Object.assign(this.nodeRecord(name), c, { pool: e.object.metadata.labels?.[POOL_LABEL] ?? "" });
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
    const key = e.key;
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

  /**
   * The typical pod: the median cpu and median memory request of the unscheduled pods, or of all
   * pods holding or wanting resources when nothing is pending. Undefined with no pods at all.
   */
  typicalPod(): { cpu: number; memory: number } | undefined {
    const shapes = total(this.pendingShapes) > 0 ? this.pendingShapes : this.allShapes;
    if (total(shapes) === 0) return undefined;
    return { cpu: weightedMedian(shapes, (s) => s.cpu), memory: weightedMedian(shapes, (s) => s.memory) };
  }
}

function addShape(shapes: Map<string, Shape>, cpu: number, memory: number, sign: 1 | -1): void {
  const key = `${cpu}/${memory}`;
  const s = shapes.get(key);
  if (s) {
    s.count += sign;
    if (s.count === 0) shapes.delete(key);
  } else if (sign > 0) shapes.set(key, { cpu, memory, count: 1 });
}

function total(shapes: Map<string, Shape>): number {
  let n = 0;
  for (const s of shapes.values()) n += s.count;
  return n;
}

/** The lower median (the value at rank ceil(n/2)) of a multiset given as counted shapes. */
function weightedMedian(shapes: Map<string, Shape>, value: (s: Shape) => number): number {
  const sorted = [...shapes.values()].sort((a, b) => value(a) - value(b));
  const half = Math.ceil(total(shapes) / 2);
  let seen = 0;
  for (const s of sorted) {
    seen += s.count;
    if (seen >= half) return value(s);
  }
  return 0;
}
