import { describe, expect, it } from "vitest";
import { formatSummary, type RunSummaryInput } from "../../src/report/summary.js";
import { ESCAPE } from "./events.js";

const base: RunSummaryInput = {
  runId: "r1",
  durationMs: 735_000,
  integrationBranch: "lanes/run/r1",
  baseBranch: "main",
  tasks: [],
};

describe("formatSummary", () => {
  it("counts, lists failures with log paths and skips with their why, and says how to land", () => {
    const summary = formatSummary(
      {
        ...base,
        tasks: [
          { id: "t01", status: "done", durationMs: 1000 },
          {
            id: "t02",
            status: "failed",
            reason: "timeout",
            detail: "no output for 30m",
            logPath: ".lanes/runs/r1/logs/t02/exec.1.log",
          },
          { id: "t03", status: "skipped", reason: "dependency", detail: "t02 failed" },
          { id: "t04", status: "done" },
          { id: "t05", status: "skipped", reason: "dependency", detail: "t03 skipped" },
          { id: "t06", status: "done" },
          { id: "t07", status: "failed", reason: "no_changes" },
        ],
      },
      { color: false },
    );
    expect(summary).toBe(
      [
        "Summary: 3 done, 2 failed, 2 skipped (12m 15s)",
        "  ✗ t02: timeout — no output for 30m (log: .lanes/runs/r1/logs/t02/exec.1.log)",
        "  ✗ t07: no changes",
        "  ↷ t03 skipped: t02 failed",
        "  ↷ t05 skipped: t03 skipped",
        "Integration branch: lanes/run/r1 — land it with: git merge --ff-only lanes/run/r1",
        "",
      ].join("\n"),
    );
  });

  it("omits zero categories but always shows done, and says when the branch was landed", () => {
    const summary = formatSummary(
      { ...base, durationMs: 246_000, landed: true, tasks: [{ id: "t01", status: "done" }] },
      { color: false },
    );
    expect(summary).toBe(
      "Summary: 1 done (4m 6s)\nIntegration branch: lanes/run/r1 — landed on main\n",
    );
  });

  it("names tasks a stop left unstarted and has nothing to land when nothing was merged", () => {
    const summary = formatSummary(
      {
        ...base,
        durationMs: 12_000,
        tasks: [
          { id: "a", status: "failed", reason: "interrupted", logPath: "a.log" },
          { id: "b", status: "pending", notStartedWhy: "run interrupted" },
          { id: "c", status: "pending" },
        ],
      },
      { color: false },
    );
    expect(summary).toBe(
      [
        "Summary: 0 done, 1 failed, 2 not started (12s)",
        "  ✗ a: interrupted (log: a.log)",
        "  · b not started: run interrupted",
        "  · c not started",
        "Integration branch: lanes/run/r1 — nothing merged",
        "",
      ].join("\n"),
    );
  });

  it("tells a task stopped while its agent ran from one that never started", () => {
    const summary = formatSummary(
      {
        ...base,
        durationMs: 3_000,
        tasks: [
          { id: "a", status: "pending", attempts: 1, notStartedWhy: "interrupted" },
          { id: "b", status: "pending", attempts: 0, notStartedWhy: "interrupted" },
        ],
      },
      { color: false },
    );
    expect(summary.split("\n").slice(0, 3)).toEqual([
      "Summary: 0 done, 1 stopped while running, 1 not started (3s)",
      "  · a stopped while running: interrupted",
      "  · b not started: interrupted",
    ]);
  });

  it("totals tokens and cost when any task reported them", () => {
    const summary = formatSummary(
      {
        ...base,
        tasks: [
          { id: "t01", status: "done", tokens: { input: 12_000, output: 6_000 }, cost: 0.3 },
          { id: "t02", status: "done", tokens: { input: 345, output: 789 }, cost: 0.12 },
          { id: "t03", status: "done" },
        ],
      },
      { color: false },
    );
    expect(summary.split("\n")[1]).toBe("Tokens: 12,345 in / 6,789 out, cost $0.42");
    const tokensOnly = formatSummary(
      { ...base, tasks: [{ id: "t01", status: "done", tokens: { input: 1, output: 2 } }] },
      { color: false },
    );
    expect(tokensOnly.split("\n")[1]).toBe("Tokens: 1 in / 2 out");
  });

  it("uses colour only when asked", () => {
    const input: RunSummaryInput = {
      ...base,
      tasks: [
        { id: "t01", status: "done" },
        { id: "t02", status: "failed", reason: "exit", detail: "exit code 1" },
        { id: "t03", status: "skipped", detail: "t02 failed" },
      ],
    };
    expect(formatSummary(input, { color: false })).not.toMatch(ESCAPE);
    const coloured = formatSummary(input, { color: true });
    expect(coloured).toContain("\x1b[31m✗\x1b[39m t02");
    expect(coloured).toContain("\x1b[32m1 done\x1b[39m");
  });

  it("says to resume an interrupted run, and to merge when the base branch moved on", () => {
    const tasks: RunSummaryInput["tasks"] = [
      { id: "a", status: "done" },
      { id: "b", status: "pending", attempts: 1, notStartedWhy: "interrupted" },
    ];
    const interrupted = formatSummary({ ...base, status: "interrupted", tasks }, { color: false });
    expect(interrupted.split("\n").slice(-3)).toEqual([
      "Integration branch: lanes/run/r1 — 1 merged so far",
      "Interrupted: lanes resume goes on where the run stopped",
      "",
    ]);
    expect(interrupted).not.toContain("git merge");
    const moved = formatSummary(
      { ...base, status: "done", baseMoved: true, tasks: [{ id: "a", status: "done" }] },
      { color: false },
    );
    expect(moved.split("\n").at(-2)).toBe(
      "Integration branch: lanes/run/r1 — main has moved on since the run started, so land it with a merge: git merge lanes/run/r1",
    );
  });

  it("labels a task held back by --max-cost as not started, not failed", () => {
    const summary = formatSummary(
      {
        ...base,
        status: "failed",
        tasks: [
          { id: "a", status: "done", cost: 0.52 },
          {
            id: "b",
            status: "pending",
            attempts: 0,
            notStartedWhy: "cost budget spent ($0.52 of --max-cost $0.50)",
          },
        ],
      },
      { color: false },
    );
    expect(summary.split("\n").slice(0, 2)).toEqual([
      "Summary: 1 done, 1 not started (12m 15s)",
      "  · b not started: cost budget spent ($0.52 of --max-cost $0.50)",
    ]);
    expect(summary).not.toMatch(/failed/);
  });

  it("gives a failure's log path once, when the detail already names its log", () => {
    const summary = formatSummary(
      {
        ...base,
        tasks: [
          {
            id: "a",
            status: "failed",
            reason: "verify",
            detail:
              "`npm test` failed (exit 1): 1 failing — log: .lanes/runs/r1/logs/a/verify.1.log",
            logPath: ".lanes/runs/r1/logs/a/exec.1.log",
          },
        ],
      },
      { color: false },
    );
    expect(summary.split("\n")[1]).toBe(
      "  ✗ a: verify — `npm test` failed (exit 1): 1 failing — log: .lanes/runs/r1/logs/a/verify.1.log",
    );
  });
});
