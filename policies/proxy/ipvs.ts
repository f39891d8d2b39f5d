/**
 * kube-proxy's IPVS mode (pkg/proxy/ipvs/proxier.go): every Service is an IPVS virtual service,
 * every endpoint a real server of weight 1, and the Linux kernel's scheduler (--ipvs-scheduler,
 * default rr) picks one. The semantics below are the kernel's (net/netfilter/ipvs/ip_vs_*.c),
 * restated for simk:
 *
 *  - the destination list is the proxy's endpoint list (ordered by "ip:port"); "first in list
 *    order" wins every tie, as the kernel's scans keep the first minimum they meet;
 *  - a server with weight 0 is quiesced: never picked for a new connection;
 *  - `active[i]` is the proxy's count of requests in flight to endpoint i: the kernel's
 *    activeconns. simk does not model inactive (TIME_WAIT / FIN_WAIT) connections, so inactconns
 *    is always 0 in the connection overhead of lc and wlc;
 *  - the OVERLOAD flag (a server's upper connection threshold) is not modelled: kube-proxy sets
 *    no thresholds.
 *
 * Deliberate simplification: the kernel keeps its destinations in insertion order (new real
 * servers are linked at the list head, and kube-proxy adds them in Go map order), so its list
 * order is not the address order simk uses. Every scheduler here is exact for the list it is given.
 */
import type { Rng } from "../../sim/engine/rng.js";
import type { Balancer, BalancerFactory, EndpointView } from "../../sim/traffic/contract.js";

/** include/net/ip_vs.h ip_vs_dest_conn_overhead: an active connection weighs 256 inactive ones. */
export const IPVS_ACTIVE_OVERHEAD = 256;
/** ip_vs_sh.c / ip_vs_dh.c: CONFIG_IP_VS_SH_TAB_BITS = CONFIG_IP_VS_DH_TAB_BITS = 8. */
export const IPVS_HASH_TABLE_SIZE = 256;
/** include/linux/hash.h GOLDEN_RATIO_32, the multiplier of hash_32. */
const GOLDEN_RATIO_32 = 0x61c88647;
/** The Service virtual IP ipvs-dh hashes when none is given (simk allocates no cluster IPs). */
export const DEFAULT_DH_VIRTUAL_IP = "10.96.0.10";

/**
 * The kernel's hash_32(val, 8): the top 8 bits of val × GOLDEN_RATIO_32 (mod 2³²). Current
 * kernels hash the source address this way in ip_vs_sh_hashkey (plus the source port when the
 * sh-port flag is set, which kube-proxy does not set) and the destination address in
 * ip_vs_dh_hashkey; kernels before 4.7 used (addr × 2654435761) & 255 instead.
 */
export function ipvsHashKey(addr: number): number {
  return Math.imul(addr >>> 0, GOLDEN_RATIO_32) >>> 24;
}

/** "10.244.1.7" → the IPv4 address as an unsigned 32-bit number (host byte order). */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
    n = n * 256 + v;
  }
  return n;
}

/**
 * ip_vs_sh.c ip_vs_sh_reassign: walk the destinations cyclically, giving each one `weight`
 * consecutive buckets (at least one: a weight-0 server still takes a bucket, and the scheduler
 * then refuses it), until all 256 are filled. -1 marks buckets of an empty list.
 */
export function ipvsShTable(weights: ArrayLike<number>, size = IPVS_HASH_TABLE_SIZE): Int32Array {
  const table = new Int32Array(size).fill(-1);
  const n = weights.length;
  if (n === 0) return table;
  let dest = 0;
  let filled = 0;
  for (let b = 0; b < size; b++) {
    table[b] = dest;
    if (++filled >= weights[dest]) {
      dest = (dest + 1) % n;
      filled = 0;
    }
  }
  return table;
}

/** ip_vs_dh.c ip_vs_dh_reassign: bucket b holds destination b mod n (weights are not used). */
export function ipvsDhTable(n: number, size = IPVS_HASH_TABLE_SIZE): Int32Array {
  const table = new Int32Array(size).fill(-1);
  if (n > 0) for (let b = 0; b < size; b++) table[b] = b % n;
  return table;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Shared bookkeeping: the addresses and weights of the destination list. */
abstract class IpvsScheduler implements Balancer {
  abstract readonly name: string;
  protected addresses: string[] = [];
  protected weights = new Int32Array(0);

  setEndpoints(endpoints: readonly EndpointView[], _rng: Rng): void {
    const addresses = endpoints.map((e) => e.address);
    const weights = Int32Array.from(endpoints, (e) => e.weight);
    const changed = !sameDestinations(this.addresses, this.weights, addresses, weights);
    const before = this.addresses;
    this.addresses = addresses;
    this.weights = weights;
    // The kernel's add_dest / del_dest / upd_dest hooks only run when a real server changes.
    if (changed) this.destinationsChanged(before);
  }

  /** The destination list changed (the kernel's add_dest / del_dest / upd_dest hooks). */
  protected destinationsChanged(_before: readonly string[]): void {}

  abstract pick(clientIP: number, rng: Rng, active: ArrayLike<number>): number;
}

function sameDestinations(a: readonly string[], aw: Int32Array, b: readonly string[], bw: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || aw[i] !== bw[i]) return false;
  return true;
}

/**
 * ip_vs_rr.c: the next server with weight > 0 after the last one picked, cyclically. The
 * position is a pointer to the last server picked (initially the list head, so the first pick is
 * the first server); when that server is removed the pointer moves to its predecessor
 * (ip_vs_rr_del_dest), so the rotation continues with the server that followed it.
 */
class IpvsRr extends IpvsScheduler {
  /** Index of the last server picked; -1 = the list head. */
  private pos = -1;

  constructor(readonly name = "ipvs-rr") {
    super();
  }

  protected override destinationsChanged(before: readonly string[]): void {
    const last = this.pos;
    this.pos = -1;
    if (last < 0) return;
    const index = new Map(this.addresses.map((a, i) => [a, i]));
    // The last server picked, or its nearest predecessor that is still there, or the head.
    for (let k = Math.min(last, before.length - 1); k >= 0; k--) {
      const j = index.get(before[k]);
      if (j !== undefined) {
        this.pos = j;
        return;
      }
    }
  }

  pick(): number {
    const w = this.weights;
    const n = w.length;
    // From the entry after the pointer round to the pointer itself, wrapping past the head.
    for (let step = 1; step <= n; step++) {
      const j = (this.pos + step) % n;
      if (w[j] > 0) {
        this.pos = j;
        return j;
      }
    }
    return -1;
  }
}

/**
 * ip_vs_wrr.c: with mw the largest weight, di the gcd of the positive weights and cw the
 * current weight, passes over the list pick every server with weight ≥ cw; after each pass cw
 * drops by di, and below 1 it starts again at mw. The kernel lowers mw by di − 1 so that the
 * last pass is at cw = 1. A change of the destinations moves the pointer back to the list head
 * and keeps cw unless it is now above mw (ip_vs_wrr_dest_changed).
 */
class IpvsWrr extends IpvsScheduler {
  readonly name = "ipvs-wrr";
  /** Index of the current server; -1 = the list head. */
  private cl = -1;
  private cw = 0;
  private mw = 0;
  private di = 1;

  protected override destinationsChanged(): void {
    let g = 0;
    let max = 0;
    for (const w of this.weights) {
      if (w > 0) g = g > 0 ? gcd(w, g) : w;
      if (w > max) max = w;
    }
    this.di = g > 0 ? g : 1;
    this.mw = max - (this.di - 1);
    this.cl = -1;
    if (this.cw > this.mw || this.cw === 0) this.cw = this.mw;
    else if (this.di > 1) this.cw = Math.floor(this.cw / this.di) * this.di + 1;
  }

  pick(): number {
    const w = this.weights;
    const n = w.length;
    if (this.mw <= 0) return -1;
    const last = this.cl;
    let from = this.cl;
    let stop = -2;
    let lastPass = false;
    let restarted = false;
    for (;;) {
      for (let j = from + 1; j < n; j++) {
        if (w[j] >= this.cw) {
          this.cl = j;
          return j;
        }
        if (j === stop) {
          this.cl = j;
          return -1;
        }
      }
      // Past the end of the list: the next pass asks for a lower weight.
      this.cw -= this.di;
      if (this.cw <= 0) {
        this.cw = this.mw;
        if (lastPass || last === -1) {
          this.cl = -1;
          return -1;
        }
        restarted = true;
      }
      lastPass = this.cw <= this.di;
      // A pass for weight ≥ 1 that began after `last` must also cover the servers up to it.
      if (lastPass && restarted && last !== -1) stop = last;
      from = -1;
    }
  }
}

/**
 * ip_vs_lc.c: the server with the least overhead 256 × activeconns + inactconns among those with
 * weight > 0; the first one on ties.
 */
class IpvsLc extends IpvsScheduler {
  readonly name = "ipvs-lc";

  pick(_clientIP: number, _rng: Rng, active: ArrayLike<number>): number {
    const w = this.weights;
    let least = -1;
    let loh = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === 0) continue;
      const doh = IPVS_ACTIVE_OVERHEAD * active[i];
      if (least < 0 || doh < loh) {
        least = i;
        loh = doh;
      }
    }
    return least;
  }
}

/**
 * ip_vs_wlc.c (overhead 256 × active + inactive) and ip_vs_sed.c (overhead active + 1): the least
 * overhead / weight, compared without division as the kernel does — server d beats the current
 * least l when overhead(l) × weight(d) > overhead(d) × weight(l). The first server with weight > 0
 * starts; the first one wins ties; a weight-0 server never wins.
 */
class IpvsWeightedLeast extends IpvsScheduler {
  constructor(
    readonly name: string,
    private readonly perActive: number,
    private readonly base: number,
  ) {
    super();
  }

  pick(_clientIP: number, _rng: Rng, active: ArrayLike<number>): number {
    const w = this.weights;
    const n = w.length;
    let least = 0;
    while (least < n && w[least] <= 0) least++;
    if (least === n) return -1;
    let loh = this.perActive * active[least] + this.base;
    for (let d = least + 1; d < n; d++) {
      const doh = this.perActive * active[d] + this.base;
      if (loh * w[d] > doh * w[least]) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}

/**
 * ip_vs_nq.c: the first idle server (no active connections) with weight > 0 if there is one,
 * else as sed: the least (active + 1) / weight, by the same cross-multiplication.
 */
class IpvsNq extends IpvsScheduler {
  readonly name = "ipvs-nq";

  pick(_clientIP: number, _rng: Rng, active: ArrayLike<number>): number {
    const w = this.weights;
    let least = -1;
    let loh = 0;
    for (let d = 0; d < w.length; d++) {
      if (w[d] === 0) continue;
      const doh = active[d] + 1;
      if (active[d] === 0) return d;
      if (least < 0 || loh * w[d] > doh * w[least]) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}

/**
 * ip_vs_sh.c: a 256-bucket table filled by weight (ipvsShTable), indexed by the hash of the
 * client's source address (ipvsHashKey; the clientIP number is the IPv4 address). The same
 * client always lands on the same server while the list is unchanged; if its bucket's server has
 * weight 0 the connection is refused (-1): kube-proxy does not set the sh-fallback flag.
 */
class IpvsSh extends IpvsScheduler {
  readonly name = "ipvs-sh";
  private table = ipvsShTable([]);

  protected override destinationsChanged(): void {
    this.table = ipvsShTable(this.weights);
  }

  pick(clientIP: number): number {
    const d = this.table[ipvsHashKey(clientIP)];
    return d < 0 || this.weights[d] <= 0 ? -1 : d;
  }
}

/**
 * ip_vs_dh.c: the same kind of table, one bucket per server in turn, indexed by the hash of the
 * destination address. Behind a Service every packet's destination is the Service's virtual IP,
 * so every request from every client lands in one bucket: one endpoint receives all of the
 * Service's traffic from this node (and from every node with the same list) until the list
 * changes. simk allocates no cluster IPs, so the virtual IP is the factory's `virtualIP`.
 */
class IpvsDh extends IpvsScheduler {
  readonly name = "ipvs-dh";
  private table = ipvsDhTable(0);
  private readonly bucket: number;

  constructor(virtualIP: number) {
    super();
    this.bucket = ipvsHashKey(virtualIP);
  }

  protected override destinationsChanged(): void {
    this.table = ipvsDhTable(this.weights.length);
  }

  pick(): number {
    const d = this.table[this.bucket];
    return d < 0 || this.weights[d] <= 0 ? -1 : d;
  }
}

export const ipvsRr: BalancerFactory = { name: "ipvs-rr", create: () => new IpvsRr() };
/** The `lb` workload's `rr` (cyclic from the first endpoint): ipvs-rr under its own name. */
export const rrBalancer: BalancerFactory = { name: "rr", create: () => new IpvsRr("rr") };
export const ipvsWrr: BalancerFactory = { name: "ipvs-wrr", create: () => new IpvsWrr() };
export const ipvsLc: BalancerFactory = { name: "ipvs-lc", create: () => new IpvsLc() };
export const ipvsWlc: BalancerFactory = { name: "ipvs-wlc", create: () => new IpvsWeightedLeast("ipvs-wlc", IPVS_ACTIVE_OVERHEAD, 0) };
export const ipvsSed: BalancerFactory = { name: "ipvs-sed", create: () => new IpvsWeightedLeast("ipvs-sed", 1, 1) };
export const ipvsNq: BalancerFactory = { name: "ipvs-nq", create: () => new IpvsNq() };
export const ipvsSh: BalancerFactory = { name: "ipvs-sh", create: () => new IpvsSh() };

/** ipvs-dh hashing `virtualIP` (the Service's cluster IP) as every request's destination. */
export function ipvsDhBalancer(virtualIP: string = DEFAULT_DH_VIRTUAL_IP): BalancerFactory {
  const vip = ipv4ToNumber(virtualIP);
  return { name: "ipvs-dh", create: () => new IpvsDh(vip) };
}
export const ipvsDh: BalancerFactory = ipvsDhBalancer();

/** By kube-proxy's --ipvs-scheduler name. */
export const IPVS_BALANCERS = {
  rr: ipvsRr,
  wrr: ipvsWrr,
  lc: ipvsLc,
  wlc: ipvsWlc,
  sed: ipvsSed,
  nq: ipvsNq,
  sh: ipvsSh,
  dh: ipvsDh,
} as const satisfies Record<string, BalancerFactory>;
