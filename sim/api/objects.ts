/**
 * The Kubernetes objects simk models, with Kubernetes' own field names.
 *
 * Only the fields simk reads or writes are typed. Two deliberate departures from the wire format,
 * both noted in the README:
 *  - timestamps (creationTimestamp, deletionTimestamp, lastHeartbeatTime, renewTime, ...) are
 *    simulated time in integer microseconds, not RFC 3339 strings;
 *  - resource quantities stay strings (or numbers) exactly as written; components parse them once
 *    through sim/units/quantity.ts.
 *
 * Objects held by the store are treated as immutable: a component that wants to change one builds a
 * new object (copy-on-write) and writes it back through the store.
 */

/** Simulated time in integer microseconds since the start of the run. */
export type Micros = number;

export type QuantityValue = string | number;
export type ResourceList = Record<string, QuantityValue>;
export type IntOrString = number | string;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: Micros;
  deletionTimestamp?: Micros;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** Metadata of an object that has not been stored yet: the server fills in the rest. */
export interface NewObjectMeta {
  name?: string;
  namespace?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

// ---------------------------------------------------------------------------------------------
// Pod

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: Micros;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: TaintEffect | "";
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore";
  nodeTaintsPolicy?: "Honor" | "Ignore";
  matchLabelKeys?: string[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
}

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface Container {
  name: string;
  image?: string;
  resources?: ResourceRequirements;
  ports?: ContainerPort[];
  /** Only on init containers: "Always" makes it a sidecar. */
  restartPolicy?: "Always";
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulerName?: string;
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
  overhead?: ResourceList;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: "Always" | "OnFailure" | "Never";
  activeDeadlineSeconds?: number;
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface PodCondition {
  type: "PodScheduled" | "Initialized" | "ContainersReady" | "Ready" | "DisruptionTarget";
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: Micros;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  started?: boolean;
}

export interface PodStatus {
  phase: PodPhase;
  conditions?: PodCondition[];
  nominatedNodeName?: string;
  startTime?: Micros;
  reason?: string;
  message?: string;
  podIP?: string;
  hostIP?: string;
  containerStatuses?: ContainerStatus[];
}

export interface PodTemplateSpec {
  metadata?: NewObjectMeta;
  spec: PodSpec;
}

export interface Pod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta;
  spec: PodSpec;
  status: PodStatus;
}

// ---------------------------------------------------------------------------------------------
// Node

export interface NodeCondition {
  type: "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable";
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastHeartbeatTime?: Micros;
  lastTransitionTime?: Micros;
}

export interface NodeSpec {
  unschedulable?: boolean;
  taints?: Taint[];
  podCIDR?: string;
}

export interface NodeStatus {
  capacity: ResourceList;
  allocatable: ResourceList;
  conditions: NodeCondition[];
  images?: { names: string[]; sizeBytes: number }[];
}

export interface Node {
  apiVersion: "v1";
  kind: "Node";
  metadata: ObjectMeta;
  spec: NodeSpec;
  status: NodeStatus;
}

// ---------------------------------------------------------------------------------------------
// Workloads

export interface RollingUpdateDeployment {
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface DeploymentStrategy {
  type: "RollingUpdate" | "Recreate";
  rollingUpdate?: RollingUpdateDeployment;
}

export interface DeploymentCondition {
  type: "Available" | "Progressing" | "ReplicaFailure";
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastUpdateTime?: Micros;
  lastTransitionTime?: Micros;
}

export interface DeploymentSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy: DeploymentStrategy;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  paused?: boolean;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
}

export interface Deployment {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta;
  spec: DeploymentSpec;
  status: DeploymentStatus;
}

export interface ReplicaSetSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds: number;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

export interface ReplicaSet {
  apiVersion: "apps/v1";
  kind: "ReplicaSet";
  metadata: ObjectMeta;
  spec: ReplicaSetSpec;
  status: ReplicaSetStatus;
}

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds?: number;
  updateStrategy?: {
    type: "RollingUpdate" | "OnDelete";
    rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
  };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  numberMisscheduled: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  updatedNumberScheduled?: number;
  observedGeneration?: number;
}

export interface DaemonSet {
  apiVersion: "apps/v1";
  kind: "DaemonSet";
  metadata: ObjectMeta;
  spec: DaemonSetSpec;
  status: DaemonSetStatus;
}

export interface JobSpec {
  template: PodTemplateSpec;
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  completionMode?: "NonIndexed" | "Indexed";
  selector?: LabelSelector;
}

export interface JobCondition {
  type: "Complete" | "Failed" | "Suspended" | "FailureTarget" | "SuccessCriteriaMet";
  status: "True" | "False";
  reason?: string;
  message?: string;
  lastTransitionTime?: Micros;
}

export interface JobStatus {
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  completedIndexes?: string;
  startTime?: Micros;
  completionTime?: Micros;
  conditions?: JobCondition[];
}

export interface Job {
  apiVersion: "batch/v1";
  kind: "Job";
  metadata: ObjectMeta;
  spec: JobSpec;
  status: JobStatus;
}

// ---------------------------------------------------------------------------------------------
// Networking

export interface ServicePort {
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports: ServicePort[];
  type: "ClusterIP" | "NodePort" | "LoadBalancer";
  clusterIP?: string;
  sessionAffinity: "None" | "ClientIP";
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: "Cluster" | "Local";
  internalTrafficPolicy?: "Cluster" | "Local";
}

export interface Service {
  apiVersion: "v1";
  kind: "Service";
  metadata: ObjectMeta;
  spec: ServiceSpec;
  status: Record<string, never>;
}

export interface Endpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  zone?: string;
  targetRef?: { kind: "Pod"; namespace: string; name: string; uid: string };
}

export interface EndpointSlice {
  apiVersion: "discovery.k8s.io/v1";
  kind: "EndpointSlice";
  metadata: ObjectMeta;
  addressType: "IPv4" | "IPv6" | "FQDN";
  endpoints: Endpoint[];
  ports: { name?: string; port: number; protocol?: "TCP" | "UDP" | "SCTP" }[];
}

// ---------------------------------------------------------------------------------------------
// Policy, scheduling, quota, coordination

export interface PriorityClass {
  apiVersion: "scheduling.k8s.io/v1";
  kind: "PriorityClass";
  metadata: ObjectMeta;
  value: number;
  globalDefault?: boolean;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
  description?: string;
}

export interface PodDisruptionBudget {
  apiVersion: "policy/v1";
  kind: "PodDisruptionBudget";
  metadata: ObjectMeta;
  spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector };
  status: {
    currentHealthy: number;
    desiredHealthy: number;
    disruptionsAllowed: number;
    expectedPods: number;
    observedGeneration?: number;
  };
}

export interface ResourceQuota {
  apiVersion: "v1";
  kind: "ResourceQuota";
  metadata: ObjectMeta;
  spec: { hard: ResourceList };
  status: { hard?: ResourceList; used?: ResourceList };
}

export interface Namespace {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: ObjectMeta;
  spec: Record<string, never>;
  status: { phase: "Active" | "Terminating" };
}

export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: ObjectMeta;
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: Micros;
    renewTime?: Micros;
    leaseTransitions?: number;
  };
}

// ---------------------------------------------------------------------------------------------

export interface KindMap {
  Node: Node;
  Pod: Pod;
  ReplicaSet: ReplicaSet;
  Deployment: Deployment;
  DaemonSet: DaemonSet;
  Job: Job;
  Service: Service;
  EndpointSlice: EndpointSlice;
  PriorityClass: PriorityClass;
  PodDisruptionBudget: PodDisruptionBudget;
  ResourceQuota: ResourceQuota;
  Namespace: Namespace;
  Lease: Lease;
}

export type Kind = keyof KindMap;
export type KubeObject = KindMap[Kind];

/** Kinds that live in a namespace (the rest are cluster-scoped). */
export const NAMESPACED_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  "Pod",
  "ReplicaSet",
  "Deployment",
  "DaemonSet",
  "Job",
  "Service",
  "EndpointSlice",
  "PodDisruptionBudget",
  "ResourceQuota",
  "Lease",
]);

export const API_VERSIONS: { readonly [K in Kind]: KindMap[K]["apiVersion"] } = {
  Node: "v1",
  Pod: "v1",
  ReplicaSet: "apps/v1",
  Deployment: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  Service: "v1",
  EndpointSlice: "discovery.k8s.io/v1",
  PriorityClass: "scheduling.k8s.io/v1",
  PodDisruptionBudget: "policy/v1",
  ResourceQuota: "v1",
  Namespace: "v1",
  Lease: "coordination.k8s.io/v1",
};

/** An object as a client submits it: the server assigns uid, resourceVersion and timestamps. */
export type NewObject<T extends KubeObject> = T extends KubeObject ? Omit<T, "metadata"> & { metadata: NewObjectMeta } : never;

/** "namespace/name" for namespaced objects, "name" for cluster-scoped ones. */
export function objectKey(meta: { namespace?: string; name: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

/** "Kind/namespace/name" (or "Kind/name"), as used in events.jsonl. */
export function objectRef(obj: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${obj.kind}/${objectKey(obj.metadata)}`;
}
