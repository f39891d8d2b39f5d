/**
 * Kubernetes manifests: zod schemas for the kinds simk models (with Kubernetes' field names), the API
 * server's defaults, and the cross-field checks its validation makes.
 *
 * Strictness: a field name that the real API does not have is an error ("did you mean"). Fields the
 * real API has but simk does not model (volumes, probes, env, ...) are accepted and dropped, so
 * manifests copied from a real cluster (`kubectl get -o yaml`) load unchanged.
 */
import { applyPodDefaults } from "../cluster/podDefaults.js";
import { z } from "zod";
import type {
  Container,
  ContainerPort,
  DaemonSet,
  DaemonSetSpec,
  Deployment,
  DeploymentSpec,
  DeploymentStrategy,
  Job,
  JobSpec,
  LabelSelector,
  LabelSelectorRequirement,
  Namespace,
  NewObject,
  NewObjectMeta,
  Node,
  NodeAffinity,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  NodeSpec,
  OwnerReference,
  Pod,
  PodAffinity,
  PodAffinityTerm,
  PodDisruptionBudget,
  PodSpec,
  PodTemplateSpec,
  PriorityClass,
  ReplicaSet,
  ResourceList,
  ResourceQuota,
  ResourceRequirements,
  Service,
  ServicePort,
  ServiceSpec,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from "../api/objects.js";
import { parseQuantity, QuantityError } from "../units/quantity.js";
import { describeValue, parseWith, type Issue, type PathSegment } from "./errors.js";
import { suggestion } from "./suggest.js";
import type { Manifest } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Schema helpers

/** T with every field optional, all the way down: the shape of a manifest before defaulting. */
type Loose<T> = T extends readonly (infer E)[] ? Loose<E>[] : T extends object ? { [K in keyof T]?: Loose<T[K]> } : T;

/**
 * What a zod shape for T may contain: only T's field names (a misspelt one is an excess property),
 * each with a schema whose output fits the field. Required-ness is checked where the final object
 * is typed as NewObject<...>.
 */
type ShapeFor<T> = { [K in keyof T]?: z.ZodType<Loose<T[K]> | undefined> };

type Out<S extends z.ZodRawShape> = z.output<z.ZodObject<S, z.core.$strict>>;

/**
 * A strict object: unknown fields are errors, except `ignored` ones — real Kubernetes fields simk
 * does not model — which are accepted and dropped from the output.
 */
function kobject<S extends z.ZodRawShape>(shape: S, ignored: readonly string[] = []): z.ZodType<Out<S>> {
  if (ignored.length === 0) return z.strictObject(shape) as unknown as z.ZodType<Out<S>>;
  const accepted = Object.fromEntries(ignored.map((name) => [name, z.unknown().optional()]));
  return z.strictObject({ ...shape, ...accepted }).transform((value) => {
    const out: Record<string, unknown> = { ...value };
    for (const name of ignored) delete out[name];
    return out as Out<S>;
  }) as unknown as z.ZodType<Out<S>>;
}

/** A custom issue that points at a mapping key rather than its value. */
function keyIssue(key: string, message: string): z.core.$ZodSuperRefineIssue {
  return { code: "custom", path: [key], message, params: { target: "key" } };
}

// ---------------------------------------------------------------------------------------------
// Value types

/** Kubernetes names (k8s.io/apimachinery/pkg/util/validation). */
export type NameRule = "subdomain" | "label" | "dns1035";

const LABEL_RE = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const NAME_RULES: Record<NameRule, { re: RegExp; max: number; text: string }> = {
  subdomain: {
    re: new RegExp(`^${LABEL_RE}(\\.${LABEL_RE})*$`),
    max: 253,
    text: "a lowercase RFC 1123 subdomain: lower case alphanumerics, '-' or '.', starting and ending with an alphanumeric (e.g. \"example.com\")",
  },
  label: {
    re: new RegExp(`^${LABEL_RE}$`),
    max: 63,
    text: "a lowercase RFC 1123 label: lower case alphanumerics or '-', starting and ending with an alphanumeric (e.g. \"my-name\" or \"123-abc\")",
  },
  dns1035: {
    re: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    max: 63,
    text: "a DNS-1035 label: lower case alphanumerics or '-', starting with a letter and ending with an alphanumeric (e.g. \"my-name\" or \"abc-123\")",
  },
};

export function dnsName(rule: NameRule): z.ZodType<string> {
  const { re, max, text } = NAME_RULES[rule];
  return z.string().superRefine((name, ctx) => {
    if (name.length > max) ctx.addIssue(`must be at most ${max} characters long, got ${name.length}`);
    else if (!re.test(name)) ctx.addIssue(`must be ${text}; got ${JSON.stringify(name)}`);
  });
}

const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** validation.IsQualifiedName: `[prefix/]name`, the form of label and annotation keys. */
function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !NAME_RULES.subdomain.re.test(prefix))) {
    return "the prefix before '/' must be a lowercase DNS subdomain such as example.com";
  }
  if (name.length === 0 || name.length > 63 || !LABEL_VALUE_RE.test(name)) {
    return "the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric, optionally prefixed by a DNS subdomain and '/' (e.g. app.kubernetes.io/name)";
  }
  return undefined;
}

/** Label maps: string → string (`version: 1` is an error, as kubectl says), keys and values checked. */
export const labels = z.record(z.string(), z.string()).superRefine((map, ctx) => {
  for (const [key, value] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) ctx.addIssue(keyIssue(key, `invalid label key ${JSON.stringify(key)}: ${keyProblem}`));
    if (value.length > 63 || !LABEL_VALUE_RE.test(value)) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `invalid label value ${JSON.stringify(value)}: must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (or empty)`,
      });
    }
  }
});

/** Annotations are free-form strings (the simk.dev/ prefix carries simk parameters). */
export const annotations = z.record(z.string(), z.string());

/** A resource quantity ("500m", "2Gi", 4): validated, kept as written. */
export const quantity = z
  .union([z.string(), z.number()], {
    error: (iss) => `expected a quantity such as 500m, 2, 128Mi or 1.5G, got ${describeValue(iss.input)}`,
  })
  .superRefine((value, ctx) => {
    try {
      if (parseQuantity(value).nanos < 0n) ctx.addIssue(`quantity ${JSON.stringify(value)} must not be negative`);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      ctx.addIssue(e.message);
    }
  });

const STANDARD_RESOURCES = ["cpu", "memory", "ephemeral-storage"];
const NODE_RESOURCES = [...STANDARD_RESOURCES, "pods", "storage"];

/**
 * Resource names as the API server allows them (pkg/apis/core/validation: standard names, hugepages-<size>,
 * or a domain-qualified extended resource such as nvidia.com/gpu). Catches "cpus" and "mem".
 */
export function resourceList(where: "container" | "node"): z.ZodType<ResourceList> {
  const standard = where === "node" ? NODE_RESOURCES : STANDARD_RESOURCES;
  return z.record(z.string(), quantity).superRefine((list, ctx) => {
    for (const name of Object.keys(list)) {
      if (standard.includes(name) || name.startsWith("hugepages-") || name.includes("/")) continue;
      ctx.addIssue(
        keyIssue(
          name,
          `unknown resource ${JSON.stringify(name)}: expected one of ${standard.join(", ")}, hugepages-<size>, ` +
            `or an extended resource with a domain such as nvidia.com/gpu${suggestion(name, standard)}`,
        ),
      );
    }
  });
}

const int32 = z.int32();
const nonNegative32 = z.int32().min(0);
const port = z.int().min(1).max(65535);
const protocol = z.enum(["TCP", "UDP", "SCTP"]);

/** int-or-string where the string is a percentage: maxSurge, maxUnavailable, minAvailable. */
const intOrPercent = z.union(
  [nonNegative32, z.string().regex(/^[0-9]+%$/, { error: (iss) => `expected a percentage such as "25%", got ${describeValue(iss.input)}` })],
  { error: (iss) => `expected an integer or a percentage such as "25%", got ${describeValue(iss.input)}` },
);

/** A Service targetPort: a port number or a container port's name. */
const portOrName = z.union([port, z.string().min(1)], {
  error: (iss) => `expected a port number or a named container port, got ${describeValue(iss.input)}`,
});

// ---------------------------------------------------------------------------------------------
// Metadata and selectors

const ownerReference = kobject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
} satisfies ShapeFor<OwnerReference>);

/** Server-set metadata (and status): accepted from `kubectl get -o yaml` output, then dropped. */
const META_IGNORED = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "finalizers",
];

function objectMeta(rule: NameRule) {
  return kobject(
    {
      name: dnsName(rule).optional(),
      namespace: dnsName("label").optional(),
      generateName: z.string().optional(),
      labels: labels.optional(),
      annotations: annotations.optional(),
      ownerReferences: z.array(ownerReference).optional(),
    } satisfies ShapeFor<NewObjectMeta>,
    META_IGNORED,
  );
}

const labelSelectorRequirement = kobject({
  key: z.string().min(1),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
  values: z.array(z.string()).optional(),
} satisfies ShapeFor<LabelSelectorRequirement>);

const labelSelector = kobject({
  matchLabels: labels.optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
} satisfies ShapeFor<LabelSelector>);

// ---------------------------------------------------------------------------------------------
// Pods

const taintEffect = z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

export const taint = kobject(
  { key: z.string().min(1), value: z.string().optional(), effect: taintEffect } satisfies ShapeFor<Taint>,
  ["timeAdded"], // a server-set timestamp
);

const toleration = kobject({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute", ""]).optional(),
  tolerationSeconds: z.int().optional(),
} satisfies ShapeFor<Toleration>);

const nodeSelectorRequirement = kobject({
  key: z.string().min(1),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: z.array(z.string()).optional(),
} satisfies ShapeFor<NodeSelectorRequirement>);

const nodeSelectorTerm = kobject({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
} satisfies ShapeFor<NodeSelectorTerm>);

const weight = z.int().min(1).max(100);

const nodeAffinity = kobject({
  requiredDuringSchedulingIgnoredDuringExecution: kobject({ nodeSelectorTerms: z.array(nodeSelectorTerm) }).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(kobject({ weight, preference: nodeSelectorTerm }))
    .optional(),
} satisfies ShapeFor<NodeAffinity>);

const podAffinityTerm = kobject({
  labelSelector: labelSelector.optional(),
  namespaces: z.array(z.string()).optional(),
  namespaceSelector: labelSelector.optional(),
  topologyKey: z.string().min(1),
  matchLabelKeys: z.array(z.string()).optional(),
  mismatchLabelKeys: z.array(z.string()).optional(),
} satisfies ShapeFor<PodAffinityTerm>);

const podAffinity = kobject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(kobject({ weight, podAffinityTerm })).optional(),
} satisfies ShapeFor<PodAffinity>);

const affinity = kobject({
  nodeAffinity: nodeAffinity.optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
});

const topologySpreadConstraint = kobject({
  maxSkew: z.int().min(1),
  topologyKey: z.string().min(1),
  whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
  labelSelector: labelSelector.optional(),
  minDomains: z.int().min(1).optional(),
  nodeAffinityPolicy: z.enum(["Honor", "Ignore"]).optional(),
  nodeTaintsPolicy: z.enum(["Honor", "Ignore"]).optional(),
  matchLabelKeys: z.array(z.string()).optional(),
} satisfies ShapeFor<TopologySpreadConstraint>);

const containerPort = kobject({
  name: z.string().optional(),
  containerPort: port,
  hostPort: port.optional(),
  hostIP: z.string().optional(),
  protocol: protocol.optional(),
} satisfies ShapeFor<ContainerPort>);

const resourceRequirements = kobject(
  {
    requests: resourceList("container").optional(),
    limits: resourceList("container").optional(),
  } satisfies ShapeFor<ResourceRequirements>,
  ["claims"],
);

/** core/v1 Container fields simk does not model. */
const CONTAINER_IGNORED = [
  "command",
  "args",
  "workingDir",
  "env",
  "envFrom",
  "volumeMounts",
  "volumeDevices",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "imagePullPolicy",
  "securityContext",
  "stdin",
  "stdinOnce",
  "tty",
  "resizePolicy",
  "restartPolicyRules",
];

const container = kobject(
  {
    name: dnsName("label"),
    image: z.string().optional(),
    resources: resourceRequirements.optional(),
    ports: z.array(containerPort).optional(),
    restartPolicy: z.literal("Always").optional(),
  } satisfies ShapeFor<Container>,
  CONTAINER_IGNORED,
);

/**
 * core/v1 PodSpec fields simk does not model. Pod-level `resources` and `schedulingGates` would affect
 * scheduling; they are accepted but ignored (see the README's list of gaps).
 */
const PODSPEC_IGNORED = [
  "volumes",
  "ephemeralContainers",
  "dnsPolicy",
  "dnsConfig",
  "hostNetwork",
  "hostPID",
  "hostIPC",
  "hostUsers",
  "shareProcessNamespace",
  "serviceAccountName",
  "serviceAccount",
  "automountServiceAccountToken",
  "securityContext",
  "imagePullSecrets",
  "hostname",
  "subdomain",
  "setHostnameAsFQDN",
  "hostAliases",
  "readinessGates",
  "runtimeClassName",
  "enableServiceLinks",
  "os",
  "schedulingGates",
  "resourceClaims",
  "resources",
];

const podSpec = kobject(
  {
    containers: z.array(container).min(1),
    initContainers: z.array(container).optional(),
    nodeName: z.string().optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    affinity: affinity.optional(),
    tolerations: z.array(toleration).optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraint).optional(),
    schedulerName: z.string().optional(),
    priority: int32.optional(),
    priorityClassName: z.string().optional(),
    preemptionPolicy: z.enum(["PreemptLowerPriority", "Never"]).optional(),
    overhead: resourceList("container").optional(),
    terminationGracePeriodSeconds: z.int().min(0).optional(),
    restartPolicy: z.enum(["Always", "OnFailure", "Never"]).optional(),
    activeDeadlineSeconds: z.int().min(1).optional(),
  } satisfies ShapeFor<PodSpec>,
  PODSPEC_IGNORED,
);

const podTemplate = kobject({
  metadata: objectMeta("subdomain").optional(),
  spec: podSpec,
} satisfies ShapeFor<PodTemplateSpec>);

/**
 * A container with a limit but no request for a resource requests its limit
 * (pkg/apis/core/v1/defaults.go, SetDefaults_Pod). Upstream applies this to Pods only, not to pod
 * templates, so controllers creating pods from a template must apply it too.
 */
export { applyPodDefaults };

// ---------------------------------------------------------------------------------------------
// Kinds

/** Namespaced kinds default to "default" (the namespace kubectl uses when none is given). */
function inNamespace<M extends NewObjectMeta>(meta: M): M {
  return { ...meta, namespace: meta.namespace ?? "default" };
}

/**
 * The API server clears metadata.namespace on cluster-scoped objects
 * (staging/src/k8s.io/apiserver/pkg/registry/rest/create.go, BeforeCreate).
 */
function clusterScoped<M extends NewObjectMeta>(meta: M): M {
  const { namespace: _dropped, ...rest } = meta;
  return rest as M;
}

const pod: z.ZodType<NewObject<Pod>> = kobject(
  { apiVersion: z.literal("v1"), kind: z.literal("Pod"), metadata: objectMeta("subdomain"), spec: podSpec },
  ["status"],
).transform((p) => ({
  ...p,
  metadata: inNamespace(p.metadata),
  spec: applyPodDefaults(p.spec),
  status: { phase: "Pending" as const },
}));

const NODE_STATUS_IGNORED = [
  "conditions",
  "addresses",
  "daemonEndpoints",
  "nodeInfo",
  "images",
  "volumesInUse",
  "volumesAttached",
  "config",
  "phase",
  "runtimeHandlers",
  "features",
];

/** Kubelet's default maxPods (pkg/kubelet/apis/config/v1beta1/defaults.go): what a node reports as `pods`. */
const DEFAULT_PODS = "110";

export function withPods(list: ResourceList): ResourceList {
  return list.pods === undefined ? { ...list, pods: DEFAULT_PODS } : list;
}

const node: z.ZodType<NewObject<Node>> = kobject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Node"),
  metadata: objectMeta("subdomain"),
  spec: kobject(
    {
      unschedulable: z.boolean().optional(),
      taints: z.array(taint).optional(),
      podCIDR: z.string().optional(),
    } satisfies ShapeFor<NodeSpec>,
    ["podCIDRs", "providerID", "configSource", "externalID"],
  ).optional(),
  // Only the resources are input; the rest of a node's status is simulated.
  status: kobject(
    { capacity: resourceList("node").optional(), allocatable: resourceList("node").optional() },
    NODE_STATUS_IGNORED,
  ).optional(),
}).transform((n) => {
  const allocatable = withPods(n.status?.allocatable ?? n.status?.capacity ?? {});
  return {
    apiVersion: n.apiVersion,
    kind: n.kind,
    metadata: clusterScoped(n.metadata),
    spec: n.spec ?? {},
    status: { allocatable, capacity: n.status?.capacity ? withPods(n.status.capacity) : allocatable, conditions: [] },
  };
});

const deploymentSpec = kobject({
  replicas: nonNegative32.optional(),
  selector: labelSelector,
  template: podTemplate,
  strategy: kobject({
    type: z.enum(["RollingUpdate", "Recreate"]).optional(),
    rollingUpdate: kobject({ maxSurge: intOrPercent.optional(), maxUnavailable: intOrPercent.optional() }).optional(),
  }).optional(),
  minReadySeconds: nonNegative32.optional(),
  revisionHistoryLimit: nonNegative32.optional(),
  progressDeadlineSeconds: z.int32().min(1).optional(),
  paused: z.boolean().optional(),
} satisfies ShapeFor<DeploymentSpec>);

/** pkg/apis/apps/v1/defaults.go, SetDefaults_Deployment. */
function defaultDeploymentSpec(spec: z.output<typeof deploymentSpec>): DeploymentSpec {
  const type = spec.strategy?.type ?? "RollingUpdate";
  // Under Recreate a rollingUpdate block is kept as written, for checkManifest to reject.
  const strategy: DeploymentStrategy =
    type === "RollingUpdate"
      ? {
          type,
          rollingUpdate: {
            maxUnavailable: spec.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
            maxSurge: spec.strategy?.rollingUpdate?.maxSurge ?? "25%",
          },
        }
      : { ...spec.strategy, type };
  return {
    ...spec,
    replicas: spec.replicas ?? 1,
    strategy,
    minReadySeconds: spec.minReadySeconds ?? 0,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
  };
}

const deployment: z.ZodType<NewObject<Deployment>> = kobject(
  { apiVersion: z.literal("apps/v1"), kind: z.literal("Deployment"), metadata: objectMeta("subdomain"), spec: deploymentSpec },
  ["status"],
).transform((d) => ({ ...d, metadata: inNamespace(d.metadata), spec: defaultDeploymentSpec(d.spec), status: {} }));

// pkg/apis/apps/v1/defaults.go, SetDefaults_ReplicaSet: replicas 1 (minReadySeconds is Go's zero value).
const replicaSet: z.ZodType<NewObject<ReplicaSet>> = kobject(
  {
    apiVersion: z.literal("apps/v1"),
    kind: z.literal("ReplicaSet"),
    metadata: objectMeta("subdomain"),
    spec: kobject({
      replicas: nonNegative32.optional(),
      selector: labelSelector,
      template: podTemplate,
      minReadySeconds: nonNegative32.optional(),
    }),
  },
  ["status"],
).transform((r) => ({
  ...r,
  metadata: inNamespace(r.metadata),
  spec: { ...r.spec, replicas: r.spec.replicas ?? 1, minReadySeconds: r.spec.minReadySeconds ?? 0 },
  status: { replicas: 0 },
}));

const daemonSetSpec = kobject(
  {
    selector: labelSelector,
    template: podTemplate,
    minReadySeconds: nonNegative32.optional(),
    updateStrategy: kobject({
      type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
      rollingUpdate: kobject({ maxUnavailable: intOrPercent.optional(), maxSurge: intOrPercent.optional() }).optional(),
    }).optional(),
  } satisfies ShapeFor<DaemonSetSpec>,
  ["revisionHistoryLimit", "templateGeneration"],
);

/** pkg/apis/apps/v1/defaults.go, SetDefaults_DaemonSet. */
function defaultDaemonSetSpec(spec: z.output<typeof daemonSetSpec>): DaemonSetSpec {
  const type = spec.updateStrategy?.type ?? "RollingUpdate";
  const rollingUpdate = spec.updateStrategy?.rollingUpdate;
  return {
    ...spec,
    updateStrategy:
      type === "RollingUpdate"
        ? { type, rollingUpdate: { maxUnavailable: rollingUpdate?.maxUnavailable ?? 1, maxSurge: rollingUpdate?.maxSurge ?? 0 } }
        : { ...spec.updateStrategy, type },
  };
}

const daemonSet: z.ZodType<NewObject<DaemonSet>> = kobject(
  { apiVersion: z.literal("apps/v1"), kind: z.literal("DaemonSet"), metadata: objectMeta("subdomain"), spec: daemonSetSpec },
  ["status"],
).transform((d) => ({
  ...d,
  metadata: inNamespace(d.metadata),
  spec: defaultDaemonSetSpec(d.spec),
  status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberReady: 0, numberMisscheduled: 0 },
}));

const jobSpec = kobject(
  {
    template: podTemplate,
    completions: nonNegative32.optional(),
    parallelism: nonNegative32.optional(),
    backoffLimit: nonNegative32.optional(),
    activeDeadlineSeconds: z.int().min(1).optional(),
    completionMode: z.enum(["NonIndexed", "Indexed"]).optional(),
    selector: labelSelector.optional(),
  } satisfies ShapeFor<JobSpec>,
  [
    "ttlSecondsAfterFinished",
    "suspend",
    "manualSelector",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "podReplacementPolicy",
    "successPolicy",
    "managedBy",
  ],
);

/** pkg/apis/batch/v1/defaults.go, SetDefaults_Job. */
function defaultJobSpec(spec: z.output<typeof jobSpec>): JobSpec {
  // Both unset means a non-parallel job: one pod, one completion. Parallelism alone leaves
  // completions unset (a work-queue job).
  const bothUnset = spec.completions === undefined && spec.parallelism === undefined;
  return {
    ...spec,
    ...(bothUnset ? { completions: 1 } : {}),
    parallelism: spec.parallelism ?? 1,
    backoffLimit: spec.backoffLimit ?? 6,
    completionMode: spec.completionMode ?? "NonIndexed",
  };
}

const job: z.ZodType<NewObject<Job>> = kobject(
  { apiVersion: z.literal("batch/v1"), kind: z.literal("Job"), metadata: objectMeta("subdomain"), spec: jobSpec },
  ["status"],
).transform((j) => ({ ...j, metadata: inNamespace(j.metadata), spec: defaultJobSpec(j.spec), status: {} }));

const serviceSpec = kobject(
  {
    selector: z.record(z.string(), z.string()).optional(),
    ports: z
      .array(
        kobject(
          {
            name: z.string().optional(),
            protocol: protocol.optional(),
            port,
            targetPort: portOrName.optional(),
            nodePort: port.optional(),
          } satisfies ShapeFor<ServicePort>,
          ["appProtocol"],
        ),
      )
      .optional(),
    type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).optional(),
    clusterIP: z.string().optional(),
    sessionAffinity: z.enum(["None", "ClientIP"]).optional(),
    sessionAffinityConfig: kobject({
      clientIP: kobject({ timeoutSeconds: z.int().min(1).max(86400).optional() }).optional(),
    }).optional(),
    externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
    internalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
  } satisfies ShapeFor<ServiceSpec>,
  [
    "clusterIPs",
    "externalIPs",
    "externalName",
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "healthCheckNodePort",
    "publishNotReadyAddresses",
    "ipFamilies",
    "ipFamilyPolicy",
    "allocateLoadBalancerNodePorts",
    "trafficDistribution",
  ],
);

/** pkg/apis/core/v1/defaults.go, SetDefaults_Service. */
function defaultServiceSpec(spec: z.output<typeof serviceSpec>): ServiceSpec {
  const type = spec.type ?? "ClusterIP";
  const sessionAffinity = spec.sessionAffinity ?? "None";
  const { sessionAffinityConfig, ...rest } = spec;
  const out: ServiceSpec = {
    ...rest,
    type,
    sessionAffinity,
    // A targetPort left unset (or 0 / "") is the service port itself.
    ports: (spec.ports ?? []).map((p) => ({
      ...p,
      protocol: p.protocol ?? "TCP",
      targetPort: p.targetPort === undefined || p.targetPort === "" ? p.port : p.targetPort,
    })),
    internalTrafficPolicy: spec.internalTrafficPolicy ?? "Cluster",
  };
  if (sessionAffinity === "ClientIP") {
    out.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 },
    };
  }
  if (type !== "ClusterIP") out.externalTrafficPolicy = spec.externalTrafficPolicy ?? "Cluster";
  return out;
}

const service: z.ZodType<NewObject<Service>> = kobject(
  { apiVersion: z.literal("v1"), kind: z.literal("Service"), metadata: objectMeta("dns1035"), spec: serviceSpec },
  ["status"],
).transform((s) => ({ ...s, metadata: inNamespace(s.metadata), spec: defaultServiceSpec(s.spec), status: {} }));

const namespace: z.ZodType<NewObject<Namespace>> = kobject(
  {
    apiVersion: z.literal("v1"),
    kind: z.literal("Namespace"),
    metadata: objectMeta("label"),
    spec: kobject({}, ["finalizers"]).optional(),
  },
  ["status"],
).transform((n) => ({
  apiVersion: n.apiVersion,
  kind: n.kind,
  metadata: clusterScoped(n.metadata),
  spec: {},
  status: { phase: "Active" as const },
}));

const resourceQuota: z.ZodType<NewObject<ResourceQuota>> = kobject(
  {
    apiVersion: z.literal("v1"),
    kind: z.literal("ResourceQuota"),
    metadata: objectMeta("subdomain"),
    // Keys are quota names (requests.cpu, count/pods, ...), so only the values are checked.
    spec: kobject({ hard: z.record(z.string(), quantity).optional() }, ["scopes", "scopeSelector"]),
  },
  ["status"],
).transform((q) => ({ ...q, metadata: inNamespace(q.metadata), spec: { hard: q.spec.hard ?? {} }, status: {} }));

const podDisruptionBudget: z.ZodType<NewObject<PodDisruptionBudget>> = kobject(
  {
    apiVersion: z.literal("policy/v1"),
    kind: z.literal("PodDisruptionBudget"),
    metadata: objectMeta("subdomain"),
    spec: kobject(
      {
        minAvailable: intOrPercent.optional(),
        maxUnavailable: intOrPercent.optional(),
        selector: labelSelector.optional(),
      },
      ["unhealthyPodEvictionPolicy"],
    ),
  },
  ["status"],
).transform((p) => ({
  ...p,
  metadata: inNamespace(p.metadata),
  status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
}));

// pkg/apis/scheduling/v1/defaults.go, SetDefaults_PriorityClass: preemptionPolicy PreemptLowerPriority.
const priorityClass: z.ZodType<NewObject<PriorityClass>> = kobject({
  apiVersion: z.literal("scheduling.k8s.io/v1"),
  kind: z.literal("PriorityClass"),
  metadata: objectMeta("subdomain"),
  value: int32,
  globalDefault: z.boolean().optional(),
  preemptionPolicy: z.enum(["PreemptLowerPriority", "Never"]).optional(),
  description: z.string().optional(),
}).transform((c) => ({
  ...c,
  metadata: clusterScoped(c.metadata),
  preemptionPolicy: c.preemptionPolicy ?? "PreemptLowerPriority",
}));

/** Schemas by "apiVersion kind". */
const KINDS: Record<string, z.ZodType<Manifest>> = {
  "v1 Node": node,
  "v1 Pod": pod,
  "v1 Service": service,
  "v1 Namespace": namespace,
  "v1 ResourceQuota": resourceQuota,
  "apps/v1 Deployment": deployment,
  "apps/v1 ReplicaSet": replicaSet,
  "apps/v1 DaemonSet": daemonSet,
  "batch/v1 Job": job,
  "policy/v1 PodDisruptionBudget": podDisruptionBudget,
  "scheduling.k8s.io/v1 PriorityClass": priorityClass,
};

const SCHEDULER_CONFIG = "kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration";
const LIST = "v1 List";

/** Kinds that may be written in a manifest (for messages and "did you mean"). */
export const MANIFEST_KINDS: readonly string[] = Object.keys(KINDS).map((k) => k.split(" ")[1]);

const SUPPORTED_TEXT =
  "v1 Node, Pod, Service, Namespace, ResourceQuota, List; apps/v1 Deployment, ReplicaSet, DaemonSet; " +
  "batch/v1 Job; policy/v1 PodDisruptionBudget; scheduling.k8s.io/v1 PriorityClass; " +
  "kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration";

// ---------------------------------------------------------------------------------------------
// Documents

export interface LocatedManifest {
  manifest: Manifest;
  /** Path of the manifest inside its YAML document ([] for a whole document, ["items", 3] in a List). */
  path: PathSegment[];
}

export interface ManifestDocument {
  manifests: LocatedManifest[];
  schedulerConfigs: unknown[];
  issues: Issue[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates one YAML document (or an embedded manifest at `prefix`) holding a manifest, a `kind: List`
 * of them, or a KubeSchedulerConfiguration.
 */
export function parseManifestDocument(raw: unknown, prefix: PathSegment[] = []): ManifestDocument {
  const out: ManifestDocument = { manifests: [], schedulerConfigs: [], issues: [] };
  parseInto(raw, prefix, false, out);
  return out;
}

function parseInto(raw: unknown, path: PathSegment[], inList: boolean, out: ManifestDocument): void {
  if (!isMapping(raw)) {
    out.issues.push({ path, message: `expected a Kubernetes manifest (a mapping with apiVersion and kind), got ${describeValue(raw)}` });
    return;
  }
  const { apiVersion, kind } = raw;
  for (const [field, value] of [["apiVersion", apiVersion], ["kind", kind]] as const) {
    if (value === undefined) out.issues.push({ path: [...path, field], target: "parent", message: `missing required field "${field}"` });
    else if (typeof value !== "string") out.issues.push({ path: [...path, field], message: `expected a string, got ${describeValue(value)}` });
  }
  if (typeof apiVersion !== "string" || typeof kind !== "string") return;
  const id = `${apiVersion} ${kind}`;

  if (id === LIST && !inList) {
    parseList(raw, path, out);
    return;
  }
  if (id === SCHEDULER_CONFIG && !inList) {
    out.schedulerConfigs.push(raw);
    return;
  }
  const schema = KINDS[id];
  if (!schema) {
    out.issues.push(unsupported(apiVersion, kind, path));
    return;
  }
  const parsed = parseWith(schema, raw, path);
  if (!parsed.ok) {
    out.issues.push(...parsed.issues);
    return;
  }
  const problems = checkManifest(parsed.value);
  for (const p of problems) out.issues.push({ ...p, path: [...path, ...p.path] });
  if (problems.length === 0) out.manifests.push({ manifest: parsed.value, path });
}

function unsupported(apiVersion: string, kind: string, path: PathSegment[]): Issue {
  const known = Object.keys(KINDS).find((id) => id.endsWith(` ${kind}`));
  if (known) {
    const want = known.split(" ")[0];
    return { path: [...path, "apiVersion"], message: `unsupported apiVersion ${JSON.stringify(apiVersion)} for kind ${kind}: use ${JSON.stringify(want)}` };
  }
  if (kind === "Scenario") return { path: [...path, "kind"], message: "a Scenario document is not allowed here" };
  const hint = suggestion(kind, [...MANIFEST_KINDS, "List", "KubeSchedulerConfiguration"]);
  return {
    path: [...path, "kind"],
    message: `unsupported kind ${JSON.stringify(kind)} (apiVersion ${JSON.stringify(apiVersion)})${hint}; supported: ${SUPPORTED_TEXT}`,
  };
}

/** `kind: List`, as `kubectl get -o yaml` prints several objects. */
function parseList(raw: Record<string, unknown>, path: PathSegment[], out: ManifestDocument): void {
  const fields = ["apiVersion", "kind", "metadata", "items"];
  for (const key of Object.keys(raw)) {
    if (!fields.includes(key)) out.issues.push({ path: [...path, key], target: "key", message: `unknown field ${JSON.stringify(key)}${suggestion(key, fields)}` });
  }
  const items = raw.items ?? [];
  if (!Array.isArray(items)) {
    out.issues.push({ path: [...path, "items"], message: `expected a list of manifests, got ${describeValue(items)}` });
    return;
  }
  items.forEach((item, i) => parseInto(item, [...path, "items", i], true, out));
}

// ---------------------------------------------------------------------------------------------
// Cross-field checks (what the API server's validation would reject)

/** The pod specs inside a manifest, with their paths: a Pod's spec or a workload's template. */
export function podSpecsOf(m: Manifest): { spec: PodSpec; path: PathSegment[] }[] {
  switch (m.kind) {
    case "Pod":
      return [{ spec: m.spec, path: ["spec"] }];
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
    case "Job":
      return [{ spec: m.spec.template.spec, path: ["spec", "template", "spec"] }];
    default:
      return [];
  }
}

export function checkManifest(m: Manifest): Issue[] {
  const issues: Issue[] = [];
  if (!m.metadata.name && !m.metadata.generateName) {
    issues.push({ path: ["metadata", "name"], target: "parent", message: 'missing required field "name"' });
  }
  for (const { spec, path } of podSpecsOf(m)) checkPodSpec(spec, path, issues);

  switch (m.kind) {
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet": {
      checkSelector(m.spec.selector, m.spec.template, true, issues);
      // pkg/apis/apps/validation: these controllers keep their pods running.
      const policy = m.spec.template.spec.restartPolicy;
      if (policy !== undefined && policy !== "Always") {
        issues.push({ path: ["spec", "template", "spec", "restartPolicy"], message: `a ${m.kind}'s restartPolicy must be Always, got ${JSON.stringify(policy)}` });
      }
      break;
    }
    case "Job": {
      // pkg/apis/batch/validation: a Job's pods must not restart in place forever.
      const policy = m.spec.template.spec.restartPolicy;
      if (policy !== "OnFailure" && policy !== "Never") {
        issues.push({
          path: ["spec", "template", "spec", "restartPolicy"],
          target: policy === undefined ? "parent" : undefined,
          message: `a Job's restartPolicy must be OnFailure or Never, got ${policy === undefined ? "nothing (it defaults to Always)" : JSON.stringify(policy)}`,
        });
      }
      if (m.spec.selector) checkSelector(m.spec.selector, m.spec.template, false, issues);
      break;
    }
    case "PodDisruptionBudget":
      if (m.spec.minAvailable !== undefined && m.spec.maxUnavailable !== undefined) {
        issues.push({ path: ["spec", "maxUnavailable"], message: "minAvailable and maxUnavailable are mutually exclusive: set only one" });
      }
      break;
    case "Node": {
      const missing = ["cpu", "memory"].filter((r) => m.status.allocatable[r] === undefined);
      if (missing.length > 0) {
        issues.push({
          path: ["status", "allocatable"],
          message: `a Node needs status.allocatable (or status.capacity) with cpu and memory; missing ${missing.join(" and ")}`,
        });
      }
      break;
    }
    default:
      break;
  }
  if (m.kind === "Deployment") checkDeploymentStrategy(m.spec.strategy, issues);
  return issues;
}

function checkPodSpec(spec: PodSpec, path: PathSegment[], issues: Issue[]): void {
  const seen = new Set<string>();
  const groups = [["containers", spec.containers] as const, ["initContainers", spec.initContainers ?? []] as const];
  for (const [field, containers] of groups) {
    containers.forEach((c, i) => {
      const at = [...path, field, i];
      if (seen.has(c.name)) issues.push({ path: [...at, "name"], message: `duplicate container name ${JSON.stringify(c.name)}` });
      seen.add(c.name);
      const { requests = {}, limits = {} } = c.resources ?? {};
      for (const [resource, request] of Object.entries(requests)) {
        const limit = limits[resource];
        if (limit !== undefined && parseQuantity(request).nanos > parseQuantity(limit).nanos) {
          issues.push({
            path: [...at, "resources", "requests", resource],
            message: `request ${String(request)} must be less than or equal to the ${resource} limit ${String(limit)}`,
          });
        }
      }
    });
  }
}

/** The API server requires a workload's selector to select its own pods' labels. */
function checkSelector(selector: LabelSelector, template: PodTemplateSpec, required: boolean, issues: Issue[]): void {
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  if (empty) {
    if (required) issues.push({ path: ["spec", "selector"], message: "selector must not be empty: set matchLabels (or matchExpressions) to select the template's labels" });
    return;
  }
  const labels = template.metadata?.labels ?? {};
  if (selectorMatches(selector, labels)) return;
  const path = template.metadata?.labels ? ["spec", "template", "metadata", "labels"] : ["spec", "template", "metadata"];
  issues.push({
    path,
    message: `selector does not match template labels: spec.selector requires ${formatSelector(selector)}, template labels are ${formatLabels(labels)}`,
  });
}

function checkDeploymentStrategy(strategy: DeploymentStrategy, issues: Issue[]): void {
  const at = ["spec", "strategy", "rollingUpdate"];
  if (strategy.type === "Recreate") {
    if (strategy.rollingUpdate) issues.push({ path: at, message: 'may not be specified when strategy type is "Recreate"' });
    return;
  }
  const isZero = (v: number | string | undefined) => v === 0 || v === "0%";
  if (isZero(strategy.rollingUpdate?.maxSurge) && isZero(strategy.rollingUpdate?.maxUnavailable)) {
    issues.push({ path: [...at, "maxUnavailable"], message: "may not be 0 when maxSurge is 0: the rollout could never progress" });
  }
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    const ok =
      req.operator === "In" ? has && values.includes(labels[req.key])
      : req.operator === "NotIn" ? !has || !values.includes(labels[req.key])
      : req.operator === "Exists" ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    const values = `(${(r.values ?? []).join(",")})`;
    parts.push(
      r.operator === "In" ? `${r.key} in ${values}`
      : r.operator === "NotIn" ? `${r.key} notin ${values}`
      : r.operator === "Exists" ? r.key
      : `!${r.key}`,
    );
  }
  return parts.join(",");
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "(none)" : entries.map(([k, v]) => `${k}=${v}`).join(",");
}
