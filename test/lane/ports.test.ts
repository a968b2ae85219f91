import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { isPortFree } from "../../src/lane/port-check.js";
import { type PortBlock, PortPool, portEnv } from "../../src/lane/ports.js";

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server of this test holding a port, as another program would. */
function hold(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port, host }, () => {
      servers.push(server);
      resolve(server);
    });
  });
}

async function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port: 0, host: "::1" }, () => server.close(() => resolve(true)));
  });
}

/** A base where the first `count` ports are free now, away from other tests' ranges. */
async function quietBase(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 2_000) * 10;
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await isPortFree(port);
    if (free) return base;
  }
  throw new Error("no quiet port range found for the test");
}

const overlaps = (x: PortBlock, y: PortBlock) => x.first <= y.last && y.first <= x.last;

describe("isPortFree", () => {
  it("tells a held port from a free one", async () => {
    const base = await quietBase(2);
    await hold(base, "127.0.0.1");
    expect(await isPortFree(base)).toBe(false);
    expect(await isPortFree(base + 1)).toBe(true);
  });

  it("sees a port held on IPv6 loopback only", async (context) => {
    if (!(await ipv6Available())) context.skip();
    const base = await quietBase(1);
    await hold(base, "::1");
    expect(await isPortFree(base)).toBe(false);
  });
});

describe("PortPool", () => {
  it("gives four lanes distinct blocks of free ports, skipping a block with a held port", async () => {
    const base = await quietBase(50);
    await hold(base + 3, "127.0.0.1"); // another program on a port of the first block
    const pool = new PortPool({ base, size: 10 });
    const lanes = ["a", "b", "c", "d"];
    const blocks = await Promise.all(lanes.map((id) => pool.allocate(id)));

    expect(blocks.map((b) => b.first).sort((x, y) => x - y)).toEqual([
      base + 10,
      base + 20,
      base + 30,
      base + 40,
    ]);
    for (const block of blocks) expect(block.last - block.first).toBe(9);
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++)
        expect(overlaps(blocks[i]!, blocks[j]!)).toBe(false);
    }
    // Every lane's dev server can bind its LANES_PORT while the others run.
    for (const block of blocks) await hold(block.first, "127.0.0.1");
    expect(pool.held.map((h) => h.laneId)).toHaveLength(4);
  });

  it("keeps a lane's block until it is released, then gives it out again", async () => {
    const base = await quietBase(20);
    const pool = new PortPool({ base, size: 10 });
    // Asked twice at once for one lane: one block.
    const [a, again] = await Promise.all([pool.allocate("a"), pool.allocate("a")]);
    expect(again).toEqual(a);
    expect(await pool.allocate("a")).toEqual(a);
    expect(pool.held).toHaveLength(1);
    const b = await pool.allocate("b");
    expect(b.first).toBe(base + 10);
    pool.release("a");
    pool.release("a");
    expect(pool.blockOf("a")).toBeUndefined();
    expect((await pool.allocate("c")).first).toBe(base);
    expect(pool.held).toEqual([
      { laneId: "c", first: base, last: base + 9 },
      { laneId: "b", first: base + 10, last: base + 19 },
    ]);
  });

  it("defaults to blocks of 10 from 4100", () => {
    const pool = new PortPool();
    expect([pool.base, pool.size]).toEqual([4100, 10]);
  });

  it("says so when every block is taken", async () => {
    // Two blocks at the very top of the range; the bind check is not what is under test here.
    const pool = new PortPool({ base: 65_526, size: 5, isFree: async () => true });
    await pool.allocate("a");
    await pool.allocate("b");
    const error = await pool.allocate("c").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanesError);
    expect((error as LanesError).message).toMatch(/No free block of 5 ports from 65526/);
    expect((error as LanesError).hint).toMatch(/lane\.portBase/);
  });

  it("refuses settings outside the port range, naming the key", () => {
    expect(() => new PortPool({ base: 70_000 })).toThrow(/`lane\.portBase`.*got 70000/);
    expect(() => new PortPool({ base: 65_530, size: 10 })).toThrow(/`lane\.ports`/);
    expect(() => new PortPool({ size: 0 })).toThrow(/`lane\.ports`.*got 0/);
  });
});

describe("portEnv", () => {
  it("exports LANES_PORT, the last port and PORT unless told not to", () => {
    const block = { first: 4110, last: 4119 };
    expect(portEnv(block)).toEqual({ LANES_PORT: "4110", LANES_PORT_LAST: "4119", PORT: "4110" });
    expect(portEnv(block, false)).toEqual({ LANES_PORT: "4110", LANES_PORT_LAST: "4119" });
  });
});
