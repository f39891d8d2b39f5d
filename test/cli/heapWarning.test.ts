import { describe, expect, it, vi } from "vitest";
import { main } from "../../sim/cli/main.js";
import { captureOutput } from "../helpers/cli.js";

// A Node.js that allows 16 KiB of heap: every scenario is too big for it.
vi.mock("node:v8", async (importOriginal) => {
  const v8 = await importOriginal<typeof import("node:v8")>();
  return { ...v8, getHeapStatistics: () => ({ ...v8.getHeapStatistics(), heap_size_limit: 16 * 1024 }) };
});

const SCENARIO = new URL("../../scenarios/node-failure.yaml", import.meta.url).pathname;
const captured = captureOutput();

describe("simk run's heap warning", () => {
  it("is printed before the run when the estimate is over 80 % of the heap limit, even with --quiet", async () => {
    expect(await main(["run", SCENARIO, "-q", "-o", "json"])).toBe(0);
    expect(captured.err).toMatch(/^warning: node-failure has up to about \d+ pods on \d+ nodes, .* this Node\.js allows 0\.0 GiB\. .*NODE_OPTIONS=--max-old-space-size=1024\n$/);
    expect(JSON.parse(captured.out).scenario).toBe("node-failure");
  });
});
