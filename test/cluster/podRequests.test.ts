import { describe, expect, it } from "vitest";
import type { Container, PodSpec } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";

const containers: Container[] = [{ name: "app", image: "x", resources: { requests: { cpu: "250m", memory: "64Mi" } } }];

describe("podRequests' cache", () => {
  it("specs sharing a containers list (a bound pod's spec and its template's) share one result", () => {
    const template: PodSpec = { containers };
    const bound: PodSpec = { ...template, nodeName: "worker-0" };
    expect(podRequests(bound)).toBe(podRequests(template));
    expect(podRequests(bound).requests.milliCPU).toBe(250);
  });

  it("the same containers with other init containers or overhead are computed anew", () => {
    const plain = podRequests({ containers });
    const withOverhead = podRequests({ containers, overhead: { cpu: "100m" } });
    expect(withOverhead.requests.milliCPU).toBe(350);
    // Init containers run before the app: the larger of the two counts (500m > 250m).
    const withInit = podRequests({ containers, initContainers: [{ name: "init", image: "y", resources: { requests: { cpu: "500m" } } }] });
    expect(withInit.requests.milliCPU).toBe(500);
    expect(podRequests({ containers }).requests.milliCPU).toBe(250);
    expect(plain.requests.milliCPU).toBe(250);
  });
});
