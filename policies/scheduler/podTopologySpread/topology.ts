/**
 * Nodes' topology values as small integers, cached per node, so that PreScore's pass over the
 * candidates does reads from dense arrays instead of a label lookup and a string-keyed map lookup
 * per node and constraint. PreScore is bound by memory latency (README), so what matters is how
 * many scattered objects it touches per candidate: with this cache it is the NodeInfo alone (whose
 * identity hash is stored in the object itself), then a lookup in one compact table and dense
 * arrays, not the node's Node, metadata and labels objects.
 *
 * Each NodeInfo seen gets a number; each topology key PreScore has asked about, an array of value
 * ids by node number; each value of a key, an id ("" is always id 0). A node's entries are re-read
 * when its NodeInfo holds another Node object than the one they were read from (the scheduler
 * cache replaces the Node on every update; labels are never changed in place).
 */
import type { Node } from "../../../sim/api/objects.js";
import type { NodeInfo } from "../../../sim/scheduler/framework.js";
import { labelValue } from "./common.js";

type Labels = Readonly<Record<string, string>>;

/** The entry of a node without the key (as opposed to one whose value is ""). */
export const MISSING = -1;

/** One topology key: its value ids by node number, and its values by id. */
export class TopologyKey {
  /** By node number: the id of the node's value, or MISSING (valid up to the node's `filled`). */
  readonly ids: number[] = [];
  /** Value by id; values[0] is "". */
  readonly values: string[] = [""];
  private readonly idOfValue = new Map<string, number>([["", 0]]);

  constructor(readonly key: string) {}

  read(no: number, labels: Labels | undefined): void {
    const value = labelValue(labels, this.key);
    let id = MISSING;
    if (value !== undefined) {
      id = this.idOfValue.get(value) ?? this.values.length;
      if (id === this.values.length) {
        this.idOfValue.set(value, id);
        this.values.push(value);
      }
    }
    const ids = this.ids;
    while (ids.length <= no) ids.push(MISSING);
    ids[no] = id;
  }
}

export class TopologyValues {
  private readonly keys = new Map<string, TopologyKey>();
  /** In the order added: a node's entries are filled for a prefix of these. */
  private readonly added: TopologyKey[] = [];
  private readonly numbers = new WeakMap<NodeInfo, number>();
  /** By node number: the Node object its entries were read from. */
  private readonly nodeOf: (Node | undefined)[] = [];
  /** By node number: for how many keys (of `added`) its entries are read. */
  private readonly filled: number[] = [];

  key(topologyKey: string): TopologyKey {
    let k = this.keys.get(topologyKey);
    if (!k) {
      k = new TopologyKey(topologyKey);
      this.keys.set(topologyKey, k);
      this.added.push(k);
    }
    return k;
  }

  /** The node's number, with its entries in every key's `ids` up to date. */
  number(info: NodeInfo): number {
    let no = this.numbers.get(info);
    if (no === undefined) {
      no = this.nodeOf.length;
      this.numbers.set(info, no);
      this.nodeOf.push(undefined);
      this.filled.push(0);
    }
    const node = info.node;
    if (this.nodeOf[no] !== node) {
      this.nodeOf[no] = node;
      this.filled[no] = 0;
    }
    if (this.filled[no] < this.added.length) {
      const labels = node.metadata.labels;
      for (let s = this.filled[no]; s < this.added.length; s++) this.added[s].read(no, labels);
      this.filled[no] = this.added.length;
    }
    return no;
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
