/**
 * DefaultBinder (pkg/scheduler/framework/plugins/defaultbinder/default_binder.go): binds the pod
 * to the chosen node by writing a Binding. In simk the scheduler does this itself, `bindLatency`
 * after the decision (Scheduler.bind in sim/scheduler/scheduler.ts), so this plugin is only the
 * name a KubeSchedulerConfiguration gives at `bind`; no other bind plugin can be configured
 * (sim/scheduler/config.ts).
 */
import type { Plugin } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "DefaultBinder";

/** Upstream BindPlugin, reduced to a marker: simk's scheduler performs the binding. */
export interface BindPlugin extends Plugin {
  /** The API write this plugin stands for (documentation; never called by the scheduler). */
  readonly binds: "pods/binding";
}

export function isBind(p: Plugin): p is BindPlugin {
  return (p as Partial<BindPlugin>).binds === "pods/binding";
}

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;
  readonly binds = "pods/binding" as const;
}

export const defaultBinderFactory: PluginFactory = {
  name: NAME,
  create: () => new DefaultBinder(),
};
