/**
 * Label selectors, node selector terms and taint/toleration matching, with the semantics of
 * k8s.io/apimachinery/pkg/labels (selector.go), k8s.io/component-helpers/scheduling/corev1
 * (nodeaffinity) and staging/src/k8s.io/api/core/v1/toleration.go.
 */
import type { LabelSelector, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from "../api/objects.js";

type Labels = Record<string, string> | undefined;

/** metav1.LabelSelector: matchLabels AND matchExpressions. An empty selector matches everything. */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  if (selector.matchLabels) {
    for (const [k, v] of Object.entries(selector.matchLabels)) if (l[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, req.key);
    const value = l[req.key];
    switch (req.operator) {
      case "In":
        if (!has || !(req.values ?? []).includes(value)) return false;
        break;
      case "NotIn":
        if (has && (req.values ?? []).includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** A Service-style selector (map): every pair must match; an empty map selects nothing here. */
export function matchesMapSelector(selector: Record<string, string> | undefined, labels: Labels): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (l[k] !== v) return false;
  return true;
}

/** One node selector requirement against node labels (or fields). Gt/Lt compare integers. */
export function matchesNodeSelectorRequirement(req: NodeSelectorRequirement, labels: Labels): boolean {
  const l = labels ?? {};
  const has = Object.hasOwn(l, req.key);
  const value = l[req.key];
  switch (req.operator) {
    case "In":
      return has && (req.values ?? []).includes(value);
    case "NotIn":
      return !has || !(req.values ?? []).includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || (req.values ?? []).length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(req.values![0], 10);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return req.operator === "Gt" ? a > b : a < b;
    }
  }
}

/**
 * A node selector term: all expressions AND all fields must match. A term with neither matches
 * nothing (component-helpers nodeaffinity: an empty term selects no objects).
 */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, nodeLabels: Labels, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const e of exprs) if (!matchesNodeSelectorRequirement(e, nodeLabels)) return false;
  for (const f of fields) {
    if (f.key !== "metadata.name") return false;
    if (!matchesNodeSelectorRequirement(f, { "metadata.name": nodeName })) return false;
  }
  return true;
}

/** Whether a toleration tolerates a taint (core/v1 toleration.go ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== "" && t.key !== taint.key) return false;
  if ((t.key === undefined || t.key === "") && t.operator !== "Exists") return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

export function toleratesAny(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint with one of the given effects that no toleration tolerates, if any. */
export function firstUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  effects: readonly Taint["effect"][],
): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}
