import { describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load.js";
import { Cluster } from "../../sim/run/cluster.js";

const ROLLING = new URL("../../scenarios/rolling-update.yaml", import.meta.url).pathname;

describe("the metadata a ReplicaSet's pods share", () => {
  it("every pod of one ReplicaSet carries the same frozen ownerReferences; each ReplicaSet its own, naming it", () => {
    const cluster = new Cluster(loadScenario(ROLLING), { seed: 1 });
    cluster.bootstrap();
    const seen = new Map<string, unknown>();
    // Pods come and go during the rollout: look at them as they are created.
    cluster.store.observe((kind, e) => {
      if (kind !== "Pod" || e.type !== "ADDED") return;
      const refs = e.object.metadata.ownerReferences!;
      const rs = refs[0].name;
      expect(e.object.metadata.name.startsWith(`${rs}-`)).toBe(true);
      expect(Object.isFrozen(refs) && Object.isFrozen(refs[0])).toBe(true);
      if (!seen.has(rs)) seen.set(rs, refs);
      else expect(refs).toBe(seen.get(rs));
    });
    // The scenario's timeline (runScenario plays it): a rollout at 1 m.
    cluster.engine.at(60_000_000, () => cluster.rollout("Deployment/default/web", { image: "web:1.1" }));
    cluster.engine.run(300_000_000);
    // The rollout's old and new ReplicaSets.
    expect(seen.size).toBe(2);
    const [a, b] = [...seen.values()] as { uid: string }[][];
    expect(a[0].uid).not.toBe(b[0].uid);
  });
});
