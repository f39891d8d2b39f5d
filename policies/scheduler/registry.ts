/**
 * The in-tree plugin registry: every plugin simk implements, by the name a
 * KubeSchedulerConfiguration uses (upstream pkg/scheduler/framework/plugins/registry.go
 * NewInTreeRegistry). User plugins loaded from modules (sim/scheduler/pluginModules.ts) are added
 * to a copy of it; their names may not clash with these.
 *
 * Upstream plugins simk does not model — the volume plugins and DynamicResources: simk pods have no
 * volumes or resource claims, so they would pass every node — are listed in NOT_MODELLED: a
 * configuration may name them (the default set does) and they are skipped.
 */
import type { Pod } from "../../sim/api/objects.js";
import { SUCCESS, type Plugin, type Status } from "../../sim/scheduler/framework.js";
import type { PluginFactory, Registry } from "../../sim/scheduler/registry.js";
import { balancedAllocationFactory } from "./balancedAllocation.js";
import { defaultBinderFactory } from "./defaultBinder.js";
import { defaultPreemptionFactory } from "./defaultPreemption.js";
import { imageLocalityFactory } from "./imageLocality.js";
import { interPodAffinityFactory } from "./interPodAffinity.js";
import { nodeAffinityFactory } from "./nodeAffinity.js";
import { nodeNameFactory } from "./nodeName.js";
import { nodePortsFactory } from "./nodePorts.js";
import { nodeResourcesFitFactory } from "./nodeResourcesFit.js";
import { nodeUnschedulableFactory } from "./nodeUnschedulable.js";
import { podTopologySpreadFactory } from "./podTopologySpread.js";
import { prioritySortFactory } from "./prioritySort.js";
import { taintTolerationFactory } from "./taintToleration.js";

export { isQueueSort, type QueueSortPlugin, type QueuedPodInfo } from "./prioritySort.js";
export { isBind, type BindPlugin } from "./defaultBinder.js";

/** Upstream PreEnqueuePlugin: decides whether a pod may enter the active queue at all. */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Status;
}

export function isPreEnqueue(p: Plugin): p is PreEnqueuePlugin {
  return typeof (p as PreEnqueuePlugin).preEnqueue === "function";
}

/**
 * SchedulingGates (pkg/scheduler/framework/plugins/schedulinggates): a pod with
 * spec.schedulingGates stays out of the active queue. simk's manifests drop schedulingGates
 * (sim/scenario/manifests.ts), so every pod passes; the plugin is accepted so that the default set
 * and real configurations load.
 */
export const schedulingGatesFactory: PluginFactory = {
  name: "SchedulingGates",
  create: (): PreEnqueuePlugin => ({ name: "SchedulingGates", preEnqueue: () => SUCCESS }),
};

const IN_TREE: readonly PluginFactory<never>[] = [
  schedulingGatesFactory,
  prioritySortFactory,
  nodeUnschedulableFactory,
  nodeNameFactory,
  taintTolerationFactory,
  nodeAffinityFactory,
  nodePortsFactory,
  nodeResourcesFitFactory,
  podTopologySpreadFactory,
  interPodAffinityFactory,
  defaultPreemptionFactory,
  balancedAllocationFactory,
  imageLocalityFactory,
  defaultBinderFactory,
] as unknown as readonly PluginFactory<never>[];

/** A new map of the in-tree plugins (callers may add to their copy). */
export function inTreeRegistry(): Map<string, PluginFactory<never>> {
  return new Map(IN_TREE.map((f) => [f.name, f]));
}

/** Names of the in-tree plugins. */
export const IN_TREE_PLUGIN_NAMES: readonly string[] = IN_TREE.map((f) => f.name);

/**
 * Upstream in-tree plugins simk does not model (pkg/scheduler/framework/plugins/names/names.go):
 * accepted wherever a configuration names them, and skipped.
 */
export const NOT_MODELLED: ReadonlySet<string> = new Set([
  "VolumeRestrictions",
  "NodeVolumeLimits",
  "VolumeBinding",
  "VolumeZone",
  "DynamicResources",
  "EBSLimits",
  "GCEPDLimits",
  "AzureDiskLimits",
  "CinderLimits",
]);

/**
 * Plugins removed before kubescheduler.config.k8s.io/v1: naming them at an extension point or in
 * pluginConfig is an error (pkg/scheduler/apis/config/validation/validation.go invalidPluginsByVersion).
 */
export const INVALID_IN_V1: ReadonlySet<string> = new Set(["AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits"]);

export type { Registry };
