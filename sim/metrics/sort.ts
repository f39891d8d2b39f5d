/**
 * Sorting for exact order statistics over many samples (request latencies in integer µs).
 *
 * A comparison sort of 10^6 doubles (Float64Array.prototype.sort) takes about 130 ms in V8, more
 * than the whole simulation of the requests. Latencies in µs are non-negative integers, almost
 * always below 2^32, so they sort in O(n): by counting when their range is small next to their
 * number (10^6 latencies below a second), else by an LSD radix sort in two or three passes. The
 * result is the same sequence of values as a comparison sort's: only its cost differs.
 */

/** Below this many values a comparison sort is as cheap as clearing the radix counts. */
const SMALL = 256;
/** From this many values on, 11-bit digits (fewer passes); below, 8-bit ones (fewer counts to clear). */
const LARGE = 1 << 16;

/**
 * values[from..to) sorted ascending, as a new array. Non-negative integers below 2^32 are sorted
 * as such (into a Uint32Array); anything else (a fraction, a negative or a huge value) falls back
 * to Float64Array's sort. `values` is not modified.
 */
export function sortedCopy(values: Float64Array, from = 0, to = values.length): Uint32Array | Float64Array {
  // A Sorter of its own: its buffers are the result's, and nobody else holds them.
  return new Sorter().sorted(values, from, to);
}

/**
 * Sorts like {@link sortedCopy} into buffers it keeps between calls (a time series sorts one
 * interval's latencies per sample: no allocation per sample). The result is a view of those
 * buffers, valid until the next call.
 */
export class Sorter {
  private keys = new Uint32Array(0);
  private spare = new Uint32Array(0);
  private counts = new Int32Array(0);

  sorted(values: Float64Array, from = 0, to = values.length): Uint32Array | Float64Array {
    const n = to - from;
    if (n < SMALL) return values.slice(from, to).sort();
    if (n > this.keys.length) {
      this.keys = new Uint32Array(n);
      this.spare = new Uint32Array(n);
    }
    const keys = this.keys.subarray(0, n);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = values[from + i];
      const k = v >>> 0;
      // Not a uint32 (fraction, negative, NaN or ≥ 2^32): a comparison sort.
      if (k !== v) return values.slice(from, to).sort();
      keys[i] = k;
      if (k > max) max = k;
    }
    // Counting costs n + max; radix, two or three passes of 2n.
    if (max < 2 * n) {
      countingSortUint32(keys, max, this.countsOf(max + 1));
      return keys;
    }
    const bits = n >= LARGE ? 11 : 8;
    return radixSortUint32(keys, this.spare.subarray(0, n), max, bits, this.countsOf(1 << bits));
  }

  /** The counts buffer, at least `size` long and zeroed over its first `size` entries. */
  private countsOf(size: number): Int32Array {
    if (size > this.counts.length) this.counts = new Int32Array(size);
    else this.counts.fill(0, 0, size);
    return this.counts;
  }
}

/** Sorts `keys` (all ≤ max) ascending, in place, by counting each value (counts: zeroed, > max long). */
function countingSortUint32(keys: Uint32Array, max: number, counts: Int32Array): void {
  const n = keys.length;
  for (let i = 0; i < n; i++) counts[keys[i]]++;
  let j = 0;
  for (let v = 0; v <= max; v++) {
    for (let c = counts[v]; c > 0; c--) keys[j++] = v;
  }
}

/**
 * LSD radix sort of `keys` (all ≤ max) in `bits`-bit digits, ping-ponging with `spare` (same
 * length); returns whichever of the two holds the result.
 */
function radixSortUint32(keys: Uint32Array, spare: Uint32Array, max: number, bits: number, counts: Int32Array): Uint32Array {
  const n = keys.length;
  const radix = 1 << bits;
  const mask = radix - 1;
  let src = keys;
  let dst = spare;
  for (let shift = 0; shift < 32 && max >>> shift > 0; shift += bits) {
    counts.fill(0, 0, radix);
    for (let i = 0; i < n; i++) counts[(src[i] >>> shift) & mask]++;
    // Counts → start offsets.
    let sum = 0;
    for (let d = 0; d < radix; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    // Stable scatter: equal digits keep the order of the previous pass.
    for (let i = 0; i < n; i++) {
      const k = src[i];
      dst[counts[(k >>> shift) & mask]++] = k;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
  }
  return src;
}
