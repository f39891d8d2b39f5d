/**
 * Runs a scenario: builds the cluster, plays the timeline, samples the time series and computes
 * the summary metrics and expectation results. Pure with respect to the outside world: no files,
 * no wall clock — the CLI writes the outputs.
 */
import { Priority } from "../engine/engine.js";
import { TIMELINE_SOURCE, type EventListener, type SimEvent } from "../metrics/events.js";
import { TimeSeries } from "../metrics/timeseries.js";
import type { Scenario, TimelineAction } from "../scenario/types.js";
import type { DecisionRecord, SchedulerConfig } from "../scheduler/scheduler.js";
import { Cluster } from "./cluster.js";
import { needsBalancerModules, type BalancerModules } from "../traffic/balancers.js";
import { TrafficTimeSeries } from "../traffic/metrics.js";
import { evaluateExpectations, type ExpectationResult } from "./expectations.js";

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  schedulerConfig?: SchedulerConfig;
  recordDecisions?: boolean;
  /**
   * With recordDecisions: called with each scheduling decision as it is made, and RunResult.decisions
   * stays empty (a caller writing decisions.jsonl as the run goes).
   */
  onDecision?: (decision: DecisionRecord) => void;
  /** Balancers of spec.traffic modules, resolved first (sim/traffic/balancers.ts resolveBalancerModules). */
  balancers?: BalancerModules;
  /**
   * Keep every event for RunResult.events (default true). False counts them (events.* metrics)
   * without keeping them: for runs whose events nobody reads, e.g. the scale benchmarks.
   */
  keepEvents?: boolean;
  /**
   * Called with every event as it is recorded, in order: a caller that writes events.jsonl as the
   * run goes need not keep the log in memory (keepEvents: false).
   */
  onEvent?: EventListener;
  /** Called with the simulated time now and then (progress bars). */
  onProgress?: (simulatedMicros: number, durationMicros: number) => void;
}

export interface RunResult {
  scenario: string;
  seed: number;
  simulatedSeconds: number;
  metrics: Record<string, number>;
  expectations: ExpectationResult[];
  /** Every event, in order; empty when the run was made with keepEvents: false. */
  events: SimEvent[];
  /** How many events the run recorded (kept or not). */
  eventCount: number;
  /** The timeline's actions as events (source "simk-timeline"), in order; always kept. */
  timeline: SimEvent[];
  timeseries: TimeSeries;
  decisions: DecisionRecord[];
}

const ACTION_REASON: Record<TimelineAction["action"], string> = {
  failNode: "NodeFailure",
  recoverNode: "NodeRecovery",
  addNodes: "AddNodes",
  removeNode: "RemoveNode",
  cordon: "Cordon",
  uncordon: "Uncordon",
  drain: "Drain",
  scale: "Scale",
  rollout: "Rollout",
  apply: "Apply",
  delete: "Delete",
  failComponent: "ComponentFailure",
  setTraffic: "SetTraffic",
};

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  if (scenario.schedulerConfigs.length > 0 && !options.schedulerConfig) {
    // Building a configuration may import user plugin modules (async): the caller does it first.
    throw new Error("this scenario has a KubeSchedulerConfiguration: resolve it into options.schedulerConfig before runScenario");
  }
  if (needsBalancerModules(scenario) && !options.balancers) {
    // Importing balancer modules is async too: the caller resolves them first.
    throw new Error("this scenario names balancer modules: resolve them with resolveBalancerModules into options.balancers before runScenario");
  }
  const seed = options.seed ?? scenario.seed;
  const cluster = new Cluster(scenario, { seed, schedulerConfig: options.schedulerConfig, balancers: options.balancers });
  const decisions: DecisionRecord[] = [];
  if (options.recordDecisions) cluster.scheduler.onDecision = options.onDecision ?? ((d) => decisions.push(d));
  cluster.events.keep = options.keepEvents ?? true;
  if (options.onEvent) cluster.events.onEvent(options.onEvent);
  // Every event of the timeline's actions, their failures (FailedApply) included.
  const timeline: SimEvent[] = [];
  cluster.events.onEvent((e) => {
    if (e.source === TIMELINE_SOURCE) timeline.push(e);
  });
  cluster.bootstrap();

  const { engine } = cluster;
  const series = cluster.traffic ? new TrafficTimeSeries(cluster, scenario.sampleInterval, cluster.traffic.columns) : new TimeSeries(cluster, scenario.sampleInterval);
  for (const action of scenario.timeline) {
    // Timeline actions run after the components at the same instant have acted.
    engine.at(action.at, () => perform(cluster, action, series), Priority.Normal);
  }
  series.start(scenario.duration);

  const step = Math.max(1, Math.floor(scenario.duration / 50));
  for (let t = step; t < scenario.duration + step; t += step) {
    engine.run(Math.min(t, scenario.duration));
    options.onProgress?.(engine.now, scenario.duration);
  }

  const metrics = { ...series.summary(), ...cluster.stats.snapshot() };
  for (const [reason, n] of [...cluster.events.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) metrics[`events.${reason}`] = n;
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(metrics).sort()) if (Number.isFinite(metrics[k])) sorted[k] = metrics[k];
  return {
    scenario: scenario.name,
    seed,
    simulatedSeconds: scenario.duration / 1_000_000,
    metrics: sorted,
    expectations: evaluateExpectations(scenario.expect, series, sorted),
    events: cluster.events.events,
    eventCount: cluster.events.total,
    timeline,
    timeseries: series,
    decisions,
  };
}

function perform(cluster: Cluster, a: TimelineAction, series: TimeSeries): void {
  const describe = (target: string, message: string): void => {
    const [kind, ...rest] = target.split("/");
    const name = rest.pop() ?? "";
    const namespace = rest[0];
    cluster.events.record({ kind, metadata: { name, ...(namespace ? { namespace } : {}) } }, "Normal", ACTION_REASON[a.action], message, TIMELINE_SOURCE);
  };
  switch (a.action) {
    case "failNode":
      describe(`Node/${a.node}`, `Node ${a.node} failed (timeline)`);
      series.markFailure(cluster.engine.now);
      cluster.failNode(a.node);
      break;
    case "recoverNode":
      describe(`Node/${a.node}`, `Node ${a.node} recovered (timeline)`);
      cluster.recoverNode(a.node);
      break;
    case "addNodes": {
      const names = cluster.addNodes(a.pool, a.count);
      describe(`NodePool/${a.pool}`, `Added ${a.count} node(s) to pool ${a.pool}: ${names.join(", ")}`);
      break;
    }
    case "removeNode":
      describe(`Node/${a.node}`, `Node ${a.node} removed (timeline)`);
      cluster.removeNode(a.node);
      break;
    case "cordon":
      describe(`Node/${a.node}`, `Node ${a.node} cordoned`);
      cluster.cordon(a.node, true);
      break;
    case "uncordon":
      describe(`Node/${a.node}`, `Node ${a.node} uncordoned`);
      cluster.cordon(a.node, false);
      break;
    case "drain":
      describe(`Node/${a.node}`, `Draining node ${a.node}`);
      cluster.drain(a.node);
      break;
    case "scale":
      describe(a.target, `Scaled ${a.target} to ${a.replicas} replicas`);
      cluster.scale(a.target, a.replicas);
      break;
    case "rollout":
      describe(a.target, `Rollout of ${a.target}: ${JSON.stringify(a.template)}`);
      cluster.rollout(a.target, a.template);
      break;
    case "apply":
      for (const m of a.manifests) {
        describe(`${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name ?? ""}`, `Applied ${m.kind} ${m.metadata.name ?? ""}`);
        cluster.apply(m);
      }
      break;
    case "delete":
      describe(a.target, `Deleted ${a.target}`);
      cluster.deleteObject(a.target);
      break;
    case "failComponent":
      describe(`Component/${a.component}`, `${a.component} failed for ${a.duration / 1_000_000} s (timeline)`);
      cluster.failComponent(a.component, a.duration);
      break;
    case "setTraffic":
      describe(`Traffic/${a.traffic}`, `Traffic ${a.traffic} to ${a.rate} req/s${a.over !== undefined ? ` over ${a.over / 1_000_000} s` : ""}`);
      cluster.traffic?.setRate(a.traffic, a.rate, a.over);
      break;
  }
}
