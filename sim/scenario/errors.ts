/**
 * Input problems: what the user sees when a scenario or manifest file is wrong. Every problem names
 * the file and, when it can, the line, column and YAML path of the offending node, and says both what
 * was wrong and what is allowed.
 *
 * This module also turns zod issues into path-addressed `Issue`s with those messages; load.ts then
 * gives each one a file position.
 */
import { z } from "zod";
import { suggestion } from "./suggest.js";

export interface InputProblem {
  /** The file path as the user gave it (relative stays relative). */
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Dotted YAML path inside the document, e.g. "spec.template.spec.containers[0].image". */
  path?: string;
  message: string;
}

export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "InputError";
  }
}

/** `file:line:col: path: message`, leaving out whatever is unknown. */
export function formatProblem(p: InputProblem): string {
  let where = p.file;
  if (p.line !== undefined) {
    where += `:${p.line}`;
    if (p.column !== undefined) where += `:${p.column}`;
  }
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export type PathSegment = string | number;

/** ["spec", "containers", 0, "nvidia.com/gpu"] → `spec.containers[0]["nvidia.com/gpu"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * A problem addressed by its path inside one YAML document.
 *  - target "key": point at the mapping key of the last segment (unknown fields); print the parent path.
 *  - target "parent": the last segment is absent (missing fields); point at and print the parent.
 */
export interface Issue {
  path: PathSegment[];
  message: string;
  target?: "key" | "parent";
}

/** `number 1`, `string "x"`, `a list`: how a wrong value is shown in messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Parses `input` with `schema`; on failure returns every issue, with paths prefixed by `prefix`. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly PathSegment[] = []): ParseResult<T> {
  // Field names a strict object accepts, keyed by the issue's `keys` array (which survives zod's
  // finalisation by reference), for "did you mean" on unknown fields.
  const knownFields = new WeakMap<object, string[]>();
  const result = schema.safeParse(input, {
    reportInput: true,
    error: (iss) => {
      if (iss.code === "unrecognized_keys" && iss.inst instanceof z.ZodObject) {
        knownFields.set(iss.keys, Object.keys(iss.inst.shape));
      }
      return messageFor(iss);
    },
  });
  if (result.success) return { ok: true, value: result.data };
  const issues: Issue[] = [];
  for (const iss of result.error.issues) convert(iss, [...prefix], knownFields, issues);
  return { ok: false, issues };
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  map: "a mapping",
  null: "an empty value",
};

/** Our wording for zod's built-in issue kinds; schemas with their own `error` take precedence. */
function messageFor(iss: z.core.$ZodRawIssue): string | undefined {
  const field = fieldName(iss.path);
  switch (iss.code) {
    case "invalid_type": {
      // z.int() reports a non-number as expected "number"; say what it really wants.
      const integer = iss.inst instanceof z.ZodNumber && iss.inst.isInt === true;
      const expected = integer ? EXPECTED.int : (EXPECTED[iss.expected] ?? iss.expected);
      const hint =
        iss.expected === "string" && (typeof iss.input === "number" || typeof iss.input === "boolean")
          ? ` (quote it: "${String(iss.input)}")`
          : "";
      return `expected ${expected}, got ${describeValue(iss.input)}${hint}`;
    }
    case "invalid_value": {
      const allowed = iss.values.map((v) => String(v));
      const got = describeValue(iss.input);
      if (allowed.length === 1) return `${field ?? "value"} must be ${JSON.stringify(allowed[0])}, got ${got}`;
      const hint = typeof iss.input === "string" ? suggestion(iss.input, allowed) : "";
      return `${field ?? "value"} must be one of ${allowed.join(", ")}; got ${got}${hint}`;
    }
    case "invalid_union": {
      const disc = discriminatorFailure(iss);
      if (disc) {
        const { discriminator, options } = disc;
        const value = (iss.input as Record<string, unknown> | undefined)?.[discriminator];
        const hint = typeof value === "string" ? suggestion(value, options) : "";
        return `${discriminator} must be one of ${options.join(", ")}; got ${describeValue(value)}${hint}`;
      }
      return `invalid value ${describeValue(iss.input)}`;
    }
    case "too_small": {
      const min = String(iss.minimum);
      if (iss.origin === "array") return `must have at least ${min} item${min === "1" ? "" : "s"}`;
      if (iss.origin === "string") return min === "1" ? "must not be empty" : `must be at least ${min} characters long`;
      return `must be ${iss.inclusive ? ">=" : ">"} ${min}, got ${String(iss.input)}`;
    }
    case "too_big": {
      const max = String(iss.maximum);
      if (iss.origin === "array") return `must have at most ${max} items`;
      if (iss.origin === "string") return `must be at most ${max} characters long`;
      return `must be ${iss.inclusive ? "<=" : "<"} ${max}, got ${String(iss.input)}`;
    }
    case "invalid_format":
      return `invalid ${iss.format}: ${describeValue(iss.input)}`;
    default:
      return undefined; // zod's own message
  }
}

function fieldName(path: readonly PropertyKey[] | undefined): string | undefined {
  const last = path?.[path.length - 1];
  return typeof last === "string" ? last : undefined;
}

type FinalIssue = z.core.$ZodIssue;

/** Flattens one finalised zod issue into Issues with absolute paths. */
function convert(iss: FinalIssue, prefix: PathSegment[], knownFields: WeakMap<object, string[]>, out: Issue[]): void {
  const path = [...prefix, ...iss.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
  switch (iss.code) {
    case "unrecognized_keys": {
      const known = knownFields.get(iss.keys) ?? [];
      for (const key of iss.keys) {
        out.push({ path: [...path, key], target: "key", message: `unknown field ${JSON.stringify(key)}${suggestion(key, known)}` });
      }
      return;
    }
    case "invalid_union": {
      const disc = discriminatorFailure(iss);
      if (disc) {
        const parent = iss.input as Record<string, unknown> | undefined;
        if (parent?.[disc.discriminator] === undefined) {
          const options = disc.options.join(", ");
          out.push({ path, target: "parent", message: `missing required field "${disc.discriminator}" (one of ${options})` });
          return;
        }
        out.push({ path, message: iss.message });
        return;
      }
      if (iss.input === undefined) {
        out.push({ path, target: "parent", message: `missing required field ${JSON.stringify(path[path.length - 1])}` });
        return;
      }
      // When exactly one alternative accepted the value's type, its complaint is the useful one
      // (e.g. a delay written as a string: the duration's error, not "expected a mapping").
      const plausible = iss.errors.filter((branch) => !branch.every(isTypeMismatch));
      if (plausible.length === 1) {
        for (const inner of plausible[0]) convert(inner, path, knownFields, out);
        return;
      }
      out.push({ path, message: iss.message });
      return;
    }
    case "invalid_type":
      if (iss.input === undefined) {
        out.push({ path, target: "parent", message: `missing required field ${JSON.stringify(path[path.length - 1])}` });
        return;
      }
      out.push({ path, message: iss.message });
      return;
    case "custom": {
      const target = iss.params?.target === "key" ? "key" : undefined;
      out.push(target ? { path, message: iss.message, target } : { path, message: iss.message });
      return;
    }
    default:
      out.push({ path, message: iss.message });
  }
}

/** True for an issue that only says "this alternative wants another type of value". */
function isTypeMismatch(iss: FinalIssue): boolean {
  if (iss.path.length > 0) return false;
  if (iss.code === "invalid_type") return true;
  if (iss.code === "invalid_union" && !discriminatorFailure(iss)) return iss.errors.every((b) => b.every(isTypeMismatch));
  return false;
}

/** A discriminated union's "no option has this tag" issue (zod marks it with an untyped `note`). */
function discriminatorFailure(iss: {
  discriminator?: string | undefined;
}): { discriminator: string; options: string[] } | undefined {
  const extra = iss as { note?: unknown; options?: unknown };
  if (extra.note !== "No matching discriminator" || iss.discriminator === undefined) return undefined;
  const options = Array.isArray(extra.options) ? extra.options.map((o) => String(o)) : [];
  return { discriminator: iss.discriminator, options };
}
