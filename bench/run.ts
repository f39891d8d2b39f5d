/**
 * `npm run bench`: simk's benchmarks, printed as Markdown tables.
 *
 *   npm run bench                       micro-benchmarks, the peer workloads, the 150k-pod scale run
 *   npm run bench -- --micro            micro-benchmarks of the hot paths only (bench/micro.ts)
 *   npm run bench -- --workloads        the peer workloads on simk: hold, lb (4 policies), sched
 *   npm run bench -- --scale [NAME...]  scale scenarios (bench/*.yaml; every one when no name is given)
 *   --quick                             shorter micro-benchmarks and 10× smaller workloads
 *   --filter TEXT                       only micro-benchmarks whose name contains TEXT
 *
 * The side-by-side comparison with the peers is the peers' own harness (../shared/peers/bench.mjs;
 * README, Performance); this runner covers simk alone. Workloads and scale scenarios each run
 * in a child process, so that every figure has a fresh JIT and its own peak memory.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runMicro } from "./micro.js";
import { baselineRss, runScale } from "./scale.js";

const here = dirname(fileURLToPath(import.meta.url));

interface Flags {
  micro: boolean;
  workloads: boolean;
  scale: string[] | undefined;
  quick: boolean;
  filter?: string;
}

const USAGE = `usage: npm run bench -- [--micro] [--workloads] [--scale [NAME...]] [--quick] [--filter TEXT]
  (no flags: micro-benchmarks, the peers' workloads and the 150k-pod scale scenario)
example: npm run bench -- --micro --quick`;

function parseFlags(argv: string[]): Flags {
  const f: Flags = { micro: false, workloads: false, scale: undefined, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--micro") f.micro = true;
    else if (a === "--workloads") f.workloads = true;
    else if (a === "--quick") f.quick = true;
    else if (a === "--filter") f.filter = argv[++i];
    else if (a === "--scale") {
      f.scale = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) f.scale.push(argv[++i]);
    } else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown option ${a}\n${USAGE}`);
      process.exit(2);
    }
  }
  if (!f.micro && !f.workloads && f.scale === undefined) {
    f.micro = true;
    f.workloads = true;
    f.scale = f.quick ? undefined : ["scale-150k-5k-failures"];
  }
  return f;
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");

// --- workloads -----------------------------------------------------------------------------------

interface Workload {
  name: string;
  args: string[];
  rate: (o: Record<string, number>) => number;
  unit: string;
  check: (o: Record<string, number | string>) => string;
}

function workloads(quick: boolean): Workload[] {
  const q = quick ? 10 : 1;
  const holdCheck = (o: Record<string, number | string>): string =>
    quick ? `final_clock ${o.final_clock}` : o.checksum === 500621552.65372837 && o.final_clock === 1026.1702776551247 ? "checksum = peers'" : `checksum ${o.checksum}`;
  const lb = (policy: string): Workload => ({
    name: `lb ${policy}`,
    args: ["lb", "--policy", policy, "--requests", String(1_000_000 / q)],
    rate: (o) => o.requests_per_s,
    unit: "requests/s",
    check: (o) => `mean ${fmt(Number(o.mean_s) * 1000, 2)} ms, p99 ${fmt(Number(o.p99_s) * 1000, 1)} ms`,
  });
  const sched = (nodes: number, pods: number, pct: string): Workload => ({
    name: `sched ${nodes}×${pods}${pct === "100" ? "" : ` (${pct})`}`,
    args: ["sched", "--nodes", String(nodes), "--pods", String(pods / q), "--pct", pct],
    rate: (o) => o.pods_per_s,
    unit: "pods/s",
    check: (o) => `scheduled ${o.scheduled}, cpu util ${o.cpu_util_mean}`,
  });
  return [
    { name: "hold 1e6 events, 1000 procs", args: ["hold", "--events", String(1_000_000 / q), "--procs", "1000"], rate: (o) => o.events_per_s, unit: "events/s", check: holdCheck },
    {
      name: "hold 1M pending (1e7 events, 1e6 procs)",
      args: ["hold", "--events", String(10_000_000 / q), "--procs", String(1_000_000 / q)],
      rate: (o) => o.events_per_s,
      unit: "events/s",
      check: (o) => `final_clock ${o.final_clock}`,
    },
    lb("random"),
    lb("rr"),
    lb("least"),
    lb("p2c"),
    sched(1000, 10_000, "100"),
    sched(5000, 50_000, "100"),
    sched(5000, 50_000, "adaptive"),
  ];
}

function runWorkload(w: Workload): (string | number)[] {
  const entry = join(here, "cli-entry.ts");
  const p = spawnSync(process.execPath, [...process.execArgv, entry, "bench", ...w.args], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = p.stdout.split("\n").filter((l) => l.startsWith("{")).pop();
  if (p.status !== 0 || !line) return [w.name, "–", "–", "–", "–", `error: ${(p.stderr || "").trim().split("\n").pop()}`];
  const o = JSON.parse(line) as Record<string, number | string>;
  return [w.name, fmt(Number(o.run_s), 3), `${fmt(w.rate(o as Record<string, number>))} ${w.unit}`, fmt(Number(o.peak_rss_mib)), w.check(o)];
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`simk benchmarks — Node ${process.version}, ${cpus().length} × ${cpu}, ${fmt(totalmem() / 2 ** 30, 1)} GiB\n`);

  if (flags.micro) {
    const rows = await runMicro({ time: flags.quick ? 300 : 1000, filter: flags.filter });
    console.log("## Micro-benchmarks (hot paths)\n");
    console.log(table(["group", "benchmark", "ns/op", "ops/s", "± %"], rows.map((r) => [r.group, r.name, fmt(r.nsPerOp, 1), fmt(r.opsPerSec), fmt(r.rme, 1)])));
    console.log();
  }

  if (flags.workloads) {
    console.log(`## Peer workloads on simk${flags.quick ? " (10× smaller)" : ""}\n`);
    console.log(table(["workload", "run s", "throughput", "peak RSS MiB", "result"], workloads(flags.quick).map(runWorkload)));
    console.log();
  }

  if (flags.scale !== undefined) {
    const all = readdirSync(here).filter((f) => f.endsWith(".yaml")).sort();
    const names = flags.scale.length === 0 ? all : flags.scale.map((n) => (n.endsWith(".yaml") ? basename(n) : `${n}.yaml`));
    const rows: (string | number)[][] = [];
    for (const name of names) {
      const file = join(here, name);
      const r = runScale(file);
      const floor = baselineRss(file);
      rows.push([
        r.scenario,
        fmt(r.nodes),
        fmt(r.podsRunning),
        fmt(r.scheduled),
        fmt(r.evicted),
        fmt(r.simulatedSeconds),
        fmt(r.run_s, 1),
        fmt(r.peakRssMiB),
        fmt(floor),
        r.error ?? (r.recoverySeconds !== undefined ? `recovery ${fmt(r.recoverySeconds)} s` : ""),
      ]);
    }
    console.log("## Scale scenarios (runScenario: default profile, controllers, kubelets)\n");
    console.log(table(["scenario", "nodes", "pods running (end)", "scheduled", "evicted", "simulated s", "run s", "peak RSS MiB", "RSS of loading alone", "note"], rows));
    console.log();
  }
}

await main();
