/**
 * Custom scheduler plugins from user modules (spec.schedulerPlugins, or --plugin on the command
 * line). A module exports `factory` (one PluginFactory) or `factories` (an array of them); see
 * policies/examples/ and the README section "Writing a scheduler plugin". TypeScript modules are
 * imported through tsx's ESM API, JavaScript ones with a plain dynamic import.
 *
 * Every problem is an InputError naming the module (and, for spec.schedulerPlugins, the line that
 * names it) and saying what is expected.
 */
import path from "node:path";
import { IN_TREE_PLUGIN_NAMES, NOT_MODELLED } from "../../policies/scheduler/registry.js";
import { describeValue, InputError, type InputProblem } from "../scenario/errors.js";
import type { PluginModuleRef } from "../scenario/types.js";
import { importUserModule, moduleProblem, registerFactories } from "../scenario/userModules.js";
import type { PluginFactory, Registry } from "./registry.js";

const EXPECTED =
  'a scheduler plugin module exports "factory" (one PluginFactory: {name, args?, create(args)}) or "factories" (an array of them)';

/** A module given on the command line: resolved against the working directory. */
export function commandLineModule(given: string, cwd = process.cwd()): PluginModuleRef {
  return { module: path.resolve(cwd, given), given };
}

/**
 * Imports the modules in order and returns `base` plus their factories. A factory whose name is an
 * in-tree plugin's, or another module's, is an error. Throws InputError.
 */
export async function loadPluginModules(refs: readonly PluginModuleRef[], base: Registry): Promise<Registry> {
  const registry = new Map(base);
  const owner = new Map<string, string>();
  const problems: InputProblem[] = [];
  const reserved = (name: string): string | undefined =>
    IN_TREE_PLUGIN_NAMES.includes(name) || NOT_MODELLED.has(name) ? "an in-tree Kubernetes plugin" : undefined;
  for (const ref of refs) {
    const problem = moduleProblem(ref, (p) => problems.push(p));
    const mod = await importUserModule(ref, "plugin", problem);
    if (mod) registerFactories(registry, owner, factoriesOf(mod, problem), ref, "plugin", reserved, problem);
  }
  if (problems.length > 0) throw new InputError(problems);
  return registry;
}

/** The module's factories, checked for shape; problems are reported through `problem`. */
function factoriesOf(mod: Record<string, unknown>, problem: (message: string) => void): PluginFactory<never>[] {
  const hasOne = mod.factory !== undefined;
  const hasMany = mod.factories !== undefined;
  if (!hasOne && !hasMany) {
    const exported = Object.keys(mod).filter((k) => k !== "__esModule");
    problem(`${EXPECTED}; this one exports ${exported.length > 0 ? exported.map((k) => JSON.stringify(k)).join(", ") : "nothing"}`);
    return [];
  }
  const out: PluginFactory<never>[] = [];
  const check = (value: unknown, what: string): void => {
    const f = value as Partial<PluginFactory<never>> | undefined;
    const ok =
      typeof f === "object" &&
      f !== null &&
      typeof f.name === "string" &&
      /^[A-Za-z][A-Za-z0-9_.-]*$/.test(f.name) &&
      typeof f.create === "function" &&
      (f.args === undefined || typeof (f.args as { safeParse?: unknown }).safeParse === "function");
    if (!ok) {
      problem(`${what} is not a PluginFactory (${EXPECTED}; the name is letters, digits, "-", "_", "." and args, if given, a zod schema); got ${describeValue(value)}`);
      return;
    }
    out.push(f as PluginFactory<never>);
  };
  if (hasOne) check(mod.factory, '"factory"');
  if (hasMany) {
    if (!Array.isArray(mod.factories)) problem(`"factories" must be an array of PluginFactory; got ${describeValue(mod.factories)}`);
    else mod.factories.forEach((f, i) => check(f, `factories[${i}]`));
  }
  return out;
}
