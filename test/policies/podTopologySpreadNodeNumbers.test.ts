/**
 * PodTopologySpread's NodeNumbers.candidates must give every candidate the number `of` gives it,
 * whatever the candidates are: the scheduler's usual window (list order from a start, wrapping,
 * with infeasible nodes left out, sometimes many in a row), any order, nodes not in the list, and a
 * list changed in place or replaced.
 */
import { describe, expect, it } from "vitest";
import type { Node } from "../../sim/api/objects.js";
import { Rng } from "../../sim/engine/rng.js";
import { NodeInfo } from "../../sim/scheduler/framework.js";
import { NodeNumbers } from "../../policies/scheduler/podTopologySpread/topology.js";

const info = (name: string): NodeInfo => new NodeInfo(name, { metadata: { name, labels: {} }, spec: {} } as unknown as Node);

describe("NodeNumbers.candidates = of on each candidate", () => {
  it.each([1, 2, 3, 4])("random lists and candidate sets (seed %i)", (seed) => {
    const rng = new Rng(seed, "node-numbers");
    const numbers = new NodeNumbers();
    let all: NodeInfo[] = Array.from({ length: 200 }, (_, i) => info(`n${i}`));
    for (let round = 0; round < 300; round++) {
      const op = rng.int(10);
      if (op === 0) all = [...all.filter(() => rng.int(10) > 0), info(`x${round}`)]; // replaced
      else if (op === 1) all[rng.int(all.length)] = info(`y${round}`); // changed in place
      let candidates: NodeInfo[];
      if (rng.int(4) > 0) {
        // The scheduler's window: from a start, wrapping, some left out (now and then a long run).
        candidates = [];
        const start = rng.int(all.length);
        const skip = rng.int(3) === 0 ? 60 : 3;
        for (let i = 0; i < all.length; i++) if (rng.int(skip) !== 0 || rng.int(40) === 0) candidates.push(all[(start + i) % all.length]);
        candidates = candidates.slice(0, rng.int(all.length));
      } else {
        candidates = Array.from({ length: rng.int(50) }, () => (rng.int(10) === 0 ? info(`z${round}`) : all[rng.int(all.length)]));
      }
      const out = [...numbers.candidates(candidates, all).subarray(0, candidates.length)];
      // `of` answers from the numbers given (by the list copy or the lookups): they must agree.
      expect(out).toEqual(candidates.map((c) => numbers.of(c)));
      expect(new Set(out).size).toBe(new Set(candidates).size);
    }
  });
});
