/**
 * simk's command line: run, validate, explain, schema, sweep (and sweep merge), baseline write,
 * compare, bench. Exit status: 0 all good, 1 an expectation failed or a metric regressed against its
 * baseline (explain: no node fits the pod), 2 a usage or input error (never with a stack trace), 3
 * an internal error (a bug in simk: the stack is printed).
 *
 * `main` is async: building the scheduler configuration may import plugin modules.
 */
import { Command, CommanderError, Option } from "commander";
import { InputError, formatProblem, type InputProblem } from "../scenario/errors.js";
import { loadManifestFiles, loadScenario, validateFile } from "../scenario/load.js";
import { scenarioJsonSchema } from "../scenario/schema.js";
import type { Scenario } from "../scenario/types.js";
import { buildSchedulerConfig, registryWith, resolveSchedulerConfig } from "../scheduler/config.js";
import { commandLineModule } from "../scheduler/pluginModules.js";
import { WorkerError } from "../sweep/pool.js";
import { needsBalancerModules, resolveBalancerModules } from "../traffic/balancers.js";
import { registerBaselineCommand } from "./baseline.js";
import { registerBenchCommand } from "./bench.js";
import { registerCompareCommand } from "./compare.js";
import { UsageError } from "./errors.js";
import { explain, formatExplainJson, formatExplainTable } from "./explain.js";
import { environmentHelp, parseSeed, pluginOption } from "./options.js";
import { registerRunCommand } from "./run.js";
import { registerSweepCommand } from "./sweep.js";

export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_INPUT_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 3;

export { UsageError };

/**
 * validate: each file on its own; once it loads, its scheduler configuration is built too (a
 * scenario's with its plugin modules, or a manifest file's KubeSchedulerConfiguration).
 */
async function validateCommand(files: string[], flags: { plugin?: string[] }): Promise<number> {
  let bad = 0;
  const extra = (flags.plugin ?? []).map((m) => commandLineModule(m));
  for (const file of files) {
    let problems = validateFile(file);
    if (problems.length === 0) problems = await schedulerConfigProblems(file, extra);
    if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
    else {
      bad++;
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    }
  }
  return bad === 0 ? EXIT_OK : EXIT_INPUT_ERROR;
}

async function schedulerConfigProblems(file: string, extra: ReturnType<typeof commandLineModule>[]): Promise<InputProblem[]> {
  try {
    let scenario: Scenario | undefined;
    try {
      scenario = loadScenario(file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
    if (scenario) {
      await resolveSchedulerConfig(scenario, { pluginModules: extra });
      if (needsBalancerModules(scenario)) await resolveBalancerModules(scenario);
    } else {
      const loaded = loadManifestFiles([file]);
      if (loaded.schedulerConfigs.length > 0) {
        buildSchedulerConfig(loaded.schedulerConfigs, { registry: await registryWith(extra), sources: loaded.schedulerConfigSources });
      }
    }
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
}

interface ExplainFlags {
  pod: string;
  config?: string;
  plugin?: string[];
  output: "json" | "table";
  seed?: number;
}

async function explainCommand(files: string[], flags: ExplainFlags): Promise<number> {
  const report = await explain({ files, pod: flags.pod, config: flags.config, plugins: flags.plugin, seed: flags.seed });
  process.stdout.write(flags.output === "json" ? formatExplainJson(report) : formatExplainTable(report));
  return report.selected !== null ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("simk")
    .description("A deterministic discrete-event lab for Kubernetes scheduling and load balancing.")
    .version("0.1.0")
    .exitOverride()
    // Options after a subcommand belong to it (so `simk sweep merge ... --out-dir` reaches merge).
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      "after",
      environmentHelp() +
        "\nExit status: 0 ok, 1 an expectation failed or a metric regressed against its baseline, 2 a usage or input error, 3 an internal error.\n" +
        "\nExamples:\n  simk run scenarios/node-failure.yaml --seed 42 --out-dir out/\n" +
        "  simk run scenarios/node-failure.yaml --baseline baselines/node-failure.json --junit junit.xml\n" +
        "  simk sweep scenarios/node-failure.yaml --seeds 1..30 --set spec.components.scheduler.attemptLatency=1ms,5ms --out-dir sweep/\n" +
        "  simk compare sweep/sweep.json\n" +
        "  simk explain scenarios/explain/nodes.yaml --pod scenarios/explain/pod.yaml\n",
    );

  registerRunCommand(program, setExit);
  registerSweepCommand(program, setExit);
  registerBaselineCommand(program, setExit);
  registerCompareCommand(program, setExit);
  registerBenchCommand(program);

  program
    .command("validate")
    .description("check scenario and manifest files (and their scheduler configuration) without running them")
    .argument("<files...>", "YAML files")
    .addOption(pluginOption())
    .addHelpText("after", "\nExamples:\n  simk validate scenarios/*.yaml\n  simk validate scenarios/explain/sched-config.yaml\n")
    .action(async (files: string[], flags: { plugin?: string[] }) => setExit(await validateCommand(files, flags)));

  program
    .command("explain")
    .description("show, plugin by plugin, how the scheduler would place one pod on the nodes in the files")
    .argument("<files...>", "manifest files with the cluster: Nodes, and Pods bound to them (spec.nodeName)")
    .requiredOption("--pod <file>", "the Pod to place (a file with one Pod)")
    .option("--config <file>", "a KubeSchedulerConfiguration (default: one found in the files, else the upstream default)")
    .addOption(pluginOption())
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--seed <n>", "seed of the tie-break between equal totals", parseSeed)
    .addHelpText(
      "after",
      "\nExit status: 0 a node was selected, 1 no node fits, 2 an input error.\n" +
        "\nExamples:\n  simk explain scenarios/explain/nodes.yaml --pod scenarios/explain/pod.yaml\n" +
        "  simk explain scenarios/explain/nodes.yaml --pod scenarios/explain/pod.yaml --config scenarios/explain/sched-config.yaml -o json\n" +
        "  simk explain scenarios/explain/nodes.yaml --pod scenarios/explain/pod.yaml --plugin policies/examples/tierPreference.ts --config policies/examples/tier-config.yaml\n",
    )
    .action(async (files: string[], flags: ExplainFlags) => setExit(await explainCommand(files, flags)));

  program
    .command("schema")
    .description("print the JSON Schema of the Scenario document")
    .addHelpText("after", "\nExample:\n  simk schema > scenario.schema.json\n")
    .action(() => {
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      setExit(EXIT_OK);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error, already printed.
      return err.exitCode === 0 ? EXIT_OK : EXIT_INPUT_ERROR;
    }
    if (err instanceof InputError) {
      for (const p of err.problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
      return EXIT_INPUT_ERROR;
    }
    if (err instanceof WorkerError) {
      process.stderr.write(`simk: internal error in a sweep worker (this is a bug in simk; please report it with the command you ran)\n${err.stack ?? err.message}\n`);
      return EXIT_INTERNAL_ERROR;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_INPUT_ERROR;
    }
    if (isFsError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_INPUT_ERROR;
    }
    process.stderr.write(`simk: internal error (this is a bug in simk; please report it with the command you ran)\n${(err as Error).stack ?? String(err)}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

/** Output-side file-system errors (a directory that cannot be written) are the user's to fix. */
function isFsError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && ["EACCES", "EEXIST", "ENOTDIR", "EROFS", "ENOSPC", "EISDIR", "EPERM"].includes(code);
}

