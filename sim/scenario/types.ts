/**
 * The validated, normalised form of a scenario: what the loader hands to the simulation.
 * Durations are integer microseconds; quantities stay as written (strings) and are parsed by the
 * components that use them. The YAML form is documented in the README ("Scenario format").
 */
import type {
  DaemonSet,
  Deployment,
  Job,
  Namespace,
  NewObject,
  Node,
  Pod,
  PodDisruptionBudget,
  PriorityClass,
  ReplicaSet,
  ResourceList,
  ResourceQuota,
  Service,
  Taint,
} from "../api/objects.js";

/** Where a value came from, for error messages raised after loading (e.g. unknown node). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** YAML path, e.g. "spec.timeline[2].node". */
  path: string;
}

export interface NodePool {
  /** Nodes are named `<name>-<index>`, index from 0. */
  name: string;
  count: number;
  /** Zones assigned round-robin as topology.kubernetes.io/zone (and the region label, if set). */
  zones?: string[];
  region?: string;
  template: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    allocatable: ResourceList;
    /** Defaults to allocatable. */
    capacity?: ResourceList;
  };
}

/** A random or fixed delay, in µs once loaded. */
export type DelaySpec =
  | { distribution: "constant"; value: number }
  | { distribution: "uniform"; min: number; max: number }
  | { distribution: "exponential"; mean: number }
  | { distribution: "lognormal"; median: number; sigma: number };

export interface ApiServerSettings {
  /** Watch delivery latency (µs). */
  watchLatency: number;
}

export interface SchedulerSettings {
  /** Scheduler replicas electing a leader through the kube-system/kube-scheduler Lease. */
  replicas: number;
  /** Simulated time one scheduling attempt takes (µs). */
  attemptLatency: number;
  /** Binding latency: time from the decision to the pod's nodeName being written (µs). */
  bindLatency: number;
}

export interface KubeletSettings {
  /** Image pull + container start, for an image the node does not have yet. */
  startupDelay: DelaySpec;
  /** Container start for an image already on the node. */
  cachedStartupDelay: DelaySpec;
  /** From Running to Ready (readiness probe passing). */
  readinessDelay: DelaySpec;
  /** nodeStatusUpdateFrequency (µs). */
  nodeStatusUpdateFrequency: number;
  /** Lease renew interval (µs). */
  leaseRenewInterval: number;
  /** nodeLeaseDurationSeconds. */
  nodeLeaseDurationSeconds: number;
  maxPods: number;
}

export interface NodeLifecycleSettings {
  nodeMonitorPeriod: number;
  nodeMonitorGracePeriod: number;
  nodeStartupGracePeriod: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
}

export interface ControllerSettings {
  /** kube-controller-manager replicas electing a leader (kube-system/kube-controller-manager). */
  replicas: number;
  /** Time a controller takes to process one sync (µs). */
  syncLatency: number;
  /** ReplicaSet BurstReplicas. */
  burstReplicas: number;
  /** kube-controller-manager --endpointslice-updates-batch-period (µs). */
  endpointSliceUpdatesBatchPeriod: number;
  /** kube-controller-manager --max-endpoints-per-slice. */
  maxEndpointsPerSlice: number;
}

/** Leader election for the scheduler and controller-manager (µs). */
export interface LeaderElectionSettings {
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

/**
 * kube-proxy (one per node; sim/traffic/proxy.ts). YAML: spec.components.kubeProxy
 * `{mode: iptables|nftables|ipvs, ipvsScheduler: rr, minSyncPeriod: 1s, syncPeriod: 30s}`.
 */
export interface KubeProxySettings {
  mode: "iptables" | "nftables" | "ipvs";
  /** IPVS scheduler (--ipvs-scheduler), used when mode is ipvs: balancer "ipvs-<scheduler>". */
  ipvsScheduler: IpvsScheduler;
  /** Rules are rewritten at most this often (µs). */
  minSyncPeriod: number;
  /** Full resync period (µs). */
  syncPeriod: number;
}

/** The Linux IPVS schedulers kube-proxy can select (pkg/proxy/ipvs; semantics from the kernel). */
export const IPVS_SCHEDULERS = ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh"] as const;
export type IpvsScheduler = (typeof IPVS_SCHEDULERS)[number];

export interface ComponentSettings {
  leaderElection: LeaderElectionSettings;
  apiServer: ApiServerSettings;
  scheduler: SchedulerSettings;
  kubelet: KubeletSettings;
  nodeLifecycle: NodeLifecycleSettings;
  controllers: ControllerSettings;
  kubeProxy: KubeProxySettings;
}

/** A Kubernetes object given in the scenario, as the user wrote it (server fields unset). */
export type Manifest =
  | NewObject<Node>
  | NewObject<Pod>
  | NewObject<Service>
  | NewObject<Namespace>
  | NewObject<ResourceQuota>
  | NewObject<Deployment>
  | NewObject<ReplicaSet>
  | NewObject<DaemonSet>
  | NewObject<Job>
  | NewObject<PodDisruptionBudget>
  | NewObject<PriorityClass>;

/** "Kind/namespace/name" or "Kind/name" (cluster-scoped), or "name" where the kind is implied. */
export type ObjectTarget = string;

interface ActionBase {
  /** When, in µs from the start. */
  at: number;
  /** Where it was written, for later error messages. */
  source: SourceLocation;
}

export type TimelineAction =
  | (ActionBase & { action: "failNode"; node: string })
  | (ActionBase & { action: "recoverNode"; node: string })
  | (ActionBase & { action: "addNodes"; pool: string; count: number })
  | (ActionBase & { action: "removeNode"; node: string })
  | (ActionBase & { action: "cordon"; node: string })
  | (ActionBase & { action: "uncordon"; node: string })
  | (ActionBase & { action: "drain"; node: string })
  | (ActionBase & { action: "scale"; target: ObjectTarget; replicas: number })
  /** A pod-template change on a Deployment (or DaemonSet): the patch is merged into spec.template. */
  | (ActionBase & { action: "rollout"; target: ObjectTarget; template: RolloutPatch })
  | (ActionBase & { action: "apply"; manifests: Manifest[] })
  | (ActionBase & { action: "delete"; target: ObjectTarget })
  /** The API server is unavailable, or the scheduler's / controller-manager's leader dies, for `duration` µs. */
  | (ActionBase & { action: "failComponent"; component: "apiServer" | "scheduler" | "controllerManager"; duration: number })
  /**
   * The request rate of spec.traffic entry `traffic` becomes `rate` (req/s): at once, or along a
   * linear ramp over `over` µs. For a sine source `rate` is the new mean (the amplitude scales with it).
   */
  | (ActionBase & { action: "setTraffic"; traffic: string; rate: number; over?: number });

/** What a rollout changes. Any of these; `image` sets every container's image. */
export interface RolloutPatch {
  image?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

export type ExpectStat = "last" | "min" | "max" | "mean" | `p${number}`;
export type ExpectOp = "<" | "<=" | "==" | "!=" | ">=" | ">";

export interface Expectation {
  metric: string;
  stat: ExpectStat;
  op: ExpectOp;
  value: number;
  /** Only samples at or after this time (µs). */
  after?: number;
  /** Only samples at or before this time (µs). */
  before?: number;
  source: SourceLocation;
}

export interface Scenario {
  name: string;
  description?: string;
  /** Absolute path of the scenario file. */
  file: string;
  duration: number;
  seed: number;
  /** Time-series sample interval (µs). */
  sampleInterval: number;
  nodePools: NodePool[];
  components: ComponentSettings;
  /** Manifests from the scenario file and its includes, in file order. */
  manifests: Manifest[];
  timeline: TimelineAction[];
  expect: Expectation[];
  /** KubeSchedulerConfiguration documents, kept raw for the scheduler to validate. */
  schedulerConfigs: unknown[];
  /**
   * Where each of `schedulerConfigs` was written (same order), so that sim/scheduler/config.ts can
   * report its problems with file:line:column. Absent for scenarios built in code.
   */
  schedulerConfigSources?: DocumentLocator[];
  /** spec.schedulerPlugins: modules exporting custom scheduler plugins (sim/scheduler/pluginModules.ts). */
  schedulerPlugins?: PluginModuleRef[];
  /** spec.traffic: request sources sent to Services (sim/traffic/). Absent when there are none. */
  traffic?: TrafficSpec[];
}

// ---------------------------------------------------------------------------------------------
// Service traffic (spec.traffic; sim/traffic/)

/**
 * One spec.traffic entry, normalised. YAML:
 *
 *   traffic:
 *     - name: web                       # default: the Service's name
 *       service: default/web            # a Service of the scenario ("name" = default/name)
 *       balancer: p2c                   # optional: a registry name, or a module path (.ts/.js)
 *                                       # relative to the scenario file; default: kube-proxy's mode
 *       arrivals: {process: poisson, rate: 800}        # or constant; or
 *                 {process: sine, mean: 800, amplitude: 400, period: 24h, phase: 6h}; or
 *                 {process: replay, file: arrivals.csv} # a `time` column, seconds from the start
 *       clients:
 *         count: 100                    # distinct client (source) IPs; default 100
 *         from: {nodes: [worker-0]}     # client pods on these nodes (client i on nodes[i mod n]);
 *                                       # default: every node at the start; or
 *               {nodePort: {node: worker-0}}  # external clients through that node's NodePort
 *       timeout: 1s                     # client timeout per attempt; default none
 *       retries: 2                      # default 0
 *       warmup: 10s                     # latency statistics leave out earlier arrivals; default 0
 *       backend:                        # the server model of every pod behind the Service
 *         workers: 1                    # default 1
 *         serviceTime: {distribution: exponential, mean: 10ms}   # a delay spec, or
 *                      {distribution: empirical, file: times.csv} # a `time` column, seconds
 *         queueLimit: 1000              # requests waiting per pod; default 1000
 *         cpuPerWorker: 500m            # optional: busy workers slow down on a full node
 */
export interface TrafficSpec {
  name: string;
  /** "namespace/name". */
  service: string;
  /** Absent: the kube-proxy mode's own balancer. */
  balancer?: BalancerRef;
  arrivals: ArrivalSpec;
  clients: ClientSpec;
  /** Client timeout per attempt (µs); absent = none. */
  timeout?: number;
  retries: number;
  /** Latency statistics leave out requests that arrived before this (µs). */
  warmup: number;
  backend: BackendSpec;
  source: SourceLocation;
}

export type BalancerRef =
  /** A name in policies/proxy/registry.ts ("iptables", "ipvs-rr", "p2c", ...). */
  | { name: string }
  /** A module exporting `balancer` (a BalancerFactory): absolute path, and as written. */
  | { module: string; given: string };

export type ArrivalSpec =
  /** Poisson arrivals, or one every 1/rate s (rate in req/s). */
  | { process: "poisson" | "constant"; rate: number }
  /**
   * Non-homogeneous Poisson with rate mean + amplitude × sin(2π (t + phase) / period), by thinning.
   * period and phase in µs.
   */
  | { process: "sine"; mean: number; amplitude: number; period: number; phase: number }
  /** Arrival times read from a CSV file (µs from the start, non-decreasing). */
  | { process: "replay"; file: string; times: number[] };

export interface ClientSpec {
  count: number;
  /** Client pods on these nodes (absent: every node at the start), or external clients through one node's NodePort. */
  from: { nodes?: string[] } | { nodePort: { node: string } };
}

/** A service-time distribution: a DelaySpec, or resampling of measured values (µs). */
export type ServiceTimeSpec = DelaySpec | { distribution: "empirical"; file: string; values: number[] };

export interface BackendSpec {
  workers: number;
  serviceTime: ServiceTimeSpec;
  queueLimit: number;
  /** Millicores one busy worker uses; absent = no CPU model. */
  cpuPerWorker?: number;
}

/** Turns a path inside one YAML document into a position in its file. */
export interface DocumentLocator {
  /** The file as the user named it. */
  file: string;
  /**
   * The position of the node at `path` (or of its nearest ancestor that exists); with `key`, of the
   * mapping key of the last segment.
   */
  locate(path: readonly (string | number)[], key?: boolean): { line: number; column: number };
}

/** A module of custom scheduler plugins: `factory` or `factories` exports. */
export interface PluginModuleRef {
  /** Absolute path of the module file. */
  module: string;
  /** The path as the user wrote it (for messages). */
  given: string;
  /** Where it was named (spec.schedulerPlugins[i].module); absent for --plugin flags. */
  source?: SourceLocation;
}
