/**
 * Matching-pod counts over a whole scheduler cache, kept up to date from the cache's change
 * notifications (FrameworkHandle.cacheEvents), so that PreScore's counts cost O(candidate nodes)
 * per cycle instead of a pass over every pod of every node (upstream's countPodsMatchSelector in a
 * loop over all nodes, which makes each cycle O(pods) and a whole run O(pods²)).
 *
 * Pods are grouped into label classes: pods of one namespace with equal labels (the pods of a
 * ReplicaSet share their template's labels) match the same selectors. The index keeps each class's
 * count on every node it has pods on and, for each topology key PreScore has asked about, its
 * count per value of that key over all nodes ("" for nodes without the key). Terminating pods are not counted, as in
 * countMatchingPods. The counts are exactly countMatchingPods' sums, in integers.
 *
 * PreScore asks for a class's count on each of hundreds of candidates per cycle. A Map keyed by
 * NodeInfo answers with a probe into a large hash table per candidate, so a large class (a
 * Deployment's pods) also keeps its per-node counts in a dense array indexed by node number
 * (NodeNumbers, shared with TopologyValues): one read at a number PreScore already has. Small
 * classes keep only the Map: a StatefulSet-like workload gives every pod its own labels, and an
 * array per such class would cost classes × nodes.
 */
import type { Node } from "../../../sim/api/objects.js";
import type { NodeInfo, NodeInfoListener, PodInfo } from "../../../sim/scheduler/framework.js";
import { labelValue, type PodSelector } from "./common.js";
import { NodeNumbers } from "./topology.js";

type Labels = Readonly<Record<string, string>>;

/** Pods of one namespace with one set of labels. */
export class LabelClass {
  /** The class's pods per node (nodes without any are absent). */
  readonly perNode = new Map<NodeInfo, number>();
  /**
   * While the class is large: perNode again, by node number (0 past the end). perNode stays the
   * record (domains and node label changes walk it); this is the copy PreScore reads.
   */
  dense: Int32Array | undefined = undefined;
  /** Per topology key asked about: value → count of this class's pods on nodes with that value. */
  readonly domains = new Map<string, Map<string, number>>();
  /** Pods of the class in the cache (not terminating). */
  size = 0;
  /** False once swept from the index (a new class replaces it if its pods come back). */
  live = true;

  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly labels: Labels | undefined,
  ) {}
}

const NO_LABELS_KEY = "";

/** A stable key of a label set: equal sets, equal keys, whatever the insertion order. */
function labelsKey(labels: Labels | undefined): string {
  if (!labels) return NO_LABELS_KEY;
  const keys = Object.keys(labels).sort();
  let out = "";
  for (const k of keys) out += `${k}\u0000${labels[k]}\u0001`;
  return out;
}

/** Pods a class needs for a dense count array; it is dropped below half that (no flapping at the edge). */
export const DENSE_MIN_PODS = 64;

const valueOn = (node: Node, key: string): string => labelValue(node.metadata.labels, key) ?? "";

export class PodCountIndex implements NodeInfoListener {
  private readonly classes = new Map<string, LabelClass>();
  /** Label keys by labels object: template labels are shared by all the pods of a ReplicaSet. */
  private readonly keyOfLabels = new WeakMap<Labels, string>();
  /** The class last found for a labels object (checked for namespace and liveness before use). */
  private readonly classOfLabels = new WeakMap<Labels, LabelClass>();
  /** Selector (and namespace) → the classes it matches, valid while no class is added or dropped. */
  private readonly matching = new Map<string, { version: number; classes: LabelClass[] }>();
  private classesVersion = 0;
  /** Classes left without pods; swept once they outnumber the others (pods with per-pod labels). */
  private emptyClasses = 0;

  /**
   * Builds the index from the nodes of the cache (each with its pods). `numbers` numbers the nodes
   * for the dense counts (the caller's, to share the numbers); `denseMinPods` is for tests.
   */
  constructor(
    nodes: readonly NodeInfo[],
    private readonly numbers = new NodeNumbers(),
    private readonly denseMinPods = DENSE_MIN_PODS,
  ) {
    for (const node of nodes) for (const pod of node.pods.values()) this.podAdded(node, pod);
  }

  // --- queries ---------------------------------------------------------------------------------

  /** The classes whose pods `selector` counts in namespace `ns`. */
  classesMatching(selector: PodSelector, ns: string): readonly LabelClass[] {
    if (selector.empty || selector.nothing) return [];
    const key = `${ns}\u0000${selector.key}`;
    const hit = this.matching.get(key);
    if (hit && hit.version === this.classesVersion) return hit.classes;
    const classes: LabelClass[] = [];
    for (const c of this.classes.values()) if (c.namespace === ns && selector.matches(c.labels)) classes.push(c);
    this.matching.set(key, { version: this.classesVersion, classes });
    return classes;
  }

  /** Pods of these classes on the node numbered `no`: countMatchingPods(node, selector, ns). */
  nodeCount(classes: readonly LabelClass[], node: NodeInfo, no: number): number {
    let n = 0;
    for (let i = 0; i < classes.length; i++) {
      const c = classes[i];
      const dense = c.dense;
      if (dense === undefined) n += c.perNode.get(node) ?? 0;
      else if (no < dense.length) n += dense[no];
    }
    return n;
  }

  /** The node number of `node` (the numbering `nodeCount` takes). */
  numberOf(node: NodeInfo): number {
    return this.numbers.of(node);
  }

  /** Pods of these classes on all nodes whose label `topologyKey` is `value` ("" for nodes without it). */
  domainCount(classes: readonly LabelClass[], topologyKey: string, value: string): number {
    let n = 0;
    for (let i = 0; i < classes.length; i++) n += this.domainsOf(classes[i], topologyKey).get(value) ?? 0;
    return n;
  }

  private domainsOf(c: LabelClass, topologyKey: string): Map<string, number> {
    let domains = c.domains.get(topologyKey);
    if (!domains) {
      // First question about this key: count the class's pods per value once.
      domains = new Map();
      for (const [node, n] of c.perNode) add(domains, valueOn(node.node, topologyKey), n);
      c.domains.set(topologyKey, domains);
    }
    return domains;
  }

  // --- cache notifications ---------------------------------------------------------------------

  nodeAdded(): void {}

  nodeRemoved(): void {
    // Its pods were removed first.
  }

  nodeUpdated(node: NodeInfo, previous: Node): void {
    const before = previous.metadata.labels;
    const after = node.node.metadata.labels;
    if (before === after) return;
    for (const c of this.classes.values()) {
      const n = c.perNode.get(node);
      if (n === undefined) continue;
      for (const [key, domains] of c.domains) {
        const from = labelValue(before, key) ?? "";
        const to = labelValue(after, key) ?? "";
        if (from === to) continue;
        add(domains, from, -n);
        add(domains, to, n);
      }
    }
  }

  podAdded(node: NodeInfo, pod: PodInfo): void {
    this.count(node, pod, 1);
  }

  podRemoved(node: NodeInfo, pod: PodInfo): void {
    this.count(node, pod, -1);
  }

  /** A new object of a pod: counted again only if what `count` reads of it changed. */
  podUpdated(node: NodeInfo, old: PodInfo, updated: PodInfo): void {
    const a = old.pod.metadata;
    const b = updated.pod.metadata;
    if (a.labels === b.labels && a.namespace === b.namespace && (a.deletionTimestamp === undefined) === (b.deletionTimestamp === undefined)) return;
    this.count(node, old, -1);
    this.count(node, updated, 1);
  }

  private count(node: NodeInfo, pod: PodInfo, delta: 1 | -1): void {
    const meta = pod.pod.metadata;
    if (meta.deletionTimestamp !== undefined) return;
    const c = this.classOf(meta.namespace ?? "", meta.labels);
    if (c.size === 0) this.emptyClasses--;
    c.size += delta;
    if (c.size === 0) this.emptyClasses++;
    const n = (c.perNode.get(node) ?? 0) + delta;
    if (n === 0) c.perNode.delete(node);
    else c.perNode.set(node, n);
    if (c.dense !== undefined) {
      if (c.size < this.denseMinPods / 2) c.dense = undefined;
      else this.setDense(c, this.numbers.of(node), n);
    } else if (c.size >= this.denseMinPods) {
      c.dense = new Int32Array(this.numbers.size);
      for (const [info, m] of c.perNode) this.setDense(c, this.numbers.of(info), m);
    }
    for (const [key, domains] of c.domains) add(domains, valueOn(node.node, key), delta);
    if (this.emptyClasses > 1024 && this.emptyClasses * 2 > this.classes.size) this.sweep();
  }

  /** c.dense[no] = n, growing the array to cover every node numbered so far if `no` is past its end. */
  private setDense(c: LabelClass, no: number, n: number): void {
    let dense = c.dense!;
    if (no >= dense.length) {
      const grown = new Int32Array(Math.max(no + 1, this.numbers.size, dense.length * 2));
      grown.set(dense);
      c.dense = dense = grown;
    }
    dense[no] = n;
  }

  private classOf(namespace: string, labels: Labels | undefined): LabelClass {
    const known = labels ? this.classOfLabels.get(labels) : undefined;
    if (known !== undefined && known.live && known.namespace === namespace) return known;
    const c = this.findOrAddClass(namespace, labels);
    if (labels) this.classOfLabels.set(labels, c);
    return c;
  }

  private findOrAddClass(namespace: string, labels: Labels | undefined): LabelClass {
    let lk = labels ? this.keyOfLabels.get(labels) : NO_LABELS_KEY;
    if (lk === undefined) {
      lk = labelsKey(labels);
      this.keyOfLabels.set(labels!, lk);
    }
    const key = `${namespace}\u0000${lk}`;
    let c = this.classes.get(key);
    if (!c) {
      c = new LabelClass(key, namespace, labels);
      this.classes.set(key, c);
      this.emptyClasses++;
      this.classesVersion++;
    }
    return c;
  }

  /** Forgets the classes without pods (a class stays while empty, as a pod whose labels change, or that is assumed again, may return to it). */
  private sweep(): void {
    for (const c of this.classes.values()) {
      if (c.size !== 0) continue;
      this.classes.delete(c.key);
      c.live = false;
    }
    this.emptyClasses = 0;
    this.classesVersion++;
  }
}

function add(m: Map<string, number>, key: string, delta: number): void {
  const n = (m.get(key) ?? 0) + delta;
  if (n === 0) m.delete(key);
  else m.set(key, n);
}
