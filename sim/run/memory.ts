/**
 * A rough estimate of the JavaScript heap a scenario needs, to warn before a run that would stop
 * with V8's "JavaScript heap out of memory" (a fatal error no code can catch) on a machine whose
 * default heap limit is too small: Node sets it from the physical memory (a quarter, up to 4 GiB
 * on 64-bit), so a 1M-pod scenario that runs on a 16 GiB machine dies on an 8 GiB one.
 */
import type { Manifest, Scenario } from "../scenario/types.js";
import { parseTarget } from "./cluster.js";

/**
 * Live heap per pod, with some headroom: heap sampling at the end of the 30k-pod copy of
 * bench/scale-150k-5k-failures.yaml found about 2.5 KB per pod across the store, the informers,
 * the scheduler, the kubelets and the metrics.
 */
export const HEAP_BYTES_PER_POD = 3 * 1024;
/** Live heap per node (node object, lease, NodeInfo, kubelet, metrics): about 5 KB measured. */
export const HEAP_BYTES_PER_NODE = 8 * 1024;

/** How many pods the scenario asks for at most: workloads' replicas, bare pods, DaemonSets × nodes. */
export function estimatePods(scenario: Scenario): number {
  const nodes = estimateNodes(scenario);
  const replicas = new Map<string, number>();
  let unnamed = 0;
  const count = (m: Manifest): void => {
    // An object with only generateName is a new one at every apply.
    const name = m.metadata.name ?? `${m.metadata.generateName ?? ""}#${unnamed++}`;
    const key = `${m.kind}/${m.metadata.namespace ?? "default"}/${name}`;
    switch (m.kind) {
      case "Deployment":
      case "ReplicaSet":
        replicas.set(key, Math.max(replicas.get(key) ?? 0, m.spec.replicas ?? 1));
        break;
      case "Job":
        // Failed pods are kept and replaced, up to backoffLimit (default 6) of them.
        replicas.set(key, Math.max(replicas.get(key) ?? 0, (m.spec.completions ?? m.spec.parallelism ?? 1) + (m.spec.backoffLimit ?? 6)));
        break;
      case "DaemonSet":
        replicas.set(key, nodes);
        break;
      case "Pod":
        replicas.set(key, 1);
        break;
      default:
        break;
    }
  };
  scenario.manifests.forEach(count);
  for (const a of scenario.timeline) {
    if (a.action === "apply") a.manifests.forEach(count);
    else if (a.action === "scale") {
      // The largest count a workload is ever given.
      const { kind, key: name } = parseTarget(a.target);
      const key = `${kind}/${name}`;
      replicas.set(key, Math.max(replicas.get(key) ?? 0, a.replicas));
    }
  }
  let pods = 0;
  for (const n of replicas.values()) pods += n;
  return pods;
}

/** Nodes from the pools, Node manifests and addNodes actions. */
export function estimateNodes(scenario: Scenario): number {
  let nodes = scenario.nodePools.reduce((n, p) => n + p.count, 0);
  nodes += scenario.manifests.filter((m) => m.kind === "Node").length;
  for (const a of scenario.timeline) if (a.action === "addNodes") nodes += a.count;
  return nodes;
}

/**
 * A warning when the scenario's estimated heap is over 80 % of `heapLimitBytes` (v8's
 * heap_size_limit), with the NODE_OPTIONS setting to run it with; undefined otherwise.
 */
export function heapWarning(scenario: Scenario, heapLimitBytes: number): string | undefined {
  const pods = estimatePods(scenario);
  const nodes = estimateNodes(scenario);
  const needed = pods * HEAP_BYTES_PER_POD + nodes * HEAP_BYTES_PER_NODE;
  if (needed <= 0.8 * heapLimitBytes) return undefined;
  const GiB = 2 ** 30;
  // Room for garbage on top of the live estimate, rounded up to a whole GiB.
  const suggestMiB = Math.ceil((needed * 1.5) / GiB) * 1024;
  return (
    `warning: ${scenario.name} has up to about ${pods.toLocaleString("en-US")} pods on ${nodes.toLocaleString("en-US")} nodes, ` +
    `which needs roughly ${(needed / GiB).toFixed(1)} GiB of JavaScript heap; this Node.js allows ${(heapLimitBytes / GiB).toFixed(1)} GiB. ` +
    `If the run stops with "JavaScript heap out of memory", run it with NODE_OPTIONS=--max-old-space-size=${suggestMiB}\n`
  );
}
