/**
 * How plugins are made from a KubeSchedulerConfiguration. Every built-in plugin module exports a
 * PluginFactory; a user's module does the same (see policies/examples/). `args` validates and
 * defaults the plugin's `pluginConfig[].args` (e.g. NodeResourcesFitArgs) with upstream defaults.
 */
import type { z } from "zod";
import type { Plugin } from "./framework.js";

export interface PluginFactory<A = unknown> {
  /** The name used in KubeSchedulerConfiguration (e.g. "NodeResourcesFit"). */
  readonly name: string;
  /** Schema of the plugin's args with defaults applied; omitted if the plugin takes none. */
  readonly args?: z.ZodType<A>;
  /** A new plugin instance for one profile. One instance may implement several extension points. */
  create(args: A): Plugin;
}

/** A name → factory map. */
export type Registry = ReadonlyMap<string, PluginFactory<never>>;
