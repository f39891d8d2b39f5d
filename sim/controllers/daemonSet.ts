/**
 * The DaemonSet controller (pkg/controller/daemon/daemon_controller.go, update.go,
 * util/daemonset_util.go): one pod per eligible node.
 *
 * Eligibility (NodeShouldRunDaemonPod) gives two answers per node:
 *  - shouldRun: the template's nodeName (if any) is the node, the node matches the template's
 *    nodeSelector and required node affinity, and the pod — with the tolerations every daemon pod
 *    gets (see {@link DAEMON_POD_TOLERATIONS}) — tolerates all its NoSchedule and NoExecute taints;
 *  - shouldContinueRunning: the same, except that only NoExecute taints count. A node that gained
 *    an untolerated NoSchedule taint keeps its pod (it is "misscheduled") but gets no new one.
 * Node readiness itself is not consulted: only the taints the node lifecycle controller sets.
 *
 * A sync (syncDaemonSet) — skipped while earlier creates/deletes are still unobserved
 * (expectations), in which case only status is written:
 *  - manage: creates a pod for every node that should run one and has none, deletes the pods of
 *    nodes that should not keep one, failed pods (with a per-node back-off of 1 s doubling to
 *    15 min: kube-controller-manager's flowcontrol.NewBackOff(1s, 15min)), succeeded pods, and
 *    all but the oldest pod of a node (when surge is off); creates go in slow-start batches, at
 *    most BurstReplicas (250) creates and deletes per sync;
 *  - then, if manage had nothing to do and the strategy is RollingUpdate, rollingUpdate:
 *    maxUnavailable and maxSurge are scaled against desiredNumberScheduled, percentages rounded
 *    up (util.UnavailableCount / SurgeCount); both 0 → maxUnavailable 1.
 *      · no surge: every node with an old pod that is not available loses it at once; available
 *        old pods are deleted only while (nodes without an available up-to-date pod) <
 *        maxUnavailable. A node whose old pod is terminating counts as unavailable, and manage
 *        creates the replacement only once the old pod is gone.
 *      · surge: a node whose old pod is unavailable gets a new pod at once; otherwise up to
 *        maxSurge nodes get a new pod next to the old one, and an old pod is deleted when the new
 *        pod of its node is available.
 *  - OnDelete: nothing is replaced; pods deleted by someone else come back from the new template.
 * Pods are created for the scheduler (not bound): their required node affinity is replaced by a
 * single term `matchFields metadata.name In [node]` (ReplaceDaemonSetPodNodeNameNodeAffinity), and
 * they carry the template's hash in the `controller-revision-hash` label.
 * Pods of a deleted node are left to pod GC; unscheduled pods aimed at a node that no longer exists
 * are deleted here (getUnscheduledPodsWithoutNode).
 * Status (updateDaemonSetStatus) counts, per node, the oldest pod (scheduled first): desired,
 * current, ready, available (minReadySeconds), updated (hash matches), misscheduled (a pod where
 * none should run); it is written only when something changed.
 *
 * simk: ControllerRevision objects are not modelled — the template hash alone identifies the
 * revision, pods are not adopted or orphaned, and nodes are visited in name order (upstream walks
 * a Go map, in random order).
 */
import type { Affinity, DaemonSet, DaemonSetStatus, IntOrString, Node, Pod, PodSpec, Toleration } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { firstUntoleratedTaint, matchesNodeSelectorTerm } from "../cluster/selectors.js";
import type { ControllerSettings } from "../scenario/types.js";
import { podTemplateHash, scaledValue } from "./deployment.js";
import type { SharedInformers } from "./informers.js";
import { isPodAvailable, isPodReady, isPodTerminal, slowStartBatch } from "./replicaSet.js";
import { WorkQueue } from "./workqueue.js";
import { jsonEqual } from "../api/json.js";

/** apps/v1 DefaultDaemonSetUniqueLabelKey = ControllerRevisionHashLabelKey. */
export const DAEMONSET_HASH_LABEL = "controller-revision-hash";
/** daemon_controller.go: BurstReplicas = 250. */
const BURST_REPLICAS = 250;
/** controller_utils.go: ExpectationsTimeout = 5 min. */
const EXPECTATIONS_TIMEOUT = 300_000_000;
/** kube-controller-manager (apps.go): failedPodsBackoff = flowcontrol.NewBackOff(1s, 15min). */
const FAILED_POD_BACKOFF_INITIAL = 1_000_000;
const FAILED_POD_BACKOFF_MAX = 900_000_000;
/** simk: retry delay after a failed API call (upstream: the work queue's rate limiter). */
const RETRY_DELAY = 1_000_000;
const SOURCE = "daemonset-controller";

/**
 * The tolerations AddOrUpdateDaemonPodTolerations gives every daemon pod (util/daemonset_util.go):
 * not-ready and unreachable NoExecute without tolerationSeconds (never evicted), and the
 * condition taints NoSchedule; network-unavailable only for hostNetwork pods.
 */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = Object.freeze([
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
] satisfies Toleration[]);
const NETWORK_UNAVAILABLE_TOLERATION: Toleration = { key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" };

/** The DaemonSet status with the fields simk's DaemonSetStatus type leaves out. */
export interface DaemonSetStatusFull extends DaemonSetStatus {
  updatedNumberScheduled?: number;
  numberUnavailable?: number;
  observedGeneration?: number;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests)

/** Same key, operator, value and effect (core/v1 Toleration.MatchToleration). */
const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? "") === (b.key ?? "") && (a.operator ?? "") === (b.operator ?? "") && (a.value ?? "") === (b.value ?? "") && (a.effect ?? "") === (b.effect ?? "");

const tolerationsMemo = new WeakMap<PodSpec, PodSpec>();

/**
 * AddOrUpdateDaemonPodTolerations: each daemon toleration replaces a matching one (same key,
 * operator, value, effect — e.g. one with tolerationSeconds) or is appended. Memoised per spec.
 */
export function withDaemonPodTolerations(spec: PodSpec): PodSpec {
  const memo = tolerationsMemo.get(spec);
  if (memo) return memo;
  const tolerations = [...(spec.tolerations ?? [])];
  const wanted = (spec as PodSpec & { hostNetwork?: boolean }).hostNetwork ? [...DAEMON_POD_TOLERATIONS, NETWORK_UNAVAILABLE_TOLERATION] : DAEMON_POD_TOLERATIONS;
  for (const t of wanted) {
    const i = tolerations.findIndex((old) => sameToleration(old, t));
    if (i < 0) tolerations.push({ ...t });
    else if (tolerations[i].tolerationSeconds !== undefined) tolerations[i] = { ...t };
  }
  const out = { ...spec, tolerations };
  tolerationsMemo.set(spec, out);
  return out;
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector AND any required term. */
export function matchesRequiredNodeAffinity(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((term) => matchesNodeSelectorTerm(term, labels, node.metadata.name));
}

export interface ShouldRun {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

const NEITHER: ShouldRun = Object.freeze({ shouldRun: false, shouldContinueRunning: false });
const BOTH: ShouldRun = Object.freeze({ shouldRun: true, shouldContinueRunning: true });

/** NodeShouldRunDaemonPod (daemon_controller.go). */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const spec = ds.spec.template.spec;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return NEITHER;
  if (!matchesRequiredNodeAffinity(spec, node)) return NEITHER;
  const tolerations = withDaemonPodTolerations(spec).tolerations;
  const taints = node.spec.taints;
  if (!firstUntoleratedTaint(taints, tolerations, ["NoSchedule", "NoExecute"])) return BOTH;
  return { shouldRun: false, shouldContinueRunning: !firstUntoleratedTaint(taints, tolerations, ["NoExecute"]) };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one matchFields term. */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In" as const, values: [nodeName] }] }] };
  return { ...(affinity ?? {}), nodeAffinity: { ...(affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** GetTargetNodeName: spec.nodeName, else the single metadata.name In value of the required terms. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === "metadata.name" && f.operator === "In") return f.values?.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}

/** The update strategy with the API defaults (apps/v1 SetDefaults_DaemonSet: maxUnavailable 1, maxSurge 0). */
function rollingUpdateParams(ds: DaemonSet): { maxUnavailable: IntOrString; maxSurge: IntOrString } | undefined {
  const s = ds.spec.updateStrategy;
  if (s && s.type !== "RollingUpdate") return undefined;
  return { maxUnavailable: s?.rollingUpdate?.maxUnavailable ?? 1, maxSurge: s?.rollingUpdate?.maxSurge ?? 0 };
}

/** util.SurgeCount: maxSurge of `n`, percentages rounded up; 0 unless RollingUpdate. */
export function surgeCount(ds: DaemonSet, n: number): number {
  const r = rollingUpdateParams(ds);
  return r ? scaledValue(r.maxSurge, n, true) : 0;
}

/** util.UnavailableCount: maxUnavailable of `n`, percentages rounded up; 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, n: number): number {
  const r = rollingUpdateParams(ds);
  return r ? scaledValue(r.maxUnavailable, n, true) : 0;
}

const allowsSurge = (ds: DaemonSet): boolean => surgeCount(ds, 1) > 0;
const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata.labels?.[DAEMONSET_HASH_LABEL] === hash;

/** podByCreationTimestampAndPhase: scheduled pods first, then older first, then by name. */
function byCreation(a: Pod, b: Pod): number {
  const sa = a.spec.nodeName ? 0 : 1;
  const sb = b.spec.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  if (a.metadata.creationTimestamp !== b.metadata.creationTimestamp) return a.metadata.creationTimestamp - b.metadata.creationTimestamp;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** findUpdatedPodsOnNode: the node's non-deleted new and old pod; ok=false if either repeats. */
function findUpdatedPodsOnNode(pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    if (isUpdated(pod, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

// ---------------------------------------------------------------------------------------------

interface Expectations {
  adds: number;
  dels: number;
  timestamp: number;
}

/** client-go flowcontrol.Backoff without jitter: per key, doubling up to a maximum. */
class Backoff {
  private readonly entries = new Map<string, { backoff: number; lastUpdate: number }>();

  constructor(private readonly initial: number, private readonly max: number) {}

  /** IsInBackOffSinceUpdate. */
  inBackoff(key: string, now: number): boolean {
    const e = this.entries.get(key);
    return e !== undefined && now - e.lastUpdate < e.backoff;
  }

  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Next: start at the initial delay (or again after 2 × max idle), else double up to max. */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.max) this.entries.set(key, { backoff: this.initial, lastUpdate: now });
    else this.entries.set(key, { backoff: Math.min(e.backoff * 2, this.max), lastUpdate: now });
  }

  /** GC: forget entries idle for more than 2 × max. */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.max) this.entries.delete(k);
  }
}

type NodeToPods = Map<string, Pod[]>;

export class DaemonSetController {
  private readonly queue: WorkQueue;
  private readonly expectations = new Map<string, Expectations>();
  private readonly failedPodsBackoff = new Backoff(FAILED_POD_BACKOFF_INITIAL, FAILED_POD_BACKOFF_MAX);
  /** Per DaemonSet uid: the template hash and the per-node pod specs built for it (shared by pods). */
  private readonly specs = new Map<string, { hash: string; template: DaemonSet["spec"]["template"]; byNode: Map<string, PodSpec> }>();

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, settings: ControllerSettings) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.daemonSets.on((e) => {
      const key = e.key;
      if (e.type === "DELETED") {
        this.expectations.delete(key);
        this.specs.delete(e.object.metadata.uid);
      }
      this.queue.add(key);
    });
    this.informers.pods.on((e) => {
      const pod = e.object;
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === "DaemonSet");
      if (!ref) return;
      const key = `${pod.metadata.namespace}/${ref.name}`;
      const ds = this.informers.daemonSets.get(key);
      if (!ds || ds.metadata.uid !== ref.uid) return;
      const exp = this.expectations.get(key);
      if (exp && e.type === "ADDED") exp.adds--;
      const startedDeleting = e.type === "MODIFIED" && pod.metadata.deletionTimestamp !== undefined && e.oldObject?.metadata.deletionTimestamp === undefined;
      if (exp && (startedDeleting || (e.type === "DELETED" && e.oldObject?.metadata.deletionTimestamp === undefined))) exp.dels--;
      this.queue.add(key);
      // updatePod: a pod that became ready is available minReadySeconds (+1 s) later.
      const minReady = ds.spec.minReadySeconds ?? 0;
      if (e.type === "MODIFIED" && minReady > 0 && isPodReady(pod) && !(e.oldObject && isPodReady(e.oldObject))) {
        this.queue.addAfter(key, (minReady + 1) * 1_000_000);
      }
    });
    this.informers.nodes.on((e) => {
      if (e.type === "DELETED") return; // upstream has no node delete handler: pod GC acts
      const node = e.object;
      const old = e.oldObject;
      if (e.type === "MODIFIED" && old) {
        // shouldIgnoreNodeUpdate: only label and taint changes matter.
        if (jsonEqual(old.metadata.labels ?? {}, node.metadata.labels ?? {}) && jsonEqual(old.spec.taints ?? [], node.spec.taints ?? [])) return;
      }
      for (const ds of this.informers.daemonSets.objects.values()) {
        const cur = nodeShouldRunDaemonPod(node, ds);
        if (e.type === "ADDED" || !old) {
          if (cur.shouldRun) this.queue.add(objectKey(ds.metadata));
          continue;
        }
        const prev = nodeShouldRunDaemonPod(old, ds);
        if (prev.shouldRun !== cur.shouldRun || prev.shouldContinueRunning !== cur.shouldContinueRunning) this.queue.add(objectKey(ds.metadata));
      }
    });
  }

  private satisfied(key: string): boolean {
    const exp = this.expectations.get(key);
    if (!exp) return true;
    if (exp.adds <= 0 && exp.dels <= 0) return true;
    return this.ctx.engine.now - exp.timestamp > EXPECTATIONS_TIMEOUT;
  }

  private sortedNodes(): Node[] {
    return [...this.informers.nodes.objects.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  /** getNodesToDaemonPods(includeDeletedTerminal = false): the DaemonSet's pods by target node. */
  private nodeToDaemonPods(ds: DaemonSet): NodeToPods {
    const out: NodeToPods = new Map();
    for (const pod of this.informers.pods.ownedBy(ds.metadata.uid)) {
      if (pod.metadata.namespace !== ds.metadata.namespace) continue;
      if (isPodTerminal(pod) && pod.metadata.deletionTimestamp !== undefined) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      const list = out.get(node);
      if (list) list.push(pod);
      else out.set(node, [pod]);
    }
    return out;
  }

  private sync(key: string): void {
    const ds = this.informers.daemonSets.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    // A DaemonSet being deleted is left alone, status included.
    if (ds.metadata.deletionTimestamp !== undefined) return;
    const sel = ds.spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.ctx.events.record(ds, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.", SOURCE);
      return;
    }
    this.failedPodsBackoff.gc(this.ctx.engine.now);
    const nodes = this.sortedNodes();
    const hash = podTemplateHash(ds.spec.template);
    if (!this.satisfied(key)) {
      // Only status; observedGeneration is not raised for a generation not acted on.
      this.updateStatus(ds, nodes, hash, false);
      return;
    }
    let ok = this.manage(ds, nodes, hash);
    if (ok && this.satisfied(key) && rollingUpdateParams(ds)) ok = this.rollingUpdate(ds, nodes, hash);
    this.updateStatus(ds, nodes, hash, true);
    if (!ok) this.queue.addAfter(key, RETRY_DELAY);
  }

  // --- manage ----------------------------------------------------------------------------------

  private manage(ds: DaemonSet, nodes: Node[], hash: string): boolean {
    const byNode = this.nodeToDaemonPods(ds);
    const create: string[] = [];
    const remove: Pod[] = [];
    for (const node of nodes) this.podsShouldBeOnNode(node, byNode, ds, hash, create, remove);
    // getUnscheduledPodsWithoutNode: pods never bound, aimed at a node that is gone.
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const [node, pods] of [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (names.has(node)) continue;
      for (const p of pods) if (!p.spec.nodeName) remove.push(p);
    }
    return this.syncNodes(ds, remove, create, hash);
  }

  /** podsShouldBeOnNode. */
  private podsShouldBeOnNode(node: Node, byNode: NodeToPods, ds: DaemonSet, hash: string, create: string[], remove: Pod[]): void {
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const name = node.metadata.name;
    const pods = byNode.get(name);
    if (shouldRun && !pods) {
      create.push(name);
      return;
    }
    if (shouldContinueRunning) {
      const running: Pod[] = [];
      const now = this.ctx.engine.now;
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp !== undefined) continue;
        if (pod.status.phase === "Failed") {
          // The kubelet may keep rejecting the pod: back off before deleting it again.
          const backoffKey = `${ds.metadata.uid}/${(ds.status as DaemonSetStatusFull).observedGeneration ?? 0}/${name}`;
          if (this.failedPodsBackoff.inBackoff(backoffKey, now)) {
            this.queue.addAfter(objectKey(ds.metadata), this.failedPodsBackoff.get(backoffKey));
            continue;
          }
          this.failedPodsBackoff.next(backoffKey, now);
          this.ctx.events.record(ds, "Warning", "FailedDaemonPod", `Found failed daemon pod ${objectKey(pod.metadata)} on node ${name}, will try to kill it`, SOURCE);
          remove.push(pod);
        } else if (pod.status.phase === "Succeeded") {
          this.ctx.events.record(ds, "Normal", "SucceededDaemonPod", `Found succeeded daemon pod ${objectKey(pod.metadata)} on node ${name}, will try to delete it`, SOURCE);
          remove.push(pod);
        } else {
          running.push(pod);
        }
      }
      if (!allowsSurge(ds)) {
        // Without surge, one pod per node: keep the oldest.
        if (running.length > 1) remove.push(...running.sort(byCreation).slice(1));
        return;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) create.push(name);
        return;
      }
      // With surge, two pods may share a node only while the oldest new one is not yet available
      // and the oldest old one is still ready.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running.sort(byCreation)) {
        if (isUpdated(pod, hash)) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        remove.push(pod);
      }
      if (oldestNew && oldestOld) {
        if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now)) remove.push(oldestOld);
      }
      return;
    }
    if (pods) for (const pod of pods) if (pod.metadata.deletionTimestamp === undefined) remove.push(pod);
  }

  /** syncNodes: set expectations, create (slow start) and delete, each capped at BurstReplicas. */
  private syncNodes(ds: DaemonSet, remove: Pod[], createOn: string[], hash: string): boolean {
    const key = objectKey(ds.metadata);
    const { store, events, engine } = this.ctx;
    const createDiff = Math.min(createOn.length, BURST_REPLICAS);
    const deleteDiff = Math.min(remove.length, BURST_REPLICAS);
    const exp: Expectations = { adds: createDiff, dels: deleteDiff, timestamp: engine.now };
    this.expectations.set(key, exp);
    let ok = true;
    let next = 0;
    let lastError = "";
    const successes = slowStartBatch(createDiff, 1, () => {
      const node = createOn[next++];
      const result = store.create<"Pod">(this.podFor(ds, hash, node));
      if (result.ok) {
        events.record(ds, "Normal", "SuccessfulCreate", `Created pod: ${result.object.metadata.name}`, SOURCE);
        return true;
      }
      lastError = result.error.message;
      return false;
    });
    if (successes < createDiff) {
      exp.adds -= createDiff - successes;
      events.record(ds, "Warning", "FailedCreate", `Error creating: ${lastError}`, SOURCE);
      ok = false;
    }
    for (const pod of remove.slice(0, deleteDiff)) {
      const result = store.delete("Pod", objectKey(pod.metadata), { uid: pod.metadata.uid });
      if (result.ok) {
        events.record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, SOURCE);
        continue;
      }
      exp.dels--;
      if (result.error.reason !== "NotFound") {
        events.record(ds, "Warning", "FailedDelete", `Error deleting: ${result.error.message}`, SOURCE);
        ok = false;
      }
    }
    return ok;
  }

  /** CreatePodTemplate + ReplaceDaemonSetPodNodeNameNodeAffinity; one spec object per node and hash. */
  private podFor(ds: DaemonSet, hash: string, node: string): Omit<Pod, "metadata"> & { metadata: { generateName: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string>; ownerReferences: Pod["metadata"]["ownerReferences"] } } {
    let cache = this.specs.get(ds.metadata.uid);
    if (!cache || cache.hash !== hash || cache.template !== ds.spec.template) {
      cache = { hash, template: ds.spec.template, byNode: new Map() };
      this.specs.set(ds.metadata.uid, cache);
    }
    let spec = cache.byNode.get(node);
    if (!spec) {
      const base = withDaemonPodTolerations(ds.spec.template.spec);
      spec = { ...base, affinity: replaceNodeNameAffinity(base.affinity, node) };
      cache.byNode.set(node, spec);
    }
    const t = ds.spec.template;
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash },
        ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
        ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: ds.metadata.name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
      status: { phase: "Pending" },
    };
  }

  // --- rolling update --------------------------------------------------------------------------

  /** update.go rollingUpdate. */
  private rollingUpdate(ds: DaemonSet, nodes: Node[], hash: string): boolean {
    const byNode = this.nodeToDaemonPods(ds);
    // updatedDesiredNodeCounts: desired nodes without pods join the map (as empty lists).
    let desired = 0;
    const nodeByName = new Map<string, Node>();
    for (const node of nodes) {
      nodeByName.set(node.metadata.name, node);
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      desired++;
      if (!byNode.has(node.metadata.name)) byNode.set(node.metadata.name, []);
    }
    const maxSurge = surgeCount(ds, desired);
    let maxUnavailable = unavailableCount(ds, desired);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    const now = this.ctx.engine.now;
    const minReady = ds.spec.minReadySeconds ?? 0;
    const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
    const entries = [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const shouldRunOn = (name: string): boolean => {
      const node = nodeByName.get(name);
      return node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
    };

    if (maxSurge === 0) {
      let numUnavailable = 0;
      const replacements: Pod[] = [];
      const candidates: Pod[] = [];
      for (const [, pods] of entries) {
        const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, hash);
        if (!ok) {
          numUnavailable++; // manage prunes the extra pods first
          continue;
        }
        if ((!oldPod && !newPod) || (oldPod && newPod)) {
          numUnavailable++;
        } else if (newPod) {
          if (!available(newPod)) numUnavailable++;
        } else if (oldPod) {
          if (!available(oldPod)) {
            replacements.push(oldPod);
            numUnavailable++;
          } else if (numUnavailable < maxUnavailable) {
            candidates.push(oldPod);
          }
        }
      }
      const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
      return this.syncNodes(ds, [...replacements, ...candidates.slice(0, remaining)], [], hash);
    }

    const toDelete: Pod[] = [];
    const shouldNotRunToDelete: Pod[] = [];
    const candidateNodes: string[] = [];
    const allowedNodes: string[] = [];
    let numSurge = 0;
    let numAvailable = 0;
    for (const [name, pods] of entries) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, hash);
      if (!ok) {
        numSurge++;
        continue;
      }
      if (oldPod) {
        if (available(oldPod)) numAvailable++;
      } else if (newPod && available(newPod)) {
        numAvailable++;
      }
      if (!oldPod) continue;
      if (!newPod) {
        if (!available(oldPod)) {
          if (!shouldRunOn(name)) toDelete.push(oldPod);
          else allowedNodes.push(name);
        } else if (!shouldRunOn(name)) {
          shouldNotRunToDelete.push(oldPod);
        } else if (numSurge < maxSurge) {
          candidateNodes.push(name);
        }
        continue;
      }
      if (!available(newPod)) {
        numSurge++;
        continue;
      }
      toDelete.push(oldPod);
    }
    // Pods on nodes that no longer qualify go only as others become available.
    const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRunToDelete.length);
    toDelete.push(...shouldNotRunToDelete.slice(0, deletable));
    const remainingSurge = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
    return this.syncNodes(ds, toDelete, [...allowedNodes, ...candidateNodes.slice(0, remainingSurge)], hash);
  }

  // --- status ----------------------------------------------------------------------------------

  /** updateDaemonSetStatus / storeDaemonSetStatus. */
  private updateStatus(ds: DaemonSet, nodes: Node[], hash: string, updateObservedGen: boolean): void {
    const byNode = this.nodeToDaemonPods(ds);
    const now = this.ctx.engine.now;
    const minReady = ds.spec.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    for (const node of nodes) {
      const pods = byNode.get(node.metadata.name) ?? [];
      const scheduled = pods.length > 0;
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) {
        desired++;
        if (!scheduled) continue;
        current++;
        const pod = [...pods].sort(byCreation)[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, minReady, now)) available++;
        }
        if (isUpdated(pod, hash)) updated++;
      } else if (scheduled) {
        misscheduled++;
      }
    }
    const s = ds.status as DaemonSetStatusFull;
    const status: DaemonSetStatusFull = {
      ...s,
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
      ...(updateObservedGen ? { observedGeneration: ds.metadata.generation } : {}),
    };
    const unchanged =
      s.desiredNumberScheduled === desired &&
      s.currentNumberScheduled === current &&
      s.numberMisscheduled === misscheduled &&
      s.numberReady === ready &&
      s.updatedNumberScheduled === updated &&
      s.numberAvailable === available &&
      s.numberUnavailable === desired - available &&
      // simk's store records every update, even a no-op one; the API server would not.
      (!updateObservedGen || s.observedGeneration === ds.metadata.generation);
    if (!unchanged) {
      this.ctx.store.modify("DaemonSet", objectKey(ds.metadata), (cur) => (cur.metadata.uid === ds.metadata.uid ? { ...cur, status } : undefined));
    }
    // A last resync once pods that are ready should have become available.
    if (minReady > 0 && ready !== available) this.queue.addAfter(objectKey(ds.metadata), minReady * 1_000_000);
  }
}
