/**
 * `simk baseline write FILE... [--seed N] [-o FILE | --out-dir DIR]`: runs each scenario and records
 * its quality metrics (reports/baseline.ts) for `simk run --baseline`.
 */
import { basename, dirname, extname } from "node:path";
import { Command, Option } from "commander";
import { writeFilesAtomically } from "../../reports/atomic.js";
import { baselineJson } from "../../reports/baseline.js";
import { progressBar } from "../../reports/progress.js";
import { runScenario } from "../run/simulate.js";
import { prepareRun } from "../sweep/prepare.js";
import { singleOverrides } from "../sweep/set.js";
import { UsageError } from "./errors.js";
import { isQuiet, pluginOption, quietOption, sampleIntervalOption, schedulerConfigOption, seedOption, setOption } from "./options.js";
import { shown } from "./run.js";

interface WriteFlags {
  seed?: number;
  output?: string;
  outDir?: string;
  set?: string[];
  sampleInterval?: number;
  schedulerConfig?: string;
  plugin?: string[];
  quiet?: boolean;
}

/** baselines/<file name without .yaml>.json. */
export function baselineFileName(scenarioFile: string): string {
  return `${basename(scenarioFile, extname(scenarioFile))}.json`;
}

async function writeCommand(files: string[], flags: WriteFlags): Promise<number> {
  const quiet = isQuiet(flags.quiet);
  if (flags.output !== undefined && flags.outDir !== undefined) throw new UsageError("give -o FILE or --out-dir DIR, not both");
  if (files.length > 1 && flags.outDir === undefined) throw new UsageError("several scenarios: give --out-dir DIR (each baseline is written to DIR/<scenario>.json)");
  const overrides = singleOverrides(flags.set ?? []);
  // Load everything first: an input error in any file writes nothing.
  const prepared = [];
  for (const file of files) {
    prepared.push({ file, ...(await prepareRun(file, { overrides, sampleInterval: flags.sampleInterval, schedulerConfig: flags.schedulerConfig, plugins: flags.plugin })) });
  }
  const outputs: { dir: string; name: string; content: string }[] = [];
  for (const p of prepared) {
    const bar = progressBar((done, total) => `${p.scenario.name}: ${Math.floor(done / 1e6)}/${Math.round(total / 1e6)} s simulated`, { quiet });
    try {
      const result = runScenario(p.scenario, { seed: flags.seed, keepEvents: false, schedulerConfig: p.schedulerConfig, ...(p.balancers ? { balancers: p.balancers } : {}), onProgress: (a, b) => bar.update(a, b) });
      const content = baselineJson(result);
      if (flags.outDir !== undefined) outputs.push({ dir: flags.outDir, name: baselineFileName(p.file), content });
      else if (flags.output !== undefined) outputs.push({ dir: dirname(flags.output), name: basename(flags.output), content });
      else process.stdout.write(content);
    } finally {
      bar.done();
    }
  }
  if (flags.outDir !== undefined) {
    const written = writeFilesAtomically(flags.outDir, outputs.map((o) => ({ name: o.name, content: o.content })));
    if (!quiet) process.stderr.write(`wrote ${written.map(shown).join(", ")}\n`);
  } else if (outputs.length === 1) {
    const written = writeFilesAtomically(outputs[0].dir, [{ name: outputs[0].name, content: outputs[0].content }]);
    if (!quiet) process.stderr.write(`wrote ${written.map(shown).join(", ")}\n`);
  }
  return 0;
}

export function registerBaselineCommand(program: Command, setExit: (code: number) => void): void {
  const baseline = program
    .command("baseline")
    .description("record the quality metrics of runs, for simk run --baseline")
    .addHelpText("after", "\nExamples:\n  simk baseline write scenarios/node-failure.yaml --seed 1 -o baselines/node-failure.json\n  simk baseline write scenarios/*.yaml --seed 1 --out-dir baselines/\n");
  baseline
    .command("write")
    .description("run scenarios and write their quality metrics (the metrics that have a better direction) as baselines")
    .argument("<files...>", "scenario YAML files")
    .addOption(seedOption())
    .option("-o, --output <file>", "write the baseline to this file (default: print it)")
    .addOption(new Option("-d, --out-dir <dir>", "write DIR/<scenario file name>.json for each scenario"))
    .addOption(setOption("change the scenario before it runs: PATH=VALUE (repeatable)"))
    .addOption(sampleIntervalOption())
    .addOption(schedulerConfigOption())
    .addOption(pluginOption())
    .addOption(quietOption())
    .addHelpText(
      "after",
      "\nThe baseline holds the run's scenario name, seed and quality metrics (see docs/ci.md for the table of\n" +
        "metrics and their better direction). Check a later run against it with simk run --baseline FILE.\n" +
        "\nExamples:\n  simk baseline write scenarios/node-failure.yaml --seed 1 -o baselines/node-failure.json\n" +
        "  simk baseline write scenarios/*.yaml --seed 1 --out-dir baselines/\n",
    )
    .action(async (files: string[], flags: WriteFlags) => setExit(await writeCommand(files, flags)));
}
