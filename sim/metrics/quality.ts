/**
 * Scheduling-quality metrics over the nodes at one instant.
 *
 * - Imbalance: the population standard deviation of the nodes' allocation ratios
 *   (requested ÷ allocatable), per resource. 0 when every node is equally full.
 * - Fragmentation: the share of free capacity that is stranded — on nodes where the typical pod
 *   cannot fit. The typical pod is the median cpu and median memory request of the pods waiting to
 *   be scheduled (of all pods, when none waits). A node cannot fit it when its free cpu, free memory
 *   or free pod slots fall short. Only Ready, schedulable nodes count: capacity the scheduler cannot
 *   use at all is not fragmentation. cpu fragmentation = Σ free cpu on such nodes ÷ Σ free cpu.
 */

export interface NodeUsage {
  cpu: number;
  memory: number;
  pods: number;
  requestedCpu: number;
  requestedMemory: number;
  podCount: number;
  ready: boolean;
  schedulable: boolean;
}

export interface Imbalance {
  cpu: number;
  memory: number;
}

export function imbalance(nodes: Iterable<NodeUsage>): Imbalance {
  const cpu: number[] = [];
  const memory: number[] = [];
  for (const n of nodes) {
    if (n.cpu > 0) cpu.push(n.requestedCpu / n.cpu);
    if (n.memory > 0) memory.push(n.requestedMemory / n.memory);
  }
  return { cpu: populationStd(cpu), memory: populationStd(memory) };
}

export interface Fragmentation {
  /** Free millicores on usable nodes that cannot fit the typical pod. */
  cpuStranded: number;
  memoryStranded: number;
  /** Stranded ÷ free, in [0, 1]; 0 when nothing is free. */
  cpu: number;
  memory: number;
}

export function fragmentation(nodes: Iterable<NodeUsage>, typical: { cpu: number; memory: number } | undefined): Fragmentation {
  let freeCpu = 0;
  let freeMemory = 0;
  let cpuStranded = 0;
  let memoryStranded = 0;
  for (const n of nodes) {
    if (!n.ready || !n.schedulable) continue;
    const fc = Math.max(0, n.cpu - n.requestedCpu);
    const fm = Math.max(0, n.memory - n.requestedMemory);
    freeCpu += fc;
    freeMemory += fm;
    if (!typical) continue;
    const fits = fc >= typical.cpu && fm >= typical.memory && n.pods - n.podCount >= 1;
    if (!fits) {
      cpuStranded += fc;
      memoryStranded += fm;
    }
  }
  return {
    cpuStranded,
    memoryStranded,
    cpu: freeCpu > 0 ? cpuStranded / freeCpu : 0,
    memory: freeMemory > 0 ? memoryStranded / freeMemory : 0,
  };
}

export function populationStd(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}
