/**
 * The userspace proxier's round robin (pkg/proxy/userspace/roundrobin.go, LoadBalancerRR; the
 * mode was removed in Kubernetes v1.26). When a Service's set of endpoints changes, the list is
 * shuffled (ShuffleStrings: a uniformly random permutation) and the index reset to 0; each new
 * connection takes the endpoint at the index, and the index moves on by one, modulo the length.
 * An update that leaves the set unchanged keeps the order and the index (slicesEquiv).
 * simk shuffles with the proxy's seeded rng (Fisher–Yates), so runs are reproducible.
 *
 * Session affinity, which LoadBalancerRR also implemented, is done by the proxy for every policy
 * (sim/traffic/proxy.ts).
 */
import type { Rng } from "../../sim/engine/rng.js";
import type { Balancer, BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";

class UserspaceRoundRobin implements Balancer {
  readonly name = "userspace";
  private addresses: string[] = [];
  /** order[k] = the endpoint index at position k of the shuffled list. */
  private order = new Int32Array(0);
  private index = 0;

  setEndpoints(endpoints: readonly EndpointView[], rng: Rng): void {
    const addresses = endpoints.map((e) => e.address);
    if (sameSet(this.addresses, addresses)) {
      // Same endpoints: keep the rotation. The list is sorted, so the indices are the same too
      // unless the order of equal sets differs; map them through the addresses to be safe.
      if (!addresses.every((a, i) => a === this.addresses[i])) {
        const at = new Map(addresses.map((a, i) => [a, i]));
        this.order = Int32Array.from(this.order, (k) => at.get(this.addresses[k])!);
      }
      this.addresses = addresses;
      return;
    }
    this.addresses = addresses;
    this.order = Int32Array.from(rng.shuffle(addresses.map((_, i) => i)));
    this.index = 0;
  }

  pick(): number {
    const n = this.order.length;
    if (n === 0) return -1;
    const j = this.order[this.index];
    this.index = (this.index + 1) % n;
    return j;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

export const userspaceBalancer: BalancerFactory = { name: "userspace", create: () => new UserspaceRoundRobin() };
