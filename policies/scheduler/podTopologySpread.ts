/**
 * PodTopologySpread (upstream pkg/scheduler/framework/plugins/podtopologyspread/). The
 * implementation lives in ./podTopologySpread/: args.ts (PodTopologySpreadArgs), common.ts
 * (selectors, constraints, node inclusion, counting), filtering.ts, scoring.ts and plugin.ts.
 */
export { podTopologySpreadArgsSchema, SYSTEM_DEFAULT_CONSTRAINTS, labelKeyProblem, type PodTopologySpreadArgs } from "./podTopologySpread/args.js";
export {
  NAME as POD_TOPOLOGY_SPREAD,
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  LABEL_HOSTNAME,
  LABEL_TOPOLOGY_ZONE,
  PodSelector,
  type Constraint,
} from "./podTopologySpread/common.js";
export { CriticalPaths, PreFilterState, PRE_FILTER_STATE_KEY } from "./podTopologySpread/filtering.js";
export { PreScoreState, PRE_SCORE_STATE_KEY, scoreForCount, topologyNormalizingWeight } from "./podTopologySpread/scoring.js";
export { PodTopologySpread, podTopologySpreadFactory } from "./podTopologySpread/plugin.js";
