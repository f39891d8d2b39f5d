/**
 * The nominator (pkg/scheduler/backend/queue/nominator.go): which pending pods are nominated to
 * which node. A pod is nominated when preemption picked a node for it (the scheduler's own
 * decision, recorded before the API write so the next cycles already see it) or when the pod
 * arrives with `status.nominatedNodeName` set (the watch). Filtering a node for another pod of
 * equal or lower priority treats the node's nominated pods as if they were running there.
 *
 * Nominations are kept in insertion order per node, as upstream's slices are.
 */
import type { Pod } from "../api/objects.js";
import type { PodInfo } from "./framework.js";

/** How a scheduling result treats the pod's nomination (upstream fwk.NominatingMode). */
export type NominatingMode = "Noop" | "Override";

export interface NominatingInfo {
  mode: NominatingMode;
  /** With Override: the node to nominate, or "" to clear. */
  nominatedNodeName: string;
}

const NONE: readonly PodInfo[] = Object.freeze([]);

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOfPod = new Map<string, string>();

  /**
   * addNominatedPod: replaces any previous nomination of the pod. With Override the given node
   * is used ("" clears); with Noop (or no info) the pod's own status.nominatedNodeName.
   */
  add(podInfo: PodInfo, info?: NominatingInfo): void {
    const uid = podInfo.pod.metadata.uid;
    this.delete(uid);
    const node = info?.mode === "Override" ? info.nominatedNodeName : (podInfo.pod.status.nominatedNodeName ?? "");
    if (!node) return;
    // A pod already bound is not nominated (upstream checks its lister).
    if (podInfo.pod.spec.nodeName) return;
    this.nodeOfPod.set(uid, node);
    const list = this.byNode.get(node);
    if (list) list.push(podInfo);
    else this.byNode.set(node, [podInfo]);
  }

  /**
   * UpdateNominatedPod: a watch update of a pending pod. If neither the old nor the new object
   * carries a nomination but the nominator holds one (the scheduler nominated the pod and the
   * update raced its status write), the reservation is kept; otherwise the new object's
   * nomination is used.
   */
  update(oldPod: Pod | undefined, podInfo: PodInfo): void {
    const uid = podInfo.pod.metadata.uid;
    let info: NominatingInfo | undefined;
    const held = this.nodeOfPod.get(uid);
    if (!oldPod?.status.nominatedNodeName && !podInfo.pod.status.nominatedNodeName && held !== undefined) {
      info = { mode: "Override", nominatedNodeName: held };
    }
    this.add(podInfo, info);
  }

  /** DeleteNominatedPodIfExists. */
  delete(uid: string): void {
    const node = this.nodeOfPod.get(uid);
    if (node === undefined) return;
    this.nodeOfPod.delete(uid);
    const list = this.byNode.get(node);
    if (!list) return;
    const i = list.findIndex((p) => p.pod.metadata.uid === uid);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byNode.delete(node);
  }

  /** The pods nominated to a node (a copy of the list). */
  podsForNode(nodeName: string): readonly PodInfo[] {
    if (this.byNode.size === 0) return NONE;
    const list = this.byNode.get(nodeName);
    return list ? [...list] : NONE;
  }

  /** Where a pod is nominated, if anywhere. */
  nodeOf(uid: string): string | undefined {
    return this.nodeOfPod.get(uid);
  }

  get size(): number {
    return this.nodeOfPod.size;
  }
}
