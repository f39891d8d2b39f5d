/**
 * TierPreference — a worked example of a custom scheduler plugin (see README.md next to this file).
 *
 * Nodes carry a tier label, `example.simk.dev/tier: premium | standard | ...`. The plugin:
 *  - scores a node by its tier: `scores[tier]` (default premium 100, standard 50), 0 for a node
 *    without the label or with a tier not listed;
 *  - with `requireLabel: true`, also filters out nodes without the label. When it is false (the
 *    default) its PreFilter returns Skip, so its Filter does not run at all for the pod.
 *
 * Enable it by name in a KubeSchedulerConfiguration, e.g. at multiPoint with a weight:
 *
 *   profiles:
 *     - plugins:
 *         multiPoint:
 *           enabled: [{name: TierPreference, weight: 2}]
 *       pluginConfig:
 *         - name: TierPreference
 *           args: {scores: {premium: 100, standard: 50}}
 *
 * and load the module with `spec.schedulerPlugins: [{module: path/to/tierPreference.ts}]` in a
 * scenario, or `--plugin path/to/tierPreference.ts` on the command line.
 *
 * Only types are imported from simk, so the module also works outside this repository; zod, for
 * the args schema, is the one runtime dependency.
 */
import { z } from "zod";
import type {
  CycleState,
  FilterPlugin,
  NodeInfo,
  PodInfo,
  PreFilterPlugin,
  PreFilterResult,
  ScorePlugin,
  Status,
} from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "TierPreference";
export const DEFAULT_LABEL = "example.simk.dev/tier";

/**
 * `pluginConfig[].args`: every field optional, defaults applied; unknown fields are errors, and
 * a problem is reported with its path, e.g. `profiles[0].pluginConfig[0].args.scores.premium`.
 */
export const tierPreferenceArgsSchema = z
  .strictObject({
    labelKey: z.string().min(1).default(DEFAULT_LABEL),
    scores: z.record(z.string(), z.int().min(0).max(100)).default({ premium: 100, standard: 50 }),
    requireLabel: z.boolean().default(false),
  })
  .prefault({});

export type TierPreferenceArgs = z.output<typeof tierPreferenceArgsSchema>;

const SUCCESS: Status = { code: "Success", reasons: [] };
const SKIP: Status = { code: "Skip", reasons: [] };

export class TierPreference implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = NAME;

  constructor(readonly args: TierPreferenceArgs) {}

  /** Skip (and so no Filter) unless nodes without the label must be rejected. */
  preFilter(): PreFilterResult {
    return { status: this.args.requireLabel ? SUCCESS : SKIP };
  }

  filter(_state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    if (node.node.metadata.labels?.[this.args.labelKey] !== undefined) return SUCCESS;
    // Unschedulable and unresolvable: no preemption on this node can add the label.
    return { code: "UnschedulableAndUnresolvable", reasons: [`node(s) had no ${this.args.labelKey} label`], plugin: NAME };
  }

  /** 0..100 already, so no normalizeScore: the framework multiplies by the weight. */
  score(_state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const tier = node.node.metadata.labels?.[this.args.labelKey];
    return tier === undefined ? 0 : (this.args.scores[tier] ?? 0);
  }
}

export const factory: PluginFactory<TierPreferenceArgs> = {
  name: NAME,
  args: tierPreferenceArgsSchema,
  create: (args) => new TierPreference(args),
};
