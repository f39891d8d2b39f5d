/**
 * DefaultPreemption, the default profile's PostFilter plugin
 * (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go). The algorithm lives
 * in sim/scheduler/preemption.ts; this plugin adds upstream's "preemption: " prefix to the
 * message it returns (which ends up after the filter reasons in FailedScheduling).
 *
 * Args (DefaultPreemptionArgs; defaults from pkg/scheduler/apis/config/v1/defaults.go, checks
 * from pkg/scheduler/apis/config/validation/validation_pluginargs.go):
 *   minCandidateNodesPercentage  0..100, default 10
 *   minCandidateNodesAbsolute    ≥ 0,    default 100
 *   and not both 0.
 */
import { z } from "zod";
import type { CycleState, NodeToStatus, PodInfo, PostFilterHandle, PostFilterOutput, PostFilterPlugin } from "../../sim/scheduler/framework.js";
import { statusMessage } from "../../sim/scheduler/framework.js";
import { DEFAULT_PREEMPTION_ARGS, PREEMPTION_PLUGIN_NAME, preempt, type DefaultPreemptionArgs } from "../../sim/scheduler/preemption.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export type { DefaultPreemptionArgs };

export const NAME = PREEMPTION_PLUGIN_NAME;

export const defaultPreemptionArgsSchema = z
  .object({
    minCandidateNodesPercentage: z
      .number()
      .int()
      .min(0, "minCandidateNodesPercentage: not in valid range [0, 100]")
      .max(100, "minCandidateNodesPercentage: not in valid range [0, 100]")
      .default(DEFAULT_PREEMPTION_ARGS.minCandidateNodesPercentage),
    minCandidateNodesAbsolute: z
      .number()
      .int()
      .min(0, "minCandidateNodesAbsolute: not in valid range [0, inf)")
      .default(DEFAULT_PREEMPTION_ARGS.minCandidateNodesAbsolute),
  })
  .strict()
  .refine((a) => !(a.minCandidateNodesPercentage === 0 && a.minCandidateNodesAbsolute === 0), {
    message: "both minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be zero",
  });

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  readonly args: DefaultPreemptionArgs;

  constructor(args: Partial<DefaultPreemptionArgs> = {}) {
    this.args = defaultPreemptionArgsSchema.parse(args);
  }

  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, handle: PostFilterHandle): PostFilterOutput {
    const out = preempt(this.args, handle, state, pod, statuses, this.name);
    const msg = statusMessage(out.status);
    if (msg.length === 0) return out;
    return { ...out, status: { code: out.status.code, reasons: [`preemption: ${msg}`], plugin: out.status.plugin ?? this.name } };
  }
}

export const defaultPreemptionFactory: PluginFactory<DefaultPreemptionArgs> = {
  name: NAME,
  args: defaultPreemptionArgsSchema,
  create: (args) => new DefaultPreemption(args),
};
