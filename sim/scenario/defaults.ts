/**
 * Component defaults. Values that exist upstream carry the file they come from; the rest are simk's
 * own modelling choices (marked "simk") and are listed in the README.
 */
import type { ComponentSettings } from "./types.js";

const ms = 1_000;
const s = 1_000_000;

export const DEFAULT_COMPONENTS: ComponentSettings = {
  // staging/src/k8s.io/component-base/config/v1alpha1/defaults.go
  // (RecommendedDefaultLeaderElectionConfiguration): 15 s, 10 s, 2 s.
  leaderElection: {
    leaseDuration: 15 * s,
    renewDeadline: 10 * s,
    retryPeriod: 2 * s,
  },
  apiServer: {
    // simk: time from a write to a watcher seeing it (etcd commit + watch cache + network).
    watchLatency: 20 * ms,
  },
  scheduler: {
    replicas: 1,
    // simk: one filter/score cycle of kube-scheduler on a small cluster takes on the order of a ms.
    attemptLatency: 1 * ms,
    bindLatency: 2 * ms,
  },
  kubelet: {
    // simk: image pull + container start; a lognormal with a long tail, as pulls are.
    startupDelay: { distribution: "lognormal", median: 2 * s, sigma: 0.5 },
    cachedStartupDelay: { distribution: "uniform", min: 300 * ms, max: 800 * ms },
    // simk: first successful readiness probe after the container starts.
    readinessDelay: { distribution: "uniform", min: 1 * s, max: 2 * s },
    // pkg/kubelet/apis/config/v1beta1/defaults.go: nodeStatusUpdateFrequency 10s.
    nodeStatusUpdateFrequency: 10 * s,
    // pkg/kubelet/apis/config/v1beta1/defaults.go: nodeLeaseDurationSeconds 40; the lease is
    // renewed every 25 % of that (pkg/kubelet/nodelease: renewIntervalFraction 0.25) = 10 s.
    leaseRenewInterval: 10 * s,
    nodeLeaseDurationSeconds: 40,
    // pkg/kubelet/apis/config/v1beta1/defaults.go: maxPods 110.
    maxPods: 110,
  },
  nodeLifecycle: {
    // pkg/controller/nodelifecycle/config/v1alpha1/defaults.go and
    // cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go:
    nodeMonitorPeriod: 5 * s,
    // 50 s since v1.32 (kubernetes PR #126287); 40 s before.
    nodeMonitorGracePeriod: 50 * s,
    nodeStartupGracePeriod: 60 * s,
    nodeEvictionRate: 0.1,
    secondaryNodeEvictionRate: 0.01,
    largeClusterSizeThreshold: 50,
    unhealthyZoneThreshold: 0.55,
  },
  controllers: {
    replicas: 1,
    // simk: time a controller spends on one sync before its writes land.
    syncLatency: 1 * ms,
    // pkg/controller/replicaset/replica_set.go: BurstReplicas = 500.
    burstReplicas: 500,
    // cmd/kube-controller-manager/app/options/endpointslicecontroller.go: batch period 0,
    // max endpoints per slice 100.
    endpointSliceUpdatesBatchPeriod: 0,
    maxEndpointsPerSlice: 100,
  },
  // pkg/proxy/apis/config/v1alpha1/defaults.go: mode iptables on Linux, IPVS scheduler rr
  // (pkg/proxy/ipvs/proxier.go: defaultScheduler), syncPeriod 30 s, minSyncPeriod 1 s.
  kubeProxy: {
    mode: "iptables",
    ipvsScheduler: "rr",
    minSyncPeriod: 1 * s,
    syncPeriod: 30 * s,
  },
};

/**
 * spec.traffic defaults (simk): 100 clients, no retries unless asked, and a backend of one worker
 * with a 10 ms exponential service time and a 1000-request queue. A client without a timeout gives
 * up on a black-holed request (its entry node or its pod's node is down) after Linux's connect
 * timeout: tcp_syn_retries 6, so 1+2+4+8+16+32+64 = 127 s.
 */
export const TRAFFIC_DEFAULTS = {
  clients: 100,
  retries: 0,
  workers: 1,
  queueLimit: 1000,
  serviceTime: { distribution: "exponential" as const, mean: 10 * ms },
  blackHoleTimeout: 127 * s,
};
