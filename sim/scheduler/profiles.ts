/**
 * Built-in scheduler configuration. The default profile's plugin set and weights follow
 * pkg/scheduler/apis/config/v1/default_plugins.go; podInitialBackoffSeconds 1,
 * podMaxBackoffSeconds 10 and percentageOfNodesToScore 0 (adaptive) follow
 * pkg/scheduler/apis/config/v1/defaults.go.
 */
import { NodeName, NodeUnschedulable, TaintTolerationFilter } from "../../policies/scheduler/basicFilters.js";
import { NodeResourcesFit } from "../../policies/scheduler/nodeResourcesFit.js";
import { DEFAULT_SCHEDULER_NAME, type Profile, type SchedulerConfig } from "./scheduler.js";

export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  const fit = new NodeResourcesFit();
  return {
    schedulerName,
    preFilter: [],
    filter: [new NodeUnschedulable(), new NodeName(), new TaintTolerationFilter(), fit],
    preScore: [],
    score: [{ plugin: fit, weight: 1 }],
  };
}

export function defaultSchedulerConfig(): SchedulerConfig {
  return {
    profiles: [defaultProfile()],
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
  };
}
