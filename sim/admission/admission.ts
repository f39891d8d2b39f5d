/**
 * Admission plugins simk runs on pod creation, as kube-apiserver's default chain does:
 *  - Priority (plugin/pkg/admission/priority): resolves spec.priorityClassName (or the global
 *    default class) into spec.priority and spec.preemptionPolicy; an unknown class is rejected.
 *  - DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): adds
 *    node.kubernetes.io/not-ready and node.kubernetes.io/unreachable, operator Exists, effect
 *    NoExecute, tolerationSeconds 300, unless the pod already tolerates them.
 */
import type { KubeObject, NewObject, Pod, Toleration } from "../api/objects.js";
import { apiError, type AdmissionPlugin, type ApiResult, type Store } from "../api/store.js";
import { applyPodDefaults } from "../cluster/podDefaults.js";

export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const DEFAULT_TOLERATION_SECONDS = 300;

type NewPod = NewObject<Pod>;

const isPod = (o: NewObject<KubeObject>): o is NewPod => o.kind === "Pod";

// Pods stamped from one template share one spec object; admitting them to one shared result keeps
// that sharing (and so the per-spec request cache in sim/cluster/resources.ts).
const tolerationsMemo = new WeakMap<Pod["spec"], Pod["spec"]>();
const priorityMemo = new WeakMap<Pod["spec"], Pod["spec"]>();
const defaultsMemo = new WeakMap<Pod["spec"], Pod["spec"]>();

/** API-server defaulting of pods (requests from limits), before the admission plugins proper. */
export const podDefaulting: AdmissionPlugin = (obj) => {
  if (!isPod(obj)) return { ok: true, object: obj };
  let spec = defaultsMemo.get(obj.spec);
  if (!spec) defaultsMemo.set(obj.spec, (spec = applyPodDefaults(obj.spec)));
  return { ok: true, object: spec === obj.spec ? obj : { ...obj, spec } };
};

export const defaultTolerationSeconds: AdmissionPlugin = (obj) => {
  if (!isPod(obj)) return { ok: true, object: obj };
  const memo = tolerationsMemo.get(obj.spec);
  if (memo) return { ok: true, object: { ...obj, spec: memo } };
  const tolerations = obj.spec.tolerations ?? [];
  const tolerates = (key: string): boolean =>
    tolerations.some((t) => (t.operator === "Exists" && (t.key ?? "") === "") || (t.key === key && (t.effect === undefined || t.effect === "" || t.effect === "NoExecute")));
  const added: Toleration[] = [];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!tolerates(key)) added.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  const spec = added.length === 0 ? obj.spec : { ...obj.spec, tolerations: [...tolerations, ...added] };
  tolerationsMemo.set(obj.spec, spec);
  return { ok: true, object: { ...obj, spec } };
};

export const priorityAdmission: AdmissionPlugin = (obj, store: Store): ApiResult<NewObject<KubeObject>> => {
  if (!isPod(obj)) return { ok: true, object: obj };
  const className = obj.spec.priorityClassName;
  let value = 0;
  let policy: Pod["spec"]["preemptionPolicy"] = "PreemptLowerPriority";
  if (className) {
    const pc = store.get("PriorityClass", className);
    if (!pc) return apiError("Forbidden", `no PriorityClass with name ${className} was found`);
    value = pc.value;
    policy = pc.preemptionPolicy ?? policy;
  } else {
    const global = store.list("PriorityClass").find((pc) => pc.globalDefault);
    if (global) {
      value = global.value;
      policy = global.preemptionPolicy ?? policy;
    } else if (obj.spec.priority !== undefined) {
      return { ok: true, object: obj };
    }
  }
  const preemptionPolicy = obj.spec.preemptionPolicy ?? policy;
  const memo = priorityMemo.get(obj.spec);
  if (memo && memo.priority === value && memo.preemptionPolicy === preemptionPolicy) return { ok: true, object: { ...obj, spec: memo } };
  const spec = { ...obj.spec, priority: value, preemptionPolicy };
  priorityMemo.set(obj.spec, spec);
  return { ok: true, object: { ...obj, spec } };
};
