import { describe, expect, it } from "vitest";
import { scenarioJsonSchema } from "../../sim/scenario/schema.js";

type JsonSchema = {
  $schema?: string;
  title?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
};

describe("scenarioJsonSchema", () => {
  const schema = scenarioJsonSchema() as JsonSchema;
  const spec = schema.properties?.spec as JsonSchema;

  it("describes the Scenario document as written (input side), closed to unknown fields", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("simk Scenario");
    expect(schema.required).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.apiVersion).toEqual({ type: "string", const: "simk.dev/v1alpha1" });
    expect(schema.properties?.kind).toEqual({ type: "string", const: "Scenario" });
    expect(spec.required).toEqual(["duration"]);
    expect(spec.additionalProperties).toBe(false);
    expect(Object.keys(spec.properties ?? {})).toEqual([
      "duration",
      "seed",
      "sampleInterval",
      "include",
      "nodePools",
      "components",
      "timeline",
      "expect",
      "schedulerPlugins",
      "traffic",
    ]);
  });

  it("durations are strings or numbers (the input form, not µs)", () => {
    expect(spec.properties?.duration).toMatchObject({ type: ["string", "number"] });
    expect(spec.properties?.duration.description).toMatch(/Go duration/);
  });

  it("timeline entries are one of the thirteen actions", () => {
    const entries = spec.properties?.timeline.items?.oneOf ?? [];
    expect(entries.map((e) => e.properties?.action.const)).toEqual([
      "failNode",
      "recoverNode",
      "removeNode",
      "cordon",
      "uncordon",
      "drain",
      "addNodes",
      "scale",
      "rollout",
      "apply",
      "delete",
      "failComponent",
      "setTraffic",
    ]);
    expect(entries[0]).toMatchObject({ required: ["at", "action", "node"], additionalProperties: false });
  });

  it("expectations: op is an enum, stat and the time window optional", () => {
    const item = spec.properties?.expect.items as JsonSchema;
    expect(item.required).toEqual(["metric", "op", "value"]);
    expect(item.properties?.op.enum).toEqual(["<", "<=", "==", "!=", ">=", ">"]);
  });
});
