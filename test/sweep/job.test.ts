import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { main } from "../../sim/cli/main.js";
import { loadManifestFiles } from "../../sim/scenario/load.js";
import { jobName } from "../../sim/sweep/job.js";
import { captureOutput, useTempDirs } from "../helpers/cli.js";

const SMALL = new URL("./fixtures/small.yaml", import.meta.url).pathname;

const tempDir = useTempDirs("simk-job-");
const captured = captureOutput();

/** Loads printed manifests with simk's own manifest loader (it validates every field it models). */
function load(yaml: string) {
  const dir = tempDir();
  const file = join(dir, "job.yaml");
  writeFileSync(file, yaml);
  return loadManifestFiles([file]).manifests;
}

describe("simk sweep --emit-job", () => {
  it("prints a valid batch/v1 Indexed Job: completions = parallelism = N, each pod runs its shard", async () => {
    const set = "spec.components.scheduler.attemptLatency=1ms,5ms";
    expect(await main(["sweep", SMALL, "--seeds", "1..30", "--set", set, "--emit-job", "--shards", "6", "--image", "ghcr.io/example/simk:1"])).toBe(0);
    const [job] = load(captured.out);
    expect(job.kind).toBe("Job");
    if (job.kind !== "Job") throw new Error("not a Job");
    expect(job.apiVersion).toBe("batch/v1");
    expect(job.metadata.name).toBe("simk-sweep-small");
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.completions).toBe(6);
    expect(job.spec.parallelism).toBe(6);
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    // What the loader drops (command, podFailurePolicy) is checked on the raw YAML.
    const raw = parse(captured.out) as {
      spec: { podFailurePolicy: { rules: { action: string; onExitCodes: { values: number[] } }[] }; template: { spec: { containers: { image: string; command: string[] }[] } } };
    };
    const [container] = raw.spec.template.spec.containers;
    expect(container.image).toBe("ghcr.io/example/simk:1");
    expect(container.command).toEqual(["simk", "sweep", SMALL, "--seeds", "1..30", "--set", set, "--shards", "6", "--jobs", "1", "--quiet"]);
    expect(raw.spec.podFailurePolicy.rules[0]).toMatchObject({ action: "FailJob", onExitCodes: { values: [2] } });
    expect(captured.out).toMatch(/^# simk sweep of small as a Kubernetes Indexed Job/);
    expect(captured.out).toContain("kubectl logs -l job-name=simk-sweep-small,batch.kubernetes.io/job-completion-index=$i");
  });

  it("the command it runs is a working sweep shard", async () => {
    expect(await main(["sweep", SMALL, "--seeds", "1..4", "--emit-job", "--shards", "2"])).toBe(0);
    const raw = parse(captured.out) as { spec: { template: { spec: { containers: { command: string[] }[] } } } };
    const [, ...args] = raw.spec.template.spec.containers[0].command;
    captured.out = "";
    vi.stubEnv("JOB_COMPLETION_INDEX", "0");
    expect(await main(args)).toBe(0);
    expect(JSON.parse(captured.out).shard).toEqual({ index: 0, count: 2 });
  });

  it("--claim writes the shards to a PersistentVolumeClaim; shards are capped at the number of runs", async () => {
    expect(await main(["sweep", SMALL, "--seeds", "1..3", "--emit-job", "--shards", "10", "--claim", "sweep-results", "--jobs", "2"])).toBe(0);
    const [job] = load(captured.out);
    if (job.kind !== "Job") throw new Error("not a Job");
    expect(job.spec.completions).toBe(3);
    const raw = parse(captured.out) as { spec: { template: { spec: { volumes: unknown[]; containers: { command: string[]; resources: unknown }[] } } } };
    const c = raw.spec.template.spec.containers[0];
    expect(c.command.slice(-7)).toEqual(["--shards", "3", "--jobs", "2", "--quiet", "--out-dir", "/results"]);
    expect(c.resources).toEqual({ requests: { cpu: "2", memory: "1Gi" } });
    expect(raw.spec.template.spec.volumes).toEqual([{ name: "results", persistentVolumeClaim: { claimName: "sweep-results" } }]);
  });

  it("an input error in the sweep is reported before any Job is printed", async () => {
    expect(await main(["sweep", SMALL, "--set", "spec.duration=soon", "--emit-job"])).toBe(2);
    expect(captured.out).toBe("");
    expect(captured.err).toMatch(/invalid duration "soon"/);
  });

  it("job names are DNS labels", () => {
    expect(jobName("Binpack_vs.Spread")).toBe("simk-sweep-binpack-vs-spread");
    expect(jobName("x".repeat(100)).length).toBeLessThanOrEqual(52);
  });
});
