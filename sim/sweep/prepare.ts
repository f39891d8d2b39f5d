/**
 * Everything between the command line and runScenario, shared by `simk run`, `simk baseline
 * write` and each run of a sweep (in the main thread or a worker): load the scenario with its
 * `--set` overrides, apply --sample-interval, build the scheduler configuration (the scenario's,
 * or --scheduler-config's, with --plugin modules) and import spec.traffic's balancer modules.
 */
import { InputError } from "../scenario/errors.js";
import { loadManifestFiles } from "../scenario/load.js";
import type { Scenario } from "../scenario/types.js";
import { resolveSchedulerConfig } from "../scheduler/config.js";
import { commandLineModule } from "../scheduler/pluginModules.js";
import type { SchedulerConfig } from "../scheduler/scheduler.js";
import { needsBalancerModules, resolveBalancerModules, type BalancerModules } from "../traffic/balancers.js";
import { explainOverrides, loadScenarioWithOverrides, type Override } from "./set.js";

export interface PrepareOptions {
  overrides?: readonly Override[];
  /** µs. */
  sampleInterval?: number;
  /** A file holding one KubeSchedulerConfiguration, used instead of the scenario's. */
  schedulerConfig?: string;
  /** Plugin modules given on the command line (paths relative to the working directory). */
  plugins?: readonly string[];
}

export interface Prepared {
  scenario: Scenario;
  schedulerConfig: SchedulerConfig;
  /** The balancer modules of spec.traffic, when it names any. */
  balancers?: BalancerModules;
}

/** --scheduler-config FILE: the KubeSchedulerConfiguration documents of a file that holds nothing else. */
export function loadSchedulerConfigFile(file: string): { configs: unknown[]; sources: ReturnType<typeof loadManifestFiles>["schedulerConfigSources"] } {
  const loaded = loadManifestFiles([file]);
  if (loaded.schedulerConfigs.length === 0 || loaded.manifests.length > 0) {
    const found = loaded.manifests.map((m) => m.kind).join(", ");
    throw new InputError([
      { file, message: `expected a file holding one KubeSchedulerConfiguration (apiVersion: kubescheduler.config.k8s.io/v1)${found ? `; found ${found}` : ""}` },
    ]);
  }
  return { configs: loaded.schedulerConfigs, sources: loaded.schedulerConfigSources };
}

export async function prepareRun(file: string, options: PrepareOptions = {}): Promise<Prepared> {
  const overrides = options.overrides ?? [];
  if (options.schedulerConfig !== undefined) {
    const clash = overrides.find((o) => o.path.startsWith("KubeSchedulerConfiguration"));
    if (clash) {
      throw new InputError([
        { file: `--set ${clash.path}=${clash.raw}`, message: "changes the scenario's KubeSchedulerConfiguration, which --scheduler-config replaces; use one or the other" },
      ]);
    }
  }
  const { scenario, changed } = loadScenarioWithOverrides(file, overrides);
  if (options.sampleInterval !== undefined) scenario.sampleInterval = options.sampleInterval;
  try {
    const schedulerConfig = await resolveSchedulerConfig(scenario, {
      pluginModules: (options.plugins ?? []).map((m) => commandLineModule(m)),
      ...(options.schedulerConfig !== undefined ? { override: loadSchedulerConfigFile(options.schedulerConfig) } : {}),
    });
    if (!needsBalancerModules(scenario)) return { scenario, schedulerConfig };
    return { scenario, schedulerConfig, balancers: await resolveBalancerModules(scenario) };
  } catch (e) {
    throw explainOverrides(e, file, changed);
  }
}
