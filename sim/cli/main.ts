/**
 * simk's command line. Exit status: 0 all good, 1 an expectation failed, 2 a usage or input error
 * (never with a stack trace), 3 an internal error (a bug in simk: the stack is printed).
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { relative } from "node:path";
import { InputError, formatProblem } from "../scenario/errors.js";
import { loadScenario, validateFile } from "../scenario/load.js";
import { scenarioJsonSchema } from "../scenario/schema.js";
import { runScenario } from "../run/simulate.js";
import { parseDuration, DurationError } from "../units/duration.js";
import { writeFilesAtomically } from "../../reports/atomic.js";
import { runOutputFiles } from "../../reports/files.js";
import { formatSummaryTable } from "../../reports/table.js";

export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_INPUT_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 3;

/** A user mistake found outside the scenario loader (a flag value, an output directory). */
export class UsageError extends Error {}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`the seed must be a whole number ≥ 0, got "${value}"`);
  }
  return Number(value);
}

function parseDurationFlag(value: string): number {
  try {
    const us = parseDuration(value);
    if (us <= 0) throw new InvalidArgumentError(`must be greater than 0, got "${value}"`);
    return us;
  } catch (err) {
    if (err instanceof DurationError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

interface RunFlags {
  seed?: number;
  outDir?: string;
  sampleInterval?: number;
  recordDecisions?: boolean;
  quiet?: boolean;
}

function runCommand(file: string, flags: RunFlags): number {
  const scenario = loadScenario(file);
  if (flags.sampleInterval !== undefined) scenario.sampleInterval = flags.sampleInterval;
  const result = runScenario(scenario, { seed: flags.seed, recordDecisions: flags.recordDecisions });
  if (flags.outDir) {
    const written = writeFilesAtomically(flags.outDir, runOutputFiles(result, { recordDecisions: flags.recordDecisions }));
    if (!flags.quiet) process.stderr.write(`wrote ${written.map((p) => relative(process.cwd(), p) || p).join(", ")}\n`);
  }
  if (!flags.quiet) process.stdout.write(formatSummaryTable(result));
  return result.expectations.every((e) => e.ok) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

function validateCommand(files: string[]): number {
  let bad = 0;
  for (const file of files) {
    const problems = validateFile(file);
    if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
    else {
      bad++;
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    }
  }
  return bad === 0 ? EXIT_OK : EXIT_INPUT_ERROR;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("simk")
    .description("A deterministic discrete-event lab for Kubernetes scheduling and load balancing.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText("after", "\nExample:\n  simk run scenarios/node-failure.yaml --seed 42 --out-dir out/\n");

  program
    .command("run")
    .description("run a scenario and print a summary; --out-dir writes summary.json, events.jsonl and timeseries.csv")
    .argument("<file>", "scenario YAML file")
    .option("--seed <n>", "random seed (overrides the scenario's)", parseSeed)
    .option("-d, --out-dir <dir>", "write the output files into this directory")
    .option("--sample-interval <duration>", "time-series sample interval, e.g. 1s, 500ms", parseDurationFlag)
    .option("--record-decisions", "also write decisions.jsonl: every scheduling attempt, per node and plugin")
    .option("-q, --quiet", "print nothing but errors")
    .addHelpText("after", "\nExamples:\n  simk run scenarios/node-failure.yaml --seed 42\n  simk run scenarios/node-failure.yaml --seed 7 --out-dir out/ --sample-interval 5s\n")
    .action((file: string, flags: RunFlags) => setExit(runCommand(file, flags)));

  program
    .command("validate")
    .description("check scenario and manifest files without running them")
    .argument("<files...>", "YAML files")
    .addHelpText("after", "\nExample:\n  simk validate scenarios/*.yaml\n")
    .action((files: string[]) => setExit(validateCommand(files)));

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

export function main(argv: string[]): number {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  try {
    program.parse(argv, { from: "user" });
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

