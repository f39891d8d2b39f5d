import { describe, expect, it } from "vitest";
import { Engine, Priority, seconds } from "../../sim/engine/engine.js";

describe("Engine", () => {
  it("runs events in (time, priority, sequence) order, told as a timeline", () => {
    const e = new Engine(2); // tiny capacity: exercises heap growth
    const log: string[] = [];
    const at = (t: number, name: string, p: number = Priority.Normal): void => e.at(t, () => log.push(`${e.now}:${name}`), p);
    at(30, "c");
    at(10, "a");
    at(20, "b-normal");
    at(20, "b-late", Priority.Late);
    at(20, "b-urgent", Priority.Urgent);
    at(20, "b-normal-2");
    at(10, "a-2");
    e.run();
    expect(log).toEqual(["10:a", "10:a-2", "20:b-urgent", "20:b-normal", "20:b-normal-2", "20:b-late", "30:c"]);
  });

  it("lets handlers schedule more events, including at the current instant", () => {
    const e = new Engine();
    const log: string[] = [];
    e.at(5, () => {
      log.push(`first@${e.now}`);
      e.after(0, () => log.push(`same-instant@${e.now}`));
      e.after(10, () => log.push(`later@${e.now}`));
    });
    e.at(5, () => log.push(`second@${e.now}`));
    e.run();
    // The same-instant event was scheduled after "second", so it runs after it (FIFO at equal time and priority).
    expect(log).toEqual(["first@5", "second@5", "same-instant@5", "later@15"]);
  });

  it("run(until) stops at the horizon, advances the clock and resumes later", () => {
    const e = new Engine();
    const log: number[] = [];
    for (const t of [1, 2, 3, 4, 5]) e.at(seconds(t), () => log.push(t));
    e.run(seconds(2.5));
    expect(log).toEqual([1, 2]);
    expect(e.now).toBe(2_500_000);
    expect(e.pending).toBe(3);
    e.run(seconds(3)); // an event exactly at the horizon runs
    expect(log).toEqual([1, 2, 3]);
    e.run();
    expect(log).toEqual([1, 2, 3, 4, 5]);
    expect(e.eventsFired).toBe(5);
  });

  it("refuses to schedule into the past", () => {
    const e = new Engine();
    e.at(100, () => expect(() => e.at(50, () => {})).toThrow(/before now/));
    e.run();
  });

  it("cancelled timers do not fire", () => {
    const e = new Engine();
    const log: string[] = [];
    const t = e.timer(10, () => log.push("cancelled"));
    e.timer(20, () => log.push("kept"));
    t.cancel();
    e.run();
    expect(log).toEqual(["kept"]);
  });

  it("keeps order across 100k random events (heap property)", () => {
    const e = new Engine();
    let x = 123456789;
    const rand = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const seen: [number, number][] = [];
    for (let i = 0; i < 100_000; i++) {
      const t = Math.floor(rand() * 1000);
      const p = Math.floor(rand() * 3) - 1;
      e.at(t, () => seen.push([t, p]), p);
    }
    e.run();
    let outOfOrder = 0;
    for (let i = 1; i < seen.length; i++) {
      const [t0, p0] = seen[i - 1];
      const [t1, p1] = seen[i];
      if (!(t0 < t1 || (t0 === t1 && p0 <= p1))) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
    expect(seen.length).toBe(100_000);
  });

  it("stop() ends run() after the current event", () => {
    const e = new Engine();
    const log: number[] = [];
    e.at(1, () => log.push(1));
    e.at(2, () => {
      log.push(2);
      e.stop();
    });
    e.at(3, () => log.push(3));
    e.run();
    expect(log).toEqual([1, 2]);
    expect(e.now).toBe(2);
  });
});
