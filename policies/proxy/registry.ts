/**
 * The balancing policies by name, and kube-proxy's modes mapped onto them.
 *
 * | name | what |
 * |---|---|
 * | `iptables` | kube-proxy iptables mode: uniform random (the statistic-rule chain) |
 * | `nftables` | kube-proxy nftables mode: uniform random (numgen random mod n) |
 * | `ipvs-rr`, `ipvs-wrr`, `ipvs-lc`, `ipvs-wlc`, `ipvs-sed`, `ipvs-nq`, `ipvs-sh`, `ipvs-dh` | kube-proxy ipvs mode with that --ipvs-scheduler (the Linux kernel's schedulers) |
 * | `userspace` | the removed userspace proxier: shuffled round robin |
 * | `least-requests` | fewest in flight, random tie-break |
 * | `p2c` | power of two choices (as the `lb` workload) |
 * | `random`, `rr`, `least` | the `lb` workload's policies of those names |
 *
 * User modules (policies/proxy/modules.ts) add their own names.
 */
import type { BalancerFactory } from "../../sim/traffic/contract.js";
import { iptablesBalancer, nftablesBalancer, randomBalancer } from "./iptables.js";
import { ipvsDh, ipvsLc, ipvsNq, ipvsRr, ipvsSed, ipvsSh, ipvsWlc, ipvsWrr, rrBalancer } from "./ipvs.js";
import { leastBalancer, leastRequestsBalancer, p2cBalancer } from "./modern.js";
import { userspaceBalancer } from "./userspace.js";

/** kube-proxy's --proxy-mode values on Linux (pkg/proxy/apis/config/types.go). */
export const PROXY_MODES = ["iptables", "nftables", "ipvs"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** The Linux IPVS schedulers kube-proxy can select with --ipvs-scheduler. */
export const IPVS_SCHEDULER_NAMES = ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh"] as const;
export type IpvsSchedulerName = (typeof IPVS_SCHEDULER_NAMES)[number];

/** pkg/proxy/ipvs/proxier.go: defaultScheduler = "rr". */
export const DEFAULT_IPVS_SCHEDULER: IpvsSchedulerName = "rr";

export const BUILTIN_BALANCERS: readonly BalancerFactory[] = [
  iptablesBalancer,
  nftablesBalancer,
  ipvsRr,
  ipvsWrr,
  ipvsLc,
  ipvsWlc,
  ipvsSed,
  ipvsNq,
  ipvsSh,
  ipvsDh,
  userspaceBalancer,
  leastRequestsBalancer,
  p2cBalancer,
  randomBalancer,
  rrBalancer,
  leastBalancer,
];

export type BalancerRegistry = ReadonlyMap<string, BalancerFactory>;

/** The built-in policies by name. */
export const BALANCERS: BalancerRegistry = new Map(BUILTIN_BALANCERS.map((f) => [f.name, f]));

/** Names of the built-in policies, in the table's order. */
export const BUILTIN_BALANCER_NAMES: readonly string[] = BUILTIN_BALANCERS.map((f) => f.name);

/** The registry name of a kube-proxy mode's policy: "iptables", "nftables" or "ipvs-<scheduler>". */
export function balancerNameForMode(mode: ProxyMode, ipvsScheduler: IpvsSchedulerName = DEFAULT_IPVS_SCHEDULER): string {
  return mode === "ipvs" ? `ipvs-${ipvsScheduler}` : mode;
}

/** The policy kube-proxy in `mode` uses. */
export function balancerForMode(mode: ProxyMode, ipvsScheduler: IpvsSchedulerName = DEFAULT_IPVS_SCHEDULER): BalancerFactory {
  const f = BALANCERS.get(balancerNameForMode(mode, ipvsScheduler));
  if (!f) throw new Error(`no balancer for kube-proxy mode ${mode} (scheduler ${ipvsScheduler})`);
  return f;
}

/** A policy by name, or undefined. */
export function lookupBalancer(name: string, registry: BalancerRegistry = BALANCERS): BalancerFactory | undefined {
  return registry.get(name);
}
