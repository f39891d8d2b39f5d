import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explain, formatExplainTable } from "../../sim/cli/explain.js";
import { main } from "../../sim/cli/main.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const DIR = new URL("../../scenarios/explain/", import.meta.url).pathname;
const NODES = join(DIR, "nodes.yaml");
const POD = join(DIR, "pod.yaml");
const CONFIG = join(DIR, "sched-config.yaml");

const tempDir = useTempDirs("simk-explain-");
const captured = captureOutput();

// The bundled example (scenarios/explain/): the pod web-0 requests cpu 1, memory 1Gi.
//   node-a  4 CPU, 8Gi;  api-0 uses 1 CPU, 2Gi      → with the pod: cpu 2000/4000, memory 3Gi/8Gi
//   node-b  4 CPU, 8Gi;  batch-0 uses 2500m, 1Gi    → with the pod: cpu 3500/4000, memory 2Gi/8Gi
//   node-c  2 CPU, 4Gi;  cache-0 uses 1500m, 1Gi    → 500m free < 1 CPU: "Insufficient cpu"
//   node-d  8 CPU, 16Gi; taint dedicated=gpu:NoSchedule, not tolerated
// Filters run in profile order and stop at the first failure. NodeAffinity, NodePorts,
// PodTopologySpread and InterPodAffinity have nothing to check for this pod: their PreFilter
// returns Skip, so their Filter does not run (nor, by PreScore Skip, their Score).
const passed = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeResourcesFit"].map((plugin) => ({ plugin, status: "Success", reasons: [] }));
const upToTaints = passed.slice(0, 2);

describe("simk explain on the bundled example", () => {
  it("default configuration: JSON with every plugin's raw, normalised and weighted score", async () => {
    expect(await main(["explain", NODES, "--pod", POD, "-o", "json"])).toBe(0);
    const report = JSON.parse(captured.out);
    expect(report).toEqual({
      pod: "default/web-0",
      profile: "default-scheduler",
      seed: 1,
      nodes: [
        {
          name: "node-a",
          filters: passed,
          feasible: true,
          scores: [
            // No PreferNoSchedule taint on any feasible node: raw 0; DefaultNormalizeScore with
            // reverse and max 0 gives 100; × weight 3.
            { plugin: "TaintToleration", raw: 0, normalized: 100, weight: 3, weighted: 300 },
            // LeastAllocated: cpu (4000 − 2000) × 100 / 4000 = 50; memory (8 − 3) × 100 / 8 = 62.5 → 62;
            // mean (50 + 62) / 2 = 56 (integer division).
            { plugin: "NodeResourcesFit", raw: 56, normalized: 56, weight: 1, weighted: 56 },
            // Fractions 0.5 and 0.375: std = |0.5 − 0.375| / 2 = 0.0625; (1 − 0.0625) × 100 = 93.75 → 93.
            { plugin: "NodeResourcesBalancedAllocation", raw: 93, normalized: 93, weight: 1, weighted: 93 },
            // The nodes report no images.
            { plugin: "ImageLocality", raw: 0, normalized: 0, weight: 1, weighted: 0 },
          ],
          total: 449, // 300 + 56 + 93 + 0
        },
        {
          name: "node-b",
          filters: passed,
          feasible: true,
          scores: [
            { plugin: "TaintToleration", raw: 0, normalized: 100, weight: 3, weighted: 300 },
            // cpu (4000 − 3500) × 100 / 4000 = 12.5 → 12; memory (8 − 2) × 100 / 8 = 75; (12 + 75) / 2 = 43.
            { plugin: "NodeResourcesFit", raw: 43, normalized: 43, weight: 1, weighted: 43 },
            // Fractions 0.875 and 0.25: std = 0.3125; 68.75 → 68.
            { plugin: "NodeResourcesBalancedAllocation", raw: 68, normalized: 68, weight: 1, weighted: 68 },
            { plugin: "ImageLocality", raw: 0, normalized: 0, weight: 1, weighted: 0 },
          ],
          total: 411, // 300 + 43 + 68 + 0
        },
        {
          name: "node-c",
          filters: [...passed.slice(0, 3), { plugin: "NodeResourcesFit", status: "Unschedulable", reasons: ["Insufficient cpu"] }],
          feasible: false,
          scores: [],
          total: 0,
        },
        {
          name: "node-d",
          filters: [...upToTaints, { plugin: "TaintToleration", status: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {dedicated: gpu}"] }],
          feasible: false,
          scores: [],
          total: 0,
        },
      ],
      selected: "node-a", // 449 > 411
      notes: [],
    });
  });

  it("with the bin-packing configuration the pod goes to the fuller node", async () => {
    expect(await main(["explain", NODES, "--pod", POD, "--config", CONFIG, "-o", "json"])).toBe(0);
    const report = JSON.parse(captured.out);
    const scores = (name: string) => report.nodes.find((n: { name: string }) => n.name === name);
    // NodeResourcesFit at score with weight 5 comes first (explicitly configured), then the other
    // default score plugins; NodeResourcesBalancedAllocation's score is disabled.
    expect(scores("node-a").scores).toEqual([
      // MostAllocated: cpu 2000 × 100 / 4000 = 50; memory 3 × 100 / 8 = 37.5 → 37; (50 + 37) / 2 = 43.5 → 43; × 5 = 215.
      { plugin: "NodeResourcesFit", raw: 43, normalized: 43, weight: 5, weighted: 215 },
      { plugin: "TaintToleration", raw: 0, normalized: 100, weight: 3, weighted: 300 },
      { plugin: "ImageLocality", raw: 0, normalized: 0, weight: 1, weighted: 0 },
    ]);
    expect(scores("node-a").total).toBe(515); // 215 + 300 + 0
    expect(scores("node-b").scores).toEqual([
      // cpu 3500 × 100 / 4000 = 87.5 → 87; memory 2 × 100 / 8 = 25; (87 + 25) / 2 = 56; × 5 = 280.
      { plugin: "NodeResourcesFit", raw: 56, normalized: 56, weight: 5, weighted: 280 },
      { plugin: "TaintToleration", raw: 0, normalized: 100, weight: 3, weighted: 300 },
      { plugin: "ImageLocality", raw: 0, normalized: 0, weight: 1, weighted: 0 },
    ]);
    expect(scores("node-b").total).toBe(580); // 280 + 300 + 0
    expect(report.selected).toBe("node-b");
  });

  it("the table marks the chosen node and gives each plugin's weighted score", async () => {
    expect(await main(["explain", NODES, "--pod", POD])).toBe(0);
    expect(captured.out).toBe(
      [
        "pod default/web-0: profile default-scheduler, 4 nodes, 2 feasible",
        "",
        "   NODE    TaintToleration  NodeResourcesFit  NodeResourcesBalancedAllocation  ImageLocality  TOTAL  FILTERS",
        "*  node-a              300                56                               93              0    449  passed",
        "   node-b              300                43                               68              0    411  passed",
        "   node-c                -                 -                                -              -      -  NodeResourcesFit: Insufficient cpu",
        "   node-d                -                 -                                -              -      -  TaintToleration: node(s) had untolerated taint {dedicated: gpu}",
        "",
        "selected: node-a, total 449",
        "scores are normalised score × weight; -o json also shows the raw and normalised values",
        "",
      ].join("\n"),
    );
  });

  it("no node fits: a FailedScheduling line and exit status 1", async () => {
    const dir = tempDir();
    const pod = join(dir, "big.yaml");
    writeFileSync(pod, readFileSync(POD, "utf8").replace('cpu: "1", memory: 1Gi', 'cpu: "5", memory: 1Gi'));
    expect(await main(["explain", NODES, "--pod", pod])).toBe(1);
    expect(captured.out).toContain("  NODE    TOTAL  FILTERS\n  node-a      -  NodeResourcesFit: Insufficient cpu\n");
    expect(captured.out).toContain("FailedScheduling: 0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu.\n");
    expect(captured.out).toContain("note: PostFilter (preemption) is not simulated by explain");
    const report = await explain({ files: [NODES], pod });
    expect(report.selected).toBeNull();
    expect(report.nodes.every((n) => !n.feasible && n.scores.length === 0)).toBe(true);
  });
});

describe("simk explain: the pod goes through the run's admission and defaulting", () => {
  const node = (name: string, taints = "") => `apiVersion: v1
kind: Node
metadata: {name: ${name}, labels: {kubernetes.io/hostname: ${name}}}
${taints ? `spec:\n  taints: ${taints}\n` : ""}status:
  allocatable: {cpu: "4", memory: 8Gi}
`;
  const podYaml = (extra = "") => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
${extra}  containers: [{name: c, image: c:1}]
`;

  it("DefaultTolerationSeconds lets the pod past an unreachable:NoExecute taint; the non-zero request defaults apply", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nodes.yaml"), [node("n1", "[{key: node.kubernetes.io/unreachable, effect: NoExecute}]"), node("n2", "[{key: other, effect: NoExecute}]")].join("---\n"));
    writeFileSync(join(dir, "pod.yaml"), podYaml());
    const report = await explain({ files: [join(dir, "nodes.yaml")], pod: join(dir, "pod.yaml") });
    expect(report.nodes.map((n) => [n.name, n.feasible])).toEqual([
      ["n1", true],
      ["n2", false],
    ]);
    expect(report.selected).toBe("n1");
    // A pod without requests scores with 100m CPU and 200Mi: (4000 − 100) × 100 / 4000 = 97.5 → 97;
    // (8192 − 200) × 100 / 8192 = 97.56 → 97; (97 + 97) / 2 = 97.
    expect(report.nodes[0].scores.find((s) => s.plugin === "NodeResourcesFit")?.raw).toBe(97);
  });

  it("Priority admission: an unknown PriorityClass is an input error", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nodes.yaml"), node("n1"));
    writeFileSync(join(dir, "pod.yaml"), podYaml("  priorityClassName: nope\n"));
    expect(await main(["explain", join(dir, "nodes.yaml"), "--pod", join(dir, "pod.yaml")])).toBe(2);
    expect(captured.err).toMatch(/pod\.yaml: .*priorityClassName: no PriorityClass named "nope"|no PriorityClass with name nope/);
  });

  it("ties are broken with the seed, deterministically", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nodes.yaml"), ["a", "b", "c", "d"].map((n) => node(n)).join("---\n"));
    writeFileSync(join(dir, "pod.yaml"), podYaml());
    const picks = new Set<string | null>();
    for (let seed = 1; seed <= 20; seed++) {
      const r = await explain({ files: [join(dir, "nodes.yaml")], pod: join(dir, "pod.yaml"), seed });
      expect(r.ties).toEqual(["a", "b", "c", "d"]);
      const again = await explain({ files: [join(dir, "nodes.yaml")], pod: join(dir, "pod.yaml"), seed });
      expect(again.selected).toBe(r.selected);
      picks.add(r.selected);
    }
    expect(picks.size).toBeGreaterThan(1);
    const r = await explain({ files: [join(dir, "nodes.yaml")], pod: join(dir, "pod.yaml"), seed: 3 });
    expect(formatExplainTable(r)).toMatch(new RegExp(`selected: ${r.selected}, total \\d+ \\(tied with .*; picked with seed 3\\)`));
  });
});

describe("simk explain: input errors", () => {
  it("the pod's schedulerName needs a profile", async () => {
    const dir = tempDir();
    const pod = join(dir, "pod.yaml");
    writeFileSync(pod, readFileSync(POD, "utf8").replace("spec:\n", "spec:\n  schedulerName: bin-packing\n"));
    expect(await main(["explain", NODES, "--pod", pod])).toBe(2);
    expect(captured.err).toContain(`error: ${pod}: spec.schedulerName "bin-packing" has no profile in the scheduler configuration (profiles: default-scheduler); no scheduler would pick this pod up (give one with --config)`);
  });

  it("--pod needs exactly one Pod; --config a KubeSchedulerConfiguration", async () => {
    expect(await main(["explain", NODES, "--pod", NODES])).toBe(2);
    expect(captured.err).toContain(`error: ${NODES}: --pod takes a file holding exactly one Pod (apiVersion: v1, kind: Pod); found 3 Pod, 4 Node`);
    captured.err = "";
    expect(await main(["explain", NODES, "--pod", POD, "--config", POD])).toBe(2);
    expect(captured.err).toContain(`error: ${POD}: --config takes a file holding one KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1); found Pod`);
  });

  it("a bad configuration is reported with file:line:column", async () => {
    const dir = tempDir();
    const config = join(dir, "c.yaml");
    writeFileSync(config, readFileSync(CONFIG, "utf8").replace("weight: 5", "weight: 500"));
    expect(await main(["explain", NODES, "--pod", POD, "--config", config])).toBe(2);
    expect(captured.err).toBe(`error: ${config}:12:21: profiles[0].plugins.score.enabled[0].weight: weight must be between 1 and 100 (0 or unset means 1), got 500\n`);
  });

  it("--pod is required; -o takes json or table", async () => {
    expect(await main(["explain", NODES])).toBe(2);
    expect(captured.err).toMatch(/required option '--pod <file>' not specified/);
    expect(await main(["explain", NODES, "--pod", POD, "-o", "yaml"])).toBe(2);
    expect(captured.err).toMatch(/Allowed choices are table, json/);
  });

  it("help shows examples", async () => {
    expect(await main(["explain", "--help"])).toBe(0);
    expect(captured.out).toContain("Examples:\n  simk explain scenarios/explain/nodes.yaml --pod scenarios/explain/pod.yaml\n");
  });
});
