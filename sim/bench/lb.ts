/**
 * Workload (b), load balancing, as a simk scenario run end to end by runScenario: a Service of k
 * pods (a Deployment scheduled, started and made Ready by the control plane and the kubelet), one
 * client pod whose node's kube-proxy balances every request with the workload's policy, Poisson
 * arrivals at λ = ρ·k·μ, and pods that serve one request at a time in Exp(μ) with an unbounded
 * FIFO queue — the traffic core (sim/traffic/traffic.ts), kube-proxy (sim/traffic/proxy.ts) and
 * the balancers of policies/proxy, as in any scenario.
 *
 * The peers send exactly `requests` requests; a scenario sends Poisson arrivals for a time, so
 * simk sends them for `requests`/λ seconds (the count is Poisson around `requests`), then lets the
 * queues drain. The first 1 % (by time, `warmup`) is left out of the latency statistics, which are
 * the traffic metrics' exact nearest-rank ones.
 */
import { runScenario } from "../run/simulate.js";
import { loadScenarioFromText } from "../scenario/load.js";
import { nowSeconds, peakRssMiB } from "./common.js";

export type LbPolicy = "random" | "rr" | "least" | "p2c";

export interface LbOptions {
  policy: LbPolicy;
  requests: number;
  k: number;
  mu: number;
  rho: number;
  seed: number;
}

export interface LbResult {
  workload: "lb";
  impl: "simk";
  policy: LbPolicy;
  k: number;
  mu: number;
  lambda: number;
  requests: number;
  arrived: number;
  mean_s: number;
  p99_s: number;
  throughput_rps: number;
  simulated_s: number;
  run_s: number;
  requests_per_s: number;
  /** Peak resident set size of the process so far, MiB. */
  peak_rss_mib: number;
}

/** When traffic starts: every pod is Ready and in the proxy's endpoints well before. */
const TRAFFIC_START_S = 30;
/** Time after the last arrival for the queues to drain (ρ < 1: seconds are plenty). */
const DRAIN_S = 60;

/**
 * The scenario of the workload, as YAML (what `simk run` would read). It keeps the default 1 s
 * sample interval, so the measured run includes the per-second time series a user's run records.
 */
export function lbScenarioText(o: LbOptions): string {
  const lambda = o.rho * o.k * o.mu;
  const sendFor = o.requests / lambda;
  const warmup = TRAFFIC_START_S + 0.01 * sendFor;
  const stop = TRAFFIC_START_S + sendFor;
  const duration = Math.ceil(stop + DRAIN_S);
  return `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata:
  name: bench-lb-${o.policy}
spec:
  duration: ${duration}s
  seed: ${o.seed}
  nodePools:
    - name: worker
      count: 1
      template:
        allocatable: {cpu: "64", memory: 256Gi, pods: 110}
  traffic:
    - service: default/app
      balancer: ${o.policy}
      arrivals: {process: poisson, rate: 0}
      clients: {count: 1}
      warmup: ${warmup}s
      backend: {workers: 1, serviceTime: {distribution: exponential, mean: ${1 / o.mu}s}, queueLimit: 1000000000}
  timeline:
    - {at: ${TRAFFIC_START_S}s, action: setTraffic, traffic: app, rate: ${lambda}}
    - {at: ${stop}s, action: setTraffic, traffic: app, rate: 0}
---
apiVersion: v1
kind: Service
metadata: {name: app}
spec:
  selector: {app: app}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: ${o.k}
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: app:1.0
          resources: {requests: {cpu: 100m, memory: 128Mi}}
`;
}

export function runLb(o: LbOptions): LbResult {
  const lambda = o.rho * o.k * o.mu;
  const t0 = nowSeconds();
  const scenario = loadScenarioFromText(lbScenarioText(o), `bench-lb-${o.policy}.yaml`);
  // Only the metrics are read: the event log is counted, not kept (as in any run without --out-dir).
  const result = runScenario(scenario, { keepEvents: false });
  const runS = nowSeconds() - t0;
  const m = result.metrics;
  const prefix = "service.default.app";
  const completed = m[`${prefix}.completed`] ?? 0;
  return {
    workload: "lb",
    impl: "simk",
    policy: o.policy,
    k: o.k,
    mu: o.mu,
    lambda,
    requests: completed,
    arrived: m[`${prefix}.arrived`] ?? 0,
    mean_s: m[`${prefix}.latency.mean`] ?? NaN,
    p99_s: m[`${prefix}.latency.p99`] ?? NaN,
    throughput_rps: m[`${prefix}.throughput`] ?? NaN,
    simulated_s: result.simulatedSeconds,
    run_s: +runS.toFixed(4),
    requests_per_s: Math.round(completed / runS),
    peak_rss_mib: peakRssMiB(),
  };
}
