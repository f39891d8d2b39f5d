/**
 * A sweep worker thread: receives task indices, runs them with a TaskRunner built from the sweep
 * spec in workerData, and posts back each RunRecord (or the error, as data: an InputError's
 * problems, or an internal error's message and stack).
 */
import { parentPort, workerData } from "node:worker_threads";
import "../cli/zodConfig.js";
import { InputError } from "../scenario/errors.js";
import { TaskRunner, type RunRecord, type SweepSpec } from "./task.js";

export type ToWorker = { task: number } | { stop: true };
export type FromWorker =
  | { task: number; record: RunRecord }
  | { task: number; progress: number }
  | { task: number; error: { input: InputError["problems"] } | { message: string; stack?: string } };

const port = parentPort;
if (port) {
  const runner = new TaskRunner(workerData as SweepSpec);
  port.on("message", (msg: ToWorker) => {
    if ("stop" in msg) {
      port.close();
      return;
    }
    const { task } = msg;
    let last = 0;
    const progress = (f: number): void => {
      // A few updates per run are plenty for a progress bar.
      if (f - last >= 0.1 || f === 1) {
        last = f;
        port.postMessage({ task, progress: f } satisfies FromWorker);
      }
    };
    runner.run(task, progress).then(
      (record) => port.postMessage({ task, record } satisfies FromWorker),
      (e: unknown) => {
        const error = e instanceof InputError ? { input: e.problems } : { message: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) };
        port.postMessage({ task, error } satisfies FromWorker);
      },
    );
  });
}
