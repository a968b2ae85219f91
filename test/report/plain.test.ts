import { describe, expect, it } from "vitest";
import { PlainReporter } from "../../src/report/plain.js";
import type { LanesEvent } from "../../src/run/events.js";
import {
  at,
  capture,
  done,
  ESCAPE,
  failed,
  landed,
  merged,
  output,
  RUN,
  runStarted,
  skipped,
  started,
  step,
  T0,
} from "./events.js";

function setup(options: { color?: boolean; heartbeatMs?: number } = {}) {
  const sink = capture();
  let clock = T0;
  const reporter = new PlainReporter({ out: sink.out, now: () => clock, ...options });
  const feed = (...events: Parameters<PlainReporter["onEvent"]>[0][]) => {
    for (const event of events) {
      clock = event.time;
      reporter.onEvent(event);
    }
  };
  return { sink, reporter, feed, tick: (seconds: number) => reporter.tick(T0 + seconds * 1000) };
}

describe("plain reporter", () => {
  it("prints one line per event that matters, in the contract's wording", () => {
    const { sink, feed } = setup();
    feed(
      runStarted(0, ["t01", "t02", "t03", "t04"]),
      at(0, { type: "lane_ready", taskId: "t01", worktree: "/w/t01", branch: "lanes/t01" }),
      started(0, "t01"),
      started(0, "t02"),
      output(1, "t01", "thinking..."),
      at(2, { type: "task_activity", taskId: "t01", activity: "Bash: npm test" }),
      at(30, {
        type: "attempt_failed",
        taskId: "t02",
        attempt: 1,
        reason: "exit",
        detail: "exit code 1",
        retryInMs: 3000,
      }),
      started(33, "t02", 2),
      at(40, { type: "concurrency_changed", from: 3, to: 1, why: "rate limited" }),
      at(246, { type: "agent_exited", taskId: "t01", attempt: 1, durationMs: 246_000, ok: true }),
      at(246, { type: "task_merged", taskId: "t01", commit: "0123456789" }),
      done(246, "t01", 246_000),
      at(78, {
        type: "attempt_failed",
        taskId: "t02",
        attempt: 2,
        reason: "timeout",
        detail: "no output for 45s",
        retryInMs: undefined,
      }),
      failed(78, "t02", 45_000, "no output for 45s"),
      skipped(78, "t03", "t02 failed"),
      at(80, { type: "run_stopping", why: "interrupted" }),
      at(81, {
        type: "run_finished",
        status: "failed",
        counts: { pending: 1, running: 0, done: 1, failed: 1, skipped: 1 },
        durationMs: 81_000,
        integrationBranch: `lanes/run/${RUN}`,
      }),
    );
    expect(sink.text()).toBe(
      [
        "lanes run r1: 4 tasks, concurrency 3, base main@abc1234",
        "● t01: exec started",
        "● t02: exec started",
        "↻ t02 retry in 3s: exit — exit code 1",
        "● t02: exec started (attempt 2)",
        "concurrency 3 -> 1 (rate limited)",
        "⇣ t01 merged into lanes/run/r1",
        "✓ t01 done (4m 6s)",
        "✗ t02 failed (45s): timeout — no output for 45s",
        "↷ t03 skipped: t02 failed",
        "■ stopping: interrupted",
        "",
      ].join("\n"),
    );
  });

  it("names the worker of a queued attempt (lanes run --queue)", () => {
    const { sink, feed } = setup();
    feed(runStarted(0, ["t01"]), { ...started(0, "t01"), worker: "w2" } as LanesEvent);
    expect(sink.text()).toContain("● t01: exec started on w2\n");
  });

  it("shows a detached base as the commit alone and folds multi-line details onto one line", () => {
    const { sink, feed } = setup();
    feed(
      at(0, {
        type: "run_started",
        tasks: ["t01"],
        concurrency: 1,
        integrationBranch: "lanes/run/r1",
        baseCommit: "fedcba9876",
        baseBranch: undefined,
      }),
      at(5, {
        type: "task_finished",
        taskId: "t01",
        status: "failed",
        reason: "conflict",
        detail: "conflicting files:\n  src/a.ts\n  src/b.ts\n",
        durationMs: 5000,
        logPath: undefined,
      }),
    );
    expect(sink.writes).toEqual([
      "lanes run r1: 1 task, concurrency 1, base fedcba9\n",
      "✗ t01 failed (5s): conflict — conflicting files:; src/a.ts; src/b.ts\n",
    ]);
  });

  it("prints a heartbeat after 60 s of silence, not before, and again 60 s later", () => {
    const { sink, feed, tick } = setup();
    feed(runStarted(0, ["t01", "t02", "t03", "t04", "t05", "t06"]), started(0, "t01"));
    feed(started(112, "t04"), output(150, "t04", "raw output does not count as a sign of life"));
    const before = sink.writes.length;
    tick(171.9);
    expect(sink.writes.length).toBe(before);
    tick(182);
    expect(sink.writes.slice(before)).toEqual([
      "… 0 of 6 done; 2 agents running (t01 3m 2s, t04 1m 10s); 4 pending\n",
    ]);
    tick(241);
    expect(sink.writes.length).toBe(before + 1);
    tick(242);
    expect(sink.writes.at(-1)).toBe(
      "… 0 of 6 done; 2 agents running (t01 4m 2s, t04 2m 10s); 4 pending\n",
    );
  });

  it("counts silence from its last line and honours a configured interval", () => {
    const { sink, feed, tick } = setup({ heartbeatMs: 10_000 });
    feed(runStarted(0, ["t01"]));
    tick(9);
    expect(sink.writes).toHaveLength(1);
    feed(started(9, "t01"));
    tick(18);
    expect(sink.writes).toHaveLength(2);
    tick(19);
    expect(sink.writes.at(-1)).toBe("… 0 of 1 done; 1 agent running (t01 10s)\n");
  });

  it("stays quiet before the run starts, after it finishes, and after close", () => {
    const { sink, feed, tick, reporter } = setup();
    tick(500);
    expect(sink.writes).toEqual([]);
    feed(runStarted(0, ["t01"]), done(1, "t01", 1000));
    feed(
      at(2, {
        type: "run_finished",
        status: "done",
        counts: { pending: 0, running: 0, done: 1, failed: 0, skipped: 0 },
        durationMs: 2000,
        integrationBranch: "lanes/run/r1",
      }),
    );
    tick(500);
    reporter.close();
    feed(started(600, "t02"));
    tick(1000);
    expect(sink.writes).toHaveLength(2);
  });

  it("colours symbols when asked and writes no escape code without colour", () => {
    const events = [runStarted(0, ["t01", "t02", "t03"]), done(1, "t01", 1000)];
    const plain = setup();
    plain.feed(...events, failed(2, "t02", 2000), skipped(2, "t03", "t02 failed"));
    plain.tick(100);
    expect(plain.sink.text()).not.toMatch(ESCAPE);
    const coloured = setup({ color: true });
    coloured.feed(...events);
    expect(coloured.sink.writes[1]).toBe("\x1b[32m✓\x1b[39m t01 done \x1b[2m(1s)\x1b[22m\n");
  });

  it("prints the verify step, and the heartbeat says which step each landing task is in", () => {
    const { sink, feed, tick } = setup();
    feed(runStarted(0, ["a", "b", "c"], 2), started(0, "a"), started(0, "b"));
    feed(
      landed(10, "a"),
      step(10, "a", "committing"),
      step(11, "a", "verifying"),
      started(11, "c"),
    );
    expect(sink.writes.slice(3)).toEqual(["⇢ a verifying\n", "● c: exec started\n"]);
    tick(80);
    expect(sink.writes.at(-1)).toBe(
      "… 0 of 3 done; 2 agents running (b 1m 20s, c 1m 9s); 1 landing (a verifying 1m 9s)\n",
    );
    feed(step(81, "a", "merging"), merged(82, "a"), done(82, "a", 82_000));
    expect(sink.writes.slice(-2)).toEqual([
      "⇣ a merged into lanes/run/r1\n",
      "✓ a done (1m 22s)\n",
    ]);
  });
});
