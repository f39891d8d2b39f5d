/** Builds a Scenario in code (no YAML), for tests of the simulation itself. */
import type { Deployment, NewObject } from "../../sim/api/objects.js";
import { DEFAULT_COMPONENTS } from "../../sim/scenario/defaults.js";
import type { NodePool, Scenario, TimelineAction } from "../../sim/scenario/types.js";

const here = { file: "test.yaml", line: 1, column: 1, path: "" };

export function pool(name: string, count: number, zones: string[] = [], allocatable = { cpu: "4", memory: "16Gi", pods: "110" }): NodePool {
  return { name, count, zones, template: { allocatable } };
}

export function deployment(name: string, replicas: number, requests = { cpu: "500m", memory: "512Mi" }, extra: Partial<Deployment["spec"]> = {}): NewObject<Deployment> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1`, resources: { requests } }] } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
    status: {},
  };
}

export type ActionInput = TimelineAction extends infer A ? (A extends TimelineAction ? Omit<A, "source"> : never) : never;

export function scenario(parts: { pools?: NodePool[]; manifests?: Scenario["manifests"]; timeline?: ActionInput[]; duration?: number; seed?: number }): Scenario {
  return {
    name: "test",
    file: "/dev/null",
    duration: parts.duration ?? 600_000_000,
    seed: parts.seed ?? 1,
    sampleInterval: 1_000_000,
    nodePools: parts.pools ?? [pool("worker", 3)],
    components: structuredClone(DEFAULT_COMPONENTS),
    manifests: parts.manifests ?? [],
    timeline: (parts.timeline ?? []).map((a) => ({ ...a, source: here }) as TimelineAction),
    expect: [],
    schedulerConfigs: [],
  };
}
