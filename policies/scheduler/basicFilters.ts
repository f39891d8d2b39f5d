/**
 * Small filters of the default profile:
 *  - NodeUnschedulable (nodeunschedulable/node_unschedulable.go): a cordoned node
 *    (`spec.unschedulable`) only takes pods tolerating node.kubernetes.io/unschedulable:NoSchedule.
 *  - NodeName (nodename/node_name.go): `spec.nodeName`, if set, must be this node.
 *  - TaintToleration filter (tainttoleration/taint_toleration.go): the first NoSchedule or
 *    NoExecute taint the pod does not tolerate makes the node UnschedulableAndUnresolvable.
 */
import type { CycleState, FilterPlugin, NodeInfo, PodInfo, Status } from "../../sim/scheduler/framework.js";
import { SUCCESS, unresolvable } from "../../sim/scheduler/framework.js";
import { firstUntoleratedTaint, toleratesAny } from "../../sim/cluster/selectors.js";

export const UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable";

export class NodeUnschedulable implements FilterPlugin {
  readonly name = "NodeUnschedulable";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.node.spec.unschedulable) return SUCCESS;
    const tolerated = toleratesAny(pod.pod.spec.tolerations, { key: UNSCHEDULABLE_TAINT_KEY, effect: "NoSchedule" });
    return tolerated ? SUCCESS : unresolvable(this.name, "node(s) were unschedulable");
  }
}

export class NodeName implements FilterPlugin {
  readonly name = "NodeName";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec.nodeName;
    if (!want || want === node.name) return SUCCESS;
    return unresolvable(this.name, "node(s) didn't match the requested node name");
  }
}

export class TaintTolerationFilter implements FilterPlugin {
  readonly name = "TaintToleration";
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const taint = firstUntoleratedTaint(node.node.spec.taints, pod.pod.spec.tolerations, ["NoSchedule", "NoExecute"]);
    if (!taint) return SUCCESS;
    return unresolvable(this.name, `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
  }
}
