/**
 * One run of a sweep: a variant's overrides and one seed. The same code runs in the main thread
 * (--jobs 1) and in worker threads, and every run starts from scratch (the scenario is loaded and
 * the scheduler configuration built anew), so a result never depends on which thread ran it or
 * what ran before it there.
 */
import { runScenario } from "../run/simulate.js";
import { taskAt, variantsOf, type Variant } from "./grid.js";
import { prepareRun } from "./prepare.js";
import type { SetSpec } from "./set.js";

/** What a sweep is: everything a worker needs to run any of its tasks (structured-cloneable). */
export interface SweepSpec {
  /** The scenario file as given (relative to the working directory, which workers share). */
  file: string;
  seeds: number[];
  sets: SetSpec[];
  /** µs. */
  sampleInterval?: number;
  schedulerConfig?: string;
  plugins: string[];
}

/** The outcome of one run: its summary metrics and which expectations failed. */
export interface RunRecord {
  task: number;
  variant: number;
  seed: number;
  metrics: Record<string, number>;
  /** How many expectations the scenario has. */
  expectations: number;
  /** The messages of the expectations that failed. */
  failed: string[];
}

export class TaskRunner {
  readonly variants: Variant[];

  constructor(readonly spec: SweepSpec) {
    this.variants = variantsOf(spec.sets);
  }

  async run(index: number, onProgress?: (fraction: number) => void): Promise<RunRecord> {
    const task = taskAt(index, this.spec.seeds);
    const variant = this.variants[task.variant];
    const { scenario, schedulerConfig, balancers } = await prepareRun(this.spec.file, {
      overrides: variant.overrides,
      sampleInterval: this.spec.sampleInterval,
      schedulerConfig: this.spec.schedulerConfig,
      plugins: this.spec.plugins,
    });
    const result = runScenario(scenario, {
      seed: task.seed,
      // A sweep reads metrics and expectations only: the event log is counted, not kept.
      keepEvents: false,
      schedulerConfig,
      ...(balancers ? { balancers } : {}),
      ...(onProgress ? { onProgress: (now: number, end: number) => onProgress(end > 0 ? now / end : 1) } : {}),
    });
    return {
      task: index,
      variant: task.variant,
      seed: task.seed,
      metrics: result.metrics,
      expectations: result.expectations.length,
      failed: result.expectations.filter((e) => !e.ok).map((e) => e.message),
    };
  }
}
