/**
 * defaultNormalizeScore: rows 1–7 are upstream's TestDefaultNormalizeScore table
 * (pkg/scheduler/framework/plugins/helper/normalize_score_test.go); the rest are worked by hand.
 * s' = trunc(100 × s / max); reverse: 100 − s'; max = 0 → 100 each with reverse, unchanged without.
 */
import { describe, expect, it } from "vitest";
import { defaultNormalizeScore } from "../../policies/scheduler/normalize.js";

describe("defaultNormalizeScore (helper/normalize_score.go)", () => {
  it.each<[string, boolean, number[], number[]]>([
    // upstream table
    ["1..4", false, [1, 2, 3, 4], [25, 50, 75, 100]], // max 4: 100·1/4=25, 100·2/4=50, 100·3/4=75, 100
    ["1..4 reversed", true, [1, 2, 3, 4], [75, 50, 25, 0]], // 100−25, 100−50, 100−75, 100−100
    ["one large", false, [1000, 10, 20, 30], [100, 1, 2, 3]], // 100·10/1000=1, 100·20/1000=2, 100·30/1000=3
    ["one large reversed", true, [1000, 10, 20, 30], [0, 99, 98, 97]], // 100−100, 100−1, 100−2, 100−3
    ["all equal", false, [1, 1, 1, 1], [100, 100, 100, 100]], // max 1: 100·1/1
    ["truncated to 0", false, [1000, 1, 1, 1], [100, 0, 0, 0]], // 100·1/1000 = 0.1 → 0
    ["zero max-side reversed", true, [0, 1, 1, 1], [100, 0, 0, 0]], // max 1: 100−0=100, 100−100=0
    // by hand
    ["all zero, reverse → 100", true, [0, 0, 0], [100, 100, 100]], // max 0 with reverse: maxPriority each
    ["all zero, no reverse → unchanged", false, [0, 0, 0], [0, 0, 0]], // max 0 without reverse: untouched
    ["thirds truncate", false, [1, 2, 3], [33, 66, 100]], // max 3: 100/3=33.3→33, 200/3=66.6→66, 100
    ["thirds truncate reversed", true, [1, 2, 3], [67, 34, 0]], // 100−33, 100−66, 100−100
    ["weights 2,4,11 (NodeAffinity affinity2)", false, [2, 11, 4], [18, 100, 36]], // 200/11=18.1→18, 100, 400/11=36.3→36
    ["single node", false, [7], [100]], // 100·7/7
    ["empty list", true, [], []], // nothing to do
  ])("%s", (_name, reverse, scores, want) => {
    const s = [...scores];
    defaultNormalizeScore(100, reverse, s);
    expect(s).toEqual(want);
  });

  it("uses the given maxPriority", () => {
    const s = [1, 2, 4];
    defaultNormalizeScore(10, false, s); // max 4: 10·1/4=2.5→2, 10·2/4=5, 10
    expect(s).toEqual([2, 5, 10]);
    const r = [0, 0];
    defaultNormalizeScore(10, true, r); // max 0 with reverse → maxPriority
    expect(r).toEqual([10, 10]);
  });
});
