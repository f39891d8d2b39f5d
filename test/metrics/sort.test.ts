import { describe, expect, it } from "vitest";
import { Sorter, sortedCopy } from "../../sim/metrics/sort.js";

/** A small deterministic generator (the test must not depend on Math.random). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const reference = (a: Float64Array, from: number, to: number): number[] => Array.from(a.slice(from, to)).sort((x, y) => x - y);

describe("sortedCopy", () => {
  it("sorts µs latencies of every size and range like a comparison sort", () => {
    const rnd = lcg(7);
    // Sizes across both digit widths; ranges that need 0 to 3 passes, ties included.
    for (const n of [0, 1, 5, 255, 256, 1000, 70_000]) {
      for (const max of [0, 1, 200, 70_000, 5_000_000, 2 ** 32 - 1]) {
        const a = new Float64Array(n);
        for (let i = 0; i < n; i++) a[i] = Math.floor(rnd() * (max + 1));
        const from = n > 10 ? 3 : 0;
        const sorted = sortedCopy(a, from, n);
        expect(Array.from(sorted)).toEqual(reference(a, from, n));
      }
    }
  });

  it("falls back to a comparison sort for values that are not uint32, and leaves the input alone", () => {
    const rnd = lcg(11);
    for (const odd of [0.5, -1, 2 ** 32, 2 ** 40 + 3]) {
      const a = new Float64Array(1000);
      for (let i = 0; i < a.length; i++) a[i] = Math.floor(rnd() * 1e6);
      a[500] = odd;
      const before = Array.from(a);
      expect(Array.from(sortedCopy(a))).toEqual(reference(a, 0, a.length));
      expect(Array.from(a)).toEqual(before);
    }
  });

  it("gives the same seconds as sorting the latencies computed in seconds", () => {
    // The summary divides the sorted µs by 10^6; dividing is monotonic, so the order statistics
    // and the ascending-order sum are those of the old Float64Array of seconds.
    const rnd = lcg(3);
    const micros = new Float64Array(5000);
    for (let i = 0; i < micros.length; i++) micros[i] = Math.round(-Math.log(1 - rnd()) * 50_000);
    const seconds = Float64Array.from(micros, (u) => u / 1_000_000).sort();
    const viaMicros = Array.from(sortedCopy(micros), (u) => u / 1_000_000);
    expect(viaMicros).toEqual(Array.from(seconds));
  });
});

describe("Sorter", () => {
  it("reuses its buffers across calls of every size and range without mixing them up", () => {
    const rnd = lcg(13);
    const sorter = new Sorter();
    // Sizes up and down, so that buffers are grown, then reused with stale contents beyond n.
    for (const [n, max] of [[5000, 100], [300, 1_000_000], [70_000, 3_000], [1000, 50], [2000, 2 ** 32 - 1], [400, 0], [8000, 9000]]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = Math.floor(rnd() * (max + 1));
      expect(Array.from(sorter.sorted(a, 1, n))).toEqual(reference(a, 1, n));
    }
  });
});
