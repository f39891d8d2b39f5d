/**
 * The scheduler's workloadSelectors (PodTopologySpread's default selector inputs): the Services
 * and ReplicaSets selecting a pod. Answers are reused per pod labels object, and must follow every
 * Service / ReplicaSet that is added, removed or changes its selector — but not status updates.
 */
import { describe, expect, it } from "vitest";
import type { LabelSelector, Pod, Service } from "../../sim/api/objects.js";
import { Cluster } from "../../sim/run/cluster.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;
type WithSelectors = { workloadSelectors(pod: Pod): LabelSelector[] };

function service(name: string, selector: Record<string, string>): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { selector, ports: [{ port: 80 }] } } as unknown as Service;
}

describe("Scheduler workloadSelectors", () => {
  it("follows Services and ReplicaSets coming, changing their selector and going", () => {
    const c = new Cluster(scenario({ pools: [pool("w", 2)], manifests: [deployment("web", 2)] }), { seed: 1 });
    c.bootstrap();
    c.engine.run(5 * s);
    const sched = c.scheduler as unknown as WithSelectors;
    const pod = c.store.list("Pod").find((p) => p.metadata.name.startsWith("web-"))!;
    const rsSelector = c.store.list("ReplicaSet")[0].spec.selector;
    const first = sched.workloadSelectors(pod);
    expect(first).toEqual([rsSelector]);
    // Status updates of the ReplicaSet (its pods became ready meanwhile) keep the answer.
    c.engine.run(10 * s);
    expect(sched.workloadSelectors(pod)).toBe(first);

    c.store.create(service("web", { app: "web" }));
    c.store.create(service("db", { app: "db" }));
    c.engine.run(11 * s);
    expect(sched.workloadSelectors(pod)).toEqual([{ matchLabels: { app: "web" } }, rsSelector]);

    // The Service's selector changes: it no longer selects the pod.
    const svc = c.store.get("Service", "default/web")!;
    c.store.update({ ...svc, spec: { ...svc.spec, selector: { app: "web", tier: "fe" } } });
    c.engine.run(12 * s);
    expect(sched.workloadSelectors(pod)).toEqual([rsSelector]);

    c.store.delete("Service", "default/web");
    c.store.delete("Service", "default/db");
    c.engine.run(12.5 * s);
    expect(sched.workloadSelectors(pod)).toEqual([rsSelector]);
  });
});
