/**
 * The sweep statistics against values worked out by hand and textbook tables. Where a reference
 * value came from scipy (1.17), the call is quoted; every exact p-value is also checked against a
 * brute-force enumeration of all rank assignments.
 */
import { describe, expect, it } from "vitest";
import { exactUCdf, mannWhitneyU, mean, normalSf, sampleSd, studentTCdf, studentTQuantile, summarise } from "../../sim/sweep/stats.js";

describe("Student t", () => {
  // Two-sided 95 % critical values, t(0.975, df), from any printed t table.
  it.each([
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [9, 2.262],
    [10, 2.228],
    [29, 2.045],
    [120, 1.98],
  ])("t(0.975, %i) = %f", (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it("matches the closed forms for 1 and 2 degrees of freedom", () => {
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π, so t(p) = tan(π(p − 1/2)).
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 10);
    // df = 2: t(p) = (2p − 1)·sqrt(2 / (4p(1 − p))).
    const p = 0.975;
    expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 10);
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776445, 6);
  });

  it("approaches the normal quantile for large df", () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
  });
});

describe("summarise", () => {
  it("a t-interval computed by hand: 1, 2, 3, 4, 5", () => {
    // mean 3; sd = sqrt(((−2)² + (−1)² + 0 + 1² + 2²) / 4) = sqrt(2.5) = 1.5811388;
    // se = 1.5811388 / sqrt(5) = 0.7071068; t(0.975, 4) = 2.7764451; half-width 1.9632432.
    const s = summarise([1, 2, 3, 4, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(1.5811388, 7);
    expect(s.ci![0]).toBeCloseTo(3 - 1.9632432, 6);
    expect(s.ci![1]).toBeCloseTo(3 + 1.9632432, 6);
  });

  it("another: 10.2, 9.8, 10.4, 10.0 (df 3)", () => {
    // mean 10.1; deviations 0.1, −0.3, 0.3, −0.1 → Σd² = 0.2, sd = sqrt(0.2/3) = 0.2581989;
    // se = 0.2581989 / 2 = 0.1290994; t(0.975, 3) = 3.1824463 → half-width 0.4108520.
    const s = summarise([10.2, 9.8, 10.4, 10.0]);
    expect(s.mean).toBeCloseTo(10.1, 12);
    expect(s.ci![1] - s.mean).toBeCloseTo(0.410852, 6);
  });

  it("n = 1 has no sd and no interval; equal values a zero-width interval", () => {
    expect(summarise([7])).toEqual({ n: 1, mean: 7, sd: null, ci: null });
    expect(summarise([2, 2, 2])).toEqual({ n: 3, mean: 2, sd: 0, ci: [2, 2] });
    expect(sampleSd([1])).toBeUndefined();
    expect(mean([1, 2])).toBe(1.5);
  });
});

/** P(U ≤ U₁ or U ≥ mn − U₁)-style two-sided p by enumerating every way to place the first sample's ranks. */
function bruteForceP(a: number[], b: number[]): number {
  const all = [...a, ...b].sort((x, y) => x - y);
  const rank = (v: number): number => all.indexOf(v) + 1; // no ties in these samples
  const m = a.length;
  const N = all.length;
  const observed = a.reduce((s, v) => s + rank(v), 0) - (m * (m + 1)) / 2;
  const lower = Math.min(observed, m * b.length - observed);
  let count = 0;
  let total = 0;
  const choose = (start: number, left: number, sum: number): void => {
    if (left === 0) {
      total++;
      if (sum - (m * (m + 1)) / 2 <= lower) count++;
      return;
    }
    for (let r = start; r <= N - left + 1; r++) choose(r + 1, left - 1, sum + r);
  };
  choose(1, m, 0);
  return Math.min(1, (2 * count) / total);
}

describe("Mann–Whitney U", () => {
  it("hand-worked: 1, 2, 3 against 4, 5, 6", () => {
    // U₁ = 0; of the C(6,3) = 20 ways to pick three ranks only {1,2,3} gives U = 0: P = 1/20,
    // two-sided p = 0.1.
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r).toEqual({ u: 0, p: 0.1, method: "exact" });
    // 4 against 4 without overlap: 2 / C(8,4) = 2/70.
    expect(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 70, 15);
  });

  it("textbook example (Conover; scipy's mannwhitneyu documentation): exact U = 17, p = 14/126", () => {
    // Ranks of 11 12 16 17 19 20 22 24 29 are 1..9; the first sample has ranks 5, 7, 3, 9, 8 → 32,
    // U₁ = 32 − 15 = 17, U₂ = 20 − 17 = 3. Rank sets of the 4-sample with U ≤ 3: 1 + 1 + 2 + 3 = 7
    // of C(9,4) = 126, so p = 2·7/126 = 0.1111.
    // scipy.stats.mannwhitneyu([19,22,16,29,24], [20,11,17,12], method="exact") → (17.0, 0.1111111111111111)
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u).toBe(17);
    expect(r.method).toBe("exact");
    expect(r.p).toBeCloseTo(14 / 126, 15);
  });

  it("exact p-values agree with brute-force enumeration", () => {
    const cases: [number[], number[]][] = [
      [[1.5, 3.2, 8.1], [2.2, 4.4, 5.0, 9.9]],
      [[10, 20, 30, 40, 50], [15, 25, 35, 45, 55, 65]],
      [[0.31, 0.12, 0.77, 0.52, 0.98, 0.05], [0.44, 0.91, 0.63, 0.27, 0.85, 0.71, 0.58]],
      [[5], [1, 2, 3, 4, 6, 7]],
    ];
    for (const [a, b] of cases) {
      const r = mannWhitneyU(a, b);
      expect(r.method).toBe("exact");
      expect(r.p).toBeCloseTo(bruteForceP(a, b), 12);
    }
  });

  it("the exact null distribution sums to 1 and is symmetric", () => {
    for (const [m, n] of [[3, 5], [6, 6], [10, 7]]) {
      expect(exactUCdf(m, n, m * n)).toBe(1);
      for (let k = 0; k < m * n; k++) {
        // P(U ≤ k) = P(U ≥ mn − k) = 1 − P(U ≤ mn − k − 1)
        expect(exactUCdf(m, n, k)).toBeCloseTo(1 - exactUCdf(m, n, m * n - k - 1), 12);
      }
    }
  });

  it("normal approximation with the tie correction, worked by hand", () => {
    // A = 1 2 2 3 4 5 5 6, B = 3 4 6 6 7 8 9 9 (N = 16). Mid-ranks: 1→1, 2→2.5, 3→4.5, 4→6.5,
    // 5→8.5, 6→11, 7→13, 8→14, 9→15.5. Rank sum of A = 1+2.5+2.5+4.5+6.5+8.5+8.5+11 = 45,
    // U₁ = 45 − 36 = 9. Ties: five pairs (t³ − t = 6 each) and one triple (24): Σ = 54.
    // σ² = 8·8/12 · (17 − 54/(16·15)) = 5.3333 · 16.775 = 89.4667; z = (|9 − 32| − 0.5)/σ = 2.37875;
    // p = 2·P(Z > 2.37875) = 0.017371.
    // scipy.stats.mannwhitneyu(A, B, method="asymptotic") → (9.0, 0.017370655834023318)
    const r = mannWhitneyU([1, 2, 2, 3, 4, 5, 5, 6], [3, 4, 6, 6, 7, 8, 9, 9]);
    expect(r.u).toBe(9);
    expect(r.method).toBe("normal");
    const sigma = Math.sqrt((64 / 12) * (17 - 54 / 240));
    expect(r.p).toBeCloseTo(2 * normalSf((23 - 0.5) / sigma), 14);
    expect(r.p).toBeCloseTo(0.017370655834023318, 12);
  });

  it("large samples use the normal approximation: 60 against 60 without ties", () => {
    const a = Array.from({ length: 60 }, (_, i) => 2 * i); // even numbers 0..118
    const b = Array.from({ length: 60 }, (_, i) => 2 * i + 1 + 20); // odd numbers 21..139
    const r = mannWhitneyU(a, b);
    expect(r.method).toBe("normal");
    // U₁ = Σ over a of the b's below it: a = 2i beats b = 2j + 21 when 2i > 2j + 21, i.e. j ≤ i − 11.
    let u = 0;
    for (let i = 0; i < 60; i++) u += Math.max(0, i - 10);
    expect(r.u).toBe(u);
    const sigma = Math.sqrt((60 * 60 * 121) / 12);
    expect(r.p).toBeCloseTo(2 * normalSf((Math.abs(u - 1800) - 0.5) / sigma), 14);
  });

  it("identical samples: p = 1", () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3]).p).toBe(1);
    expect(mannWhitneyU([1, 2, 3], [1, 2, 3]).p).toBe(1);
  });

  it("the normal tail matches known values", () => {
    expect(normalSf(0)).toBeCloseTo(0.5, 15);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(normalSf(3)).toBeCloseTo(0.0013498980316301, 14);
  });
});
