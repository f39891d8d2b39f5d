/**
 * The balancing policies against hand-worked sequences: the kernel's IPVS schedulers
 * (net/netfilter/ipvs/ip_vs_*.c), the userspace proxier's round robin, and the `lb` workload's
 * least / p2c (../shared/peers/lb/lb_baseline.mjs).
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import {
  DEFAULT_DH_VIRTUAL_IP,
  IPVS_HASH_TABLE_SIZE,
  ipv4ToNumber,
  ipvsDh,
  ipvsDhBalancer,
  ipvsDhTable,
  ipvsHashKey,
  ipvsLc,
  ipvsNq,
  ipvsRr,
  ipvsSed,
  ipvsSh,
  ipvsShTable,
  ipvsWlc,
  ipvsWrr,
  rrBalancer,
} from "../../policies/proxy/ipvs.js";
import { leastBalancer, leastRequestsBalancer, p2cBalancer } from "../../policies/proxy/modern.js";
import { userspaceBalancer } from "../../policies/proxy/userspace.js";
import { BALANCERS, BUILTIN_BALANCER_NAMES, balancerForMode, balancerNameForMode, IPVS_SCHEDULER_NAMES } from "../../policies/proxy/registry.js";
import { balancerWith, letters, picks, views, viewsOf } from "./helpers.js";

const active = (...xs: number[]): Int32Array => Int32Array.from(xs);

describe("ipvs-wrr (ip_vs_wrr.c)", () => {
  it("weights 4, 3, 2: gcd 1, max 4 — cw = 4, 3, 2, 1 gives A | A B | A B C | A B C, period 9", () => {
    // cw = 4: only A (4); cw = 3: A, B; cw = 2: A, B, C; cw = 1: A, B, C; then back to cw = 4.
    const b = balancerWith(ipvsWrr, views(3, [4, 3, 2]));
    expect(letters(picks(b, 18))).toBe("AABABCABC".repeat(2));
  });

  it("weights 4, 2: gcd 2, so mw = 4 − (2 − 1) = 3 and the passes are cw = 3, 1", () => {
    const b = balancerWith(ipvsWrr, views(2, [4, 2]));
    expect(letters(picks(b, 9))).toBe("AAB".repeat(3));
  });

  it("never picks a weight-0 server; all weights 0 means no destination", () => {
    expect(letters(picks(balancerWith(ipvsWrr, views(3, [2, 0, 1])), 6))).toBe("AACAAC");
    expect(picks(balancerWith(ipvsWrr, views(2, [0, 0])), 2)).toEqual([-1, -1]);
  });

  it("a destination change moves the pointer to the head and keeps cw (ip_vs_wrr_dest_changed)", () => {
    const eps = views(3, [4, 3, 2]);
    const b = balancerWith(ipvsWrr, eps);
    expect(letters(picks(b, 2))).toBe("AA"); // now cw = 3, pointer at A
    b.setEndpoints(views(4, [4, 3, 2, 1]), new Rng(1, "x"));
    // From the head with cw = 3: A, B; cw = 2: A, B, C; cw = 1: A, B, C, D; cw = 4: A.
    expect(letters(picks(b, 10))).toBe("ABABCABCDA");
  });

  it("an update that changes nothing keeps the rotation", () => {
    const b = balancerWith(ipvsWrr, views(3, [4, 3, 2]));
    expect(letters(picks(b, 4))).toBe("AABA");
    b.setEndpoints(views(3, [4, 3, 2]).map((e) => ({ ...e, server: e.server + 10 })), new Rng(1, "x"));
    expect(letters(picks(b, 5))).toBe("BCABC");
  });
});

describe("ipvs-rr (ip_vs_rr.c)", () => {
  it("cycles from the first server, skipping weight 0", () => {
    expect(letters(picks(balancerWith(ipvsRr, views(3)), 7))).toBe("ABCABCA");
    expect(letters(picks(balancerWith(ipvsRr, views(4, [1, 0, 1, 1])), 6))).toBe("ACDACD");
  });

  it("continues after the removed server: the pointer moves to its predecessor (ip_vs_rr_del_dest)", () => {
    const a = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"];
    const b = balancerWith(ipvsRr, viewsOf(a));
    expect(picks(b, 2)).toEqual([0, 1]); // .1, .2 — the pointer is at .2
    b.setEndpoints(viewsOf([a[0], a[2], a[3]]), new Rng(1, "x")); // .2 removed
    expect(picks(b, 4).map((i) => [a[0], a[2], a[3]][i])).toEqual([a[2], a[3], a[0], a[2]]);
  });

  it("after removing the last one picked and its predecessor, continues after the nearest survivor", () => {
    const a = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"];
    const b = balancerWith(ipvsRr, viewsOf(a));
    expect(picks(b, 3)).toEqual([0, 1, 2]); // pointer at .3
    const after = [a[0], a[3]];
    b.setEndpoints(viewsOf(after), new Rng(1, "x")); // .2 and .3 removed: pointer at .1
    expect(picks(b, 3).map((i) => after[i])).toEqual([a[3], a[0], a[3]]);
  });

  it("removing the first server when it was the last picked restarts from the head", () => {
    const a = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];
    const b = balancerWith(ipvsRr, viewsOf(a));
    expect(picks(b, 1)).toEqual([0]);
    b.setEndpoints(viewsOf(a.slice(1)), new Rng(1, "x"));
    expect(picks(b, 3)).toEqual([0, 1, 0]);
  });

  it("a server added after the pointer (in address order) comes next", () => {
    const a = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];
    const b = balancerWith(ipvsRr, viewsOf(a));
    expect(picks(b, 2)).toEqual([0, 1]);
    const after = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.25:80", "10.0.0.3:80"];
    b.setEndpoints(viewsOf(after), new Rng(1, "x"));
    expect(picks(b, 3).map((i) => after[i])).toEqual(["10.0.0.25:80", "10.0.0.3:80", "10.0.0.1:80"]);
  });

  it("`rr` (the lb workload's rr) is ipvs-rr under its own name", () => {
    const b = balancerWith(rrBalancer, views(4));
    expect(b.name).toBe("rr");
    expect(picks(b, 9)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
  });
});

describe("least-connection family (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c)", () => {
  const pick = (f: typeof ipvsLc, weights: number[], act: number[]): number =>
    balancerWith(f, views(weights.length, weights)).pick(0, new Rng(1, "x"), active(...act));

  it("lc: least 256 × active (+ 0 inactive), first on ties, weight 0 skipped", () => {
    expect(pick(ipvsLc, [1, 1, 1, 1], [2, 1, 1, 3])).toBe(1);
    expect(pick(ipvsLc, [1, 0, 1, 1], [2, 1, 1, 3])).toBe(2);
    // lc ignores weights: 4 active at weight 100 still loses to 3 at weight 1.
    expect(pick(ipvsLc, [100, 1], [4, 3])).toBe(1);
  });

  it("wlc: least overhead / weight by cross-multiplication", () => {
    // overheads 256, 512, 512 over weights 1, 2, 3: 256, 256, 170.7 → C.
    expect(pick(ipvsWlc, [1, 2, 3], [1, 2, 2])).toBe(2);
    // 256/1 = 512/2: a tie, the first wins (256·2 > 512·1 is false).
    expect(pick(ipvsWlc, [1, 2], [1, 2])).toBe(0);
    // An idle server has overhead 0 whatever its weight.
    expect(pick(ipvsWlc, [1, 3], [0, 1])).toBe(0);
    expect(pick(ipvsWlc, [0, 1], [0, 5])).toBe(1);
  });

  it("sed: least (active + 1) / weight — unlike wlc it counts the incoming request", () => {
    // (0+1)/1 = 1 against (1+1)/3 = 0.67: B, where wlc picks the idle A.
    expect(pick(ipvsSed, [1, 3], [0, 1])).toBe(1);
    // 1/1, 2/2, 4/3: A and B tie at 1, the first wins.
    expect(pick(ipvsSed, [1, 2, 3], [0, 1, 3])).toBe(0);
    // 2/1, 2/2, 2/3 → C.
    expect(pick(ipvsSed, [1, 2, 3], [1, 1, 1])).toBe(2);
  });

  it("nq: the first idle server, else as sed", () => {
    expect(pick(ipvsNq, [1, 3], [0, 1])).toBe(0); // idle A, although sed would pick B
    expect(pick(ipvsNq, [1, 1, 1], [1, 0, 0])).toBe(1); // the first idle one
    expect(pick(ipvsNq, [1, 3], [2, 1])).toBe(1); // none idle: 3/1 against 2/3
    expect(pick(ipvsNq, [0, 1], [0, 4])).toBe(1); // an idle weight-0 server does not count
  });

  it("no endpoints: -1", () => {
    for (const f of [ipvsLc, ipvsWlc, ipvsSed, ipvsNq, ipvsRr, ipvsWrr, ipvsSh, ipvsDh]) expect(balancerWith(f, []).pick(1, new Rng(1, "x"), active())).toBe(-1);
  });
});

describe("ipvs-sh and ipvs-dh (ip_vs_sh.c, ip_vs_dh.c)", () => {
  it("the hash is hash_32(addr, 8): the top byte of addr × 0x61C88647 mod 2³²", () => {
    for (const ip of ["10.0.0.1", "10.240.3.17", "198.18.0.5", "255.255.255.255", "0.0.0.0"]) {
      const n = ipv4ToNumber(ip);
      const expected = Number(((BigInt(n) * 0x61c88647n) % 2n ** 32n) >> 24n);
      expect(ipvsHashKey(n)).toBe(expected);
    }
    expect(ipv4ToNumber("10.0.0.1")).toBe(0x0a000001);
  });

  it("fills the 256 buckets by weight, cyclically; a weight-0 server still takes one bucket", () => {
    const t = ipvsShTable([3, 1, 2]);
    expect(t.length).toBe(IPVS_HASH_TABLE_SIZE);
    expect([...t.slice(0, 12)]).toEqual([0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 2, 2]);
    expect([...t.slice(252)]).toEqual([0, 0, 0, 1]); // 256 = 42 × 6 + 4
    expect([...ipvsShTable([2, 0, 1]).slice(0, 8)]).toEqual([0, 0, 1, 2, 0, 0, 1, 2]);
    expect([...ipvsShTable([1, 1, 1]).slice(0, 6)]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...ipvsDhTable(3).slice(0, 4)]).toEqual([0, 1, 2, 0]);
  });

  it("sh: a client always reaches the same server, the one its bucket holds", () => {
    const weights = [3, 1, 2];
    const b = balancerWith(ipvsSh, views(3, weights));
    const table = ipvsShTable(weights);
    const seen = new Set<number>();
    for (let c = 0; c < 200; c++) {
      const client = ipv4ToNumber("10.240.0.0") + c;
      const first = b.pick(client, new Rng(1, "x"), active(0, 0, 0));
      expect(first).toBe(table[ipvsHashKey(client)]);
      // Load does not matter to sh.
      for (let k = 0; k < 5; k++) expect(b.pick(client, new Rng(k, "y"), active(k, 9, 0))).toBe(first);
      seen.add(first);
    }
    expect(seen).toEqual(new Set([0, 1, 2]));
  });

  it("sh: a client whose bucket holds a weight-0 server is refused (no sh-fallback)", () => {
    const b = balancerWith(ipvsSh, views(3, [2, 0, 1]));
    const table = ipvsShTable([2, 0, 1]);
    let client = 0;
    while (table[ipvsHashKey(client)] !== 1) client++;
    expect(b.pick(client, new Rng(1, "x"), active(0, 0, 0))).toBe(-1);
  });

  it("dh: every request hashes the Service VIP, so one endpoint gets all of them", () => {
    const b = balancerWith(ipvsDh, views(5));
    const expected = ipvsHashKey(ipv4ToNumber(DEFAULT_DH_VIRTUAL_IP)) % 5;
    const chosen = new Set(Array.from({ length: 100 }, (_, c) => b.pick(c * 7919, new Rng(c, "x"), active(c, 0, 0, 0, 0))));
    expect(chosen).toEqual(new Set([expected]));
    const other = balancerWith(ipvsDhBalancer("10.96.0.1"), views(5));
    expect(other.pick(1, new Rng(1, "x"), active(0, 0, 0, 0, 0))).toBe(ipvsHashKey(ipv4ToNumber("10.96.0.1")) % 5);
  });
});

describe("userspace (pkg/proxy/userspace/roundrobin.go)", () => {
  it("shuffles the list with the seeded rng, then cycles from index 0", () => {
    const rng = new Rng(7, "proxy");
    const expectedOrder = new Rng(7, "proxy").shuffle([0, 1, 2, 3, 4]);
    const b = balancerWith(userspaceBalancer, views(5), rng);
    expect(picks(b, 10)).toEqual([...expectedOrder, ...expectedOrder]);
  });

  it("keeps its order and position when the set is unchanged, reshuffles and restarts when it changes", () => {
    const rng = new Rng(3, "proxy");
    const ref = new Rng(3, "proxy");
    const first = ref.shuffle([0, 1, 2, 3]);
    const b = balancerWith(userspaceBalancer, views(4), rng);
    expect(picks(b, 2)).toEqual(first.slice(0, 2));
    b.setEndpoints(views(4), rng); // same set
    expect(picks(b, 2)).toEqual(first.slice(2, 4));
    b.setEndpoints(views(3), rng); // one removed
    const second = ref.shuffle([0, 1, 2]);
    expect(picks(b, 4)).toEqual([...second, second[0]]);
  });
});

describe("least, least-requests and p2c (the lb workload's least and p2c)", () => {
  it("least: fewest in flight, the lowest index on ties (lb_baseline `least`)", () => {
    const b = balancerWith(leastBalancer, views(4));
    expect(picks(b, 5, { active: active(2, 1, 1, 3) })).toEqual([1, 1, 1, 1, 1]);
    expect(picks(b, 1, { active: active(0, 0, 0, 0) })).toEqual([0]);
  });

  it("least-requests: fewest in flight, ties uniformly at random with one draw", () => {
    const b = balancerWith(leastRequestsBalancer, views(5));
    const act = active(2, 1, 1, 5, 1);
    const rng = new Rng(11, "lr");
    const ref = new Rng(11, "lr");
    const tied = [1, 2, 4];
    const got = picks(b, 3000, { rng, active: act });
    for (let k = 0; k < 20; k++) expect(got[k]).toBe(tied[ref.int(3)]);
    const counts = [0, 0, 0, 0, 0];
    for (const i of got) counts[i]++;
    expect(counts[0] + counts[3]).toBe(0);
    // Each tied endpoint: binomial(3000, 1/3), sd 25.8; 5 sd.
    for (const i of tied) expect(Math.abs(counts[i] - 1000)).toBeLessThan(5 * Math.sqrt(3000 * (1 / 3) * (2 / 3)));
    // A unique minimum draws nothing.
    const r = new Rng(5, "z");
    const before = new Rng(5, "z").next();
    expect(b.pick(0, r, active(3, 0, 1, 1, 1))).toBe(1);
    expect(r.next()).toBe(before);
  });

  it("p2c: a = int(n), b = int(n − 1) moved past a, fewer in flight wins, a on a tie — draw for draw as lb_baseline", () => {
    const n = 6;
    const act = active(3, 1, 4, 1, 5, 0);
    const b = balancerWith(p2cBalancer, views(n));
    const rng = new Rng(42, "p2c");
    const ref = new Rng(42, "p2c");
    for (let k = 0; k < 500; k++) {
      // lb_baseline.mjs choose(), case p2c.
      const a = ref.int(n);
      let c = ref.int(n - 1);
      if (c >= a) c++;
      expect(c).not.toBe(a);
      const expected = act[c] < act[a] ? c : a;
      expect(b.pick(0, rng, act)).toBe(expected);
    }
    // All equal: always the first drawn.
    const eq = new Rng(9, "eq");
    const eqRef = new Rng(9, "eq");
    for (let k = 0; k < 50; k++) {
      const a = eqRef.int(n);
      eqRef.int(n - 1);
      expect(b.pick(0, eq, active(2, 2, 2, 2, 2, 2))).toBe(a);
    }
    expect(balancerWith(p2cBalancer, views(1)).pick(0, new Rng(1, "x"), active(9))).toBe(0);
    expect(balancerWith(p2cBalancer, []).pick(0, new Rng(1, "x"), active())).toBe(-1);
  });
});

describe("registry", () => {
  it("has every policy under its own name, and maps kube-proxy modes", () => {
    for (const name of BUILTIN_BALANCER_NAMES) {
      const f = BALANCERS.get(name)!;
      expect(f.name).toBe(name);
      expect(f.create().name).toBe(name);
    }
    expect(BUILTIN_BALANCER_NAMES).toEqual(
      expect.arrayContaining(["iptables", "nftables", "userspace", "least-requests", "p2c", "random", "rr", "least", ...IPVS_SCHEDULER_NAMES.map((s) => `ipvs-${s}`)]),
    );
    expect(balancerForMode("iptables").name).toBe("iptables");
    expect(balancerForMode("nftables").name).toBe("nftables");
    expect(balancerForMode("ipvs").name).toBe("ipvs-rr");
    expect(balancerNameForMode("ipvs", "sh")).toBe("ipvs-sh");
  });

  it("instances are independent (state per proxy and Service)", () => {
    const a = balancerWith(ipvsRr, views(3));
    const b = balancerWith(ipvsRr, views(3));
    expect(picks(a, 2)).toEqual([0, 1]);
    expect(picks(b, 1)).toEqual([0]);
  });
});
