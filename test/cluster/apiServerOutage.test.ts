/**
 * An API-server outage (failComponent apiServer, 30 s): writes fail with 503 and watch events are
 * held back. Leaders cannot renew their Leases and step down after the 10 s renew deadline; when
 * the API server returns, a replica re-acquires each lease once it expires (15 s), and work queued
 * meanwhile completes. A 30 s outage is shorter than the 50 s node-monitor grace period, so no node
 * turns NotReady.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/simulate.js";
import { deployment, pool, scenario } from "../helpers/scenario.js";

const s = 1_000_000;

describe("API server outage", () => {
  it("stalls the control plane, which recovers afterwards without losing nodes", () => {
    const result = runScenario(
      scenario({
        pools: [pool("w", 3)],
        manifests: [deployment("web", 3)],
        timeline: [
          { at: 60 * s, action: "failComponent", component: "apiServer", duration: 30 * s },
          { at: 59 * s, action: "scale", target: "Deployment/default/web", replicas: 6 },
        ],
        duration: 200 * s,
      }),
    );
    const m = result.metrics;
    expect(m["deployment.default.web.available"]).toBe(6);
    // Both leaders stepped down during the outage and a replica took over afterwards.
    expect(m["leaderElection.scheduler.transitions"]).toBe(2);
    expect(m["leaderElection.controllerManager.transitions"]).toBe(2);
    // Down from ≤ 70 s (renew deadline after the last renewal before 60 s) to ≥ 90 s.
    expect(m["leaderElection.scheduler.gapSeconds"]).toBeGreaterThanOrEqual(20);
    expect(m["nodes.ready"]).toBe(3);
    expect(result.events.filter((e) => e.reason === "NodeNotReady")).toEqual([]);
  });
});
