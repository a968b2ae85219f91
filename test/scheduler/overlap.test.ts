import { describe, expect, it } from "vitest";
import { mulberry32, randomDag } from "../../bench/lib/random-dag.mjs";
import { overlappingPairs } from "../../src/scheduler/overlap.js";
import { overlapCost } from "../../src/scheduler/overlap-cost.js";
import { type SimTask, simulate } from "../../src/scheduler/simulate.js";
import type { SchedulerTask } from "../../src/scheduler/types.js";
import { scheduler, startedIds, succeed } from "./helpers.js";

const ok = { ok: true, retryable: false };
const crash = { ok: false, retryable: true };

function withFiles(id: string, files: string[], priority = 0, dependsOn: string[] = []) {
  return { id, dependsOn, priority, files } satisfies SchedulerTask;
}

const sim = (id: string, durationMs: number, files: string[] = [], dependsOn: string[] = []) =>
  ({ id, dependsOn, durationMs, files }) satisfies SimTask;

describe("overlappingPairs", () => {
  it("lists each overlapping pair once, with the entries that meet", () => {
    const pairs = overlappingPairs([
      { id: "auth", files: ["src/auth.ts", "test/auth.test.ts"] },
      { id: "db", files: ["src/db/**"] },
      { id: "api", files: ["src/*.ts"] },
      { id: "docs", files: ["README.md"] },
      { id: "free" },
      { id: "schema", files: ["src/db/schema.sql"] },
    ]);
    expect(pairs).toEqual([
      { a: "auth", b: "api", files: ["src/auth.ts", "src/*.ts"] },
      { a: "db", b: "schema", files: ["src/db/**", "src/db/schema.sql"] },
    ]);
  });

  it("counts a pattern too large to reason about as overlapping", () => {
    const huge = "{a,b,c,d}".repeat(5);
    expect(
      overlappingPairs([
        { id: "x", files: [huge] },
        { id: "y", files: ["z"] },
      ]),
    ).toHaveLength(1);
  });
});

describe("keeping overlapping tasks apart", () => {
  it("starts the higher-priority task of a pair and holds the other until it is merged", () => {
    const s = scheduler(
      [withFiles("low", ["src/a.ts"], 1), withFiles("high", ["src/**"], 5), withFiles("c", [])],
      { concurrency: 3 },
    );
    expect(startedIds(s.poll())).toEqual(["high", "c"]);
    expect(s.heldBackBy("low")).toEqual(["high"]);
    // Its agent exited, but its work is not merged yet: starting now would still conflict.
    expect(s.agentExited("high", ok)).toEqual([]);
    expect(startedIds(s.completed("high", true))).toEqual(["low"]);
    expect(s.heldBackBy("low")).toEqual([]);
  });

  it("fills the slot with a task that does not overlap instead of leaving it idle", () => {
    const s = scheduler(
      [withFiles("a", ["x"], 9), withFiles("b", ["x"], 8), withFiles("c", ["y"], 1)],
      { concurrency: 2 },
    );
    expect(startedIds(s.poll())).toEqual(["a", "c"]);
  });

  it("holds a task while its partner waits to retry, and lets it go once the partner fails", () => {
    const s = scheduler([withFiles("a", ["x"], 2), withFiles("b", ["x"], 1)], { retries: 1 });
    expect(startedIds(s.poll())).toEqual(["a"]);
    expect(s.agentExited("a", crash).map((d) => d.type)).toEqual(["retry_later"]);
    expect(s.heldBackBy("b")).toEqual(["a"]);
    expect(startedIds(s.retryDue("a"))).toEqual(["a"]);
    expect(startedIds(s.agentExited("a", crash))).toEqual(["b"]);
    expect(s.state("a")).toBe("failed");
  });

  it('runs them together with overlap: "allow"', () => {
    const s = scheduler([withFiles("a", ["x"], 2), withFiles("b", ["x"], 1)], {
      overlap: "allow",
    });
    expect(startedIds(s.poll())).toEqual(["a", "b"]);
    expect(s.heldBackBy("b")).toEqual([]);
  });

  it("is a soft dependency: nothing fails or is skipped, and the run finishes", () => {
    const s = scheduler([withFiles("a", ["x"]), withFiles("b", ["x"]), withFiles("c", ["x"])]);
    const order: string[] = [];
    let started = startedIds(s.poll());
    while (started.length > 0) {
      expect(started).toHaveLength(1);
      order.push(...started);
      started = startedIds(succeed(s, started[0]!));
    }
    expect(order).toEqual(["a", "b", "c"]);
    expect(s.isFinished).toBe(true);
    expect(s.counts).toMatchObject({ done: 3, failed: 0, skipped: 0 });
  });
});

describe("on the virtual clock", () => {
  it("serialises an overlapping pair and lengthens the makespan by the shorter task", () => {
    const tasks = [sim("a", 10, ["src/a.ts"]), sim("b", 30, ["src"]), sim("c", 20, ["docs"])];
    const apart = simulate(tasks, { concurrency: 3, policy: "lanes" });
    // b has the longer remaining path, so it goes first; a waits for b's merge.
    expect(apart.starts.map((s) => [s.id, s.at])).toEqual([
      ["b", 0],
      ["c", 0],
      ["a", 30],
    ]);
    expect(apart.makespanMs).toBe(40);
    expect(simulate(tasks, { concurrency: 3, policy: "lanes", overlap: "allow" }).makespanMs).toBe(
      30,
    );
  });

  it("waits for the merge too, not only the agent", () => {
    const tasks = [sim("a", 10, ["x"]), sim("b", 10, ["x"])];
    const result = simulate(tasks, { concurrency: 2, policy: "lanes", mergeMs: 5 });
    expect(result.starts.find((s) => s.id === "b")!.at).toBe(15);
    expect(result.makespanMs).toBe(30);
  });

  it("never has two overlapping tasks in flight at once, over random graphs", () => {
    const areas = ["src/a/**", "src/b.ts", "src/*.ts", "docs", "test/**/*.test.ts", "lib/c"];
    let checkedPairs = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const random = mulberry32(seed);
      const dag = randomDag({ n: 12, shape: "mixed", seed, minMs: 1, maxMs: 50 });
      const tasks: SimTask[] = dag.map((t) => ({
        ...t,
        files: random() < 0.8 ? [areas[Math.floor(random() * areas.length)]!] : [],
      }));
      const result = simulate(tasks, { concurrency: 4, policy: "lanes", mergeMs: 3 });
      const pairs = overlappingPairs(tasks);
      checkedPairs += pairs.length;
      for (const { a, b } of pairs) {
        const spanA = [result.starts.find((s) => s.id === a)!.at, result.doneAt[a]!];
        const spanB = [result.starts.find((s) => s.id === b)!.at, result.doneAt[b]!];
        const together = spanA[0]! < spanB[1]! && spanB[0]! < spanA[1]!;
        expect(together, `seed ${seed}: ${a} and ${b}`).toBe(false);
      }
      expect(Object.values(result.finalStates).every((state) => state === "done")).toBe(true);
    }
    expect(checkedPairs).toBeGreaterThan(100);
  });
});

describe("overlapCost", () => {
  it("names the pairs that can collide and what keeping them apart costs", () => {
    const tasks = [
      sim("schema", 20, ["db/schema.sql"]),
      sim("migrate", 10, ["db/**"], ["schema"]),
      sim("login", 30, ["src/auth/**"]),
      sim("session", 25, ["src/auth/session.ts"]),
      sim("docs", 5, ["README.md"]),
    ];
    const cost = overlapCost(tasks, { concurrency: 4 });
    // schema and migrate overlap, but migrate depends on schema: they never run together anyway.
    expect(cost.pairs).toEqual([
      { a: "login", b: "session", files: ["src/auth/**", "src/auth/session.ts"] },
    ]);
    expect(cost.allowMs).toBe(30);
    expect(cost.avoidMs).toBe(55);
    expect(cost.costMs).toBe(25);
  });

  it("costs nothing when nothing overlaps", () => {
    const cost = overlapCost([sim("a", 10, ["a"]), sim("b", 10, ["b"])], { concurrency: 1 });
    expect(cost).toEqual({ pairs: [], allowMs: 20, avoidMs: 20, costMs: 0 });
  });
});
