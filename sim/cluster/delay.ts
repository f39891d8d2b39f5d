/** Draws a delay (µs, integer, ≥ 0) from a DelaySpec with the component's own RNG stream. */
import type { Rng } from "../engine/rng.js";
import type { DelaySpec } from "../scenario/types.js";

export function sampleDelay(spec: DelaySpec, rng: Rng): number {
  switch (spec.distribution) {
    case "constant":
      return spec.value;
    case "uniform":
      return Math.round(rng.uniform(spec.min, spec.max));
    case "exponential":
      return Math.round(rng.exponential(1 / spec.mean));
    case "lognormal":
      // median = e^mu, so mu = ln(median).
      return Math.round(rng.lognormal(Math.log(spec.median), spec.sigma));
  }
}
