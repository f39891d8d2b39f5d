import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { Alea, RngStreams } from "../../sim/engine/rng.js";

const draw = (streams: RngStreams, name: string, n: number): number[] => Array.from({ length: n }, () => streams.stream(name).next());

describe("RngStreams", () => {
  it("same seed and name give the same sequence", () => {
    expect(draw(new RngStreams(42), "scheduler", 5)).toEqual(draw(new RngStreams(42), "scheduler", 5));
  });

  it("different seeds give different sequences", () => {
    expect(draw(new RngStreams(42), "scheduler", 5)).not.toEqual(draw(new RngStreams(43), "scheduler", 5));
  });

  it("streams are independent: extra draws in one do not shift another", () => {
    const a = new RngStreams(7);
    const b = new RngStreams(7);
    draw(a, "kubelet/node-1", 1000); // component A draws a lot in run a only
    expect(draw(a, "scheduler", 10)).toEqual(draw(b, "scheduler", 10));
  });

  it("uniform draws have the right mean and int() stays in range", () => {
    const rng = new RngStreams(1).stream("t");
    let sum = 0;
    let outOfRange = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const k = rng.int(10);
      if (!(k >= 0 && k < 10 && Number.isInteger(k))) outOfRange++;
      sum += k;
    }
    expect(outOfRange).toBe(0);
    // Mean of uniform {0..9} is 4.5, sd 2.87; the sample mean's sd is 2.87/sqrt(1e5) ≈ 0.009.
    expect(Math.abs(sum / n - 4.5)).toBeLessThan(0.05);
  });

  it("exponential draws have mean 1/rate", () => {
    const rng = new RngStreams(3).stream("exp");
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) sum += rng.exponential(4);
    // Mean 0.25, sd 0.25: the sample mean's sd is 0.25/sqrt(1e5) ≈ 0.0008.
    expect(Math.abs(sum / n - 0.25)).toBeLessThan(0.005);
  });
});

describe("Alea", () => {
  it("draws exactly seedrandom's alea sequence for the same seed string", () => {
    for (const seed of ["1/traffic/app", "42/scheduler", "7/kube-proxy/node-1/default/web", "", "ünïcode/🙂", "0"]) {
      const ours = new Alea(seed);
      const theirs = seedrandom.alea(seed);
      for (let i = 0; i < 20_000; i++) {
        const a = ours.next();
        const b = theirs();
        if (a !== b) expect({ seed, i, a }).toEqual({ seed, i, a: b });
      }
    }
  });
});
