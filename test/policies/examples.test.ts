import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LABEL, factory, NAME, TierPreference, tierPreferenceArgsSchema } from "../../policies/examples/tierPreference.js";
import { inTreeRegistry } from "../../policies/scheduler/registry.js";
import type { Node } from "../../sim/api/objects.js";
import { explain } from "../../sim/cli/explain.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { runScenario } from "../../sim/run/simulate.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { buildSchedulerConfig, describeProfile, resolveSchedulerConfig } from "../../sim/scheduler/config.js";
import { CycleState, type PodInfo } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import { useTempDirs } from "../helpers/cli.js";

const EXAMPLE = new URL("../../policies/examples/tierPreference.ts", import.meta.url).pathname;
const TIER_CONFIG = new URL("../../policies/examples/tier-config.yaml", import.meta.url).pathname;
const EXPLAIN_DIR = new URL("../../scenarios/explain/", import.meta.url).pathname;

const tempDir = useTempDirs("simk-example-");

function nodeInfos(tiers: Record<string, string | undefined>) {
  const cache = new SchedulerCache();
  for (const [name, tier] of Object.entries(tiers)) {
    const node: Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, uid: name, resourceVersion: "1", generation: 1, creationTimestamp: 0, labels: tier ? { [DEFAULT_LABEL]: tier } : {} },
      spec: {},
      status: { allocatable: { cpu: "4", memory: "8Gi" }, capacity: { cpu: "4", memory: "8Gi" }, conditions: [] },
    } as Node;
    cache.upsertNode(node);
  }
  return cache.nodes;
}

const pod: PodInfo = (() => {
  const spec = { containers: [{ name: "c", image: "c:1" }] };
  return {
    pod: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", uid: "p" }, spec, status: { phase: "Pending" } },
    key: "default/p",
    requests: podRequests(spec as never),
  } as unknown as PodInfo;
})();

describe("TierPreference (policies/examples/tierPreference.ts), unit", () => {
  it("scores premium 100, standard 50, anything else 0 with the default args", () => {
    const plugin = factory.create(tierPreferenceArgsSchema.parse(undefined));
    const nodes = nodeInfos({ p: "premium", s: "standard", g: "gold", none: undefined });
    expect(nodes.map((n) => [n.name, plugin.name === NAME && (plugin as TierPreference).score(new CycleState(), pod, n)])).toEqual([
      ["g", 0],
      ["none", 0],
      ["p", 100],
      ["s", 50],
    ]);
  });

  it("takes its own label and scores from args", () => {
    const plugin = new TierPreference(tierPreferenceArgsSchema.parse({ labelKey: "tier", scores: { gold: 80 } }));
    const cache = nodeInfos({ x: "gold" });
    // The label key is "tier" now, so the example.simk.dev/tier label no longer counts.
    expect(plugin.score(new CycleState(), pod, cache[0])).toBe(0);
  });

  it("filters only with requireLabel: otherwise its PreFilter skips it", () => {
    const [none, premium] = nodeInfos({ none: undefined, premium: "premium" });
    const lenient = new TierPreference(tierPreferenceArgsSchema.parse({}));
    expect(lenient.preFilter().status.code).toBe("Skip");
    const strict = new TierPreference(tierPreferenceArgsSchema.parse({ requireLabel: true }));
    expect(strict.preFilter().status.code).toBe("Success");
    expect(strict.filter(new CycleState(), pod, premium).code).toBe("Success");
    expect(strict.filter(new CycleState(), pod, none)).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) had no example.simk.dev/tier label"],
      plugin: "TierPreference",
    });
  });

  it("enabled at multiPoint it registers at preFilter, filter and score; bad args are reported with their path", () => {
    const registry = inTreeRegistry();
    registry.set(NAME, factory as PluginFactory<never>);
    const doc = { apiVersion: "kubescheduler.config.k8s.io/v1", kind: "KubeSchedulerConfiguration" };
    const p = describeProfile(buildSchedulerConfig([{ ...doc, profiles: [{ plugins: { multiPoint: { enabled: [{ name: NAME, weight: 2 }] } } }] }], { registry }).profiles[0]);
    expect(p.preFilter.at(-1)).toBe(NAME);
    expect(p.filter.at(-1)).toBe(NAME);
    expect(p.score.at(-1)).toBe(`${NAME}:2`);
    expect(p.preScore).not.toContain(NAME);
    let messages: string[] = [];
    try {
      buildSchedulerConfig([{ ...doc, profiles: [{ pluginConfig: [{ name: NAME, args: { scores: { premium: 150 }, label: "x" } }] }] }], { registry });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      messages = e.problems.map(formatProblem);
    }
    expect(messages).toEqual([
      "KubeSchedulerConfiguration: profiles[0].pluginConfig[0].args.scores.premium: must be <= 100, got 150",
      'KubeSchedulerConfiguration: profiles[0].pluginConfig[0].args: unknown field "label"',
    ]);
  });
});

describe("TierPreference through simk", () => {
  it("simk explain with --plugin and the example configuration (weight 2)", async () => {
    // scenarios/explain/nodes.yaml: node-a is tier standard, node-b tier premium; node-c and
    // node-d fail their filters. The default plugins give node-a 449 and node-b 411 (see
    // test/cli/explain.test.ts); TierPreference adds 50 × 2 = 100 to node-a and 100 × 2 = 200 to
    // node-b: 549 against 611, so node-b wins.
    const report = await explain({
      files: [join(EXPLAIN_DIR, "nodes.yaml")],
      pod: join(EXPLAIN_DIR, "pod.yaml"),
      config: TIER_CONFIG,
      plugins: [EXAMPLE],
    });
    const node = (name: string) => report.nodes.find((n) => n.name === name)!;
    expect(node("node-a").scores.at(-1)).toEqual({ plugin: NAME, raw: 50, normalized: 50, weight: 2, weighted: 100 });
    expect(node("node-b").scores.at(-1)).toEqual({ plugin: NAME, raw: 100, normalized: 100, weight: 2, weighted: 200 });
    expect([node("node-a").total, node("node-b").total]).toEqual([549, 611]);
    expect(report.selected).toBe("node-b");
  });

  it("a scenario loads the module from spec.schedulerPlugins and its pods go to the premium node", async () => {
    const dir = tempDir();
    const file = join(dir, "tiers.yaml");
    // One premium node and two standard ones, identical otherwise. Each of the 3 small pods scores
    // at most a few points apart between nodes on resources (a 100m / 64Mi pod on 4 CPU / 16Gi), while
    // TierPreference at weight 10 puts premium 100 × 10 − 50 × 10 = 500 ahead: all land on premium-0.
    writeFileSync(
      file,
      `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: tiers}
spec:
  duration: 2m
  schedulerPlugins:
    - module: ${EXAMPLE}
  nodePools:
    - {name: premium, count: 1, template: {labels: {example.simk.dev/tier: premium}, allocatable: {cpu: "4", memory: 16Gi}}}
    - {name: standard, count: 2, template: {labels: {example.simk.dev/tier: standard}, allocatable: {cpu: "4", memory: 16Gi}}}
---
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      multiPoint:
        enabled: [{name: TierPreference, weight: 10}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
`,
    );
    const scenario = loadScenario(file);
    const config = await resolveSchedulerConfig(scenario);
    const result = runScenario(scenario, { schedulerConfig: config, recordDecisions: true });
    const scheduled = result.events.filter((e) => e.reason === "Scheduled");
    expect(scheduled.map((e) => e.message.split(" to ")[1])).toEqual(["premium-0", "premium-0", "premium-0"]);
    const first = result.decisions[0];
    const score = (node: string) => first.nodes.find((n) => n.name === node)!.scores.find((s) => s.plugin === NAME)!.weighted;
    expect([score("premium-0"), score("standard-0"), score("standard-1")]).toEqual([1000, 500, 500]);
  });
});
