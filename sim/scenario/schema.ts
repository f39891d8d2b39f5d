/**
 * The zod schema of the `kind: Scenario` document (simk.dev/v1alpha1). Its output has durations in
 * integer µs and delays as DelaySpec; cross-references (node names, targets, `at` < duration) are
 * checked by load.ts, and embedded manifests by manifests.ts, so here they are plain mappings.
 */
import { z } from "zod";
import { DurationError, parseDuration } from "../units/duration.js";
import { describeValue } from "./errors.js";
import { annotations, dnsName, labels, quantity, resourceList, taint } from "./manifests.js";

export const SCENARIO_API_VERSION = "simk.dev/v1alpha1";

/** A Go duration string ("90s", "1h30m") or a number of seconds, as integer µs. */
export const duration = z
  .union([z.string(), z.number()], {
    error: (iss) => `expected a Go duration such as 90s, 5m or 1h30m, or a number of seconds; got ${describeValue(iss.input)}`,
  })
  .describe("A Go duration such as 90s, 5m or 1h30m, or a number of seconds")
  .transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (e) {
      if (!(e instanceof DurationError)) throw e;
      ctx.issues.push({ code: "custom", message: e.message, input: value });
      return z.NEVER;
    }
  });

const positiveDuration = duration.refine((us) => us > 0, "must be greater than 0");

const delayDistribution = z.discriminatedUnion("distribution", [
  z.strictObject({ distribution: z.literal("constant"), value: duration }),
  z
    .strictObject({ distribution: z.literal("uniform"), min: duration, max: duration })
    .refine((d) => d.min <= d.max, { message: "max must be >= min", path: ["max"] }),
  z.strictObject({ distribution: z.literal("exponential"), mean: duration }),
  z.strictObject({ distribution: z.literal("lognormal"), median: positiveDuration, sigma: z.number().min(0) }),
]);

/** A duration (a constant) or a distribution; always a DelaySpec once parsed. */
const delay = z
  .union([duration, delayDistribution], {
    error: (iss) =>
      `expected a duration such as 2s or a distribution such as {distribution: uniform, min: 1s, max: 2s}; got ${describeValue(iss.input)}`,
  })
  .transform((d) => (typeof d === "number" ? { distribution: "constant" as const, value: d } : d));

/** A service time: a delay, or {distribution: empirical, file} (values resampled from a CSV file). */
const serviceTime = z
  .union([duration, z.discriminatedUnion("distribution", [...delayDistribution.options, z.strictObject({ distribution: z.literal("empirical"), file: z.string().min(1) })])], {
    error: (iss) =>
      `expected a duration such as 10ms, a distribution such as {distribution: exponential, mean: 10ms}, or {distribution: empirical, file: times.csv}; got ${describeValue(iss.input)}`,
  })
  .transform((d) => (typeof d === "number" ? { distribution: "constant" as const, value: d } : d));

/** A request rate in requests per second. */
const rate = z.number().min(0).max(1e9);

const components = z.strictObject({
  leaderElection: z
    .strictObject({ leaseDuration: positiveDuration.optional(), renewDeadline: positiveDuration.optional(), retryPeriod: positiveDuration.optional() })
    .optional(),
  apiServer: z.strictObject({ watchLatency: duration.optional() }).optional(),
  scheduler: z
    .strictObject({ replicas: z.int().min(1).max(10).optional(), attemptLatency: duration.optional(), bindLatency: duration.optional() })
    .optional(),
  kubelet: z
    .strictObject({
      startupDelay: delay.optional(),
      cachedStartupDelay: delay.optional(),
      readinessDelay: delay.optional(),
      nodeStatusUpdateFrequency: positiveDuration.optional(),
      leaseRenewInterval: positiveDuration.optional(),
      nodeLeaseDurationSeconds: z.int().min(1).optional(),
      maxPods: z.int().min(1).optional(),
    })
    .optional(),
  nodeLifecycle: z
    .strictObject({
      nodeMonitorPeriod: positiveDuration.optional(),
      nodeMonitorGracePeriod: positiveDuration.optional(),
      nodeStartupGracePeriod: positiveDuration.optional(),
      nodeEvictionRate: z.number().min(0).optional(),
      secondaryNodeEvictionRate: z.number().min(0).optional(),
      largeClusterSizeThreshold: z.int().min(0).optional(),
      unhealthyZoneThreshold: z.number().min(0).max(1).optional(),
    })
    .optional(),
  controllers: z
    .strictObject({
      replicas: z.int().min(1).max(10).optional(),
      syncLatency: duration.optional(),
      burstReplicas: z.int().min(1).optional(),
      endpointSliceUpdatesBatchPeriod: duration.optional(),
      maxEndpointsPerSlice: z.int().min(1).max(1000).optional(),
    })
    .optional(),
  // kube-proxy on every node (sim/traffic/proxy.ts); defaults in defaults.ts.
  kubeProxy: z
    .strictObject({
      mode: z.enum(["iptables", "nftables", "ipvs"]).optional(),
      ipvsScheduler: z.enum(["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh"]).optional(),
      minSyncPeriod: duration.optional(),
      syncPeriod: positiveDuration.optional(),
    })
    .optional(),
});

/**
 * A spec.traffic entry (documented on TrafficSpec in types.ts). Cross-references (the Service, the
 * nodes, the balancer, CSV files) are checked by the loader.
 */
const trafficEntry = z.strictObject({
  name: dnsName("label").optional().describe("Names the entry for setTraffic and its RNG stream; default: the Service's name"),
  service: z.string().min(1).describe('The Service, "namespace/name" (or "name" in default)'),
  balancer: z.string().min(1).optional().describe("A balancer name (iptables, ipvs-rr, p2c, ...) or a module path relative to the scenario file"),
  arrivals: z.discriminatedUnion("process", [
    z.strictObject({ process: z.literal("poisson"), rate }),
    z.strictObject({ process: z.literal("constant"), rate }),
    z
      .strictObject({ process: z.literal("sine"), mean: rate, amplitude: rate, period: positiveDuration, phase: duration.optional() })
      .refine((a) => a.amplitude <= a.mean, { message: "amplitude must not exceed mean (a rate cannot go below 0)", path: ["amplitude"] }),
    z.strictObject({ process: z.literal("replay"), file: z.string().min(1) }),
  ]),
  clients: z
    .strictObject({
      count: z.int().min(1).max(1_000_000).optional(),
      // Exactly one of nodes / nodePort.
      from: z
        .strictObject({
          nodes: z.array(z.string().min(1)).min(1).optional(),
          nodePort: z.strictObject({ node: z.string().min(1) }).optional(),
        })
        .refine((f) => (f.nodes === undefined) !== (f.nodePort === undefined), "from takes exactly one of nodes (client pods) or nodePort (external clients)")
        .optional(),
    })
    .optional(),
  timeout: positiveDuration.optional(),
  retries: z.int().min(0).max(100).optional(),
  warmup: duration.optional(),
  backend: z
    .strictObject({
      workers: z.int().min(1).max(100_000).optional(),
      serviceTime: serviceTime.optional(),
      queueLimit: z.int().min(0).optional(),
      cpuPerWorker: quantity.optional(),
    })
    .optional(),
});

const nodePool = z.strictObject({
  name: dnsName("label"),
  count: z.int().min(0),
  zones: z.array(z.string().min(1)).min(1).optional(),
  region: z.string().min(1).optional(),
  template: z.strictObject({
    labels: labels.optional(),
    annotations: annotations.optional(),
    taints: z.array(taint).optional(),
    unschedulable: z.boolean().optional(),
    allocatable: resourceList("node").refine((list) => list.cpu !== undefined && list.memory !== undefined, {
      message: 'allocatable must include cpu and memory, e.g. {cpu: "4", memory: 16Gi}',
    }),
    capacity: resourceList("node").optional(),
  }),
});

/** An embedded Kubernetes manifest; validated by manifests.ts. */
const manifest = z.record(z.string(), z.unknown());

const nodeAction = <A extends string>(action: A) =>
  z.strictObject({ at: duration, action: z.literal(action), node: z.string().min(1) });

const timelineAction = z.discriminatedUnion("action", [
  nodeAction("failNode"),
  nodeAction("recoverNode"),
  nodeAction("removeNode"),
  nodeAction("cordon"),
  nodeAction("uncordon"),
  nodeAction("drain"),
  z.strictObject({ at: duration, action: z.literal("addNodes"), pool: z.string().min(1), count: z.int().min(1) }),
  z.strictObject({ at: duration, action: z.literal("scale"), target: z.string().min(1), replicas: z.int32().min(0) }),
  z.strictObject({
    at: duration,
    action: z.literal("rollout"),
    target: z.string().min(1),
    template: z
      .strictObject({
        image: z.string().min(1).optional(),
        labels: labels.optional(),
        annotations: annotations.optional(),
        resources: z
          .strictObject({ requests: resourceList("container").optional(), limits: resourceList("container").optional() })
          .optional(),
      })
      .refine((t) => Object.keys(t).length > 0, "must change at least one of image, labels, annotations, resources"),
  }),
  // Exactly one of manifest / manifests / file (checked by the loader).
  z.strictObject({
    at: duration,
    action: z.literal("apply"),
    manifest: manifest.optional(),
    manifests: z.array(manifest).min(1).optional(),
    file: z.string().min(1).optional(),
  }),
  z.strictObject({ at: duration, action: z.literal("delete"), target: z.string().min(1) }),
  z.strictObject({
    at: duration,
    action: z.literal("failComponent"),
    component: z.enum(["apiServer", "scheduler", "controllerManager"], {
      error: (iss) => `component must be one of apiServer, scheduler, controllerManager; got ${describeValue(iss.input)}`,
    }),
    duration: positiveDuration,
  }),
  z.strictObject({ at: duration, action: z.literal("setTraffic"), traffic: z.string().min(1), rate, over: duration.optional() }),
]);

/** last | min | max | mean | pNN (p0 to p100, decimals allowed: p99.9). */
const stat = z.string().refine(
  (s) => ["last", "min", "max", "mean"].includes(s) || (/^p\d+(\.\d+)?$/.test(s) && Number(s.slice(1)) <= 100),
  { error: (iss) => `stat must be one of last, min, max, mean or a percentile such as p50, p99, p99.9; got ${describeValue(iss.input)}` },
);

const expectation = z
  .strictObject({
    metric: z.string().min(1),
    stat: stat.optional(),
    op: z.enum(["<", "<=", "==", "!=", ">=", ">"]),
    value: z.number(),
    after: duration.optional(),
    before: duration.optional(),
  })
  .refine((e) => e.after === undefined || e.before === undefined || e.after <= e.before, {
    message: "after must not be later than before",
    path: ["before"],
  });

export const scenarioDocument = z
  .strictObject({
    apiVersion: z.literal(SCENARIO_API_VERSION),
    kind: z.literal("Scenario"),
    metadata: z.strictObject({
      name: dnsName("label"),
      description: z.string().optional(),
    }),
    spec: z.strictObject({
      duration: positiveDuration,
      seed: z.int().min(0).optional(),
      sampleInterval: positiveDuration.optional(),
      include: z.array(z.string().min(1)).optional(),
      nodePools: z.array(nodePool).optional(),
      components: components.optional(),
      timeline: z.array(timelineAction).optional(),
      expect: z.array(expectation).optional(),
      // Modules of custom scheduler plugins, relative to the scenario file (checked by the loader;
      // imported by sim/scheduler/pluginModules.ts). The plugins are then enabled by name in a
      // KubeSchedulerConfiguration document.
      schedulerPlugins: z
        .array(
          z
            .strictObject({ module: z.string().min(1).describe("Path of a .ts/.mts/.js/.mjs module exporting `factory` or `factories`") })
            .describe("A module of custom scheduler plugins"),
        )
        .optional(),
      traffic: z.array(trafficEntry).optional(),
    }),
  })
  .meta({
    title: "simk Scenario",
    description: "A simk scenario (apiVersion simk.dev/v1alpha1, kind Scenario); Kubernetes manifests go in further YAML documents.",
  });

export type ScenarioDocument = z.output<typeof scenarioDocument>;
export type TrafficEntry = NonNullable<ScenarioDocument["spec"]["traffic"]>[number];
export type TimelineEntry = ScenarioDocument["spec"]["timeline"] extends (infer E)[] | undefined ? E : never;

/** JSON Schema (draft 2020-12) of the Scenario document as written, for editors and `simk schema`. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(scenarioDocument, { io: "input", unrepresentable: "any" });
}
