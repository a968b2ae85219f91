// Fault suite, process: lanes itself interrupted (SIGINT, SIGTERM, SIGHUP), two runs at once, and
// a run folder that cannot be written. kill -9 then `lanes resume` is covered by
// test/durability/kill-resume.test.ts (four moments, every task done exactly once, nothing left
// running, only the main checkout after clean) and is not repeated here.
import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, snapshot } from "../helpers/cli.js";
import {
  git,
  isAlive,
  laneBranches,
  readRun,
  readStarts,
  runRepo,
  waitForStarts,
  waitGone,
} from "../run/helpers.js";
import {
  expectNothingRunning,
  expectOnlyMainCheckout,
  runProcesses,
  startCli,
  useFaultAgent,
} from "./helpers.js";

describe("process: lanes is interrupted", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)(
    "%s: exit 130, no agent or child left, and lanes resume --yes finishes the run",
    async (signal) => {
      // Three hanging agents, each with a child that ignores SIGTERM; a fourth task waits.
      const repo = await runRepo({
        tasks: { h1: {}, h2: {}, h3: {}, h4: { deps: ["h1"] } },
        settings: { concurrency: 3 },
      });
      await useFaultAgent(repo, "hang", { concurrency: 3, gracePeriod: "1s" });
      const lanes = startCli(["run"], repo.root);
      const starts = await waitForStarts(repo.startsFile, 3);
      const { id } = await readRun(repo.root);
      expect(runProcesses(id).length).toBeGreaterThanOrEqual(6);

      lanes.child.kill(signal);
      const exit = await lanes.exited;
      expect(exit.code, lanes.stderr()).toBe(130);
      expect(lanes.stderr()).toContain(
        "lanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)",
      );
      expect(lanes.stdout()).toMatch(/^Summary: 0 done/m);
      const pids = starts.flatMap((s) => [s.pid, s.child!]);
      expect(await waitGone(pids, 3_000)).toEqual([]);
      await expectNothingRunning(id);
      const { state } = await readRun(repo.root);
      expect(state.status).toBe("interrupted");
      expect(Object.values(state.tasks).map((t) => t.status)).toEqual([
        "pending",
        "pending",
        "pending",
        "pending",
      ]);

      // A new run is told about it; resume finishes it (the agents now do their work).
      const refused = await runCli(["run"], { cwd: repo.root });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(`lanes: run ${id} did not finish (it was interrupted)`);
      await writeFile(path.join(repo.dir, "release"), "");
      const resumed = await runCli(["resume", "--yes"], { cwd: repo.root });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const after = await readRun(repo.root);
      expect(after.state.status).toBe("done");
      for (const task of ["h1", "h2", "h3", "h4"]) {
        expect(after.state.tasks[task]?.status).toBe("done");
      }
      // The interrupted tasks ran again as attempt 2, and h4 (never started before) once.
      const resumedStarts = readStarts(repo.startsFile).slice(3);
      expect(resumedStarts.map((s) => `${s.task} ${s.attempt}`).sort()).toEqual([
        "h1 2",
        "h2 2",
        "h3 2",
        "h4 1",
      ]);
      await expectNothingRunning(id);
      await expectOnlyMainCheckout(repo);
      expect(await laneBranches(repo)).toEqual([]);
    },
  );
});

describe("process: two lanes run at once", () => {
  it("the second exits 2 naming the holder's pid and run id; the first finishes fine", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: {}, c: { deps: ["a", "b"] } },
      plan: { a: { sleepMs: 3_000 }, b: { sleepMs: 3_000 }, c: { sleepMs: 50 } },
    });
    const first = startCli(["run"], repo.root);
    await waitForStarts(repo.startsFile, 2);
    const { id } = await readRun(repo.root);

    const second = await runCli(["run"], { cwd: repo.root });
    expect(second.exitCode).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(
      new RegExp(
        `^lanes: another lanes run holds \\.lanes/runs/\\.lock: run ${id}, pid ${first.pid} on `,
        "m",
      ),
    );
    expect(second.stderr).toContain(
      `hint: wait for it to finish, follow it with \`lanes status ${id}\`, or stop it (kill -INT ${first.pid}) and then \`lanes resume\``,
    );
    // And so does a resume, while the first runs.
    const resume = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(resume.exitCode).toBe(2);
    expect(resume.stderr).toContain(`${first.pid}`);

    const exit = await first.exited;
    expect(exit.code, first.stderr()).toBe(0);
    const { state } = await readRun(repo.root);
    expect(state.status).toBe("done");
    expect(Object.values(state.tasks).every((t) => t.status === "done")).toBe(true);
    expect(
      readStarts(repo.startsFile)
        .map((s) => s.task)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    expect(isAlive(first.pid)).toBe(false);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });
  it("is named as the holder even while the first run's agents have commits on their lanes", async () => {
    // The agents commit at once and work on: lanes/a and lanes/b hold commits on no other branch
    // while the first run lives. The second run must not blame those branches.
    const repo = await runRepo({ tasks: { a: {}, b: {} } });
    await useFaultAgent(repo, "commit-wait");
    const first = startCli(["run"], repo.root);
    await waitForStarts(repo.startsFile, 2);
    const { id } = await readRun(repo.root);
    for (;;) {
      const unmerged = await git(repo, ["rev-list", "lanes/a", "--not", "main"]);
      if (unmerged !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const second = await runCli(["run"], { cwd: repo.root });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(
        `^lanes: another lanes run holds \\.lanes/runs/\\.lock: run ${id}, pid ${first.pid} `,
        "m",
      ),
    );
    expect(second.stderr).not.toContain("already exists");
    const exit = await first.exited;
    expect(exit.code, first.stderr()).toBe(0);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });
});

describe("process: the run folder cannot be written (a full or read-only disk)", () => {
  // Tests run as root, where chmod stops nothing: put in .lanes/runs' place things that refuse
  // writes even to root — a link to a sysfs folder, a file, a link into /proc. The links lead out
  // of the repository and the file is no folder, so the up-front check (src/run/checks/
  // run-folder.ts) refuses them before the lock is tried; the lock's own errno wording (EACCES,
  // ENOSPC) remains for a disk that fails later.
  it.each([
    [
      "a read-only folder (a link to /sys/kernel)",
      "/sys/kernel",
      "runs is a link that leads outside the repository, to /sys/kernel",
    ],
    ["a file in its place", undefined, "runs is a file, where a folder should be"],
    [
      "a link to a file under /proc",
      "/proc/version",
      "runs is a link that leads outside the repository, to /proc/version",
    ],
  ] as const)("%s: exits 2 naming the folder, nothing started", async (_, target, why) => {
    const repo = await runRepo({ tasks: { a: {}, b: {} } });
    const runs = path.join(repo.root, ".lanes", "runs");
    if (target === undefined) await writeFile(runs, "not a folder\n");
    else await symlink(target, runs);
    const before = await snapshot(repo.root);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^lanes: cannot write the run folder /m);
    expect(result.stderr).toContain(`lanes: cannot write the run folder ${runs}: ${why}`);
    expect(result.stderr).toMatch(/^hint: lanes keeps each run's state and logs there/m);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr, "no stack trace").not.toMatch(/^\s+at /m);
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
    expect(await laneBranches(repo)).toEqual([]);
    expect(await git(repo, ["branch", "--list", "lanes/*"])).toBe("");
    await expectOnlyMainCheckout(repo);
  });
});
