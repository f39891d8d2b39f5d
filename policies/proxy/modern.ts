/**
 * Load-aware policies of modern proxies and meshes, on the proxy's own count of requests in flight
 * (`active`), so that simk's results compare with the peers' `lb` workload
 * (../shared/peers/lb/lb_baseline.mjs):
 *
 *  - `least`: the fewest in flight, the lowest index on ties — lb_baseline's `least` exactly (and
 *    what ipvs-lc does when there are no inactive connections);
 *  - `least-requests`: the fewest in flight, ties broken uniformly at random with the rng;
 *  - `p2c` (power of two choices): two distinct endpoints drawn uniformly at random — a = int(n),
 *    b = int(n − 1), b moved past a — and the one with fewer in flight wins, a on a tie:
 *    lb_baseline's `p2c`, draw for draw;
 *  - `rr` is lb_baseline's rr: cyclic from the first endpoint, which is ipvs-rr with weights 1
 *    (registered under both names in registry.ts).
 *
 * Weights are ignored.
 */
import type { Rng } from "../../sim/engine/rng.js";
import type { Balancer, BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";

abstract class CountingBalancer implements Balancer {
  abstract readonly name: string;
  protected n = 0;

  setEndpoints(endpoints: readonly EndpointView[]): void {
    this.n = endpoints.length;
  }

  abstract pick(clientIP: number, rng: Rng, active: ArrayLike<number>): number;
}

class Least extends CountingBalancer {
  readonly name = "least";

  pick(_clientIP: number, _rng: Rng, active: ArrayLike<number>): number {
    const n = this.n;
    if (n === 0) return -1;
    let best = 0;
    let min = active[0];
    for (let i = 1; i < n; i++) {
      if (active[i] < min) {
        min = active[i];
        best = i;
      }
    }
    return best;
  }
}

class LeastRequests extends CountingBalancer {
  readonly name = "least-requests";

  pick(_clientIP: number, rng: Rng, active: ArrayLike<number>): number {
    const n = this.n;
    if (n === 0) return -1;
    let min = active[0];
    let first = 0;
    let ties = 1;
    for (let i = 1; i < n; i++) {
      const a = active[i];
      if (a < min) {
        min = a;
        first = i;
        ties = 1;
      } else if (a === min) ties++;
    }
    if (ties === 1) return first;
    // The r-th of the tied endpoints, r uniform: one draw, whatever the number of ties.
    let r = rng.int(ties);
    for (let i = first; ; i++) if (active[i] === min && r-- === 0) return i;
  }
}

class PowerOfTwoChoices extends CountingBalancer {
  readonly name = "p2c";

  pick(_clientIP: number, rng: Rng, active: ArrayLike<number>): number {
    const n = this.n;
    if (n <= 1) return n - 1;
    const a = rng.int(n);
    let b = rng.int(n - 1);
    if (b >= a) b++;
    return active[b] < active[a] ? b : a;
  }
}

export const leastBalancer: BalancerFactory = { name: "least", create: () => new Least() };
export const leastRequestsBalancer: BalancerFactory = { name: "least-requests", create: () => new LeastRequests() };
export const p2cBalancer: BalancerFactory = { name: "p2c", create: () => new PowerOfTwoChoices() };
