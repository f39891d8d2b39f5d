/**
 * The discrete-event kernel: a virtual clock in integer microseconds and a binary heap of pending
 * events, totally ordered by (time, priority, sequence number). Nothing here reads the wall clock.
 *
 * The heap is a struct of typed arrays (time, order key, handler slot) rather than an array of
 * objects: it allocates nothing per event once warm and keeps comparisons on unboxed doubles.
 * Priority and sequence number share one float64 order key, priority × 2^40 + seq, which is exact
 * for |priority| < 2^12 and up to 2^40 (about 10^12) events per run.
 *
 * A pending event's handler (and payload, see {@link Engine.atWith}) sits in a slot of per-slot
 * arrays; the heap moves only the slot number. Freed slots are reused last-in first-out, so a
 * handler that schedules its successor writes to the slot it has just vacated (a warm cache line).
 */

export type EventHandler = () => void;

/**
 * A handler called with the number it was scheduled with ({@link Engine.atWith}). Models with many
 * entities (requests, processes) keep their state in typed arrays indexed by that number and share
 * one handler, instead of allocating a closure per entity or per event.
 */
export type PayloadHandler = (payload: number) => void;

/** A cancellable timer returned by {@link Engine.timer}. */
export interface Timer {
  readonly at: number;
  cancel(): void;
  readonly cancelled: boolean;
}

/** Priorities for events scheduled at the same instant: lower runs first. */
export const Priority = {
  /** Infrastructure that must see the state before anyone acts (watch delivery). */
  Urgent: -10,
  Normal: 0,
  /** Observers that must see the state after everyone has acted (samplers). */
  Late: 10,
} as const;

const SEQ_SPAN = 2 ** 40;
const MAX_PRIORITY = 2 ** 12;

export class Engine {
  // The heap, by position: time, order key and slot of each pending event.
  private times: Float64Array;
  private keys: Float64Array;
  private slots: Int32Array;
  // By slot: the handler, whether it takes a payload, and the payload.
  private handlers: (EventHandler | PayloadHandler | undefined)[] = [];
  private takesPayload: Uint8Array;
  private payloads: Float64Array;
  /** A stack of free slots (freeCount of them); slots ≥ handlers.length have never been used. */
  private freeSlots: Int32Array;
  private freeCount = 0;
  private count = 0;
  private seq = 0;
  private stopped = false;
  private clock = 0;
  private fired = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(1, initialCapacity);
    this.times = new Float64Array(capacity);
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
    this.takesPayload = new Uint8Array(capacity);
    this.payloads = new Float64Array(capacity);
    this.freeSlots = new Int32Array(capacity);
  }

  /** Current simulated time in microseconds. */
  get now(): number {
    return this.clock;
  }

  /** Number of events waiting in the queue (cancelled timers included until they come due). */
  get pending(): number {
    return this.count;
  }

  /** Number of events run so far. */
  get eventsFired(): number {
    return this.fired;
  }

  /** Schedules `handler` at absolute time `at` (µs, ≥ now). */
  at(at: number, handler: EventHandler, priority: number = Priority.Normal): void {
    const slot = this.schedule(at, priority);
    this.handlers[slot] = handler;
    this.takesPayload[slot] = 0;
  }

  /** Schedules `handler` after `delay` µs. */
  after(delay: number, handler: EventHandler, priority: number = Priority.Normal): void {
    this.at(this.clock + delay, handler, priority);
  }

  /**
   * Like {@link at}, but `handler` is called with `payload` (any number; typically the index of
   * the entity the event belongs to). Same ordering, same cost, no allocation.
   */
  atWith(at: number, handler: PayloadHandler, payload: number, priority: number = Priority.Normal): void {
    const slot = this.schedule(at, priority);
    this.handlers[slot] = handler;
    this.takesPayload[slot] = 1;
    this.payloads[slot] = payload;
  }

  /** Like {@link after}, with a payload (see {@link atWith}). */
  afterWith(delay: number, handler: PayloadHandler, payload: number, priority: number = Priority.Normal): void {
    this.atWith(this.clock + delay, handler, payload, priority);
  }

  /** Like {@link at}, but returns a handle that can cancel the event before it fires. */
  timer(at: number, handler: EventHandler, priority: number = Priority.Normal): Timer {
    const t = { at, cancelled: false, cancel(): void { t.cancelled = true; } };
    this.at(at, () => { if (!t.cancelled) handler(); }, priority);
    return t;
  }

  /** Stops {@link run} after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events in order until the queue is empty, {@link stop} is called, or the next event lies
   * beyond `until`; then the clock is advanced to `until` (if given and not stopped).
   */
  run(until: number = Infinity): void {
    this.stopped = false;
    while (this.count > 0 && !this.stopped) {
      if (this.times[0] > until) break;
      this.step();
    }
    if (!this.stopped && until !== Infinity && until > this.clock) this.clock = until;
  }

  /** Runs the single next event. Returns false when the queue is empty. */
  step(): boolean {
    if (this.count === 0) return false;
    const time = this.times[0];
    const slot = this.slots[0];
    this.popRoot();
    const handler = this.handlers[slot]!;
    this.handlers[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
    this.clock = time;
    this.fired++;
    if (this.takesPayload[slot] === 1) (handler as PayloadHandler)(this.payloads[slot]);
    else (handler as EventHandler)();
    return true;
  }

  // --- internals ------------------------------------------------------------------------------

  /** Validates an event, puts it in the heap and returns its slot (for the caller to fill). */
  private schedule(at: number, priority: number): number {
    if (!(at >= this.clock)) {
      throw new RangeError(`cannot schedule an event at ${at} µs, before now (${this.clock} µs)`);
    }
    if (priority <= -MAX_PRIORITY || priority >= MAX_PRIORITY) {
      throw new RangeError(`event priority ${priority} outside (-${MAX_PRIORITY}, ${MAX_PRIORITY})`);
    }
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    this.push(Math.round(at), priority * SEQ_SPAN + this.seq++, slot);
    return slot;
  }

  /** A never-used slot, growing the per-slot arrays when they are full. */
  private newSlot(): number {
    const slot = this.handlers.length;
    if (slot === this.payloads.length) {
      const size = slot * 2;
      const takesPayload = new Uint8Array(size);
      const payloads = new Float64Array(size);
      const freeSlots = new Int32Array(size);
      takesPayload.set(this.takesPayload);
      payloads.set(this.payloads);
      freeSlots.set(this.freeSlots);
      this.takesPayload = takesPayload;
      this.payloads = payloads;
      this.freeSlots = freeSlots;
    }
    this.handlers.push(undefined);
    return slot;
  }

  private push(time: number, key: number, slot: number): void {
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && keys[parent] < key)) break;
      times[i] = pt;
      keys[i] = keys[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
    slots[i] = slot;
  }

  private popRoot(): void {
    const n = --this.count;
    if (n === 0) return;
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    const time = times[n];
    const key = keys[n];
    const slot = slots[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (times[right] < times[child] || (times[right] === times[child] && keys[right] < keys[child]))) {
        child = right;
      }
      const ct = times[child];
      if (time < ct || (time === ct && key < keys[child])) break;
      times[i] = ct;
      keys[i] = keys[child];
      slots[i] = slots[child];
      i = child;
    }
    times[i] = time;
    keys[i] = key;
    slots[i] = slot;
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    const keys = new Float64Array(size);
    const slots = new Int32Array(size);
    times.set(this.times);
    keys.set(this.keys);
    slots.set(this.slots);
    this.times = times;
    this.keys = keys;
    this.slots = slots;
  }
}

/** Conversions between seconds and the engine's integer microseconds. */
export const MICROS_PER_SECOND = 1_000_000;
export const seconds = (s: number): number => Math.round(s * MICROS_PER_SECOND);
export const toSeconds = (us: number): number => us / MICROS_PER_SECOND;
