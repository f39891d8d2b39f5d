/** `simk compare A [B]`: two runs, two sweeps, or two variants of one sweep, side by side. */
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { CompareInputError, compareSamples, comparisonJson, formatComparison, samplesOf, splitSelector, type Comparison, type Sample } from "../../reports/compare.js";
import { InputError } from "../scenario/errors.js";
import { metricOption } from "./options.js";

interface CompareFlags {
  output: "table" | "json";
  metric?: string[];
}

function load(arg: string): Sample[] {
  const { file, selector } = splitSelector(arg);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([{ file, message: code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}` }]);
  }
  try {
    return samplesOf(text, file, selector);
  } catch (e) {
    if (e instanceof CompareInputError) throw new InputError([{ file, message: e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message }]);
    throw e;
  }
}

function one(arg: string): Sample {
  const samples = load(arg);
  if (samples.length === 1) return samples[0];
  const { file } = splitSelector(arg);
  throw new InputError([
    { file, message: `a sweep with ${samples.length} variants: pick one as ${file}#INDEX or ${file}#NAME (${samples.map((_, i) => `#${i}`).join(", ")}), or compare them all with simk compare ${file}` },
  ]);
}

export function compareArgs(args: readonly string[], patterns: readonly string[] = []): Comparison[] {
  if (args.length === 2) return [compareSamples(one(args[0]), one(args[1]), patterns)];
  const samples = load(args[0]);
  if (samples.length < 2) {
    throw new InputError([{ file: splitSelector(args[0]).file, message: "one sample alone: give a second file, or a sweep with several variants (--set)" }]);
  }
  // The first variant against each of the others.
  return samples.slice(1).map((s) => compareSamples(samples[0], s, patterns));
}

async function compareCommand(args: string[], flags: CompareFlags): Promise<number> {
  if (args.length > 2) throw new InputError([{ file: args[2], message: "simk compare takes two files (or one sweep)" }]);
  const comparisons = compareArgs(args, flags.metric ?? []);
  process.stdout.write(flags.output === "json" ? comparisonJson(comparisons) : comparisons.map(formatComparison).join("\n"));
  return 0;
}

export function registerCompareCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command("compare")
    .description("compare two runs (summary.json), two sweeps (sweep.json) or two variants of a sweep: change per metric, with Mann–Whitney p-values")
    .argument("<a>", "summary.json, a baseline, or sweep.json[#VARIANT] (an index or a name)")
    .argument("[b]", "the same kinds; without it, A is a sweep whose first variant is compared with each other one")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json"]).default("table"))
    .addOption(metricOption())
    .addHelpText(
      "after",
      "\nPer metric: each side's mean ± 95 % confidence interval, the change of the mean, and the two-sided\n" +
        'Mann–Whitney U p-value; "~" instead of the change when p ≥ 0.05. Single runs (n = 1): change only.\n' +
        "\nExamples:\n  simk compare before/summary.json after/summary.json\n  simk compare main/sweep.json pr/sweep.json --metric 'scheduler.*'\n" +
        "  simk compare sweep/sweep.json#0 sweep/sweep.json#2\n  simk compare sweep/sweep.json\n",
    )
    .action(async (a: string, b: string | undefined, flags: CompareFlags) => setExit(await compareCommand(b === undefined ? [a] : [a, b], flags)));
}
