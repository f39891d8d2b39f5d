import { describe, expect, it } from "vitest";
import type { Pod } from "../../sim/api/objects.js";
import { Store } from "../../sim/api/store.js";
import { defaultTolerationSeconds, podDefaulting, priorityAdmission } from "../../sim/admission/admission.js";
import { Engine } from "../../sim/engine/engine.js";
import { RngStreams } from "../../sim/engine/rng.js";

function store(): Store {
  const s = new Store(new Engine(), { watchLatency: 0, rng: new RngStreams(1).stream("a") });
  s.addAdmission(podDefaulting);
  s.addAdmission(priorityAdmission);
  s.addAdmission(defaultTolerationSeconds);
  return s;
}

function pod(name: string, spec: Partial<Pod["spec"]> = {}): Parameters<Store["create"]>[0] & { kind: "Pod" } {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c" }], ...spec }, status: { phase: "Pending" } };
}

describe("admission", () => {
  it("DefaultTolerationSeconds adds not-ready and unreachable NoExecute for 300 s", () => {
    const r = store().create(pod("p"));
    expect(r.ok && r.object.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
  });

  it("DefaultTolerationSeconds keeps a pod's own toleration for one of them", () => {
    const own = { key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 6000 };
    const r = store().create(pod("p", { tolerations: [own] }));
    expect(r.ok && r.object.spec.tolerations).toEqual([own, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]);
  });

  it("a wildcard Exists toleration already tolerates both", () => {
    const r = store().create(pod("p", { tolerations: [{ operator: "Exists" }] }));
    expect(r.ok && r.object.spec.tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("Priority resolves priorityClassName and rejects an unknown class", () => {
    const s = store();
    s.create<"PriorityClass">({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000, preemptionPolicy: "Never" });
    const r = s.create(pod("p", { priorityClassName: "high" }));
    expect(r.ok && [r.object.spec.priority, r.object.spec.preemptionPolicy]).toEqual([1000, "Never"]);
    expect(s.create(pod("q", { priorityClassName: "nope" }))).toMatchObject({ ok: false, error: { code: 403 } });
  });

  it("Priority applies the global default class, else 0", () => {
    const s = store();
    const zero = s.create(pod("a"));
    expect(zero.ok && zero.object.spec.priority).toBe(0);
    s.create<"PriorityClass">({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "d" }, value: 7, globalDefault: true });
    const r = s.create(pod("b"));
    expect(r.ok && r.object.spec.priority).toBe(7);
  });

  it("pod defaulting sets requests from limits, keeping explicit requests", () => {
    const r = store().create(pod("p", { containers: [{ name: "c", resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "250m" } } }] }));
    expect(r.ok && r.object.spec.containers[0].resources?.requests).toEqual({ cpu: "250m", memory: "1Gi" });
  });

  it("pods stamped from one template share one admitted spec (keeps the request cache warm)", () => {
    const s = store();
    const spec = { containers: [{ name: "c", resources: { limits: { cpu: "1" } } }] };
    // A controller passes the template's spec object itself to every pod it creates.
    const a = s.create({ ...pod("a"), spec });
    const b = s.create({ ...pod("b"), spec });
    expect(a.ok && b.ok && a.object.spec === b.object.spec).toBe(true);
  });
});
