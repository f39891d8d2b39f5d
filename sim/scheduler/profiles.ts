/**
 * Built-in scheduler configuration: the upstream default, built from the in-tree registry by
 * sim/scheduler/config.ts — one "default-scheduler" profile with the plugins and weights of
 * pkg/scheduler/apis/config/v1/default_plugins.go, and podInitialBackoffSeconds 1,
 * podMaxBackoffSeconds 10, percentageOfNodesToScore 0 (adaptive) from
 * pkg/scheduler/apis/config/v1/defaults.go.
 */
import { inTreeRegistry } from "../../policies/scheduler/registry.js";
import { buildSchedulerConfig, defaultSchedulerConfig as buildDefault } from "./config.js";
import type { Registry } from "./registry.js";
import { DEFAULT_SCHEDULER_NAME, type Profile, type SchedulerConfig } from "./scheduler.js";

/** A profile with the default plugins (fresh instances) under the given scheduler name. */
export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME, registry: Registry = inTreeRegistry()): Profile {
  const doc = { apiVersion: "kubescheduler.config.k8s.io/v1", kind: "KubeSchedulerConfiguration", profiles: [{ schedulerName }] };
  return buildSchedulerConfig([doc], { registry }).profiles[0];
}

/** The upstream default configuration (fresh plugin instances on every call). */
export function defaultSchedulerConfig(registry: Registry = inTreeRegistry()): SchedulerConfig {
  return buildDefault(registry);
}
