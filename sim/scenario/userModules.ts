/**
 * Loading user modules — scheduler plugins (sim/scheduler/pluginModules.ts) and balancers
 * (policies/proxy/modules.ts) — the same way: TypeScript through tsx's ESM API, JavaScript with a
 * plain dynamic import; every problem reported against the module as the user named it (and the
 * scenario line that names it, if any); factory names checked against the reserved ones and
 * against the other modules'.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { InputProblem } from "./errors.js";
import type { PluginModuleRef } from "./types.js";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

/** A module to load: its absolute path, the path as the user wrote it, and where (if in a file). */
export type UserModuleRef = PluginModuleRef;

/** What kind of module, as the messages name it. */
export type UserModuleKind = "plugin" | "balancer";

/** A reporter for problems with `ref`: at its scenario line if it has one, else at the path given. */
export function moduleProblem(ref: UserModuleRef, push: (p: InputProblem) => void): (message: string) => void {
  return (message) =>
    push(
      ref.source
        ? { file: ref.source.file, line: ref.source.line, column: ref.source.column, path: ref.source.path, message: `${ref.given}: ${message}` }
        : { file: ref.given, message },
    );
}

/**
 * The module's exports, or undefined after reporting why not (missing file, failed import).
 * `notFoundHint` is appended to the not-found message.
 */
export async function importUserModule(
  ref: UserModuleRef,
  kind: UserModuleKind,
  problem: (message: string) => void,
  notFoundHint?: string,
): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(ref.module)) {
    problem(`${kind} module not found (looked for ${ref.module})${notFoundHint ? `; ${notFoundHint}` : ""}`);
    return undefined;
  }
  try {
    const url = pathToFileURL(ref.module).href;
    if (TS_EXTENSIONS.has(path.extname(ref.module))) {
      const { tsImport } = await import("tsx/esm/api");
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    problem(`importing the ${kind} module failed: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/**
 * Adds one module's factories to `registry`. `reserved(name)` says why a name may not be used
 * (e.g. a built-in's), or undefined; `owner` remembers which module defined each name so far.
 */
export function registerFactories<F extends { readonly name: string }>(
  registry: Map<string, F>,
  owner: Map<string, string>,
  factories: readonly F[],
  ref: UserModuleRef,
  kind: UserModuleKind,
  reserved: (name: string) => string | undefined,
  problem: (message: string) => void,
): void {
  for (const f of factories) {
    const why = reserved(f.name);
    if (why !== undefined) {
      problem(`${kind} name ${JSON.stringify(f.name)} is taken by ${why}; give the factory another name`);
      continue;
    }
    const other = owner.get(f.name);
    if (other !== undefined) {
      problem(`${kind} ${JSON.stringify(f.name)} is already defined by ${other}`);
      continue;
    }
    owner.set(f.name, ref.given);
    registry.set(f.name, f);
  }
}
