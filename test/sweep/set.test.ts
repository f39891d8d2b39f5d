import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { InputError } from "../../sim/scenario/errors.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { applyOverride, applyOverrides, loadScenarioWithOverrides, parsePath, parseSet, singleOverrides, type Override } from "../../sim/sweep/set.js";
import { prepareRun } from "../../sim/sweep/prepare.js";
import { useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("./fixtures/small.yaml", import.meta.url).pathname;
const BINPACK = new URL("../../scenarios/binpack-vs-spread.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-set-");
function temp(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error("expected an InputError");
}

const override = (path: string, raw: string): Override => ({ path, raw, value: parse(raw) as unknown });

describe("--set syntax", () => {
  it("paths: keys, indices, matches and quoted keys", () => {
    expect(parsePath("spec.components.scheduler.attemptLatency")).toEqual([{ key: "spec" }, { key: "components" }, { key: "scheduler" }, { key: "attemptLatency" }]);
    expect(parsePath("profiles[1].pluginConfig[name=NodeResourcesFit].args")).toEqual([
      { key: "profiles" },
      { index: 1 },
      { key: "pluginConfig" },
      { match: { key: "name", value: "NodeResourcesFit" } },
      { key: "args" },
    ]);
    expect(parsePath('metadata.labels["node.kubernetes.io/instance-type"]')).toEqual([{ key: "metadata" }, { key: "labels" }, { key: "node.kubernetes.io/instance-type" }]);
    expect(parsePath('a[x="b,c"]')).toEqual([{ key: "a" }, { match: { key: "x", value: "b,c" } }]);
    expect(problems(() => parsePath("a..b"))).toMatch(/empty key/);
    expect(problems(() => parsePath("a[1"))).toMatch(/unclosed/);
    expect(problems(() => parsePath("a."))).toMatch(/ends without a key/);
  });

  it("values are YAML; commas split alternatives outside brackets and quotes", () => {
    expect(parseSet("spec.duration=1m,2m")).toEqual({ path: "spec.duration", values: [{ raw: "1m", value: "1m" }, { raw: "2m", value: "2m" }] });
    expect(parseSet("spec.nodePools[0].count=3, 5").values.map((v) => v.value)).toEqual([3, 5]);
    expect(parseSet("spec.nodePools[0].zones=[a, b],[a,b,c]").values.map((v) => v.value)).toEqual([["a", "b"], ["a", "b", "c"]]);
    expect(parseSet('x={cpu: "2", memory: 1Gi},"a,b",true').values.map((v) => v.value)).toEqual([{ cpu: "2", memory: "1Gi" }, "a,b", true]);
    // The first "=" outside brackets separates the path: a match selector keeps its own.
    expect(parseSet("profiles[schedulerName=binpack].x=1").path).toBe("profiles[schedulerName=binpack].x");
    expect(problems(() => parseSet("spec.duration"))).toMatch(/expected PATH=VALUE/);
    expect(problems(() => parseSet("a=1,1"))).toMatch(/given twice/);
    expect(problems(() => singleOverrides(["spec.duration=1m,2m"]))).toMatch(/one value per --set .*simk sweep/);
  });
});

describe("applying overrides to the text", () => {
  const text = readFileSync(SMALL, "utf8");

  it("an existing value is replaced in place: every line keeps its number", () => {
    const { text: out, concrete } = applyOverride(text, override("spec.components.scheduler.attemptLatency", "5ms"));
    expect(concrete).toEqual(["spec", "components", "scheduler", "attemptLatency"]);
    const before = text.split("\n");
    const after = out.split("\n");
    expect(after.length).toBe(before.length);
    const changed = after.map((l, i) => (l === before[i] ? -1 : i)).filter((i) => i >= 0);
    expect(changed).toHaveLength(1);
    expect(after[changed[0]]).toBe('    scheduler: {attemptLatency: "5ms", bindLatency: 2ms}');
  });

  it("block values (mappings, lists, block scalars) are replaced whole, keeping what follows", () => {
    const doc = "kind: Scenario\nspec:\n  empty:\n  list:\n    - a\n    - b\n  block: |\n    text\n    more\n  m:\n    x: 1\n  after: 2\n";
    const set = (path: string, raw: string) => parse(applyOverride(doc, override(path, raw)).text) as { spec: Record<string, unknown> };
    expect(set("spec.empty", "5").spec).toMatchObject({ empty: 5, after: 2 });
    expect(set("spec.list[1]", "c").spec).toMatchObject({ list: ["a", "c"], after: 2 });
    expect(set("spec.list", "[x]").spec).toMatchObject({ list: ["x"], after: 2 });
    expect(set("spec.block", "one").spec).toMatchObject({ block: "one", m: { x: 1 }, after: 2 });
    expect(set("spec.m", "{y: 2}").spec).toMatchObject({ m: { y: 2 }, after: 2 });
  });

  it("a missing key is added, with the mappings above it", () => {
    const { text: out } = applyOverride(text, override("spec.components.apiServer.watchLatency", "50ms"));
    const scenario = (parse(out.split("\n---\n")[0].replace(/^#.*\n/gm, "")) as { spec: { components: Record<string, unknown> } }).spec.components;
    expect(scenario.apiServer).toEqual({ watchLatency: "50ms" });
    expect(scenario.scheduler).toEqual({ attemptLatency: "1ms", bindLatency: "2ms" });
  });

  it("other documents by kind (and name), list items by index or by a field", () => {
    const a = applyOverride(text, override("KubeSchedulerConfiguration.profiles[0].pluginConfig[name=NodeResourcesFit].args.scoringStrategy.type", "MostAllocated"));
    expect(a.concrete).toEqual(["profiles", 0, "pluginConfig", 0, "args", "scoringStrategy", "type"]);
    expect(a.text).toContain('type: "MostAllocated"');
    const b = applyOverride(text, override("Deployment/web.spec.replicas", "7"));
    expect(b.text).toMatch(/replicas: 7\n  selector/);
    const c = applyOverride(text, override("Deployment/default/web.spec.template.spec.containers[0].resources.requests.cpu", '"1"'));
    expect(c.text).toContain('requests: {cpu: "1", memory: 1Gi}');
  });

  it("mistakes name the --set and say what is there", () => {
    expect(problems(() => applyOverride(text, override("Service/web.spec.x", "1")))).toMatch(/^--set Service\/web\.spec\.x=1: no Service document in the scenario file.*documents: Scenario, KubeSchedulerConfiguration, Deployment/);
    expect(problems(() => applyOverride(text, override("Deployment/api.spec.replicas", "1")))).toMatch(/no document Deployment\/api\.spec\.replicas/);
    expect(problems(() => applyOverride(text, override("spec.nodePools[3].count", "1")))).toMatch(/spec\.nodePools has 1 item\(s\): index 3 is out of range/);
    expect(problems(() => applyOverride(text, override("spec.nodePools[name=wrker].count", "1")))).toMatch(/no item of spec\.nodePools has name: wrker \(did you mean "worker"\?\); names: worker/);
    expect(problems(() => applyOverride(text, override("spec.nodePools.count", "1")))).toMatch(/spec\.nodePools is a list: use \[index\] or \[key=value\]/);
    expect(problems(() => applyOverride(text, override("spec.duration.x", "1")))).toMatch(/spec\.duration is a single value/);
    expect(problems(() => applyOverride(text, override("KubeSchedulerConfiguration", "1")))).toMatch(/cannot be replaced/);
  });

  it("applies several in order", () => {
    const { text: out, changed } = applyOverrides(text, [override("spec.duration", "3m"), override("spec.nodePools[0].count", "4")]);
    expect(changed.map((c) => c.path)).toEqual(["spec.duration", "spec.nodePools[0].count"]);
    const file = temp("s.yaml", out);
    const s = loadScenario(file);
    expect(s.duration).toBe(180_000_000);
    expect(s.nodePools[0].count).toBe(4);
  });
});

describe("loading with overrides", () => {
  it("gives the scenario the file would give with the values written in", () => {
    const { scenario } = loadScenarioWithOverrides(SMALL, [override("spec.components.scheduler.attemptLatency", "5ms"), override("spec.nodePools[0].count", "5")]);
    const edited = temp("edited.yaml", readFileSync(SMALL, "utf8").replace("attemptLatency: 1ms", "attemptLatency: 5ms").replace("count: 3", "count: 5"));
    const direct = loadScenario(edited);
    expect(scenario.components).toEqual(direct.components);
    expect(scenario.nodePools).toEqual(direct.nodePools);
    expect(scenario.file).toBe(SMALL);
  });

  it("a bad value is reported at its line in the file, naming the --set", () => {
    const line = readFileSync(SMALL, "utf8").split("\n").findIndex((l) => l.includes("attemptLatency")) + 1;
    expect(problems(() => loadScenarioWithOverrides(SMALL, [override("spec.components.scheduler.attemptLatency", "fast")]))).toBe(
      `${SMALL}:${line}:33: spec.components.scheduler.attemptLatency: invalid duration "fast": expected a Go duration such as 90s, 5m, 1h30m or 250ms (units ns, us, ms, s, m, h), or a number of seconds (set by --set spec.components.scheduler.attemptLatency=fast)`,
    );
  });

  it("a bad scheduler configuration value names the --set too", async () => {
    await expect(prepareRun(BINPACK, { overrides: [override("KubeSchedulerConfiguration.profiles[1].pluginConfig[0].args.scoringStrategy.type", "Most")] })).rejects.toThrow(
      /profiles\[1\]\.pluginConfig\[0\]\.args\.scoringStrategy\.type: Unsupported value: "Most".*\(set by --set KubeSchedulerConfiguration\.profiles\[1\]\.pluginConfig\[0\]\.args\.scoringStrategy\.type=Most\)/,
    );
    await expect(prepareRun(BINPACK, { schedulerConfig: BINPACK, overrides: [override("KubeSchedulerConfiguration.profiles[0].x", "1")] })).rejects.toThrow(/--scheduler-config replaces/);
  });

  it("the selected profile's scoring strategy really changes", async () => {
    const { schedulerConfig } = await prepareRun(BINPACK, {
      overrides: [override("KubeSchedulerConfiguration.profiles[schedulerName=binpack].pluginConfig[name=NodeResourcesFit].args.scoringStrategy.type", "LeastAllocated")],
    });
    const fit = (name: string) => JSON.stringify(schedulerConfig.profiles.find((p) => p.schedulerName === name));
    expect(fit("binpack")).not.toContain("MostAllocated");
  });
});
