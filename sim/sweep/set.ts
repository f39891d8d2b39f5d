/**
 * `--set PATH=VALUE[,VALUE...]`: changes to a scenario file, applied to its YAML text before it is
 * validated, so a changed value is checked (and reported) exactly like one written in the file.
 *
 * Syntax (docs/ci.md, "--set"):
 *
 *   PATH   := [DOC "."] STEP ("." KEY | "[" INDEX "]" | "[" KEY "=" VALUE "]" | "[" QUOTED "]")*
 *   DOC    := Kind | Kind "/" name | Kind "/" namespace "/" name     (starts with a capital letter)
 *
 *  - Without DOC the path is inside the Scenario document: `spec.components.scheduler.attemptLatency`.
 *  - DOC picks another document of the scenario file by kind (and name): `KubeSchedulerConfiguration`
 *    (if the file has just one), `Deployment/web`, `Deployment/default/web`. Documents in included
 *    files cannot be changed.
 *  - `[2]` is a list index; `[name=binpack]` the list item whose `name` is `binpack`; `["a.b/c"]` a
 *    key with dots or slashes (JSON string syntax).
 *  - VALUE is YAML (`5ms`, `3`, `true`, `[a, b]`, `{cpu: "2"}`); alternatives are separated by
 *    commas outside brackets and quotes. `simk run` takes one value per --set, `simk sweep` any.
 *
 * When the key exists, the value's text is replaced in place (as JSON, which is YAML flow), so a
 * one-line value keeps every line number of the file; a key that does not exist yet is added
 * (missing mappings are created) and the file is re-serialised. A problem found at or under a
 * changed path says which --set changed it.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, parse as parseYaml, parseAllDocuments, type Document, type Node as YamlNode } from "yaml";
import { formatPath, InputError, type InputProblem, type PathSegment } from "../scenario/errors.js";
import { loadScenario, loadScenarioFromText } from "../scenario/load.js";
import { suggestion } from "../scenario/suggest.js";
import type { Scenario } from "../scenario/types.js";

/** One step of a path inside a document. */
export type Step = { key: string } | { index: number } | { match: { key: string; value: string } };

/** One `--set PATH=V1,V2`: the path and each alternative value (raw text and parsed YAML). */
export interface SetSpec {
  path: string;
  values: { raw: string; value: unknown }[];
}

/** One change to apply: a path and one value. */
export interface Override {
  path: string;
  raw: string;
  value: unknown;
}

function setError(spec: string, message: string): InputError {
  return new InputError([{ file: `--set ${spec}`, message }]);
}

/** Splits `text` at `sep` where it is outside brackets, braces and quotes. */
function splitTopLevel(text: string, sep: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{" || c === "(") depth++;
    else if (c === "]" || c === "}" || c === ")") depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0 && parts.length < limit - 1) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Parses one `PATH=V1,V2,...` argument. Throws InputError. */
export function parseSet(arg: string): SetSpec {
  const [path, rest] = splitTopLevel(arg, "=", 2);
  if (rest === undefined || path.trim() === "") {
    throw setError(arg, "expected PATH=VALUE[,VALUE...], e.g. spec.components.scheduler.attemptLatency=1ms,5ms");
  }
  parsePath(path.trim(), arg); // checks the syntax now
  const values = splitTopLevel(rest, ",").map((raw) => {
    const text = raw.trim();
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch (e) {
      throw setError(arg, `value ${JSON.stringify(text)} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    return { raw: text, value: value === undefined ? null : value };
  });
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v.raw)) throw setError(arg, `the value ${JSON.stringify(v.raw)} is given twice`);
    seen.add(v.raw);
  }
  return { path: path.trim(), values };
}

/** The steps of a path (see the module comment). Throws InputError naming `arg`. */
export function parsePath(text: string, arg = text): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw setError(arg, `${message} (paths look like spec.components.scheduler.attemptLatency, profiles[1].pluginConfig[name=NodeResourcesFit].args)`);
  };
  let expectKey = true;
  while (i < text.length) {
    const c = text[i];
    if (c === "[") {
      const close = findClose(text, i);
      if (close < 0) fail(`unclosed "[" in ${JSON.stringify(text)}`);
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (inner.startsWith('"')) {
        try {
          steps.push({ key: String(JSON.parse(inner)) });
        } catch {
          fail(`bad quoted key ${inner}`);
        }
      } else {
        const eq = splitTopLevel(inner, "=", 2);
        if (eq.length !== 2 || eq[0].trim() === "") fail(`"[${inner}]" is neither an index [2], a match [name=value] nor a quoted key ["a.b"]`);
        steps.push({ match: { key: eq[0].trim(), value: unquote(eq[1].trim()) } });
      }
      i = close + 1;
      expectKey = false;
      if (i < text.length && text[i] !== "." && text[i] !== "[") fail(`expected "." or "[" after "]" in ${JSON.stringify(text)}`);
      continue;
    }
    if (c === ".") {
      if (expectKey) fail(`empty key in ${JSON.stringify(text)}`);
      i++;
      expectKey = true;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== "." && text[j] !== "[") j++;
    steps.push({ key: text.slice(i, j) });
    i = j;
    expectKey = false;
  }
  if (expectKey) fail(`${JSON.stringify(text)} ends without a key`);
  return steps;
}

function findClose(text: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "]") return i;
  }
  return -1;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return String(JSON.parse(s));
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Applying overrides to the text

interface Located {
  doc: Document.Parsed;
  /** The steps left after the document selector. */
  steps: Step[];
  label: string;
}

function docKind(doc: Document.Parsed): unknown {
  return isMap(doc.contents) ? doc.get("kind") : undefined;
}

/** Which document of the file a path addresses, and the steps inside it. */
function locateDocument(docs: Document.Parsed[], steps: Step[], arg: string): Located {
  const first = steps[0];
  const isSelector = "key" in first && /^[A-Z]/.test(first.key);
  if (!isSelector) {
    const scenario = docs.find((d) => docKind(d) === "Scenario");
    if (!scenario) throw setError(arg, "the file has no Scenario document");
    return { doc: scenario, steps, label: "the Scenario document" };
  }
  // The selector may span several dotted keys when a name holds dots: try the shortest first.
  const plain: string[] = [];
  for (const s of steps) {
    if (!("key" in s)) break;
    plain.push(s.key);
  }
  const kinds = [...new Set(docs.map(docKind).filter((k): k is string => typeof k === "string"))];
  for (let k = 1; k <= plain.length; k++) {
    const selector = plain.slice(0, k).join(".");
    const parts = selector.split("/");
    if (parts.length > 3) break;
    const [kind] = parts;
    const matching = docs.filter((d) => {
      if (docKind(d) !== kind) return false;
      if (parts.length === 1) return true;
      const name = d.getIn(["metadata", "name"]);
      const ns = d.getIn(["metadata", "namespace"]) ?? "default";
      return parts.length === 2 ? name === parts[1] : ns === parts[1] && name === parts[2];
    });
    if (matching.length === 1) return { doc: matching[0], steps: steps.slice(k), label: selector };
    if (matching.length > 1) {
      const names = matching.map((d) => `${kind}/${String(d.getIn(["metadata", "name"]) ?? "?")}`);
      throw setError(arg, `the file has ${matching.length} ${kind} documents; name one: ${names.join(", ")}`);
    }
    if (!kinds.includes(kind)) {
      throw setError(arg, `no ${kind} document in the scenario file${suggestion(kind, kinds)}; documents: ${kinds.join(", ")} (documents in included files cannot be changed)`);
    }
  }
  throw setError(arg, `no document ${plain.join(".")} in the scenario file (documents in included files cannot be changed)`);
}

function keyOf(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node);
}

/**
 * Applies one override to the file's text. The value's text is replaced in place when the path
 * exists; otherwise the missing keys are added and the file is re-serialised. Returns the new
 * text and the concrete path inside the document (list matches resolved to indices).
 */
export function applyOverride(text: string, override: Override): { text: string; concrete: PathSegment[] } {
  const arg = `${override.path}=${override.raw}`;
  const docs = parseAllDocuments(text, { merge: true });
  // A file with YAML syntax errors is left alone: loading it reports them.
  if (docs.some((d) => d.errors.length > 0)) return { text, concrete: [] };
  const all = docs.filter((d): d is Document.Parsed => d.contents !== null);
  const located = locateDocument(all, parsePath(override.path, arg), arg);
  if (located.steps.length === 0) throw setError(arg, `${located.label} as a whole cannot be replaced; name a field inside it`);
  const { doc } = located;
  let node: unknown = doc.contents;
  const concrete: PathSegment[] = [];
  for (let i = 0; i < located.steps.length; i++) {
    const step = located.steps[i];
    const where = formatPath(concrete) || "the document";
    if (isMap(node)) {
      if (!("key" in step)) throw setError(arg, `${where} is a mapping: use .key, not ${"index" in step ? `[${step.index}]` : `[${step.match.key}=...]`}`);
      const pair = node.items.find((p) => keyOf(p.key) === step.key);
      if (!pair) {
        // Missing: add it (and any missing mappings below it) through the document model.
        const rest = located.steps.slice(i);
        if (!rest.every((s) => "key" in s)) throw setError(arg, `${formatPath([...concrete, step.key])} does not exist, so it cannot be indexed`);
        const full = [...concrete, ...rest.map((s) => (s as { key: string }).key)];
        doc.setIn(full, override.value);
        return { text: all.map((d) => d.toString({ lineWidth: 0 })).join(""), concrete: full };
      }
      concrete.push(step.key);
      node = pair.value;
      if (node === null || node === undefined) {
        if (i === located.steps.length - 1) {
          // `key:` with nothing after it: the key exists, its value is empty.
          const end = (pair.key as YamlNode).range?.[1] ?? 0;
          const colon = text.indexOf(":", end);
          return { text: splice(text, colon + 1, colon + 1, override.value), concrete };
        }
        throw setError(arg, `${formatPath(concrete)} is empty, so it has no ${JSON.stringify(located.steps[i + 1])}`);
      }
    } else if (isSeq(node)) {
      if ("key" in step) throw setError(arg, `${where} is a list: use [index] or [key=value], not .${step.key}`);
      let index: number;
      if ("index" in step) {
        index = step.index;
        if (index >= node.items.length) throw setError(arg, `${where} has ${node.items.length} item(s): index ${index} is out of range`);
      } else {
        const { key, value } = step.match;
        const values = node.items.map((item) => (isMap(item) ? item.get(key) : undefined));
        index = values.findIndex((v) => v !== undefined && v !== null && String(v) === value);
        if (index < 0) {
          const known = values.filter((v) => v !== undefined && v !== null).map(String);
          if (known.length === 0) {
            const first = node.items.find((item) => isMap(item));
            const keys = isMap(first) ? first.items.map((p) => keyOf(p.key)) : [];
            throw setError(arg, `no item of ${where} has a field ${key}${keys.length > 0 ? `; the items have ${keys.join(", ")}` : ""}`);
          }
          throw setError(arg, `no item of ${where} has ${key}: ${value}${suggestion(value, known)}; ${key}s: ${known.join(", ")}`);
        }
      }
      concrete.push(index);
      node = node.items[index];
    } else {
      throw setError(arg, `${where} is a single value, not a mapping or a list`);
    }
  }
  const range = (node as YamlNode).range;
  if (!range) throw setError(arg, `cannot locate ${formatPath(concrete)} in the file`);
  return { text: splice(text, range[0], range[1], override.value), concrete };
}

/**
 * Replaces text[start, end) with the value as YAML flow (JSON is valid YAML). Line breaks at the end
 * of the old value (a block scalar or mapping includes its last one) stay.
 */
function splice(text: string, start: number, end: number, value: unknown): string {
  end = start + text.slice(start, end).trimEnd().length;
  const before = text.slice(0, start);
  const space = before.length > 0 && !/\s$/.test(before) ? " " : "";
  return `${before}${space}${JSON.stringify(value)}${text.slice(end)}`;
}

// ---------------------------------------------------------------------------------------------
// Loading

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    loadScenario(file); // reports the unreadable file as the loader reports any (throws InputError)
    return readFileSync(file, "utf8");
  }
}

/** The scenario file's text with the overrides applied (and the concrete paths they changed). */
export function applyOverrides(text: string, overrides: readonly Override[]): { text: string; changed: { path: string; arg: string }[] } {
  let current = text;
  const changed: { path: string; arg: string }[] = [];
  for (const o of overrides) {
    const r = applyOverride(current, o);
    current = r.text;
    changed.push({ path: formatPath(r.concrete), arg: `--set ${o.path}=${o.raw}` });
  }
  return { text: current, changed };
}

/** Which --set changed which path (inside its document), to explain problems found there. */
export type Changes = { path: string; arg: string }[];

/**
 * Loads a scenario with overrides applied. Without overrides this is loadScenario. Problems at or
 * under a changed path say which --set caused them. Throws InputError.
 */
export function loadScenarioWithOverrides(file: string, overrides: readonly Override[]): { scenario: Scenario; changed: Changes } {
  if (overrides.length === 0) return { scenario: loadScenario(file), changed: [] };
  const { text, changed } = applyOverrides(readText(file), overrides);
  try {
    return { scenario: loadScenarioFromText(text, file), changed };
  } catch (e) {
    throw explainOverrides(e, file, changed);
  }
}

/** An InputError whose problems at or under a changed path say which --set changed it; other errors as they are. */
export function explainOverrides(e: unknown, file: string, changed: Changes): unknown {
  if (!(e instanceof InputError) || changed.length === 0) return e;
  return new InputError(e.problems.map((p) => annotate(p, file, changed)));
}

function annotate(p: InputProblem, file: string, changed: Changes): InputProblem {
  if (p.file !== file || p.path === undefined) return p;
  const by = [...changed].reverse().find((c) => c.path !== "" && (p.path === c.path || p.path!.startsWith(`${c.path}.`) || p.path!.startsWith(`${c.path}[`)));
  return by ? { ...p, message: `${p.message} (set by ${by.arg})` } : p;
}

/** The overrides of `simk run --set`: one value each. Throws InputError. */
export function singleOverrides(args: readonly string[]): Override[] {
  return args.map((arg) => {
    const spec = parseSet(arg);
    if (spec.values.length !== 1) {
      throw setError(arg, `simk run takes one value per --set (got ${spec.values.length}); to run several, use simk sweep`);
    }
    return { path: spec.path, raw: spec.values[0].raw, value: spec.values[0].value };
  });
}
