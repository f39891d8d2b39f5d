import { describe, expect, it } from "vitest";
import { fragmentation, imbalance, populationStd, type NodeUsage } from "../../sim/metrics/quality.js";

const node = (cpu: number, memory: number, requestedCpu: number, requestedMemory: number, extra: Partial<NodeUsage> = {}): NodeUsage => ({
  cpu,
  memory,
  pods: 110,
  requestedCpu,
  requestedMemory,
  podCount: 1,
  ready: true,
  schedulable: true,
  ...extra,
});

describe("imbalance", () => {
  it("is the population standard deviation of allocation ratios", () => {
    // cpu ratios 0.25, 0.75 → mean 0.5, deviations ±0.25 → std 0.25.
    // memory ratios 0.5, 0.5 → std 0.
    const b = imbalance([node(4000, 100, 1000, 50), node(4000, 100, 3000, 50)]);
    expect(b.cpu).toBeCloseTo(0.25, 12);
    expect(b.memory).toBe(0);
  });

  it("populationStd of 2, 4, 4, 4, 5, 5, 7, 9 is 2 (the textbook example)", () => {
    expect(populationStd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
  });
});

describe("fragmentation", () => {
  const typical = { cpu: 1000, memory: 1000 };

  it("counts free capacity on nodes that cannot fit the typical pod", () => {
    const f = fragmentation(
      [
        node(4000, 8000, 3500, 1000), // free 500m cpu: cannot fit → 500 cpu, 7000 mem stranded
        node(4000, 8000, 1000, 7500), // free 500 mem: cannot fit → 3000 cpu, 500 mem stranded
        node(4000, 8000, 2000, 2000), // free 2000 / 6000: fits
      ],
      typical,
    );
    // free cpu 500 + 3000 + 2000 = 5500, stranded 3500 → 3500/5500 = 0.636…
    expect(f.cpuStranded).toBe(3500);
    expect(f.cpu).toBeCloseTo(3500 / 5500, 12);
    // free memory 7000 + 500 + 6000 = 13500, stranded 7500 → 0.555…
    expect(f.memoryStranded).toBe(7500);
    expect(f.memory).toBeCloseTo(7500 / 13500, 12);
  });

  it("a node with no free pod slot strands all its free capacity", () => {
    const f = fragmentation([node(4000, 8000, 0, 0, { pods: 1, podCount: 1 }), node(4000, 8000, 0, 0)], typical);
    expect(f.cpu).toBe(0.5); // 4000 of 8000 free millicores
  });

  it("ignores nodes the scheduler cannot use", () => {
    const f = fragmentation([node(4000, 8000, 3900, 0, { ready: false }), node(4000, 8000, 3900, 0, { schedulable: false }), node(4000, 8000, 0, 0)], typical);
    expect(f).toEqual({ cpuStranded: 0, memoryStranded: 0, cpu: 0, memory: 0 });
  });

  it("is 0 with nothing free or no pods at all", () => {
    expect(fragmentation([node(1000, 1000, 1000, 1000)], typical).cpu).toBe(0);
    expect(fragmentation([node(4000, 8000, 3900, 0)], undefined).cpu).toBe(0);
  });
});
