/**
 * NodePorts (pkg/scheduler/framework/plugins/nodeports/node_ports.go; host ports collected as
 * pkg/scheduler/util GetHostPorts, conflicts as framework HostPortInfo.CheckConflict).
 *
 * PreFilter collects the pod's host ports: every port with hostPort > 0 of the sidecar init
 * containers (restartPolicy: Always) and of the regular containers; a pod without any gets Skip.
 * Protocol defaults to TCP and hostIP to 0.0.0.0.
 *
 * Filter: a wanted (protocol, hostIP, port) conflicts with a used one of the same protocol and port
 * when either side binds 0.0.0.0 or both name the same IP. A conflict is Unschedulable (not
 * Unresolvable: preempting the pod holding the port frees it), "node(s) didn't have free ports for
 * the requested pod ports".
 *
 * NodeInfo.usedPorts keys are "protocol/hostIP/port" with use counts (sim/scheduler/cache.ts).
 */
import type { ContainerPort, Pod } from "../../sim/api/objects.js";
import type { CycleState, FilterPlugin, FrameworkHandle, NodeInfo, PodInfo, PreFilterPlugin, PreFilterResult, StateData, Status, UsedPorts } from "../../sim/scheduler/framework.js";
import { SKIP, SUCCESS, errorStatus, unschedulable } from "../../sim/scheduler/framework.js";
import type { PluginFactory } from "../../sim/scheduler/registry.js";

export const NAME = "NodePorts";
const PRE_FILTER_KEY = "PreFilter" + NAME;
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
export const DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0";

const CONFLICT: Status = Object.freeze(unschedulable(NAME, ERR_REASON));

/** Host ports of a pod's sidecar init containers and containers (hostPort > 0), in that order. */
export function getHostPorts(pod: Pod): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy !== "Always") continue; // only containers running for the pod's lifetime
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) out.push(p);
  }
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) out.push(p);
  return out;
}

/** One wanted host port, with the usedPorts keys precomputed so Filter does not build strings. */
interface WantedPort {
  /** hostIP is 0.0.0.0: any used IP with the same protocol and port conflicts. */
  readonly bindAll: boolean;
  /** "protocol/" and "/port": the shape of every key that can conflict with a bind-all port. */
  readonly prefix: string;
  readonly suffix: string;
  /** The keys to probe for a specific IP: the same IP and the bind-all address ("" as well). */
  readonly keys: readonly string[];
}

function wanted(p: ContainerPort): WantedPort {
  const protocol = p.protocol || "TCP";
  const ip = p.hostIP || DEFAULT_BIND_ALL_HOST_IP;
  const port = p.hostPort!;
  return {
    bindAll: ip === DEFAULT_BIND_ALL_HOST_IP,
    prefix: `${protocol}/`,
    suffix: `/${port}`,
    // An empty hostIP is stored by the cache as "" if a manifest spells it out; it means 0.0.0.0.
    keys: [`${protocol}/${ip}/${port}`, `${protocol}/${DEFAULT_BIND_ALL_HOST_IP}/${port}`, `${protocol}//${port}`],
  };
}

const used = (ports: UsedPorts, key: string): boolean => (ports.get(key) ?? 0) > 0;

/** HostPortInfo.CheckConflict for one wanted port. */
function conflicts(w: WantedPort, ports: UsedPorts): boolean {
  if (ports.size === 0) return false;
  if (w.bindAll) {
    for (const [key, n] of ports) if (n > 0 && key.startsWith(w.prefix) && key.endsWith(w.suffix)) return true;
    return false;
  }
  for (let i = 0; i < w.keys.length; i++) if (used(ports, w.keys[i])) return true;
  return false;
}

class PreFilterState implements StateData {
  constructor(readonly ports: readonly WantedPort[]) {}
  clone(): StateData {
    return this; // not affected by adding or removing pods
  }
}

/** Whether none of the pod's host ports conflicts with the node's used ports (upstream Fits). */
export function fitsPorts(pod: Pod, node: NodeInfo): boolean {
  for (const p of getHostPorts(pod)) if (conflicts(wanted(p), node.usedPorts)) return false;
  return true;
}

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodInfo, _handle: FrameworkHandle): PreFilterResult {
    const ports = getHostPorts(pod.pod);
    if (ports.length === 0) return { status: SKIP };
    state.write(PRE_FILTER_KEY, new PreFilterState(ports.map(wanted)));
    return { status: SUCCESS };
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return errorStatus(NAME, `reading "${PRE_FILTER_KEY}" from cycleState: not found`);
    for (let i = 0; i < s.ports.length; i++) if (conflicts(s.ports[i], node.usedPorts)) return CONFLICT;
    return SUCCESS;
  }
}

export const nodePortsFactory: PluginFactory = {
  name: NAME,
  create: () => new NodePorts(),
};
