import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatPath, formatProblem, InputError, parseWith } from "../../sim/scenario/errors.js";

describe("formatProblem", () => {
  it("prints file:line:column: path: message, keeping a relative file relative", () => {
    expect(
      formatProblem({ file: "scenarios/x.yaml", line: 14, column: 9, path: "spec.timeline[1].node", message: 'unknown node "n-9"' }),
    ).toBe('scenarios/x.yaml:14:9: spec.timeline[1].node: unknown node "n-9"');
  });

  it("leaves out what is unknown", () => {
    expect(formatProblem({ file: "a.yaml", message: "cannot read file: no such file" })).toBe("a.yaml: cannot read file: no such file");
    expect(formatProblem({ file: "a.yaml", line: 3, message: "m" })).toBe("a.yaml:3: m");
    expect(formatProblem({ file: "a.yaml", line: 3, column: 1, message: "m" })).toBe("a.yaml:3:1: m");
  });
});

describe("InputError", () => {
  it("carries the problems and formats them as its message, one per line", () => {
    const problems = [
      { file: "a.yaml", line: 1, column: 1, message: "first" },
      { file: "b.yaml", message: "second" },
    ];
    const err = new InputError(problems);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("InputError");
    expect(err.problems).toBe(problems);
    expect(err.message).toBe("a.yaml:1:1: first\nb.yaml: second");
  });
});

describe("formatPath", () => {
  it("uses dots, [index], and quoted brackets for keys that are not identifiers", () => {
    expect(formatPath(["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"])).toBe(
      "spec.template.spec.containers[0].resources.requests.cpu",
    );
    expect(formatPath(["items", 3, "spec"])).toBe("items[3].spec");
    expect(formatPath(["limits", "nvidia.com/gpu"])).toBe('limits["nvidia.com/gpu"]');
    expect(formatPath([])).toBe("");
  });
});

describe("parseWith", () => {
  const schema = z.strictObject({
    replicas: z.int().min(0),
    name: z.string(),
    mode: z.enum(["Fast", "Slow"]),
    nested: z.strictObject({ value: z.string() }).optional(),
  });

  it("returns every issue with an absolute path and our wording", () => {
    const result = parseWith(schema, { replicsa: 1, replicas: -1, name: 5, mode: "fast", nested: {} }, ["spec"]);
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: ["spec", "replicas"], message: "must be >= 0, got -1" },
        { path: ["spec", "name"], message: 'expected a string, got number 5 (quote it: "5")' },
        { path: ["spec", "mode"], message: 'mode must be one of Fast, Slow; got string "fast" (did you mean "Fast"?)' },
        { path: ["spec", "nested", "value"], target: "parent", message: 'missing required field "value"' },
        { path: ["spec", "replicsa"], target: "key", message: 'unknown field "replicsa" (did you mean "replicas"?)' },
      ],
    });
  });

  it("returns the parsed value on success", () => {
    expect(parseWith(schema, { replicas: 2, name: "a", mode: "Slow" })).toEqual({
      ok: true,
      value: { replicas: 2, name: "a", mode: "Slow" },
    });
  });
});
