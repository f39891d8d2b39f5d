import { describe, expect, it } from "vitest";
import { formatTimeLeft, isCI, progressBar, renderBar, shouldShowProgress } from "../../reports/progress.js";

describe("when a progress bar is shown", () => {
  it.each([
    // isTTY, env, quiet → shown
    [true, {}, false, true],
    [true, { CI: "true" }, false, false],
    [true, { CI: "1" }, false, false],
    [true, { CI: "" }, false, true],
    [true, { CI: "false" }, false, true],
    [true, { CI: "0" }, false, true],
    [false, {}, false, false],
    [undefined, {}, false, false],
    [true, {}, true, false],
    [true, { TERM: "dumb" }, false, false],
    [true, { TERM: "xterm-256color" }, false, true],
  ] as const)("tty %s, env %j, quiet %s → %s", (isTTY, env, quiet, shown) => {
    expect(shouldShowProgress({ isTTY, env, quiet })).toBe(shown);
  });

  it("CI detection", () => {
    expect(isCI({ CI: "true" })).toBe(true);
    expect(isCI({ CI: "FALSE" })).toBe(false);
    expect(isCI({})).toBe(false);
  });
});

describe("the bar", () => {
  it("renders the fraction done", () => {
    expect(renderBar(0.5, 10, "3/6 runs")).toBe("[#####.....]  50%  3/6 runs");
    expect(renderBar(1.2, 4, "")).toBe("[####] 100%  ");
  });

  it("draws only on a terminal, after the delay, at most ten times a second, and erases itself", () => {
    let t = 0;
    let written = "";
    const stream = { isTTY: true, columns: 60, write: (s: string) => (written += s) };
    const bar = progressBar((d, n) => `${d}/${n}`, { stream, env: {}, now: () => t, delay: 500 });
    bar.update(1, 10); // t = 0: too early
    expect(written).toBe("");
    t = 600;
    bar.update(2, 10);
    expect(written).toBe("\r\x1b[K[####................]  20%  2/10");
    t = 650;
    bar.update(3, 10); // 50 ms later: skipped
    expect(written.split("\r").length).toBe(2);
    t = 800;
    bar.update(4, 10);
    expect(written.endsWith("40%  4/10")).toBe(true);
    bar.done();
    expect(written.endsWith("\r\x1b[K")).toBe(true);

    written = "";
    const off = progressBar(() => "x", { stream: { ...stream, isTTY: false }, env: {}, now: () => t, delay: 0 });
    t += 1000;
    off.update(1, 2);
    off.done();
    const ci = progressBar(() => "x", { stream, env: { CI: "true" }, now: () => t, delay: 0 });
    t += 1000;
    ci.update(1, 2);
    const quiet = progressBar(() => "x", { stream, env: {}, quiet: true, now: () => t, delay: 0 });
    t += 1000;
    quiet.update(1, 2);
    expect(written).toBe("");
  });

  it("after 3 s, says how long is left at the rate so far", () => {
    let t = 0;
    let written = "";
    const stream = { isTTY: true, columns: 60, write: (s: string) => (written = s) };
    const bar = progressBar((d, n) => `${d}/${n}`, { stream, env: {}, now: () => t, delay: 500 });
    t = 2000;
    bar.update(1, 10);
    expect(written.endsWith("10%  1/10")).toBe(true);
    // A quarter done in 10 s: 30 s left.
    t = 10_000;
    bar.update(25, 100);
    expect(written.endsWith("25%  25/100  ~30s left")).toBe(true);
    // 10 % in 2 minutes: 18 minutes left.
    t = 120_000;
    bar.update(10, 100);
    expect(written.endsWith("~18m 00s left")).toBe(true);
    expect(formatTimeLeft(3725)).toBe("~1h 02m left");
    expect(formatTimeLeft(185)).toBe("~3m 05s left");
  });
});
