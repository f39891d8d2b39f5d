/**
 * Request sources: when requests arrive. One engine event per arrival, with one pre-bound handler
 * per source (nothing is allocated per request).
 *
 *  - poisson: exponential gaps at the rate; while the rate is ramping (setTraffic with `over`), a
 *    non-homogeneous Poisson process by thinning (Lewis & Shedler): candidates at the bound
 *    max(rate now, target), each kept with probability rate(t) / bound.
 *  - constant: one request each time the integral of the rate since the last one reaches 1 (so a
 *    ramp from 100/s to 200/s shortens the gaps smoothly, and a rate change keeps what has accrued).
 *  - sine: non-homogeneous Poisson with rate level(t) × (1 + a × sin(2π (t + phase) / period)),
 *    a = amplitude / mean, by thinning at the bound level × (1 + a); setTraffic changes the level
 *    (the mean), the amplitude scales with it.
 *  - replay: the times of a file, in order; setTraffic does not apply (the loader refuses it).
 *
 * Rates are in requests per second; times in µs.
 */
import type { Engine } from "../engine/engine.js";
import type { Rng } from "../engine/rng.js";
import type { ArrivalSpec } from "../scenario/types.js";

const US = 1_000_000;

export class ArrivalSource {
  /** The level (rate, or sine mean) at `levelAt`, ramping linearly to `target` at `rampEnd`. */
  private level0: number;
  private levelAt = 0;
  private target: number;
  private rampEnd = 0;
  /** Sine shape: relative amplitude, angular frequency per µs, phase (µs). */
  private readonly relAmp: number;
  private readonly omega: number;
  private readonly phase: number;
  /** The process's own clock (fractional µs): the pending arrival's exact time (or the start). */
  private t = 0;
  /** The last arrival (or the start), for the constant process's accrued share of its next gap. */
  private last = 0;
  private replayIndex = 0;
  private running = false;
  /** The pending arrival event's handler; an older pending event finds itself replaced and does nothing. */
  private handler: () => void;

  constructor(
    private readonly engine: Engine,
    private readonly spec: ArrivalSpec,
    private readonly rng: Rng,
    /** Called once per arrival, at the arrival time. */
    private readonly onArrival: () => void,
  ) {
    const level = spec.process === "sine" ? spec.mean : spec.process === "replay" ? 0 : spec.rate;
    this.level0 = level;
    this.target = level;
    this.relAmp = spec.process === "sine" && spec.mean > 0 ? spec.amplitude / spec.mean : 0;
    this.omega = spec.process === "sine" ? (2 * Math.PI) / spec.period : 0;
    this.phase = spec.process === "sine" ? spec.phase : 0;
    this.handler = this.makeHandler();
  }

  /** Schedules the first arrival (from now). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.t = this.engine.now;
    this.last = this.t;
    if (this.spec.process === "replay") {
      while (this.replayIndex < this.spec.times.length && this.spec.times[this.replayIndex] < this.engine.now) this.replayIndex++;
    }
    this.scheduleNext();
  }

  /** No further arrivals. */
  stop(): void {
    this.running = false;
    this.handler = this.makeHandler();
  }

  /** The rate now (requests per second). */
  rateNow(): number {
    return this.rateAt(this.engine.now);
  }

  /**
   * setTraffic: the rate (for sine, the mean) becomes `rate`, at once or along a linear ramp over
   * `over` µs from now.
   */
  setRate(rate: number, over = 0): void {
    if (this.spec.process === "replay") throw new Error("a replayed source has no rate");
    const now = this.engine.now;
    let accrued = 0;
    if (this.spec.process === "constant") accrued = this.integral(this.last, now);
    this.level0 = this.levelAtTime(now);
    this.levelAt = now;
    this.target = rate;
    this.rampEnd = now + Math.max(0, over);
    if (!this.running) return;
    // Replace the pending event: Poisson is memoryless, so drawing afresh from now is exact; the
    // constant process keeps the part of its next gap already accrued.
    this.handler = this.makeHandler();
    if (this.spec.process === "constant") {
      this.scheduleAfterArea(now, 1 - Math.min(1, accrued));
    } else {
      this.t = now;
      this.scheduleNext();
    }
  }

  // --- internals ---------------------------------------------------------------------------------

  private makeHandler(): () => void {
    const h = (): void => {
      if (this.handler !== h || !this.running) return;
      if (this.spec.process === "replay") {
        const times = this.spec.times;
        const now = this.engine.now;
        // Every arrival at this µs, then the next one.
        while (this.replayIndex < times.length && times[this.replayIndex] <= now) {
          this.replayIndex++;
          this.onArrival();
          if (this.handler !== h) return;
        }
        this.scheduleNext();
        return;
      }
      this.last = this.t;
      this.onArrival();
      if (this.handler === h) this.scheduleNext();
    };
    return h;
  }

  private levelAtTime(t: number): number {
    if (t >= this.rampEnd) return this.target;
    const f = (t - this.levelAt) / (this.rampEnd - this.levelAt);
    return this.level0 + (this.target - this.level0) * f;
  }

  private rateAt(t: number): number {
    const level = this.levelAtTime(t);
    if (this.relAmp === 0) return level;
    return level * (1 + this.relAmp * Math.sin(this.omega * (t + this.phase)));
  }

  /** ∫ level over [a, b] in requests (level in req/s, times in µs); constant process only. */
  private integral(a: number, b: number): number {
    if (b <= a) return 0;
    const mid = this.rampEnd;
    let area = 0;
    if (a < mid) {
      const e = Math.min(b, mid);
      area += ((this.levelAtTime(a) + this.levelAtTime(e)) / 2) * (e - a);
    }
    if (b > mid) area += this.target * (b - Math.max(a, mid));
    return area / US;
  }

  private scheduleNext(): void {
    const spec = this.spec;
    switch (spec.process) {
      case "replay": {
        if (this.replayIndex >= spec.times.length) return;
        this.engine.at(Math.max(this.engine.now, spec.times[this.replayIndex]), this.handler);
        return;
      }
      case "constant":
        // The first request of a constant source comes one gap after the start.
        this.scheduleAfterArea(this.t, 1);
        return;
      default:
        this.schedulePoisson();
    }
  }

  /** Constant process: the next arrival is where the integral of the level from `from` reaches `area`. */
  private scheduleAfterArea(from: number, area: number): void {
    let t = from;
    let need = area * US; // in (req/s)·µs
    if (t < this.rampEnd) {
      const l0 = this.levelAtTime(t);
      const slope = (this.target - this.level0) / (this.rampEnd - this.levelAt); // per µs
      const span = this.rampEnd - t;
      const rampArea = l0 * span + (slope * span * span) / 2;
      if (rampArea >= need) {
        // l0·d + slope·d²/2 = need
        const d = Math.abs(slope) < 1e-18 ? need / l0 : (-l0 + Math.sqrt(Math.max(0, l0 * l0 + 2 * slope * need))) / slope;
        this.at(t + d);
        return;
      }
      need -= rampArea;
      t = this.rampEnd;
    }
    if (!(this.target > 0)) return; // rate 0: nothing until the next setTraffic
    this.at(t + need / this.target);
  }

  private schedulePoisson(): void {
    const ramping = this.t < this.rampEnd;
    const levelBound = ramping ? Math.max(this.levelAtTime(this.t), this.target) : this.target;
    const bound = levelBound * (1 + this.relAmp);
    if (!(bound > 0)) return;
    const rate = bound / US; // per µs
    let t = this.t;
    if (!ramping && this.relAmp === 0) {
      t += this.rng.exponential(rate);
      this.at(t);
      return;
    }
    // Thinning.
    for (;;) {
      t += this.rng.exponential(rate);
      if (this.rng.next() * bound <= this.rateAt(t)) break;
      if (t >= this.rampEnd && this.relAmp === 0) {
        // Past the ramp the rate is constant: the bound may be higher than needed; redraw exactly.
        if (!(this.target > 0)) return;
        this.t = t;
        this.schedulePoisson();
        return;
      }
    }
    this.at(t);
  }

  private at(t: number): void {
    this.t = t;
    this.engine.at(Math.max(this.engine.now, Math.round(t)), this.handler);
  }
}
