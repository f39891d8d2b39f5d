/**
 * Queueing theory against the whole data plane (kube-proxy, balancers, the traffic core) with the
 * peers' `lb` workload (../shared/peers/lb): Poisson λ = 800/s into a Service of k = 10 pods, each
 * a FIFO single server with Exp(μ = 100/s) service (ρ = 0.8), 200 000 requests, the first 1 %
 * left out (test/fixtures/traffic/lb.yaml). The expectations are computed here, independently:
 *  - iptables (uniform random): each pod is M/M/1 at λ/k — sojourn Exp(μ − λ/k): mean 50 ms
 *    (±5 %), p99 ln(100)/(μ − λ/k) = 230.3 ms (±8 %);
 *  - ipvs-rr: each pod sees every k-th arrival, Erlang-k gaps: E_k/M/1, sojourn Exp(μ(1 − σ))
 *    with σ the root of σ = (λ/(λ + μ(1 − σ)))^k: mean 29.2 ms, p99 134.6 ms;
 *  - least-requests and p2c: between the pooled M/M/k (Erlang C, 12.05 ms) and M/M/1 (50 ms),
 *    least-requests below p2c, p2c below round robin.
 * The reference numbers are also checked against ../shared/peers/lib/queueing.mjs when present.
 */
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/simulate.js";
import { loadScenario } from "../../sim/scenario/load.js";

const FIXTURE = new URL("../fixtures/traffic/lb.yaml", import.meta.url).pathname;
const PEERS_QUEUEING = new URL("../../../shared/peers/lib/queueing.mjs", import.meta.url).pathname;
const K = 10;
const MU = 100;
const LAMBDA = 800;

/** M/M/1 per pod at λ/k. */
function mm1(lambda: number, mu: number, k: number): { mean: number; p99: number } {
  const r = mu - lambda / k;
  return { mean: 1 / r, p99: Math.log(100) / r };
}

/** E_k/M/1: the GI/M/1 root σ = A*(μ(1 − σ)), A*(s) = (λ/(λ + s))^k, by bisection. */
function ekm1(lambda: number, mu: number, k: number): { mean: number; p99: number; sigma: number } {
  const f = (x: number): number => Math.pow(lambda / (lambda + mu * (1 - x)), k) - x;
  // f(0) > 0 and f(1 − ε) < 0 when ρ < 1: the root in (0, 1).
  let lo = 0;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  const sigma = (lo + hi) / 2;
  const r = mu * (1 - sigma);
  return { mean: 1 / r, p99: Math.log(100) / r, sigma };
}

/** M/M/k mean sojourn (Erlang C). */
function mmkMean(lambda: number, mu: number, k: number): number {
  const a = lambda / mu;
  const rho = a / k;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < k; n++) {
    term *= a / n;
    sum += term;
  }
  const pk = (term * a) / k / (1 - rho);
  const erlangC = pk / (sum + pk);
  return erlangC / (k * mu - lambda) + 1 / mu;
}

type Result = { mean: number; p99: number; completed: number };
const results = new Map<string, Result>();

function run(balancer: string): Result {
  const cached = results.get(balancer);
  if (cached) return cached;
  const scenario = loadScenario(FIXTURE);
  scenario.traffic![0].balancer = { name: balancer };
  const m = runScenario(scenario).metrics;
  const r = { mean: m["service.default.web.latency.mean"], p99: m["service.default.web.latency.p99"], completed: m["service.default.web.completed"] };
  results.set(balancer, r);
  return r;
}

describe("the lb workload against queueing theory (k = 10, μ = 100/s, ρ = 0.8, 200k requests)", () => {
  beforeAll(() => {
    for (const b of ["iptables", "ipvs-rr", "least-requests", "p2c"]) run(b);
  });

  it("the reference numbers (computed here) agree with the peers' queueing.mjs", async () => {
    expect(mm1(LAMBDA, MU, K).mean).toBeCloseTo(0.05, 12);
    expect(mm1(LAMBDA, MU, K).p99).toBeCloseTo(0.2302585, 6);
    expect(ekm1(LAMBDA, MU, K).mean).toBeCloseTo(0.02922, 4);
    expect(ekm1(LAMBDA, MU, K).p99).toBeCloseTo(0.1346, 3);
    expect(mmkMean(LAMBDA, MU, K)).toBeCloseTo(0.01205, 4);
    if (!existsSync(PEERS_QUEUEING)) return;
    const q = (await import(PEERS_QUEUEING)) as {
      mm1(l: number, m: number, k: number): { mean: number; p99: number };
      ekm1(l: number, m: number, k: number): { mean: number; p99: number };
      mmkMean(l: number, m: number, k: number): number;
    };
    expect(q.mm1(LAMBDA, MU, K).mean).toBeCloseTo(mm1(LAMBDA, MU, K).mean, 9);
    expect(q.ekm1(LAMBDA, MU, K).mean).toBeCloseTo(ekm1(LAMBDA, MU, K).mean, 9);
    expect(q.ekm1(LAMBDA, MU, K).p99).toBeCloseTo(ekm1(LAMBDA, MU, K).p99, 9);
    expect(q.mmkMean(LAMBDA, MU, K)).toBeCloseTo(mmkMean(LAMBDA, MU, K), 9);
  });

  it("about 200 000 requests complete in each run", () => {
    for (const r of results.values()) expect(Math.abs(r.completed - 200_000)).toBeLessThan(3_000);
  });

  it("iptables (uniform random): M/M/1 per pod — mean 50 ms ±5 %, p99 230 ms ±8 %", () => {
    const r = run("iptables");
    const t = mm1(LAMBDA, MU, K);
    expect(Math.abs(r.mean / t.mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.p99 / t.p99 - 1)).toBeLessThan(0.08);
  });

  it("ipvs-rr: E_k/M/1 per pod — mean 29.2 ms ±5 %, p99 134.6 ms ±8 %", () => {
    const r = run("ipvs-rr");
    const t = ekm1(LAMBDA, MU, K);
    expect(Math.abs(r.mean / t.mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.p99 / t.p99 - 1)).toBeLessThan(0.08);
  });

  it("least-requests and p2c: between M/M/k and M/M/1, least-requests < p2c < round robin", () => {
    const lo = mmkMean(LAMBDA, MU, K);
    const hi = mm1(LAMBDA, MU, K).mean;
    const least = run("least-requests");
    const p2c = run("p2c");
    for (const r of [least, p2c]) {
      expect(r.mean).toBeGreaterThanOrEqual(lo * 0.95);
      expect(r.mean).toBeLessThanOrEqual(hi);
    }
    expect(least.mean).toBeLessThan(p2c.mean);
    expect(p2c.mean).toBeLessThan(run("ipvs-rr").mean);
  });
});
