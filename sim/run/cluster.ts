/**
 * A simulated cluster: the engine, the API server, and the components wired to it — the
 * scheduler, the controller-manager's controllers (sharing one set of informers, as in
 * kube-controller-manager) and one kubelet per node. Operations a person does to a cluster
 * (fail a node, cordon, drain, scale, roll out, apply, delete) are methods here; the timeline calls
 * them.
 */
import type { Deployment, KubeObject, Node, Pod, ReplicaSet, Taint } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import { Store } from "../api/store.js";
import { defaultTolerationSeconds, podDefaulting, priorityAdmission } from "../admission/admission.js";
import type { SimContext } from "../cluster/context.js";
import { DeploymentController } from "../controllers/deployment.js";
import { DisruptionController } from "../controllers/disruption.js";
import { DaemonSetController } from "../controllers/daemonSet.js";
import { JobController } from "../controllers/job.js";
import { EndpointSliceController } from "../controllers/endpointSlice.js";
import { ResourceQuotaController } from "../controllers/resourceQuota.js";
import { createQuotaAdmission } from "../admission/quota.js";
import { evictPod } from "../api/eviction.js";
import { createSharedInformers, type SharedInformers } from "../controllers/informers.js";
import { NodeLifecycleController } from "../controllers/nodeLifecycle.js";
import { ReplicaSetController } from "../controllers/replicaSet.js";
import { TaintEvictionController } from "../controllers/taintEviction.js";
import { Engine, Priority } from "../engine/engine.js";
import { RngStreams } from "../engine/rng.js";
import { Kubelet } from "../kubelet/kubelet.js";
import { LeaderElection } from "../cluster/leaderElection.js";
import { EventRecorder, TIMELINE_SOURCE } from "../metrics/events.js";
import { ClusterObserver, POOL_LABEL } from "../metrics/observer.js";
import { WorkloadTracker } from "../metrics/workloads.js";
import { Stats } from "../metrics/stats.js";
import type { Manifest, NodePool, RolloutPatch, Scenario } from "../scenario/types.js";
import { Scheduler, type SchedulerConfig } from "../scheduler/scheduler.js";
import { defaultSchedulerConfig } from "../scheduler/profiles.js";
import type { BalancerModules } from "../traffic/balancers.js";
import { KubeProxy } from "../traffic/proxy.js";
import { TrafficSystem } from "../traffic/traffic.js";

/** PodGC (pkg/controller/podgc): orphaned pods are removed after a 40 s quarantine, checked every 20 s. */
const POD_GC_PERIOD = 20_000_000;
const POD_GC_QUARANTINE = 40_000_000;

export interface ClusterOptions {
  seed: number;
  schedulerConfig?: SchedulerConfig;
  /** Balancers from user modules named by spec.traffic (sim/traffic/balancers.ts resolveBalancerModules). */
  balancers?: BalancerModules;
}

export type ControlPlaneComponent = "apiServer" | "scheduler" | "controllerManager";

/** A controller the controller-manager runs: it acts only while its replica holds the lease. */
export interface Controller {
  start(): void;
  setActive(active: boolean): void;
}

export class Cluster implements SimContext {
  readonly engine = new Engine();
  readonly rng: RngStreams;
  readonly store: Store;
  readonly events: EventRecorder;
  readonly stats = new Stats();
  readonly observer: ClusterObserver;
  readonly workloads: WorkloadTracker;
  readonly informers: SharedInformers;
  readonly scheduler: Scheduler;
  readonly kubelets = new Map<string, Kubelet>();
  readonly controllers: readonly Controller[];
  readonly schedulerElection: LeaderElection;
  readonly controllerManagerElection: LeaderElection;
  private readonly pools = new Map<string, { pool: NodePool; next: number }>();
  private nodeCount = 0;
  /**
   * Service traffic (spec.traffic): request sources, pods as servers, and one kube-proxy per node,
   * created, failed, recovered and removed with its node. Absent without traffic.
   */
  readonly traffic?: TrafficSystem;

  constructor(readonly scenario: Scenario, options: ClusterOptions) {
    this.rng = new RngStreams(options.seed);
    this.events = new EventRecorder(this.engine);
    this.store = new Store(this.engine, { watchLatency: scenario.components.apiServer.watchLatency, rng: this.rng.stream("apiserver") });
    this.store.addAdmission(podDefaulting);
    this.store.addAdmission(priorityAdmission);
    this.store.addAdmission(defaultTolerationSeconds);
    // ResourceQuota runs last, as in kube-apiserver's admission chain.
    this.store.addAdmission(createQuotaAdmission(this));
    this.observer = new ClusterObserver(this.store);
    this.workloads = new WorkloadTracker(this.store, () => this.engine.now);
    this.informers = createSharedInformers(this.store);
    const c = scenario.components;
    this.scheduler = new Scheduler(this, c.scheduler, options.schedulerConfig ?? defaultSchedulerConfig());
    this.controllers = [
      new ReplicaSetController(this, this.informers, c.controllers),
      new DeploymentController(this, this.informers, c.controllers),
      new NodeLifecycleController(this, this.informers, c.nodeLifecycle),
      new TaintEvictionController(this, this.informers),
      new DisruptionController(this, this.informers, c.controllers),
      new DaemonSetController(this, this.informers, c.controllers),
      new JobController(this, this.informers, c.controllers),
      new EndpointSliceController(this, this.informers, c.controllers),
      new ResourceQuotaController(this, this.informers, c.controllers),
    ];
    this.scheduler.start();
    for (const controller of this.controllers) controller.start();
    // Both control-plane components elect a leader (leader-elect is on by default); until one
    // holds the lease — and whenever none does — they do nothing.
    this.scheduler.setActive(false);
    for (const controller of this.controllers) controller.setActive(false);
    this.schedulerElection = new LeaderElection(this, "kube-scheduler", c.scheduler.replicas, c.leaderElection, (leading) => this.scheduler.setActive(leading));
    this.controllerManagerElection = new LeaderElection(this, "kube-controller-manager", c.controllers.replicas, c.leaderElection, (leading) => {
      for (const controller of this.controllers) controller.setActive(leading);
    });
    this.schedulerElection.start();
    this.controllerManagerElection.start();
    this.stats.addSource(() => this.workloads.summary());
    this.stats.addSource(() => {
      const out: Record<string, number> = {};
      for (const [name, e] of [["scheduler", this.schedulerElection], ["controllerManager", this.controllerManagerElection]] as const) {
        out[`leaderElection.${name}.transitions`] = e.transitions;
        out[`leaderElection.${name}.gapSeconds`] = e.totalGap(this.engine.now) / 1_000_000;
        out[`leaderElection.${name}.maxGapSeconds`] = Math.max(0, ...e.gaps) / 1_000_000;
      }
      return out;
    });
    this.engine.after(POD_GC_PERIOD, () => this.podGC(), Priority.Late);
    if (scenario.traffic && scenario.traffic.length > 0) {
      const kp = scenario.components.kubeProxy;
      const zoneOf = (node: string): string | undefined => this.store.get("Node", node)?.metadata.labels?.["topology.kubernetes.io/zone"];
      this.traffic = new TrafficSystem(this, scenario, {
        balancers: options.balancers,
        routerFactory: (nodeName, o) =>
          new KubeProxy(this, nodeName, { mode: kp.mode, minSyncPeriod: kp.minSyncPeriod, syncPeriod: kp.syncPeriod, balancerFor: o.balancerFor, directory: o.directory, zoneOf }),
      });
    }
  }

  /** Creates the scenario's namespaces, priority classes, nodes and workloads at time 0. */
  bootstrap(): void {
    for (const ns of ["default", "kube-system", "kube-node-lease"]) {
      this.store.create<"Namespace">({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns }, spec: {}, status: { phase: "Active" } });
    }
    for (const pool of this.scenario.nodePools) {
      this.pools.set(pool.name, { pool, next: 0 });
      this.addNodes(pool.name, pool.count);
    }
    // Cluster-scoped and policy objects first, so that pods are admitted against them.
    const order = ["Namespace", "PriorityClass", "ResourceQuota", "Node", "Service", "PodDisruptionBudget"];
    const rank = (m: Manifest): number => (order.includes(m.kind) ? order.indexOf(m.kind) : order.length);
    const manifests = [...this.scenario.manifests].sort((a, b) => rank(a) - rank(b));
    for (const m of manifests) this.apply(m);
    // Traffic starts at t = 0, its clients placed on the nodes that exist now.
    this.traffic?.start();
  }

  // --- operations ------------------------------------------------------------------------------

  addNodes(poolName: string, count: number): string[] {
    const entry = this.pools.get(poolName);
    if (!entry) throw new Error(`unknown node pool ${poolName}`);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const index = entry.next++;
      const name = `${poolName}-${index}`;
      const zones = entry.pool.zones ?? [];
      const labels: Record<string, string> = {
        [POOL_LABEL]: poolName,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        ...(entry.pool.template.labels ?? {}),
      };
      if (zones.length > 0) labels["topology.kubernetes.io/zone"] = zones[index % zones.length];
      if (entry.pool.region) labels["topology.kubernetes.io/region"] = entry.pool.region;
      const t = entry.pool.template;
      this.createNode({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels, ...(t.annotations ? { annotations: t.annotations } : {}) },
        spec: { ...(t.unschedulable ? { unschedulable: true } : {}), ...(t.taints ? { taints: t.taints.map((x) => ({ ...x })) } : {}) },
        status: { allocatable: t.allocatable, capacity: t.capacity ?? t.allocatable, conditions: [] },
      });
      names.push(name);
    }
    return names;
  }

  /** Registers a node (as its kubelet would) and starts its kubelet. */
  private createNode(node: Omit<Node, "metadata"> & { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } }): void {
    const now = this.engine.now;
    const index = this.nodeCount++;
    const registered = {
      ...node,
      spec: { podCIDR: `10.${244 + (index >> 8)}.${index & 255}.0/24`, ...node.spec },
      status: {
        ...node.status,
        capacity: node.status.capacity ?? node.status.allocatable,
        conditions: [{ type: "Ready" as const, status: "True" as const, reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    };
    const result = this.store.create<"Node">(registered);
    if (!result.ok) throw new Error(result.error.message);
    const kubelet = new Kubelet(this, node.metadata.name, this.scenario.components.kubelet, index);
    this.kubelets.set(node.metadata.name, kubelet);
    kubelet.start();
    this.traffic?.addNode(node.metadata.name);
  }

  /**
   * A control-plane failure for `duration` µs: the API server refuses writes and holds watch
   * events; the scheduler's or controller-manager's leader replica dies (and restarts afterwards).
   */
  failComponent(component: ControlPlaneComponent, duration: number): void {
    if (component === "apiServer") this.store.setUnavailable(this.engine.now + duration);
    else if (component === "scheduler") this.schedulerElection.kill(duration);
    else this.controllerManagerElection.kill(duration);
  }

  failNode(name: string): void {
    this.workloads.markFailure(this.engine.now);
    this.kubelets.get(name)?.fail();
    this.traffic?.failNode(name);
  }

  recoverNode(name: string): void {
    this.kubelets.get(name)?.start();
    this.traffic?.recoverNode(name);
  }

  removeNode(name: string): void {
    this.kubelets.get(name)?.fail();
    this.traffic?.removeNode(name);
    this.kubelets.delete(name);
    this.store.delete("Node", name);
  }

  cordon(name: string, unschedulable = true): void {
    this.store.modify("Node", name, (n) => (!!n.spec.unschedulable === unschedulable ? undefined : { ...n, spec: { ...n.spec, unschedulable } }));
  }

  /**
   * kubectl drain: cordon, then evict every pod on the node except DaemonSet pods through the
   * Eviction API, retrying refused evictions every 5 s (kubectl's default) until they succeed.
   * The drain's duration runs until the last pod is evicted.
   */
  drain(name: string): void {
    this.cordon(name);
    const started = this.engine.now;
    const pods = this.store.list("Pod").filter((p) => p.spec.nodeName === name && !isDaemonSetPod(p) && p.metadata.deletionTimestamp === undefined);
    let remaining = pods.length;
    const done = (): void => {
      if (--remaining === 0) this.stats.set(`drain.${name}.durationSeconds`, (this.engine.now - started) / 1_000_000);
    };
    if (remaining === 0) this.stats.set(`drain.${name}.durationSeconds`, 0);
    for (const pod of pods) this.evict(pod, name, done);
  }

  private evict(pod: Pod, node: string, done: () => void): void {
    const key = objectKey(pod.metadata);
    const result = evictPod(this.store, pod);
    if (result.ok) {
      this.stats.inc("drain.evictions");
      this.events.record(pod, "Normal", "EvictedByDrain", `Evicted pod ${key} from ${node} (kubectl drain)`, "kubectl", node);
      done();
      return;
    }
    if (result.error.reason === "NotFound") {
      done();
      return;
    }
    this.stats.inc("drain.evictionRetries");
    this.events.record(pod, "Warning", "EvictionBlocked", result.error.message, "kubectl", node);
    this.engine.after(5_000_000, () => this.evict(pod, node, done));
  }

  scale(target: string, replicas: number): void {
    const { kind, key } = parseTarget(target);
    if (kind === "Deployment" || kind === "ReplicaSet") {
      this.store.modify(kind, key, (o: Deployment | ReplicaSet) => ({ ...o, spec: { ...o.spec, replicas } }) as typeof o);
    }
  }

  rollout(target: string, patch: RolloutPatch): void {
    const { kind, key } = parseTarget(target);
    if (kind !== "Deployment") return;
    this.store.modify("Deployment", key, (d) => {
      const t = d.spec.template;
      const metadata = {
        ...(t.metadata ?? {}),
        labels: { ...(t.metadata?.labels ?? {}), ...(patch.labels ?? {}) },
        annotations: { ...(t.metadata?.annotations ?? {}), ...(patch.annotations ?? {}) },
      };
      const containers = t.spec.containers.map((c) => ({
        ...c,
        ...(patch.image !== undefined ? { image: patch.image } : {}),
        ...(patch.resources ? { resources: { ...(c.resources ?? {}), ...patch.resources } } : {}),
      }));
      return { ...d, spec: { ...d.spec, template: { metadata, spec: { ...t.spec, containers } } } };
    });
  }

  /** Creates the object, or replaces the spec of an existing one (kubectl apply, simplified). */
  apply(manifest: Manifest): void {
    if (manifest.kind === "Node") {
      const m = manifest;
      this.createNode({ ...m, metadata: { name: m.metadata.name!, labels: m.metadata.labels, annotations: m.metadata.annotations } });
      return;
    }
    const created = this.store.create(manifest as never);
    if (created.ok) return;
    if (created.error.reason !== "AlreadyExists") {
      this.events.record({ kind: manifest.kind, metadata: { name: manifest.metadata.name ?? "", namespace: manifest.metadata.namespace } }, "Warning", "FailedApply", created.error.message, TIMELINE_SOURCE);
      return;
    }
    const key = objectKey({ name: manifest.metadata.name!, namespace: manifest.metadata.namespace ?? "default" });
    const current = this.store.get(manifest.kind, key) as KubeObject | undefined;
    if (!current || !("spec" in manifest)) return;
    this.store.update({ ...current, spec: (manifest as { spec: unknown }).spec } as KubeObject);
  }

  /** Deletes an object and, like the garbage collector's background propagation, its dependents. */
  deleteObject(target: string): void {
    const { kind, key } = parseTarget(target);
    const obj = this.store.get(kind, key);
    if (!obj) return;
    this.store.delete(kind, key);
    this.deleteDependents(obj.metadata.uid);
  }

  private deleteDependents(ownerUid: string): void {
    for (const kind of ["ReplicaSet", "Pod"] as const) {
      for (const o of this.store.list(kind)) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === ownerUid)) {
          this.store.delete(kind, objectKey(o.metadata));
          this.deleteDependents(o.metadata.uid);
        }
      }
    }
  }

  /** PodGC: force-deletes pods bound to nodes that no longer exist. */
  private podGC(): void {
    const now = this.engine.now;
    for (const node of this.informers.pods.boundNodeNames()) {
      if (this.informers.nodes.get(node)) continue;
      for (const pod of this.informers.pods.onNode(node)) {
      if (now - (pod.metadata.deletionTimestamp ?? pod.metadata.creationTimestamp) < POD_GC_QUARANTINE) continue;
      this.store.delete("Pod", objectKey(pod.metadata), { gracePeriodSeconds: 0, uid: pod.metadata.uid });
      }
    }
    this.engine.after(POD_GC_PERIOD, () => this.podGC(), Priority.Late);
  }
}

const isDaemonSetPod = (p: Pod): boolean => p.metadata.ownerReferences?.some((r) => r.controller && r.kind === "DaemonSet") ?? false;

/** "Kind/namespace/name" or "Kind/name" (namespace "default" for namespaced kinds). */
export function parseTarget(target: string): { kind: "Deployment" | "ReplicaSet" | "Pod" | "Service" | "Job" | "DaemonSet" | "Node"; key: string } {
  const parts = target.split("/");
  const kind = parts[0] as ReturnType<typeof parseTarget>["kind"];
  if (kind === "Node") return { kind, key: parts[1] };
  if (parts.length === 2) return { kind, key: `default/${parts[1]}` };
  return { kind, key: `${parts[1]}/${parts[2]}` };
}

export type { Taint };
