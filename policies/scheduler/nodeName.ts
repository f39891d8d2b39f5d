/**
 * NodeName (pkg/scheduler/framework/plugins/nodename/node_name.go): a pod with `spec.nodeName` set
 * fits only the node of that name; any other node is UnschedulableAndUnresolvable, "node(s) didn't
 * match the requested node name". An empty nodeName fits every node.
 */
import type { CycleState, FilterPlugin, NodeInfo, PodInfo, Status } from "../../sim/scheduler/framework.js";
import { SUCCESS, unresolvable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "NodeName";
export const ERR_REASON = "node(s) didn't match the requested node name";

const MISMATCH: Status = Object.freeze(unresolvable(NAME, ERR_REASON));

export class NodeName implements FilterPlugin {
  readonly name = NAME;
  /**
   * The last pod filtered and its spec.nodeName: Filter runs once per node for the same pod, and
   * the pod's spec objects come in many shapes, so reading it is a slow, megamorphic load.
   * (Pods are immutable snapshots, so a PodInfo's nodeName never changes.) Holding the last
   * PodInfo keeps it alive until the next pod is filtered, on purpose.
   */
  private lastPod: PodInfo | undefined;
  private lastWant: string | undefined;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (pod !== this.lastPod) {
      this.lastPod = pod;
      this.lastWant = pod.pod.spec.nodeName;
    }
    const want = this.lastWant;
    return !want || want === node.name ? SUCCESS : MISMATCH;
  }
}

export const nodeNameFactory: PluginFactory = {
  name: NAME,
  create: () => new NodeName(),
};
