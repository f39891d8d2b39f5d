/**
 * PodTopologySpreadArgs (pkg/scheduler/apis/config/types_pluginargs.go), with the v1 defaults
 * (pkg/scheduler/apis/config/v1/defaults.go SetDefaults_PodTopologySpreadArgs: defaultingType
 * "System") and the checks of validation_pluginargs.go ValidatePodTopologySpreadArgs.
 */
import { z } from "zod";
import { qualifiedNameProblem } from "../resourceScoring.js";
import type { LabelSelector, TopologySpreadConstraint } from "../../../sim/api/objects.js";
import { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from "./common.js";

export interface PodTopologySpreadArgs {
  /** Used for pods without their own constraints, when defaultingType is "List". No labelSelector. */
  defaultConstraints?: TopologySpreadConstraint[];
  /** "System" (default): the built-in constraints below; "List": defaultConstraints. */
  defaultingType: "System" | "List";
}

/** plugin.go systemDefaultConstraints. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = Object.freeze([
  Object.freeze({ topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 3 } as const),
  Object.freeze({ topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 5 } as const),
]);

const labelSelectorSchema: z.ZodType<LabelSelector> = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const constraintSchema = z.strictObject({
  maxSkew: z.int(),
  topologyKey: z.string(),
  whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
  labelSelector: labelSelectorSchema.optional(),
  minDomains: z.int().optional(),
  nodeAffinityPolicy: z.enum(["Honor", "Ignore"]).optional(),
  nodeTaintsPolicy: z.enum(["Honor", "Ignore"]).optional(),
  matchLabelKeys: z.array(z.string()).optional(),
});

/** The problem with a label key (IsQualifiedName, as ValidateLabelName applies it), or undefined. */
export const labelKeyProblem: (key: string) => string | undefined = qualifiedNameProblem;

/**
 * The args schema: defaults applied (an absent args object is `{defaultingType: "System"}`), then
 * validated as upstream does. Unknown fields are errors, as in kube-scheduler's strict decoding.
 */
export const podTopologySpreadArgsSchema: z.ZodType<PodTopologySpreadArgs> = z
  .strictObject({
    defaultConstraints: z.array(constraintSchema).optional(),
    defaultingType: z.enum(["System", "List"]).default("System"),
  })
  .superRefine((args, ctx) => {
    const constraints = args.defaultConstraints ?? [];
    if (args.defaultingType === "System" && constraints.length > 0) {
      ctx.addIssue({ code: "custom", path: ["defaultingType"], message: 'Invalid value: "System": when .defaultConstraints are not empty' });
    }
    constraints.forEach((c, i) => {
      const at = (field: string): (string | number)[] => ["defaultConstraints", i, field];
      if (c.maxSkew <= 0) ctx.addIssue({ code: "custom", path: at("maxSkew"), message: `Invalid value: ${c.maxSkew}: not in valid range (0, inf)` });
      if (c.topologyKey.length === 0) {
        ctx.addIssue({ code: "custom", path: at("topologyKey"), message: "Required value: can not be empty" });
      } else {
        const problem = labelKeyProblem(c.topologyKey);
        if (problem) ctx.addIssue({ code: "custom", path: at("topologyKey"), message: `Invalid value: ${JSON.stringify(c.topologyKey)}: ${problem}` });
      }
      if (c.labelSelector !== undefined) {
        ctx.addIssue({ code: "custom", path: at("labelSelector"), message: "Forbidden: constraint must not define a selector, as they deduced for each pod" });
      }
      for (let j = 0; j < i; j++) {
        const o = constraints[j];
        if (o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable) {
          ctx.addIssue({
            code: "custom",
            path: ["defaultConstraints", i],
            message: `Duplicate value: "{${c.topologyKey}, ${c.whenUnsatisfiable}}"`,
          });
          break;
        }
      }
    });
  })
  .prefault({});
