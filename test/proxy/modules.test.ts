/** Balancer modules (policies/proxy/modules.ts) and the worked example policies/examples/zoneAwareBalancer.ts. */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { balancer as zoneAware, NAME, zoneAwareBalancer } from "../../policies/examples/zoneAwareBalancer.js";
import { loadBalancerModule, loadBalancerModules } from "../../policies/proxy/modules.js";
import { BALANCERS } from "../../policies/proxy/registry.js";
import { Rng } from "../../sim/engine/rng.js";
import { formatProblem, InputError } from "../../sim/scenario/errors.js";
import { KubeProxy } from "../../sim/traffic/proxy.js";
import { useTempDirs } from "../helpers/cli.js";
import { context, MapDirectory, service, slice, views } from "./helpers.js";

const EXAMPLE = new URL("../../policies/examples/zoneAwareBalancer.ts", import.meta.url).pathname;

const tempDir = useTempDirs("simk-balancer-");

function module(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

async function problems(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("loadBalancerModule", () => {
  it("loads the TypeScript example through tsx", async () => {
    const [f, ...rest] = await loadBalancerModule(EXAMPLE);
    expect(rest).toEqual([]);
    expect(f.name).toBe("zone-aware");
    expect(f.create().name).toBe("zone-aware");
  });

  it("loads `balancers` arrays from JavaScript", async () => {
    const file = module(
      "two.mjs",
      `const mk = (name) => ({ name, create: () => ({ name, setEndpoints() {}, pick: () => 0 }) });
       export const balancers = [mk("first"), mk("second")];`,
    );
    expect((await loadBalancerModule(file)).map((f) => f.name)).toEqual(["first", "second"]);
  });

  it("says what is wrong and what is expected, naming the module", async () => {
    const missing = join(tmpdir(), "simk-no-such-balancer.ts");
    expect(await problems(() => loadBalancerModule(missing, "no-such-balancer.ts"))).toEqual([expect.stringMatching(/^no-such-balancer\.ts: balancer module not found .*exports "balancer"/)]);

    const none = module("none.mjs", "export const factory = {};");
    expect(await problems(() => loadBalancerModule(none, "none.mjs"))).toEqual([expect.stringContaining('none.mjs: a balancer module exports "balancer"')]);
    expect((await problems(() => loadBalancerModule(none, "none.mjs")))[0]).toContain('this one exports "factory"');

    const bad = module("bad.mjs", 'export const balancer = { name: "9lives", create: 1 };');
    expect((await problems(() => loadBalancerModule(bad, "bad.mjs")))[0]).toMatch(/^bad\.mjs: "balancer" is not a BalancerFactory .* got a mapping$/);

    const notArray = module("arr.mjs", "export const balancers = 3;");
    expect((await problems(() => loadBalancerModule(notArray, "arr.mjs")))[0]).toBe('arr.mjs: "balancers" must be an array of BalancerFactory; got number 3');

    const throws = module("throws.mjs", 'throw new Error("boom");');
    expect((await problems(() => loadBalancerModule(throws, "throws.mjs")))[0]).toBe("throws.mjs: importing the balancer module failed: boom");
  });

  it("rejects a built-in's name and a name two modules define, with the line that named the module", async () => {
    const taken = module("taken.mjs", 'export const balancer = { name: "p2c", create() {} };');
    const a = module("a.mjs", 'export const balancer = { name: "mine", create() {} };');
    const b = module("b.mjs", 'export const balancer = { name: "mine", create() {} };');
    const source = { file: "scenario.yaml", line: 12, column: 15, path: "spec.traffic[0].balancer" };
    const found = await problems(() =>
      loadBalancerModules([
        { module: taken, given: "taken.mjs", source },
        { module: a, given: "a.mjs" },
        { module: b, given: "b.mjs" },
      ]),
    );
    expect(found).toEqual([
      'scenario.yaml:12:15: spec.traffic[0].balancer: taken.mjs: balancer name "p2c" is taken by a built-in policy; give the factory another name',
      'b.mjs: balancer "mine" is already defined by a.mjs',
    ]);
    const registry = await loadBalancerModules([{ module: a, given: "a.mjs" }]);
    expect(registry.get("mine")?.name).toBe("mine");
    expect(registry.get("p2c")).toBe(BALANCERS.get("p2c"));
  });
});

describe("the zone-aware example", () => {
  const zones = ["a", "b", "a", "c", "a"];
  const make = (zone: string | undefined, spillover?: number) => {
    const b = (spillover === undefined ? zoneAware : zoneAwareBalancer({ spillover })).create() as ReturnType<typeof zoneAware.create> & { setNode(n: string, z: string | undefined): void };
    b.setNode("node-x", zone);
    b.setEndpoints(views(5, undefined, zones), new Rng(1, "x"));
    return b;
  };

  it("keeps to the proxy's zone, p2c among its endpoints", () => {
    const b = make("a");
    const rng = new Rng(4, "zone");
    const active = Int32Array.from([0, 0, 0, 0, 0]);
    const seen = new Set<number>();
    for (let k = 0; k < 300; k++) seen.add(b.pick(k, rng, active));
    expect(seen).toEqual(new Set([0, 2, 4]));
    // p2c inside the zone: the busier of any two never wins.
    const loaded = Int32Array.from([5, 0, 1, 0, 3]);
    for (let k = 0; k < 100; k++) expect(b.pick(k, rng, loaded)).not.toBe(0);
  });

  it("spills over to every zone when the local choice is busy, and without local endpoints", () => {
    const b = make("a", 2);
    const rng = new Rng(5, "zone");
    const busy = Int32Array.from([2, 0, 2, 0, 2]);
    const seen = new Set<number>();
    for (let k = 0; k < 300; k++) seen.add(b.pick(k, rng, busy));
    expect(seen.has(1) && seen.has(3)).toBe(true);
    const elsewhere = make("z");
    const all = new Set<number>();
    for (let k = 0; k < 300; k++) all.add(elsewhere.pick(k, rng, new Int32Array(5)));
    expect(all).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(() => zoneAwareBalancer({ spillover: 0 })).toThrow(RangeError);
  });

  it("gets its node's zone from kube-proxy (zoneOf) and the endpoints' zones from the slices", () => {
    const ctx = context();
    ctx.store.create(service("web"));
    ctx.store.create(
      slice("web-x", "web", [
        { ip: "10.0.1.1", node: "n1", zone: "a" },
        { ip: "10.0.1.2", node: "n2" }, // no zone in the slice: zoneOf(n2) = b
        { ip: "10.0.1.3", node: "n3", zone: "a" },
      ]),
    );
    const zonesByNode: Record<string, string> = { n1: "a", n2: "b", n3: "a", proxy: "b" };
    const proxy = new KubeProxy(ctx, "proxy", {
      mode: "nftables",
      directory: new MapDirectory({ "10.0.1.1": 0, "10.0.1.2": 1, "10.0.1.3": 2 }),
      balancerFor: () => zoneAware,
      zoneOf: (n) => zonesByNode[n],
    });
    proxy.start();
    expect(proxy.viewOf("default/web").map((e) => e.zone)).toEqual(["a", "b", "a"]);
    expect(proxy.balancerOf("default/web")?.name).toBe(NAME);
    // The proxy is in zone b, which has one endpoint: every request goes there.
    expect([1, 2, 3, 4].map((c) => proxy.route("default/web", c))).toEqual([1, 1, 1, 1]);
  });
});
