/**
 * OwnerIndexedInformer: ownedBy(uid) always holds exactly the informer's objects whose controlling
 * owner has that uid (their latest versions) — through creates, status updates, owner changes
 * (adoption, orphaning) and deletes.
 */
import { describe, expect, it } from "vitest";
import type { ReplicaSet } from "../../sim/api/objects.js";
import { Store } from "../../sim/api/store.js";
import { Engine } from "../../sim/engine/engine.js";
import { Rng, RngStreams } from "../../sim/engine/rng.js";
import { controllerUid, OwnerIndexedInformer } from "../../sim/controllers/informers.js";

const OWNERS = ["d1", "d2", "d3"];

function rs(name: string, owner: string | undefined, replicas: number): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "default",
      ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: owner, uid: owner, controller: true }] } : {}),
    },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [] } } },
    status: { replicas: 0 },
  } as unknown as ReplicaSet;
}

describe("OwnerIndexedInformer", () => {
  it.each([1, 2, 3])("ownedBy matches a filter over the objects after random writes (seed %i)", (seed) => {
    const engine = new Engine();
    const store = new Store(engine, { watchLatency: 10, rng: new RngStreams(seed).stream("apiserver") });
    const informer = new OwnerIndexedInformer(store, "ReplicaSet");
    const rng = new Rng(seed, "writes");
    const owner = (): string | undefined => (rng.int(5) === 0 ? undefined : OWNERS[rng.int(OWNERS.length)]);
    for (let step = 0; step < 600; step++) {
      const name = `rs-${rng.int(25)}`;
      const cur = store.get("ReplicaSet", `default/${name}`);
      const op = rng.int(10);
      if (!cur) store.create({ ...rs(name, owner(), 1), kind: "ReplicaSet" });
      else if (op < 5) store.update({ ...cur, status: { ...cur.status, replicas: rng.int(9) } });
      else if (op < 8) store.update({ ...rs(name, owner(), 2), metadata: { ...rs(name, owner(), 2).metadata, resourceVersion: cur.metadata.resourceVersion } });
      else store.delete("ReplicaSet", `default/${name}`);
      engine.run(engine.now + rng.int(30));
      for (const uid of OWNERS) {
        const want = [...informer.objects.values()].filter((r) => controllerUid(r) === uid);
        expect(informer.ownedBy(uid).map((r) => r.metadata.name).sort()).toEqual(want.map((r) => r.metadata.name).sort());
        expect(informer.ownedBy(uid)).toEqual(expect.arrayContaining(want));
      }
    }
  });
});
