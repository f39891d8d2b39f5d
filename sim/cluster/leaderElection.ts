/**
 * Leader election through a Lease, as client-go's leaderelection package does it for
 * kube-scheduler and kube-controller-manager (defaults from
 * staging/src/k8s.io/component-base/config/v1alpha1/defaults.go: leaseDuration 15 s, renewDeadline
 * 10 s, retryPeriod 2 s).
 *
 * Each replica is a candidate. Every retry period (jittered: retryPeriod × (1 + 1.2·u), as
 * wait.JitterUntil with JitterFactor 1.2) a candidate reads the Lease and takes it if there is none,
 * or if the holder has not changed the record for leaseDuration as measured on the candidate's own
 * clock since it last saw the record change ("observed time"). The leader renews every retry
 * period; if it cannot renew for renewDeadline it stops leading. A killed replica does nothing
 * until it is restarted; the others take over once the lease expires — which is the leader gap
 * simk measures.
 */
import type { Lease } from "../api/objects.js";
import { DEFAULT_COMPONENTS } from "../scenario/defaults.js";
import type { LeaderElectionSettings } from "../scenario/types.js";
import type { SimContext } from "./context.js";
import type { Rng } from "../engine/rng.js";

export type { LeaderElectionSettings };

/** The upstream defaults (see sim/scenario/defaults.ts). */
export const DEFAULT_LEADER_ELECTION: LeaderElectionSettings = DEFAULT_COMPONENTS.leaderElection;

const JITTER_FACTOR = 1.2;

interface Replica {
  identity: string;
  alive: boolean;
  /** Incremented when the replica is killed: its pending loops stop. */
  epoch: number;
  leading: boolean;
  lastRenew: number;
  /** The lease record as last seen, and when (on this replica's clock) it last changed. */
  observedRecord?: string;
  observedTime: number;
}

export class LeaderElection {
  private readonly replicas: Replica[];
  private readonly rng: Rng;
  private leader: Replica | undefined;
  private gapStart: number | undefined = 0;
  /** Completed gaps with no leader (µs), excluding the start-up acquisition. */
  readonly gaps: number[] = [];
  transitions = 0;

  constructor(
    private readonly ctx: SimContext,
    /** Lease name in kube-system, e.g. "kube-scheduler". */
    readonly name: string,
    replicas: number,
    private readonly settings: LeaderElectionSettings,
    private readonly onLeading: (leading: boolean) => void,
  ) {
    this.rng = ctx.rng.stream(`leader-election/${name}`);
    this.replicas = Array.from({ length: replicas }, (_, i) => ({
      identity: `${name}-${i}`,
      alive: true,
      epoch: 0,
      leading: false,
      lastRenew: 0,
      observedTime: 0,
    }));
  }

  get currentLeader(): string | undefined {
    return this.leader?.identity;
  }

  start(): void {
    for (const r of this.replicas) this.ctx.engine.after(0, () => this.tick(r, r.epoch));
  }

  /** Kills the leader replica (or replica `index`); it restarts after `downFor` µs if given. */
  kill(downFor?: number, index?: number): string | undefined {
    const r = index !== undefined ? this.replicas[index] : this.leader ?? this.replicas[0];
    if (!r || !r.alive) return undefined;
    r.alive = false;
    r.epoch++;
    if (r.leading) this.stopLeading(r);
    if (downFor !== undefined) {
      this.ctx.engine.after(downFor, () => {
        r.alive = true;
        r.epoch++;
        r.observedRecord = undefined;
        this.tick(r, r.epoch);
      });
    }
    return r.identity;
  }

  /** Time with no leader so far, including a gap still open at `now`. */
  totalGap(now: number): number {
    return this.gaps.reduce((a, b) => a + b, 0) + (this.gapStart !== undefined && this.transitions > 0 ? now - this.gapStart : 0);
  }

  private jittered(): number {
    return Math.round(this.settings.retryPeriod * (1 + JITTER_FACTOR * this.rng.next()));
  }

  private tick(r: Replica, epoch: number): void {
    if (!r.alive || r.epoch !== epoch) return;
    const now = this.ctx.engine.now;
    const ok = this.tryAcquireOrRenew(r);
    if (r.leading) {
      if (ok) r.lastRenew = now;
      else if (now - r.lastRenew >= this.settings.renewDeadline) this.stopLeading(r);
      // A leader renews every retry period, without jitter (client-go renew loop).
      this.ctx.engine.after(this.settings.retryPeriod, () => this.tick(r, epoch));
      return;
    }
    if (ok) {
      r.lastRenew = now;
      this.startLeading(r);
      this.ctx.engine.after(this.settings.retryPeriod, () => this.tick(r, epoch));
      return;
    }
    this.ctx.engine.after(this.jittered(), () => this.tick(r, epoch));
  }

  private tryAcquireOrRenew(r: Replica): boolean {
    const { store, engine } = this.ctx;
    const now = engine.now;
    const key = `kube-system/${this.name}`;
    const current = store.get("Lease", key);
    const durationSeconds = this.settings.leaseDuration / 1_000_000;
    if (!current) {
      const created = store.create<"Lease">({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.name, namespace: "kube-system" },
        spec: { holderIdentity: r.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      });
      if (created.ok) this.observe(r, created.object, now);
      return created.ok;
    }
    const record = JSON.stringify(current.spec);
    if (record !== r.observedRecord) this.observe(r, current, now);
    const holder = current.spec.holderIdentity;
    const expired = r.observedTime + this.settings.leaseDuration <= now;
    if (holder && holder !== r.identity && !expired) return false;
    const taking = holder !== r.identity;
    const spec: Lease["spec"] = {
      holderIdentity: r.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: taking ? now : current.spec.acquireTime,
      renewTime: now,
      leaseTransitions: (current.spec.leaseTransitions ?? 0) + (taking && holder ? 1 : 0),
    };
    const updated = store.update<Lease>({ ...current, spec });
    if (updated.ok) this.observe(r, updated.object, now);
    return updated.ok;
  }

  private observe(r: Replica, lease: Lease, now: number): void {
    r.observedRecord = JSON.stringify(lease.spec);
    r.observedTime = now;
  }

  private startLeading(r: Replica): void {
    r.leading = true;
    this.leader = r;
    const now = this.ctx.engine.now;
    if (this.gapStart !== undefined && this.transitions > 0) this.gaps.push(now - this.gapStart);
    this.gapStart = undefined;
    this.transitions++;
    const lease = { kind: "Lease", metadata: { namespace: "kube-system", name: this.name } };
    this.ctx.events.record(lease, "Normal", "LeaderElection", `${r.identity} became leader`, this.name);
    this.onLeading(true);
  }

  private stopLeading(r: Replica): void {
    r.leading = false;
    if (this.leader === r) {
      this.leader = undefined;
      this.gapStart = this.ctx.engine.now;
      this.onLeading(false);
    }
  }
}
