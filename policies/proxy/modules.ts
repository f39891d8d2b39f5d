/**
 * Balancing policies from user modules (a spec.traffic entry's `balancer: path/to/module.ts`). A
 * module exports `balancer` (one BalancerFactory: {name, create()}) or `balancers` (an array of
 * them); see policies/examples/zoneAwareBalancer.ts and policies/examples/README.md. TypeScript
 * modules are imported through tsx's ESM API, JavaScript ones with a plain dynamic import, as
 * scheduler plugin modules are (sim/scheduler/pluginModules.ts).
 *
 * Every problem is an InputError naming the module (and, when known, where it was named) and
 * saying what is expected.
 */
import path from "node:path";
import { describeValue, InputError, type InputProblem } from "../../sim/scenario/errors.js";
import { importUserModule, moduleProblem, registerFactories, type UserModuleRef } from "../../sim/scenario/userModules.js";
import type { BalancerFactory } from "../../sim/traffic/contract.js";
import { BALANCERS, type BalancerRegistry } from "./registry.js";

const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

const EXPECTED =
  'a balancer module exports "balancer" (one BalancerFactory: {name, create()}, create returning {name, setEndpoints(endpoints, rng), pick(clientIP, rng, active)}) or "balancers" (an array of them)';

/** A module to load: its absolute path, the path as the user wrote it, and where (if in a file). */
export type BalancerModuleRef = UserModuleRef;

/**
 * Imports one module and returns its factories, checked for shape. `given` is the path as the
 * user wrote it (default: `file`). Throws InputError.
 */
export async function loadBalancerModule(file: string, given: string = file): Promise<BalancerFactory[]> {
  const problems: InputProblem[] = [];
  const factories = await load({ module: path.resolve(file), given }, (p) => problems.push(p));
  if (problems.length > 0) throw new InputError(problems);
  return factories;
}

/**
 * Imports the modules in order and returns `base` plus their factories. A name that is a built-in
 * policy's, or another module's, is an error. Throws InputError with every problem found.
 */
export async function loadBalancerModules(refs: readonly BalancerModuleRef[], base: BalancerRegistry = BALANCERS): Promise<Map<string, BalancerFactory>> {
  const registry = new Map(base);
  const owner = new Map<string, string>();
  const problems: InputProblem[] = [];
  const reserved = (name: string): string | undefined => (base.has(name) ? "a built-in policy" : undefined);
  for (const ref of refs) {
    const problem = moduleProblem(ref, (p) => problems.push(p));
    const factories = await load(ref, (p) => problems.push(p));
    registerFactories(registry, owner, factories, ref, "balancer", reserved, problem);
  }
  if (problems.length > 0) throw new InputError(problems);
  return registry;
}

async function load(ref: BalancerModuleRef, push: (p: InputProblem) => void): Promise<BalancerFactory[]> {
  const problem = moduleProblem(ref, push);
  const mod = await importUserModule(ref, "balancer", problem, EXPECTED);
  return mod ? factoriesOf(mod, problem) : [];
}

function factoriesOf(mod: Record<string, unknown>, problem: (message: string) => void): BalancerFactory[] {
  const hasOne = mod.balancer !== undefined;
  const hasMany = mod.balancers !== undefined;
  if (!hasOne && !hasMany) {
    const exported = Object.keys(mod).filter((k) => k !== "__esModule" && k !== "default");
    problem(`${EXPECTED}; this one exports ${exported.length > 0 ? exported.map((k) => JSON.stringify(k)).join(", ") : "nothing"}`);
    return [];
  }
  const out: BalancerFactory[] = [];
  const seen = new Set<string>();
  const check = (value: unknown, what: string): void => {
    const f = value as Partial<BalancerFactory> | undefined;
    const ok = typeof f === "object" && f !== null && typeof f.name === "string" && NAME.test(f.name) && typeof f.create === "function";
    if (!ok) {
      problem(`${what} is not a BalancerFactory (${EXPECTED}; the name is letters, digits, "-", "_", "."); got ${describeValue(value)}`);
      return;
    }
    if (seen.has(f.name!)) {
      problem(`${what}: balancer ${JSON.stringify(f.name)} is exported twice`);
      return;
    }
    seen.add(f.name!);
    out.push(f as BalancerFactory);
  };
  if (hasOne) check(mod.balancer, '"balancer"');
  if (hasMany) {
    if (!Array.isArray(mod.balancers)) problem(`"balancers" must be an array of BalancerFactory; got ${describeValue(mod.balancers)}`);
    else mod.balancers.forEach((f, i) => check(f, `balancers[${i}]`));
  }
  return out;
}
