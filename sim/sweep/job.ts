/**
 * `simk sweep ... --emit-job`: a batch/v1 Indexed Job that runs a sweep's shards on a cluster. Pod
 * I gets JOB_COMPLETION_INDEX=I from the Job controller and runs `simk sweep ... --shards N`, which
 * reads it: shard I/N. Completions = parallelism = N. A usage or input error (exit 2) fails the
 * whole Job at once (podFailurePolicy), since retrying cannot fix it; other failures are retried.
 *
 * Shard results go to a PersistentVolumeClaim mounted at /results when --claim is given, else to
 * the pod's stdout (collect them with kubectl logs). Merge them with `simk sweep merge`.
 */
import { stringify } from "yaml";

export interface JobOptions {
  /** The sweep's command line after `simk sweep`, without --shard/--shards/--out-dir/--emit-job. */
  args: string[];
  scenario: string;
  image: string;
  shards: number;
  /** A PersistentVolumeClaim for the shard files. */
  claim?: string;
  /** CPUs per pod (= --jobs in each pod). */
  cpus?: number;
  name?: string;
}

export const RESULTS_DIR = "/results";

/** A Job name: a DNS label short enough for the pods' `<job>-<index>-<suffix>` names. */
export function jobName(scenario: string): string {
  const base = `simk-sweep-${scenario}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 52)
    .replace(/^-+|-+$/g, "");
  return base || "simk-sweep";
}

export function indexedJob(options: JobOptions): Record<string, unknown> {
  const name = options.name ?? jobName(options.scenario);
  const cpus = options.cpus ?? 1;
  const command = ["simk", "sweep", ...options.args, "--shards", String(options.shards), "--jobs", String(cpus), "--quiet"];
  if (options.claim) command.push("--out-dir", RESULTS_DIR);
  const labels = (): Record<string, string> => ({ "app.kubernetes.io/name": "simk", "app.kubernetes.io/component": "sweep" });
  const container: Record<string, unknown> = {
    name: "simk",
    image: options.image,
    command,
    env: [{ name: "CI", value: "true" }],
    resources: { requests: { cpu: String(cpus), memory: "1Gi" } },
  };
  if (options.claim) container.volumeMounts = [{ name: "results", mountPath: RESULTS_DIR }];
  const podSpec: Record<string, unknown> = { restartPolicy: "Never", containers: [container] };
  if (options.claim) podSpec.volumes = [{ name: "results", persistentVolumeClaim: { claimName: options.claim } }];
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: labels() },
    spec: {
      completionMode: "Indexed",
      completions: options.shards,
      parallelism: options.shards,
      backoffLimit: Math.max(3, options.shards),
      podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { containerName: "simk", operator: "In", values: [2] } }] },
      template: { metadata: { labels: labels() }, spec: podSpec },
    },
  };
}

export function indexedJobYaml(options: JobOptions): string {
  const job = indexedJob(options);
  const name = (job.metadata as { name: string }).name;
  const collect = options.claim
    ? [`# Shard files land in the PersistentVolumeClaim ${options.claim} (${RESULTS_DIR}); when the Job is`, `# complete, merge them from wherever the claim is mounted:`, `#   simk sweep merge <claim-dir> --out-dir sweep/`]
    : [
        `# Each pod prints its shard to stdout. When the Job is complete, collect and merge them:`,
        `#   for i in $(seq 0 ${options.shards - 1}); do`,
        `#     kubectl logs -l job-name=${name},batch.kubernetes.io/job-completion-index=$i --tail=-1 > shard-$i.json`,
        `#   done`,
        `#   simk sweep merge shard-*.json --out-dir sweep/`,
      ];
  const header = [
    `# simk sweep of ${options.scenario} as a Kubernetes Indexed Job: pod I runs shard I/${options.shards}`,
    `# (simk reads JOB_COMPLETION_INDEX). The image must hold simk on its PATH and the scenario at`,
    `# the path in the command, relative to the image's working directory.`,
    ...collect,
  ];
  return `${header.join("\n")}\n${stringify(job, { lineWidth: 0 })}`;
}
