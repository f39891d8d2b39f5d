import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { parseSeeds, parseShard, taskAt, tasksOf, variantsOf } from "../../sim/sweep/grid.js";
import { parseSet } from "../../sim/sweep/set.js";
import { formatSeeds, shardOf } from "../../sim/cli/sweep.js";

describe("seeds", () => {
  it("ranges and lists, in the order written", () => {
    expect(parseSeeds("1..5")).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds("7")).toEqual([7]);
    expect(parseSeeds("3,1,2")).toEqual([3, 1, 2]);
    expect(parseSeeds("1..3, 10..12")).toEqual([1, 2, 3, 10, 11, 12]);
    expect(formatSeeds([1, 2, 3, 10, 11, 12, 20])).toBe("1..3,10..12,20");
    expect(formatSeeds(parseSeeds("0..29"))).toBe("0..29");
  });

  it("rejects empty ranges, duplicates and junk", () => {
    expect(() => parseSeeds("5..1")).toThrow(/empty: write the smaller seed first/);
    expect(() => parseSeeds("1..3,2")).toThrow(/seed 2 is listed twice/);
    expect(() => parseSeeds("a")).toThrow(InputError);
    expect(() => parseSeeds("1-5")).toThrow(/neither a seed nor a range/);
  });
});

describe("variants", () => {
  it("the cartesian product, the first --set varying slowest", () => {
    const v = variantsOf([parseSet("spec.a.x=1,2"), parseSet("spec.b.y=p,q,r")]);
    expect(v.map((x) => x.name)).toEqual(["x=1, y=p", "x=1, y=q", "x=1, y=r", "x=2, y=p", "x=2, y=q", "x=2, y=r"]);
    expect(v[4].set).toEqual({ "spec.a.x": "2", "spec.b.y": "q" });
    expect(v[4].overrides).toEqual([
      { path: "spec.a.x", raw: "2", value: 2 },
      { path: "spec.b.y", raw: "q", value: "q" },
    ]);
  });

  it("no --set: one variant, 'base'; ambiguous short names use the whole path", () => {
    expect(variantsOf([]).map((v) => v.name)).toEqual(["base"]);
    expect(variantsOf([parseSet("spec.a.type=1"), parseSet("X.b.type=2")])[0].name).toBe("spec.a.type=1, X.b.type=2");
    expect(variantsOf([parseSet("profiles[0].pluginConfig[name=Fit].args.scoringStrategy.type=A,B")])[1].name).toBe("type=B");
  });
});

describe("tasks and shards", () => {
  const seeds = [10, 20, 30];

  it("task k is variant ⌊k / seeds⌋ with seed k mod seeds", () => {
    expect(taskAt(4, seeds)).toEqual({ index: 4, variant: 1, seed: 20 });
    expect(tasksOf(2, seeds).map((t) => `${t.variant}:${t.seed}`)).toEqual(["0:10", "0:20", "0:30", "1:10", "1:20", "1:30"]);
  });

  it("N shards cover every task exactly once, each getting k mod N = I", () => {
    for (const count of [1, 2, 3, 4, 7, 10]) {
      const all = Array.from({ length: count }, (_, index) => tasksOf(3, seeds, { index, count }).map((t) => t.index)).flat();
      expect(all.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
    expect(tasksOf(3, seeds, { index: 1, count: 4 }).map((t) => t.index)).toEqual([1, 5]);
  });

  it("--shard I/N, and --shards N with JOB_COMPLETION_INDEX", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parseShard("4/4")).toThrow(/out of range: shards are numbered 0\.\.3/);
    expect(() => parseShard("1-4")).toThrow(/expected I\/N/);
    expect(() => parseShard("0/0")).toThrow(/at least 1/);
    expect(shardOf({ shards: 5 }, { JOB_COMPLETION_INDEX: "3" })).toEqual({ index: 3, count: 5 });
    expect(shardOf({ shard: "1/5" }, { JOB_COMPLETION_INDEX: "3" })).toEqual({ index: 1, count: 5 });
    expect(shardOf({}, { JOB_COMPLETION_INDEX: "3" })).toBeUndefined();
    expect(() => shardOf({ shards: 5 }, {})).toThrow(/needs JOB_COMPLETION_INDEX/);
    expect(() => shardOf({ shards: 5 }, { JOB_COMPLETION_INDEX: "5" })).toThrow(/out of range/);
    expect(() => shardOf({ shard: "1/4", shards: 5 }, {})).toThrow(/disagree/);
  });
});
