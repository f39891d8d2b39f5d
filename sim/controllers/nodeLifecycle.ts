/**
 * The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go).
 *
 * Every nodeMonitorPeriod (5 s) it checks each node's last heartbeat — the later of a node-status
 * heartbeat and a Lease renewal, timed by when this controller observed it. A node silent for more
 * than nodeMonitorGracePeriod (50 s) gets Ready=Unknown ("Kubelet stopped posting node status."),
 * its pods are marked not ready, and it is tainted:
 *  - at once with node.kubernetes.io/unreachable:NoSchedule (not-ready:NoSchedule for Ready=False),
 *    as the condition-to-taint pass does, so the scheduler stops using it;
 *  - through a per-zone rate-limited queue with node.kubernetes.io/unreachable:NoExecute
 *    (not-ready:NoExecute), which the taint-eviction controller acts on.
 * Cordoned nodes get node.kubernetes.io/unschedulable:NoSchedule.
 *
 * Zone states and rates follow handleDisruption / ReducedQPSFunc: Normal → nodeEvictionRate
 * (0.1/s); PartialDisruption (more than 2 not-ready nodes and ≥ 55 % of the zone) → the secondary
 * rate (0.01/s) if the zone has more than largeClusterSizeThreshold (50) nodes, else 0;
 * FullDisruption → nodeEvictionRate; when every zone is fully disrupted, no node is tainted for
 * eviction and existing NoExecute taints are removed. Tokens: a bucket of size 1 per zone, drained
 * every 100 ms (nodeEvictionPeriod).
 */
import type { Node, NodeCondition, Taint } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from "../admission/admission.js";
import { Priority } from "../engine/engine.js";
import type { NodeLifecycleSettings } from "../scenario/types.js";
import type { SharedInformers } from "./informers.js";

export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
const NODE_EVICTION_PERIOD = 100_000;
const ZONE_LABEL = "topology.kubernetes.io/zone";
const REGION_LABEL = "topology.kubernetes.io/region";

type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";

/** The taints the NoExecute (eviction) pass manages, and an empty wanted set. */
const EVICTION_TAINTS: readonly string[] = [TAINT_UNREACHABLE, TAINT_NOT_READY];
const NO_TAINTS: ReadonlySet<string> = new Set();

interface Health {
  probeTimestamp: number;
  heartbeat?: number;
  leaseRenew?: number;
}

interface ZoneTainter {
  queue: string[];
  queued: Set<string>;
  rate: number;
  tokens: number;
  lastRefill: number;
}

export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  return `${l[REGION_LABEL] ?? ""}:\u0000:${l[ZONE_LABEL] ?? ""}`;
}

export function readyStatus(node: Node): "True" | "False" | "Unknown" {
  return node.status.conditions.find((c) => c.type === "Ready")?.status ?? "Unknown";
}

export function computeZoneState(ready: number, notReady: number, threshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (ready + notReady) >= threshold) return "PartialDisruption";
  return "Normal";
}

export class NodeLifecycleController {
  private readonly health = new Map<string, Health>();
  private readonly zones = new Map<string, ZoneTainter>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private active = true;

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, private readonly settings: NodeLifecycleSettings) {}

  setActive(active: boolean): void {
    this.active = active;
  }

  start(): void {
    const { engine } = this.ctx;
    this.informers.leases.on((e) => {
      if (e.type === "DELETED" || e.object.metadata.namespace !== "kube-node-lease") return;
      const h = this.healthOf(e.object.metadata.name);
      const renew = e.object.spec.renewTime;
      if (renew !== undefined && renew !== h.leaseRenew) {
        h.leaseRenew = renew;
        h.probeTimestamp = engine.now;
      }
    });
    this.informers.nodes.on((e) => {
      const name = e.object.metadata.name;
      if (e.type === "DELETED") {
        this.health.delete(name);
        return;
      }
      const h = this.healthOf(name);
      const beat = e.object.status.conditions.find((c) => c.type === "Ready")?.lastHeartbeatTime;
      if (beat !== undefined && beat !== h.heartbeat) {
        h.heartbeat = beat;
        h.probeTimestamp = engine.now;
      }
      if (this.active) this.reconcileNoScheduleTaints(e.object);
    });
    const monitor = (): void => {
      if (this.active) this.monitorNodeHealth();
      engine.after(this.settings.nodeMonitorPeriod, monitor, Priority.Late);
    };
    engine.after(this.settings.nodeMonitorPeriod, monitor, Priority.Late);
    const evict = (): void => {
      if (this.active) this.processTainters();
      engine.after(NODE_EVICTION_PERIOD, evict);
    };
    engine.after(NODE_EVICTION_PERIOD, evict);
  }

  private healthOf(name: string): Health {
    let h = this.health.get(name);
    if (!h) this.health.set(name, (h = { probeTimestamp: this.ctx.engine.now }));
    return h;
  }

  private monitorNodeHealth(): void {
    const { engine } = this.ctx;
    const now = engine.now;
    const zoneCounts = new Map<string, { ready: number; notReady: number }>();
    for (const node of [...this.informers.nodes.objects.values()]) {
      const name = node.metadata.name;
      const h = this.healthOf(name);
      let status = readyStatus(node);
      const everReady = node.status.conditions.some((c) => c.type === "Ready");
      const grace = everReady ? this.settings.nodeMonitorGracePeriod : this.settings.nodeStartupGracePeriod;
      if (now > h.probeTimestamp + grace && status !== "Unknown") {
        this.markUnknown(node);
        status = "Unknown";
      }
      const z = zoneKey(node);
      const c = zoneCounts.get(z) ?? { ready: 0, notReady: 0 };
      if (status === "True") c.ready++;
      else c.notReady++;
      zoneCounts.set(z, c);
      this.processTaintBaseEviction(node, status, z);
    }
    this.handleDisruption(zoneCounts);
  }

  private markUnknown(node: Node): void {
    const { store, engine, events } = this.ctx;
    const now = engine.now;
    const result = store.modify("Node", node.metadata.name, (cur) => {
      const types: NodeCondition["type"][] = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];
      const conditions = cur.status.conditions.filter((c) => !types.includes(c.type));
      for (const type of types) {
        const old = cur.status.conditions.find((c) => c.type === type);
        conditions.push({
          type,
          status: "Unknown",
          reason: "NodeStatusUnknown",
          message: "Kubelet stopped posting node status.",
          lastHeartbeatTime: old?.lastHeartbeatTime,
          lastTransitionTime: now,
        });
      }
      return { ...cur, status: { ...cur.status, conditions } };
    });
    if (!result.ok) return;
    events.record(node, "Normal", "NodeNotReady", `Node ${node.metadata.name} status is now: NodeNotReady`, "node-controller", node.metadata.name);
    this.markPodsNotReady(node.metadata.name);
    this.reconcileNoScheduleTaints(result.object);
  }

  /** MarkPodsNotReady (pkg/controller/util/node/controller_utils.go): Ready=False on the node's pods. */
  private markPodsNotReady(nodeName: string): void {
    const { store, engine } = this.ctx;
    for (const pod of this.informers.pods.onNode(nodeName)) {
      if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") continue;
      store.modify("Pod", `${pod.metadata.namespace}/${pod.metadata.name}`, (cur) => {
        if (cur.metadata.uid !== pod.metadata.uid) return undefined;
        const ready = cur.status.conditions?.find((c) => c.type === "Ready");
        if (!ready || ready.status === "False") return undefined;
        const conditions = cur.status.conditions!.map((c) =>
          c.type === "Ready" ? { ...c, status: "False" as const, reason: "NodeNotReady", lastTransitionTime: engine.now } : c,
        );
        return { ...cur, status: { ...cur.status, conditions } };
      });
    }
  }

  /** Condition and cordon → NoSchedule taints (doNoScheduleTaintingPass). */
  private reconcileNoScheduleTaints(node: Node): void {
    const status = readyStatus(node);
    const want = new Set<string>();
    if (status === "Unknown" && node.status.conditions.some((c) => c.type === "Ready")) want.add(TAINT_UNREACHABLE);
    if (status === "False") want.add(TAINT_NOT_READY);
    if (node.spec.unschedulable) want.add(TAINT_UNSCHEDULABLE);
    const managed = [TAINT_UNREACHABLE, TAINT_NOT_READY, TAINT_UNSCHEDULABLE];
    this.setTaints(node.metadata.name, "NoSchedule", managed, want);
  }

  /** Queues not-ready/unreachable nodes for NoExecute tainting; untaints ready ones. */
  private processTaintBaseEviction(node: Node, status: "True" | "False" | "Unknown", zone: string): void {
    const name = node.metadata.name;
    const tainter = this.tainter(zone);
    if (status === "True") {
      if (tainter.queued.has(name)) {
        tainter.queued.delete(name);
        tainter.queue = tainter.queue.filter((n) => n !== name);
      }
      this.setTaints(name, "NoExecute", EVICTION_TAINTS, NO_TAINTS);
      return;
    }
    const wantKey = status === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const has = node.spec.taints?.some((t) => t.effect === "NoExecute" && t.key === wantKey);
    const hasOther = node.spec.taints?.some((t) => t.effect === "NoExecute" && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE) && t.key !== wantKey);
    if (hasOther) {
      // Swap not-ready ↔ unreachable at once (SwapNodeControllerTaint).
      this.setTaints(name, "NoExecute", [TAINT_UNREACHABLE, TAINT_NOT_READY], new Set([wantKey]));
      return;
    }
    if (!has && !tainter.queued.has(name)) {
      tainter.queued.add(name);
      tainter.queue.push(name);
    }
  }

  private tainter(zone: string): ZoneTainter {
    let t = this.zones.get(zone);
    if (!t) {
      t = { queue: [], queued: new Set(), rate: this.settings.nodeEvictionRate, tokens: 1, lastRefill: this.ctx.engine.now };
      this.zones.set(zone, t);
    }
    return t;
  }

  private processTainters(): void {
    const now = this.ctx.engine.now;
    for (const t of this.zones.values()) {
      if (t.rate > 0) t.tokens = Math.min(1, t.tokens + ((now - t.lastRefill) / 1_000_000) * t.rate);
      t.lastRefill = now;
      while (t.queue.length > 0 && t.rate > 0 && t.tokens >= 1) {
        const name = t.queue.shift()!;
        t.queued.delete(name);
        const node = this.informers.nodes.get(name);
        if (!node) continue;
        const status = readyStatus(node);
        if (status === "True") continue;
        t.tokens -= 1;
        this.setTaints(name, "NoExecute", [TAINT_UNREACHABLE, TAINT_NOT_READY], new Set([status === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE]));
      }
    }
  }

  private handleDisruption(counts: Map<string, { ready: number; notReady: number }>): void {
    const s = this.settings;
    let allFull = counts.size > 0;
    const states = new Map<string, ZoneState>();
    for (const [zone, c] of counts) {
      const state = computeZoneState(c.ready, c.notReady, s.unhealthyZoneThreshold);
      states.set(zone, state);
      if (state !== "FullDisruption") allFull = false;
    }
    for (const [zone, state] of states) {
      const size = counts.get(zone)!.ready + counts.get(zone)!.notReady;
      const tainter = this.tainter(zone);
      let rate: number;
      if (allFull) rate = 0;
      else if (state === "PartialDisruption") rate = size > s.largeClusterSizeThreshold ? s.secondaryNodeEvictionRate : 0;
      else rate = s.nodeEvictionRate;
      tainter.rate = rate;
      if (this.zoneStates.get(zone) !== state) {
        this.ctx.stats.inc(`nodeLifecycle.zoneStateChanges`);
        this.zoneStates.set(zone, state);
      }
    }
    if (allFull) {
      // Every zone is down: the controller assumes a control-plane network problem and evicts nothing.
      for (const node of this.informers.nodes.objects.values()) {
        if (node.spec.taints?.some((t) => t.effect === "NoExecute" && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY))) {
          this.setTaints(node.metadata.name, "NoExecute", [TAINT_UNREACHABLE, TAINT_NOT_READY], new Set());
        }
      }
    }
  }

  /** Makes the node's taints with `effect` among `managed` keys exactly `want`. */
  private setTaints(name: string, effect: Taint["effect"], managed: readonly string[], want: ReadonlySet<string>): void {
    const { store, engine } = this.ctx;
    store.modify("Node", name, (cur) => {
      const taints = cur.spec.taints ?? [];
      // Every monitor pass untaints every ready node: most often there is nothing to untaint.
      if (want.size === 0 && !taints.some((t) => t.effect === effect && managed.includes(t.key))) return undefined;
      const keep = taints.filter((t) => !(t.effect === effect && managed.includes(t.key)) || want.has(t.key));
      const present = new Set(keep.filter((t) => t.effect === effect).map((t) => t.key));
      const add: Taint[] = [...want].filter((k) => !present.has(k)).map((key) => ({ key, effect, timeAdded: engine.now }));
      if (add.length === 0 && keep.length === taints.length) return undefined;
      return { ...cur, spec: { ...cur.spec, taints: [...keep, ...add] } };
    });
  }
}
