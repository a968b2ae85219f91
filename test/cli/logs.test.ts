// `lanes logs` end to end: the agent's output of real scripted runs, by attempt, and followed live.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

async function onlyRun(repo: TempRepo): Promise<string> {
  const entries = await readdir(path.join(repo.root, ".lanes", "runs"), { withFileTypes: true });
  const ids = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe("lanes logs", () => {
  let repo: TempRepo;
  let runId: string;

  beforeAll(async () => {
    repo = await scriptedRepo(
      {
        ok: task("Ok"),
        flaky: task("Flaky"),
        bad: task("Bad"),
        blocked: task("Blocked", "depends_on: [bad]\n"),
      },
      {
        "*": { sleepMs: 40 },
        flaky: { sleepMs: 40, failAttempts: 1 },
        bad: { sleepMs: 40, exit: 3, stderr: "bad: something broke" },
      },
      { retries: 1 },
    );
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    runId = await onlyRun(repo);
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("prints a task's agent output, and says on stderr which log it is", async () => {
    const result = await runCli(["logs", "ok"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("[ok] exec attempt 1: ");
    expect(result.stdout).toContain("[ok] working... 100%");
    expect(result.stdout).toContain("[ok] done\n");
    expect(result.stderr).toContain(`run ${runId}, task ok, exec attempt 1`);
    expect(result.stderr).toContain(path.join(".lanes", "runs", runId, "logs", "ok", "exec.1.log"));
    // The agent's stderr is in the log too.
    const bad = await runCli(["logs", "bad"], { cwd: repo.root });
    expect(bad.exitCode).toBe(0);
    expect(bad.stdout).toContain("bad: something broke");
  });

  it("shows the latest attempt by default and another with --attempt", async () => {
    const latest = await runCli(["logs", "flaky"], { cwd: repo.root });
    expect(latest.exitCode).toBe(0);
    expect(latest.stdout).toContain("[flaky] exec attempt 2: ");
    expect(latest.stdout).not.toContain("scripted failure");
    expect(latest.stderr).toContain("exec attempt 2 (also: exec.1)");

    const first = await runCli(["logs", "flaky", "--attempt", "1", "--run", runId], {
      cwd: repo.root,
    });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("[flaky] exec attempt 1: ");
    expect(first.stdout).toContain("scripted failure on attempt 1");

    const missing = await runCli(["logs", "flaky", "--attempt", "3"], { cwd: repo.root });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("task flaky has no attempt 3 log");
    expect(missing.stderr).toContain("its logs: exec.1, exec.2");

    const bad = await runCli(["logs", "flaky", "--attempt", "two"], { cwd: repo.root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('Invalid --attempt value: "two"');
  });

  it("names only the other logs, never the one it shows, with or without --follow", async () => {
    for (const args of [
      ["logs", "ok"],
      ["logs", "ok", "--follow"],
    ]) {
      const result = await runCli(args, { cwd: repo.root });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toContain(`run ${runId}, task ok, exec attempt 1: `);
      expect(result.stderr).not.toContain("(also:");
    }
    const flaky = await runCli(["logs", "flaky", "-f"], { cwd: repo.root });
    expect(flaky.exitCode, flaky.stderr).toBe(0);
    expect(flaky.stderr).toContain("exec attempt 2 (also: exec.1): ");
    expect(flaky.stdout).toContain("[flaky] exec attempt 2: ");
  });

  it("an unknown task, or a task without a log, exits 2 saying what exists", async () => {
    const unknown = await runCli(["logs", "nope"], { cwd: repo.root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain('no run has a task "nope"');
    expect(unknown.stderr).toContain(`tasks of the latest run ${runId}: `);
    for (const id of ["bad", "blocked", "flaky", "ok"]) expect(unknown.stderr).toContain(id);

    const skipped = await runCli(["logs", "blocked"], { cwd: repo.root });
    expect(skipped.exitCode).toBe(2);
    expect(skipped.stderr).toContain(`task blocked has no log yet in run ${runId}: it was skipped`);

    const phase = await runCli(["logs", "ok", "--phase", "verify"], { cwd: repo.root });
    expect(phase.exitCode).toBe(2);
    expect(phase.stderr).toContain("task ok has no verify log");
    expect(phase.stderr).toContain("its logs: exec.1");

    const otherRun = await runCli(["logs", "ok", "--run", "19990101"], { cwd: repo.root });
    expect(otherRun.exitCode).toBe(2);
    expect(otherRun.stderr).toContain('no run "19990101"');
  });

  it("--follow prints a live task's output as it comes and ends when the task ends", async () => {
    const live = await scriptedRepo(
      { slow: task("Slow"), slower: task("Slower") },
      { slow: { sleepMs: 2500 }, slower: { sleepMs: 6000 } },
      { concurrency: 2 },
    );
    try {
      let runEnded = false;
      const running = runCli(["run"], { cwd: live.root }).finally(() => {
        runEnded = true;
      });
      // Wait for the slow task's log to appear, then follow it while it is being written.
      let log: string | undefined;
      for (let i = 0; i < 300 && !log; i++) {
        await sleep(50);
        const runs = path.join(live.root, ".lanes", "runs");
        const ids = existsSync(runs) ? (await readdir(runs)).filter((n) => !n.startsWith(".")) : [];
        const candidate = ids[0] && path.join(runs, ids[0], "logs", "slow", "exec.1.log");
        if (candidate && existsSync(candidate)) log = candidate;
      }
      expect(log, "the slow task's log appeared").toBeDefined();
      const followed = await runCli(["logs", "slow", "--follow"], { cwd: live.root });
      expect(followed.exitCode, followed.stderr).toBe(0);
      expect(followed.stdout).toContain("[slow] exec attempt 1: ");
      expect(followed.stdout).toContain("[slow] working... 100%");
      expect(followed.stdout).toContain("[slow] done\n");
      // It stopped with its task, while the run (the slower task) still went on.
      expect(runEnded).toBe(false);
      const run = await running;
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      // Following a finished task prints it and ends at once.
      const after = await runCli(["logs", "slower", "-f"], { cwd: live.root });
      expect(after.exitCode).toBe(0);
      expect(after.stdout).toContain("[slower] done\n");
    } finally {
      await live.cleanup();
    }
  });
});
