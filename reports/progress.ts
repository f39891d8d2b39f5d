/**
 * A progress bar on stderr for long runs and sweeps. Shown only to a person watching: stderr is a
 * terminal, CI is not set (CI systems set CI=true), TERM is not "dumb", and --quiet was not given.
 * It appears only after a short delay (quick runs print nothing), redraws at most ten times a
 * second, and erases itself when done, so it never mixes with the outputs. Wall-clock time is used
 * only here, never in an output.
 */

export interface ProgressDecision {
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  quiet?: boolean;
}

/** CI is set to anything but "", "0" or "false". */
export function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

export function shouldShowProgress(d: ProgressDecision): boolean {
  return d.isTTY === true && !isCI(d.env) && d.env.TERM !== "dumb" && !d.quiet;
}

export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

const NONE: Progress = { update: () => {}, done: () => {} };

/** "[#########.........]  45%  label". */
export function renderBar(fraction: number, width: number, label: string): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${label}`;
}

/** "~45s left", "~3m 05s left", "~1h 02m left": the time left at the rate so far. */
export function formatTimeLeft(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `~${s}s left`;
  if (s < 3600) return `~${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s left`;
  return `~${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m left`;
}

/** Until this much wall time has passed, the rate is too uncertain for an estimate (ms). */
const TIME_LEFT_AFTER = 3000;

export interface ProgressOptions {
  quiet?: boolean;
  stream?: ProgressSink;
  env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds before the bar first appears. */
  delay?: number;
  now?: () => number;
}

/** A bar when shouldShowProgress says so, else a no-op. `label(done, total)` describes the work. */
export function progressBar(label: (done: number, total: number) => string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!shouldShowProgress({ isTTY: stream.isTTY, env: options.env ?? process.env, quiet: options.quiet })) return NONE;
  const now = options.now ?? (() => Date.now());
  const start = now();
  const delay = options.delay ?? 500;
  let last = -Infinity;
  let shown = false;
  return {
    update(done, total) {
      const t = now();
      if (t - start < delay || t - last < 100) return;
      last = t;
      shown = true;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const fraction = total > 0 ? done / total : 1;
      // Long runs (the scale scenarios take minutes) also say how long they have left.
      const elapsed = t - start;
      const left = elapsed >= TIME_LEFT_AFTER && fraction >= 0.01 && fraction < 1 ? `  ${formatTimeLeft(((elapsed / fraction) * (1 - fraction)) / 1000)}` : "";
      stream.write(`\r\x1b[K${renderBar(fraction, width, label(done, total))}${left}`);
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
