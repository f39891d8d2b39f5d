/**
 * Which balancer each Service gets: a traffic entry's `balancer` (a registry name, or a user module
 * resolved before the run), else kube-proxy's mode (iptables, nftables, ipvs-<scheduler>).
 *
 * A balancer module (`.ts`, `.mts`, `.js`, `.mjs`, ...) exports `balancer` (one BalancerFactory:
 * `{name, create()}`; policies/proxy/modules.ts loads it). Importing is asynchronous, so the caller
 * resolves the modules first (resolveBalancerModules) and hands them to runScenario
 * (RunOptions.balancers), as for scheduler plugin modules.
 */
import { loadBalancerModule } from "../../policies/proxy/modules.js";
import { BALANCERS, BUILTIN_BALANCER_NAMES, balancerNameForMode } from "../../policies/proxy/registry.js";
import { InputError, type InputProblem } from "../scenario/errors.js";
import type { KubeProxySettings, Scenario, TrafficSpec } from "../scenario/types.js";
import type { BalancerFactory } from "./contract.js";

export const BALANCER_MODULE_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** Balancer names a traffic entry may give. */
export function knownBalancerNames(): readonly string[] {
  return BUILTIN_BALANCER_NAMES;
}

/** Module balancers by absolute module path. */
export type BalancerModules = ReadonlyMap<string, BalancerFactory>;

/** Imports every balancer module the scenario names. Throws InputError naming the entry. */
export async function resolveBalancerModules(scenario: Scenario): Promise<Map<string, BalancerFactory>> {
  const out = new Map<string, BalancerFactory>();
  const problems: InputProblem[] = [];
  for (const t of scenario.traffic ?? []) {
    const ref = t.balancer;
    if (!ref || !("module" in ref) || out.has(ref.module)) continue;
    const where = { file: t.source.file, line: t.source.line, column: t.source.column, path: `${t.source.path}.balancer` };
    let factories: BalancerFactory[];
    try {
      factories = await loadBalancerModule(ref.module, ref.given);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const p of e.problems) problems.push({ ...where, message: p.message.startsWith(ref.given) ? p.message : `${ref.given}: ${p.message}` });
      continue;
    }
    if (factories.length !== 1) {
      problems.push({ ...where, message: `${ref.given}: a traffic entry's balancer module must export exactly one balancer; it exports ${factories.map((f) => f.name).join(", ")}` });
      continue;
    }
    out.set(ref.module, factories[0]);
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** True when the scenario names balancer modules that must be resolved before the run. */
export function needsBalancerModules(scenario: Scenario): boolean {
  return (scenario.traffic ?? []).some((t) => t.balancer !== undefined && "module" in t.balancer);
}

/**
 * The factory for a Service: its traffic entry's balancer, else kube-proxy's. Throws if a module
 * balancer was not resolved.
 */
export function balancerFactoryFor(entry: TrafficSpec | undefined, proxy: KubeProxySettings, modules: BalancerModules | undefined): BalancerFactory {
  const ref = entry?.balancer;
  if (ref && "module" in ref) {
    const f = modules?.get(ref.module);
    if (!f) throw new Error(`balancer module ${ref.given} was not resolved: call resolveBalancerModules and pass RunOptions.balancers`);
    return f;
  }
  const name = ref ? ref.name : balancerNameForMode(proxy.mode, proxy.ipvsScheduler);
  const f = BALANCERS.get(name);
  if (!f) throw new Error(`unknown balancer ${name}`);
  return f;
}
