/**
 * Runs a sweep's tasks, in the main thread (one job) or on worker threads (node:worker_threads).
 * Results are returned in task order whatever finished first, and each run is independent (see
 * task.ts), so the output is the same for every --jobs.
 *
 * The worker is sim/sweep/worker.ts in a development tree (run through tsx, which registers its
 * loader in the worker thread before importing the module) and worker.js next to this file once
 * built into dist/.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { InputError } from "../scenario/errors.js";
import { TaskRunner, type RunRecord, type SweepSpec } from "./task.js";
import type { FromWorker, ToWorker } from "./worker.js";

export interface PoolOptions {
  jobs: number;
  /** Called as runs progress: finished runs (fractions for those under way) out of all. */
  onProgress?: (done: number, total: number) => void;
}

/** An error in a worker that is not the user's (a bug): carries the worker's stack. */
export class WorkerError extends Error {}

export async function runTasks(spec: SweepSpec, tasks: readonly number[], options: PoolOptions): Promise<RunRecord[]> {
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  return jobs === 1 ? runInProcess(spec, tasks, options) : runOnWorkers(spec, tasks, jobs, options);
}

async function runInProcess(spec: SweepSpec, tasks: readonly number[], options: PoolOptions): Promise<RunRecord[]> {
  const runner = new TaskRunner(spec);
  const out: RunRecord[] = [];
  for (const [i, task] of tasks.entries()) {
    out.push(await runner.run(task, (f) => options.onProgress?.(i + f, tasks.length)));
  }
  return out;
}

/** How this module's worker is started: the built worker.js, or worker.ts through tsx. */
export function workerEntry(here: string = import.meta.url): { kind: "js"; url: URL } | { kind: "ts"; url: URL } {
  const url = new URL(here);
  url.search = "";
  if (url.pathname.endsWith(".ts")) return { kind: "ts", url: new URL("./worker.ts", url) };
  return { kind: "js", url: new URL("./worker.js", url) };
}

/** The file URL of tsx's ESM API (tsx is a dependency: used for TypeScript plugin modules too). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { exports: Record<string, { import?: { default?: string } } | string> };
  const entry = pkg.exports["./esm/api"];
  const rel = typeof entry === "string" ? entry : entry?.import?.default ?? "./dist/esm/api/index.mjs";
  return pathToFileURL(join(dirname(pkgFile), rel)).href;
}

function startWorker(spec: SweepSpec): Worker {
  const entry = workerEntry();
  if (entry.kind === "js") return new Worker(entry.url, { workerData: spec });
  const code =
    `import(${JSON.stringify(tsxEsmApi())}).then(({ register }) => { register(); return import(${JSON.stringify(entry.url.href)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { eval: true, workerData: spec });
}

function runOnWorkers(spec: SweepSpec, tasks: readonly number[], jobs: number, options: PoolOptions): Promise<RunRecord[]> {
  const position = new Map(tasks.map((t, i) => [t, i]));
  const results: (RunRecord | undefined)[] = new Array(tasks.length);
  const partial = new Map<number, number>();
  let next = 0;
  let finished = 0;
  const workers: Worker[] = [];
  return new Promise<RunRecord[]>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      reject(e);
    };
    const report = (): void => {
      if (!options.onProgress) return;
      let sum = finished;
      for (const f of partial.values()) sum += f;
      options.onProgress(sum, tasks.length);
    };
    const feed = (w: Worker): void => {
      if (next < tasks.length) w.postMessage({ task: tasks[next++] } satisfies ToWorker);
    };
    for (let j = 0; j < jobs; j++) {
      const w = startWorker(spec);
      workers.push(w);
      w.on("message", (msg: FromWorker) => {
        if (settled) return;
        if ("progress" in msg) {
          partial.set(msg.task, msg.progress);
          report();
          return;
        }
        if ("error" in msg) {
          const e = msg.error;
          fail("input" in e ? new InputError(e.input) : Object.assign(new WorkerError(e.message), { stack: e.stack ?? e.message }));
          return;
        }
        partial.delete(msg.task);
        results[position.get(msg.task)!] = msg.record;
        finished++;
        report();
        if (finished === tasks.length) {
          settled = true;
          void Promise.all(workers.map((x) => x.terminate())).then(() => resolve(results as RunRecord[]), reject);
          return;
        }
        feed(w);
      });
      w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
      w.on("exit", (code) => {
        if (!settled) fail(new WorkerError(`a sweep worker stopped (exit code ${code}) before finishing its runs`));
      });
      feed(w);
    }
  });
}

/** For messages: where the worker module is. */
export function workerPath(): string {
  return fileURLToPath(workerEntry().url);
}
