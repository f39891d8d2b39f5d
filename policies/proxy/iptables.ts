/**
 * kube-proxy's random balancing: the iptables and nftables modes, and plain `random` (the `lb`
 * workload's policy of that name).
 *
 * iptables (pkg/proxy/iptables/proxier.go): a Service's chain holds one rule per endpoint, in the
 * proxy's endpoint order ("ip:port", pkg/proxy/endpointslicecache.go). Rule i < n − 1 jumps to
 * endpoint i with `-m statistic --mode random --probability p_i`, p_i = 1/(n − i) printed by
 * computeProbability as "%0.10f"; the last rule always matches. A packet reaches rule i only if
 * rules 0..i−1 did not match, so endpoint i gets p_i × Π_{j<i} (1 − p_j), which telescopes to
 * exactly 1/n for exact p_i. The printed values differ from 1/(n − i) by less than 5·10⁻¹¹, and the
 * kernel (net/netfilter/xt_statistic.c) compares a 31-bit random number with p × 2³¹, so the
 * chain is uniform to within about 10⁻⁹ per endpoint (iptablesChainDistribution computes it
 * exactly; test/proxy checks it). simk therefore draws the endpoint uniformly with one rng.int(n):
 * the same distribution at O(1) instead of walking the chain.
 *
 * nftables (pkg/proxy/nftables/proxier.go): `numgen random mod n vmap { 0 : goto ep0, ... }`,
 * uniform by construction.
 *
 * Weights are ignored (kube-proxy gives every endpoint weight 1 and neither mode has weights).
 */
import type { Rng } from "../../sim/engine/rng.js";
import type { Balancer, BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";

class UniformBalancer implements Balancer {
  private n = 0;

  constructor(readonly name: string) {}

  setEndpoints(endpoints: readonly EndpointView[]): void {
    this.n = endpoints.length;
  }

  pick(_clientIP: number, rng: Rng): number {
    const n = this.n;
    if (n <= 1) return n - 1;
    return rng.int(n);
  }
}

export const iptablesBalancer: BalancerFactory = { name: "iptables", create: () => new UniformBalancer("iptables") };
export const nftablesBalancer: BalancerFactory = { name: "nftables", create: () => new UniformBalancer("nftables") };
/** The `lb` workload's `random` (../shared/peers/lb/lb_baseline.mjs: rng.int(K)). */
export const randomBalancer: BalancerFactory = { name: "random", create: () => new UniformBalancer("random") };

/**
 * The --probability values kube-proxy writes for a Service with n endpoints: n − 1 strings
 * (rule i: 1/(n − i) with "%0.10f"; the last rule has none).
 */
export function iptablesRuleProbabilities(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n - 1; i++) out.push((1 / (n - i)).toFixed(10));
  return out;
}

/**
 * The probability that the chain sends a packet to each endpoint, computed exactly from the
 * printed probabilities. With `quantize`, each probability is first turned into the kernel's
 * 31-bit threshold (round(p × 2³¹), as libxt_statistic does) and back.
 */
export function iptablesChainDistribution(n: number, options: { quantize?: boolean } = {}): number[] {
  const ps = iptablesRuleProbabilities(n).map((s) => {
    const p = Number(s);
    return options.quantize ? Math.round(p * 2 ** 31) / 2 ** 31 : p;
  });
  const out: number[] = [];
  let reach = 1;
  for (let i = 0; i < n; i++) {
    const p = i < n - 1 ? ps[i] : 1;
    out.push(reach * p);
    reach *= 1 - p;
  }
  return out;
}
