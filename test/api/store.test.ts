import { describe, expect, it } from "vitest";
import type { Pod } from "../../sim/api/objects.js";
import { Store, type WatchEvent } from "../../sim/api/store.js";
import { Engine } from "../../sim/engine/engine.js";
import { RngStreams } from "../../sim/engine/rng.js";

function setup(watchLatency = 50_000): { engine: Engine; store: Store } {
  const engine = new Engine();
  const store = new Store(engine, { watchLatency, rng: new RngStreams(1).stream("apiserver") });
  return { engine, store };
}

function newPod(name: string, nodeName?: string): Parameters<Store["create"]>[0] & { kind: "Pod" } {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c" }], ...(nodeName ? { nodeName } : {}) },
    status: { phase: "Pending" },
  };
}

describe("Store", () => {
  it("every watch event carries the object's store key, namespaced or not, to every kind of watcher", () => {
    const { engine, store } = setup();
    const seen: string[] = [];
    const record = (e: WatchEvent<Pod>): void => void seen.push(`${e.type} ${e.key} ${e.object.metadata.namespace}/${e.object.metadata.name}`);
    store.watch("Pod", record);
    store.watch("Pod", record, { nodeName: "n1" });
    store.watch("Node", (e) => void seen.push(`${e.type} ${e.key} node ${e.object.metadata.name}`));
    store.create({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: {}, status: {} } as never);
    store.create({ ...newPod("a"), metadata: { name: "a", namespace: "team" } });
    store.modify("Pod", "team/a", (p) => ({ ...p, spec: { ...p.spec, nodeName: "n1" } }));
    store.delete("Pod", "team/a");
    engine.run();
    expect(seen).toEqual([
      "ADDED n1 node n1",
      "ADDED team/a team/a",
      "MODIFIED team/a team/a",
      // The kubelet's nodeName watch sees the binding as its ADDED.
      "ADDED team/a team/a",
      "MODIFIED team/a team/a",
      "MODIFIED team/a team/a",
    ]);
  });

  it("assigns uid, resourceVersion, generation and creationTimestamp on create", () => {
    const { engine, store } = setup();
    engine.at(7_000_000, () => {
      const r = store.create(newPod("a"));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.object.metadata.resourceVersion).toBe("1");
      expect(r.object.metadata.generation).toBe(1);
      expect(r.object.metadata.creationTimestamp).toBe(7_000_000);
      expect(store.create(newPod("a"))).toMatchObject({ ok: false, error: { reason: "AlreadyExists", code: 409 } });
    });
    engine.run();
  });

  it("rejects an update with a stale resourceVersion (optimistic concurrency)", () => {
    const { store } = setup();
    const created = store.create(newPod("a"));
    if (!created.ok) throw new Error("create failed");
    const first = store.update<Pod>({ ...created.object, status: { phase: "Running" } });
    expect(first.ok).toBe(true);
    // A second writer still holding the original version loses.
    const stale = store.update<Pod>({ ...created.object, status: { phase: "Failed" } });
    expect(stale).toMatchObject({ ok: false, error: { reason: "Conflict", code: 409 } });
    expect(store.get("Pod", "default/a")?.status.phase).toBe("Running");
    // modify() re-reads and retries, so it wins.
    const retried = store.modify("Pod", "default/a", (p) => ({ ...p, status: { phase: "Succeeded" } }));
    expect(retried.ok).toBe(true);
    expect(store.get("Pod", "default/a")?.status.phase).toBe("Succeeded");
  });

  it("bumps generation only when spec changes, for workload kinds", () => {
    const { store } = setup();
    const rs = store.create<"ReplicaSet">({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "r", namespace: "default" },
      spec: { replicas: 1, minReadySeconds: 0, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [] } } },
      status: { replicas: 0 },
    });
    if (!rs.ok) throw new Error();
    const s1 = store.update({ ...rs.object, status: { replicas: 1 } });
    if (!s1.ok) throw new Error();
    expect(s1.object.metadata.generation).toBe(1);
    const s2 = store.update({ ...s1.object, spec: { ...s1.object.spec, replicas: 3 } });
    if (!s2.ok) throw new Error();
    expect(s2.object.metadata.generation).toBe(2);
  });

  it("delivers watch events after the watch latency, in write order", () => {
    const { engine, store } = setup(50_000);
    const seen: string[] = [];
    store.watch("Pod", (e: WatchEvent<Pod>) => seen.push(`${engine.now}:${e.type}:${e.object.metadata.name}`));
    store.watch("Pod", (e: WatchEvent<Pod>) => seen.push(`${engine.now}:slow:${e.object.metadata.name}`), { latency: 200_000 });
    engine.at(1_000_000, () => {
      store.create(newPod("a"));
      store.create(newPod("b"));
      store.delete("Pod", "default/a");
    });
    engine.run();
    expect(seen).toEqual([
      "1050000:ADDED:a",
      "1050000:ADDED:b",
      "1050000:DELETED:a",
      "1200000:slow:a",
      "1200000:slow:b",
      "1200000:slow:a",
    ]);
  });

  it("keeps a busy channel's deliveries in write order and on time while its queue is compacted", () => {
    // One write per µs for 5000 µs on a channel with 2 ms latency: about 2000 deliveries are
    // pending at any time, so the queue is trimmed while it never drains.
    const { engine, store } = setup(2_000);
    const seen: string[] = [];
    store.watch("Pod", (e: WatchEvent<Pod>) => seen.push(`${engine.now}:${e.object.metadata.name}`));
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      engine.at(1_000 + i, () => store.create(newPod(`p${i}`)));
      expected.push(`${1_000 + i + 2_000}:p${i}`);
    }
    engine.run();
    expect(seen).toEqual(expected);
  });

  it("does not hand an event to a handler stopped before it is delivered, even by another handler", () => {
    const { engine, store } = setup(1_000);
    const seen: string[] = [];
    // Both watch the same channel; the first stops the second on its first event, so the second
    // misses that event (delivered after the stop) and every later one.
    const second = (e: WatchEvent<Pod>): void => void seen.push(`second:${e.object.metadata.name}`);
    let watch2: { stop(): void } | undefined;
    store.watch("Pod", (e: WatchEvent<Pod>) => {
      seen.push(`first:${e.object.metadata.name}`);
      watch2?.stop();
      watch2 = undefined;
    });
    watch2 = store.watch("Pod", second);
    store.create(newPod("a"));
    store.create(newPod("b"));
    // A handler added again after the stop sees only writes from then on.
    engine.at(5_000, () => {
      store.watch("Pod", second);
      store.create(newPod("c"));
    });
    engine.run();
    expect(seen).toEqual(["first:a", "first:b", "first:c", "second:c"]);
  });

  it("does not deliver writes made before a watch started", () => {
    const { engine, store } = setup(10);
    store.create(newPod("early"));
    const seen: string[] = [];
    store.watch("Pod", (e) => seen.push(e.object.metadata.name));
    store.create(newPod("late"));
    engine.run();
    expect(seen).toEqual(["late"]);
  });

  it("deletes a bound pod gracefully: deletionTimestamp first, gone after the final delete", () => {
    const { engine, store } = setup();
    store.create(newPod("bound", "node-1"));
    store.create(newPod("unbound"));
    engine.at(2_000_000, () => {
      const r = store.delete("Pod", "default/bound", { gracePeriodSeconds: 30 });
      expect(r.ok && r.object.metadata.deletionTimestamp).toBe(32_000_000);
      expect(store.get("Pod", "default/bound")?.metadata.deletionGracePeriodSeconds).toBe(30);
      // Unbound pods have no kubelet to wait for: they go at once.
      store.delete("Pod", "default/unbound");
      expect(store.get("Pod", "default/unbound")).toBeUndefined();
      // The kubelet's final delete.
      store.delete("Pod", "default/bound", { gracePeriodSeconds: 0 });
      expect(store.get("Pod", "default/bound")).toBeUndefined();
    });
    engine.run();
  });

  it("routes pod events to node-selected watchers only for their node", () => {
    const { engine, store } = setup(10);
    const seen: string[] = [];
    store.watch("Pod", (e) => seen.push(`n1:${e.type}:${e.object.metadata.name}`), { nodeName: "n1" });
    store.watch("Pod", (e) => seen.push(`n2:${e.type}:${e.object.metadata.name}`), { nodeName: "n2" });
    const p = store.create(newPod("p"));
    if (!p.ok) throw new Error();
    store.update<Pod>({ ...p.object, spec: { ...p.object.spec, nodeName: "n2" } }); // binding
    store.create(newPod("q", "n1"));
    engine.run();
    // The binding arrives at n2's kubelet as an ADDED event; n1 only sees its own pod.
    expect(seen).toEqual(["n2:ADDED:p", "n1:ADDED:q"]);
  });

  it("while unavailable, fails writes with 503 and holds watch events until it returns", () => {
    const { engine, store } = setup(10);
    const seen: number[] = [];
    store.watch("Pod", () => seen.push(engine.now));
    store.create(newPod("a")); // delivered at t=10, during the outage below
    store.setUnavailable(1_000);
    expect(store.create(newPod("b"))).toMatchObject({ ok: false, error: { reason: "ServiceUnavailable", code: 503 } });
    engine.run();
    expect(seen).toEqual([1_000]);
  });

  it("generateName appends five characters from the API server's alphabet", () => {
    const { store } = setup();
    const r = store.create({ ...newPod(""), metadata: { generateName: "web-", namespace: "default" } });
    expect(r.ok && r.object.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
