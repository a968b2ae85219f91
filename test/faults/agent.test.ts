// Fault suite, agent: an agent that is missing, fails, is killed, hangs, floods its output,
// prints bytes that are not UTF-8, leaves a child behind, deletes its worktree or switches its
// branch. Each fails (or passes) its task with a reason naming what happened; the run finishes;
// no process of the run is left; `lanes clean --all --yes` leaves only the main checkout.
import { existsSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { runCli, snapshot } from "../helpers/cli.js";
import {
  git,
  isAlive,
  laneBranches,
  readRun,
  readStarts,
  runIds,
  runRepo,
  type Step,
  worktreeCount,
} from "../run/helpers.js";
import {
  expectNothingRunning,
  expectOnlyMainCheckout,
  startCli,
  useFaultAgent,
  worktreePaths,
} from "./helpers.js";

/** One failing task `bad` and one good task `good`, run to the end; returns what it left. */
async function runOneBad(step: Step, args: string[] = []) {
  const repo = await runRepo({
    tasks: { bad: {}, good: {}, after: { deps: ["bad"] } },
    plan: { "*": { sleepMs: 100 }, bad: step },
    settings: { gracePeriod: "1s" },
  });
  const result = await runCli(["run", ...args], { cwd: repo.root });
  const run = await readRun(repo.root);
  return { repo, result, run, bad: run.state.tasks.bad! };
}

/** The run finished: `good` merged, `after` skipped, exit 1, and nothing of it is left running. */
async function expectBadFailedAlone(
  out: Awaited<ReturnType<typeof runOneBad>>,
  reason: string,
): Promise<void> {
  const { result, run, bad } = out;
  expect(result.exitCode, result.stderr).toBe(1);
  expect(bad.status).toBe("failed");
  expect(bad.reason).toBe(reason);
  expect(run.state.tasks.good?.status).toBe("done");
  expect(run.state.tasks.after?.status).toBe("skipped");
  expect(run.state.status).toBe("failed");
  expect(run.events.at(-1)?.type).toBe("run_finished");
  expect(result.stdout).toMatch(new RegExp(`^✗ bad failed \\(.*\\): ${reason} — `, "m"));
  expect(result.stdout).toMatch(/^Summary: 1 done, 1 failed, 1 skipped/m);
  await expectNothingRunning(run.id);
}

async function cleanAll(repo: Awaited<ReturnType<typeof runRepo>>): Promise<void> {
  const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
  expect(clean.exitCode, clean.stderr).toBe(0);
  await expectOnlyMainCheckout(repo);
  expect(await laneBranches(repo)).toEqual([]);
}

describe("agent: a missing command", () => {
  it("exits 2 naming the command and the setting, before anything is written", async () => {
    const missing = "lanes-no-such-agent-anywhere";
    const repo = await runRepo({
      tasks: { a: {} },
      settings: { agent: { command: [missing, "--go"] } },
    });
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^lanes: agent command not found: lanes-no-such-agent-anywhere \(the "agent" setting in \.lanes\/settings\.json\)$/m,
    );
    expect(result.stderr).toMatch(/^hint: install it or fix the command's first element/m);
    expect(runIds(repo.root)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("names the task file when a task's own agent is missing", async () => {
    const repo = await runRepo({
      tasks: {},
      files: {
        ".lanes/tasks/own.md":
          '---\ntitle: Own agent\nagent: { command: ["/nonexistent/bin/agent"] }\n---\nbody\n',
      },
    });
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "agent command not found: /nonexistent/bin/agent (the agent of .lanes/tasks/own.md)",
    );
    expect(await snapshot(repo.root)).toBe(before);
  });
});

describe("agent: fails", () => {
  it("exit 1: reason exit, with the agent's last stderr line as the detail", async () => {
    const out = await runOneBad({
      sleepMs: 50,
      exit: 1,
      stderr: "the build server ci.example.com is unreachable",
    });
    await expectBadFailedAlone(out, "exit");
    expect(out.bad.detail).toBe("the build server ci.example.com is unreachable");
    expect(out.result.stdout).toContain("the build server ci.example.com is unreachable");
    expect(out.result.stdout).toContain(`(log: ${out.bad.logPath})`);
    // The failed lane and its branch are kept for a look; clean --all removes them.
    expect(await worktreeCount(out.repo)).toBe(2);
    expect(await laneBranches(out.repo)).toEqual(["lanes/bad"]);
    await cleanAll(out.repo);
  });

  it("killed by SIGKILL: reason crash, naming the signal", async () => {
    const out = await runOneBad({ sleepMs: 50, signal: "SIGKILL" });
    await expectBadFailedAlone(out, "crash");
    expect(out.bad.detail).toBe("the agent was killed by SIGKILL");
    await cleanAll(out.repo);
  });

  it("a hang past --timeout 1s: reason timeout, the agent ended", async () => {
    const out = await runOneBad({ hang: true }, ["--timeout", "1s"]);
    await expectBadFailedAlone(out, "timeout");
    expect(out.bad.detail).toBe("the agent ran past its timeout");
    const pid = readStarts(out.repo.startsFile).find((s) => s.task === "bad")!.pid;
    expect(isAlive(pid)).toBe(false);
    await cleanAll(out.repo);
  });
});

describe("agent: its work fails verify", () => {
  it("reason verify, naming the command, its last line and its log", async () => {
    const repo = await runRepo({
      tasks: { checked: {} },
      plan: { checked: { sleepMs: 50 } },
      // No loop: the failure as it is (loops are tested in run/quality-loop).
      settings: { verify: "echo 2 tests failing >&2; exit 1", verifyLoops: 0 },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    const log = `${repo.root}/.lanes/runs/${id}/logs/checked/verify.1.log`;
    expect(state.tasks.checked?.reason).toBe("verify");
    expect(state.tasks.checked?.detail).toBe(
      `\`echo 2 tests failing >&2; exit 1\` failed (1): 2 tests failing\n(log: ${log})`,
    );
    expect(await readFile(log, "utf8")).toContain("2 tests failing");
    await expectNothingRunning(id);
    await cleanAll(repo);
  });
});

describe("agent: output", () => {
  it("1 GB of output: the log is complete, lanes' memory stays bounded", async () => {
    const GB = 1024 ** 3;
    const repo = await runRepo({
      tasks: { loud: {} },
      plan: { loud: { sleepMs: 0, outputBytes: GB } },
    });
    const lanes = startCli(["run"], repo.root);
    // VmHWM is the peak resident set so far: the last reading before lanes exits is its peak.
    let peakKb = 0;
    let exited = false;
    void lanes.exited.then(() => {
      exited = true;
    });
    while (!exited) {
      try {
        const status = readFileSync(`/proc/${lanes.pid}/status`, "utf8");
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // Exited between the check and the read.
      }
      await sleep(100);
    }
    const exit = await lanes.exited;
    expect(exit.code, lanes.stderr()).toBe(0);

    const { id, state } = await readRun(repo.root);
    expect(state.tasks.loud?.status).toBe("done");
    const log = state.tasks.loud!.logPath!;
    // The filler plus the agent's own few lines: every byte reached the log.
    expect(statSync(log).size).toBeGreaterThanOrEqual(GB);
    expect(peakKb, `lanes' peak RSS ${Math.round(peakKb / 1024)} MB`).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(300);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  }, 180_000);

  it("bytes that are not UTF-8: the run completes, and the log holds the raw bytes", async () => {
    const repo = await runRepo({ tasks: { bytes: {} } });
    await useFaultAgent(repo, "bad-bytes");
    const result = await runCli(["run", "--stream"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.bytes?.status).toBe("done");
    const log = await readFile(state.tasks.bytes!.logPath!);
    expect(log.includes(Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x0a]))).toBe(
      true,
    );
    expect(log.includes(Buffer.from([0xe2, 0x82, 0x0a]))).toBe(true);
    // --stream shows the lines, the bad bytes replaced.
    expect(result.stdout).toContain("[bytes] ok \uFFFD");
    expect(result.stdout).toContain("[bytes] end of output");
    await expectNothingRunning(id);
  });
});

describe("agent: a child left behind", () => {
  it("an agent that spawns a child and exits: the child is ended, the task done", async () => {
    const repo = await runRepo({
      tasks: { parent: {} },
      plan: { parent: { sleepMs: 50, spawnChild: true } },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id, state } = await readRun(repo.root);
    const log = await readFile(state.tasks.parent!.logPath!, "utf8");
    const child = Number(/spawned child (\d+)/.exec(log)?.[1]);
    expect(child).toBeGreaterThan(0);
    expect(isAlive(child)).toBe(false);
    await expectNothingRunning(id);
  });
});

describe("agent: breaks its own lane", () => {
  it("deletes its worktree: the task fails naming the folder, the run finishes", async () => {
    const repo = await runRepo({ tasks: { vandal: {}, good: {} } });
    await useFaultAgent(repo, "rm-worktree");
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    const lane = `${repo.dir}/.lanes-worktrees/repo/vandal`;
    expect(state.tasks.vandal?.status).toBe("failed");
    expect(state.tasks.vandal?.reason).toBe("git");
    expect(state.tasks.vandal?.detail).toBe(
      `the agent deleted its worktree ${lane}; nothing was committed or merged`,
    );
    expect(result.stdout).toContain(`✗ vandal failed`);
    expect(state.status).toBe("failed");
    expect(existsSync(lane)).toBe(false);
    await expectNothingRunning(id);
    // git still lists the lane (its folder is gone) until clean prunes it.
    await cleanAll(repo);
  });

  it("switches its branch: the task fails naming both branches, the agent's branch is kept", async () => {
    const repo = await runRepo({ tasks: { rogue: {} } });
    await useFaultAgent(repo, "switch-branch");
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    const lane = `${repo.dir}/.lanes-worktrees/repo/rogue`;
    expect(state.tasks.rogue?.status).toBe("failed");
    expect(state.tasks.rogue?.reason).toBe("git");
    expect(state.tasks.rogue?.detail).toBe(
      `the agent switched its worktree ${lane} from lanes/rogue to branch other-rogue; lanes merges only lanes/rogue: nothing was committed or merged`,
    );
    // Nothing of it reached the integration branch; its commit is on its own branch.
    const tree = await git(repo, ["ls-tree", "-r", "--name-only", `lanes/run/${id}`]);
    expect(tree).not.toContain("out/rogue.txt");
    expect(await git(repo, ["show", "other-rogue:out/rogue.txt"])).toBe("rogue attempt 1");
    await expectNothingRunning(id);
    expect(await worktreePaths(repo)).toEqual([repo.root, lane]);

    const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toContain("switched to other-rogue by its agent");
    await expectOnlyMainCheckout(repo);
    expect(await laneBranches(repo)).toEqual([]);
    // The agent's branch and its commit are the user's to judge: never deleted.
    expect(await git(repo, ["show", "other-rogue:out/rogue.txt"])).toBe("rogue attempt 1");
  });
});
