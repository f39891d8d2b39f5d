/**
 * API-server defaulting for pods (pkg/apis/core/v1/defaults.go SetDefaults_Pod): a container that
 * sets limits but not requests gets requests equal to its limits, per resource. It applies to every
 * Pod created — written in a manifest or stamped from a template by a controller.
 */
import type { Container, PodSpec } from "../api/objects.js";

export function applyPodDefaults(spec: PodSpec): PodSpec {
  const fill = (c: Container): Container => {
    const limits = c.resources?.limits;
    if (!limits) return c;
    return { ...c, resources: { ...c.resources, requests: { ...limits, ...c.resources?.requests } } };
  };
  const needs = (cs: readonly Container[] | undefined): boolean => (cs ?? []).some((c) => c.resources?.limits && Object.keys(c.resources.limits).some((k) => !(k in (c.resources?.requests ?? {}))));
  if (!needs(spec.containers) && !needs(spec.initContainers)) return spec;
  return {
    ...spec,
    containers: spec.containers.map(fill),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(fill) } : {}),
  };
}
