import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { scheduler, skippedIds, startedIds, succeed, task } from "./helpers.js";

const crash = { ok: false, retryable: true };
const noChanges = { ok: false, retryable: false };
const ok = { ok: true, retryable: false };

describe("starting tasks", () => {
  it("starts up to the limit, highest priority first, ties in input order", () => {
    const s = scheduler([task("a", [], 1), task("b", [], 5), task("c", [], 1), task("d", [], 5)]);
    expect(s.poll()).toEqual([
      { type: "start", id: "b", attempt: 1, after: undefined },
      { type: "start", id: "d", attempt: 1, after: undefined },
    ]);
    expect(s.poll()).toEqual([]);
    expect(s.running).toEqual(["b", "d"]);
    expect(startedIds(s.agentExited("b", ok))).toEqual(["a"]);
  });

  it("frees the slot when the agent exits, before the merge", () => {
    const s = scheduler([task("a"), task("b"), task("c")], { concurrency: 1 });
    expect(startedIds(s.poll())).toEqual(["a"]);
    expect(startedIds(s.agentExited("a", ok))).toEqual(["b"]);
    expect(s.state("a")).toBe("finishing");
  });

  it("starts a dependent only once its dependency is completed, not merely exited", () => {
    const s = scheduler([task("a"), task("b", ["a"])]);
    s.poll();
    expect(s.agentExited("a", ok)).toEqual([]);
    expect(s.state("b")).toBe("pending");
    expect(startedIds(s.completed("a", true))).toEqual(["b"]);
  });

  it("never waits for a whole wave", () => {
    // a -> b, and a slow unrelated c: b starts as soon as a is done, while c still runs.
    const s = scheduler([task("a", [], 2), task("c", [], 1), task("b", ["a"], 1)]);
    expect(startedIds(s.poll())).toEqual(["a", "c"]);
    expect(startedIds(succeed(s, "a"))).toEqual(["b"]);
    expect(s.running).toEqual(["c", "b"]);
  });

  it("waits for every dependency", () => {
    const s = scheduler([task("a"), task("b"), task("c", ["a", "b"])]);
    s.poll();
    expect(succeed(s, "a")).toEqual([]);
    expect(startedIds(succeed(s, "b"))).toEqual(["c"]);
  });

  it("finishes after every task is done", () => {
    const s = scheduler([task("a"), task("b", ["a"])]);
    s.poll();
    succeed(s, "a");
    expect(s.isFinished).toBe(false);
    succeed(s, "b");
    expect(s.isFinished).toBe(true);
    expect(s.counts).toMatchObject({ done: 2, pending: 0, running: 0 });
  });

  it("an empty schedule is finished at once", () => {
    const s = scheduler([]);
    expect(s.poll()).toEqual([]);
    expect(s.isFinished).toBe(true);
  });
});

describe("failures", () => {
  it("skips exactly the transitive dependents, once each, naming the failed task", () => {
    //   a -> b -> d
    //   a -> c -> d -> e ; x is unrelated
    const s = scheduler([
      task("a"),
      task("b", ["a"]),
      task("c", ["a"]),
      task("d", ["b", "c"]),
      task("e", ["d"]),
      task("x"),
    ]);
    expect(startedIds(s.poll())).toEqual(["a", "x"]);
    const decisions = s.agentExited("a", noChanges);
    expect(decisions.filter((d) => d.type === "skip")).toEqual([
      { type: "skip", id: "b", because: "a failed" },
      { type: "skip", id: "c", because: "a failed" },
      { type: "skip", id: "d", because: "a failed" },
      { type: "skip", id: "e", because: "a failed" },
    ]);
    expect(decisions.some((d) => d.type === "stop")).toBe(false);
    expect(s.state("a")).toBe("failed");
    succeed(s, "x");
    expect(s.isFinished).toBe(true);
    expect(s.counts).toMatchObject({ done: 1, failed: 1, skipped: 4 });
  });

  it("skips a task with two failed dependencies only once", () => {
    const s = scheduler([task("a"), task("b"), task("c", ["a", "b"])]);
    s.poll();
    expect(skippedIds(s.agentExited("a", noChanges))).toEqual(["c"]);
    expect(skippedIds(s.agentExited("b", noChanges))).toEqual([]);
    expect(s.state("c")).toBe("skipped");
  });

  it("fails a task whose post-agent work fails", () => {
    const s = scheduler([task("a"), task("b", ["a"])]);
    s.poll();
    s.agentExited("a", ok);
    expect(skippedIds(s.completed("a", false))).toEqual(["b"]);
    expect(s.state("a")).toBe("failed");
  });

  it("rejects events that do not fit the task's state", () => {
    const s = scheduler([task("a")]);
    expect(() => s.agentExited("a", ok)).toThrow(/pending, expected running/);
    expect(() => s.completed("a", true)).toThrow(/expected finishing/);
    expect(() => s.state("nope")).toThrow(/unknown task "nope"/);
  });
});

describe("retries", () => {
  it("waits with backoff, then runs attempt 2 when a slot is free", () => {
    const s = scheduler([task("a"), task("b")], { concurrency: 1, retries: 2 });
    expect(startedIds(s.poll())).toEqual(["a"]);
    // The failed attempt frees its slot at once: b uses it during a's backoff.
    expect(s.agentExited("a", crash)).toEqual([
      { type: "retry_later", id: "a", attempt: 2, delayMs: 1000 },
      { type: "start", id: "b", attempt: 1, after: undefined },
    ]);
    expect(s.state("a")).toBe("waiting");
    expect(s.retryDue("a")).toEqual([]);
    expect(s.state("a")).toBe("pending");
    expect(succeed(s, "b")).toEqual([{ type: "start", id: "a", attempt: 2, after: undefined }]);
    expect(s.attempts("a")).toBe(2);
  });

  it("grows the delay with the attempt and fails once the retries are spent", () => {
    const s = scheduler([task("a"), task("b", ["a"])], { retries: 2 });
    s.poll();
    expect(s.agentExited("a", crash)).toEqual([
      { type: "retry_later", id: "a", attempt: 2, delayMs: 1000 },
    ]);
    expect(startedIds(s.retryDue("a"))).toEqual(["a"]);
    expect(s.agentExited("a", crash)).toEqual([
      { type: "retry_later", id: "a", attempt: 3, delayMs: 2000 },
    ]);
    s.retryDue("a");
    expect(s.agentExited("a", crash)).toEqual([{ type: "skip", id: "b", because: "a failed" }]);
    expect(s.state("a")).toBe("failed");
    expect(s.attempts("a")).toBe(3);
  });

  it("does not retry a failure that is not retryable", () => {
    const s = scheduler([task("a")], { retries: 3 });
    s.poll();
    expect(s.agentExited("a", noChanges)).toEqual([]);
    expect(s.state("a")).toBe("failed");
    expect(s.attempts("a")).toBe(1);
  });

  it("retries a retryable verify failure after the agent", () => {
    const s = scheduler([task("a")], { retries: 1 });
    s.poll();
    s.agentExited("a", ok);
    expect(s.completed("a", false, true)).toEqual([
      { type: "retry_later", id: "a", attempt: 2, delayMs: 1000 },
    ]);
    expect(startedIds(s.retryDue("a"))).toEqual(["a"]);
    s.agentExited("a", ok);
    s.completed("a", false, true);
    expect(s.state("a")).toBe("failed");
  });

  it("is not finished while a retry waits", () => {
    const s = scheduler([task("a")], { retries: 1 });
    s.poll();
    s.agentExited("a", crash);
    expect(s.isFinished).toBe(false);
  });
});

describe("fail-fast", () => {
  it("stops at the first final failure and asks to cancel the running agents", () => {
    const s = scheduler([task("a"), task("b"), task("c"), task("d", ["a"])], {
      mode: "fail-fast",
    });
    expect(startedIds(s.poll())).toEqual(["a", "b"]);
    expect(s.agentExited("a", noChanges)).toEqual([
      { type: "stop", why: "a failed", cancelRunning: true },
      { type: "skip", id: "d", because: "a failed" },
    ]);
    expect(s.cancelled("b")).toEqual([]);
    expect(s.state("b")).toBe("pending");
    expect(s.state("c")).toBe("pending");
    expect(s.isFinished).toBe(true);
  });

  it("retries before it gives up", () => {
    const s = scheduler([task("a"), task("b")], { mode: "fail-fast", retries: 1 });
    s.poll();
    expect(s.agentExited("a", crash).map((d) => d.type)).toEqual(["retry_later"]);
    expect(s.isStopped).toBe(false);
  });

  it("stops only once", () => {
    const s = scheduler([task("a"), task("b")], { mode: "fail-fast" });
    s.poll();
    expect(s.agentExited("a", noChanges).map((d) => d.type)).toEqual(["stop"]);
    // b failed before the caller could cancel it: it fails, without a second stop.
    expect(s.agentExited("b", noChanges)).toEqual([]);
    expect(s.state("b")).toBe("failed");
  });
});

describe("sequential", () => {
  it("runs one task at a time, whatever the concurrency", () => {
    const s = scheduler([task("a"), task("b"), task("c")], { mode: "sequential", concurrency: 8 });
    expect(s.concurrency).toBe(1);
    expect(startedIds(s.poll())).toEqual(["a"]);
    expect(s.setConcurrency(4)).toEqual([]);
    expect(s.concurrency).toBe(1);
    // The slot is held until the task is merged: the next one sees its work.
    expect(s.agentExited("a", ok)).toEqual([]);
    expect(startedIds(s.completed("a", true))).toEqual(["b"]);
  });

  it("stops at the first failure without cancelling anything", () => {
    const s = scheduler([task("a"), task("b"), task("c", ["a"])], { mode: "sequential" });
    s.poll();
    expect(s.agentExited("a", noChanges)).toEqual([
      { type: "stop", why: "a failed", cancelRunning: false },
      { type: "skip", id: "c", because: "a failed" },
    ]);
    expect(s.state("b")).toBe("pending");
    expect(s.isFinished).toBe(true);
  });

  it("holds the slot through a retry's backoff", () => {
    const s = scheduler([task("a"), task("b")], { mode: "sequential", retries: 1 });
    s.poll();
    expect(s.agentExited("a", crash).map((d) => d.type)).toEqual(["retry_later"]);
    expect(startedIds(s.retryDue("a"))).toEqual(["a"]);
  });
});

describe("chain", () => {
  it("starts each task from the previous one, in a topological order by priority", () => {
    const s = scheduler(
      [task("a", [], 1), task("b", [], 3), task("c", ["b"], 2), task("d", ["c"], 1)],
      { mode: "chain", concurrency: 4 },
    );
    const order: { id: string; after: string | undefined }[] = [];
    let next = s.poll();
    while (next.length > 0) {
      const start = next[0]!;
      if (start.type !== "start") throw new Error("expected a start");
      order.push({ id: start.id, after: start.after });
      expect(s.running).toEqual([start.id]);
      next = succeed(s, start.id);
    }
    expect(order).toEqual([
      { id: "b", after: undefined },
      { id: "c", after: "b" },
      // a (priority 1, input first) and d (priority 1) tie: input order.
      { id: "a", after: "c" },
      { id: "d", after: "a" },
    ]);
  });

  it("keeps a retry's base and stops at the first failure", () => {
    const s = scheduler([task("a", [], 2), task("b", [], 1), task("c", [], 0)], {
      mode: "chain",
      retries: 1,
    });
    s.poll();
    expect(succeed(s, "a")).toEqual([{ type: "start", id: "b", attempt: 1, after: "a" }]);
    s.agentExited("b", crash);
    expect(s.retryDue("b")).toEqual([{ type: "start", id: "b", attempt: 2, after: "a" }]);
    expect(s.agentExited("b", crash)).toEqual([
      { type: "stop", why: "b failed", cancelRunning: false },
    ]);
    expect(s.state("c")).toBe("pending");
    expect(s.isFinished).toBe(true);
  });
});

describe("setConcurrency", () => {
  it("lowering holds new starts but never ends running agents", () => {
    const s = scheduler([task("a"), task("b"), task("c"), task("d")], { concurrency: 3 });
    expect(startedIds(s.poll())).toEqual(["a", "b", "c"]);
    expect(s.setConcurrency(1)).toEqual([]);
    expect(s.running).toEqual(["a", "b", "c"]);
    expect(s.agentExited("a", ok)).toEqual([]);
    expect(s.agentExited("b", ok)).toEqual([]);
    expect(startedIds(s.agentExited("c", ok))).toEqual(["d"]);
  });

  it("raising starts more at once", () => {
    const s = scheduler([task("a"), task("b"), task("c")], { concurrency: 1 });
    s.poll();
    expect(startedIds(s.setConcurrency(3))).toEqual(["b", "c"]);
    expect(s.concurrency).toBe(3);
  });

  it("never goes below 1", () => {
    const s = scheduler([task("a")]);
    expect(startedIds(s.setConcurrency(0))).toEqual(["a"]);
    expect(s.concurrency).toBe(1);
    expect(() => s.setConcurrency(Number.NaN)).toThrow(TypeError);
  });
});

describe("stop and cancelled", () => {
  it("stop: no new starts, pending tasks stay pending, running ones may finish", () => {
    const s = scheduler([task("a"), task("b"), task("c", ["a"])], { concurrency: 1 });
    s.poll();
    expect(s.stop("budget")).toEqual([{ type: "stop", why: "budget", cancelRunning: false }]);
    expect(s.stop("again")).toEqual([]);
    expect(succeed(s, "a")).toEqual([]);
    expect(s.state("b")).toBe("pending");
    expect(s.state("c")).toBe("pending");
    expect(s.isFinished).toBe(true);
  });

  it("stop returns a waiting retry to pending and ignores its timer", () => {
    const s = scheduler([task("a")], { retries: 1 });
    s.poll();
    s.agentExited("a", crash);
    s.stop("interrupted", true);
    expect(s.state("a")).toBe("pending");
    expect(s.retryDue("a")).toEqual([]);
    expect(s.cancelled("a")).toEqual([]);
    expect(s.isFinished).toBe(true);
  });

  it("a retryable failure after a stop is left pending for resume", () => {
    const s = scheduler([task("a")], { retries: 1 });
    s.poll();
    s.stop("budget");
    expect(s.agentExited("a", crash)).toEqual([]);
    expect(s.state("a")).toBe("pending");
  });

  it("cancelled: the task goes back to pending, not failed, and frees its slot", () => {
    const s = scheduler([task("a"), task("b", ["a"])], { concurrency: 1 });
    s.poll();
    s.stop("interrupted", true);
    expect(s.cancelled("a")).toEqual([]);
    expect(s.state("a")).toBe("pending");
    expect(s.state("b")).toBe("pending");
    expect(s.running).toEqual([]);
    expect(s.counts).toMatchObject({ pending: 2, failed: 0, skipped: 0 });
    expect(s.isFinished).toBe(true);
  });

  it("cancelled during the merge", () => {
    const s = scheduler([task("a")]);
    s.poll();
    s.agentExited("a", ok);
    s.stop("interrupted", true);
    s.cancelled("a");
    expect(s.state("a")).toBe("pending");
  });
});

describe("batches", () => {
  it("opens a batch only when the previous one is done, failed or skipped", () => {
    const s = scheduler(
      [task("a"), task("b", ["a"]), task("c"), task("d", ["c"]), task("e", [], 9)],
      { concurrency: 4, batches: [["a", "b", "c"], [], ["d", "e"]] },
    );
    // e has the highest priority but waits for batch 1.
    expect(startedIds(s.poll())).toEqual(["a", "c"]);
    expect(succeed(s, "c")).toEqual([]);
    expect(skippedIds(s.agentExited("a", noChanges))).toEqual(["b"]);
    // b was skipped, so batch 1 is over: batch 3 (after the empty one) opens.
    expect(s.poll()).toEqual([]);
    expect(s.state("e")).toBe("running");
    expect(s.state("d")).toBe("running");
  });

  it("applies the mode inside a batch", () => {
    const s = scheduler([task("a"), task("b"), task("c")], {
      mode: "sequential",
      batches: [["a", "b"], ["c"]],
    });
    expect(startedIds(s.poll())).toEqual(["a"]);
    expect(startedIds(succeed(s, "a"))).toEqual(["b"]);
    expect(startedIds(succeed(s, "b"))).toEqual(["c"]);
  });

  it("rejects a dependency on a later batch", () => {
    expect(() => scheduler([task("a", ["b"]), task("b")], { batches: [["a"], ["b"]] })).toThrow(
      'Task "a" (batch 1) depends on "b", which is in the later batch 2.',
    );
  });

  it("rejects tasks in no batch, in two batches, or unknown", () => {
    expect(() => scheduler([task("a"), task("b")], { batches: [["a"]] })).toThrow(
      'Tasks in no batch: "b".',
    );
    expect(() => scheduler([task("a")], { batches: [["a"], ["a"]] })).toThrow(
      'Task "a" is in batch 1 and in batch 2.',
    );
    expect(() => scheduler([task("a")], { batches: [["a", "z"]] })).toThrow(
      'Batch 1 names "z", which is not a task.',
    );
  });
});

describe("validation", () => {
  it("throws LanesError for a bad schedule", () => {
    expect(() => scheduler([task("a"), task("a")])).toThrow(LanesError);
    expect(() => scheduler([task("a", ["zz"])])).toThrow(/depends on "zz", which is not/);
    expect(() => scheduler([task("a", ["b"]), task("b", ["a"]), task("c")])).toThrow(
      "These tasks depend on each other in a cycle: a, b.",
    );
    expect(() => scheduler([task("a")], { concurrency: 0 })).toThrow(
      "Expected the scheduler's `concurrency` to be an integer >= 1, got `0` (number).",
    );
    expect(() => scheduler([task("a")], { retries: -1 })).toThrow(/`retries`/);
  });

  it("accepts a dependency listed twice", () => {
    const s = scheduler([task("a"), task("b", ["a", "a"])]);
    s.poll();
    expect(startedIds(succeed(s, "a"))).toEqual(["b"]);
  });
});

describe("loops of the quality loop", () => {
  it("loopBack starts the task again at once, numbered on, without spending a retry", () => {
    const s = scheduler([task("a")], { retries: 1 });
    s.poll();
    s.agentExited("a", ok);
    // A failed verify fed back: the task goes round again as attempt 2.
    expect(s.loopBack("a")).toEqual([{ type: "start", id: "a", attempt: 2, after: undefined }]);
    // Its one retry is still there for a crash.
    expect(s.agentExited("a", crash)).toMatchObject([{ type: "retry_later", id: "a", attempt: 3 }]);
    expect(s.retryDue("a")).toMatchObject([{ type: "start", id: "a", attempt: 3 }]);
    s.agentExited("a", crash);
    expect(s.state("a")).toBe("failed");
  });

  it("loopBack after a stop leaves the task pending for resume", () => {
    const s = scheduler([task("a")]);
    s.poll();
    s.agentExited("a", ok);
    s.stop("interrupted");
    expect(s.loopBack("a")).toEqual([]);
    expect(s.state("a")).toBe("pending");
    expect(s.isFinished).toBe(true);
  });
});
