/**
 * Leader election bounds, from client-go's rules with the defaults (lease 15 s, renew deadline
 * 10 s, retry 2 s, candidates jittered to 2–4.4 s):
 *  - the leader renews every 2 s, so its last renewal before dying at time K is in (K − 2 s, K];
 *  - a standby notes the record's last change when it reads it, at most 4.4 s after that change,
 *    so it sees the lease expire 15 s after a time in [K − 2 s, K + 4.4 s], and takes it at its first
 *    read after that, at most 4.4 s later.
 *  Hence the gap after killing the leader lies in [13 s, 23.8 s].
 */
import { describe, expect, it } from "vitest";
import { Store } from "../../sim/api/store.js";
import { DEFAULT_LEADER_ELECTION, LeaderElection } from "../../sim/cluster/leaderElection.js";
import { Engine } from "../../sim/engine/engine.js";
import { RngStreams } from "../../sim/engine/rng.js";
import { EventRecorder } from "../../sim/metrics/events.js";
import { Stats } from "../../sim/metrics/stats.js";

const s = 1_000_000;

function setup(seed: number, replicas: number): { engine: Engine; store: Store; election: LeaderElection; leadingLog: [number, boolean][] } {
  const engine = new Engine();
  const rng = new RngStreams(seed);
  const store = new Store(engine, { watchLatency: 20_000, rng: rng.stream("apiserver") });
  const ctx = { engine, store, rng, events: new EventRecorder(engine), stats: new Stats() };
  const leadingLog: [number, boolean][] = [];
  const election = new LeaderElection(ctx, "kube-scheduler", replicas, DEFAULT_LEADER_ELECTION, (leading) => leadingLog.push([engine.now, leading]));
  election.start();
  return { engine, store, election, leadingLog };
}

describe("leader election", () => {
  it("one replica leads from the start; the lease names it", () => {
    const { engine, store, election } = setup(1, 3);
    engine.run(30 * s);
    const lease = store.get("Lease", "kube-system/kube-scheduler")!;
    expect(lease.spec.holderIdentity).toBe(election.currentLeader);
    expect(lease.spec.leaseDurationSeconds).toBe(15);
    // Renewed every 2 s: the last renewal is within 2 s of now.
    expect(engine.now - lease.spec.renewTime!).toBeLessThanOrEqual(2 * s);
  });

  it.each(Array.from({ length: 25 }, (_, i) => i + 1))("seed %i: the failover gap is within [13 s, 23.8 s]", (seed) => {
    const { engine, election, leadingLog } = setup(seed, 2);
    const killAt = 60 * s + seed * 137_000; // not aligned with the 2 s renew grid
    let first: string | undefined;
    engine.at(killAt, () => {
      first = election.kill();
    });
    engine.run(200 * s);
    const stopped = leadingLog.find(([t, leading]) => !leading && t >= killAt)!;
    const restarted = leadingLog.find(([t, leading]) => leading && t > killAt)!;
    const gap = restarted[0] - stopped[0];
    expect(gap).toBeGreaterThanOrEqual(13 * s);
    expect(gap).toBeLessThanOrEqual(23.8 * s);
    expect(election.currentLeader).not.toBe(first);
    expect(election.gaps).toEqual([gap]);
    expect(election.transitions).toBe(2);
  });

  it("never has two leaders at once, through repeated kills and restarts", () => {
    const { engine, election, leadingLog } = setup(7, 3);
    for (let k = 0; k < 10; k++) engine.at((30 + 40 * k) * s, () => void election.kill(25 * s));
    engine.run(600 * s);
    // The log alternates start/stop: a second start before a stop would mean two leaders.
    for (let i = 1; i < leadingLog.length; i++) expect(leadingLog[i][1]).not.toBe(leadingLog[i - 1][1]);
    expect(leadingLog.filter(([, l]) => l).length).toBe(11);
  });

  it("a leader that cannot renew for the renew deadline (API server down) steps down", () => {
    const { engine, store, election, leadingLog } = setup(3, 1);
    engine.at(50 * s, () => store.setUnavailable(engine.now + 30 * s));
    engine.run(120 * s);
    // Last successful renewal ≤ 50 s; it stops at the first renew attempt ≥ 10 s after it.
    const stop = leadingLog.find(([, l]) => !l)!;
    expect(stop[0]).toBeGreaterThanOrEqual(58 * s);
    expect(stop[0]).toBeLessThanOrEqual(62 * s);
    // It takes the lease back once the API server returns (80 s) and its view of the lease expires.
    expect(election.currentLeader).toBe("kube-scheduler-0");
    expect(leadingLog.filter(([, l]) => l).length).toBe(2);
  });
});
