// Fault suite, verify: the settings' verify command is a process lanes started like an agent, so
// Ctrl-C, a kill -9 followed by `lanes resume`, and the timeout all end it, and run.json names
// it while it runs. Before, verify ran outside the task's abort signal: Ctrl-C waited on it, and a
// second Ctrl-C left `sh -c ...` running with the run's LANES_RUN_ID.
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { isAlive, readRun, runRepo, waitGone } from "../run/helpers.js";
import { expectNothingRunning, runProcesses, startCli } from "./helpers.js";

/**
 * A verify command that says it started (its shell's pid in `file`) and then never ends, unless
 * `${file}.pass` exists: then it passes at once.
 */
function hangingVerify(file: string): string {
  return `if [ -e '${file}.pass' ]; then exit 0; fi; echo $$ > '${file}'; sleep 600`;
}

/** Verify groups this file's tests started: a failing test must not leave them running. */
const verifyGroups: number[] = [];
afterEach(() => {
  for (const pgid of verifyGroups.splice(0)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // Gone already, as it should be.
    }
  }
});

async function waitForFile(file: string, ms = 30_000): Promise<number> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, "utf8").trim());
      if (pid > 0) {
        verifyGroups.push(pid);
        return pid;
      }
    }
    await sleep(50);
  }
  throw new Error(`verify did not start within ${ms} ms (${file})`);
}

describe("verify: a process of the task, ended with it", () => {
  it("SIGINT while verify runs: exit 130, verify ended, run.json had named it", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const marker = path.join(repo.dir, "verify.pid");
    await runRepoSettings(repo, { verify: hangingVerify(marker), gracePeriod: "1s" });
    const lanes = startCli(["run"], repo.root);
    const verifyPid = await waitForFile(marker);
    const { id, state } = await readRunWhenVerifyRecorded(repo.root);
    expect(state.tasks.a?.verify?.pgid).toBe(verifyPid);
    expect(runProcesses(id)).toContain(verifyPid);

    lanes.child.kill("SIGINT");
    const exit = await lanes.exited;
    expect(exit.code, lanes.stderr()).toBe(130);
    expect(await waitGone([verifyPid])).toEqual([]);
    await expectNothingRunning(id);
    const after = await readRun(repo.root);
    expect(after.state.status).toBe("interrupted");
    expect(after.state.tasks.a?.status).toBe("pending");
    expect(after.state.tasks.a?.verify).toBeUndefined();
    expect(after.events.some((e) => e.type === "task_step" && e.step === "verifying")).toBe(true);
  });

  it("a second SIGINT while a verify that ignores SIGTERM is being ended: exit 130, verify killed", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const marker = path.join(repo.dir, "verify.pid");
    // Ignored signals are inherited: neither sh nor its sleep ends on SIGTERM.
    await runRepoSettings(repo, {
      verify: `trap '' TERM; ${hangingVerify(marker)}`,
      gracePeriod: "10m",
    });
    const lanes = startCli(["run"], repo.root);
    const verifyPid = await waitForFile(marker);
    const { id } = await readRunWhenVerifyRecorded(repo.root);
    lanes.child.kill("SIGINT");
    await waitForText(lanes.stderr, "Ctrl-C again to exit at once");
    expect(isAlive(verifyPid)).toBe(true);
    lanes.child.kill("SIGINT");
    const exit = await lanes.exited;
    expect(exit.code, lanes.stderr()).toBe(130);
    expect(await waitGone([verifyPid])).toEqual([]);
    await expectNothingRunning(id);
  });

  it("kill -9 of lanes while verify runs: lanes resume ends the verify it left", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const marker = path.join(repo.dir, "verify.pid");
    await runRepoSettings(repo, { verify: hangingVerify(marker), gracePeriod: "1s" });
    const lanes = startCli(["run"], repo.root);
    const verifyPid = await waitForFile(marker);
    const { id } = await readRunWhenVerifyRecorded(repo.root);
    lanes.child.kill("SIGKILL");
    await lanes.exited;
    expect(isAlive(verifyPid)).toBe(true);

    await writeFile(`${marker}.pass`, "");
    const resumed = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await waitGone([verifyPid])).toEqual([]);
    await expectNothingRunning(id);
    expect((await readRun(repo.root)).state.tasks.a?.status).toBe("done");
  });

  it("a verify past the task's timeout is ended and fails the attempt as verify", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const marker = path.join(repo.dir, "verify.pid");
    await runRepoSettings(repo, {
      verify: hangingVerify(marker),
      timeout: "2s",
      gracePeriod: "1s",
      retries: 0,
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(1);
    const verifyPid = Number(readFileSync(marker, "utf8").trim());
    expect(isAlive(verifyPid)).toBe(false);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.status).toBe("failed");
    expect(state.tasks.a?.reason).toBe("verify");
    await expectNothingRunning(id);
  });
});

async function waitForText(read: () => string, text: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`never printed ${JSON.stringify(text)}`);
    await sleep(50);
  }
}

/** Adds settings to the repository's committed settings (the scripted agent stays). */
async function runRepoSettings(
  repo: Awaited<ReturnType<typeof runRepo>>,
  more: Record<string, unknown>,
): Promise<void> {
  const file = path.join(repo.root, ".lanes", "settings.json");
  const settings = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, `${JSON.stringify({ ...settings, ...more }, null, 2)}\n`);
  await repo.repo.git.run(["add", "-A"]);
  await repo.repo.git.run(["commit", "--quiet", "--amend", "--no-edit"]);
}

/** run.json once it records the verify process (written right after verify started). */
async function readRunWhenVerifyRecorded(root: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await readRun(root).catch(() => undefined);
    if (run && Object.values(run.state.tasks).some((task) => task.verify)) return run;
    if (Date.now() > deadline) throw new Error("run.json never recorded the verify process");
    await sleep(50);
  }
}
