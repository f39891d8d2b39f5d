import { describe, expect, it } from "vitest";
import { DurationError, formatDuration, parseDuration } from "../../sim/units/duration.js";

describe("parseDuration (Go time.ParseDuration syntax, µs)", () => {
  it.each([
    ["90s", 90_000_000],
    ["5m", 300_000_000],
    ["1h30m", 5_400_000_000], // 3600 + 1800 s
    ["1.5h", 5_400_000_000],
    ["250ms", 250_000],
    ["2us", 2],
    ["2µs", 2],
    ["1m30.5s", 90_500_000],
    ["0", 0],
    ["0s", 0],
    [".5s", 500_000],
    [600, 600_000_000], // a bare YAML number is seconds
    [0.25, 250_000],
  ] as const)("%s → %d µs", (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(["", "10", "10 min", "5 m", "1d", "abc", "-5s", "s", "1.2.3s", "5sm"])("rejects %j", (input) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
  });

  it("says what is allowed", () => {
    expect(() => parseDuration("10 min")).toThrow(/expected a Go duration such as 90s, 5m, 1h30m/);
  });

  it("formats like Go", () => {
    expect(formatDuration(90_000_000)).toBe("1m30s");
    expect(formatDuration(250_000)).toBe("250ms");
    expect(formatDuration(3_600_000_000)).toBe("1h0m0s");
  });
});
