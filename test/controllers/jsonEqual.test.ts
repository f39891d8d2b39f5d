import { describe, expect, it } from "vitest";
import { jsonEqual } from "../../sim/api/json.js";

/** Whether jsonEqual agrees with comparing the two serializations, for every pair. */
function agreesWithStringify(values: unknown[]): void {
  for (const a of values) {
    for (const b of values) {
      expect(jsonEqual(a, b), `${String(JSON.stringify(a))} vs ${String(JSON.stringify(b))}`).toBe(JSON.stringify(a) === JSON.stringify(b));
    }
  }
}

describe("jsonEqual", () => {
  it("is JSON.stringify equality for scalars, including the values JSON turns into null or leaves out", () => {
    agreesWithStringify([undefined, null, 0, -0, 1, 1.5, NaN, Infinity, -Infinity, "", "0", "null", "a", true, false, () => 1, Symbol("s")]);
  });

  it("compares object keys in order and leaves out undefined, function and symbol properties", () => {
    agreesWithStringify([
      {},
      { a: 1 },
      { a: 1, b: 2 },
      { b: 2, a: 1 },
      { a: 1, b: undefined },
      { c: undefined, a: 1 },
      { a: 1, f: () => 0 },
      { a: 1, s: Symbol("x") },
      { a: NaN },
      { a: null },
      { a: "1" },
      { a: { b: [1, 2] } },
      { a: { b: [1, 2], c: undefined } },
      { a: { b: [2, 1] } },
      { 2: "x", 1: "y" },
      { 1: "y", 2: "x" },
    ]);
  });

  it("treats undefined, functions and symbols in arrays as null", () => {
    agreesWithStringify([[], [null], [undefined], [() => 0], [Symbol("x")], [NaN], [0], [[]], [{}], [1, 2], [1, 2, undefined], [1, 2, null], { 0: null }, { length: 1, 0: null }]);
  });

  it("agrees on a Deployment status as the controller writes it", () => {
    const status = (ready: number, lastUpdateTime?: number): unknown => ({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: 3 - ready,
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "m", lastUpdateTime: 5, lastTransitionTime: 5 },
        { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: "p", lastUpdateTime, lastTransitionTime: 7 },
      ],
    });
    agreesWithStringify([status(3, 7), status(3, 7), status(2, 7), status(3, undefined), status(3, 8), {}, { replicas: 3 }]);
  });
});
