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
};
