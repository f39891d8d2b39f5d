/**
 * Process-wide zod setting for simk's entry points (the CLI and sweep worker threads).
 *
 * zod compiles a fast parser (with `new Function`) for each object schema the first time it is
 * used. That pays off when one schema checks many values; a simk process checks one scenario (a
 * few dozen objects) against some forty object schemas, so compiling costs more than it saves:
 * jitless validation cut loading the lb bench scenario from ~45 ms to ~27 ms, and it allocates
 * less code. Results are the same either way; only the library's entry points set this, not a
 * program that embeds simk's modules.
 */
import { z } from "zod";

z.config({ jitless: true });
