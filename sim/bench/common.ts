/**
 * Pieces shared with the peer benchmarks in ../shared/peers (lib/common.mjs), re-expressed here
 * so that simk generates exactly the same workloads: the HOLD delay table, the sfc32 generator the
 * peers draw pod requests and arrivals from, and the nearest-rank quantile.
 *
 * These are workload inputs, not simulation randomness: simk's own components still draw from
 * their seeded streams (sim/engine/rng.ts).
 */

/** The HOLD delay table has 2^16 entries; process i starts at index (i · 7919) mod 2^16. */
export const HOLD_TABLE_BITS = 16;
export const HOLD_STRIDE = 7919;
/** Delays are 0.5 + k / 2^24: every one is an exact multiple of 2^-24. */
export const HOLD_DELAY_BITS = 24;

/**
 * xorshift32 stream, 24-bit uniforms, delay = 0.5 + u in [0.5, 1.5), as the peers' table — but in
 * units of 2^-24, so every delay is an exact integer (2^23 + (x >>> 8)) for simk's integer clock.
 */
export function holdDelayTableScaled(): Int32Array {
  const n = 1 << HOLD_TABLE_BITS;
  const t = new Int32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    t[i] = (1 << (HOLD_DELAY_BITS - 1)) + (x >>> 8);
  }
  return t;
}

/** sfc32, seeded as the peers seed it (lib/common.mjs makeRng). */
export class Sfc32 {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const a = this.a >>> 0;
    const b = this.b >>> 0;
    let c = this.c >>> 0;
    const d = this.d >>> 0;
    const t = (a + b + d) >>> 0;
    this.d = (d + 1) >>> 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    this.c = (c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  random(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Exponential with the given rate. */
  exp(rate: number): number {
    return -Math.log(1 - this.u32() / 4294967296) / rate;
  }
}

/** The p-quantile (0..1) of a sorted array by the nearest-rank method. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[idx];
}

/** Wall-clock seconds (benchmarks only: nothing in the simulation reads this). */
export function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Peak resident set size of this process so far, MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
