/**
 * Seeded randomness. One run seed is split into named, independent streams — one per component
 * ("scheduler", "kubelet/node-3", "traffic/web", ...) — so that a component drawing more or fewer
 * numbers never shifts another component's sequence. Each stream is Alea seeded with
 * "<seed>/<name>", exactly as seedrandom's `alea` computes it; nothing in simk calls Math.random.
 */

/**
 * Johannes Baagøe's Alea as seedrandom's lib/alea.js implements it, draw for draw: the same Mash
 * seeding and the same recurrence. A class with numeric fields rather than seedrandom's closure,
 * so that a draw inlines into its caller and allocates nothing (test/engine checks the sequences
 * against seedrandom's).
 */
export class Alea {
  // Initialised with numbers (not left undefined until the constructor runs) so that V8 keeps
  // them as unboxed double fields: a draw then stores in place instead of allocating.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private c = 1;

  constructor(seed: string) {
    const mash = makeMash();
    this.s0 = mash(" ");
    this.s1 = mash(" ");
    this.s2 = mash(" ");
    this.s0 -= mash(seed);
    if (this.s0 < 0) this.s0 += 1;
    this.s1 -= mash(seed);
    if (this.s1 < 0) this.s1 += 1;
    this.s2 -= mash(seed);
    if (this.s2 < 0) this.s2 += 1;
  }

  /** Uniform in [0, 1) (32 bits). */
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }
}

/** Baagøe's Mash hash, as in seedrandom's lib/alea.js. */
function makeMash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data: string): number => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}

export class Rng {
  private readonly gen: Alea;

  constructor(readonly seed: number | string, readonly name: string) {
    this.gen = new Alea(`${seed}/${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.gen.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.gen.next() * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.gen.next();
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.gen.next()) / rate;
  }

  /** Standard normal by the Box–Muller transform (one value per call; simple and deterministic). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.gen.next();
    const v = this.gen.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal whose underlying normal has parameters mu and sigma. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/** Hands out one independent stream per name, all derived from the run seed. */
export class RngStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {}

  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = new Rng(this.seed, name);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
