/**
 * NodePorts. Rows marked "upstream" come from
 * pkg/scheduler/framework/plugins/nodeports/node_ports_test.go (TestNodePorts, TestGetContainerPorts);
 * the rest are worked by hand from HostPortInfo.CheckConflict (framework/types.go) and
 * util.GetHostPorts: same protocol and port conflict when either hostIP is 0.0.0.0 (or empty) or
 * both are equal; conflicts are Unschedulable.
 */
import { describe, expect, it } from "vitest";
import type { Container, ContainerPort, Node, Pod } from "../../sim/api/objects.js";
import { podRequests } from "../../sim/cluster/resources.js";
import { Rng } from "../../sim/engine/rng.js";
import { SchedulerCache } from "../../sim/scheduler/cache.js";
import { CycleState, type FrameworkHandle, type NodeInfo, type PodInfo } from "../../sim/scheduler/framework.js";
import { NodePorts, fitsPorts, getHostPorts, nodePortsFactory } from "../../policies/scheduler/nodePorts.js";

let uid = 0;

function mkPod(containers: Container[], initContainers?: Container[]): Pod {
  const id = `p${++uid}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: id, namespace: "default", uid: id, resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: { containers, initContainers },
    status: { phase: "Running" },
  };
}

/** Upstream's newPod: "PROTOCOL/hostIP/hostPort" strings, all in one container. */
function portsPod(...specs: string[]): Pod {
  const ports: ContainerPort[] = specs.map((s) => {
    const [protocol, hostIP, port] = s.split("/");
    const p: ContainerPort = { containerPort: Number(port), hostPort: Number(port) };
    if (protocol) p.protocol = protocol as ContainerPort["protocol"];
    if (hostIP) p.hostIP = hostIP;
    return p;
  });
  return mkPod([{ name: "c", ports }]);
}

function info(pod: Pod): PodInfo {
  return { pod, key: `default/${pod.metadata.name}`, requests: podRequests(pod.spec) };
}

function nodeWith(...pods: Pod[]): NodeInfo {
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "m1", uid: "m1", resourceVersion: "1", generation: 1, creationTimestamp: 0 },
    spec: {},
    status: { capacity: { cpu: "4", memory: "8Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, conditions: [] },
  };
  const cache = new SchedulerCache();
  cache.upsertNode(node);
  for (const p of pods) cache.addPod(p, "m1");
  return cache.nodeInfo("m1")!;
}

const handle: FrameworkHandle = {
  nodes: [],
  nodeInfo: () => undefined,
  namespaceLabels: () => undefined,
  workloadSelectors: () => [],
  rng: new Rng(1, "test"),
  now: 0,
};

const CONFLICT = "node(s) didn't have free ports for the requested pod ports";

describe("NodePorts PreFilter + Filter", () => {
  it.each<[string, Pod, Pod[], boolean]>([
    // upstream
    ["other port", portsPod("UDP/127.0.0.1/8080"), [portsPod("UDP/127.0.0.1/9090")], false],
    ["same udp port", portsPod("UDP/127.0.0.1/8080"), [portsPod("UDP/127.0.0.1/8080")], true],
    ["same tcp port", portsPod("TCP/127.0.0.1/8080"), [portsPod("TCP/127.0.0.1/8080")], true],
    ["different host ip", portsPod("TCP/127.0.0.1/8080"), [portsPod("TCP/127.0.0.2/8080")], false],
    ["different protocol", portsPod("UDP/127.0.0.1/8080"), [portsPod("TCP/127.0.0.1/8080")], false],
    ["second udp port conflict", portsPod("UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"), [portsPod("UDP/127.0.0.1/8080")], true],
    ["first tcp port conflict", portsPod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"), [portsPod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081")], true],
    ["conflict due to wanted 0.0.0.0", portsPod("TCP/0.0.0.0/8001"), [portsPod("TCP/127.0.0.1/8001")], true],
    ["TCP conflict due to 0.0.0.0 (second wanted port)", portsPod("TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"), [portsPod("TCP/127.0.0.1/8001")], true],
    ["conflict with used 0.0.0.0", portsPod("TCP/127.0.0.1/8001"), [portsPod("TCP/0.0.0.0/8001")], true],
    ["0.0.0.0 with another protocol", portsPod("UDP/127.0.0.1/8001"), [portsPod("TCP/0.0.0.0/8001")], false],
    ["UDP conflict due to used 0.0.0.0", portsPod("UDP/127.0.0.1/8001"), [portsPod("TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001")], true],
    // by hand
    ["omitted hostIP means 0.0.0.0 (wanted)", portsPod("TCP//8001"), [portsPod("TCP/127.0.0.1/8001")], true],
    ["omitted hostIP means 0.0.0.0 (used)", portsPod("TCP/127.0.0.1/8001"), [portsPod("TCP//8001")], true],
    ["omitted protocol means TCP", portsPod("/127.0.0.1/8001"), [portsPod("TCP/127.0.0.1/8001")], true],
    ["omitted protocol is not UDP", portsPod("//8001"), [portsPod("UDP//8001")], false],
    ["SCTP vs TCP on 0.0.0.0", portsPod("SCTP//80"), [portsPod("TCP//80")], false],
    ["port prefix is not a match (80 vs 8080)", portsPod("TCP//80"), [portsPod("TCP/10.0.0.1/8080"), portsPod("TCP/10.0.0.1/180")], false],
    ["empty node", portsPod("TCP//80"), [], false],
    ["two specific IPs on a node, wanted bind-all", portsPod("TCP//53"), [portsPod("UDP//53"), portsPod("TCP/10.0.0.2/53")], true],
  ])("%s", (_name, pod, existing, conflict) => {
    const pl = new NodePorts();
    const state = new CycleState();
    const pi = info(pod);
    expect(pl.preFilter(state, pi, handle).status.code).toBe("Success");
    const s = pl.filter(state, pi, nodeWith(...existing));
    if (!conflict) expect(s.code).toBe("Success");
    else {
      expect(s.code).toBe("Unschedulable");
      expect(s.reasons).toEqual([CONFLICT]);
      expect(s.plugin).toBe("NodePorts");
    }
    expect(fitsPorts(pod, nodeWith(...existing))).toBe(!conflict);
  });

  it("skips a pod without host ports (upstream: skip filter)", () => {
    const pl = new NodePorts();
    expect(pl.preFilter(new CycleState(), info(mkPod([{ name: "c" }])), handle).status.code).toBe("Skip");
    // containerPort without hostPort, and hostPort 0, are not host ports
    const noHost = mkPod([{ name: "c", ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] }]);
    expect(pl.preFilter(new CycleState(), info(noHost), handle).status.code).toBe("Skip");
  });

  it("Filter without PreFilter state is an Error (upstream TestPreFilterDisabled)", () => {
    const s = new NodePorts().filter(new CycleState(), info(portsPod("TCP//80")), nodeWith());
    expect(s.code).toBe("Error");
  });

  it("a regular init container's ports are ignored; a sidecar's count", () => {
    const pl = new NodePorts();
    const init = mkPod([{ name: "c" }], [{ name: "init", ports: [{ containerPort: 80, hostPort: 80 }] }]);
    expect(pl.preFilter(new CycleState(), info(init), handle).status.code).toBe("Skip");
    const sidecar = mkPod([{ name: "c" }], [{ name: "proxy", restartPolicy: "Always", ports: [{ containerPort: 80, hostPort: 80 }] }]);
    const state = new CycleState();
    expect(pl.preFilter(state, info(sidecar), handle).status.code).toBe("Success");
    // TCP/0.0.0.0/80 wanted vs TCP/10.0.0.1/80 used → conflict
    expect(pl.filter(state, info(sidecar), nodeWith(portsPod("TCP/10.0.0.1/80"))).code).toBe("Unschedulable");
  });

  it("a used port written with hostIP \"\" is stored as bind-all (0.0.0.0)", () => {
    const used = mkPod([{ name: "c", ports: [{ containerPort: 80, hostPort: 80, hostIP: "" }] }]);
    const node = nodeWith(used);
    expect([...node.usedPorts.keys()]).toEqual(["TCP/0.0.0.0/80"]);
    expect(fitsPorts(portsPod("TCP/10.0.0.1/80"), node)).toBe(false); // specific IP vs bind-all
    expect(fitsPorts(portsPod("TCP//80"), node)).toBe(false); // bind-all vs bind-all
    expect(fitsPorts(portsPod("UDP/10.0.0.1/80"), node)).toBe(true); // other protocol
  });

  it("a port freed by removing its pod no longer conflicts", () => {
    const holder = portsPod("TCP//80");
    const node = nodeWith(holder);
    const pod = portsPod("TCP//80");
    expect(fitsPorts(pod, node)).toBe(false);
    node.usedPorts.delete("TCP/0.0.0.0/80"); // as the cache does when the count reaches 0
    expect(fitsPorts(pod, node)).toBe(true);
  });
});

describe("getHostPorts (upstream TestGetContainerPorts, adapted to one pod)", () => {
  it("lists host ports of every container, skipping ports without hostPort", () => {
    const tcp = (n: number, host = true): ContainerPort => (host ? { containerPort: n, hostPort: n, protocol: "TCP" } : { containerPort: n, protocol: "TCP" });
    const pod = mkPod([
      { name: "a", ports: [tcp(8001), tcp(8002)] },
      { name: "b", ports: [tcp(8003), tcp(8004)] },
      { name: "c", ports: [tcp(8005, false)] },
    ]);
    expect(getHostPorts(pod).map((p) => p.hostPort)).toEqual([8001, 8002, 8003, 8004]);
  });

  it("puts sidecar init containers first", () => {
    const pod = mkPod([{ name: "c", ports: [{ containerPort: 1, hostPort: 1 }] }], [{ name: "s", restartPolicy: "Always", ports: [{ containerPort: 2, hostPort: 2 }] }]);
    expect(getHostPorts(pod).map((p) => p.hostPort)).toEqual([2, 1]);
  });
});

describe("nodePortsFactory", () => {
  it("is named NodePorts", () => {
    expect(nodePortsFactory.name).toBe("NodePorts");
    expect(nodePortsFactory.create(undefined)).toBeInstanceOf(NodePorts);
  });
});
