/** What every simulated component is given: the clock, the API server, randomness and reporting. */
import type { Engine } from "../engine/engine.js";
import type { RngStreams } from "../engine/rng.js";
import type { Store } from "../api/store.js";
import type { EventRecorder } from "../metrics/events.js";
import type { Stats } from "../metrics/stats.js";

export interface SimContext {
  readonly engine: Engine;
  readonly store: Store;
  readonly rng: RngStreams;
  readonly events: EventRecorder;
  readonly stats: Stats;
}
