import { describe, expect, it } from "vitest";
import { combine } from "../../src/report/compose.js";
import { PlainReporter } from "../../src/report/plain.js";
import type { Reporter } from "../../src/report/reporter.js";
import { StreamReporter } from "../../src/report/stream.js";
import { capture, done, ESCAPE, output, runStarted, started, T0 } from "./events.js";

describe("stream reporter", () => {
  it("prefixes each line with its task id, one whole line per write, even when tasks alternate", () => {
    const sink = capture();
    const reporter = new StreamReporter({ out: sink.out });
    const events = [
      runStarted(0, ["t01", "t02"]),
      started(0, "t01"),
      output(1, "t01", "compiling"),
      output(1, "t02", "installing deps"),
      output(2, "t01", "tests: 3 passed"),
      output(2, "t02", ""),
      output(3, "t02", "done\r\n"),
    ];
    for (const event of events) reporter.onEvent(event);
    expect(sink.writes).toEqual([
      "[t01] compiling\n",
      "[t02] installing deps\n",
      "[t01] tests: 3 passed\n",
      "[t02]\n",
      "[t02] done\n",
    ]);
    for (const write of sink.writes) expect(write).toMatch(/^\[t0\d\][^\n]*\n$/);
  });

  it("gives every physical line its prefix and strips the agent's escape codes", () => {
    const sink = capture();
    const reporter = new StreamReporter({ out: sink.out });
    reporter.onEvent(output(1, "t01", "one\ntwo"));
    reporter.onEvent(output(1, "t01", "\x1b[31mred\x1b[0m \x1b[2Kcleared\x07"));
    reporter.onEvent(output(1, "t01", "10%\r50%\r100%"));
    expect(sink.writes).toEqual([
      "[t01] one\n",
      "[t01] two\n",
      "[t01] red cleared\n",
      "[t01] 100%\n",
    ]);
    expect(sink.text()).not.toMatch(ESCAPE);
  });

  it("composes with plain lines: both see every event, in order", () => {
    const sink = capture();
    const reporter = combine(
      new PlainReporter({ out: sink.out, now: () => T0 }),
      new StreamReporter({ out: sink.out }),
    );
    for (const event of [
      runStarted(0, ["t01"]),
      started(0, "t01"),
      output(1, "t01", "hello"),
      done(2, "t01", 2000),
    ]) {
      reporter.onEvent(event);
    }
    reporter.tick?.(T0 + 1000);
    reporter.close();
    expect(sink.text()).toBe(
      [
        "lanes run r1: 1 task, concurrency 3, base main@abc1234",
        "● t01: exec started",
        "[t01] hello",
        "✓ t01 done (2s)",
        "",
      ].join("\n"),
    );
  });
});

describe("combine", () => {
  it("delivers every event to every reporter even when one throws, then rethrows", () => {
    const seen: string[] = [];
    const broken: Reporter = {
      onEvent: () => {
        throw new Error("EPIPE");
      },
      close: () => seen.push("broken closed"),
    };
    const ok: Reporter = {
      onEvent: (event) => seen.push(event.type),
      tick: (now) => seen.push(`tick ${now}`),
      close: () => seen.push("ok closed"),
    };
    const both = combine(broken, ok);
    expect(() => both.onEvent(started(0, "t01"))).toThrow("EPIPE");
    both.tick?.(5);
    both.close();
    expect(seen).toEqual(["task_started", "tick 5", "broken closed", "ok closed"]);
  });
});
