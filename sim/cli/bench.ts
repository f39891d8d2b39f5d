/**
 * `simk bench hold|lb|sched`: the three peer workloads (../shared/peers, README "Performance") run on
 * simk's own engine, kube-proxy balancers and scheduler framework, printing the one JSON line the
 * peers' harness (bench.mjs) reads:
 *
 *   node bench.mjs hold  --simk "node ../main/dist/cli.js bench hold"
 *   node bench.mjs lb    --policy p2c --simk "node ../main/dist/cli.js bench lb"
 *   node bench.mjs sched --size large --simk "node ../main/dist/cli.js bench sched"
 *
 * The harness appends the workload parameters as `--key value` flags; the flags and their defaults
 * are the peers'. `run_s` is the simulation itself, set-up included, process start excluded.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "./errors.js";

function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
}

function positive(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${name} must be a number > 0, got "${value}"`);
    return n;
  };
}

/** `--balanced`, `--balanced true` or `--balanced false` (the peers' parser accepts all three). */
function bool(value: string | undefined): boolean {
  if (value === undefined || value === "true") return true;
  if (value === "false") return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

function emit(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function registerBenchCommand(program: Command): void {
  const bench = program
    .command("bench")
    .description("run a peer benchmark workload (hold, lb, sched) on simk's engine and print one JSON line")
    .addHelpText(
      "after",
      "\nSide by side with the peers (../shared/peers):\n" +
        '  node bench.mjs hold --simk "node ../main/dist/cli.js bench hold"\n' +
        '  node bench.mjs lb --policy p2c --simk "node ../main/dist/cli.js bench lb"\n' +
        '  node bench.mjs sched --size large --simk "node ../main/dist/cli.js bench sched"\n',
    );

  bench
    .command("hold")
    .description("the HOLD model: N processes wait on timeouts from the shared delay table, on simk's event engine")
    .option("--events <n>", "timeouts in total (a multiple of --procs)", integer("--events", 0), 1_000_000)
    .option("--procs <n>", "processes", integer("--procs", 1), 1000)
    .addHelpText("after", "\nExamples:\n  simk bench hold\n  simk bench hold --events 10000000 --procs 1000000\n")
    .action(async (flags: { events: number; procs: number }) => {
      if (flags.events % flags.procs !== 0) throw new UsageError(`--events (${flags.events}) must be a multiple of --procs (${flags.procs})`);
      const { runHold } = await import("../bench/hold.js");
      emit(runHold(flags));
    });

  bench
    .command("lb")
    .description("Poisson requests to a Service of k FIFO pods through simk's kube-proxy balancer and traffic core")
    .addOption(new Option("--policy <name>", "balancing policy").choices(["random", "rr", "least", "p2c"]).default("random"))
    .option("--requests <n>", "requests", integer("--requests", 1), 1_000_000)
    .option("--k <n>", "pods behind the Service", integer("--k", 2), 10)
    .option("--mu <rate>", "service rate per pod (1/s)", positive("--mu"), 100)
    .option("--rho <load>", "utilisation: arrival rate = rho·k·mu", positive("--rho"), 0.8)
    .option("--seed <n>", "seed", integer("--seed", 0), 1)
    .addHelpText("after", "\nExamples:\n  simk bench lb --policy rr\n  simk bench lb --policy p2c --requests 100000\n")
    .action(async (flags: { policy: "random" | "rr" | "least" | "p2c"; requests: number; k: number; mu: number; rho: number; seed: number }) => {
      if (flags.rho >= 1) throw new UsageError(`--rho must be below 1 (a stable queue), got ${flags.rho}`);
      const { runLb } = await import("../bench/lb.js");
      emit(runLb(flags));
    });

  bench
    .command("sched")
    .description("place pods on scheduler_perf's node-default nodes with simk's scheduler framework (NodeResourcesFit)")
    .option("--nodes <n>", "nodes", integer("--nodes", 1), 1000)
    .option("--pods <n>", "pods", integer("--pods", 0), 10_000)
    .addOption(new Option("--size <size>", "the harness's sizes: small = 1000 × 10000, large = 5000 × 50000").choices(["small", "large"]))
    .option("--seed <n>", "seed of the pod requests and the tie-break", integer("--seed", 0), 1)
    .option("--pct <p>", "percentageOfNodesToScore: 1..100, or adaptive (kube's default)", "100")
    .option("--balanced [bool]", "add NodeResourcesBalancedAllocation (weight 1)", bool, false)
    .option("--node-cpu <m>", "node allocatable cpu, millicores", integer("--node-cpu", 1), 4000)
    .option("--node-mem <mib>", "node allocatable memory, MiB", integer("--node-mem", 1), 32768)
    .option("--node-pods <n>", "node allocatable pods", integer("--node-pods", 1), 110)
    .addHelpText("after", "\nExamples:\n  simk bench sched --size large\n  simk bench sched --nodes 5000 --pods 50000 --pct adaptive\n")
    .action(
      async (flags: { nodes: number; pods: number; size?: "small" | "large"; seed: number; pct: string; balanced: boolean; nodeCpu: number; nodeMem: number; nodePods: number }) => {
        const { percentageOf, runSched } = await import("../bench/sched.js");
        try {
          percentageOf(flags.pct);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const size = flags.size === "large" ? { nodes: 5000, pods: 50_000 } : flags.size === "small" ? { nodes: 1000, pods: 10_000 } : {};
        emit(runSched({ ...flags, ...size }));
      },
    );
}
