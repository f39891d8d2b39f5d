/**
 * NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go): a
 * cordoned node (`spec.unschedulable: true`) only takes pods that tolerate the taint
 * node.kubernetes.io/unschedulable:NoSchedule (any toleration that would tolerate it: a matching
 * key with Exists or an empty value, an empty key with Exists, an empty effect, ...). Otherwise the
 * node is UnschedulableAndUnresolvable, "node(s) were unschedulable".
 */
import type { Taint } from "../../sim/api/objects.js";
import { toleratesAny } from "../../sim/cluster/selectors.js";
import type { CycleState, FilterPlugin, NodeInfo, PodInfo, Status } from "../../sim/scheduler/framework.js";
import { SUCCESS, unresolvable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "NodeUnschedulable";
export const UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable";
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

const UNSCHEDULABLE_TAINT: Taint = Object.freeze({ key: UNSCHEDULABLE_TAINT_KEY, effect: "NoSchedule" });
const UNSCHEDULABLE: Status = Object.freeze(unresolvable(NAME, ERR_REASON_UNSCHEDULABLE));

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.unschedulable) return SUCCESS;
    return toleratesAny(pod.pod.spec.tolerations, UNSCHEDULABLE_TAINT) ? SUCCESS : UNSCHEDULABLE;
  }
}

export const nodeUnschedulableFactory: PluginFactory = {
  name: NAME,
  create: () => new NodeUnschedulable(),
};
