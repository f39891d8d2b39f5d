/**
 * Loads scenario files and manifest files into the normalised form the simulation runs on, or
 * reports every problem found (InputError), each with file:line:column and YAML path.
 *
 * Checking happens in two phases. Phase 1 validates every document on its own (YAML syntax, the
 * Scenario schema, each Kubernetes manifest) and collects all problems across files. Phase 2 checks
 * cross-references (timeline nodes and targets, pools, PriorityClass names, node-name clashes); it runs
 * only when phase 1 found nothing, because a document that failed to load would make a correct
 * reference to it look wrong.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";
import { NAMESPACED_KINDS, type Kind } from "../api/objects.js";
import { formatDuration } from "../units/duration.js";
import { parseCpuMillis } from "../units/quantity.js";
import { DEFAULT_COMPONENTS, TRAFFIC_DEFAULTS } from "./defaults.js";
import { formatPath, InputError, parseWith, type InputProblem, type Issue, type PathSegment } from "./errors.js";
import { MANIFEST_KINDS, parseManifestDocument, podSpecsOf, withPods } from "./manifests.js";
import { scenarioDocument, type ScenarioDocument, type TimelineEntry, type TrafficEntry } from "./schema.js";
import { readTimeColumn } from "../traffic/csv.js";
import { BALANCER_MODULE_EXTENSIONS, knownBalancerNames } from "../traffic/balancers.js";
import { suggestion } from "./suggest.js";
import type {
  ComponentSettings,
  DocumentLocator,
  Expectation,
  ExpectStat,
  Manifest,
  NodePool,
  PluginModuleRef,
  Scenario,
  SourceLocation,
  TimelineAction,
  TrafficSpec,
  ServiceTimeSpec,
  ArrivalSpec,
} from "./types.js";

/** More than this many problems are summarised in one line: the first ones are what matter. */
const MAX_PROBLEMS = 20;

// ---------------------------------------------------------------------------------------------
// Public API

/** Loads a scenario file and everything it includes. Throws InputError listing every problem found. */
export function loadScenario(file: string): Scenario {
  const problems = new Problems();
  const source = readSource(file, problems);
  const scenario = source ? analyseScenario(source, problems) : undefined;
  if (problems.list.length > 0 || !scenario) throw new InputError(problems.sorted());
  return scenario;
}

/**
 * Like loadScenario, for a scenario file's text already in memory (e.g. after `--set` overrides):
 * problems name `file`, and included files are found relative to it. Throws InputError.
 */
export function loadScenarioFromText(text: string, file: string): Scenario {
  const problems = new Problems();
  problems.noteFile(file);
  const scenario = analyseScenario(parseSource(file, text, problems), problems);
  if (problems.list.length > 0 || !scenario) throw new InputError(problems.sorted());
  return scenario;
}

/**
 * Loads plain Kubernetes manifest files (no Scenario document), e.g. for `simk explain`.
 * KubeSchedulerConfiguration documents are returned raw, separately, with where each was written
 * (`schedulerConfigSources`, same order). Throws InputError.
 */
export function loadManifestFiles(files: string[]): { manifests: Manifest[]; schedulerConfigs: unknown[]; schedulerConfigSources: DocumentLocator[] } {
  const problems = new Problems();
  const sources = files.map((f) => readSource(f, problems)).filter((s): s is SourceFile => s !== undefined);
  const { placed, schedulerConfigs, schedulerConfigSources } = analyseManifests(sources, problems);
  if (problems.list.length > 0) throw new InputError(problems.sorted());
  return { manifests: placed.map((p) => p.manifest), schedulerConfigs, schedulerConfigSources };
}

/** For `simk validate`: a file holding a Scenario document is checked as a scenario, otherwise as manifests. */
export function validateFile(file: string): InputProblem[] {
  const problems = new Problems();
  const source = readSource(file, problems);
  if (source) {
    if (source.docs.some(isScenarioDoc) || source.mentionsScenario) analyseScenario(source, problems);
    else analyseManifests([source], problems);
  }
  return problems.sorted();
}

// ---------------------------------------------------------------------------------------------
// Reading YAML and locating problems

/** One YAML document of a file, with what is needed to turn a path into line:column. */
interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

interface SourceFile {
  file: string;
  /** The documents that parsed (YAML syntax errors are reported, their documents skipped). */
  docs: SourceDoc[];
  /** Some document had YAML syntax errors. */
  broken: boolean;
  /** The text has a `kind: Scenario` line, even if that document did not parse. */
  mentionsScenario: boolean;
}

class Problems {
  readonly list: InputProblem[] = [];
  private readonly fileOrder: string[] = [];

  /** Problems are listed file by file, in the order the files were read. */
  noteFile(file: string): void {
    if (!this.fileOrder.includes(file)) this.fileOrder.push(file);
  }

  add(problem: InputProblem): void {
    this.noteFile(problem.file);
    this.list.push(problem);
  }

  /** Adds an issue found at a path inside a document. */
  at(doc: SourceDoc, issue: Issue): void {
    this.add(locate(doc, issue));
  }

  /** In file order, then by position; capped, with a count of the rest. */
  sorted(): InputProblem[] {
    const order = (p: InputProblem) => this.fileOrder.indexOf(p.file);
    const all = [...this.list].sort(
      (a, b) => order(a) - order(b) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    if (all.length <= MAX_PROBLEMS) return all;
    const rest = all.length - MAX_PROBLEMS;
    return [...all.slice(0, MAX_PROBLEMS), { file: all[0].file, message: `${rest} more problem${rest === 1 ? "" : "s"} not shown` }];
  }
}

function readSource(file: string, problems: Problems): SourceFile | undefined {
  problems.noteFile(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    problems.add({ file, message: `cannot read file: ${osReason(e)}` });
    return undefined;
  }
  return parseSource(file, text, problems);
}

function osReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a YAML file";
  return e instanceof Error ? e.message : String(e);
}

function parseSource(file: string, text: string, problems: Problems): SourceFile {
  const lines = new LineCounter();
  // merge: accept `<<` merge keys, which Kubernetes' YAML parser understands.
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const docs: SourceDoc[] = [];
  let broken = false;
  for (const doc of parsed) {
    if (doc.errors.length > 0) {
      broken = true;
      for (const err of doc.errors) {
        const { line, col } = lines.linePos(err.pos[0]);
        problems.add({ file, line, column: col, message: `invalid YAML: ${err.message}` });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      problems.add({ file, ...position(lines, doc.contents?.range?.[0] ?? 0), message: `invalid YAML: ${(e as Error).message}` });
      broken = true;
      continue;
    }
    // Empty documents (a stray `---`, only comments) are skipped, as kubectl does.
    if (value === null || value === undefined) continue;
    docs.push({ file, doc, lines, value });
  }
  const mentionsScenario = /^kind:[ \t]*["']?Scenario["']?[ \t]*(#.*)?$/m.test(text);
  return { file, docs, broken, mentionsScenario };
}

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** Gives an Issue its file position: the node at its path, or the nearest ancestor that exists. */
function locate(doc: SourceDoc, issue: Issue): InputProblem {
  const shown = issue.target ? issue.path.slice(0, -1) : issue.path;
  const offset = nodeOffset(doc, issue.target === "parent" ? shown : issue.path, issue.target === "key");
  const problem: InputProblem = { file: doc.file, ...position(doc.lines, offset), message: issue.message };
  const text = formatPath(shown);
  return text ? { ...problem, path: text } : problem;
}

function nodeOffset(source: SourceDoc, segments: readonly PathSegment[], wantKey: boolean): number {
  let node: unknown = source.doc.contents;
  let key: unknown;
  let complete = true;
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(source.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) {
        complete = false;
        break;
      }
      key = pair.key;
      // `field:` with nothing after it: point at the key rather than the empty space after it.
      const empty = isScalar(pair.value) && pair.value.value === null && pair.value.source === "";
      node = pair.value && !empty ? pair.value : pair.key;
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      key = undefined;
      node = node.items[seg];
    } else {
      complete = false;
      break;
    }
  }
  const target = wantKey && complete && key !== undefined ? key : node;
  return rangeStart(target) ?? rangeStart(source.doc.contents) ?? 0;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

function docStart(doc: SourceDoc): { line: number; column: number } {
  return position(doc.lines, rangeStart(doc.doc.contents) ?? 0);
}

function locationOf(doc: SourceDoc, segments: PathSegment[]): SourceLocation {
  const { line, column } = position(doc.lines, nodeOffset(doc, segments, false));
  return { file: doc.file, line, column, path: formatPath(segments) };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScenarioDoc(doc: SourceDoc): boolean {
  return isMapping(doc.value) && doc.value.kind === "Scenario";
}

// ---------------------------------------------------------------------------------------------
// Manifests

/** A validated manifest and where it was written. */
interface Placed {
  manifest: Manifest;
  doc: SourceDoc;
  /** Path of the manifest inside its document. */
  path: PathSegment[];
}

interface Collected {
  placed: Placed[];
  schedulerConfigs: unknown[];
  schedulerConfigSources: DocumentLocator[];
}

const emptyCollected = (): Collected => ({ placed: [], schedulerConfigs: [], schedulerConfigSources: [] });

/** Validates the manifests of one document (or an embedded manifest at `prefix`). */
function collect(doc: SourceDoc, value: unknown, prefix: PathSegment[], into: Collected, problems: Problems): void {
  const result = parseManifestDocument(value, prefix);
  for (const issue of result.issues) problems.at(doc, issue);
  for (const m of result.manifests) into.placed.push({ manifest: m.manifest, doc, path: m.path });
  into.schedulerConfigs.push(...result.schedulerConfigs);
  // A KubeSchedulerConfiguration is never inside a List, so each one found here sits at `prefix`.
  for (let i = 0; i < result.schedulerConfigs.length; i++) into.schedulerConfigSources.push(documentLocator(doc, prefix));
}

/** Positions of paths inside the (sub)document at `prefix`, for problems found after loading. */
function documentLocator(doc: SourceDoc, prefix: readonly PathSegment[]): DocumentLocator {
  return {
    file: doc.file,
    locate: (at, key = false) => position(doc.lines, nodeOffset(doc, [...prefix, ...at], key)),
  };
}

/** Manifest files for loadManifestFiles / validateFile: no Scenario document allowed. */
function analyseManifests(sources: SourceFile[], problems: Problems): Collected {
  const into = emptyCollected();
  for (const source of sources) {
    for (const doc of source.docs) {
      if (isScenarioDoc(doc)) {
        problems.at(doc, { path: ["kind"], message: "a Scenario document is not allowed in a manifest file (run it as a scenario instead)" });
      } else {
        collect(doc, doc.value, [], into, problems);
      }
    }
  }
  checkDuplicates(into.placed, problems);
  return into;
}

/** The identity the API server enforces uniqueness on: kind, namespace, name. */
function objectId(m: Manifest): string | undefined {
  if (!m.metadata.name) return undefined;
  return NAMESPACED_KINDS.has(m.kind) ? `${m.kind}/${m.metadata.namespace}/${m.metadata.name}` : `${m.kind}/${m.metadata.name}`;
}

function checkDuplicates(placed: Placed[], problems: Problems): void {
  const seen = new Map<string, Placed>();
  for (const p of placed) {
    const id = objectId(p.manifest);
    if (id === undefined) continue;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, p);
      continue;
    }
    const where = locate(first.doc, { path: [...first.path, "metadata", "name"], message: "" });
    problems.at(p.doc, {
      path: [...p.path, "metadata", "name"],
      message: `duplicate ${id}: already defined at ${where.file}:${where.line}:${where.column}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** Loads files named relative to the scenario file; absolute paths are used as they are. */
function relativeTo(scenarioFile: string, name: string): string {
  return path.isAbsolute(name) ? name : path.join(path.dirname(scenarioFile), name);
}

function analyseScenario(source: SourceFile, problems: Problems): Scenario | undefined {
  const file = source.file;
  const scenarioDocs = source.docs.filter(isScenarioDoc);
  // A Scenario document with a syntax error has been reported already.
  if (scenarioDocs.length === 0 && !(source.broken && source.mentionsScenario)) {
    problems.add({
      file,
      ...(source.docs.length > 0 ? docStart(source.docs[0]) : {}),
      message: "no Scenario document: a scenario file needs one document with apiVersion: simk.dev/v1alpha1 and kind: Scenario",
    });
  }
  for (const extra of scenarioDocs.slice(1)) {
    const first = docStart(scenarioDocs[0]).line;
    problems.at(extra, { path: ["kind"], message: `a scenario file holds exactly one Scenario document; the first is at line ${first}` });
  }
  const main = scenarioDocs[0];

  // Phase 1: every document on its own. Manifests are kept in file order, an include standing
  // where the Scenario document is.
  const into = emptyCollected();
  for (const doc of source.docs) {
    if (isScenarioDoc(doc)) {
      if (doc === main) collectIncludes(main, into, problems);
    } else {
      collect(doc, doc.value, [], into, problems);
    }
  }
  checkDuplicates(into.placed, problems);
  if (!main) return undefined;
  const applied = collectApplied(main, problems);
  const parsed = parseWith(scenarioDocument, main.value);
  if (!parsed.ok) {
    for (const issue of parsed.issues) problems.at(main, issue);
    return undefined;
  }
  if (problems.list.length > 0) return undefined;

  // Phase 2: cross-references.
  const spec = parsed.value.spec;
  const nodePools = normalisePools(spec.nodePools ?? []);
  checkPools(main, spec.nodePools ?? [], into.placed, problems);
  checkPriorityClasses([...into.placed, ...[...applied.values()].flat()], problems);
  const traffic = checkTraffic(main, spec.traffic ?? [], nodePools, into.placed, applied, problems);
  checkKubeProxy(main, spec.components?.kubeProxy, problems);
  const timeline = checkTimeline(main, parsed.value, nodePools, into.placed, applied, problems, traffic);
  const schedulerPlugins = checkPluginModules(main, spec.schedulerPlugins ?? [], problems);
  if (problems.list.length > 0) return undefined;

  const meta = parsed.value.metadata;
  return {
    name: meta.name,
    ...(meta.description !== undefined ? { description: meta.description } : {}),
    file: path.resolve(file),
    duration: spec.duration,
    seed: spec.seed ?? 1,
    sampleInterval: spec.sampleInterval ?? 1_000_000,
    nodePools,
    components: mergeComponents(spec.components),
    manifests: into.placed.map((p) => p.manifest),
    timeline,
    expect: (spec.expect ?? []).map((e, i) => normaliseExpectation(e, locationOf(main, ["spec", "expect", i]))),
    schedulerConfigs: into.schedulerConfigs,
    // Only when present, so that a scenario without them compares equal to one built in code.
    ...(into.schedulerConfigSources.length > 0 ? { schedulerConfigSources: into.schedulerConfigSources } : {}),
    ...(schedulerPlugins.length > 0 ? { schedulerPlugins } : {}),
    ...(traffic.length > 0 ? { traffic } : {}),
  };
}

/** File types a plugin module may have: TypeScript (loaded through tsx) or JavaScript. */
export const PLUGIN_MODULE_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** spec.schedulerPlugins: each module exists, relative to the scenario file, and is a JS or TS file. */
function checkPluginModules(main: SourceDoc, entries: { module: string }[], problems: Problems): PluginModuleRef[] {
  const out: PluginModuleRef[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const at: PathSegment[] = ["spec", "schedulerPlugins", i, "module"];
    const file = path.resolve(relativeTo(main.file, entry.module));
    const ext = path.extname(file);
    if (!PLUGIN_MODULE_EXTENSIONS.includes(ext)) {
      problems.at(main, { path: at, message: `a plugin module is a ${PLUGIN_MODULE_EXTENSIONS.join(", ")} file; got ${JSON.stringify(entry.module)}` });
      return;
    }
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
      problems.at(main, { path: at, message: `plugin module ${JSON.stringify(entry.module)} not found (looked for ${file}; paths are relative to the scenario file)` });
      return;
    }
    if (seen.has(file)) {
      problems.at(main, { path: at, message: `plugin module ${JSON.stringify(entry.module)} is listed twice` });
      return;
    }
    seen.add(file);
    out.push({ module: file, given: entry.module, source: locationOf(main, at) });
  });
  return out;
}

/** spec.include: files of manifests, relative to the scenario file; they may not include further. */
function collectIncludes(main: SourceDoc, into: Collected, problems: Problems): void {
  const spec = isMapping(main.value) ? main.value.spec : undefined;
  const include = isMapping(spec) ? spec.include : undefined;
  if (!Array.isArray(include)) return; // a wrong type is reported by the schema
  const seen = new Set<string>();
  include.forEach((name, i) => {
    if (typeof name !== "string" || name === "") return;
    const at = ["spec", "include", i];
    const file = relativeTo(main.file, name);
    if (seen.has(path.resolve(file))) {
      problems.at(main, { path: at, message: `${JSON.stringify(name)} is already included` });
      return;
    }
    seen.add(path.resolve(file));
    const source = readIncluded(main, at, file, problems);
    if (!source) return;
    for (const doc of source.docs) {
      if (isScenarioDoc(doc)) {
        problems.at(doc, { path: ["kind"], message: "an included file holds only Kubernetes manifests, not a Scenario document" });
      } else {
        collect(doc, doc.value, [], into, problems);
      }
    }
  });
}

/** Reads a file named in the scenario; a failure is reported at the entry that names it. */
function readIncluded(main: SourceDoc, at: PathSegment[], file: string, problems: Problems): SourceFile | undefined {
  problems.noteFile(file);
  const local = new Problems();
  const source = readSource(file, local);
  for (const p of local.list) {
    if (p.line === undefined) problems.at(main, { path: at, message: `cannot read ${file}: ${p.message.replace(/^cannot read file: /, "")}` });
    else problems.add(p);
  }
  return source;
}

/**
 * The manifests of each `apply` action (by timeline index), read from the raw document so they are
 * checked even when the rest of the Scenario document has problems.
 */
function collectApplied(main: SourceDoc, problems: Problems): Map<number, Placed[]> {
  const applied = new Map<number, Placed[]>();
  const spec = isMapping(main.value) ? main.value.spec : undefined;
  const timeline = isMapping(spec) ? spec.timeline : undefined;
  if (!Array.isArray(timeline)) return applied;
  timeline.forEach((entry, i) => {
    if (!isMapping(entry) || entry.action !== "apply") return;
    const at: PathSegment[] = ["spec", "timeline", i];
    const given = (["manifest", "manifests", "file"] as const).filter((k) => entry[k] !== undefined);
    if (given.length !== 1) {
      const message =
        given.length === 0
          ? "apply needs one of manifest (one object), manifests (a list) or file (a path)"
          : `apply takes only one of manifest, manifests or file; got ${given.join(" and ")}`;
      problems.at(main, { path: at, message });
      return;
    }
    const into = emptyCollected();
    if (isMapping(entry.manifest)) collect(main, entry.manifest, [...at, "manifest"], into, problems);
    if (Array.isArray(entry.manifests)) {
      entry.manifests.forEach((m, j) => {
        if (isMapping(m)) collect(main, m, [...at, "manifests", j], into, problems);
      });
    }
    if (typeof entry.file === "string" && entry.file !== "") {
      const source = readIncluded(main, [...at, "file"], relativeTo(main.file, entry.file), problems);
      for (const doc of source?.docs ?? []) {
        if (isScenarioDoc(doc)) problems.at(doc, { path: ["kind"], message: "a file applied by the timeline holds only Kubernetes manifests" });
        else collect(doc, doc.value, [], into, problems);
      }
    }
    if (into.schedulerConfigs.length > 0) {
      problems.at(main, { path: at, message: "a KubeSchedulerConfiguration cannot be applied during a run; put it in the scenario file" });
    }
    checkDuplicates(into.placed, problems);
    applied.set(i, into.placed);
  });
  return applied;
}

type PoolInput = NonNullable<ScenarioDocument["spec"]["nodePools"]>[number];

function normalisePools(pools: PoolInput[]): NodePool[] {
  return pools.map((p) => {
    const allocatable = withPods(p.template.allocatable);
    return {
      ...p,
      template: { ...p.template, allocatable, capacity: p.template.capacity ? withPods(p.template.capacity) : allocatable },
    };
  });
}

/** Pool names are unique, and a Node manifest may not take a pool node's name. */
function checkPools(main: SourceDoc, pools: PoolInput[], placed: Placed[], problems: Problems): void {
  const owner = new Map<string, string>();
  pools.forEach((pool, i) => {
    if (pools.findIndex((p) => p.name === pool.name) !== i) {
      problems.at(main, { path: ["spec", "nodePools", i, "name"], message: `duplicate node pool name ${JSON.stringify(pool.name)}` });
    }
    for (let n = 0; n < pool.count; n++) owner.set(`${pool.name}-${n}`, pool.name);
  });
  for (const p of placed) {
    const name = p.manifest.kind === "Node" ? p.manifest.metadata.name : undefined;
    const pool = name === undefined ? undefined : owner.get(name);
    if (pool !== undefined) {
      problems.at(p.doc, {
        path: [...p.path, "metadata", "name"],
        message: `Node ${JSON.stringify(name)} clashes with a node of pool ${JSON.stringify(pool)} (pool nodes are named ${pool}-0, ${pool}-1, ...)`,
      });
    }
  }
}

/** The Priority admission plugin rejects pods naming a PriorityClass that does not exist. */
function checkPriorityClasses(placed: Placed[], problems: Problems): void {
  // Built in (pkg/apis/scheduling/types.go: SystemClusterCritical, SystemNodeCritical).
  const classes = ["system-cluster-critical", "system-node-critical"];
  for (const p of placed) if (p.manifest.kind === "PriorityClass" && p.manifest.metadata.name) classes.push(p.manifest.metadata.name);
  for (const p of placed) {
    for (const { spec, path: at } of podSpecsOf(p.manifest)) {
      const name = spec.priorityClassName;
      if (name === undefined || name === "" || classes.includes(name)) continue;
      problems.at(p.doc, {
        path: [...p.path, ...at, "priorityClassName"],
        message: `no PriorityClass named ${JSON.stringify(name)}${suggestion(name, classes)}; defined: ${classes.join(", ")}`,
      });
    }
  }
}

function mergeComponents(input: ScenarioDocument["spec"]["components"]): ComponentSettings {
  const base = structuredClone(DEFAULT_COMPONENTS);
  return {
    leaderElection: { ...base.leaderElection, ...input?.leaderElection },
    apiServer: { ...base.apiServer, ...input?.apiServer },
    scheduler: { ...base.scheduler, ...input?.scheduler },
    kubelet: { ...base.kubelet, ...input?.kubelet },
    nodeLifecycle: { ...base.nodeLifecycle, ...input?.nodeLifecycle },
    controllers: { ...base.controllers, ...input?.controllers },
    kubeProxy: { ...base.kubeProxy, ...input?.kubeProxy },
  };
}

function normaliseExpectation(e: NonNullable<ScenarioDocument["spec"]["expect"]>[number], source: SourceLocation): Expectation {
  return {
    metric: e.metric,
    stat: (e.stat ?? "last") as ExpectStat,
    op: e.op,
    value: e.value,
    ...(e.after !== undefined ? { after: e.after } : {}),
    ...(e.before !== undefined ? { before: e.before } : {}),
    source,
  };
}

// ---------------------------------------------------------------------------------------------
// Timeline

/** The cluster as the timeline changes it: which nodes and objects exist, and why some do not. */
interface World {
  nodes: string[];
  objects: Set<string>;
  /** Why a name is gone or not there yet: "it was removed at 3m (spec.timeline[3])". */
  notes: Map<string, string>;
  nextIndex: Map<string, number>;
  /** spec.traffic entries, for setTraffic. */
  traffic: readonly TrafficSpec[];
}

const SCALABLE: readonly Kind[] = ["Deployment", "ReplicaSet"];
const ROLLABLE: readonly Kind[] = ["Deployment", "DaemonSet"];

/** Checks the timeline against the cluster at each moment; returns it sorted by time. */
function checkTimeline(
  main: SourceDoc,
  doc: ScenarioDocument,
  pools: NodePool[],
  placed: Placed[],
  applied: Map<number, Placed[]>,
  problems: Problems,
  traffic: readonly TrafficSpec[] = [],
): TimelineAction[] {
  const entries = (doc.spec.timeline ?? []).map((entry, index) => ({ entry, index }));
  // Stable: entries at the same time keep their file order.
  entries.sort((a, b) => a.entry.at - b.entry.at);

  const world: World = { nodes: [], objects: new Set(), notes: new Map(), nextIndex: new Map(), traffic };
  for (const pool of pools) {
    for (let n = 0; n < pool.count; n++) world.nodes.push(`${pool.name}-${n}`);
    world.nextIndex.set(pool.name, pool.count);
  }
  for (const p of placed) addObject(world, p.manifest);
  noteFutureNodes(entries, world);

  const out: TimelineAction[] = [];
  for (const { entry, index } of entries) {
    const at: PathSegment[] = ["spec", "timeline", index];
    const report = (field: string | undefined, message: string) =>
      problems.at(main, { path: field ? [...at, field] : at, message });
    if (entry.at >= doc.spec.duration) {
      report("at", `${formatDuration(entry.at)} is not before the end of the scenario (duration ${formatDuration(doc.spec.duration)})`);
    }
    const action = applyEntry(entry, world, applied.get(index) ?? [], `${formatDuration(entry.at)} (${formatPath(at)})`, report);
    if (action) out.push({ ...action, source: locationOf(main, at) } as TimelineAction);
  }
  return out;
}

type Report = (field: string | undefined, message: string) => void;
type Unsourced = TimelineAction extends infer A ? (A extends unknown ? Omit<A, "source"> : never) : never;

/** Checks one entry against the world, updates the world, and returns the normalised action. */
function applyEntry(entry: TimelineEntry, world: World, applied: Placed[], when: string, report: Report): Unsourced | undefined {
  switch (entry.action) {
    case "failNode":
    case "recoverNode":
    case "cordon":
    case "uncordon":
    case "drain":
    case "removeNode": {
      if (!world.nodes.includes(entry.node)) {
        report("node", unknownNode(entry.node, world));
        return undefined;
      }
      if (entry.action === "removeNode") {
        world.nodes = world.nodes.filter((n) => n !== entry.node);
        world.notes.set(`node ${entry.node}`, `it was removed at ${when}`);
      }
      return { at: entry.at, action: entry.action, node: entry.node };
    }
    case "addNodes": {
      const next = world.nextIndex.get(entry.pool);
      if (next === undefined) {
        const pools = [...world.nextIndex.keys()];
        report("pool", `unknown node pool ${JSON.stringify(entry.pool)}${suggestion(entry.pool, pools)}; pools: ${pools.join(", ") || "(none)"}`);
        return undefined;
      }
      for (let n = next; n < next + entry.count; n++) {
        const name = `${entry.pool}-${n}`;
        if (world.nodes.includes(name)) report(undefined, `addNodes would create node ${JSON.stringify(name)}, which already exists`);
        else world.nodes.push(name);
        world.notes.delete(`node ${name}`);
      }
      world.nextIndex.set(entry.pool, next + entry.count);
      return { at: entry.at, action: "addNodes", pool: entry.pool, count: entry.count };
    }
    case "scale":
    case "rollout":
    case "delete": {
      const allowed = entry.action === "scale" ? SCALABLE : entry.action === "rollout" ? ROLLABLE : (MANIFEST_KINDS as Kind[]);
      const target = resolveTarget(entry.target, allowed, entry.action, world);
      if ("problem" in target) {
        report("target", target.problem);
        return undefined;
      }
      if (entry.action === "delete") {
        world.objects.delete(target.id);
        world.nodes = world.nodes.filter((n) => `Node/${n}` !== target.id);
        world.notes.set(target.id, `it was deleted at ${when}`);
        if (target.id.startsWith("Node/")) world.notes.set(`node ${target.id.slice(5)}`, `it was deleted at ${when}`);
        return { at: entry.at, action: "delete", target: target.id };
      }
      if (entry.action === "scale") return { at: entry.at, action: "scale", target: target.id, replicas: entry.replicas };
      return { at: entry.at, action: "rollout", target: target.id, template: entry.template };
    }
    case "failComponent":
      return { at: entry.at, action: "failComponent", component: entry.component, duration: entry.duration };
    case "apply":
      for (const p of applied) addObject(world, p.manifest);
      return { at: entry.at, action: "apply", manifests: applied.map((p) => p.manifest) };
    case "setTraffic": {
      const names = world.traffic.map((t) => t.name);
      const target = world.traffic.find((t) => t.name === entry.traffic);
      if (!target) {
        report(
          "traffic",
          names.length === 0
            ? `unknown traffic ${JSON.stringify(entry.traffic)}: spec.traffic is empty`
            : `unknown traffic ${JSON.stringify(entry.traffic)}${suggestion(entry.traffic, names)}; spec.traffic names: ${sample(names)}`,
        );
        return undefined;
      }
      if (target.arrivals.process === "replay") {
        report("traffic", `traffic ${JSON.stringify(entry.traffic)} replays a file of arrival times; it has no rate to set`);
        return undefined;
      }
      return { at: entry.at, action: "setTraffic", traffic: entry.traffic, rate: entry.rate, ...(entry.over !== undefined ? { over: entry.over } : {}) };
    }
  }
}

function addObject(world: World, m: Manifest): void {
  const id = objectId(m);
  if (id === undefined) return;
  world.objects.add(id);
  world.notes.delete(id);
  if (m.kind === "Node" && m.metadata.name && !world.nodes.includes(m.metadata.name)) world.nodes.push(m.metadata.name);
}

/** Remembers when addNodes will create each node, to explain a reference made too early. */
function noteFutureNodes(entries: { entry: TimelineEntry; index: number }[], world: World): void {
  const next = new Map(world.nextIndex);
  for (const { entry, index } of entries) {
    if (entry.action !== "addNodes") continue;
    const start = next.get(entry.pool);
    if (start === undefined) continue;
    for (let n = start; n < start + entry.count; n++) {
      world.notes.set(`node ${entry.pool}-${n}`, `it is only added at ${formatDuration(entry.at)} (spec.timeline[${index}])`);
    }
    next.set(entry.pool, start + entry.count);
  }
}

function unknownNode(name: string, world: World): string {
  const note = world.notes.get(`node ${name}`);
  if (note) return `unknown node ${JSON.stringify(name)} at this time: ${note}`;
  if (world.nodes.length === 0) return `unknown node ${JSON.stringify(name)}: there are no nodes at this time`;
  return `unknown node ${JSON.stringify(name)}; known nodes: ${sample(world.nodes)}${suggestion(name, world.nodes)}`;
}

/** "a, b, c, d, e, ... (12 in all)". */
function sample(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")}, ... (${names.length} in all)`;
}

/**
 * "Kind/namespace/name" or "Kind/name" (namespace "default" for namespaced kinds) → the canonical
 * "Kind/namespace/name" ("Kind/name" for cluster-scoped kinds), if such an object exists now.
 */
function resolveTarget(target: string, allowed: readonly Kind[], action: string, world: World): { id: string } | { problem: string } {
  const parts = target.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    return { problem: `target must be "Kind/namespace/name" or "Kind/name" (e.g. Deployment/default/web), got ${JSON.stringify(target)}` };
  }
  const kind = parts[0] as Kind;
  if (!allowed.includes(kind)) {
    return { problem: `${action} works on ${allowed.join(", ")}; got kind ${JSON.stringify(parts[0])}${suggestion(parts[0], allowed)}` };
  }
  const namespaced = NAMESPACED_KINDS.has(kind);
  if (!namespaced && parts.length === 3) return { problem: `${kind} is cluster-scoped: write ${kind}/name` };
  const id = namespaced ? `${kind}/${parts.length === 3 ? parts[1] : "default"}/${parts[parts.length - 1]}` : `${kind}/${parts[1]}`;
  const exists = kind === "Node" ? world.nodes.includes(parts[1]) : world.objects.has(id);
  if (exists) return { id };
  const note = world.notes.get(id);
  if (note) return { problem: `unknown ${id} at this time: ${note}` };
  const sameKind = [...world.objects].filter((o) => o.startsWith(`${kind}/`));
  const known = sameKind.length > 0 ? `; defined ${kind}s: ${sample(sameKind.map((o) => o.slice(kind.length + 1)))}` : `; no ${kind} is defined`;
  return { problem: `unknown ${id}${known}${suggestion(id, sameKind)}` };
}

// ---------------------------------------------------------------------------------------------
// Traffic (spec.traffic, spec.components.kubeProxy)

/** kube-proxy's validation (pkg/proxy/apis/config/validation): syncPeriod ≥ minSyncPeriod. */
function checkKubeProxy(main: SourceDoc, input: NonNullable<ScenarioDocument["spec"]["components"]>["kubeProxy"], problems: Problems): void {
  const merged = { ...DEFAULT_COMPONENTS.kubeProxy, ...input };
  if (merged.syncPeriod < merged.minSyncPeriod) {
    const field = input?.syncPeriod !== undefined ? "syncPeriod" : "minSyncPeriod";
    problems.at(main, {
      path: ["spec", "components", "kubeProxy", field],
      message: `syncPeriod (${formatDuration(merged.syncPeriod)}) must be >= minSyncPeriod (${formatDuration(merged.minSyncPeriod)})`,
    });
  }
}

/**
 * spec.traffic: each Service exists (in the manifests or applied by the timeline), names are
 * unique, client nodes exist at the start, a NodePort entry targets a NodePort/LoadBalancer
 * Service, the balancer is known (or its module exists), CSV files are read and checked, and two
 * entries for one Service agree on its balancer and backend. Returns the normalised entries.
 */
function checkTraffic(
  main: SourceDoc,
  entries: TrafficEntry[],
  pools: NodePool[],
  placed: Placed[],
  applied: Map<number, Placed[]>,
  problems: Problems,
): TrafficSpec[] {
  if (entries.length === 0) return [];
  const services = new Map<string, Manifest>();
  for (const p of [...placed, ...[...applied.values()].flat()]) {
    if (p.manifest.kind === "Service" && p.manifest.metadata.name) services.set(`${p.manifest.metadata.namespace ?? "default"}/${p.manifest.metadata.name}`, p.manifest);
  }
  const nodes: string[] = [];
  for (const pool of pools) for (let n = 0; n < pool.count; n++) nodes.push(`${pool.name}-${n}`);
  for (const p of placed) if (p.manifest.kind === "Node" && p.manifest.metadata.name) nodes.push(p.manifest.metadata.name);
  const balancers = knownBalancerNames();
  const out: TrafficSpec[] = [];
  const names = new Map<string, number>();
  const firstFor = new Map<string, { index: number; entry: TrafficEntry }>();
  entries.forEach((entry, i) => {
    const at: PathSegment[] = ["spec", "traffic", i];
    const report = (field: PathSegment[], message: string): void => problems.at(main, { path: [...at, ...field], message });
    const before = problems.list.length;
    // The Service.
    const key = entry.service.includes("/") ? entry.service : `default/${entry.service}`;
    const parts = key.split("/");
    if (parts.length !== 2 || parts.some((x) => x === "")) {
      report(["service"], `service must be "namespace/name" (or "name" in namespace default), got ${JSON.stringify(entry.service)}`);
      return;
    }
    const service = services.get(key);
    if (!service) {
      const known = [...services.keys()].sort();
      report(
        ["service"],
        known.length === 0
          ? `unknown Service ${JSON.stringify(key)}: the scenario defines no Service`
          : `unknown Service ${JSON.stringify(key)}${suggestion(key, known)}; Services: ${sample(known)}`,
      );
    }
    const name = entry.name ?? parts[1];
    const clash = names.get(name);
    if (clash !== undefined) {
      report(entry.name !== undefined ? ["name"] : [], `traffic name ${JSON.stringify(name)} is already used by spec.traffic[${clash}]; give ${entry.name !== undefined ? "one" : "this entry"} a distinct name`);
    } else {
      names.set(name, i);
    }
    // Clients.
    const from = entry.clients?.from;
    if (from?.nodes) {
      from.nodes.forEach((node, j) => {
        if (!nodes.includes(node)) report(["clients", "from", "nodes", j], `unknown node ${JSON.stringify(node)}${suggestion(node, nodes)}; nodes at the start: ${sample(nodes) || "(none)"}`);
      });
    } else if (from?.nodePort) {
      const node = from.nodePort.node;
      if (!nodes.includes(node)) report(["clients", "from", "nodePort", "node"], `unknown node ${JSON.stringify(node)}${suggestion(node, nodes)}; nodes at the start: ${sample(nodes) || "(none)"}`);
      const type = service?.kind === "Service" ? (service.spec as { type?: string }).type ?? "ClusterIP" : undefined;
      if (type !== undefined && type !== "NodePort" && type !== "LoadBalancer") {
        report(["clients", "from", "nodePort"], `external clients through a NodePort need a Service of type NodePort or LoadBalancer; ${key} is ${type}`);
      }
    } else if (nodes.length === 0) {
      report(["clients"], "there are no nodes at the start to place client pods on; add a node pool or use clients.from");
    }
    // The balancer.
    let balancer: TrafficSpec["balancer"];
    if (entry.balancer !== undefined) {
      const given = entry.balancer;
      const looksLikeModule = given.includes("/") || BALANCER_MODULE_EXTENSIONS.some((ext) => given.endsWith(ext));
      if (looksLikeModule) {
        const file = path.resolve(relativeTo(main.file, given));
        let isFile = false;
        try {
          isFile = statSync(file).isFile();
        } catch {
          isFile = false;
        }
        if (!BALANCER_MODULE_EXTENSIONS.includes(path.extname(file))) {
          report(["balancer"], `a balancer module is a ${BALANCER_MODULE_EXTENSIONS.join(", ")} file; got ${JSON.stringify(given)}`);
        } else if (!isFile) {
          report(["balancer"], `balancer module ${JSON.stringify(given)} not found (looked for ${file}; paths are relative to the scenario file)`);
        } else {
          balancer = { module: file, given };
        }
      } else if (!balancers.includes(given)) {
        report(["balancer"], `unknown balancer ${JSON.stringify(given)}${suggestion(given, balancers)}; known: ${balancers.join(", ")} (or a module path such as ./my-balancer.ts)`);
      } else {
        balancer = { name: given };
      }
    }
    // Arrivals.
    let arrivals: ArrivalSpec | undefined;
    const a = entry.arrivals;
    if (a.process === "replay") {
      const read = readTimeColumn(relativeTo(main.file, a.file), relativeTo(main.file, a.file), { what: "arrival times", nonDecreasing: true });
      if (read.ok) arrivals = { process: "replay", file: a.file, times: read.values };
      else if (read.unreadable) report(["arrivals", "file"], `cannot read ${JSON.stringify(a.file)}: ${read.unreadable} (paths are relative to the scenario file)`);
      else for (const p of read.problems) problems.add(p);
    } else if (a.process === "sine") {
      arrivals = { process: "sine", mean: a.mean, amplitude: a.amplitude, period: a.period, phase: a.phase ?? 0 };
    } else {
      arrivals = { process: a.process, rate: a.rate };
    }
    // Backend.
    const b = entry.backend;
    let serviceTime: ServiceTimeSpec = { ...TRAFFIC_DEFAULTS.serviceTime };
    if (b?.serviceTime !== undefined) {
      const st = b.serviceTime;
      if (st.distribution === "empirical") {
        const read = readTimeColumn(relativeTo(main.file, st.file), relativeTo(main.file, st.file), { what: "service times", nonEmpty: true });
        if (read.ok) serviceTime = { distribution: "empirical", file: st.file, values: read.values };
        else if (read.unreadable) report(["backend", "serviceTime", "file"], `cannot read ${JSON.stringify(st.file)}: ${read.unreadable} (paths are relative to the scenario file)`);
        else for (const p of read.problems) problems.add(p);
      } else {
        serviceTime = st;
      }
    }
    let cpuPerWorker: number | undefined;
    if (b?.cpuPerWorker !== undefined) {
      cpuPerWorker = parseCpuMillis(b.cpuPerWorker);
      if (!(cpuPerWorker > 0)) report(["backend", "cpuPerWorker"], `cpuPerWorker must be more than 0, got ${JSON.stringify(b.cpuPerWorker)}`);
    }
    // Two entries for one Service share its balancer and its pods' server model.
    const first = firstFor.get(key);
    if (!first) firstFor.set(key, { index: i, entry });
    else {
      if (entry.balancer !== undefined && entry.balancer !== first.entry.balancer) {
        report(["balancer"], `${key} already gets its balancer from spec.traffic[${first.index}]${first.entry.balancer ? ` (${first.entry.balancer})` : " (kube-proxy's)"}; leave balancer out here or make them equal`);
      }
      if (entry.backend !== undefined && JSON.stringify(entry.backend) !== JSON.stringify(first.entry.backend)) {
        report(["backend"], `${key} already gets its backend from spec.traffic[${first.index}]; leave backend out here or make them equal`);
      }
    }
    if (problems.list.length > before || !arrivals) return;
    out.push({
      name,
      service: key,
      ...(balancer ? { balancer } : {}),
      arrivals,
      clients: {
        count: entry.clients?.count ?? TRAFFIC_DEFAULTS.clients,
        from: from?.nodePort ? { nodePort: { node: from.nodePort.node } } : from?.nodes ? { nodes: [...from.nodes] } : {},
      },
      ...(entry.timeout !== undefined ? { timeout: entry.timeout } : {}),
      retries: entry.retries ?? TRAFFIC_DEFAULTS.retries,
      warmup: entry.warmup ?? 0,
      backend: {
        workers: b?.workers ?? TRAFFIC_DEFAULTS.workers,
        serviceTime,
        queueLimit: b?.queueLimit ?? TRAFFIC_DEFAULTS.queueLimit,
        ...(cpuPerWorker !== undefined ? { cpuPerWorker } : {}),
      },
      source: locationOf(main, at),
    });
  });
  // A later entry for the same Service without its own backend uses the first one's.
  for (const t of out) {
    const first = out.find((o) => o.service === t.service);
    if (first && first !== t) t.backend = first.backend;
    if (first && first !== t && first.balancer && !t.balancer) t.balancer = first.balancer;
  }
  return out;
}
