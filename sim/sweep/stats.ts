/**
 * The statistics of sweeps and comparisons: mean, sample standard deviation, Student-t confidence
 * intervals, and the Mann–Whitney U test. Pure functions of their inputs, computed in a fixed
 * order, so the same values give the same bits on every machine.
 *
 * The special functions (log-gamma, the regularised incomplete beta and gamma functions) follow
 * Numerical Recipes (3rd ed., §6.1, §6.2, §6.4): Lanczos for ln Γ, Lentz's continued fractions.
 */

// ---------------------------------------------------------------------------------------------
// Descriptive statistics

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divisor n − 1); undefined for fewer than two values. */
export function sampleSd(xs: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation; null when n < 2. */
  sd: number | null;
  /** The confidence interval of the mean (Student t); null when n < 2. */
  ci: [number, number] | null;
}

/** n, mean, sd and the `level` (default 95 %) Student-t confidence interval of the mean. */
export function summarise(xs: readonly number[], level = 0.95): Summary {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: null, ci: null };
  const m = mean(xs);
  const sd = sampleSd(xs);
  if (sd === undefined) return { n, mean: m, sd: null, ci: null };
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, ci: [m - half, m + half] };
}

// ---------------------------------------------------------------------------------------------
// Special functions

const LANCZOS = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4,
  0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
  0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
  0.368991826595316234e-5,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 607/128, n = 14; relative error < 1e-15). */
export function logGamma(x: number): number {
  let y = x;
  const tmp = x + 5.2421875;
  const t = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.999999999999997092;
  for (const c of LANCZOS) ser += c / ++y;
  return t + Math.log((2.5066282746310005 * ser) / x);
}

const EPS = 1e-15;
const FPMIN = 1e-300;

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Student t cumulative distribution function with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (e.g. p = 0.975, df = 4 → 2.776445).
 * Bisection on the CDF to full double precision: slow-ish but exact and deterministic.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Regularised upper incomplete gamma Q(a, x) (series for x < a + 1, else continued fraction). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const gln = logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 10_000; n++) {
      ap++;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - gln) * h;
}

/** The complementary error function, erfc(x) = Q(1/2, x²) for x ≥ 0. */
export function erfc(x: number): number {
  return x >= 0 ? gammaQ(0.5, x * x) : 2 - gammaQ(0.5, x * x);
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

// ---------------------------------------------------------------------------------------------
// Mann–Whitney U

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (a, b) with a > b, ties counting ½. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: "exact" | "normal";
}

/** Samples up to this size (each), without ties, get the exact distribution of U. */
export const EXACT_MAX_N = 50;

/**
 * The two-sided Mann–Whitney U test (Wilcoxon rank-sum) of samples `a` and `b`.
 *
 *  - Exact when neither sample has more than EXACT_MAX_N values and no value occurs twice: the
 *    null distribution of U by the recurrence P(m,n,u) = m/(m+n)·P(m−1,n,u−n) + n/(m+n)·P(m,n−1,u),
 *    p = min(1, 2·P(U ≤ min(U₁, U₂))).
 *  - Otherwise the normal approximation with the tie correction and a continuity correction:
 *    σ² = m·n/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))), z = (|U₁ − m·n/2| − ½) / σ,
 *    p = 2·P(Z > z) (capped at 1). All values equal: p = 1.
 *
 * Both agree with scipy.stats.mannwhitneyu(a, b, alternative="two-sided") with method "exact" and
 * "asymptotic" respectively.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new RangeError("Mann–Whitney U needs two non-empty samples");
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  // Mid-ranks, and the tie sizes for the correction.
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k].first) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (m * (m + 1)) / 2;
  const N = m + n;
  if (tieTerm === 0 && m <= EXACT_MAX_N && n <= EXACT_MAX_N) {
    const lower = Math.min(u, m * n - u);
    const cdf = exactUCdf(m, n, Math.floor(lower));
    return { u, p: Math.min(1, 2 * cdf), method: "exact" };
  }
  const variance = ((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, method: "normal" };
  const z = (Math.abs(u - (m * n) / 2) - 0.5) / Math.sqrt(variance);
  return { u, p: z <= 0 ? 1 : Math.min(1, 2 * normalSf(z)), method: "normal" };
}

/** P(U ≤ k) under the null hypothesis, for samples of sizes m and n without ties. */
export function exactUCdf(m: number, n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= m * n) return 1;
  // prev[j] / cur[j]: the distribution of U for sizes (i − 1, j) / (i, j), as arrays over u.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1)); // i = 0: U = 0 surely
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0: U = 0 surely
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const wa = i / (i + j);
      const wb = j / (i + j);
      // The largest value belongs to the first sample (prob i/(i+j)): it beats all j others.
      const fromA = prev[j];
      for (let u = 0; u < fromA.length; u++) d[u + j] += wa * fromA[u];
      const fromB = cur[j - 1];
      for (let u = 0; u < fromB.length; u++) d[u] += wb * fromB[u];
      cur.push(d);
    }
    prev = cur;
  }
  const dist = prev[n];
  let s = 0;
  for (let u = 0; u <= k; u++) s += dist[u];
  return Math.min(1, s);
}
