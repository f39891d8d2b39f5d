/**
 * Nodes' topology values as small integers, cached per node, so that PreScore's pass over the
 * candidates does reads from one dense array instead of a label lookup and a string-keyed map
 * lookup per node and constraint. PreScore is bound by memory latency (README), so what matters is
 * how many scattered objects and cache lines it touches per candidate: with this cache it is the
 * NodeInfo (whose identity hash is stored in the object itself), a lookup in one compact table, and
 * one row of adjacent entries — not the node's Node, metadata and labels objects.
 *
 * Each NodeInfo seen gets a number (NodeNumbers), and a row in `entries`: the Node object the row was read from,
 * then per topology key PreScore has asked about the id of the node's value of it (MISSING without
 * the key). A key's values get ids in the order seen ("" is always id 0). A row is re-read when its
 * NodeInfo holds another Node object (the scheduler cache replaces the Node on every update; labels
 * are never changed in place); a new key widens the rows, and all are re-read on next use.
 */
import type { Node } from "../../../sim/api/objects.js";
import type { NodeInfo } from "../../../sim/scheduler/framework.js";
import { labelValue } from "./common.js";

type Labels = Readonly<Record<string, string>>;

/** The entry of a node without the key (as opposed to one whose value is ""). */
export const MISSING = -1;

/** One topology key: its place in the rows, and its values by id. */
export class TopologyKey {
  /** Value by id; values[0] is "". */
  readonly values: string[] = [""];
  private readonly idOfValue = new Map<string, number>([["", 0]]);

  constructor(
    readonly key: string,
    /** Its entry's offset in a row (the Node is at 0). */
    readonly offset: number,
  ) {}

  idOf(labels: Labels | undefined): number {
    const value = labelValue(labels, this.key);
    if (value === undefined) return MISSING;
    let id = this.idOfValue.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.idOfValue.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

/**
 * Small integers for NodeInfos, in the order first seen, shared by TopologyValues (row = number ×
 * width) and PodCountIndex (the dense counts of large label classes), so that PreScore looks a
 * candidate's number up once and uses it for both. Numbers are never reused: they grow with the
 * NodeInfos ever seen (one per node added to the cache), not with pods.
 */
export class NodeNumbers {
  private readonly numbers = new WeakMap<NodeInfo, number>();
  /** Numbers given so far (the next one). */
  size = 0;
  /** The node list `candidates` last saw (the handle's), a copy of it, and its nodes' numbers. */
  private list: readonly NodeInfo[] | undefined;
  private listCopy: readonly NodeInfo[] = [];
  private listNumbers = new Int32Array(0);
  /** Position in listCopy by node number (-1: not in it). */
  private positionOf = new Int32Array(0);
  /** `candidates`' answer, reused (grown, never shrunk): a fresh or emptied array regrows every cycle. */
  private out = new Int32Array(64);

  of(info: NodeInfo): number {
    let no = this.numbers.get(info);
    if (no === undefined) this.numbers.set(info, (no = this.size++));
    return no;
  }

  /**
   * The numbers of `candidates`, like `of` on each (in the first candidates.length entries of the
   * array returned, which is valid until the next call), but mostly without a WeakMap
   * lookup (a probe into a table as large as the cluster, per candidate, every cycle). The
   * scheduler's candidates are nodes of its node list `all` in list order from some start,
   * wrapping, less the infeasible ones; so each is looked for a few places ahead of the one before
   * in a copy of `all`, whose numbers are known. A candidate not found there (the first one, one
   * after a long run of infeasible nodes, or any if the order is different) costs one lookup, and
   * its position in the copy, if there, is where the next search starts. The copy is taken when
   * `all` is another array (the scheduler cache keeps one array while its node set is unchanged);
   * comparing against the copy, not `all`, keeps the numbers right whatever happens to `all`.
   */
  candidates(candidates: readonly NodeInfo[], all: readonly NodeInfo[]): Int32Array {
    if (all !== this.list) this.copy(all);
    if (this.out.length < candidates.length) this.out = new Int32Array(Math.max(candidates.length, 2 * this.out.length));
    const out = this.out;
    const list = this.listCopy;
    const len = list.length;
    const listNumbers = this.listNumbers;
    const positionOf = this.positionOf;
    let next = 0;
    for (let j = 0; j < candidates.length; j++) {
      const info = candidates[j];
      let no = -1;
      for (let step = 0, p = next; step < LOOK_AHEAD && step < len; step++) {
        if (list[p] === info) {
          no = listNumbers[p];
          next = p + 1 === len ? 0 : p + 1;
          break;
        }
        if (++p === len) p = 0;
      }
      if (no < 0) {
        no = this.of(info);
        const p = no < positionOf.length ? positionOf[no] : -1;
        if (p >= 0) next = p + 1 === len ? 0 : p + 1;
      }
      out[j] = no;
    }
    return out;
  }

  private copy(all: readonly NodeInfo[]): void {
    this.list = all;
    this.listCopy = all.slice();
    this.listNumbers = Int32Array.from(all, (info) => this.of(info));
    this.positionOf = new Int32Array(this.size).fill(-1);
    this.listNumbers.forEach((no, p) => (this.positionOf[no] = p));
  }
}

/** How far past the previous candidate's place in the node list the next one is looked for. */
const LOOK_AHEAD = 16;

export class TopologyValues {
  private readonly keys = new Map<string, TopologyKey>();
  private readonly byOffset: TopologyKey[] = [];
  /** Row length: the Node, then one entry per key. */
  private width = 1;
  /** Node number × width: the node's row (absent or stale rows are re-read by `row`). */
  private entries: (Node | number | undefined)[] = [];

  key(topologyKey: string): TopologyKey {
    let k = this.keys.get(topologyKey);
    if (!k) {
      k = new TopologyKey(topologyKey, this.width);
      this.keys.set(topologyKey, k);
      this.byOffset.push(k);
      this.width++;
      this.entries = [];
    }
    return k;
  }

  /** Where the row of the node numbered `no` (NodeNumbers) starts in `entries`, read afresh if stale. */
  row(no: number, info: NodeInfo): number {
    const at = no * this.width;
    const node = info.node;
    if (this.entries[at] !== node) this.read(at, node);
    return at;
  }

  /** The id of the value of `key` in the row at `at`, or MISSING. */
  valueId(at: number, key: TopologyKey): number {
    return this.entries[at + key.offset] as number;
  }

  private read(at: number, node: Node): void {
    const entries = this.entries;
    // Rows are filled in as nodes come; an unseen node's row (and any before it) starts empty.
    while (entries.length < at + this.width) entries.push(undefined);
    entries[at] = node;
    const labels = node.metadata.labels;
    for (const k of this.byOffset) entries[at + k.offset] = k.idOf(labels);
  }
}

/**
 * Per-cycle bookkeeping of one constraint's domains (topology value ids): which are present and
 * their counts. Reused across cycles: `stamp[id] === cycle` marks a present domain, so nothing is
 * cleared between cycles.
 */
export class DomainTally {
  private readonly stamp: number[] = [];
  private cycle = 0;
  /** Count by value id (valid for present ids). */
  readonly count: number[] = [];
  /** Present ids, in the order first marked. */
  readonly present: number[] = [];

  begin(): void {
    this.cycle++;
    this.present.length = 0;
  }

  mark(id: number): void {
    const stamp = this.stamp;
    while (stamp.length <= id) {
      stamp.push(0);
      this.count.push(0);
    }
    if (stamp[id] === this.cycle) return;
    stamp[id] = this.cycle;
    this.count[id] = 0;
    this.present.push(id);
  }

  has(id: number): boolean {
    return id < this.stamp.length && this.stamp[id] === this.cycle;
  }
}
