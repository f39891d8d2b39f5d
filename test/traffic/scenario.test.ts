/**
 * The traffic section of the scenario format: spec.traffic, spec.components.kubeProxy and the
 * setTraffic action — what loads, the defaults, and every mistake reported with file:line and a
 * did-you-mean where one fits. Also the CSV files (replay, empirical service times).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_COMPONENTS } from "../../sim/scenario/defaults.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { parseTimeColumn } from "../../sim/traffic/csv.js";

const dir = mkdtempSync(join(tmpdir(), "simk-traffic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const HEADER = `apiVersion: simk.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 60s
  nodePools:
    - {name: worker, count: 2, template: {allocatable: {cpu: "4", memory: 16Gi}}}
`;

const MANIFESTS = `---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: edge}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
`;

function load(spec: string): ReturnType<typeof loadScenario> {
  return loadScenario(write("x.yaml", HEADER + spec + MANIFESTS));
}

function problems(spec: string): string[] {
  try {
    load(spec);
  } catch (e) {
    if (e instanceof InputError) return e.problems.map((p) => formatProblem({ ...p, file: relative(dir, p.file) }));
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("spec.traffic", () => {
  it("loads with defaults: name from the Service, 100 clients on every node, no retries, a 10 ms exponential worker", () => {
    const s = load(`  traffic:
    - service: default/web
      arrivals: {process: poisson, rate: 800}
`);
    expect(s.traffic).toEqual([
      {
        name: "web",
        service: "default/web",
        arrivals: { process: "poisson", rate: 800 },
        clients: { count: 100, from: {} },
        retries: 0,
        warmup: 0,
        backend: { workers: 1, serviceTime: { distribution: "exponential", mean: 10_000 }, queueLimit: 1000 },
        source: { file: join(dir, "x.yaml"), line: 9, column: 7, path: "spec.traffic[0]" },
      },
    ]);
    expect(s.components.kubeProxy).toEqual({ mode: "iptables", ipvsScheduler: "rr", minSyncPeriod: 1_000_000, syncPeriod: 30_000_000 });
  });

  it("every field: balancer, sine arrivals, NodePort clients, timeout, retries, backend with cpuPerWorker, setTraffic", () => {
    const s = load(`  components:
    kubeProxy: {mode: ipvs, ipvsScheduler: lc, minSyncPeriod: 2s, syncPeriod: 1m}
  traffic:
    - name: daily
      service: edge
      balancer: p2c
      arrivals: {process: sine, mean: 100, amplitude: 50, period: 24h, phase: 6h}
      clients: {count: 7, from: {nodePort: {node: worker-1}}}
      timeout: 2s
      retries: 2
      warmup: 5s
      backend: {workers: 4, serviceTime: 20ms, queueLimit: 10, cpuPerWorker: 250m}
  timeline:
    - {at: 10s, action: setTraffic, traffic: daily, rate: 200, over: 30s}
`);
    expect(s.components.kubeProxy).toEqual({ mode: "ipvs", ipvsScheduler: "lc", minSyncPeriod: 2_000_000, syncPeriod: 60_000_000 });
    const t = s.traffic![0];
    expect(t).toMatchObject({
      name: "daily",
      service: "default/edge",
      balancer: { name: "p2c" },
      arrivals: { process: "sine", mean: 100, amplitude: 50, period: 86_400_000_000, phase: 21_600_000_000 },
      clients: { count: 7, from: { nodePort: { node: "worker-1" } } },
      timeout: 2_000_000,
      retries: 2,
      warmup: 5_000_000,
      backend: { workers: 4, serviceTime: { distribution: "constant", value: 20_000 }, queueLimit: 10, cpuPerWorker: 250 },
    });
    expect(s.timeline[0]).toMatchObject({ action: "setTraffic", traffic: "daily", rate: 200, over: 30_000_000 });
  });

  it("replay and empirical files are read relative to the scenario, in µs", () => {
    write("arrivals.csv", "id,time\n1,0.5\n2,0.5\n\n# a comment\n3,1.25\n");
    write("times.csv", "time\n0.010\n0.020\n");
    const s = load(`  traffic:
    - service: web
      arrivals: {process: replay, file: arrivals.csv}
      backend: {serviceTime: {distribution: empirical, file: times.csv}}
`);
    expect(s.traffic![0].arrivals).toEqual({ process: "replay", file: "arrivals.csv", times: [500_000, 500_000, 1_250_000] });
    expect(s.traffic![0].backend.serviceTime).toEqual({ distribution: "empirical", file: "times.csv", values: [10_000, 20_000] });
  });

  it("an unknown Service, node or balancer: did you mean", () => {
    expect(
      problems(`  traffic:
    - service: default/wbe
      arrivals: {process: poisson, rate: 1}
      clients: {from: {nodes: [worker-0, wroker-1]}}
    - service: web
      balancer: p2x
      arrivals: {process: poisson, rate: 1}
`),
    ).toEqual([
      'x.yaml:9:16: spec.traffic[0].service: unknown Service "default/wbe" (did you mean "default/web"?); Services: default/edge, default/web',
      'x.yaml:11:42: spec.traffic[0].clients.from.nodes[1]: unknown node "wroker-1" (did you mean "worker-1"?); nodes at the start: worker-0, worker-1',
      'x.yaml:13:17: spec.traffic[1].balancer: unknown balancer "p2x" (did you mean "p2c"?); known: iptables, nftables, ipvs-rr, ipvs-wrr, ipvs-lc, ipvs-wlc, ipvs-sed, ipvs-nq, ipvs-sh, ipvs-dh, userspace, least-requests, p2c, random, rr, least (or a module path such as ./my-balancer.ts)',
    ]);
  });

  it("NodePort clients need a NodePort Service; names are unique; from takes one of nodes or nodePort", () => {
    expect(
      problems(`  traffic:
    - service: web
      arrivals: {process: poisson, rate: 1}
      clients: {from: {nodePort: {node: worker-0}}}
    - service: web
      arrivals: {process: poisson, rate: 1}
`),
    ).toEqual([
      "x.yaml:11:34: spec.traffic[0].clients.from.nodePort: external clients through a NodePort need a Service of type NodePort or LoadBalancer; default/web is ClusterIP",
      'x.yaml:12:7: spec.traffic[1]: traffic name "web" is already used by spec.traffic[0]; give this entry a distinct name',
    ]);
    expect(
      problems(`  traffic:
    - service: web
      arrivals: {process: poisson, rate: 1}
      clients: {from: {nodes: [worker-0], nodePort: {node: worker-0}}}
`),
    ).toEqual(["x.yaml:11:23: spec.traffic[0].clients.from: from takes exactly one of nodes (client pods) or nodePort (external clients)"]);
  });

  it("schema mistakes: an unknown process, a sine below zero, a field misspelt", () => {
    expect(
      problems(`  traffic:
    - service: web
      arrivals: {process: poison, rate: 1}
    - service: web
      name: other
      arrivals: {process: sine, mean: 10, amplitude: 20, period: 1h}
      retires: 1
`),
    ).toEqual([
      'x.yaml:10:27: spec.traffic[0].arrivals.process: process must be one of poisson, constant, sine, replay; got string "poison" (did you mean "poisson"?)',
      "x.yaml:13:54: spec.traffic[1].arrivals.amplitude: amplitude must not exceed mean (a rate cannot go below 0)",
      'x.yaml:14:7: spec.traffic[1]: unknown field "retires" (did you mean "retries"?)',
    ]);
  });

  it("entries for one Service must agree on its balancer and backend", () => {
    expect(
      problems(`  traffic:
    - {service: web, arrivals: {process: poisson, rate: 1}, backend: {workers: 2}}
    - {name: b, service: web, balancer: p2c, arrivals: {process: poisson, rate: 1}, backend: {workers: 3}}
`),
    ).toEqual([
      "x.yaml:10:41: spec.traffic[1].balancer: default/web already gets its balancer from spec.traffic[0] (kube-proxy's); leave balancer out here or make them equal",
      "x.yaml:10:94: spec.traffic[1].backend: default/web already gets its backend from spec.traffic[0]; leave backend out here or make them equal",
    ]);
  });

  it("a balancer module must exist", () => {
    expect(
      problems(`  traffic:
    - {service: web, balancer: ./nope.ts, arrivals: {process: poisson, rate: 1}}
`),
    ).toEqual([
      `x.yaml:9:32: spec.traffic[0].balancer: balancer module "./nope.ts" not found (looked for ${join(dir, "nope.ts")}; paths are relative to the scenario file)`,
    ]);
  });

  it("CSV problems are reported with the CSV file's line and column", () => {
    write("bad.csv", "when,time\na,0.1\nb,x\nc,0.05\n");
    expect(
      problems(`  traffic:
    - service: web
      arrivals: {process: replay, file: bad.csv}
`),
    ).toEqual(['bad.csv:3:3: "time" must be a number of seconds ≥ 0, got "x"', "bad.csv:4:3: arrival times must not decrease: 0.05 s comes after 0.1 s (line 2)"]);
    expect(
      problems(`  traffic:
    - service: web
      arrivals: {process: replay, file: missing.csv}
`),
    ).toEqual(['x.yaml:10:41: spec.traffic[0].arrivals.file: cannot read "missing.csv": no such file (paths are relative to the scenario file)']);
  });

  it("setTraffic: the traffic must exist (did you mean) and have a rate", () => {
    write("a.csv", "time\n1\n");
    expect(
      problems(`  traffic:
    - {service: web, arrivals: {process: poisson, rate: 1}}
    - {name: replayed, service: web, arrivals: {process: replay, file: a.csv}}
  timeline:
    - {at: 1s, action: setTraffic, traffic: wbe, rate: 2}
    - {at: 2s, action: setTraffic, traffic: replayed, rate: 2}
`),
    ).toEqual([
      'x.yaml:12:45: spec.timeline[0].traffic: unknown traffic "wbe" (did you mean "web"?); spec.traffic names: web, replayed',
      'x.yaml:13:45: spec.timeline[1].traffic: traffic "replayed" replays a file of arrival times; it has no rate to set',
    ]);
  });

  it("kube-proxy: syncPeriod must not be below minSyncPeriod; modes and schedulers are enums", () => {
    expect(
      problems(`  components:
    kubeProxy: {minSyncPeriod: 10s, syncPeriod: 5s}
`),
    ).toEqual(["x.yaml:9:49: spec.components.kubeProxy.syncPeriod: syncPeriod (5s) must be >= minSyncPeriod (10s)"]);
    expect(
      problems(`  components:
    kubeProxy: {mode: ipvs, ipvsScheduler: lcc}
`),
    ).toEqual(['x.yaml:9:44: spec.components.kubeProxy.ipvsScheduler: ipvsScheduler must be one of rr, wrr, lc, wlc, sed, nq, sh, dh; got string "lcc" (did you mean "lc"?)']);
  });

  it("a scenario without traffic has no traffic field and the default kube-proxy settings", () => {
    const s = load("");
    expect("traffic" in s).toBe(false);
    expect(s.components.kubeProxy).toEqual(DEFAULT_COMPONENTS.kubeProxy);
  });
});

describe("CSV time columns", () => {
  const opts = { what: "arrival times", nonDecreasing: true };

  it("finds the time column anywhere, honours quotes, skips blank and # lines", () => {
    expect(parseTimeColumn('"a,b",time\n"x,y",1\n\n# c\n"z",2.5\n', "f.csv", opts)).toEqual({ ok: true, values: [1_000_000, 2_500_000] });
  });

  it("a missing header, a short row, a negative value, an empty file", () => {
    expect(parseTimeColumn("t\n1\n", "f.csv", opts)).toEqual({
      ok: false,
      problems: [{ file: "f.csv", line: 1, column: 1, message: 'the header row must have a "time" column (arrival times in seconds); got "t"' }],
    });
    expect(parseTimeColumn("a,time\n1\n2,-1\n", "f.csv", opts)).toEqual({
      ok: false,
      problems: [
        { file: "f.csv", line: 2, message: 'row has 1 field; the "time" column is field 2' },
        { file: "f.csv", line: 3, column: 3, message: '"time" must be a number of seconds ≥ 0, got "-1"' },
      ],
    });
    expect(parseTimeColumn("", "f.csv", opts)).toEqual({
      ok: false,
      problems: [{ file: "f.csv", line: 1, message: 'empty file: expected a header row with a "time" column, then arrival times in seconds' }],
    });
    expect(parseTimeColumn("time\n", "f.csv", { what: "service times", nonEmpty: true })).toEqual({
      ok: false,
      problems: [{ file: "f.csv", line: 2, message: "no service times: the file has only a header row" }],
    });
  });

  it("many problems are capped with a count of the rest", () => {
    const text = "time\n" + Array.from({ length: 15 }, () => "x").join("\n");
    const r = parseTimeColumn(text, "f.csv", opts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(11);
      expect(r.problems[10]).toEqual({ file: "f.csv", message: "5 more problems in this file not shown" });
    }
  });
});
