/**
 * The disruption controller (pkg/controller/disruption/disruption.go): keeps each
 * PodDisruptionBudget's status (expectedPods, currentHealthy, desiredHealthy,
 * disruptionsAllowed) current as its pods come, go and change readiness. The arithmetic is
 * sim/cluster/disruption.ts, shared with the scheduler's preemption.
 */
import type { PodDisruptionBudget } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import type { SimContext } from "../cluster/context.js";
import { matchesLabelSelector } from "../cluster/selectors.js";
import { pdbStatus, workloadScaleLookup } from "../cluster/disruption.js";
import type { ControllerSettings } from "../scenario/types.js";
import type { SharedInformers } from "./informers.js";
import { WorkQueue } from "./workqueue.js";
import { jsonEqual } from "../api/json.js";

export class DisruptionController {
  private readonly queue: WorkQueue;

  constructor(private readonly ctx: SimContext, private readonly informers: SharedInformers, settings: ControllerSettings) {
    this.queue = new WorkQueue(ctx.engine, settings.syncLatency, (key) => this.sync(key));
  }

  setActive(active: boolean): void {
    this.queue.setActive(active);
  }

  start(): void {
    this.informers.podDisruptionBudgets.on((e) => {
      if (e.type !== "DELETED") this.queue.add(e.key);
    });
    this.informers.pods.on((e) => {
      const pod = e.object;
      for (const pdb of this.informers.podDisruptionBudgets.objects.values()) {
        if (pdb.metadata.namespace === pod.metadata.namespace && matchesLabelSelector(pdb.spec.selector, pod.metadata.labels)) {
          this.queue.add(objectKey(pdb.metadata));
        }
      }
    });
    // Controller scale changes (a Deployment scaled) change expectedPods for percent budgets.
    const all = (): void => {
      for (const pdb of this.informers.podDisruptionBudgets.objects.values()) this.queue.add(objectKey(pdb.metadata));
    };
    this.informers.deployments.on(all);
    this.informers.replicaSets.on((e) => {
      if (e.type !== "MODIFIED" || e.oldObject?.spec.replicas !== e.object.spec.replicas) all();
    });
  }

  private sync(key: string): boolean | void {
    const pdb = this.informers.podDisruptionBudgets.get(key);
    if (!pdb) return;
    const ns = pdb.metadata.namespace!;
    const pods = [...this.informers.pods.objects.values()].filter((p) => p.metadata.namespace === ns);
    const lookup = workloadScaleLookup(
      (n, name) => this.informers.replicaSets.get(`${n}/${name}`),
      (n, name) => this.informers.deployments.get(`${n}/${name}`),
    );
    const computed = pdbStatus(pdb, pods, lookup);
    const status: PodDisruptionBudget["status"] = {
      currentHealthy: computed.currentHealthy,
      desiredHealthy: computed.desiredHealthy,
      disruptionsAllowed: computed.disruptionsAllowed,
      expectedPods: computed.expectedPods,
      observedGeneration: pdb.metadata.generation,
    };
    if (jsonEqual(status, pdb.status)) return;
    const result = this.ctx.store.modify("PodDisruptionBudget", key, (cur) => (cur.metadata.uid === pdb.metadata.uid ? { ...cur, status } : undefined));
    if (!result.ok) return false;
  }
}
