/**
 * A controller work queue (client-go workqueue): keys are de-duplicated while waiting, a key is
 * never processed twice at once, and each sync takes the controller's sync latency. One worker.
 * A sync that returns false is retried with client-go's per-item exponential backoff
 * (DefaultControllerRateLimiter: 5 ms doubling to 1000 s).
 */
import type { Engine } from "../engine/engine.js";

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private busy = false;
  private active = true;
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, number>();

  constructor(private readonly engine: Engine, private readonly latency: number, private readonly sync: (key: string) => boolean | void) {}

  add(key: string): void {
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    this.queue.push(key);
    this.pump();
  }

  /**
   * Adds the key after a delay (client-go AddAfter). A key already waiting to be added no later
   * than that is not scheduled again (client-go's delaying queue keeps one entry per key).
   */
  addAfter(key: string, delay: number): void {
    const at = this.engine.now + delay;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending <= at) return;
    this.delayed.set(key, at);
    this.engine.at(at, () => {
      if (this.delayed.get(key) !== at) return;
      this.delayed.delete(key);
      this.add(key);
    });
  }

  /** Pauses or resumes processing (a controller-manager that lost its lease, or failed). */
  setActive(active: boolean): void {
    this.active = active;
    if (active) this.pump();
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  private pump(): void {
    if (this.busy || !this.active || this.head >= this.queue.length) return;
    this.busy = true;
    this.engine.after(this.latency, () => {
      const key = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      if (this.sync(key) === false) {
        const n = this.failures.get(key) ?? 0;
        this.failures.set(key, n + 1);
        this.addAfter(key, Math.min(5_000 * 2 ** n, 1_000_000_000));
      } else this.failures.delete(key);
      this.busy = false;
      this.pump();
    });
  }
}
