/** The short human summary a run prints to stdout. */
import type { RunResult } from "../sim/run/simulate.js";

const HEADLINE: [string, string, (v: number) => string][] = [
  ["nodes.ready", "nodes ready (end)", String],
  ["pods.running", "pods running (end)", String],
  ["pods.pending", "pods pending (end)", String],
  ["pods.pending.max", "pods pending (max)", String],
  ["scheduler.attempts", "scheduling attempts", String],
  ["scheduler.scheduled", "pods scheduled", String],
  ["scheduler.unschedulable", "failed attempts", String],
  ["scheduler.queueWaitSeconds.p99", "queue wait p99", (v) => `${v.toFixed(3)} s`],
  ["pods.evicted", "pods evicted", String],
  ["cluster.cpu.allocation", "cpu allocated (end)", pct],
  ["cluster.memory.allocation", "memory allocated (end)", pct],
  ["recovery.seconds", "recovery after node failure", (v) => `${v} s`],
];

function pct(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}

export function formatSummaryTable(result: RunResult): string {
  const rows: [string, string][] = [];
  for (const [key, label, fmt] of HEADLINE) {
    if (key in result.metrics) rows.push([label, fmt(result.metrics[key])]);
  }
  if ("recovery.recovered" in result.metrics && result.metrics["recovery.recovered"] === 0) rows.push(["recovery after node failure", "not recovered"]);
  for (const key of Object.keys(result.metrics)) {
    const m = /^deployment\.(.+)\.(available|unavailableReplicaSeconds|minAvailable)$/.exec(key);
    if (!m) continue;
    const label = { available: "available (end)", unavailableReplicaSeconds: "replica-seconds unavailable", minAvailable: "min available" }[m[2]]!;
    rows.push([`${m[1].replace(".", "/")} ${label}`, String(result.metrics[key])]);
  }
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = [`simk: ${result.scenario} (seed ${result.seed}, ${result.simulatedSeconds} s simulated)`, ""];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
  if (result.expectations.length > 0) {
    const passed = result.expectations.filter((e) => e.ok).length;
    lines.push("", `expectations: ${passed}/${result.expectations.length} met`);
    for (const e of result.expectations) lines.push(`  ${e.ok ? "✓" : "✗"} ${e.message}`);
  }
  return lines.join("\n") + "\n";
}
