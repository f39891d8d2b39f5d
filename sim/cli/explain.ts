/**
 * `simk explain`: why would this pod go to that node? One scheduling attempt, recorded plugin by
 * plugin, against a cluster given as manifest files (Nodes, and Pods bound to them with
 * spec.nodeName), with the default scheduler configuration or a KubeSchedulerConfiguration.
 *
 * The objects go through the same API server and admission chain as in a run (defaulting,
 * Priority, DefaultTolerationSeconds), so the pod is scored exactly as `simk run` would score it;
 * the scheduler then runs its framework in record mode over every node: each node's filters in
 * profile order up to the first failure, and each score plugin's raw, normalised and weighted score
 * on the feasible nodes. Ties for the highest total are broken with the seeded RNG (--seed).
 *
 * Not simulated: PostFilter (preemption), and workload controllers (a Deployment in the files
 * creates no pods). Both are said in the notes.
 */
import type { LabelSelector, Pod } from "../api/objects.js";
import { objectKey } from "../api/objects.js";
import { Store } from "../api/store.js";
import { defaultTolerationSeconds, podDefaulting, priorityAdmission } from "../admission/admission.js";
import { podRequests } from "../cluster/resources.js";
import { matchesLabelSelector, matchesMapSelector } from "../cluster/selectors.js";
import { Engine } from "../engine/engine.js";
import { RngStreams } from "../engine/rng.js";
import { InputError, type InputProblem } from "../scenario/errors.js";
import { loadManifestFiles } from "../scenario/load.js";
import type { DocumentLocator, Manifest } from "../scenario/types.js";
import { SchedulerCache } from "../scheduler/cache.js";
import { buildSchedulerConfig, registryWith } from "../scheduler/config.js";
import { fitErrorText, statusMessage, type PodInfo } from "../scheduler/framework.js";
import { commandLineModule } from "../scheduler/pluginModules.js";
import { DEFAULT_SCHEDULER_NAME, FrameworkRunner, NO_NODES_AVAILABLE, type ClusterLookups, type NodeDecision } from "../scheduler/scheduler.js";

export interface ExplainInput {
  /** Manifest files with the cluster: Nodes and bound Pods (other kinds noted and skipped). */
  files: string[];
  /** A file holding the one Pod to place. */
  pod: string;
  /** A file with a KubeSchedulerConfiguration; otherwise one found in `files`, else the default. */
  config?: string;
  /** Plugin modules (paths relative to the working directory). */
  plugins?: string[];
  /** Seed of the tie-break (default 1). */
  seed?: number;
}

export interface ExplainReport {
  /** "namespace/name". */
  pod: string;
  /** The profile used (the pod's spec.schedulerName). */
  profile: string;
  seed: number;
  /** Every node, by name: filters up to the first failure; scores if it passed. */
  nodes: NodeDecision[];
  selected: string | null;
  /** When several feasible nodes share the highest total: their names (the seed picked one). */
  ties?: string[];
  /** The FailedScheduling message, when no node fits. */
  message?: string;
  /** What was skipped or approximated. */
  notes: string[];
}

/** Kinds explain creates in its API server; pods only when bound. */
const USED_KINDS = ["Namespace", "PriorityClass", "Node", "Service", "ReplicaSet", "Pod"] as const;

export async function explain(input: ExplainInput): Promise<ExplainReport> {
  const seed = input.seed ?? 1;
  const notes: string[] = [];
  const cluster = loadManifestFiles(input.files);
  const pod = loadPod(input.pod);

  let configs: { configs: unknown[]; sources: DocumentLocator[] } = { configs: cluster.schedulerConfigs, sources: cluster.schedulerConfigSources };
  if (input.config !== undefined) {
    const loaded = loadManifestFiles([input.config]);
    if (loaded.schedulerConfigs.length === 0 || loaded.manifests.length > 0) {
      const found = loaded.manifests.map((m) => m.kind).join(", ");
      throw new InputError([
        { file: input.config, message: `--config takes a file holding one KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1)${found ? `; found ${found}` : ""}` },
      ]);
    }
    configs = { configs: loaded.schedulerConfigs, sources: loaded.schedulerConfigSources };
  }
  const registry = await registryWith((input.plugins ?? []).map((p) => commandLineModule(p)));
  const config = buildSchedulerConfig(configs.configs, { registry, sources: configs.sources });

  // The API server, with the admission chain of a run (sim/run/cluster.ts).
  const engine = new Engine();
  const rngs = new RngStreams(seed);
  const store = new Store(engine, { watchLatency: 0, rng: rngs.stream("apiserver") });
  store.addAdmission(podDefaulting);
  store.addAdmission(priorityAdmission);
  store.addAdmission(defaultTolerationSeconds);
  const fail = (file: string, message: string): never => {
    throw new InputError([{ file, message }]);
  };
  const clusterFile = input.files.join(", ");
  for (const ns of ["default", "kube-system", "kube-node-lease"]) {
    store.create<"Namespace">({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns }, spec: {}, status: { phase: "Active" } });
  }
  const skipped = new Map<string, number>();
  let unbound = 0;
  const rank = (m: Manifest): number => USED_KINDS.indexOf(m.kind as (typeof USED_KINDS)[number]);
  const used = cluster.manifests.filter((m) => {
    if (rank(m) < 0) skipped.set(m.kind, (skipped.get(m.kind) ?? 0) + 1);
    else if (m.kind === "Pod" && !m.spec.nodeName) unbound++;
    else return true;
    return false;
  });
  used.sort((a, b) => rank(a) - rank(b));
  for (const m of used) {
    if (m.kind === "Namespace" && store.get("Namespace", m.metadata.name ?? "")) continue;
    const created = store.create(m as never);
    if (!created.ok) fail(clusterFile, `${m.kind} ${m.metadata.name ?? ""}: ${created.error.message}`);
  }
  for (const [kind, n] of skipped) notes.push(`${n} ${kind}${n === 1 ? "" : "s"} skipped: explain creates no pods from workloads; give the cluster as Nodes and bound Pods`);
  if (unbound > 0) notes.push(`${unbound} unbound Pod${unbound === 1 ? "" : "s"} (no spec.nodeName) skipped: pending pods hold no resources`);

  const podResult = store.create<"Pod">(pod);
  if (!podResult.ok) fail(input.pod, `Pod ${pod.metadata.name ?? ""}: ${podResult.error.message}`);
  const admitted = (podResult as { ok: true; object: Pod }).object;

  const cache = new SchedulerCache();
  for (const node of store.list("Node")) cache.upsertNode(node);
  let orphans = 0;
  for (const p of store.list("Pod")) {
    if (p.metadata.uid === admitted.metadata.uid || !p.spec.nodeName) continue;
    if (!cache.nodeInfo(p.spec.nodeName)) orphans++;
    else cache.onPod(p, false);
  }
  if (orphans > 0) notes.push(`${orphans} Pod${orphans === 1 ? " is" : "s are"} bound to nodes not in the files and ignored`);

  const profileName = admitted.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const profile = config.profiles.find((p) => p.schedulerName === profileName);
  if (!profile) {
    const known = config.profiles.map((p) => p.schedulerName).join(", ");
    fail(input.pod, `spec.schedulerName ${JSON.stringify(profileName)} has no profile in the scheduler configuration (profiles: ${known}); no scheduler would pick this pod up${input.config === undefined ? " (give one with --config)" : ""}`);
  }

  const lookups: ClusterLookups = {
    namespaceLabels: (ns) => {
      const obj = store.get("Namespace", ns);
      return obj ? (obj.metadata.labels ?? {}) : undefined;
    },
    workloadSelectors: (p) => workloadSelectors(store, p),
  };
  const nodes = cache.nodes;
  const info: PodInfo = { pod: admitted, key: objectKey(admitted.metadata), requests: podRequests(admitted.spec) };
  const runner = new FrameworkRunner(rngs.stream("scheduler"), config.percentageOfNodesToScore);
  const result = runner.schedule(profile!, info, nodes, engine.now, true, lookups);

  let decisions: NodeDecision[];
  const pre = result.preFilterStatus;
  if (pre) {
    const filter = { plugin: pre.plugin ?? "PreFilter", status: pre.code, reasons: [...pre.reasons] };
    decisions = nodes.map((n) => ({ name: n.name, filters: [filter], feasible: false, scores: [], total: 0 }));
  } else {
    decisions = (result.decisions ?? []).map((d) => {
      if (d.feasible || d.filters.length > 0) return d;
      const s = result.failures.get(d.name);
      return s ? { ...d, filters: [{ plugin: s.plugin ?? "PreFilter", status: s.code, reasons: [...s.reasons] }] } : d;
    });
  }
  decisions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const report: ExplainReport = { pod: info.key, profile: profileName, seed, nodes: decisions, selected: result.node ?? null, notes };
  const feasible = decisions.filter((d) => d.feasible);
  if (feasible.length > 1) {
    const best = Math.max(...feasible.map((d) => d.total));
    const ties = feasible.filter((d) => d.total === best).map((d) => d.name);
    if (ties.length > 1) report.ties = ties;
  }
  if (!result.node) {
    report.message = nodes.length === 0 ? NO_NODES_AVAILABLE : fitErrorText(nodes.length, result.failures, pre ? { preFilterMsg: statusMessage(pre) } : {});
    if ((profile!.postFilter ?? []).length > 0) notes.push("PostFilter (preemption) is not simulated by explain: in a run the pod might preempt lower-priority pods");
  }
  if (nodes.length >= 100) notes.push("every node was evaluated; a run stops filtering after numFeasibleNodesToFind feasible nodes (percentageOfNodesToScore)");
  return report;
}

/** The one Pod of the --pod file. */
function loadPod(file: string): Manifest & { kind: "Pod" } {
  const loaded = loadManifestFiles([file]);
  const pods = loaded.manifests.filter((m): m is Manifest & { kind: "Pod" } => m.kind === "Pod");
  const others = [...loaded.manifests.filter((m) => m.kind !== "Pod").map((m) => m.kind), ...loaded.schedulerConfigs.map(() => "KubeSchedulerConfiguration")];
  if (pods.length !== 1 || others.length > 0) {
    const problem: InputProblem = {
      file,
      message: `--pod takes a file holding exactly one Pod (apiVersion: v1, kind: Pod); found ${describeKinds([...pods.map(() => "Pod"), ...others])}`,
    };
    throw new InputError([problem]);
  }
  return pods[0];
}

function describeKinds(kinds: string[]): string {
  if (kinds.length === 0) return "nothing";
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}

/** Selectors of the Services and ReplicaSets in the pod's namespace that select it (as the scheduler's informers give them). */
function workloadSelectors(store: Store, pod: Pod): LabelSelector[] {
  const ns = pod.metadata.namespace;
  const labels = pod.metadata.labels;
  const out: LabelSelector[] = [];
  for (const svc of store.list("Service", ns)) {
    if (matchesMapSelector(svc.spec.selector, labels)) out.push({ matchLabels: { ...svc.spec.selector } });
  }
  for (const rs of store.list("ReplicaSet", ns)) {
    if (matchesLabelSelector(rs.spec.selector, labels)) out.push(rs.spec.selector);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output

/** The JSON printed by `-o json`. */
export function formatExplainJson(r: ExplainReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * One row per node: each score plugin's weighted score (normalised × weight), the total, and the
 * filter verdict; the chosen node is marked with "*". A FailedScheduling line when none fits.
 */
export function formatExplainTable(r: ExplainReport): string {
  const plugins: string[] = [];
  for (const n of r.nodes) for (const s of n.scores) if (!plugins.includes(s.plugin)) plugins.push(s.plugin);
  const feasible = r.nodes.filter((n) => n.feasible).length;
  const header = ["", "NODE", ...plugins, "TOTAL", "FILTERS"];
  const rows = r.nodes.map((n) => {
    const score = (p: string): string => {
      const s = n.scores.find((x) => x.plugin === p);
      return s ? String(s.weighted) : "-";
    };
    return [n.name === r.selected ? "*" : "", n.name, ...plugins.map(score), n.feasible ? String(n.total) : "-", verdict(n)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = (i: number): boolean => i >= 2 && i < header.length - 1;
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const out: string[] = [];
  out.push(`pod ${r.pod}: profile ${r.profile}, ${r.nodes.length} node${r.nodes.length === 1 ? "" : "s"}, ${feasible} feasible`);
  out.push("");
  out.push(line(header));
  for (const row of rows) out.push(line(row));
  out.push("");
  if (r.selected !== null) {
    const total = r.nodes.find((n) => n.name === r.selected)?.total;
    const tie = r.ties ? ` (tied with ${r.ties.filter((t) => t !== r.selected).join(", ")}; picked with seed ${r.seed})` : "";
    out.push(`selected: ${r.selected}, total ${total}${tie}`);
    if (plugins.length > 0) out.push("scores are normalised score × weight; -o json also shows the raw and normalised values");
  } else {
    out.push(`FailedScheduling: ${r.message ?? "no node fits"}`);
  }
  for (const note of r.notes) out.push(`note: ${note}`);
  return `${out.join("\n")}\n`;
}

function verdict(n: NodeDecision): string {
  if (n.feasible) return "passed";
  const failed = n.filters.find((f) => f.status !== "Success") ?? n.filters[n.filters.length - 1];
  if (!failed) return "not evaluated";
  return `${failed.plugin}: ${failed.reasons.join(", ") || failed.status}`;
}
