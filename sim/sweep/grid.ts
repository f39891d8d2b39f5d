/**
 * The grid of a sweep: the variants (the cartesian product of the `--set` alternatives, the first
 * --set varying slowest) times the seeds. Task k is variant ⌊k / seeds⌋ with seed k mod seeds; a
 * shard I of N runs the tasks with k mod N = I, so shards are balanced and any N shards together
 * run every task exactly once.
 */
import { InputError } from "../scenario/errors.js";
import type { Override, SetSpec } from "./set.js";

/** Most runs one sweep may have (a guard against a typo like --seeds 1..1000000). */
export const MAX_TASKS = 1_000_000;

function seedError(text: string, message: string): InputError {
  return new InputError([{ file: `--seeds ${text}`, message: `${message} (e.g. 1..30, or 1,2,5, or 1..10,20..25)` }]);
}

/** `1..30`, `1,2,5`, `1..10,20..25`, `7`: distinct whole numbers ≥ 0, in the order written. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  const seen = new Set<number>();
  for (const raw of text.split(",")) {
    const part = raw.trim();
    const range = /^(\d+)\.\.(\d+)$/.exec(part);
    const one = /^\d+$/.test(part) ? Number(part) : undefined;
    let list: number[];
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw seedError(text, `seeds must be whole numbers ≥ 0`);
      if (to < from) throw seedError(text, `the range ${part} is empty: write the smaller seed first`);
      if (to - from + 1 > MAX_TASKS) throw seedError(text, `the range ${part} has more than ${MAX_TASKS} seeds`);
      list = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    } else if (one !== undefined && Number.isSafeInteger(one)) list = [one];
    else throw seedError(text, `"${part}" is neither a seed nor a range`);
    for (const s of list) {
      if (seen.has(s)) throw seedError(text, `seed ${s} is listed twice`);
      seen.add(s);
      seeds.push(s);
    }
  }
  return seeds;
}

export interface Variant {
  index: number;
  /** e.g. "attemptLatency=1ms, bindLatency=2ms"; "base" without --set. */
  name: string;
  /** path → the value as written, in --set order. */
  set: Record<string, string>;
  overrides: Override[];
}

/** The name a --set path has in variant names: its last key, or the whole path if that is ambiguous. */
function shortNames(sets: readonly SetSpec[]): string[] {
  const last = sets.map((s) => {
    const m = /([^.[\]]+)$/.exec(s.path.replace(/\[[^\]]*\]$/, ""));
    return m ? m[1] : s.path;
  });
  return sets.map((s, i) => (last.filter((l) => l === last[i]).length > 1 ? s.path : last[i]));
}

export function variantsOf(sets: readonly SetSpec[]): Variant[] {
  const names = shortNames(sets);
  let combos: number[][] = [[]];
  for (const s of sets) combos = combos.flatMap((c) => s.values.map((_, i) => [...c, i]));
  return combos.map((choice, index) => {
    const set: Record<string, string> = {};
    const overrides: Override[] = [];
    const parts: string[] = [];
    choice.forEach((vi, si) => {
      const { path, values } = sets[si];
      set[path] = values[vi].raw;
      overrides.push({ path, raw: values[vi].raw, value: values[vi].value });
      parts.push(`${names[si]}=${values[vi].raw}`);
    });
    return { index, name: parts.length > 0 ? parts.join(", ") : "base", set, overrides };
  });
}

export interface Shard {
  index: number;
  count: number;
}

/** `I/N` with 0 ≤ I < N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InputError([{ file: `--shard ${text}`, message: "expected I/N, e.g. 0/4 (shards are numbered from 0)" }]);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard, `--shard ${text}`);
  return shard;
}

export function checkShard(shard: Shard, where: string): void {
  if (!(shard.count >= 1)) throw new InputError([{ file: where, message: `the number of shards must be at least 1, got ${shard.count}` }]);
  if (!(shard.index >= 0 && shard.index < shard.count)) {
    throw new InputError([{ file: where, message: `shard index ${shard.index} is out of range: shards are numbered 0..${shard.count - 1}` }]);
  }
}

export interface Task {
  index: number;
  variant: number;
  seed: number;
}

export function taskCount(variants: number, seeds: number): number {
  return variants * seeds;
}

export function taskAt(index: number, seeds: readonly number[]): Task {
  return { index, variant: Math.floor(index / seeds.length), seed: seeds[index % seeds.length] };
}

/** The tasks of a shard (all tasks without one), in index order. */
export function tasksOf(variants: number, seeds: readonly number[], shard?: Shard): Task[] {
  const total = taskCount(variants, seeds.length);
  if (total > MAX_TASKS) throw new InputError([{ file: "--seeds", message: `the sweep would have ${total} runs; the most is ${MAX_TASKS}` }]);
  const tasks: Task[] = [];
  for (let k = shard ? shard.index : 0; k < total; k += shard ? shard.count : 1) tasks.push(taskAt(k, seeds));
  return tasks;
}
