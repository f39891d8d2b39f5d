/**
 * ImageLocality (pkg/scheduler/framework/plugins/imagelocality/image_locality.go): favours nodes
 * that already hold the pod's container images, scaled down for images present on many nodes.
 *
 * For each container and init container whose image (an untagged name gets ":latest",
 * normalizedImageName) is among the node's `status.images[].names`:
 *   int64(sizeBytes × nodesWithImage / totalNodes)
 * where totalNodes counts every node in the snapshot (not only the feasible ones). The sum is
 * clamped to [23 MiB, 1000 MiB × number of containers] and mapped linearly onto 0..100 with
 * integer division: 100 × (sum − 23 MiB) / (1000 MiB × n − 23 MiB).
 *
 * Upstream reads the snapshot from Score; simk's Score has no handle, so PreScore counts, once per
 * pod, how many nodes hold each of the pod's images, and Score returns 0 if PreScore did not run.
 */
import type { Node, PodSpec } from "../../sim/api/objects.js";
import type { CycleState, FrameworkHandle, NodeInfo, NodeInfoEvents, NodeInfoListener, PodInfo, PreScorePlugin, ScorePlugin, StateData, Status } from "../../sim/scheduler/framework.js";
import { MAX_NODE_SCORE, SUCCESS } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "ImageLocality";
const PRE_SCORE_KEY = "PreScore" + NAME;

const MB = 1024 * 1024;
/** image_locality.go minThreshold: 23 MiB. */
export const MIN_THRESHOLD = 23 * MB;
/** image_locality.go maxContainerThreshold: 1000 MiB per container. */
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** normalizedImageName: append ":latest" when the name has no tag (no ':' after the last '/'). */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? name + ":latest" : name;
}

const nodeImageCache = new WeakMap<Node, ReadonlyMap<string, number>>();

/**
 * The node's images by every name it reports, with their sizes. Node objects are immutable (a
 * change writes a new object), so this is computed once per node version.
 */
export function nodeImages(node: Node): ReadonlyMap<string, number> {
  let m = nodeImageCache.get(node);
  if (!m) {
    const images = new Map<string, number>();
    for (const image of node.status.images ?? []) {
      for (const name of image.names) if (!images.has(name)) images.set(name, image.sizeBytes);
    }
    m = images;
    nodeImageCache.set(node, m);
  }
  return m;
}

/** calculatePriority: the clamped, scaled sum of image scores. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  let sum = sumScores;
  if (sum < MIN_THRESHOLD) sum = MIN_THRESHOLD;
  else if (sum > maxThreshold) sum = maxThreshold;
  if (sum === MIN_THRESHOLD) return 0; // also covers a pod without containers (upstream: 0 / negative = 0)
  return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

/** scaledImageScore: int64(float64(size) × float64(numNodes) / float64(totalNumNodes)). */
export function scaledImageScore(sizeBytes: number, numNodes: number, totalNumNodes: number): number {
  return Math.trunc(sizeBytes * (numNodes / totalNumNodes));
}

/** The pod's normalized image names, init containers first (one entry per container). */
export function podImageNames(spec: PodSpec): string[] {
  const out: string[] = [];
  for (const c of spec.initContainers ?? []) out.push(normalizedImageName(c.image ?? ""));
  for (const c of spec.containers) out.push(normalizedImageName(c.image ?? ""));
  return out;
}

class PreScoreState implements StateData {
  constructor(
    /** One normalized image name per container. */
    readonly images: readonly string[],
    /** For each entry of `images`, how many nodes in the snapshot report it. */
    readonly numNodes: readonly number[],
    readonly totalNumNodes: number,
  ) {
    this.onNoNode = numNodes.every((n) => n === 0);
  }
  /** No node holds any of the images. */
  readonly onNoNode: boolean;
  clone(): StateData {
    return this;
  }
}

/** How many nodes of a live cache report each image name, kept up to date from its changes. */
class ImageSpread implements NodeInfoListener {
  readonly nodesWith = new Map<string, number>();

  constructor(nodes: readonly NodeInfo[]) {
    for (const n of nodes) this.nodeAdded(n);
  }

  nodeAdded(node: NodeInfo): void {
    this.count(node.node, 1);
  }
  nodeUpdated(node: NodeInfo, previous: Node): void {
    if (previous.status.images === node.node.status.images) return;
    this.count(previous, -1);
    this.count(node.node, 1);
  }
  nodeRemoved(node: NodeInfo): void {
    this.count(node.node, -1);
  }
  podAdded(): void {}
  podRemoved(): void {}

  private count(node: Node, delta: number): void {
    for (const name of nodeImages(node).keys()) {
      const n = (this.nodesWith.get(name) ?? 0) + delta;
      if (n === 0) this.nodesWith.delete(name);
      else this.nodesWith.set(name, n);
    }
  }
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  private readonly spreads = new WeakMap<NodeInfoEvents, ImageSpread>();

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], handle: FrameworkHandle): Status {
    const images = podImageNames(pod.pod.spec);
    let numNodes: number[];
    const spread = this.spread(handle);
    if (spread) {
      numNodes = images.map((name) => spread.nodesWith.get(name) ?? 0);
    } else {
      const counts = new Map<string, number>();
      for (const name of images) counts.set(name, 0);
      for (const n of handle.nodes) {
        const held = nodeImages(n.node);
        for (const name of counts.keys()) if (held.has(name)) counts.set(name, counts.get(name)! + 1);
      }
      numNodes = images.map((name) => counts.get(name)!);
    }
    state.write(PRE_SCORE_KEY, new PreScoreState(images, numNodes, handle.nodes.length));
    return SUCCESS;
  }

  /** With a live cache, the image spread kept up to date (built on first use); else undefined. */
  private spread(handle: FrameworkHandle): ImageSpread | undefined {
    const events = handle.cacheEvents;
    if (!events) return undefined;
    let spread = this.spreads.get(events);
    if (!spread) {
      spread = new ImageSpread(handle.nodes);
      events.subscribe(spread);
      this.spreads.set(events, spread);
    }
    return spread;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    // No node holds any of the pod's images: every sum is 0, and so is every score.
    if (!s || s.onNoNode) return 0;
    const held = nodeImages(node.node);
    let sum = 0;
    for (let i = 0; i < s.images.length; i++) {
      const size = held.get(s.images[i]);
      if (size !== undefined) sum += scaledImageScore(size, s.numNodes[i], s.totalNumNodes);
    }
    return calculatePriority(sum, s.images.length);
  }

  /** `score` for every node; when no node holds any of the pod's images (the usual case), all 0 at once. */
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s || s.onNoNode) {
      for (let i = 0; i < nodes.length; i++) scores[i] = 0;
      return;
    }
    for (let i = 0; i < nodes.length; i++) scores[i] = this.score(state, pod, nodes[i]);
  }
}

export const imageLocalityFactory: PluginFactory = {
  name: NAME,
  create: () => new ImageLocality(),
};
