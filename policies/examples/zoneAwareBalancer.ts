/**
 * ZoneAware — a worked example of a custom balancing policy (see README.md next to this file).
 *
 * Each kube-proxy keeps requests in its own zone when it can: power of two choices among the
 * endpoints in the proxy's zone (two distinct ones drawn at random, the one with fewer requests in
 * flight wins); if the winner already has `spillover` or more requests in flight from this proxy,
 * or the zone has no endpoint, power of two choices among all endpoints instead. Cross-zone traffic
 * is what cloud providers bill for; the spillover keeps one zone's pods from drowning when the
 * other zones are idle.
 *
 * Use it for a traffic entry with `balancer: path/to/zoneAwareBalancer.ts`. The module exports
 * `balancer` (the default spillover of 8) and `zoneAwareBalancer(options)` for other settings.
 *
 * Only types are imported from simk, so the module also works outside this repository.
 */
import type { Rng } from "../../sim/engine/rng.js";
import type { BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";
import type { NodeAwareBalancer } from "../../sim/traffic/proxy.js";

export const NAME = "zone-aware";

export interface ZoneAwareOptions {
  /** In-flight requests at which the chosen local endpoint counts as busy; default 8. */
  spillover?: number;
}

class ZoneAware implements NodeAwareBalancer {
  readonly name = NAME;
  private zone: string | undefined;
  private n = 0;
  /** Indices of the endpoints in the proxy's zone. */
  private local = new Int32Array(0);

  constructor(private readonly spillover: number) {}

  // kube-proxy calls this once, before the first setEndpoints.
  setNode(_nodeName: string, zone: string | undefined): void {
    this.zone = zone;
  }

  // Called when the proxy's endpoint list changes: precompute here, so that pick allocates nothing.
  setEndpoints(endpoints: readonly EndpointView[]): void {
    this.n = endpoints.length;
    const local: number[] = [];
    if (this.zone !== undefined) endpoints.forEach((e, i) => e.zone === this.zone && local.push(i));
    this.local = Int32Array.from(local);
  }

  pick(_clientIP: number, rng: Rng, active: ArrayLike<number>): number {
    if (this.n === 0) return -1;
    const k = this.local.length;
    if (k > 0) {
      const i = k === 1 ? this.local[0] : bestOfTwo(rng, active, k, this.local);
      if (active[i] < this.spillover) return i;
    }
    return this.n === 1 ? 0 : bestOfTwo(rng, active, this.n, undefined);
  }
}

/** Power of two choices among `k` candidates (indices `among[0..k)`, or 0..k−1). */
function bestOfTwo(rng: Rng, active: ArrayLike<number>, k: number, among: Int32Array | undefined): number {
  const a = rng.int(k);
  let b = rng.int(k - 1);
  if (b >= a) b++;
  const ia = among ? among[a] : a;
  const ib = among ? among[b] : b;
  return active[ib] < active[ia] ? ib : ia;
}

/** The policy with other settings. */
export function zoneAwareBalancer(options: ZoneAwareOptions = {}): BalancerFactory {
  const spillover = options.spillover ?? 8;
  if (!(spillover >= 1)) throw new RangeError(`spillover must be >= 1, got ${spillover}`);
  return { name: NAME, create: () => new ZoneAware(spillover) };
}

export const balancer: BalancerFactory = zoneAwareBalancer();
