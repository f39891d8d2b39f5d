/**
 * `simk run`: one scenario, one seed. Prints the summary (table, summary.json or the HTML report),
 * writes the output files, the JUnit XML, and checks a baseline. Exit 0 when every expectation is
 * met and nothing regressed against the baseline, 1 otherwise.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import { getHeapStatistics } from "node:v8";
import { Command, Option } from "commander";
import { StagedFile, writeFilesAtomically, type OutputFile } from "../../reports/atomic.js";
import { checkBaseline, formatBaselineReport, parseBaseline, type BaselineReport } from "../../reports/baseline.js";
import { jsonLine, runOutputFiles, summaryJson } from "../../reports/files.js";
import { junitXml } from "../../reports/junit.js";
import { progressBar } from "../../reports/progress.js";
import { formatSummaryTable } from "../../reports/table.js";
import { heapWarning } from "../run/memory.js";
import { runScenario, type RunResult } from "../run/simulate.js";
import { InputError } from "../scenario/errors.js";
import { prepareRun } from "../sweep/prepare.js";
import { singleOverrides } from "../sweep/set.js";
import { UsageError } from "./errors.js";
import {
  isQuiet,
  parseToleranceFlag,
  pluginOption,
  quietOption,
  sampleIntervalOption,
  schedulerConfigOption,
  seedOption,
  setOption,
} from "./options.js";

export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;

export const DEFAULT_TOLERANCE = "2%";

export interface RunFlags {
  seed?: number;
  outDir?: string;
  output: "table" | "json" | "html";
  interactive?: boolean;
  junit?: string;
  baseline?: string;
  tolerance: number;
  set?: string[];
  sampleInterval?: number;
  recordDecisions?: boolean;
  quiet?: boolean;
  schedulerConfig?: string;
  plugin?: string[];
}

/** Shown paths: relative to the working directory when that is shorter. */
export function shown(p: string): string {
  return relative(process.cwd(), p) || p;
}

async function htmlReport(result: RunResult, interactive: boolean): Promise<string> {
  // Loaded only when a report is wanted: it brings in vega.
  const { renderHtmlReport } = await import("../../reports/html.js");
  return renderHtmlReport(result, { interactive });
}

function readBaseline(file: string): ReturnType<typeof parseBaseline> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([{ file, message: `cannot read the baseline: ${code === "ENOENT" ? "no such file (write one with simk baseline write)" : (e as Error).message}` }]);
  }
  try {
    return parseBaseline(text);
  } catch (e) {
    throw new InputError([{ file, message: (e as Error).message }]);
  }
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const quiet = isQuiet(flags.quiet);
  if (flags.interactive && flags.output !== "html" && !flags.outDir) throw new UsageError("--interactive is for the HTML report: use it with -o html or --out-dir");
  if (flags.recordDecisions && !flags.outDir) throw new UsageError("--record-decisions writes decisions.jsonl: use it with --out-dir");
  const overrides = singleOverrides(flags.set ?? []);
  const baseline = flags.baseline !== undefined ? readBaseline(flags.baseline) : undefined;
  const { scenario, schedulerConfig, balancers } = await prepareRun(file, {
    overrides,
    sampleInterval: flags.sampleInterval,
    schedulerConfig: flags.schedulerConfig,
    plugins: flags.plugin,
  });
  // Printed under --quiet too: it tells why the run may end in a fatal error that prints nothing of simk's.
  const memory = heapWarning(scenario, getHeapStatistics().heap_size_limit);
  if (memory) process.stderr.write(memory);
  // Nothing keeps the event log in memory: events.jsonl is appended to its temporary as the run
  // goes (about 1.4 KB per pod on large scenarios otherwise), and the HTML report needs only the
  // timeline's actions and the count, which every run keeps.
  const needsHtml = flags.output === "html" || Boolean(flags.outDir);
  const bar = progressBar((done, total) => `${scenario.name}: ${Math.floor(done / 1e6)}/${Math.round(total / 1e6)} s simulated`, { quiet });
  const events = flags.outDir ? new StagedFile(flags.outDir, "events.jsonl") : undefined;
  // Decisions too: every attempt lists every node evaluated, gigabytes on a large run.
  const decisions = flags.outDir && flags.recordDecisions ? new StagedFile(flags.outDir, "decisions.jsonl") : undefined;
  const discardStaged = (): void => {
    events?.discard();
    decisions?.discard();
  };
  let result: RunResult;
  try {
    result = runScenario(scenario, {
      seed: flags.seed,
      recordDecisions: flags.recordDecisions,
      keepEvents: false,
      ...(events ? { onEvent: (e) => events.write(jsonLine(e)) } : {}),
      ...(decisions ? { onDecision: (d) => decisions.write(jsonLine(d)) } : {}),
      schedulerConfig,
      ...(balancers ? { balancers } : {}),
      onProgress: (now, end) => bar.update(now, end),
    });
  } catch (err) {
    discardStaged();
    throw err;
  } finally {
    bar.done();
  }

  let report: BaselineReport | undefined;
  if (baseline && flags.baseline !== undefined) {
    report = checkBaseline(result.metrics, baseline, { tolerance: flags.tolerance, file: flags.baseline });
    if (!quiet && Number.isFinite(baseline.seed) && baseline.seed !== result.seed) {
      process.stderr.write(`warning: the baseline was recorded with seed ${baseline.seed}, this run used seed ${result.seed}: the comparison mixes seeds\n`);
    }
  }

  let html: string | undefined;
  try {
    html = needsHtml ? await htmlReport(result, flags.interactive ?? false) : undefined;
  } catch (err) {
    discardStaged();
    throw err;
  }
  if (flags.outDir) {
    const files: OutputFile[] = [...runOutputFiles(result, { recordDecisions: flags.recordDecisions, events, decisions }), { name: "report.html", content: html! }];
    const written = writeFilesAtomically(flags.outDir, files);
    if (!quiet) process.stderr.write(`wrote ${written.map(shown).join(", ")}\n`);
  }
  if (flags.junit) {
    const [written] = writeFilesAtomically(dirname(flags.junit), [{ name: basename(flags.junit), content: junitXml(result, report) }]);
    if (!quiet) process.stderr.write(`wrote ${shown(written)}\n`);
  }

  if (flags.output === "json") process.stdout.write(summaryJson(result));
  else if (flags.output === "html") process.stdout.write(html!);
  else if (!quiet) process.stdout.write(formatSummaryTable(result) + (report ? formatBaselineReport(report) : ""));
  if (report && flags.output !== "table" && !quiet) process.stderr.write(formatBaselineReport(report));

  const met = result.expectations.every((e) => e.ok);
  return met && (report?.ok ?? true) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command("run")
    .description("run a scenario and print a summary; --out-dir writes summary.json, events.jsonl, timeseries.csv and report.html")
    .argument("<file>", "scenario YAML file")
    .addOption(seedOption())
    .addOption(new Option("-d, --out-dir <dir>", "write the output files (and report.html) into this directory").env("SIMK_OUT_DIR"))
    .addOption(new Option("-o, --output <format>", "what to print: the summary table, summary.json, or the HTML report").choices(["table", "json", "html"]).default("table").env("SIMK_OUTPUT"))
    .option("--interactive", "HTML report with interactive charts (tooltips, zoom; a larger file)")
    .addOption(new Option("--junit <file>", "write JUnit XML: a test case per expectation (and per baseline metric)").env("SIMK_JUNIT"))
    .addOption(new Option("--baseline <file>", "compare the quality metrics with a baseline (simk baseline write); worse beyond the tolerance fails").env("SIMK_BASELINE"))
    .addOption(new Option("--tolerance <pct>", "how much worse than the baseline a metric may get (relative)").argParser(parseToleranceFlag).default(parseToleranceFlag(DEFAULT_TOLERANCE), DEFAULT_TOLERANCE).env("SIMK_TOLERANCE"))
    .addOption(setOption("change the scenario before it runs: PATH=VALUE (repeatable; see simk sweep --help)"))
    .addOption(sampleIntervalOption())
    .option("--record-decisions", "also write decisions.jsonl: every scheduling attempt, per node and plugin")
    .addOption(quietOption())
    .addOption(schedulerConfigOption())
    .addOption(pluginOption())
    .addHelpText(
      "after",
      "\nExit status: 0 all expectations met (and no baseline regression), 1 an expectation failed or a metric regressed, 2 a usage or input error, 3 an internal error.\n" +
        "\nExamples:\n  simk run scenarios/node-failure.yaml --seed 42\n  simk run scenarios/node-failure.yaml --seed 7 --out-dir out/ --sample-interval 5s\n" +
        "  simk run scenarios/node-failure.yaml --baseline baselines/node-failure.json --junit junit.xml\n" +
        "  simk run scenarios/node-failure.yaml -o json | jq .metrics\n" +
        "  simk run scenarios/node-failure.yaml --set spec.components.scheduler.attemptLatency=5ms\n" +
        "  simk run scenarios/node-failure.yaml --scheduler-config scenarios/explain/sched-config.yaml\n" +
        "  simk run scenarios/node-failure.yaml --plugin policies/examples/tierPreference.ts --scheduler-config policies/examples/tier-config.yaml\n",
    )
    .action(async (file: string, flags: RunFlags) => setExit(await runCommand(file, flags)));
}
