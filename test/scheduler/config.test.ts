import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PrioritySort } from "../../policies/scheduler/prioritySort.js";
import { inTreeRegistry } from "../../policies/scheduler/registry.js";
import type { Pod } from "../../sim/api/objects.js";
import { runScenario } from "../../sim/run/simulate.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadScenario } from "../../sim/scenario/load.js";
import {
  buildSchedulerConfig,
  DEFAULT_PLUGINS,
  defaultSchedulerConfig,
  describeProfile,
  mergePluginSet,
  resolveSchedulerConfig,
} from "../../sim/scheduler/config.js";
import { SUCCESS, type FilterPlugin, type Plugin, type ScorePlugin } from "../../sim/scheduler/framework.js";
import { commandLineModule, loadPluginModules } from "../../sim/scheduler/pluginModules.js";
import { defaultProfile } from "../../sim/scheduler/profiles.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";
import { useTempDirs } from "../helpers/cli.js";
import { scenario as codeScenario } from "../helpers/scenario.js";

const API = { apiVersion: "kubescheduler.config.k8s.io/v1", kind: "KubeSchedulerConfiguration" };

const tempDir = useTempDirs("simk-config-");

/** The messages of the InputError `f` throws, formatted as the CLI prints them. */
function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error("expected an InputError");
}

async function asyncProblems(f: () => Promise<unknown>): Promise<string[]> {
  try {
    await f();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error("expected an InputError");
}

const profileOf = (doc: object, registry = inTreeRegistry()) => describeProfile(buildSchedulerConfig([{ ...API, ...doc }], { registry }).profiles[0]);

// The default profile, as pkg/scheduler/apis/config/v1/default_plugins.go enables it at multiPoint
// and framework.go expands it (volume plugins skipped: simk does not model volumes).
const DEFAULT_FILTER = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"];
const DEFAULT_PRE_FILTER = ["NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"];
const DEFAULT_PRE_SCORE = ["TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity", "NodeResourcesBalancedAllocation", "ImageLocality"];
const DEFAULT_SCORE = [
  "TaintToleration:3",
  "NodeAffinity:2",
  "NodeResourcesFit:1",
  "PodTopologySpread:2",
  "InterPodAffinity:2",
  "NodeResourcesBalancedAllocation:1",
  "ImageLocality:1",
];

describe("default configuration (v1 default_plugins.go, defaults.go)", () => {
  it("lists upstream's multiPoint plugins in order, with upstream's score weights", () => {
    expect(DEFAULT_PLUGINS.map((p) => (p.weight ? `${p.name}:${p.weight}` : p.name))).toEqual([
      "SchedulingGates",
      "PrioritySort",
      "NodeUnschedulable",
      "NodeName",
      "TaintToleration:3",
      "NodeAffinity:2",
      "NodePorts",
      "NodeResourcesFit:1",
      "VolumeRestrictions",
      "EBSLimits",
      "GCEPDLimits",
      "NodeVolumeLimits",
      "AzureDiskLimits",
      "VolumeBinding",
      "VolumeZone",
      "PodTopologySpread:2",
      "InterPodAffinity:2",
      "DefaultPreemption",
      "NodeResourcesBalancedAllocation:1",
      "ImageLocality:1",
      "DefaultBinder",
    ]);
  });

  it("expands them to every point each plugin implements", () => {
    const config = defaultSchedulerConfig();
    expect(config).toMatchObject({ percentageOfNodesToScore: 0, podInitialBackoffSeconds: 1, podMaxBackoffSeconds: 10 });
    expect(config.profiles).toHaveLength(1);
    expect(config.profiles[0].schedulerName).toBe("default-scheduler");
    expect(config.profiles[0].percentageOfNodesToScore).toBeUndefined();
    expect(describeProfile(config.profiles[0])).toEqual({
      preFilter: DEFAULT_PRE_FILTER,
      filter: DEFAULT_FILTER,
      postFilter: ["DefaultPreemption"],
      preScore: DEFAULT_PRE_SCORE,
      score: DEFAULT_SCORE,
    });
  });

  it("one plugin instance serves all the points of a profile; each profile has its own", () => {
    const p = defaultSchedulerConfig().profiles[0];
    const fitFilter = p.filter.find((f) => f.name === "NodeResourcesFit");
    expect(p.score.find((s) => s.plugin.name === "NodeResourcesFit")!.plugin).toBe(fitFilter);
    expect(p.preFilter.find((f) => f.name === "NodeResourcesFit")).toBe(fitFilter);
    expect(defaultSchedulerConfig().profiles[0].filter[0]).not.toBe(p.filter[0]);
  });

  it("an empty document, or one profile without a name, is the default", () => {
    expect(describeProfile(buildSchedulerConfig([API]).profiles[0])).toEqual(describeProfile(defaultSchedulerConfig().profiles[0]));
    expect(buildSchedulerConfig([{ ...API, profiles: [{}] }]).profiles[0].schedulerName).toBe("default-scheduler");
    expect(defaultProfile("other").schedulerName).toBe("other");
  });

  it("takes the global settings", () => {
    const c = buildSchedulerConfig([{ ...API, percentageOfNodesToScore: 40, podInitialBackoffSeconds: 2, podMaxBackoffSeconds: 20, parallelism: 8 }]);
    expect(c).toMatchObject({ percentageOfNodesToScore: 40, podInitialBackoffSeconds: 2, podMaxBackoffSeconds: 20 });
    const p = buildSchedulerConfig([{ ...API, profiles: [{ percentageOfNodesToScore: 70 }] }]);
    expect(p.profiles[0].percentageOfNodesToScore).toBe(70);
  });
});

describe("mergePluginSet (the cases of upstream default_plugins_test.go TestMergePlugins)", () => {
  const names = (xs: { name: string; weight?: number }[]) => xs.map((x) => (x.weight ? `${x.name}:${x.weight}` : x.name));
  const p = (name: string, weight?: number) => (weight ? { name, weight } : { name });

  it("appends custom plugins after the defaults", () => {
    expect(names(mergePluginSet([p("D1"), p("D2")], [p("Custom")], []).enabled)).toEqual(["D1", "D2", "Custom"]);
  });
  it("a disabled default enabled again moves to the custom position", () => {
    expect(names(mergePluginSet([p("D1"), p("D2")], [p("Custom"), p("D2")], ["D2"]).enabled)).toEqual(["D1", "Custom", "D2"]);
  });
  it('"*" drops every default: the custom order is the order', () => {
    expect(names(mergePluginSet([p("D1"), p("D2")], [p("Custom"), p("D1"), p("D2")], ["*"]).enabled)).toEqual(["Custom", "D1", "D2"]);
    expect(names(mergePluginSet([p("D1"), p("D2")], [p("D2"), p("D1")], ["*"]).enabled)).toEqual(["D2", "D1"]);
  });
  it("a re-enabled default keeps its place and takes the new weight", () => {
    expect(names(mergePluginSet([p("P1"), p("P2"), p("P3")], [p("P1", 2), p("P3", 3)], []).enabled)).toEqual(["P1:2", "P2", "P3:3"]);
    expect(names(mergePluginSet([p("P1"), p("P2"), p("P3")], [p("P2", 2), p("P1", 1)], []).enabled)).toEqual(["P1:1", "P2:2", "P3"]);
  });
  it("a plugin enabled twice: the last replaces the default, the first is appended", () => {
    expect(names(mergePluginSet([p("P1"), p("P2"), p("P3")], [p("P1"), p("P2", 2), p("P3"), p("P2", 4)], []).enabled)).toEqual(["P1", "P2:4", "P3", "P2:2"]);
  });
});

describe("merging a profile's plugins into the defaults", () => {
  it("a weight at score overrides: the plugin moves first at score, others keep their default weights", () => {
    // framework.go expandMultiPointPlugins: plugins enabled at the point itself that are also
    // multiPoint plugins come first, then the other multiPoint ones.
    const p = profileOf({ profiles: [{ plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 5 }], disabled: [{ name: "NodeResourcesBalancedAllocation" }] } } }] });
    expect(p.score).toEqual(["NodeResourcesFit:5", "TaintToleration:3", "NodeAffinity:2", "PodTopologySpread:2", "InterPodAffinity:2", "ImageLocality:1"]);
    // Disabled at score only: its PreScore still runs, as upstream.
    expect(p.preScore).toEqual(DEFAULT_PRE_SCORE);
    expect(p.filter).toEqual(DEFAULT_FILTER);
  });

  it("a weight at multiPoint replaces the default in place", () => {
    const p = profileOf({ profiles: [{ plugins: { multiPoint: { enabled: [{ name: "ImageLocality", weight: 7 }, { name: "TaintToleration", weight: 1 }] } } }] });
    expect(p.score).toEqual(["TaintToleration:1", "NodeAffinity:2", "NodeResourcesFit:1", "PodTopologySpread:2", "InterPodAffinity:2", "NodeResourcesBalancedAllocation:1", "ImageLocality:7"]);
  });

  it("an unset or 0 weight means 1 (framework.go getScoreWeights), even for a default plugin named again", () => {
    const p = profileOf({ profiles: [{ plugins: { score: { enabled: [{ name: "TaintToleration" }, { name: "NodeAffinity", weight: 0 }] } } }] });
    expect(p.score.slice(0, 2)).toEqual(["TaintToleration:1", "NodeAffinity:1"]);
  });

  it("disabling a multiPoint plugin at one point leaves it at the others", () => {
    const p = profileOf({ profiles: [{ plugins: { filter: { disabled: [{ name: "TaintToleration" }] } } }] });
    expect(p.filter).toEqual(DEFAULT_FILTER.filter((n) => n !== "TaintToleration"));
    expect(p.score[0]).toBe("TaintToleration:3");
  });

  it('"*" at a point keeps only the plugins enabled there, in their order', () => {
    const p = profileOf({ profiles: [{ plugins: { score: { disabled: [{ name: "*" }], enabled: [{ name: "ImageLocality", weight: 4 }, { name: "NodeResourcesFit" }] } } }] });
    expect(p.score).toEqual(["ImageLocality:4", "NodeResourcesFit:1"]);
    expect(profileOf({ profiles: [{ plugins: { preScore: { disabled: [{ name: "*" }] }, score: { disabled: [{ name: "*" }] } } }] })).toMatchObject({ preScore: [], score: [] });
  });

  it('"*" at multiPoint drops every default; the profile then needs its own queueSort and bind', () => {
    const doc = {
      profiles: [
        {
          plugins: {
            multiPoint: { disabled: [{ name: "*" }], enabled: [{ name: "PrioritySort" }, { name: "DefaultBinder" }, { name: "NodeResourcesFit", weight: 2 }] },
          },
        },
      ],
    };
    expect(profileOf(doc)).toEqual({ preFilter: ["NodeResourcesFit"], filter: ["NodeResourcesFit"], postFilter: [], preScore: ["NodeResourcesFit"], score: ["NodeResourcesFit:2"] });
    expect(problems(() => profileOf({ profiles: [{ plugins: { multiPoint: { disabled: [{ name: "*" }] } } }] }))).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.queueSort: profile "default-scheduler" has no queueSort plugin; it needs PrioritySort (was it disabled?)',
      'KubeSchedulerConfiguration: profiles[0].plugins.bind: profile "default-scheduler" has no bind plugin; it needs DefaultBinder (was it disabled?)',
    ]);
  });

  it("a custom plugin enabled at multiPoint runs at every point it implements, after the defaults", () => {
    const p = profileOf({ profiles: [{ plugins: { multiPoint: { enabled: [{ name: "Both", weight: 3 }] } } }] }, registryWithTestPlugins());
    expect(p.filter).toEqual([...DEFAULT_FILTER, "Both"]);
    expect(p.score).toEqual([...DEFAULT_SCORE, "Both:3"]);
    expect(p.preFilter).toEqual(DEFAULT_PRE_FILTER);
    // ... except where it is disabled.
    const q = profileOf({ profiles: [{ plugins: { multiPoint: { enabled: [{ name: "Both" }] }, filter: { disabled: [{ name: "Both" }] } } }] }, registryWithTestPlugins());
    expect(q.filter).toEqual(DEFAULT_FILTER);
    expect(q.score).toEqual([...DEFAULT_SCORE, "Both:1"]);
  });

  it("several profiles, each with its own plugins", () => {
    const c = buildSchedulerConfig([
      { ...API, profiles: [{ schedulerName: "default-scheduler" }, { schedulerName: "no-scoring", plugins: { preScore: { disabled: [{ name: "*" }] }, score: { disabled: [{ name: "*" }] } } }] },
    ]);
    expect(c.profiles.map((p) => p.schedulerName)).toEqual(["default-scheduler", "no-scoring"]);
    expect(c.profiles[1].score).toEqual([]);
    expect(c.profiles[1].filter.map((f) => f.name)).toEqual(DEFAULT_FILTER);
    expect(c.profiles[1].filter[0]).not.toBe(c.profiles[0].filter[0]);
  });

  it("accepts and skips the volume plugins; accepts typed args with kind and apiVersion", () => {
    const p = profileOf({
      profiles: [
        {
          plugins: { filter: { enabled: [{ name: "VolumeBinding" }] }, reserve: { enabled: [{ name: "VolumeBinding" }] } },
          pluginConfig: [
            { name: "VolumeBinding", args: { bindTimeoutSeconds: 600 } },
            { name: "NodeResourcesFit", args: { apiVersion: "kubescheduler.config.k8s.io/v1", kind: "NodeResourcesFitArgs", scoringStrategy: { type: "MostAllocated" } } },
          ],
        },
      ],
    });
    expect(p.filter).toEqual(DEFAULT_FILTER);
  });

  it("pluginConfig args reach the plugin", () => {
    const c = buildSchedulerConfig([{ ...API, profiles: [{ pluginConfig: [{ name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated" } } }] }] }]);
    const fit = c.profiles[0].filter.find((f) => f.name === "NodeResourcesFit") as unknown as { args: { scoringStrategy: { type: string } } };
    expect(fit.args.scoringStrategy.type).toBe("MostAllocated");
  });
});

/** A registry with two test plugins: "Both" (filter + score) and "FilterOnly". */
function registryWithTestPlugins(): Map<string, PluginFactory<never>> {
  const r = inTreeRegistry();
  const both: PluginFactory = { name: "Both", create: (): FilterPlugin & ScorePlugin => ({ name: "Both", filter: () => SUCCESS, score: () => 1 }) };
  const filterOnly: PluginFactory = { name: "FilterOnly", create: (): FilterPlugin => ({ name: "FilterOnly", filter: () => SUCCESS }) };
  const sorter: PluginFactory = { name: "MySort", create: (): Plugin & { less(): boolean } => ({ name: "MySort", less: () => true }) };
  for (const f of [both, filterOnly, sorter]) r.set(f.name, f as PluginFactory<never>);
  return r;
}

describe("validation (validation.go, and simk's own limits)", () => {
  const check = (doc: object, registry = inTreeRegistry()) => problems(() => buildSchedulerConfig([{ ...API, ...doc }], { registry }));

  it("score weights: 0..100, 0 or unset meaning 1", () => {
    // Without a source file, problems come in the order they are found: multiPoint first.
    expect(check({ profiles: [{ plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 101 }] }, multiPoint: { enabled: [{ name: "ImageLocality", weight: -1 }] } } }] })).toEqual([
      "KubeSchedulerConfiguration: profiles[0].plugins.multiPoint.enabled[0].weight: weight must be between 1 and 100 (0 or unset means 1), got -1",
      "KubeSchedulerConfiguration: profiles[0].plugins.score.enabled[0].weight: weight must be between 1 and 100 (0 or unset means 1), got 101",
    ]);
    expect(check({ profiles: [{ plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 1.5 }] } } }] })).toEqual([
      "KubeSchedulerConfiguration: profiles[0].plugins.score.enabled[0].weight: expected an integer, got number 1.5",
    ]);
  });

  it("unknown plugins, with a suggestion", () => {
    expect(check({ profiles: [{ plugins: { score: { enabled: [{ name: "NodeResourceFit" }] } } }] })[0]).toMatch(
      /^KubeSchedulerConfiguration: profiles\[0\]\.plugins\.score\.enabled\[0\]\.name: unknown plugin "NodeResourceFit" \(did you mean "NodeResourcesFit"\?\); in-tree plugins: SchedulingGates, PrioritySort, .*DefaultBinder \(custom plugins are loaded with spec.schedulerPlugins or --plugin\)$/,
    );
    expect(check({ profiles: [{ plugins: { filter: { disabled: [{ name: "Nope" }] } } }] })[0]).toMatch(/profiles\[0\]\.plugins\.filter\.disabled\[0\]\.name: unknown plugin "Nope"/);
  });

  it("a plugin at a point it does not implement, or twice at one point", () => {
    expect(check({ profiles: [{ plugins: { filter: { enabled: [{ name: "ImageLocality" }] } } }] })).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.filter.enabled[0].name: plugin "ImageLocality" does not extend filter (it implements preScore, score)',
    ]);
    expect(check({ profiles: [{ plugins: { filter: { enabled: [{ name: "FilterOnly" }, { name: "FilterOnly" }] } } }] }, registryWithTestPlugins())).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.filter.enabled[1].name: plugin "FilterOnly" is already enabled at filter',
    ]);
    expect(check({ profiles: [{ plugins: { multiPoint: { enabled: [{ name: "Both" }, { name: "Both" }] } } }] }, registryWithTestPlugins())).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.multiPoint.enabled[1].name: plugin "Both" is already enabled at multiPoint',
    ]);
  });

  it("queueSort takes only PrioritySort, bind only DefaultBinder; reserve, permit, preBind, postBind none", () => {
    expect(check({ profiles: [{ plugins: { queueSort: { enabled: [{ name: "MySort" }], disabled: [{ name: "*" }] } } }] }, registryWithTestPlugins())).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.queueSort.enabled[0].name: simk\'s scheduling queue keeps PrioritySort\'s order itself: only PrioritySort can be enabled at queueSort, not "MySort"',
    ]);
    expect(check({ profiles: [{ plugins: { bind: { enabled: [{ name: "FilterOnly" }] } } }] }, registryWithTestPlugins())).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.bind.enabled[0].name: plugin "FilterOnly" does not extend bind (it implements filter)',
    ]);
    expect(check({ profiles: [{ plugins: { permit: { enabled: [{ name: "FilterOnly" }] } } }] }, registryWithTestPlugins())).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.permit.enabled[0].name: simk does not run permit plugins (it models queueSort, preEnqueue, preFilter, filter, postFilter, preScore, score and bind); remove "FilterOnly" from here',
    ]);
  });

  it("profiles: names required when several, unique; percentages 0..100; queueSort the same for all", () => {
    expect(check({ profiles: [{ schedulerName: "a" }, {}, { schedulerName: "a", percentageOfNodesToScore: 101 }] })).toEqual([
      "KubeSchedulerConfiguration: profiles[1]: Required value: every profile needs a schedulerName when there are several",
      'KubeSchedulerConfiguration: profiles[2].schedulerName: Duplicate value: "a" is already the name of profiles[0]',
      "KubeSchedulerConfiguration: profiles[2].percentageOfNodesToScore: not in valid range [0-100], got 101 (0 means adaptive: 50% minus 1% per 125 nodes, at least 5%)",
    ]);
    expect(check({ profiles: [{ schedulerName: "a", plugins: { queueSort: { enabled: [{ name: "PrioritySort" }] } } }, { schedulerName: "b" }] })).toEqual([
      "KubeSchedulerConfiguration: profiles[1].plugins.queueSort: must be the same for all profiles (they share one scheduling queue), as in profiles[0]",
    ]);
  });

  it("global settings", () => {
    expect(check({ percentageOfNodesToScore: -1, podInitialBackoffSeconds: 0, parallelism: 0, extenders: [{ urlPrefix: "http://x" }] })).toEqual([
      "KubeSchedulerConfiguration: parallelism: should be an integer value greater than zero, got 0",
      "KubeSchedulerConfiguration: percentageOfNodesToScore: not in valid range [0-100], got -1 (0 means adaptive: 50% minus 1% per 125 nodes, at least 5%)",
      "KubeSchedulerConfiguration: podInitialBackoffSeconds: must be greater than 0, got 0",
      "KubeSchedulerConfiguration: extenders: scheduler extenders (HTTP webhooks) are not modelled by simk; write the logic as a plugin module instead (see policies/examples/)",
    ]);
    expect(check({ podInitialBackoffSeconds: 5, podMaxBackoffSeconds: 4 })).toEqual([
      "KubeSchedulerConfiguration: podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds (5), got 4",
    ]);
    expect(check({ podMaxBackoffSeconds: 0 })).toEqual([
      "KubeSchedulerConfiguration: podMaxBackoffSeconds: must be greater than or equal to podInitialBackoffSeconds (1), got 0",
    ]);
    expect(check({ profile: [] })).toEqual(['KubeSchedulerConfiguration: unknown field "profile" (did you mean "profiles"?)']);
    expect(problems(() => buildSchedulerConfig([{ ...API, apiVersion: "kubescheduler.config.k8s.io/v1beta3" }]))).toEqual([
      'KubeSchedulerConfiguration: apiVersion: apiVersion must be "kubescheduler.config.k8s.io/v1", got string "kubescheduler.config.k8s.io/v1beta3"',
    ]);
    expect(problems(() => buildSchedulerConfig([API, API]))).toEqual(["KubeSchedulerConfiguration: only one KubeSchedulerConfiguration may be given"]);
  });

  it("pluginConfig: args validated by the plugin's schema, with the full path", () => {
    const doc = {
      profiles: [
        {
          pluginConfig: [
            { name: "DefaultPreemption", args: { minCandidateNodesPercentage: 20 } },
            { name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated", resources: [{ name: "cpu", weight: 0 }, { name: "memory", weight: 101 }] } } },
            { name: "NodeResourcesFit" },
            { name: "EBSLimits" },
            { name: "TaintToleration", args: { x: 1 } },
            { name: "Nope" },
            { name: "NodeAffinity", args: { kind: "NodeResourcesFitArgs" } },
          ],
        },
      ],
    };
    expect(check(doc)).toEqual([
      "KubeSchedulerConfiguration: profiles[0].pluginConfig[1].args.scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]",
      'KubeSchedulerConfiguration: profiles[0].pluginConfig[2].name: Duplicate value: "NodeResourcesFit" is already configured at profiles[0].pluginConfig[1]',
      'KubeSchedulerConfiguration: profiles[0].pluginConfig[3].name: "EBSLimits" was removed before kubescheduler.config.k8s.io/v1 (invalid in this version)',
      "KubeSchedulerConfiguration: profiles[0].pluginConfig[4].args: plugin TaintToleration takes no args",
      expect.stringMatching(/^KubeSchedulerConfiguration: profiles\[0\]\.pluginConfig\[5\]\.name: unknown plugin "Nope"/),
      'KubeSchedulerConfiguration: profiles[0].pluginConfig[6].args.kind: must be "NodeAffinityArgs" for plugin NodeAffinity, got string "NodeResourcesFitArgs"',
    ]);
  });

  it("plugins removed before v1 are rejected at an extension point", () => {
    expect(check({ profiles: [{ plugins: { filter: { enabled: [{ name: "GCEPDLimits" }] } } }] })).toEqual([
      'KubeSchedulerConfiguration: profiles[0].plugins.filter.enabled[0].name: "GCEPDLimits" was removed before kubescheduler.config.k8s.io/v1 (invalid in this version)',
    ]);
  });
});

describe("file positions (the loader's schedulerConfigSources)", () => {
  const scenarioText = (config: string) => `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata:
  name: cfg
spec:
  duration: 1m
  nodePools:
    - name: worker
      count: 2
      template:
        allocatable: {cpu: "4", memory: 16Gi}
---
${config}`;

  it("problems carry file:line:column and the YAML path", async () => {
    const dir = tempDir();
    const file = join(dir, "x.yaml");
    writeFileSync(
      file,
      scenarioText(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    plugins:
      score:
        enabled:
          - name: NodeResourcesFit
            weight: 101
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources:
              - {name: cpu, weight: 300}
          extra: 1
`),
    );
    const scenario = loadScenario(file);
    expect(scenario.schedulerConfigs).toHaveLength(1);
    expect(scenario.schedulerConfigSources).toHaveLength(1);
    expect(await asyncProblems(() => resolveSchedulerConfig(scenario))).toEqual([
      `${file}:21:21: profiles[0].plugins.score.enabled[0].weight: weight must be between 1 and 100 (0 or unset means 1), got 101`,
      `${file}:28:37: profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: Invalid value: 300: resource weight of cpu not in valid range (0, 100]`,
      `${file}:29:11: profiles[0].pluginConfig[0].args: unknown field "extra"`,
    ]);
  });

  it("a second KubeSchedulerConfiguration is reported where it starts", async () => {
    const dir = tempDir();
    const file = join(dir, "two.yaml");
    writeFileSync(file, scenarioText(`apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n---\napiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n`));
    expect(await asyncProblems(() => resolveSchedulerConfig(loadScenario(file)))).toEqual([
      `${file}:16:1: only one KubeSchedulerConfiguration may be given (the first is at ${file}:13:1)`,
    ]);
  });
});

describe("resolveSchedulerConfig and plugin modules", () => {
  it("a scenario without configuration gets the default", async () => {
    const c = await resolveSchedulerConfig(codeScenario({}));
    expect(describeProfile(c.profiles[0]).score).toEqual(DEFAULT_SCORE);
  });

  it("loads a JS module's factories and enables them by name; the run uses them", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "plugins.mjs"),
      `export const factories = [{ name: "OnlyWorker1", create: () => ({ name: "OnlyWorker1", filter: (_s, _p, node) => node.name === "worker-1" ? { code: "Success", reasons: [] } : { code: "Unschedulable", reasons: ["not worker-1"] } }) }];\n`,
    );
    const file = join(dir, "s.yaml");
    writeFileSync(
      file,
      `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: custom}
spec:
  duration: 2m
  schedulerPlugins: [{module: plugins.mjs}]
  nodePools: [{name: worker, count: 3, template: {allocatable: {cpu: "4", memory: 16Gi}}}]
---
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      filter:
        enabled: [{name: OnlyWorker1}]
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
    expect(scenario.schedulerPlugins).toEqual([{ module: join(dir, "plugins.mjs"), given: "plugins.mjs", source: { file, line: 6, column: 31, path: "spec.schedulerPlugins[0].module" } }]);
    // runScenario refuses a scenario whose configuration was not resolved.
    expect(() => runScenario(scenario)).toThrow(/resolve it/);
    const config = await resolveSchedulerConfig(scenario);
    expect(describeProfile(config.profiles[0]).filter).toEqual([...DEFAULT_FILTER, "OnlyWorker1"]);
    const result = runScenario(scenario, { schedulerConfig: config });
    const scheduled = result.events.filter((e) => e.reason === "Scheduled");
    expect(scheduled).toHaveLength(3);
    expect(scheduled.every((e) => e.message.endsWith(" to worker-1"))).toBe(true);
  });

  it("the loader checks that the module exists, relative to the scenario file", () => {
    const dir = tempDir();
    const file = join(dir, "s.yaml");
    writeFileSync(
      file,
      `apiVersion: simk.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1m\n  schedulerPlugins:\n    - module: missing.ts\n    - module: notes.txt\n`,
    );
    expect(problems(() => loadScenario(file))).toEqual([
      `${file}:7:15: spec.schedulerPlugins[0].module: plugin module "missing.ts" not found (looked for ${join(dir, "missing.ts")}; paths are relative to the scenario file)`,
      `${file}:8:15: spec.schedulerPlugins[1].module: a plugin module is a .ts, .mts, .cts, .js, .mjs, .cjs file; got "notes.txt"`,
    ]);
  });

  it("bad modules: no factory, not a factory, a thrown error, a name clash", async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return commandLineModule(join(dir, name));
    };
    const none = write("none.mjs", "export const x = 1;\n");
    const bad = write("bad.mjs", "export const factories = [{ name: 'Ok', create: () => ({ name: 'Ok' }) }, { name: 3 }];\n");
    const throws = write("throws.mjs", "throw new Error('boom');\n");
    const clash = write("clash.mjs", "export const factory = { name: 'NodeResourcesFit', create: () => ({ name: 'NodeResourcesFit' }) };\n");
    const again = write("again.mjs", "export const factory = { name: 'Ok', create: () => ({ name: 'Ok' }) };\n");
    const ts = write("broken.ts", "export const factory: number = ;\n");
    const missing = commandLineModule(join(dir, "missing.mjs"));
    const msgs = await asyncProblems(() => loadPluginModules([none, bad, throws, clash, again, ts, missing], inTreeRegistry()));
    expect(msgs[0]).toBe(`${none.given}: a scheduler plugin module exports "factory" (one PluginFactory: {name, args?, create(args)}) or "factories" (an array of them); this one exports "x"`);
    expect(msgs[1]).toMatch(/bad\.mjs: factories\[1\] is not a PluginFactory .*; got a mapping$/);
    expect(msgs[2]).toBe(`${throws.given}: importing the plugin module failed: boom`);
    expect(msgs[3]).toBe(`${clash.given}: plugin name "NodeResourcesFit" is taken by an in-tree Kubernetes plugin; give the factory another name`);
    expect(msgs[4]).toBe(`${again.given}: plugin "Ok" is already defined by ${bad.given}`);
    expect(msgs[5]).toMatch(/broken\.ts: importing the plugin module failed: /);
    expect(msgs[6]).toBe(`${missing.given}: plugin module not found (looked for ${missing.module})`);
  });
});

describe("PrioritySort", () => {
  const pod = (priority?: number) => ({ spec: { priority } }) as unknown as Pod;
  it("higher priority first, then the earlier queue timestamp", () => {
    const ps = new PrioritySort();
    expect(ps.less({ pod: pod(10), timestamp: 5 }, { pod: pod(1), timestamp: 1 })).toBe(true);
    expect(ps.less({ pod: pod(), timestamp: 1 }, { pod: pod(0), timestamp: 2 })).toBe(true);
    expect(ps.less({ pod: pod(0), timestamp: 2 }, { pod: pod(), timestamp: 1 })).toBe(false);
  });
});
