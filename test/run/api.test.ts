// The API without the CLI: `run()` from the built package, in this very process, with onEvent and
// an AbortSignal. It must resolve (never call process.exit: vitest itself would die) both when the
// run ends and when it is aborted.
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/index.js";
import { DIST_INDEX, git, readRun, runRepo, waitForStarts, waitGone } from "./helpers.js";

type Api = typeof import("../../src/index.js");
const api = (await import(pathToFileURL(DIST_INDEX).href)) as Api;

/** The environment the run reads settings from: no LANES_* variables, no user settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("LANES_")),
  );
  return {
    ...env,
    LANES_USER_SETTINGS: path.join(os.tmpdir(), "lanes-tests-no-user-settings", "settings.json"),
  };
}

describe("run() from the package", () => {
  it("runs a small DAG and resolves with per-task status, branch and durations", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: {}, c: { deps: ["a", "b"] } },
      plan: { "*": { sleepMs: 100 } },
    });
    const events: LanesEvent[] = [];
    const controller = new AbortController();
    const exitCodeBefore = process.exitCode;

    const result = await api.run({
      cwd: repo.root,
      env: cleanEnv(),
      settings: { concurrency: 2 },
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });

    expect(process.exitCode).toBe(exitCodeBefore);
    expect(result.status).toBe("done");
    expect(result.exitCode).toBe(0);
    expect(result.integrationBranch).toBe(`lanes/run/${result.runId}`);
    expect(result.baseBranch).toBe("main");
    expect(result.landed).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.tasks.map((t) => t.id).sort()).toEqual(["a", "b", "c"]);
    for (const task of result.tasks) {
      expect(task.status, task.id).toBe("done");
      expect(task.branch).toBe(`lanes/${task.id}`);
      expect(task.attempts).toBe(1);
      expect(task.durationMs, task.id).toBeGreaterThan(0);
      expect(task.reason).toBeUndefined();
    }

    // onEvent saw the same stream as events.ndjson, from run_started to run_finished.
    expect(events[0]?.type).toBe("run_started");
    expect(events.at(-1)?.type).toBe("run_finished");
    const records = await readRun(repo.root);
    expect(records.id).toBe(result.runId);
    expect(events).toEqual(records.events);
    expect(
      await git(repo, ["rev-parse", "--verify", `${result.integrationBranch}:lanes-out/c.txt`]),
    ).toMatch(/^[0-9a-f]{40}$/);
  });

  it("resolves with status interrupted and exit code 130 when aborted mid-run", async () => {
    const repo = await runRepo({
      tasks: { slow1: {}, slow2: {}, next: { deps: ["slow1"] } },
      plan: { "*": { hang: true } },
      settings: { gracePeriod: "1s" },
    });
    const controller = new AbortController();
    const events: LanesEvent[] = [];
    const exitCodeBefore = process.exitCode;

    const running = api.run({
      cwd: repo.root,
      env: cleanEnv(),
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    const starts = await waitForStarts(repo.startsFile, 2);
    const abortedAt = Date.now();
    controller.abort();
    const result = await running;

    expect(Date.now() - abortedAt).toBeLessThan(10_000);
    expect(process.exitCode).toBe(exitCodeBefore);
    expect(result.status).toBe("interrupted");
    expect(result.exitCode).toBe(130);
    expect(result.tasks.some((t) => t.status === "done" || t.status === "running")).toBe(false);
    expect(result.tasks.find((t) => t.id === "next")?.notStartedWhy).toBeDefined();
    expect(
      await waitGone(
        starts.map((s) => s.pid),
        2_000,
      ),
    ).toEqual([]);
    expect(events.at(-1)?.type).toBe("run_finished");
    expect((await readRun(repo.root)).state.status).toBe("interrupted");
  });

  it("rejects bad input with a LanesError (exit code 2) instead of exiting", async () => {
    const repo = await runRepo({ tasks: { a: { deps: ["missing"] } } });
    const failure = await api
      .run({ cwd: repo.root, env: cleanEnv() })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(api.LanesError);
    expect((failure as InstanceType<Api["LanesError"]>).exitCode).toBe(2);
  });
});
