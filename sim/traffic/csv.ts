/**
 * The CSV files a traffic entry may name: replayed arrival times (`arrivals: {process: replay,
 * file}`) and measured service times (`serviceTime: {distribution: empirical, file}`).
 *
 * Format: a header row naming the columns, then one row per value; the `time` column (any position,
 * other columns ignored) holds seconds — since the start of the run for arrivals, a duration for
 * service times. Blank lines and lines starting with `#` are skipped. Every problem is reported
 * with the file and line (and column number of the field).
 */
import { readFileSync } from "node:fs";
import type { InputProblem } from "../scenario/errors.js";

export interface TimeColumnOptions {
  /** For messages: "arrival times", "service times". */
  what: string;
  /** Values must not decrease from one row to the next (arrival times). */
  nonDecreasing?: boolean;
  /** At least one value is needed (service times). */
  nonEmpty?: boolean;
}

/** More than this many problems in one file are summarised: the first ones are what matter. */
const MAX_FILE_PROBLEMS = 10;

/**
 * Reads the `time` column of `file` (seconds) as integer µs. `shown` is the path to print
 * (as the user wrote it, relative to the scenario's directory).
 */
export function readTimeColumn(
  file: string,
  shown: string,
  options: TimeColumnOptions,
): { ok: true; values: number[] } | { ok: false; problems: InputProblem[]; unreadable?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : e instanceof Error ? e.message : String(e);
    return { ok: false, problems: [], unreadable: reason };
  }
  return parseTimeColumn(text, shown, options);
}

/** Parses CSV text (see the module comment). Exported for tests. */
export function parseTimeColumn(text: string, shown: string, options: TimeColumnOptions): { ok: true; values: number[] } | { ok: false; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  let column = -1;
  let columnStart = 1;
  let previous = -Infinity;
  let previousLine = 0;
  let extra = 0;
  const problem = (line: number, col: number | undefined, message: string): void => {
    if (problems.length >= MAX_FILE_PROBLEMS) {
      extra++;
      return;
    }
    problems.push(col === undefined ? { file: shown, line, message } : { file: shown, line, column: col, message });
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const fields = splitFields(raw);
    if (column < 0) {
      column = fields.findIndex((f) => f.value.trim().toLowerCase() === "time");
      if (column < 0) {
        const got = fields.map((f) => JSON.stringify(f.value.trim())).join(", ");
        problem(line, 1, `the header row must have a "time" column (${options.what} in seconds); got ${got}`);
        return { ok: false, problems };
      }
      continue;
    }
    const field = fields[column];
    if (field === undefined) {
      problem(line, undefined, `row has ${fields.length} field${fields.length === 1 ? "" : "s"}; the "time" column is field ${column + 1}`);
      continue;
    }
    columnStart = field.column;
    const text = field.value.trim();
    const value = text === "" ? NaN : Number(text);
    if (!Number.isFinite(value) || value < 0) {
      problem(line, columnStart, `"time" must be a number of seconds ≥ 0, got ${JSON.stringify(text)}`);
      continue;
    }
    const us = Math.round(value * 1_000_000);
    if (options.nonDecreasing && us < previous) {
      problem(line, columnStart, `${options.what} must not decrease: ${text} s comes after ${previous / 1_000_000} s (line ${previousLine})`);
      continue;
    }
    previous = us;
    previousLine = line;
    values.push(us);
  }
  if (column < 0) problem(1, undefined, `empty file: expected a header row with a "time" column, then ${options.what} in seconds`);
  else if (options.nonEmpty && values.length === 0 && problems.length === 0) problem(lines.length, undefined, `no ${options.what}: the file has only a header row`);
  if (extra > 0) problems.push({ file: shown, message: `${extra} more problem${extra === 1 ? "" : "s"} in this file not shown` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** Splits one CSV row on commas, honouring double quotes; records each field's 1-based column. */
function splitFields(line: string): { value: string; column: number }[] {
  const out: { value: string; column: number }[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    let value = "";
    if (line[i] === '"') {
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      while (i < line.length && line[i] !== ",") value += line[i++];
    } else {
      while (i < line.length && line[i] !== ",") value += line[i++];
    }
    out.push({ value, column: start + 1 });
    if (i >= line.length) break;
    i++; // the comma
  }
  return out;
}
