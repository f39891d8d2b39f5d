/**
 * The EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go, with the
 * reconciler of staging/src/k8s.io/endpointslice: reconciler.go, utils.go, util/).
 *
 * For every Service with a selector it keeps discovery.k8s.io/v1 EndpointSlices (addressType IPv4,
 * generateName "<service>-", labels kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by, a controller ownerReference to the Service) listing the
 * selected pods that have an IP and are not terminal:
 *  - conditions: serving = pod Ready; terminating = deletionTimestamp set; ready = serving and not
 *    terminating (utils.go podToEndpoint);
 *  - nodeName, zone (the node's topology.kubernetes.io/zone) and targetRef; a pod whose node is not
 *    in the cache is left out and the Service retried with backoff;
 *  - ports: one per Service port, targetPort a number or the name of a container port (or of a
 *    sidecar's) with the same protocol (utils.go FindPort); a port that cannot be resolved is left
 *    out for that pod, and pods with different resolved ports go to different slices.
 * At most maxEndpointsPerSlice (100) endpoints per slice. Changes are minimal, as upstream's
 * reconcileByPortMapping: endpoints stay in their slice and are updated in place; only slices
 * whose endpoints (or Service labels) changed are written; new endpoints first fill slices that
 * are being written anyway, then the unchanged slice closest to full that can take them all, then
 * new slices; an emptied slice is deleted, or renamed into a slice that would otherwise be created.
 * A Service that selects nothing gets one empty placeholder slice.
 *
 * Timing: every sync takes the controller's syncLatency. Pod changes queue their Services after
 * EndpointUpdatesBatchPeriod (default 0), which batches all changes in that window into one sync;
 * Service changes queue at once. Pod updates only count if they can change endpoints (readiness,
 * IP, deletionTimestamp, labels: util/controller_utils.go podEndpointsChanged). Like upstream's
 * EndpointSliceTracker, the controller remembers the resource versions it wrote: a sync that would
 * act on a cache older than its own writes fails and is retried with the work queue's backoff
 * (1 s doubling to 1000 s), and a slice changed or deleted by someone else queues its Service after
 * max(1 s, batch period).
 *
 * simk: deleting a Service deletes its slices here (upstream the garbage collector does it through
 * the ownerReference). Only IPv4, no topology hints / trafficDistribution, no
 * publishNotReadyAddresses, no hostname; clusterIP is not allocated in simk, so only
 * clusterIP "None" counts as headless.
 */
import type { Endpoint, EndpointSlice, NewObject, Node, Pod, Service, ServicePort } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { matchesMapSelector } from "../cluster/selectors.js";
import type { ControllerSettings } from "../scenario/types.js";
import type { SharedInformers } from "./informers.js";
import { isPodReady, isPodTerminal } from "./replicaSet.js";
import { WorkQueue } from "./workqueue.js";

/** pkg/controller/endpointslice/config/v1alpha1/defaults.go: MaxEndpointsPerSlice = 100. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** Same file: EndpointUpdatesBatchPeriod = 0. */
export const ENDPOINT_UPDATES_BATCH_PERIOD = 0;
/** endpointslice_controller.go: endpointSliceChangeMinSyncDelay = 1 s. */
const ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY = 1_000_000;
/** endpointslice_controller.go: defaultSyncBackOff 1 s, maxSyncBackOff 1000 s. */
const DEFAULT_SYNC_BACKOFF = 1_000_000;
const MAX_SYNC_BACKOFF = 1_000_000_000;

export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
export const LABEL_HEADLESS = "service.kubernetes.io/headless";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
/** endpointslice_controller.go: controllerQualifiedName. */
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";

export type SlicePort = EndpointSlice["ports"][number];

export interface EndpointSliceOptions {
  /** Upstream --endpointslice-updates-batch-period (µs). */
  batchPeriod?: number;
  /** Upstream --max-endpoints-per-slice. */
  maxEndpointsPerSlice?: number;
}

// --- pure helpers ------------------------------------------------------------------------------

/** util ShouldPodBeInEndpoints (terminating pods included): not terminal and has an IP. */
export function shouldPodBeInEndpoints(pod: Pod): boolean {
  return !isPodTerminal(pod) && !!pod.status.podIP;
}

/** utils.go podToEndpoint. */
export function podToEndpoint(pod: Pod, node: Node | undefined): Endpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const ep: Endpoint = {
    addresses: pod.status.podIP ? [pod.status.podIP] : [],
    conditions: { ready: serving && !terminating, serving, terminating },
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  return ep;
}

/** utils.go FindPort: a numeric targetPort as is; a named one from the pod's container ports. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? "TCP";
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  }
  return undefined;
}

/** utils.go getEndpointPorts: the slice ports for one pod, in Service port order. */
export function endpointPorts(service: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of service.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" });
  }
  return out;
}

/** A set of ports as a key, independent of order (util NewPortMapKey). */
export function portMapKey(ports: readonly SlicePort[]): string {
  return ports
    .map((p) => `${p.name ?? ""}/${p.protocol ?? "TCP"}/${p.port}`)
    .sort()
    .join(",");
}

/** util/endpointset.go hashEndpoint: an endpoint's identity (addresses and target pod). */
export function endpointHash(ep: Endpoint): string {
  return `${[...ep.addresses].sort().join(",")}|${ep.targetRef?.namespace ?? ""}/${ep.targetRef?.name ?? ""}`;
}

/** util EndpointsEqualBeyondHash: the fields not in the hash. */
function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions.ready === b.conditions.ready &&
    a.conditions.serving === b.conditions.serving &&
    a.conditions.terminating === b.conditions.terminating &&
    a.targetRef?.kind === b.targetRef?.kind &&
    a.targetRef?.namespace === b.targetRef?.namespace &&
    a.targetRef?.name === b.targetRef?.name &&
    a.targetRef?.uid === b.targetRef?.uid
  );
}

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/**
 * utils.go setEndpointSliceLabels: the Service's labels (reserved keys skipped) plus the reserved
 * ones; `changed` only when the non-reserved labels differ from the slice's.
 */
export function sliceLabels(slice: { metadata: { labels?: Record<string, string> } } | undefined, service: Service): { labels: Record<string, string>; changed: boolean } {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) own[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  const changed = !sameRecord(own, labels);
  if (service.spec.clusterIP === "None") labels[LABEL_HEADLESS] = "";
  labels[LABEL_SERVICE_NAME] = service.metadata.name;
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return { labels, changed };
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true; // a pod's labels object is kept by every status write
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** utils.go ownedBy. */
export function sliceOwnedBy(slice: EndpointSlice, service: Service): boolean {
  return slice.metadata.ownerReferences?.some((o) => o.uid === service.metadata.uid && o.kind === "Service" && o.apiVersion === "v1") ?? false;
}

/** A slice being planned: `existing` is set when it will be an update of that stored slice. */
export interface SliceDraft {
  existing?: EndpointSlice;
  labels: Record<string, string>;
  ports: SlicePort[];
  endpoints: Endpoint[];
}

export interface SlicePlan {
  create: SliceDraft[];
  update: SliceDraft[];
  delete: EndpointSlice[];
}

/** Desired endpoints of one set of ports, in a stable order. */
export interface DesiredGroup {
  ports: SlicePort[];
  endpoints: Map<string, Endpoint>;
}

const sliceName = (s: EndpointSlice): string => s.metadata.name;
const byName = (a: EndpointSlice, b: EndpointSlice): number => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

function popFirst(m: Map<string, Endpoint>): Endpoint {
  const [k, v] = m.entries().next().value as [string, Endpoint];
  m.delete(k);
  return v;
}

/**
 * reconciler.go reconcileByAddressType + finalize's create→update conversion, for one Service's
 * IPv4 slices. Deterministic: existing slices are visited by name, desired endpoints in the order
 * given (where upstream takes them from a hash set).
 */
export function planSlices(service: Service, desired: Map<string, DesiredGroup>, existing: readonly EndpointSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const create: SliceDraft[] = [];
  const update: SliceDraft[] = [];
  let del: EndpointSlice[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort(byName)) {
    if (!sliceOwnedBy(s, service)) {
      del.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    const list = existingByPorts.get(k);
    if (list) list.push(s);
    else existingByPorts.set(k, [s]);
  }
  for (const [k, group] of desired) {
    const plan = planPortMapping(service, existingByPorts.get(k) ?? [], new Map(group.endpoints), group.ports, maxPerSlice);
    create.push(...plan.create);
    update.push(...plan.update);
    del.push(...plan.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) del.push(...slices);

  // A Service with no endpoints keeps one placeholder slice.
  if (existing.length === del.length && create.length === 0) {
    const placeholder: SliceDraft = { labels: sliceLabels(undefined, service).labels, ports: [], endpoints: [] };
    if (del.length === 1 && isPlaceholderFor(del[0], placeholder, service)) del = [];
    else create.push(placeholder);
  }

  // finalize: turn creates into updates of slices that would otherwise be deleted.
  for (let i = 0; i < del.length && create.length > 0; ) {
    const victim = del[i];
    if (victim.addressType === "IPv4" && sliceOwnedBy(victim, service)) {
      const draft = create.pop()!;
      update.push({ ...draft, existing: victim });
      del.splice(i, 1);
    } else i++;
  }
  return { create, update, delete: del };
}

function isPlaceholderFor(slice: EndpointSlice, placeholder: SliceDraft, service: Service): boolean {
  return (
    slice.endpoints.length === 0 &&
    slice.ports.length === 0 &&
    slice.addressType === "IPv4" &&
    sliceOwnedBy(slice, service) &&
    sameRecord(slice.metadata.labels ?? {}, placeholder.labels)
  );
}

/** reconciler.go reconcileByPortMapping. `desired` is consumed. */
function planPortMapping(service: Service, existing: readonly EndpointSlice[], desired: Map<string, Endpoint>, ports: SlicePort[], max: number): SlicePlan {
  const drafts = new Map<string, SliceDraft>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: EndpointSlice[] = [];
  const byNameMap = new Map<string, EndpointSlice>();
  // 1. Keep the endpoints still wanted, with their current conditions.
  for (const s of existing) {
    byNameMap.set(sliceName(s), s);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints) {
      const h = endpointHash(ep);
      const want = desired.get(h);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) changed = true;
      desired.delete(h);
    }
    const { labels, changed: labelsChanged } = sliceLabels(s, service);
    if (changed || kept.length !== s.endpoints.length) {
      if (kept.length === 0) toDelete.push(s);
      else {
        drafts.set(sliceName(s), { existing: s, labels, ports: s.ports, endpoints: kept });
        toUpdate.push(sliceName(s));
      }
    } else if (labelsChanged) {
      drafts.set(sliceName(s), { existing: s, labels, ports: s.ports, endpoints: [...s.endpoints] });
      toUpdate.push(sliceName(s));
    } else unchanged.push(sliceName(s));
  }
  // 2. Fill the slices being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.length > 0) {
    const order = toUpdate.map((n) => drafts.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const d of order) while (desired.size > 0 && d.endpoints.length < max) d.endpoints.push(popFirst(desired));
  }
  // 3. The rest: into the unchanged slice closest to full that takes them all, else new slices.
  const create: SliceDraft[] = [];
  while (desired.size > 0) {
    let fill: SliceDraft | undefined;
    if (desired.size < max && unchanged.length > 0) {
      const target = sliceToFill(unchanged.map((n) => byNameMap.get(n)!), desired.size, max);
      if (target) {
        fill = { existing: target, labels: sliceLabels(target, service).labels, ports: target.ports, endpoints: [...target.endpoints] };
        drafts.set(sliceName(target), fill);
        toUpdate.push(sliceName(target));
        unchanged.splice(unchanged.indexOf(sliceName(target)), 1);
      }
    }
    if (!fill) {
      fill = { labels: sliceLabels(undefined, service).labels, ports, endpoints: [] };
      create.push(fill);
    }
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(popFirst(desired));
  }
  return { create, update: toUpdate.map((n) => drafts.get(n)!), delete: toDelete };
}

/** utils.go getSliceToFill: the slice left fullest after adding n, if any can take all n. */
function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestDiff = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < bestDiff) {
      bestDiff = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}

// --- reading slices (kube-proxy and reports) ------------------------------------------------------

export interface SliceEndpoint {
  ip: string;
  nodeName?: string;
  zone?: string;
  podName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

const compareStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The slices of one Service, by the kubernetes.io/service-name label, sorted by name. */
export function slicesForService(slices: Iterable<EndpointSlice>, namespace: string, service: string): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const s of slices) if (s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === service) out.push(s);
  return out.sort(byName);
}

/**
 * Every endpoint of a Service's slices, one per IP (the first seen, slices by name), sorted by IP
 * as a plain string and then pod name. Conditions left unset read as ready/serving true and
 * terminating false, as the API defines them.
 */
export function sliceEndpoints(slices: readonly EndpointSlice[]): SliceEndpoint[] {
  const seen = new Map<string, SliceEndpoint>();
  for (const s of [...slices].sort(byName)) {
    for (const ep of s.endpoints) {
      for (const ip of ep.addresses) {
        if (seen.has(ip)) continue;
        const c = ep.conditions;
        seen.set(ip, {
          ip,
          ...(ep.nodeName !== undefined ? { nodeName: ep.nodeName } : {}),
          ...(ep.zone !== undefined ? { zone: ep.zone } : {}),
          ...(ep.targetRef ? { podName: ep.targetRef.name } : {}),
          ready: c.ready ?? true,
          serving: c.serving ?? c.ready ?? true,
          terminating: c.terminating ?? false,
        });
      }
    }
  }
  return [...seen.values()].sort((a, b) => compareStr(a.ip, b.ip) || compareStr(a.podName ?? "", b.podName ?? ""));
}

/** The ready endpoints: what kube-proxy load-balances across. */
export function readyEndpoints(slices: readonly EndpointSlice[]): { ip: string; nodeName?: string; zone?: string; podName?: string }[] {
  return sliceEndpoints(slices)
    .filter((e) => e.ready)
    .map(({ ip, nodeName, zone, podName }) => ({ ip, ...(nodeName !== undefined ? { nodeName } : {}), ...(zone !== undefined ? { zone } : {}), ...(podName !== undefined ? { podName } : {}) }));
}

/**
 * kube-proxy's choice (pkg/proxy/topology.go CategorizeEndpoints): the ready endpoints, or, when
 * there are none, the ones that are serving and terminating.
 */
export function usableEndpoints(slices: readonly EndpointSlice[]): SliceEndpoint[] {
  const all = sliceEndpoints(slices);
  const ready = all.filter((e) => e.ready);
  return ready.length > 0 ? ready : all.filter((e) => e.serving && e.terminating);
}

/** The port number a named Service port maps to in the slices (first slice that lists it). */
export function slicePort(slices: readonly EndpointSlice[], portName = ""): SlicePort | undefined {
  for (const s of [...slices].sort(byName)) {
    const p = s.ports.find((x) => (x.name ?? "") === portName);
    if (p) return p;
  }
  return undefined;
}

// --- the controller -------------------------------------------------------------------------------

interface Tracked {
  /** Resource version we last wrote, or -1 when we deleted the slice. */
  rv: number;
}

const DELETION_EXPECTED = -1;

export class EndpointSliceController {
  private readonly queue: WorkQueue;
  private readonly batchPeriod: number;
  private readonly maxPerSlice: number;
  /** Service key → keys of pods it selects (by the cached Service's selector). */
  private readonly members = new Map<string, Set<string>>();
  /** Namespace → keys of Services with a selector. */
  private readonly servicesByNs = new Map<string, Set<string>>();
  /** Service key → keys of EndpointSlices labelled with it. */
  private readonly slicesByService = new Map<string, Set<string>>();
  /** EndpointSliceTracker: Service key → slice name → what we wrote. */
  private readonly tracker = new Map<string, Map<string, Tracked>>();
  private readonly batched = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retrying = new Set<string>();

  constructor(
    private readonly ctx: SimContext,
    private readonly informers: SharedInformers,
    settings: ControllerSettings,
    options: EndpointSliceOptions = {},
  ) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
    this.batchPeriod = options.batchPeriod ?? settings.endpointSliceUpdatesBatchPeriod ?? ENDPOINT_UPDATES_BATCH_PERIOD;
    this.maxPerSlice = options.maxEndpointsPerSlice ?? settings.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.services.on((e) => {
      const key = e.key;
      if (e.type === "DELETED") this.forgetService(key, e.object.metadata.namespace ?? "default");
      else if (e.type === "ADDED" || !sameSelector(e.oldObject?.spec.selector, e.object.spec.selector)) this.indexService(e.object);
      this.queue.add(key);
    });
    this.informers.pods.on((e) => this.onPod(e.type, e.object, e.oldObject));
    this.informers.endpointSlices.on((e) => this.onSlice(e.type, e.object, e.oldObject));
  }

  // --- event handlers ---------------------------------------------------------------------------

  private indexService(svc: Service): void {
    const key = objectKey(svc.metadata);
    const ns = svc.metadata.namespace ?? "default";
    const members = new Set<string>();
    if (hasSelector(svc)) {
      let set = this.servicesByNs.get(ns);
      if (!set) this.servicesByNs.set(ns, (set = new Set()));
      set.add(key);
      for (const [podKey, pod] of this.informers.pods.objects) {
        if (pod.metadata.namespace === ns && matchesMapSelector(svc.spec.selector, pod.metadata.labels)) members.add(podKey);
      }
    } else this.servicesByNs.get(ns)?.delete(key);
    this.members.set(key, members);
  }

  private forgetService(key: string, ns: string): void {
    this.servicesByNs.get(ns)?.delete(key);
    this.members.delete(key);
  }

  /** Keys of the cached Services in `ns` whose selector matches `labels`. */
  private servicesFor(ns: string, labels: Record<string, string> | undefined): Set<string> {
    const out = new Set<string>();
    for (const key of this.servicesByNs.get(ns) ?? []) {
      const svc = this.informers.services.get(key);
      if (svc && matchesMapSelector(svc.spec.selector, labels)) out.add(key);
    }
    return out;
  }

  private onPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: Pod, old: Pod | undefined): void {
    const ns = pod.metadata.namespace ?? "default";
    let queue: Set<string>;
    if (type === "ADDED" || type === "DELETED") {
      const podKey = objectKey(pod.metadata);
      queue = this.servicesFor(ns, pod.metadata.labels);
      for (const s of queue) {
        if (type === "ADDED") this.members.get(s)?.add(podKey);
        else this.members.get(s)?.delete(podKey);
      }
    } else {
      if (!old || old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const podChanged =
        old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp || isPodReady(old) !== isPodReady(pod) || old.status.podIP !== pod.status.podIP;
      const labelsChanged = !sameRecord(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
      if (!podChanged && !labelsChanged) return;
      const podKey = objectKey(pod.metadata);
      const now = this.servicesFor(ns, pod.metadata.labels);
      if (!labelsChanged) queue = now;
      else {
        const before = this.servicesFor(ns, old.metadata.labels);
        for (const s of before) if (!now.has(s)) this.members.get(s)?.delete(podKey);
        for (const s of now) this.members.get(s)?.add(podKey);
        // util determineNeededServiceUpdates: all of them if the pod changed too, else those it
        // joined or left.
        queue = new Set<string>();
        for (const s of now) if (podChanged || !before.has(s)) queue.add(s);
        for (const s of before) if (podChanged || !now.has(s)) queue.add(s);
      }
    }
    for (const key of [...queue].sort()) this.queueBatched(key);
  }

  private queueBatched(key: string): void {
    if (this.batchPeriod <= 0) {
      this.queue.add(key);
      return;
    }
    // A delaying queue keeps the earliest time a key was asked for: one sync per window.
    if (this.batched.has(key)) return;
    this.batched.add(key);
    this.ctx.engine.after(this.batchPeriod, () => {
      this.batched.delete(key);
      this.queue.add(key);
    });
  }

  private onSlice(type: "ADDED" | "MODIFIED" | "DELETED", slice: EndpointSlice, old: EndpointSlice | undefined): void {
    const key = objectKey(slice.metadata);
    const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    const oldSvcName = old?.metadata.labels?.[LABEL_SERVICE_NAME];
    const ns = slice.metadata.namespace ?? "default";
    if (oldSvcName !== undefined && oldSvcName !== svcName) this.slicesByService.get(`${ns}/${oldSvcName}`)?.delete(key);
    if (svcName === undefined) return;
    const svcKey = `${ns}/${svcName}`;
    let set = this.slicesByService.get(svcKey);
    if (!set) this.slicesByService.set(svcKey, (set = new Set()));
    if (type === "DELETED") set.delete(key);
    else set.add(key);
    if (slice.metadata.labels?.[LABEL_MANAGED_BY] !== CONTROLLER_NAME) return;

    const tracked = this.tracker.get(svcKey)?.get(slice.metadata.name);
    const delay = Math.max(ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY, this.batchPeriod);
    if (type === "DELETED") {
      if (!tracked) return;
      this.tracker.get(svcKey)!.delete(slice.metadata.name);
      // Someone else deleted a slice we still wanted.
      if (tracked.rv !== DELETION_EXPECTED) this.queue.addAfter(svcKey, delay);
      return;
    }
    // ShouldSync: not ours, or changed by someone else since our last write.
    if (!tracked || Number(slice.metadata.resourceVersion) > tracked.rv) this.queue.addAfter(svcKey, delay);
  }

  // --- sync ------------------------------------------------------------------------------------

  private sync(key: string): void {
    const ok = this.syncService(key);
    if (ok) {
      this.failures.delete(key);
      return;
    }
    // AddRateLimited: per-key exponential backoff. A delaying queue holds a key once, at its
    // earliest time, so a retry already pending (always earlier: the backoff only grows) wins.
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    if (this.retrying.has(key)) return;
    this.retrying.add(key);
    this.ctx.engine.after(Math.min(DEFAULT_SYNC_BACKOFF * 2 ** (n - 1), MAX_SYNC_BACKOFF), () => {
      this.retrying.delete(key);
      this.queue.add(key);
    });
  }

  /** Returns false when the sync must be retried. */
  private syncService(key: string): boolean {
    const service = this.informers.services.get(key);
    const slices = [...(this.slicesByService.get(key) ?? [])]
      .map((k) => this.informers.endpointSlices.get(k))
      .filter((s): s is EndpointSlice => s !== undefined && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME);
    if (!service) return this.deleteSlicesOfDeletedService(key, slices);
    if (!hasSelector(service)) return true;
    if (this.stale(key, slices)) return false;

    const pods = [...(this.members.get(key) ?? [])]
      .sort()
      .map((k) => this.informers.pods.get(k))
      .filter((p): p is Pod => p !== undefined);
    const desired = new Map<string, DesiredGroup>();
    let missingNode = false;
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod)) continue;
      const ports = endpointPorts(service, pod);
      const pk = portMapKey(ports);
      let group = desired.get(pk);
      if (!group) desired.set(pk, (group = { ports, endpoints: new Map() }));
      const node = pod.spec.nodeName ? this.informers.nodes.get(pod.spec.nodeName) : undefined;
      if (!node) {
        missingNode = true;
        continue;
      }
      const ep = podToEndpoint(pod, node);
      group.endpoints.set(endpointHash(ep), ep);
    }
    const plan = planSlices(service, desired, slices, this.maxPerSlice);
    const applied = this.apply(key, service, plan);
    return applied && !missingNode;
  }

  /** EndpointSliceTracker.StaleSlices: the cache lags behind our own writes. */
  private stale(key: string, slices: EndpointSlice[]): boolean {
    const tracked = this.tracker.get(key);
    if (!tracked || tracked.size === 0) return false;
    const cached = new Map(slices.map((s) => [s.metadata.name, s]));
    for (const [name, t] of tracked) {
      const s = cached.get(name);
      if (t.rv === DELETION_EXPECTED) {
        if (s) return true;
      } else if (!s || Number(s.metadata.resourceVersion) < t.rv) return true;
    }
    return false;
  }

  private track(key: string, name: string, rv: number): void {
    let m = this.tracker.get(key);
    if (!m) this.tracker.set(key, (m = new Map()));
    m.set(name, { rv });
  }

  private apply(key: string, service: Service, plan: SlicePlan): boolean {
    const { store, events } = this.ctx;
    const ns = service.metadata.namespace ?? "default";
    const fail = (message: string): false => {
      events.record(service, "Warning", "FailedToUpdateEndpointSlices", `Error updating Endpoint Slices for Service ${key}: ${message}`, "endpoint-slice-controller");
      return false;
    };
    if (service.metadata.deletionTimestamp === undefined) {
      for (const d of plan.create) {
        const slice: NewObject<EndpointSlice> = {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: {
            generateName: `${service.metadata.name}-`,
            namespace: ns,
            labels: d.labels,
            ownerReferences: [{ apiVersion: "v1", kind: "Service", name: service.metadata.name, uid: service.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          addressType: "IPv4",
          endpoints: d.endpoints,
          ports: d.ports,
        };
        const r = store.create<"EndpointSlice">(slice);
        if (!r.ok) return fail(r.error.message);
        this.track(key, r.object.metadata.name, Number(r.object.metadata.resourceVersion));
        this.ctx.stats.inc("endpointslice.changes.create");
      }
    }
    for (const d of plan.update) {
      const cur = d.existing!;
      const r = store.update<EndpointSlice>({ ...cur, metadata: { ...cur.metadata, labels: d.labels }, ports: d.ports, endpoints: d.endpoints });
      if (!r.ok) return fail(r.error.message);
      this.track(key, r.object.metadata.name, Number(r.object.metadata.resourceVersion));
      this.ctx.stats.inc("endpointslice.changes.update");
    }
    for (const s of plan.delete) {
      const r = store.delete("EndpointSlice", objectKey(s.metadata), { uid: s.metadata.uid });
      if (!r.ok && r.error.reason !== "NotFound") return fail(r.error.message);
      this.track(key, s.metadata.name, DELETION_EXPECTED);
      this.ctx.stats.inc("endpointslice.changes.delete");
    }
    return true;
  }

  /** Stands in for the garbage collector: a deleted Service's slices go with it. */
  private deleteSlicesOfDeletedService(key: string, slices: EndpointSlice[]): boolean {
    this.tracker.delete(key);
    for (const s of slices) {
      if (!s.metadata.ownerReferences?.some((o) => o.kind === "Service" && o.controller)) continue;
      this.ctx.store.delete("EndpointSlice", objectKey(s.metadata), { uid: s.metadata.uid });
    }
    return true;
  }
}

function hasSelector(svc: Service): boolean {
  return svc.spec.selector !== undefined && Object.keys(svc.spec.selector).length > 0;
}

function sameSelector(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return sameRecord(a ?? {}, b ?? {});
}
