/**
 * iptables, nftables and random are uniform: exactly, for the iptables rule chain as kube-proxy
 * prints it (pkg/proxy/iptables/proxier.go computeProbability, "%0.10f"), and statistically, for
 * the draws simk makes (fixed seeds; bounds of 5 binomial standard deviations, so a correct
 * implementation fails with probability below 10⁻⁵ per count — and, the seeds being fixed, never).
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { iptablesBalancer, iptablesChainDistribution, iptablesRuleProbabilities, nftablesBalancer, randomBalancer } from "../../policies/proxy/iptables.js";
import { p2cBalancer, leastRequestsBalancer } from "../../policies/proxy/modern.js";
import type { BalancerFactory } from "../../sim/traffic/contract.js";
import { balancerWith, views } from "./helpers.js";

describe("the iptables statistic chain", () => {
  it("prints 1/(n − i) with ten decimals, n − 1 rules", () => {
    expect(iptablesRuleProbabilities(3)).toEqual(["0.3333333333", "0.5000000000"]);
    expect(iptablesRuleProbabilities(1)).toEqual([]);
    expect(iptablesRuleProbabilities(4)).toEqual(["0.2500000000", "0.3333333333", "0.5000000000"]);
  });

  it("gives every endpoint 1/n to within half a unit of the tenth decimal (n ≤ 1000)", () => {
    let worst = 0;
    for (let n = 1; n <= 1000; n++) {
      const d = iptablesChainDistribution(n);
      expect(d.length).toBe(n);
      expect(Math.abs(d.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      for (const p of d) worst = Math.max(worst, Math.abs(p - 1 / n));
    }
    expect(worst).toBeLessThan(5e-11);
  });

  it("stays within 10⁻⁹ of 1/n with the kernel's 31-bit thresholds", () => {
    let worst = 0;
    for (let n = 1; n <= 1000; n++) for (const p of iptablesChainDistribution(n, { quantize: true })) worst = Math.max(worst, Math.abs(p - 1 / n));
    expect(worst).toBeLessThan(1e-9);
  });
});

function histogram(factory: BalancerFactory, n: number, draws: number, seed: number): number[] {
  const b = balancerWith(factory, views(n));
  const rng = new Rng(seed, factory.name);
  const act = new Int32Array(n);
  const counts = new Array<number>(n).fill(0);
  for (let k = 0; k < draws; k++) counts[b.pick(k, rng, act)]++;
  return counts;
}

describe("uniform draws", () => {
  for (const factory of [iptablesBalancer, nftablesBalancer, randomBalancer]) {
    it(`${factory.name}: each of n endpoints within 5 binomial sd of N/n, and a small chi-square`, () => {
      for (const [n, draws, seed] of [
        [2, 40_000, 1],
        [6, 120_000, 2],
        [10, 100_000, 3],
        [37, 185_000, 4],
      ] as const) {
        const counts = histogram(factory, n, draws, seed);
        const p = 1 / n;
        const sd = Math.sqrt(draws * p * (1 - p));
        for (const c of counts) expect(Math.abs(c - draws * p)).toBeLessThan(5 * sd);
        // Pearson's chi-square with n − 1 degrees of freedom: mean n − 1, sd √(2(n − 1)).
        const chi2 = counts.reduce((acc, c) => acc + (c - draws * p) ** 2 / (draws * p), 0);
        expect(chi2).toBeLessThan(n - 1 + 5 * Math.sqrt(2 * (n - 1)));
      }
    });
  }

  it("one endpoint: always 0; none: -1", () => {
    for (const f of [iptablesBalancer, nftablesBalancer, randomBalancer]) {
      expect(histogram(f, 1, 100, 1)).toEqual([100]);
      expect(balancerWith(f, []).pick(0, new Rng(1, "x"), [])).toBe(-1);
    }
  });

  it("p2c and least-requests with equal loads are uniform too", () => {
    for (const f of [p2cBalancer, leastRequestsBalancer]) {
      const n = 8;
      const draws = 80_000;
      const counts = histogram(f, n, draws, 5);
      const sd = Math.sqrt(draws * (1 / n) * (1 - 1 / n));
      for (const c of counts) expect(Math.abs(c - draws / n)).toBeLessThan(5 * sd);
    }
  });
});
