import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/simulate.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

describe("cluster observer and time series", () => {
  it("tracks requested resources and the typical pod from the pods themselves", () => {
    // 2 nodes of 4 cpu; 3 replicas of 1 cpu + 2 of 3 cpu (the second can't all fit: 3 + 6 > 8).
    const result = runScenario(
      scenario({
        pools: [pool("a", 2)],
        manifests: [deployment("small", 3, { cpu: "1", memory: "1Gi" }), deployment("big", 2, { cpu: "3", memory: "1Gi" })],
        duration: 60_000_000,
      }),
    );
    const m = result.metrics;
    // Placed: 3 × 1 cpu and one 3 cpu pod = 6000m of 8000m; the other 3-cpu pod stays pending.
    expect(m["cluster.cpu.requested"]).toBe(6000);
    expect(m["cluster.cpu.allocation"]).toBe(0.75);
    expect(m["pods.unscheduled"]).toBe(1);
    // The typical (pending) pod is 3 cpu; whichever way the pods landed, each node has < 3 cpu free
    // (free total 2000m), so all free cpu is stranded.
    expect(m["cluster.cpu.fragmentation"]).toBe(1);
    expect(m["cluster.cpu.stranded"]).toBe(2000);
  });

  it("reports per-pool allocation when there are several pools", () => {
    const result = runScenario(scenario({ pools: [pool("a", 1), pool("b", 1)], manifests: [deployment("w", 1, { cpu: "1", memory: "1Gi" })], duration: 10_000_000 }));
    const m = result.metrics;
    // One 1-cpu pod on one of two 4-cpu nodes: 0.25 in one pool, 0 in the other.
    expect([m["pool.a.cpu.allocation"], m["pool.b.cpu.allocation"]].sort()).toEqual([0, 0.25]);
  });
});
