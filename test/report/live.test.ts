import { describe, expect, it } from "vitest";
import { LiveReporter, type LiveReporterOptions } from "../../src/report/live.js";
import { displayWidth } from "../../src/report/text.js";
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
  runFinished,
  runStarted,
  skipped,
  started,
  step,
  stopping,
  strip,
  T0,
} from "./events.js";
import { Screen } from "./screen.js";

function setup(options: Partial<LiveReporterOptions> = {}) {
  const screen = new Screen();
  const sink = capture();
  let clock = T0;
  const reporter = new LiveReporter({
    out: {
      write: (text) => {
        sink.out.write(text);
        screen.write(text);
      },
    },
    now: () => clock,
    columns: 80,
    ...options,
  });
  const feed = (...events: LanesEvent[]) => {
    for (const event of events) reporter.onEvent(event);
  };
  const tick = (seconds: number) => {
    clock = T0 + seconds * 1000;
    reporter.tick(clock);
  };
  return { screen, sink, reporter, feed, tick };
}

describe("live reporter", () => {
  it("redraws a region of running tasks and a progress line; finished lines stay above it", () => {
    const { screen, feed, tick } = setup();
    feed(
      runStarted(0, ["t01", "t02", "t03", "t04"]),
      started(0, "t01"),
      started(1, "t02"),
      output(2, "t01", "running the tests"),
      output(2, "t02", "writing src/a.ts"),
      at(3, { type: "task_activity", taskId: "t02", activity: "Edit: src/a.ts" }),
      output(4, "t02", "raw output loses to activity"),
    );
    tick(62);
    expect(screen.visible).toEqual([
      "lanes run r1: 4 tasks, concurrency 3, base main@abc1234",
      "⏳ t01  exec  1m 2s  running the tests",
      "⏳ t02  exec  1m 1s  Edit: src/a.ts",
      "#t01 ⏳ #t02 ⏳ #t03 · #t04 ·",
      "0 of 4 done · agents 2/3",
    ]);

    feed(done(246, "t01", 246_000), started(246, "t03"));
    tick(250);
    expect(screen.visible).toEqual([
      "lanes run r1: 4 tasks, concurrency 3, base main@abc1234",
      "✓ t01 done (4m 6s)",
      "⏳ t02  exec  4m 9s  Edit: src/a.ts",
      "⏳ t03  exec  4s",
      "#t01 ✓ #t02 ⏳ #t03 ⏳ #t04 ·",
      "1 of 4 done · agents 2/3",
    ]);

    feed(failed(260, "t02", 259_000), skipped(260, "t04", "t02 failed"));
    tick(261);
    expect(screen.visible).toEqual([
      "lanes run r1: 4 tasks, concurrency 3, base main@abc1234",
      "✓ t01 done (4m 6s)",
      "✗ t02 failed (4m 19s): timeout — no output for 30m",
      "↷ t04 skipped: t02 failed",
      "⏳ t03  exec  15s",
      "#t01 ✓ #t02 ✗ #t03 ⏳ #t04 ↷",
      "1 of 4 done, 1 failed, 1 skipped · agents 1/3",
    ]);
  });

  it("names the worker of a queued attempt (lanes run --queue)", () => {
    const { screen, feed, tick } = setup();
    feed(runStarted(0, ["t01"]), { ...started(0, "t01"), worker: "build-7:4182" } as LanesEvent);
    tick(3);
    expect(screen.visible[1]).toBe("⏳ t01  exec on build-7:4182  3s");
  });

  it("tells two lanes that changed the same files above the region, where it stays", () => {
    const { screen, feed, tick } = setup();
    feed(
      runStarted(0, ["t01", "t02"]),
      started(0, "t01"),
      started(0, "t02"),
      at(5, { type: "files_overlap", a: "t01", b: "t02", files: ["a.ts", "b.ts", "c.ts", "d.ts"] }),
    );
    tick(6);
    expect(screen.visible.slice(0, 2)).toEqual([
      "lanes run r1: 2 tasks, concurrency 3, base main@abc1234",
      "! t01 and t02 both changed a.ts, b.ts, c.ts and 1 more: the later merge may conflict",
    ]);
  });

  it("on close clears the region and leaves only the permanent lines", () => {
    const { screen, feed, tick, reporter } = setup();
    feed(runStarted(0, ["t01", "t02"]), started(0, "t01"), started(0, "t02"));
    tick(1);
    feed(done(5, "t01", 5000));
    reporter.close();
    expect(screen.visible).toEqual([
      "lanes run r1: 2 tasks, concurrency 3, base main@abc1234",
      "✓ t01 done (5s)",
    ]);
    expect(screen.lines.slice(screen.row).every((line) => line === "")).toBe(true);
    tick(10);
    expect(screen.visible).toHaveLength(2);
  });

  it("redraws at most every 100 ms and not at all when nothing changed", () => {
    const { sink, feed, tick } = setup();
    feed(runStarted(0, ["t01"]), started(0, "t01"));
    tick(1);
    expect(sink.writes).toHaveLength(1);
    feed(output(1, "t01", "new line"));
    tick(1.05);
    expect(sink.writes).toHaveLength(1);
    tick(1.1);
    expect(sink.writes).toHaveLength(2);
    tick(1.5);
    tick(1.9);
    expect(sink.writes).toHaveLength(2); // elapsed still 1s, same frame
    tick(2);
    expect(sink.writes).toHaveLength(3);
  });

  it("keeps every region line within the terminal width and clears exactly its own lines", () => {
    const { screen, sink, feed, tick } = setup({ columns: 40 });
    const ids = Array.from({ length: 14 }, (_, i) => `task-${String(i + 1).padStart(2, "0")}`);
    feed(runStarted(0, ids), started(0, "task-01"));
    feed(output(1, "task-01", `\x1b[1m${"very long output ".repeat(10)}\x1b[0m\tend`));
    tick(3);
    const frame = screen.visible.slice(1);
    expect(frame[0]).toBe("⏳ task-01  exec  3s  very long output…");
    expect(frame.slice(1)).toEqual([
      "#task-01 ⏳ #task-02 · #task-03 ·",
      "#task-04 · #task-05 · #task-06 ·",
      "#task-07 · #task-08 · #task-09 · … +5",
      "0 of 14 done · agents 1/3",
    ]);
    for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(39);

    feed(done(4, "task-01", 4000));
    tick(4);
    const last = sink.writes.at(-1)!;
    expect(last.match(/\x1b\[1A/g)).toHaveLength(frame.length);
    expect(screen.visible.slice(1)).toEqual([
      "✓ task-01 done (4s)",
      "#task-01 ✓ #task-02 · #task-03 ·",
      "#task-04 · #task-05 · #task-06 ·",
      "#task-07 · #task-08 · #task-09 · … +5",
      "1 of 14 done · agents 0/3",
    ]);
  });

  it("never grows taller than the screen", () => {
    const { screen, feed, tick } = setup({ rows: 5 });
    const ids = ["a", "b", "c", "d", "e"];
    feed(runStarted(0, ids), ...ids.map((id) => started(0, id)));
    feed(landed(0, "d"), landed(0, "e"));
    tick(1);
    expect(screen.visible.slice(1)).toEqual([
      "⏳ a  exec  1s",
      "  … 4 more in progress",
      "#a ⏳ #b ⏳ #c ⏳ #d ⇢ #e ⇢",
      "0 of 5 done · agents 3/3 · 2 landing",
    ]);
  });

  it("shows retries: a permanent line and a countdown in the region", () => {
    const { screen, feed, tick } = setup();
    feed(
      runStarted(0, ["t01"]),
      started(0, "t01"),
      at(30, {
        type: "attempt_failed",
        taskId: "t01",
        attempt: 1,
        reason: "rate_limit",
        detail: "429",
        retryInMs: 8000,
      }),
    );
    tick(31);
    expect(screen.visible.slice(1)).toEqual([
      "↻ t01 retry in 8s: rate limit — 429",
      "↻ t01  retry in 7s",
      "#t01 ↻",
      "0 of 1 done · agents 0/3",
    ]);
    feed(started(38, "t01", 2));
    tick(40);
    expect(screen.visible.slice(2)).toEqual([
      "⏳ t01  exec (attempt 2)  2s",
      "#t01 ⏳",
      "0 of 1 done · agents 1/3",
    ]);
  });

  it("with --stream prints agent output above the region", () => {
    const { screen, feed, tick } = setup({ stream: true });
    feed(
      runStarted(0, ["t01"]),
      started(0, "t01"),
      output(1, "t01", "hello"),
      output(1, "t01", "world"),
    );
    tick(1);
    expect(screen.visible.slice(1)).toEqual([
      "[t01] hello",
      "[t01] world",
      "⏳ t01  exec  1s  world",
      "#t01 ⏳",
      "0 of 1 done · agents 1/3",
    ]);
  });

  it("writes no escape code but cursor movement without colour, and colours with it", () => {
    const events = [
      runStarted(0, ["t01", "t02", "t03"]),
      started(0, "t01"),
      output(1, "t01", "\x1b[32mgreen from the agent\x1b[0m"),
      failed(2, "t02", 2000),
      skipped(2, "t03", "t02 failed"),
    ];
    const plain = setup({ color: false });
    plain.feed(...events);
    plain.tick(3);
    plain.feed(done(4, "t01", 4000));
    plain.tick(4);
    plain.reporter.close();
    const cursorless = plain.sink.text().replace(/\x1b\[1A\x1b\[2K/g, "");
    expect(cursorless).not.toMatch(ESCAPE);
    expect(plain.sink.text()).toMatch(/\x1b\[1A\x1b\[2K/);

    const coloured = setup({ color: true });
    coloured.feed(...events);
    coloured.tick(3);
    expect(coloured.sink.text()).toContain("\x1b[31m✗\x1b[39m t02 failed");
    expect(strip(coloured.sink.text())).toContain("green from the agent");
  });

  it("shows agent slots apart from tasks being landed, the step each is in, and a count", () => {
    const { screen, feed, tick } = setup();
    feed(runStarted(0, ["a", "b", "c", "d"], 2));
    feed(started(0, "a"), started(0, "b"), landed(10, "a"), started(10, "c"));
    tick(12);
    expect(screen.visible.slice(1)).toEqual([
      "⏳ b  exec  12s",
      "⏳ c  exec  2s",
      "⇢ a  committing  2s",
      "#a ⇢ #b ⏳ #c ⏳ #d ·",
      "0 of 4 done · agents 2/2 · 1 landing",
    ]);

    feed(step(13, "a", "verifying"), landed(14, "b"), started(14, "d"));
    tick(20);
    expect(screen.visible.slice(1)).toEqual([
      "⏳ c  exec  10s",
      "⏳ d  exec  6s",
      "⇢ a  verifying  7s",
      "⇢ b  committing  6s",
      "#a ⇢ #b ⇢ #c ⏳ #d ⏳",
      "0 of 4 done · agents 2/2 · 2 landing",
    ]);
    const agentRows = screen.visible.filter((line) => line.startsWith("⏳"));
    expect(agentRows).toHaveLength(2);

    feed(step(21, "a", "merging"), merged(22, "a"), done(22, "a", 22_000));
    tick(23);
    expect(screen.visible.slice(1)).toEqual([
      "✓ a done (22s)",
      "⏳ c  exec  13s",
      "⏳ d  exec  9s",
      "⇢ b  committing  9s",
      "#a ✓ #b ⇢ #c ⏳ #d ⏳",
      "1 of 4 done · agents 2/2 · 1 landing",
    ]);
  });

  it("after Ctrl-C replaces the region with the final lines and leaves no row behind", () => {
    const { screen, feed, tick, reporter } = setup();
    feed(runStarted(0, ["a", "b", "c"]), started(0, "a"), started(0, "b"), landed(5, "b"));
    tick(6);
    expect(screen.visible).toHaveLength(5);

    reporter.notice(
      "lanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)",
    );
    feed(stopping(7, "interrupted"));
    expect(screen.visible.slice(1)).toEqual([
      "lanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)",
      "■ stopping: interrupted",
      "⏳ a  exec  7s",
      "⇢ b  committing  2s",
      "#a ⏳ #b ⇢ #c ·",
      "0 of 3 done · agents 1/3 · 1 landing · stopping: interrupted",
    ]);

    feed(at(8, { type: "agent_exited", taskId: "a", attempt: 1, durationMs: 8000, ok: false }));
    feed(runFinished(9, "interrupted", { pending: 3 }));
    const final = [
      "lanes run r1: 3 tasks, concurrency 3, base main@abc1234",
      "lanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)",
      "■ stopping: interrupted",
    ];
    expect(screen.visible).toEqual(final);
    expect(screen.lines.slice(screen.row).every((line) => line === "")).toBe(true);
    tick(10);
    reporter.close();
    expect(screen.visible).toEqual(final);
    expect(screen.lines.slice(screen.row).every((line) => line === "")).toBe(true);
  });

  it("drops a task whose landing a stop cut short from the rows, without waiting for the end", () => {
    const { screen, feed, tick } = setup();
    feed(runStarted(0, ["a", "b"]), started(0, "a"), started(0, "b"), landed(2, "a"));
    feed(step(2, "a", "verifying"), stopping(3, "--max-cost $1.00 spent"));
    feed(
      at(4, {
        type: "attempt_failed",
        taskId: "a",
        attempt: 1,
        reason: "verify",
        detail: "tests failed",
        retryInMs: undefined,
      }),
    );
    tick(5);
    expect(screen.visible.slice(-3)).toEqual([
      "⏳ b  exec  5s",
      "#a · #b ⏳",
      "0 of 2 done · agents 1/3 · stopping: --max-cost $1.00 spent",
    ]);
  });
});
