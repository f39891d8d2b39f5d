/**
 * A stand-alone entry for `simk bench ...` (the same command the CLI registers), for running the
 * peer harness against a build before the command is wired into sim/cli/main.ts:
 *
 *   node ../shared/peers/bench.mjs hold --simk "npx tsx bench/cli-entry.ts bench hold"
 */
import { Command, CommanderError } from "commander";
import { registerBenchCommand } from "../sim/cli/bench.js";
import { UsageError } from "../sim/cli/errors.js";

const program = new Command().name("simk").exitOverride();
registerBenchCommand(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: "user" });
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 2;
  } else throw err;
}
