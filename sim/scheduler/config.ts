/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) → SchedulerConfig.
 *
 * What upstream does, and simk does the same way:
 *  - Defaults (pkg/scheduler/apis/config/v1/defaults.go): no profiles → one; a single profile
 *    without schedulerName is "default-scheduler"; percentageOfNodesToScore 0 (adaptive),
 *    podInitialBackoffSeconds 1, podMaxBackoffSeconds 10, parallelism 16.
 *  - The default plugins (v1/default_plugins.go getDefaultPlugins) are all enabled at multiPoint,
 *    in DEFAULT_PLUGINS' order, with the score weights given there.
 *  - The user's plugin sets are merged into the defaults point by point (default_plugins.go
 *    mergePluginSet): disabled names (or "*") drop default plugins; an enabled plugin that is also a
 *    default one takes the default's place (with the user's weight); other enabled plugins are
 *    appended in the order written.
 *  - Expansion (framework/runtime/framework.go NewFramework, expandMultiPointPlugins): a plugin
 *    enabled at multiPoint runs at every extension point it implements, except points where it, or
 *    "*", is disabled. At each point the order is: plugins enabled at that point which are also
 *    multiPoint plugins (the explicit setting wins), then the other multiPoint plugins, then the
 *    rest of the point's own plugins. A plugin named at a point it does not implement, or twice at
 *    one point, is an error.
 *  - Score weights (framework.go getScoreWeights): the weight written at `score` wins over the one
 *    written at multiPoint; an unset or 0 weight means 1.
 *  - pluginConfig args are defaulted and validated by the plugin's own args schema
 *    (validation/validation_pluginargs.go, implemented by each plugin's factory); a plugin without
 *    pluginConfig gets its default args.
 *  - Validation (validation/validation.go): percentages in 0..100, podInitialBackoffSeconds > 0,
 *    podMaxBackoffSeconds ≥ podInitialBackoffSeconds, parallelism > 0, unique non-empty scheduler
 *    names, one pluginConfig per plugin, the same queueSort for all profiles, plugins removed
 *    before v1 rejected.
 *
 * simk's own rules (README "Deliberate simplifications"): a score weight must be 0..100 (upstream
 * only guards against int64 overflow); queueSort accepts only PrioritySort and bind only
 * DefaultBinder, because simk's queue and binder are built in; reserve, permit, preBind and
 * postBind plugins cannot be enabled (simk does not run those points); extenders are rejected;
 * the volume plugins and DynamicResources are accepted and skipped (registry.ts NOT_MODELLED).
 */
import { z } from "zod";
import {
  IN_TREE_PLUGIN_NAMES,
  INVALID_IN_V1,
  inTreeRegistry,
  isBind,
  isPreEnqueue,
  isQueueSort,
  NOT_MODELLED,
} from "../../policies/scheduler/registry.js";
import { describeValue, formatPath, InputError, parseWith, type InputProblem, type Issue, type PathSegment } from "../scenario/errors.js";
import { suggestion } from "../scenario/suggest.js";
import type { DocumentLocator, PluginModuleRef, Scenario } from "../scenario/types.js";
import {
  isFilter,
  isPostFilter,
  isPreFilter,
  isPreScore,
  isScore,
  type FilterPlugin,
  type Plugin,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from "./framework.js";
import { loadPluginModules } from "./pluginModules.js";
import type { PluginFactory, Registry } from "./registry.js";
import { DEFAULT_SCHEDULER_NAME, type Profile, type SchedulerConfig } from "./scheduler.js";

export const SCHEDULER_CONFIG_API_VERSION = "kubescheduler.config.k8s.io/v1";
export const SCHEDULER_CONFIG_KIND = "KubeSchedulerConfiguration";

/** The extension points a profile's `plugins` may name (besides multiPoint). */
export const EXTENSION_POINTS = [
  "preEnqueue",
  "queueSort",
  "preFilter",
  "filter",
  "postFilter",
  "preScore",
  "score",
  "reserve",
  "permit",
  "preBind",
  "bind",
  "postBind",
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

/** Points simk never runs: naming a plugin there explicitly is an error. */
const UNMODELLED_POINTS: ReadonlySet<ExtensionPoint> = new Set(["reserve", "permit", "preBind", "postBind"]);

export interface DefaultPlugin {
  readonly name: string;
  readonly weight?: number;
}

/**
 * getDefaultPlugins (pkg/scheduler/apis/config/v1/default_plugins.go): every default plugin is
 * enabled at multiPoint, in this order; weights are those of the score plugins. The volume plugins
 * are in upstream's list and skipped by simk (NOT_MODELLED).
 */
export const DEFAULT_PLUGINS: readonly DefaultPlugin[] = Object.freeze([
  { name: "SchedulingGates" },
  { name: "PrioritySort" },
  { name: "NodeUnschedulable" },
  { name: "NodeName" },
  { name: "TaintToleration", weight: 3 },
  { name: "NodeAffinity", weight: 2 },
  { name: "NodePorts" },
  { name: "NodeResourcesFit", weight: 1 },
  { name: "VolumeRestrictions" },
  { name: "EBSLimits" },
  { name: "GCEPDLimits" },
  { name: "NodeVolumeLimits" },
  { name: "AzureDiskLimits" },
  { name: "VolumeBinding" },
  { name: "VolumeZone" },
  { name: "PodTopologySpread", weight: 2 },
  { name: "InterPodAffinity", weight: 2 },
  { name: "DefaultPreemption" },
  { name: "NodeResourcesBalancedAllocation", weight: 1 },
  { name: "ImageLocality", weight: 1 },
  { name: "DefaultBinder" },
]);

/** defaults.go SetDefaults_KubeSchedulerConfiguration. */
export const DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0;
export const DEFAULT_POD_INITIAL_BACKOFF_SECONDS = 1;
export const DEFAULT_POD_MAX_BACKOFF_SECONDS = 10;
/** simk's limit on a score weight (upstream only checks that the total cannot overflow int64). */
export const MAX_WEIGHT = 100;

// ---------------------------------------------------------------------------------------------
// Schema of the document as written (staging/src/k8s.io/kube-scheduler/config/v1/types.go)

const pluginRef = z.strictObject({ name: z.string().min(1), weight: z.int().nullish() });
const pluginSet = z.strictObject({ enabled: z.array(pluginRef).nullish(), disabled: z.array(pluginRef).nullish() });
const plugins = z.strictObject({
  preEnqueue: pluginSet.nullish(),
  queueSort: pluginSet.nullish(),
  preFilter: pluginSet.nullish(),
  filter: pluginSet.nullish(),
  postFilter: pluginSet.nullish(),
  preScore: pluginSet.nullish(),
  score: pluginSet.nullish(),
  reserve: pluginSet.nullish(),
  permit: pluginSet.nullish(),
  preBind: pluginSet.nullish(),
  bind: pluginSet.nullish(),
  postBind: pluginSet.nullish(),
  multiPoint: pluginSet.nullish(),
});
const pluginConfig = z.strictObject({ name: z.string().min(1), args: z.unknown().optional() });
const profile = z.strictObject({
  schedulerName: z.string().nullish(),
  percentageOfNodesToScore: z.int().nullish(),
  plugins: plugins.nullish(),
  pluginConfig: z.array(pluginConfig).nullish(),
});
/** Component settings simk has no use for: accepted (any mapping) and ignored. */
const ignoredMapping = z.record(z.string(), z.unknown()).nullish();

export const kubeSchedulerConfigurationSchema = z.strictObject({
  apiVersion: z.literal(SCHEDULER_CONFIG_API_VERSION),
  kind: z.literal(SCHEDULER_CONFIG_KIND),
  parallelism: z.int().nullish(),
  leaderElection: ignoredMapping,
  clientConnection: ignoredMapping,
  enableProfiling: z.boolean().nullish(),
  enableContentionProfiling: z.boolean().nullish(),
  podLogsDir: z.string().nullish(),
  percentageOfNodesToScore: z.int().nullish(),
  podInitialBackoffSeconds: z.int().nullish(),
  podMaxBackoffSeconds: z.int().nullish(),
  profiles: z.array(profile).nullish(),
  extenders: z.array(z.unknown()).nullish(),
  delayCacheUntilActive: z.boolean().nullish(),
});

type ConfigInput = z.output<typeof kubeSchedulerConfigurationSchema>;
type ProfileInput = z.output<typeof profile>;
type PluginSetInput = z.output<typeof pluginSet>;

// ---------------------------------------------------------------------------------------------
// Public API

export interface BuildOptions {
  /** Plugin factories by name; defaults to the in-tree registry. */
  registry?: Registry;
  /** Where each raw document was written (same order as `raw`), for file:line:column. */
  sources?: readonly (DocumentLocator | undefined)[];
  /** Shorthand for `sources: [source]`. */
  source?: DocumentLocator;
}

/**
 * Builds the scheduler configuration from the raw KubeSchedulerConfiguration documents (at most
 * one); none gives the upstream default. Throws InputError listing every problem found.
 */
export function buildSchedulerConfig(raw: readonly unknown[], options: BuildOptions = {}): SchedulerConfig {
  const registry = options.registry ?? inTreeRegistry();
  const sources = options.sources ?? (options.source ? [options.source] : []);
  const problems = new Problems();
  if (raw.length > 1) {
    const first = sources[0]?.locate([]);
    const where = first && sources[0] ? ` (the first is at ${sources[0].file}:${first.line}:${first.column})` : "";
    for (let i = 1; i < raw.length; i++) {
      problems.add(sources[i], { path: [], message: `only one KubeSchedulerConfiguration may be given${where}` });
    }
    problems.throwIfAny();
  }
  const config = raw.length === 0 ? defaultDocument() : parseDocument(raw[0], sources[0], problems);
  problems.throwIfAny();
  const built = new Builder(registry, problems, sources[0]).build(config!);
  problems.throwIfAny();
  return built;
}

/** The upstream default configuration: one "default-scheduler" profile with the default plugins. */
export function defaultSchedulerConfig(registry: Registry = inTreeRegistry()): SchedulerConfig {
  return buildSchedulerConfig([], { registry });
}

export interface ResolveOptions {
  /** More plugin modules (the CLI's --plugin flags), after the scenario's own. */
  pluginModules?: readonly PluginModuleRef[];
  /** Configuration documents that replace the scenario's (--scheduler-config). */
  override?: { configs: readonly unknown[]; sources?: readonly (DocumentLocator | undefined)[] };
}

/**
 * The scheduler configuration a scenario runs with: its plugin modules (spec.schedulerPlugins, then
 * `pluginModules`) are imported and registered next to the in-tree plugins, and its
 * KubeSchedulerConfiguration (or `override`) is built; the default configuration when there is
 * none. Throws InputError.
 */
export async function resolveSchedulerConfig(scenario: Pick<Scenario, "schedulerConfigs" | "schedulerConfigSources" | "schedulerPlugins">, options: ResolveOptions = {}): Promise<SchedulerConfig> {
  const registry = await registryWith([...(scenario.schedulerPlugins ?? []), ...(options.pluginModules ?? [])]);
  const configs = options.override ?? { configs: scenario.schedulerConfigs, sources: scenario.schedulerConfigSources };
  return buildSchedulerConfig(configs.configs, { registry, sources: configs.sources });
}

/** The in-tree registry plus the plugins of these modules. Throws InputError. */
export async function registryWith(modules: readonly PluginModuleRef[]): Promise<Registry> {
  const base = inTreeRegistry();
  return modules.length === 0 ? base : loadPluginModules(modules, base);
}

// ---------------------------------------------------------------------------------------------
// Problems

class Problems {
  private readonly list: InputProblem[] = [];
  private readonly seen = new Set<string>();

  add(source: DocumentLocator | undefined, issue: Issue): void {
    const problem = toProblem(issue, source);
    const key = JSON.stringify(problem);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(problem);
  }

  get count(): number {
    return this.list.length;
  }

  throwIfAny(): void {
    if (this.list.length > 0) {
      const sorted = [...this.list].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
      throw new InputError(sorted);
    }
  }
}

/** The file name used when a document has no known source (built in code). */
const NO_SOURCE = "KubeSchedulerConfiguration";

function toProblem(issue: Issue, source: DocumentLocator | undefined): InputProblem {
  const shown = issue.target ? issue.path.slice(0, -1) : issue.path;
  const where = source ? { file: source.file, ...source.locate(issue.target === "parent" ? shown : issue.path, issue.target === "key") } : { file: NO_SOURCE };
  const text = formatPath(shown);
  return text ? { ...where, path: text, message: issue.message } : { ...where, message: issue.message };
}

function parseDocument(raw: unknown, source: DocumentLocator | undefined, problems: Problems): ConfigInput | undefined {
  const parsed = parseWith(kubeSchedulerConfigurationSchema, raw);
  if (!parsed.ok) {
    for (const issue of parsed.issues) problems.add(source, issue);
    return undefined;
  }
  return parsed.value;
}

function defaultDocument(): ConfigInput {
  return { apiVersion: SCHEDULER_CONFIG_API_VERSION, kind: SCHEDULER_CONFIG_KIND };
}

// ---------------------------------------------------------------------------------------------
// Building

/** A plugin named in a plugin set, and where (absent for the defaults). */
interface Entry {
  name: string;
  weight?: number;
  path?: PathSegment[];
}

interface MergedSet {
  enabled: Entry[];
  disabled: Set<string>;
}

type SetName = ExtensionPoint | "multiPoint";

/**
 * mergePluginSet (default_plugins.go): the defaults minus the disabled ones (none with "*"), a
 * default that the user enables again replaced in place by the user's entry; then the user's
 * other entries, in order (a name enabled twice stays twice, and is reported when expanded).
 */
export function mergePluginSet<E extends { name: string }>(defaults: readonly E[], enabled: readonly E[], disabled: readonly string[]): { enabled: E[]; disabled: Set<string> } {
  const off = new Set(disabled);
  const custom = new Map<string, number>();
  enabled.forEach((e, i) => custom.set(e.name, i));
  const replaced = new Set<number>();
  const out: E[] = [];
  if (!off.has("*")) {
    for (const d of defaults) {
      if (off.has(d.name)) continue;
      const i = custom.get(d.name);
      if (i === undefined) out.push(d);
      else {
        out.push(enabled[i]);
        replaced.add(i);
      }
    }
  }
  enabled.forEach((e, i) => {
    if (!replaced.has(i)) out.push(e);
  });
  return { enabled: out, disabled: off };
}

function implementsPoint(p: Plugin, point: ExtensionPoint): boolean {
  switch (point) {
    case "preEnqueue":
      return isPreEnqueue(p);
    case "queueSort":
      return isQueueSort(p);
    case "preFilter":
      return isPreFilter(p);
    case "filter":
      return isFilter(p);
    case "postFilter":
      return isPostFilter(p);
    case "preScore":
      return isPreScore(p);
    case "score":
      return isScore(p);
    case "bind":
      return isBind(p);
    default:
      return typeof (p as unknown as Record<string, unknown>)[point] === "function";
  }
}

/** The points a plugin implements, for messages. */
export function pluginPoints(p: Plugin): ExtensionPoint[] {
  return EXTENSION_POINTS.filter((point) => implementsPoint(p, point));
}

class Builder {
  private readonly customNames: string[];

  constructor(
    private readonly registry: Registry,
    private readonly problems: Problems,
    private readonly source: DocumentLocator | undefined,
  ) {
    this.customNames = [...registry.keys()].filter((n) => !IN_TREE_PLUGIN_NAMES.includes(n));
  }

  private report(path: PathSegment[], message: string, target?: Issue["target"]): void {
    this.problems.add(this.source, target ? { path, message, target } : { path, message });
  }

  build(doc: ConfigInput): SchedulerConfig {
    const range = (value: number | null | undefined, path: PathSegment[]): void => {
      if (value !== undefined && value !== null && (value < 0 || value > 100)) {
        this.report(path, `not in valid range [0-100], got ${value} (0 means adaptive: 50% minus 1% per 125 nodes, at least 5%)`);
      }
    };
    if (doc.parallelism !== undefined && doc.parallelism !== null && doc.parallelism <= 0) {
      this.report(["parallelism"], `should be an integer value greater than zero, got ${doc.parallelism}`);
    }
    range(doc.percentageOfNodesToScore, ["percentageOfNodesToScore"]);
    const initial = doc.podInitialBackoffSeconds ?? DEFAULT_POD_INITIAL_BACKOFF_SECONDS;
    const max = doc.podMaxBackoffSeconds ?? DEFAULT_POD_MAX_BACKOFF_SECONDS;
    if (initial <= 0) this.report(["podInitialBackoffSeconds"], `must be greater than 0, got ${initial}`);
    if (max < initial) this.report(["podMaxBackoffSeconds"], `must be greater than or equal to podInitialBackoffSeconds (${initial}), got ${max}`);
    if (doc.extenders && doc.extenders.length > 0) {
      this.report(["extenders"], "scheduler extenders (HTTP webhooks) are not modelled by simk; write the logic as a plugin module instead (see policies/examples/)");
    }

    const inputs: ProfileInput[] = doc.profiles && doc.profiles.length > 0 ? doc.profiles : [{}];
    const names = new Map<string, number>();
    const profiles: Profile[] = [];
    inputs.forEach((p, i) => {
      const base: PathSegment[] = ["profiles", i];
      let name = p.schedulerName ?? "";
      if (name === "" && inputs.length === 1) name = DEFAULT_SCHEDULER_NAME;
      if (name === "") {
        this.report([...base, "schedulerName"], "Required value: every profile needs a schedulerName when there are several", "parent");
      } else if (names.has(name)) {
        this.report([...base, "schedulerName"], `Duplicate value: ${JSON.stringify(name)} is already the name of profiles[${names.get(name)}]`);
      } else {
        names.set(name, i);
      }
      range(p.percentageOfNodesToScore, [...base, "percentageOfNodesToScore"]);
      const built = this.buildProfile(p, base, name);
      if (built) profiles.push(built);
    });
    this.checkCommonQueueSort(inputs);

    return {
      profiles,
      percentageOfNodesToScore: doc.percentageOfNodesToScore ?? DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE,
      podInitialBackoffSeconds: initial,
      podMaxBackoffSeconds: max,
    };
  }

  /** validation.go validateCommonQueueSort: one scheduling queue serves every profile. */
  private checkCommonQueueSort(inputs: ProfileInput[]): void {
    const canon = (p: ProfileInput): string => {
      const set = p.plugins?.queueSort;
      return JSON.stringify({ enabled: (set?.enabled ?? []).map((e) => e.name), disabled: (set?.disabled ?? []).map((e) => e.name) });
    };
    for (let i = 1; i < inputs.length; i++) {
      if (canon(inputs[i]) !== canon(inputs[0])) {
        this.report(["profiles", i, "plugins", "queueSort"], "must be the same for all profiles (they share one scheduling queue), as in profiles[0]");
      }
    }
  }

  private knownName(name: string): boolean {
    return this.registry.has(name) || NOT_MODELLED.has(name);
  }

  private unknownPlugin(name: string): string {
    const known = [...this.registry.keys()];
    const custom = this.customNames.length > 0 ? `; custom: ${this.customNames.join(", ")}` : "";
    return (
      `unknown plugin ${JSON.stringify(name)}${suggestion(name, [...known, ...NOT_MODELLED])}; in-tree plugins: ${IN_TREE_PLUGIN_NAMES.join(", ")}${custom}` +
      " (custom plugins are loaded with spec.schedulerPlugins or --plugin)"
    );
  }

  /** The user's entries of one plugin set, checked (names, weights). */
  private readSet(set: PluginSetInput | null | undefined, path: PathSegment[], setName: SetName): { enabled: Entry[]; disabled: string[] } {
    const enabled: Entry[] = [];
    (set?.enabled ?? []).forEach((e, j) => {
      const at = [...path, "enabled", j];
      if (!this.knownName(e.name)) this.report([...at, "name"], this.unknownPlugin(e.name));
      else if (setName !== "multiPoint" && INVALID_IN_V1.has(e.name)) {
        this.report([...at, "name"], `${JSON.stringify(e.name)} was removed before ${SCHEDULER_CONFIG_API_VERSION} (invalid in this version)`);
      }
      const w = e.weight ?? undefined;
      if (w !== undefined && (w < 0 || w > MAX_WEIGHT)) {
        this.report([...at, "weight"], `weight must be between 1 and ${MAX_WEIGHT} (0 or unset means 1), got ${w}`);
      }
      enabled.push({ name: e.name, ...(w !== undefined ? { weight: w } : {}), path: at });
    });
    const disabled: string[] = [];
    (set?.disabled ?? []).forEach((e, j) => {
      if (e.name !== "*" && !this.knownName(e.name)) this.report([...path, "disabled", j, "name"], this.unknownPlugin(e.name));
      disabled.push(e.name);
    });
    return { enabled, disabled };
  }

  private buildProfile(p: ProfileInput, base: PathSegment[], schedulerName: string): Profile | undefined {
    const before = this.problems.count;
    const pluginsPath = [...base, "plugins"];
    const merged = {} as Record<SetName, MergedSet>;
    const user = this.readSet(p.plugins?.multiPoint, [...pluginsPath, "multiPoint"], "multiPoint");
    const defaults: Entry[] = DEFAULT_PLUGINS.map((d) => ({ ...d }));
    merged.multiPoint = mergePluginSet(defaults, user.enabled, user.disabled);
    for (const point of EXTENSION_POINTS) {
      const set = this.readSet(p.plugins?.[point], [...pluginsPath, point], point);
      merged[point] = mergePluginSet<Entry>([], set.enabled, set.disabled);
    }
    const args = this.pluginArgs(p.pluginConfig ?? [], [...base, "pluginConfig"]);

    // Instantiate every plugin named anywhere (framework.go pluginsNeeded), once per profile.
    const instances = new Map<string, Plugin>();
    for (const setName of ["multiPoint", ...EXTENSION_POINTS] as SetName[]) {
      for (const e of merged[setName].enabled) {
        if (instances.has(e.name) || NOT_MODELLED.has(e.name)) continue;
        const factory = this.registry.get(e.name);
        if (!factory) continue; // reported by readSet
        const plugin = this.instantiate(factory, args.get(e.name), e.path ?? base);
        if (plugin) instances.set(e.name, plugin);
      }
    }
    if (this.problems.count > before) return undefined;

    const lists = {} as Record<ExtensionPoint, Entry[]>;
    for (const point of EXTENSION_POINTS) lists[point] = this.expand(point, merged, instances, pluginsPath);

    // getScoreWeights: the `score` entry first, then the multiPoint one; unset or 0 means 1.
    const weights = new Map<string, number>();
    for (const e of [...merged.score.enabled, ...merged.multiPoint.enabled]) {
      if (!weights.has(e.name)) weights.set(e.name, e.weight ? e.weight : 1);
    }

    this.checkSingleton(lists.queueSort, "queueSort", "PrioritySort", pluginsPath, schedulerName, "simk's scheduling queue keeps PrioritySort's order itself");
    this.checkSingleton(lists.bind, "bind", "DefaultBinder", pluginsPath, schedulerName, "simk's scheduler binds pods itself");
    if (this.problems.count > before) return undefined;

    const get = <T extends Plugin>(e: Entry): T => instances.get(e.name) as T;
    const profile: Profile = {
      schedulerName,
      preFilter: lists.preFilter.map((e) => get<PreFilterPlugin>(e)),
      filter: lists.filter.map((e) => get<FilterPlugin>(e)),
      preScore: lists.preScore.map((e) => get<PreScorePlugin>(e)),
      score: lists.score.map((e) => ({ plugin: get<ScorePlugin>(e), weight: weights.get(e.name) ?? 1 })),
      postFilter: lists.postFilter.map((e) => get<PostFilterPlugin>(e)),
    };
    if (p.percentageOfNodesToScore !== undefined && p.percentageOfNodesToScore !== null) profile.percentageOfNodesToScore = p.percentageOfNodesToScore;
    return profile;
  }

  /**
   * One extension point's plugins (framework.go updatePluginList + expandMultiPointPlugins): the
   * point's own plugins, checked, then the multiPoint plugins that implement it, in upstream order.
   */
  private expand(point: ExtensionPoint, merged: Record<SetName, MergedSet>, instances: Map<string, Plugin>, pluginsPath: PathSegment[]): Entry[] {
    const own: Entry[] = [];
    const ownNames = new Set<string>();
    for (const e of merged[point].enabled) {
      const plugin = instances.get(e.name);
      if (!plugin) continue; // not modelled, or reported
      const at = e.path ? [...e.path, "name"] : [...pluginsPath, point];
      if (UNMODELLED_POINTS.has(point)) {
        this.report(at, `simk does not run ${point} plugins (it models queueSort, preEnqueue, preFilter, filter, postFilter, preScore, score and bind); remove ${JSON.stringify(e.name)} from here`);
        continue;
      }
      if (!implementsPoint(plugin, point)) {
        const has = pluginPoints(plugin);
        this.report(at, `plugin ${JSON.stringify(e.name)} does not extend ${point} (it implements ${has.length > 0 ? has.join(", ") : "no extension point"})`);
        continue;
      }
      if (ownNames.has(e.name)) {
        this.report(at, `plugin ${JSON.stringify(e.name)} is already enabled at ${point}`);
        continue;
      }
      ownNames.add(e.name);
      own.push(e);
    }
    const disabled = merged[point].disabled;
    if (disabled.has("*")) return own;
    const overrides = new Set<string>();
    const fromMultiPoint: Entry[] = [];
    const mpNames = new Set<string>();
    for (const e of merged.multiPoint.enabled) {
      const plugin = instances.get(e.name);
      if (!plugin || !implementsPoint(plugin, point) || disabled.has(e.name)) continue;
      if (ownNames.has(e.name)) {
        overrides.add(e.name);
        continue;
      }
      if (mpNames.has(e.name)) {
        this.report(e.path ? [...e.path, "name"] : [...pluginsPath, "multiPoint"], `plugin ${JSON.stringify(e.name)} is already enabled at multiPoint`);
        continue;
      }
      mpNames.add(e.name);
      fromMultiPoint.push(e);
    }
    return [...own.filter((e) => overrides.has(e.name)), ...fromMultiPoint, ...own.filter((e) => !overrides.has(e.name))];
  }

  /** queueSort and bind: exactly simk's built-in plugin. */
  private checkSingleton(list: Entry[], point: ExtensionPoint, only: string, pluginsPath: PathSegment[], schedulerName: string, why: string): void {
    if (list.length === 0) {
      this.report([...pluginsPath, point], `profile ${JSON.stringify(schedulerName)} has no ${point} plugin; it needs ${only} (was it disabled?)`);
      return;
    }
    for (const e of list) {
      if (e.name !== only) {
        this.report(e.path ? [...e.path, "name"] : [...pluginsPath, point], `${why}: only ${only} can be enabled at ${point}, not ${JSON.stringify(e.name)}`);
      }
    }
    if (list.length > 1 && list.every((e) => e.name === only)) this.report([...pluginsPath, point], `${only} is enabled twice at ${point}`);
  }

  private instantiate(factory: PluginFactory<never>, args: ParsedArgs | undefined, usedAt: PathSegment[]): Plugin | undefined {
    let value: unknown = args?.value;
    if (!args && factory.args) {
      const parsed = parseWith(factory.args as z.ZodType<unknown>, {});
      if (!parsed.ok) {
        const why = parsed.issues.map((i) => (i.path.length > 0 ? `${formatPath(i.path)}: ${i.message}` : i.message)).join("; ");
        this.report(usedAt, `plugin ${JSON.stringify(factory.name)} needs args in pluginConfig: ${why}`);
        return undefined;
      }
      value = parsed.value;
    }
    let plugin: Plugin;
    try {
      plugin = (factory.create as (a: unknown) => Plugin)(value);
    } catch (e) {
      this.report(args?.path ?? usedAt, `creating plugin ${JSON.stringify(factory.name)} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (!plugin || typeof plugin !== "object" || plugin.name !== factory.name) {
      const got = plugin && typeof plugin === "object" ? `one named ${JSON.stringify(plugin.name)}` : describeValue(plugin);
      this.report(usedAt, `the factory of ${JSON.stringify(factory.name)} must create a plugin whose name is ${JSON.stringify(factory.name)}; it created ${got}`);
      return undefined;
    }
    return plugin;
  }

  /** pluginConfig: each plugin's args, defaulted and validated by its factory's schema. */
  private pluginArgs(list: NonNullable<ProfileInput["pluginConfig"]>, path: PathSegment[]): Map<string, ParsedArgs> {
    const out = new Map<string, ParsedArgs>();
    const first = new Map<string, number>();
    list.forEach((pc, j) => {
      const at = [...path, j];
      const name = pc.name;
      if (first.has(name)) {
        this.report([...at, "name"], `Duplicate value: ${JSON.stringify(name)} is already configured at ${formatPath([...path, first.get(name)!])}`);
        return;
      }
      first.set(name, j);
      if (INVALID_IN_V1.has(name)) {
        this.report([...at, "name"], `${JSON.stringify(name)} was removed before ${SCHEDULER_CONFIG_API_VERSION} (invalid in this version)`);
        return;
      }
      if (NOT_MODELLED.has(name)) return;
      const factory = this.registry.get(name);
      if (!factory) {
        this.report([...at, "name"], this.unknownPlugin(name));
        return;
      }
      const argsPath = [...at, "args"];
      let raw: unknown = pc.args ?? undefined;
      if (isMapping(raw) && (raw.kind !== undefined || raw.apiVersion !== undefined)) {
        // Upstream args are typed objects: `kind: <Name>Args`, `apiVersion: kubescheduler.config.k8s.io/v1`.
        const { kind, apiVersion, ...rest } = raw;
        if (kind !== undefined && kind !== `${name}Args`) this.report([...argsPath, "kind"], `must be ${JSON.stringify(`${name}Args`)} for plugin ${name}, got ${describeValue(kind)}`);
        if (apiVersion !== undefined && apiVersion !== SCHEDULER_CONFIG_API_VERSION) {
          this.report([...argsPath, "apiVersion"], `must be ${JSON.stringify(SCHEDULER_CONFIG_API_VERSION)}, got ${describeValue(apiVersion)}`);
        }
        raw = rest;
      }
      if (factory.args) {
        const parsed = parseWith(factory.args as z.ZodType<unknown>, raw ?? {}, argsPath);
        if (!parsed.ok) {
          for (const issue of parsed.issues) this.problems.add(this.source, issue);
          return;
        }
        out.set(name, { value: parsed.value, path: argsPath });
        return;
      }
      const empty = raw === undefined || raw === null || (isMapping(raw) && Object.keys(raw).length === 0);
      if (!empty && IN_TREE_PLUGIN_NAMES.includes(name)) {
        this.report(argsPath, `plugin ${name} takes no args`);
        return;
      }
      out.set(name, { value: empty ? undefined : raw, path: argsPath });
    });
    return out;
  }
}

interface ParsedArgs {
  value: unknown;
  path: PathSegment[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "TaintToleration(3) NodeAffinity(2) ...": a profile's score plugins and weights, for messages and tests. */
export function describeProfile(p: Profile): Record<"preFilter" | "filter" | "postFilter" | "preScore" | "score", string[]> {
  return {
    preFilter: p.preFilter.map((x) => x.name),
    filter: p.filter.map((x) => x.name),
    postFilter: (p.postFilter ?? []).map((x) => x.name),
    preScore: p.preScore.map((x) => x.name),
    score: p.score.map((s) => `${s.plugin.name}:${s.weight}`),
  };
}
