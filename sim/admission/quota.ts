/**
 * ResourceQuota: usage evaluation (shared with sim/controllers/resourceQuota.ts) and the admission
 * plugin that enforces `spec.hard` when an object is created.
 *
 * Semantics, re-expressed from upstream (no code copied):
 *  - staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go (checkRequest):
 *    for every quota in the namespace whose hard resources the object's evaluator handles, first
 *    the evaluator's Constraints, then used + requested ≤ hard for each resource the object
 *    actually consumes (zero amounts are ignored). The first failing quota rejects the request with
 *    403 Forbidden: `<resource> "<name>" is forbidden: exceeded quota: <quota>, requested: <list>,
 *    used: <list>, limited: <list>`, each list `name=quantity` sorted by name, joined by ",", with
 *    quantities in canonical form (Quantity.String()).
 *  - pkg/quota/v1/evaluator/core/pods.go: which pod resources a quota can constrain (pods,
 *    count/pods, cpu, memory, ephemeral-storage with requests./limits. forms, hugepages-*,
 *    requests.<extended>); a pod's usage is the aggregated pod requests and limits
 *    (pkg/api/v1/resource PodRequests / PodLimits: containers + sidecars vs. init containers, plus
 *    overhead); "cpu"/"memory" mean the requests; count/pods counts every stored pod while the
 *    compute resources and "pods" skip terminal pods (Succeeded/Failed) and pods whose deletion
 *    grace period has run out (QuotaV1Pod). If a quota constrains cpu or memory (requests or
 *    limits), every container must state that value: `failed quota: <quota>: must specify
 *    limits.cpu for: a,b; requests.memory for: b`.
 *  - pkg/quota/v1/evaluator/core/services.go: count/services, services, services.nodeports,
 *    services.loadbalancers.
 *  - staging/src/k8s.io/apiserver/pkg/quota/v1/generic (object count evaluator): every other kind
 *    counts 1 per stored object as `count/<resource>[.<group>]` (plus the legacy name
 *    "resourcequotas").
 *  - The Forbidden message names the object: the API server generates a generateName object's
 *    name before validating admission runs (staging/src/k8s.io/apiserver/pkg/registry/rest/create.go
 *    AdmissionToValidateObjectFunc), so a rejected ReplicaSet pod reads `pods "web-x7k2p" is
 *    forbidden: ...`. simk's store runs admission before it names the object, so the plugin draws
 *    such a name itself (from its own seeded stream; the object is never stored).
 *
 * Usage is computed from the store at the moment of creation. That is what the real admission
 * effectively guarantees: it checks against status.used and writes the incremented status.used
 * atomically (with conflict retries) before the object is persisted, so two creates can never
 * both pass against the same headroom. simk's store is single-threaded, so reading the current
 * objects gives the same answer without writing status.used here; the ResourceQuota controller
 * publishes status.used separately, after its own latency.
 *
 * Deliberate simplifications: no quota scopes / scopeSelector (simk's ResourceQuota has none);
 * `spec.hard` is read directly (upstream reads status.hard and rejects with "status unknown for
 * quota" until the controller has filled it in); no LimitedResources admission configuration.
 */
import type { Container, Kind, KubeObject, NewObject, Pod, PodSpec, ResourceList, ResourceQuota, Service } from "../api/objects.js";
import { NAMESPACED_KINDS } from "../api/objects.js";
import { apiError, type AdmissionPlugin, type Store } from "../api/store.js";
import type { Rng } from "../engine/rng.js";
import type { Stats } from "../metrics/stats.js";
import { formatQuantity, parseQuantity, type QuantityFormat } from "../units/quantity.js";

/** An exact amount and the suffix family it is printed in. */
export interface Amount {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** Resource name → amount. */
export type Usage = Map<string, Amount>;

const ONE: Amount = { nanos: 1_000_000_000n, format: "DecimalSI" };
const ZERO: Amount = { nanos: 0n, format: "DecimalSI" };

/** GroupResource.String() of each namespaced kind simk models ("<resource>" or "<resource>.<group>"). */
export const QUOTA_GROUP_RESOURCES: Readonly<Partial<Record<Kind, string>>> = {
  Pod: "pods",
  Service: "services",
  ReplicaSet: "replicasets.apps",
  Deployment: "deployments.apps",
  DaemonSet: "daemonsets.apps",
  Job: "jobs.batch",
  EndpointSlice: "endpointslices.discovery.k8s.io",
  PodDisruptionBudget: "poddisruptionbudgets.policy",
  ResourceQuota: "resourcequotas",
  Lease: "leases.coordination.k8s.io",
};

/** The kinds quota usage is computed for. */
export const QUOTA_KINDS = Object.keys(QUOTA_GROUP_RESOURCES) as Kind[];

/** pods.go podResources. */
const POD_RESOURCES: ReadonlySet<string> = new Set([
  "count/pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
]);

/** pods.go validationSet: constrained resources every container must state. */
const VALIDATION_SET: readonly string[] = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/** services.go serviceResources. */
const SERVICE_RESOURCES: ReadonlySet<string> = new Set(["count/services", "services", "services.nodeports", "services.loadbalancers"]);

/** Legacy object-count names (pkg/quota/v1/evaluator/core/registry.go). */
const LEGACY_COUNT_NAMES: Partial<Record<Kind, string>> = { ResourceQuota: "resourcequotas" };

/** helper.IsNativeResource: no domain, or a kubernetes.io/ one. */
const isNativeResource = (name: string): boolean => !name.includes("/") || name.includes("kubernetes.io/");
/** helper.IsExtendedResourceName: a domain-qualified name outside kubernetes.io, not a quota name. */
const isExtendedResourceName = (name: string): boolean => !isNativeResource(name) && !name.startsWith("requests.");

/** The resource names among `hard` that quota evaluation of `kind` handles (MatchingResources). */
export function matchingResources(kind: Kind, hard: readonly string[]): string[] {
  if (kind === "Pod") {
    return hard.filter(
      (r) =>
        POD_RESOURCES.has(r) ||
        r.startsWith("hugepages-") ||
        r.startsWith("requests.hugepages-") ||
        (!isNativeResource(r) && r.startsWith("requests.")),
    );
  }
  if (kind === "Service") return hard.filter((r) => SERVICE_RESOURCES.has(r));
  const gr = QUOTA_GROUP_RESOURCES[kind];
  if (!gr) return [];
  const legacy = LEGACY_COUNT_NAMES[kind];
  return hard.filter((r) => r === `count/${gr}` || (legacy !== undefined && r === legacy));
}

// --- amounts -------------------------------------------------------------------------------------

function amountOf(value: string | number): Amount {
  const q = parseQuantity(value);
  return { nanos: q.nanos, format: q.format };
}

/** Quantity.Add: the sum keeps the first operand's format unless that one is zero. */
function addAmounts(a: Amount | undefined, b: Amount): Amount {
  if (!a) return b;
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

function maxAmount(a: Amount | undefined, b: Amount): Amount {
  return a === undefined || b.nanos > a.nanos ? b : a;
}

/** Canonical text of an amount (Quantity.String()). */
export function formatAmount(a: Amount): string {
  return formatQuantity(a);
}

export function addUsage(into: Usage, add: Usage): Usage {
  for (const [k, v] of add) into.set(k, addAmounts(into.get(k), v));
  return into;
}

function listAmounts(list: ResourceList | undefined): Map<string, Amount> {
  const out = new Map<string, Amount>();
  if (!list) return out;
  for (const [k, v] of Object.entries(list)) out.set(k, amountOf(v));
  return out;
}

/**
 * Aggregated pod requests or limits (pkg/api/v1/resource PodRequests / PodLimits): the larger of
 * (app containers + sidecars) and (each init container + the sidecars declared before it), plus
 * overhead — for limits only on resources that already have a limit.
 */
function aggregate(spec: PodSpec, pick: (c: Container) => ResourceList | undefined, overheadOnlyIfPresent: boolean): Map<string, Amount> {
  const total = new Map<string, Amount>();
  for (const c of spec.containers) for (const [k, v] of listAmounts(pick(c))) total.set(k, addAmounts(total.get(k), v));
  const sidecars = new Map<string, Amount>();
  const initMax = new Map<string, Amount>();
  for (const c of spec.initContainers ?? []) {
    const r = listAmounts(pick(c));
    if (c.restartPolicy === "Always") {
      for (const [k, v] of r) {
        total.set(k, addAmounts(total.get(k), v));
        sidecars.set(k, addAmounts(sidecars.get(k), v));
      }
      for (const [k, v] of sidecars) initMax.set(k, maxAmount(initMax.get(k), v));
    } else {
      const withSidecars = new Map(r);
      for (const [k, v] of sidecars) withSidecars.set(k, addAmounts(withSidecars.get(k), v));
      for (const [k, v] of withSidecars) initMax.set(k, maxAmount(initMax.get(k), v));
    }
  }
  for (const [k, v] of initMax) total.set(k, maxAmount(total.get(k), v));
  for (const [k, v] of listAmounts(spec.overhead)) {
    if (overheadOnlyIfPresent && !total.has(k)) continue;
    total.set(k, addAmounts(total.get(k), v));
  }
  return total;
}

/** pods.go podComputeUsageHelper: quota names for a set of requests and limits. */
function computeUsage(requests: Map<string, Amount>, limits: Map<string, Amount>): Usage {
  const out: Usage = new Map([["pods", ONE]]);
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [name, req] of requests) {
    if (name.startsWith("hugepages-")) {
      out.set(name, req);
      out.set(`requests.${name}`, req);
    }
    if (isExtendedResourceName(name)) out.set(`requests.${name}`, req);
  }
  return out;
}

const computeCache = new WeakMap<PodSpec, Usage>();

function podComputeUsage(spec: PodSpec): Usage {
  let u = computeCache.get(spec);
  if (!u) {
    const requests = aggregate(spec, (c) => c.resources?.requests, false);
    const limits = aggregate(spec, (c) => c.resources?.limits, true);
    computeCache.set(spec, (u = computeUsage(requests, limits)));
  }
  return u;
}

type PodLike = Pick<Pod, "spec" | "status"> & { metadata: { deletionTimestamp?: number; deletionGracePeriodSeconds?: number } };

/**
 * QuotaV1Pod: whether a pod is charged for compute resources and "pods": not terminal, and not a
 * pod still terminating after its deletion time plus grace period (a lost node's pods).
 */
export function podChargedForCompute(pod: PodLike, now: number): boolean {
  if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp !== undefined && deletionGracePeriodSeconds !== undefined) {
    if (now > deletionTimestamp + deletionGracePeriodSeconds * 1_000_000) return false;
  }
  return true;
}

/** PodUsageFunc: count/pods always; compute resources and "pods" while charged. */
export function podUsage(pod: PodLike, now: number): Usage {
  const out: Usage = new Map([["count/pods", ONE]]);
  if (!podChargedForCompute(pod, now)) return out;
  return addUsage(out, podComputeUsage(pod.spec));
}

function serviceUsage(svc: Pick<Service, "spec">): Usage {
  const ports = BigInt(svc.spec.ports?.length ?? 0) * ONE.nanos;
  const type = svc.spec.type ?? "ClusterIP";
  return new Map<string, Amount>([
    ["count/services", ONE],
    ["services", ONE],
    ["services.loadbalancers", type === "LoadBalancer" ? ONE : ZERO],
    ["services.nodeports", type === "NodePort" || type === "LoadBalancer" ? { nanos: ports, format: "DecimalSI" } : ZERO],
  ]);
}

/** The quota usage of one object (created or stored). */
export function objectUsage(obj: NewObject<KubeObject> | KubeObject, now: number): Usage {
  const kind = obj.kind as Kind;
  if (kind === "Pod") return podUsage(obj as PodLike, now);
  if (kind === "Service") return serviceUsage(obj as Pick<Service, "spec">);
  const out: Usage = new Map();
  const gr = QUOTA_GROUP_RESOURCES[kind];
  if (gr) out.set(`count/${gr}`, ONE);
  const legacy = LEGACY_COUNT_NAMES[kind];
  if (legacy) out.set(legacy, ONE);
  return out;
}

/** Sum of the usage of `objects`, restricted to the names in `names`; names with no usage are 0. */
export function totalUsage(objects: Iterable<NewObject<KubeObject> | KubeObject>, names: readonly string[], now: number): Usage {
  const wanted = new Set(names);
  const sum: Usage = new Map();
  for (const n of names) sum.set(n, ZERO);
  for (const o of objects) {
    for (const [k, v] of objectUsage(o, now)) if (wanted.has(k)) sum.set(k, addAmounts(sum.get(k), v));
  }
  return sum;
}

/** The quota's hard limits as amounts (invalid quantities are skipped). */
export function hardLimits(q: Pick<ResourceQuota, "spec">): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(q.spec.hard ?? {})) {
    try {
      out.set(k, amountOf(v));
    } catch {
      // The scenario loader validates quantities; an invalid one constrains nothing.
    }
  }
  return out;
}

/** prettyPrint: `a=1,b=2Gi`, sorted by name. */
export function prettyPrint(u: Usage, names: readonly string[]): string {
  return [...names]
    .sort(compareStrings)
    .map((n) => `${n}=${formatAmount(u.get(n) ?? ZERO)}`)
    .join(",");
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * pods.go Constraints: with cpu or memory (requests or limits) under quota, every container
 * (app and init) must state it. Returns the "must specify ..." text, or undefined.
 */
export function podConstraintViolation(spec: PodSpec, constrained: readonly string[]): string | undefined {
  const required = VALIDATION_SET.filter((r) => constrained.includes(r));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const has = computeUsage(listAmounts(c.resources?.requests), listAmounts(c.resources?.limits));
    for (const r of required) {
      if (has.has(r)) continue;
      let names = missing.get(r);
      if (!names) missing.set(r, (names = new Set()));
      names.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort(compareStrings).map((r) => `${r} for: ${[...missing.get(r)!].sort(compareStrings).join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

// --- admission -----------------------------------------------------------------------------------

/** k8s.io/apimachinery/pkg/util/rand: the alphabet of generated name suffixes. */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export interface QuotaAdmissionContext {
  readonly stats: Pick<Stats, "inc">;
  readonly rng: { stream(name: string): Rng };
}

/**
 * The ResourceQuota admission plugin. Add it after the mutating plugins (defaulting, Priority,
 * DefaultTolerationSeconds), as kube-apiserver runs validating admission last.
 */
export function createQuotaAdmission(ctx: QuotaAdmissionContext): AdmissionPlugin {
  const names = ctx.rng.stream("quota-admission");
  return (obj, store: Store) => {
    const kind = obj.kind as Kind;
    const gr = QUOTA_GROUP_RESOURCES[kind];
    if (!gr || !NAMESPACED_KINDS.has(kind)) return { ok: true, object: obj };
    const namespace = obj.metadata.namespace ?? "default";
    const quotas = store.list("ResourceQuota", namespace);
    if (quotas.length === 0) return { ok: true, object: obj };

    const forbidden = (message: string): ReturnType<AdmissionPlugin> => {
      ctx.stats.inc("quota.rejections");
      let name = obj.metadata.name;
      if (!name && obj.metadata.generateName) {
        name = obj.metadata.generateName;
        for (let i = 0; i < 5; i++) name += NAME_ALPHABET[names.int(NAME_ALPHABET.length)];
      }
      return apiError("Forbidden", `${gr} "${name ?? "Unknown"}" is forbidden: ${message}`);
    };

    // Quotas that constrain something this object's kind consumes; constraints first.
    const interesting: { quota: ResourceQuota; hard: Usage }[] = [];
    for (const quota of quotas) {
      const hard = hardLimits(quota);
      const matched = matchingResources(kind, [...hard.keys()]);
      if (matched.length === 0) continue;
      if (kind === "Pod") {
        const violation = podConstraintViolation((obj as NewObject<Pod>).spec, matched);
        if (violation) return forbidden(`failed quota: ${quota.metadata.name}: ${violation}`);
      }
      interesting.push({ quota, hard });
    }
    if (interesting.length === 0) return { ok: true, object: obj };

    const now = store.engine.now;
    const requested = objectUsage(obj, now);
    for (const [k, v] of requested) if (v.nanos === 0n) requested.delete(k);
    if (requested.size === 0) return { ok: true, object: obj };

    let used: Usage | undefined;
    for (const { quota, hard } of interesting) {
      const names = [...requested.keys()].filter((k) => hard.has(k));
      if (names.length === 0) continue;
      // Usage of the namespace right now, for every resource this kind can consume.
      used ??= totalUsage(store.list(kind, namespace), [...requested.keys()], now);
      const exceeded = names.filter((n) => used!.get(n)!.nanos + requested.get(n)!.nanos > hard.get(n)!.nanos);
      if (exceeded.length > 0) {
        return forbidden(
          `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(requested, exceeded)}, used: ${prettyPrint(used, exceeded)}, limited: ${prettyPrint(hard, exceeded)}`,
        );
      }
    }
    return { ok: true, object: obj };
  };
}
