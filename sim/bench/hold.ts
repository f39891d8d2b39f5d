/**
 * Workload (a), the HOLD model, on simk's event engine (sim/engine/engine.ts) — the same Engine
 * every simulation runs on, through its public `after` call.
 *
 * N processes start at t = 0; each repeatedly waits a delay drawn from the shared table until
 * `events` timeouts have fired in total. Events fire in (time, insertion order), so the final
 * clock and the checksum (the sum of all event times in firing order) are bit-identical to every
 * correct peer (../shared/peers/engine/hold_baseline.mjs).
 *
 * simk's clock is an integer: the table's delays are exact multiples of 2^-24, so the engine runs
 * in units of 2^-24 (every event time an exact integer below 2^53) and the results are divided
 * back. Dividing by a power of two is exact, and the checksum is accumulated in the original
 * units, in firing order, exactly as the peers add it.
 */
import { Engine } from "../engine/engine.js";
import { HOLD_DELAY_BITS, HOLD_STRIDE, HOLD_TABLE_BITS, holdDelayTableScaled, nowSeconds, peakRssMiB } from "./common.js";

export interface HoldOptions {
  events: number;
  procs: number;
}

export interface HoldResult {
  workload: "hold";
  impl: "simk";
  procs: number;
  events: number;
  final_clock: number;
  checksum: number;
  run_s: number;
  events_per_s: number;
  /** Peak resident set size of the process so far, MiB. */
  peak_rss_mib: number;
}

const UNIT = 2 ** -HOLD_DELAY_BITS;

export function runHold(options: HoldOptions): HoldResult {
  const { events, procs } = options;
  if (!(Number.isSafeInteger(procs) && procs > 0)) throw new RangeError(`--procs must be a positive integer, got ${procs}`);
  if (!(Number.isSafeInteger(events) && events >= 0) || events % procs !== 0) {
    throw new RangeError(`--events must be a multiple of --procs (${procs}), got ${events}`);
  }
  const perProcess = events / procs;
  const t0 = nowSeconds();
  const table = holdDelayTableScaled();
  const mask = (1 << HOLD_TABLE_BITS) - 1;
  const engine = new Engine(procs + 1);
  // The checksum is a double written on every event by a closure: kept in a let, V8 would box each
  // new value on the heap (a million allocations); a Float64Array cell is written in place.
  const checksum = new Float64Array(1);
  let fired = 0;

  // The processes' state lives in typed arrays (their next table index and timeouts left); one
  // handler serves them all, called with the process number the timeout was scheduled with. So
  // the steady state allocates nothing, and a million processes cost a few bytes each.
  const next = new Int32Array(procs);
  const left = new Int32Array(procs);
  const hold = (p: number): void => {
    const j = next[p];
    next[p] = (j + 1) & mask;
    engine.afterWith(table[j], fire, p);
  };
  const fire = (p: number): void => {
    checksum[0] += engine.now * UNIT;
    fired++;
    if (--left[p] > 0) hold(p);
  };
  for (let p = 0; p < procs; p++) {
    next[p] = (p * HOLD_STRIDE) & mask;
    left[p] = perProcess;
    if (perProcess > 0) hold(p);
  }
  engine.run();

  const runS = nowSeconds() - t0;
  return {
    workload: "hold",
    impl: "simk",
    procs,
    events: fired,
    final_clock: engine.now * UNIT,
    checksum: checksum[0],
    run_s: +runS.toFixed(4),
    events_per_s: Math.round(fired / runS),
    peak_rss_mib: peakRssMiB(),
  };
}
