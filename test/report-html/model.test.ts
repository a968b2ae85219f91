// The report's model is a pure function of a run's records: bars from events, agents at work,
// the measured critical path and lower bound, and task text kept as data all the way to the page.
import { describe, expect, it } from "vitest";
import { type Bar, barsFromEvents, slotsInUse } from "../../src/report/html/bars.js";
import { buildReportModel, type ReportInput } from "../../src/report/html/model.js";
import { jsonForScript, renderReportHtml } from "../../src/report/html/page.js";
import type { LanesEvent } from "../../src/run/events.js";
import { emptyTaskState, type RunState } from "../../src/state/run-state.js";
import { at, done, failed, RUN, runStarted, skipped, started, T0 } from "../report/events.js";

const exited = (seconds: number, taskId: string, ok = true, attempt = 1): LanesEvent =>
  at(seconds, { type: "agent_exited", taskId, attempt, durationMs: 0, ok });
const merged = (seconds: number, taskId: string): LanesEvent =>
  at(seconds, { type: "task_merged", taskId, commit: "c0ffee" });
const step = (seconds: number, taskId: string, s: "committing" | "verifying" | "merging") =>
  at(seconds, { type: "task_step", taskId, step: s });
const attemptFailed = (seconds: number, taskId: string, retryInMs?: number): LanesEvent =>
  at(seconds, {
    type: "attempt_failed",
    taskId,
    attempt: 1,
    reason: "exit",
    detail: "exit code 1",
    retryInMs,
  });
const finished = (seconds: number): LanesEvent =>
  at(seconds, {
    type: "run_finished",
    status: "done",
    counts: { pending: 0, running: 0, done: 0, failed: 0, skipped: 0 },
    durationMs: seconds * 1000,
    integrationBranch: `lanes/run/${RUN}`,
  });

const s = (seconds: number) => seconds * 1000;

describe("barsFromEvents", () => {
  const cases: { name: string; events: LanesEvent[]; want: Record<string, Bar[]> }[] = [
    {
      name: "an agent phase, then landing until the merge",
      events: [
        runStarted(0, ["a"]),
        started(1, "a"),
        exited(3, "a"),
        merged(4, "a"),
        done(4, "a", 3000),
      ],
      want: {
        a: [
          ["exec", 1, s(1), s(3), "ok"],
          ["land", 1, s(3), s(4), "ok"],
        ],
      },
    },
    {
      name: "landing steps split the landing bar; the first step takes it over",
      events: [
        runStarted(0, ["a"]),
        started(0, "a"),
        exited(2, "a"),
        step(2, "a", "committing"),
        step(3, "a", "verifying"),
        step(5, "a", "merging"),
        merged(6, "a"),
      ],
      want: {
        a: [
          ["exec", 1, 0, s(2), "ok"],
          ["commit", 1, s(2), s(3), "ok"],
          ["verify", 1, s(3), s(5), "ok"],
          ["merge", 1, s(5), s(6), "ok"],
        ],
      },
    },
    {
      name: "a failed attempt, a wait, and the retry",
      events: [
        runStarted(0, ["a"]),
        started(0, "a"),
        exited(1, "a", false),
        attemptFailed(1, "a", 2000),
        started(3, "a", 2),
        exited(4, "a", true, 2),
        merged(5, "a"),
      ],
      want: {
        a: [
          ["exec", 1, 0, s(1), "failed"],
          ["wait", 1, s(1), s(3), "wait"],
          ["exec", 2, s(3), s(4), "ok"],
          ["land", 2, s(4), s(5), "ok"],
        ],
      },
    },
    {
      name: "verify fails after the agent: the step is the failed bar",
      events: [
        runStarted(0, ["a"]),
        started(0, "a"),
        exited(1, "a"),
        step(1, "a", "verifying"),
        attemptFailed(2, "a"),
        failed(2, "a", 2000),
      ],
      want: {
        a: [
          ["exec", 1, 0, s(1), "ok"],
          ["verify", 1, s(1), s(2), "failed"],
        ],
      },
    },
    {
      name: "a resumed run closes what the dead process left open, as interrupted",
      events: [
        runStarted(0, ["a"]),
        started(1, "a"),
        at(2, { type: "task_activity", taskId: "a", activity: "Bash: npm test" }),
        runStarted(10, ["a"]),
        started(11, "a"),
        exited(12, "a"),
        merged(12, "a"),
      ],
      want: {
        a: [
          ["exec", 1, s(1), s(2), "interrupted"],
          ["exec", 1, s(11), s(12), "ok"],
        ],
      },
    },
    {
      name: "an agent ended while the run stops is interrupted; one that failed on its own is failed",
      events: [
        runStarted(0, ["a", "b"]),
        started(0, "a"),
        started(0, "b"),
        at(1, { type: "run_stopping", why: "interrupted" }),
        exited(2, "a", false),
        exited(2, "b", false),
        attemptFailed(2, "b"),
      ],
      want: {
        a: [["exec", 1, 0, s(2), "interrupted"]],
        b: [["exec", 1, 0, s(2), "failed"]],
      },
    },
    {
      name: "a skipped task has no bar; a running one stays open",
      events: [runStarted(0, ["a", "b"]), started(1, "a"), skipped(1, "b", "x failed")],
      want: { a: [["exec", 1, s(1), null, "open"]] },
    },
  ];
  for (const { name, events, want } of cases) {
    it(name, () => {
      expect(Object.fromEntries(barsFromEvents(events, T0))).toEqual(want);
    });
  }
});

describe("slotsInUse", () => {
  it("counts agent bars only, hands a slot over without double counting, and ends open bars at now", () => {
    const bars: Bar[][] = [
      [
        ["exec", 1, 0, 1000, "ok"],
        ["land", 1, 1000, 3000, "ok"],
      ],
      [
        ["exec", 1, 1000, 2000, "ok"],
        ["wait", 1, 2000, 2500, "wait"],
      ],
      [["exec", 1, 500, null, "open"]],
    ];
    expect(slotsInUse(bars, 4000)).toEqual([
      [0, 1],
      [500, 2],
      [1000, 2],
      [2000, 1],
      [4000, 0],
    ]);
  });
});

function state(tasks: Record<string, Partial<RunState["tasks"][string]>>): RunState {
  return {
    version: 1,
    id: RUN,
    status: "failed",
    pid: 1,
    startedAt: T0,
    finishedAt: T0 + s(10),
    repoRoot: "/repo",
    baseCommit: "abc1234",
    baseBranch: "main",
    integrationBranch: `lanes/run/${RUN}`,
    worktreeRoot: "/wt",
    options: {
      mode: "parallel",
      concurrency: 2,
      retries: 0,
      timeout: "30m",
      batches: undefined,
      land: false,
    },
    order: Object.keys(tasks),
    tasks: Object.fromEntries(
      Object.entries(tasks).map(([id, t]) => [id, { ...emptyTaskState(`lanes/${id}`), ...t }]),
    ),
  };
}

const HOSTILE = `</script><img src=x onerror="alert(1)"> & "quotes" <!-- \u2028`;

function input(): ReportInput {
  return {
    state: state({
      a: {
        status: "done",
        attempts: 1,
        durationMs: s(4),
        tokens: { input: 100, output: 20 },
        cost: 0.5,
      },
      b: { status: "done", attempts: 1, durationMs: s(3), cost: 0.25 },
      c: { status: "failed", attempts: 2, durationMs: s(2), reason: "exit", detail: HOSTILE },
      d: { status: "skipped", detail: "c failed" },
    }),
    events: [
      runStarted(0, ["a", "b", "c", "d"]),
      started(0, "a"),
      exited(4, "a"),
      merged(4, "a"),
      finished(10),
    ],
    planned: [
      { id: "a", title: "First", depends_on: [] },
      { id: "b", title: HOSTILE, depends_on: ["a"] },
      { id: "c", title: "Third", depends_on: [] },
      { id: "d", title: "Fourth", depends_on: ["c", "gone-from-this-run"] },
    ],
    logTails: { c: ["building", HOSTILE] },
    now: T0 + s(60),
    live: false,
  };
}

describe("buildReportModel", () => {
  it("names the workers that ran each task's attempts (queue mode), each once, in order", () => {
    const queued = (seconds: number, taskId: string, worker: string): LanesEvent =>
      at(seconds, {
        type: "task_started",
        taskId,
        phase: "exec",
        attempt: 1,
        pgid: 1,
        logPath: "",
        worker,
      });
    const base = input();
    const model = buildReportModel({
      ...base,
      events: [
        ...base.events,
        queued(1, "a", "w2"),
        queued(2, "a", "w1"),
        queued(3, "a", "w2"),
        queued(4, "b", "w3"),
      ],
    });
    const workers = Object.fromEntries(model.tasks.map((task) => [task.id, task.workers]));
    expect(workers.a).toEqual(["w2", "w1"]);
    expect(workers.b).toEqual(["w3"]);
  });
  it("measures the critical path from the tasks' durations, the work from the agents' bars", () => {
    const model = buildReportModel(input());
    expect(model.criticalPath).toEqual(["a", "b"]);
    expect(model.totals).toMatchObject({
      criticalPathMs: s(7),
      workMs: s(4), // the one agent bar in the events
      lowerBoundMs: s(7), // max(7 s, 4 s / 2 slots)
      counts: { done: 2, failed: 1, skipped: 1, pending: 0, running: 0 },
      tokens: { input: 100, output: 20 },
      cost: 0.75,
    });
    expect(model.run.elapsedMs).toBe(s(10));
    expect(model.waves).toEqual([
      ["a", "c"],
      ["b", "d"],
    ]);
  });

  it("keeps only dependencies inside the run, and a failed task's reason, detail and log tail", () => {
    const model = buildReportModel(input());
    const byId = Object.fromEntries(model.tasks.map((task) => [task.id, task]));
    expect(byId.d!.dependsOn).toEqual(["c"]);
    expect(byId.c).toMatchObject({
      reason: "exit",
      detail: HOSTILE,
      logTail: ["building", HOSTILE],
    });
    expect(byId.b!.title).toBe(HOSTILE);
    expect(byId.a!.bars).toEqual([["exec", 1, 0, s(4), "ok"]]);
  });

  it("ends the bars a dead run left open at its last event, as interrupted", () => {
    const dead = input();
    dead.state.finishedAt = undefined;
    dead.state.status = "running";
    dead.events = [
      runStarted(0, ["a"]),
      started(1, "a"),
      at(5, { type: "task_activity", taskId: "a", activity: "x" }),
    ];
    const model = buildReportModel(dead);
    expect(model.tasks[0]!.bars).toEqual([["exec", 1, s(1), s(5), "interrupted"]]);
    expect(model.run.elapsedMs).toBe(s(5));
  });

  it("leaves a live run's bars open and counts its time up to now", () => {
    const live = { ...input(), live: true };
    live.state.finishedAt = undefined;
    live.events = [runStarted(0, ["a"]), started(1, "a")];
    const model = buildReportModel(live);
    expect(model.tasks[0]!.bars).toEqual([["exec", 1, s(1), null, "open"]]);
    expect(model.run.elapsedMs).toBe(s(60));
    expect(model.slots.at(-1)).toEqual([s(60), 0]);
  });
});

describe("the page", () => {
  it("carries task text as JSON no markup can break out of, and the data parses back unchanged", () => {
    const model = buildReportModel(input());
    const html = renderReportHtml(model);
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data's and the script's own
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<!-- ");
    const data = /<script type="application\/json" id="lanes-data">(.*?)<\/script>/s.exec(
      html,
    )![1]!;
    expect(JSON.parse(data)).toEqual(model);
    expect(jsonForScript({ t: "\u2028" })).toBe('{"t":"\\u2028"}');
  });

  it("allows no network and no inline handler: only its own script, by hash", () => {
    const html = renderReportHtml(buildReportModel(input()));
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline' ;");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});
