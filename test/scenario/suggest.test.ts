import { describe, expect, it } from "vitest";
import { didYouMean, suggestion } from "../../sim/scenario/suggest.js";

describe("didYouMean", () => {
  it("finds the closest candidate within max(2, len/3) edits", () => {
    // "replicsa" → "replicas": a transposition is 2 edits; limit for 8 letters is max(2, 2) = 2.
    expect(didYouMean("replicsa", ["selector", "replicas", "template"])).toBe("replicas");
    // "n-9" → "n-0": 1 edit.
    expect(didYouMean("n-9", ["a-0", "n-0", "n-1"])).toBe("n-0");
  });

  it("returns nothing when every candidate is too far", () => {
    // "foo" vs "replicas": 8 edits > 2.
    expect(didYouMean("foo", ["replicas", "selector"])).toBeUndefined();
    expect(didYouMean("anything", [])).toBeUndefined();
  });

  it("allows len/3 edits for long words", () => {
    // 15 letters → limit 5; "nodeMonitorPeri" → "nodeMonitorPeriod" is 2 edits.
    expect(didYouMean("nodeMonitorPeri", ["nodeMonitorPeriod", "nodeStartupGracePeriod"])).toBe("nodeMonitorPeriod");
    // "terminationGracePeriod" (22 letters, limit 7) vs "terminationGracePeriodSeconds": 7 inserts.
    expect(didYouMean("terminationGracePeriod", ["terminationGracePeriodSeconds"])).toBe("terminationGracePeriodSeconds");
    // "abcdefghi" (9 letters, limit 3) vs "abcdefghijklm": 4 inserts → too far.
    expect(didYouMean("abcdefghi", ["abcdefghijklm"])).toBeUndefined();
  });

  it("treats case-only differences as the best match", () => {
    expect(didYouMean("failnode", ["recoverNode", "failNode"])).toBe("failNode");
  });

  it("breaks ties by the longer common prefix, then by order", () => {
    // "=" is 1 edit from "<", "==" and ">"; "==" shares its first character.
    expect(didYouMean("=", ["<", "<=", "==", "!=", ">=", ">"])).toBe("==");
    // "ab" is 1 edit from both "ax" and "ay": same prefix, first wins.
    expect(didYouMean("ab", ["ax", "ay"])).toBe("ax");
  });
});

describe("suggestion", () => {
  it("formats a hint or nothing", () => {
    expect(suggestion("replicsa", ["replicas"])).toBe(' (did you mean "replicas"?)');
    expect(suggestion("zzz", ["replicas"])).toBe("");
  });
});
