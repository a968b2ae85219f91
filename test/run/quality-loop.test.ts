// The quality loop end to end through the built CLI with the scripted agent: phases spec -> exec
// -> qa with a verdict, findings and failing tests fed back to the agent, and merge conflicts
// resolved by a resolve phase, each ending merged or failed with a reason a person can act on.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { git, readRun, runRepo, spawnCli, waitForStarts } from "./helpers.js";

const PHASES = { phases: ["spec", "exec", "qa"] };

function logOf(runDir: string, task: string, name: string): string {
  return path.join(runDir, "logs", task, name);
}

function promptOf(runDir: string, task: string, phase: string, run: number): string {
  return readFileSync(path.join(runDir, "prompts", `${task}.${phase}.${run}.md`), "utf8");
}

describe("lanes run: phases spec -> exec -> qa", () => {
  it("runs spec, gives its plan to exec, and merges when qa says ready", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: {
        "feat:spec": { sleepMs: 20, plan: "1. PLAN-STEP-ONE: add the parser" },
        "feat:exec": { sleepMs: 20, promptMustContain: ["PLAN-STEP-ONE"] },
        "feat:qa": { sleepMs: 20, verdict: "ready" },
      },
      settings: PHASES,
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const { state, events, dir } = await readRun(repo.root);
    expect(state.tasks.feat?.status).toBe("done");
    const started = events.flatMap((e) => (e.type === "task_started" ? [e.phase] : []));
    expect(started).toEqual(["spec", "exec", "qa"]);
    for (const log of ["spec.1.log", "exec.1.log", "qa.1.log"])
      expect(existsSync(logOf(dir, "feat", log)), log).toBe(true);
    // The plan is kept in the run folder, outside the worktree, and the qa prompt shows the diff.
    expect(readFileSync(path.join(dir, "quality", "feat", "plan.md"), "utf8")).toContain(
      "PLAN-STEP-ONE",
    );
    expect(promptOf(dir, "feat", "qa", 1)).toContain("lanes-out/feat.txt");
    const verdicts = events.filter((e) => e.type === "qa_verdict");
    expect(verdicts).toMatchObject([{ verdict: "ready", loop: 1, of: 3 }]);
    expect(state.tasks.feat?.quality).toMatchObject({ verdict: "ready" });
  });

  it("sends qa's findings back to exec once, then merges when qa says ready", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: {
        "feat:exec": { sleepMs: 20 },
        "feat:qa:1": {
          sleepMs: 20,
          verdict: "needs_work",
          findings: ["FINDING-42: the empty input is not handled"],
        },
        "feat:exec:2": {
          sleepMs: 20,
          promptMustContain: ["FINDING-42: the empty input is not handled"],
          files: { "empty.txt": "handled\n" },
        },
        "feat:qa:2": { sleepMs: 20, verdict: "ready" },
      },
      settings: { phases: ["exec", "qa"] },
    });
    const result = await runCli(["run", "--json"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    const { state, events, dir } = await readRun(repo.root);
    expect(state.tasks.feat?.status).toBe("done");
    expect(state.tasks.feat?.quality).toMatchObject({ qaLoops: 1, verdict: "ready" });
    expect(promptOf(dir, "feat", "exec", 2)).toContain("## Review findings to fix");
    expect(events.filter((e) => e.type === "task_loop")).toMatchObject([
      { kind: "qa", loop: 1, of: 2 },
    ]);
    // --json carries the verdicts as they come.
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.filter((e) => e.type === "qa_verdict").map((e) => e.verdict)).toEqual([
      "needs_work",
      "ready",
    ]);
    expect(await git(repo, ["show", `${state.integrationBranch}:empty.txt`])).toBe("handled");
  });

  it("fails the task with reason qa and the findings when qa blocks it", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: {
        "feat:exec": { sleepMs: 20 },
        "feat:qa": { sleepMs: 20, verdict: "blocked", findings: ["needs a product decision"] },
      },
      settings: { phases: ["exec", "qa"] },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state } = await readRun(repo.root);
    expect(state.tasks.feat).toMatchObject({ status: "failed", reason: "qa" });
    expect(state.tasks.feat?.detail).toContain("needs a product decision");
    expect(result.stdout).toContain("needs a product decision");
    // Nothing that did not pass its gate is merged.
    expect(state.tasks.feat?.mergeCommit).toBeUndefined();
    const status = await runCli(["status"], { cwd: repo.root });
    expect(status.stdout).toContain("needs a product decision");
  });

  it("fails the task with reason qa when qa gives no verdict", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: { "feat:exec": { sleepMs: 20 }, "feat:qa": { sleepMs: 20, output: "looks fine" } },
      settings: { phases: ["exec", "qa"] },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state } = await readRun(repo.root);
    expect(state.tasks.feat).toMatchObject({ status: "failed", reason: "qa" });
    expect(state.tasks.feat?.detail).toContain("qa gave no verdict");
  });

  it("fails with reason qa once qaLoops are used up", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: {
        "feat:exec": { sleepMs: 20 },
        "feat:qa": { sleepMs: 20, verdict: "needs_work", findings: ["still no tests"] },
      },
      settings: { phases: ["exec", "qa"], qaLoops: 1 },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state } = await readRun(repo.root);
    expect(state.tasks.feat).toMatchObject({ status: "failed", reason: "qa" });
    expect(state.tasks.feat?.detail).toContain("still no tests");
    expect(state.tasks.feat?.quality?.runs).toMatchObject({ exec: 2, qa: 2 });
  });
});

// A test command that fails until fixed.txt exists, its one failing TAP test between long
// stretches of passing output, so that the last line says nothing about it.
const VERIFY_SCRIPT = [
  "const fs = require('node:fs');",
  "for (let i = 0; i < 300; i++) console.log('ok ' + (i + 1) + ' - filler test ' + i);",
  "if (!fs.existsSync('fixed.txt')) {",
  "  console.log('not ok 301 - adds two numbers');",
  "  console.log('  ---');",
  "  console.log('  message: EXPECTED-3-GOT-4 sum(1, 2) returned 4');",
  "  console.log('  ...');",
  "}",
  "for (let i = 0; i < 300; i++) console.log('# filler diagnostic ' + i);",
  // exitCode, not exit(): stdout to a pipe is asynchronous, and exit() would cut it short.
  "process.exitCode = fs.existsSync('fixed.txt') ? 0 : 1;",
].join("\n");

describe("lanes run: failing tests fed back", () => {
  it("puts the failing test from the middle of verify's output into the next prompt, then merges", async () => {
    const repo = await runRepo({
      tasks: { sum: {} },
      files: { "check.cjs": VERIFY_SCRIPT },
      plan: {
        "sum:exec:1": { sleepMs: 20 },
        "sum:exec:2": {
          sleepMs: 20,
          promptMustContain: ["EXPECTED-3-GOT-4", "not ok 301 - adds two numbers"],
          files: { "fixed.txt": "yes\n" },
        },
      },
      settings: { verify: ["node", "check.cjs"] },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stdout).toBe(0);
    const { state, events, dir } = await readRun(repo.root);
    expect(state.tasks.sum?.status).toBe("done");
    expect(state.tasks.sum?.quality?.verifyLoops).toBe(1);
    const failed = events.find((e) => e.type === "attempt_failed");
    expect(failed).toMatchObject({ reason: "verify" });
    expect(failed?.type === "attempt_failed" && failed.detail).toContain("EXPECTED-3-GOT-4");
    // The excerpt is in the run folder, not the filler around it.
    const prompt = promptOf(dir, "sum", "exec", 2);
    expect(prompt).toContain("## The tests failed");
    expect(prompt).not.toContain("filler diagnostic 299");
    // The CI lines say where the task went, the summary that it merged after a loop.
    expect(result.stdout).toMatch(
      /↻ sum back to exec with the failing tests \(verify loop 1\/2\): not ok 301 - adds two numbers/,
    );
    expect(result.stdout).toContain("Summary: 1 done (0 on the first pass, 1 after loops)");
    const status = await runCli(["status"], { cwd: repo.root });
    expect(status.stdout).toContain("loops verify 1");
  });

  it("lanes resume --retry-failed feeds a failed verify back the same way", async () => {
    const repo = await runRepo({
      tasks: { sum: {} },
      files: { "check.cjs": VERIFY_SCRIPT },
      plan: {
        "sum:exec:1": { sleepMs: 20 },
        "sum:exec:2": {
          sleepMs: 20,
          promptMustContain: ["EXPECTED-3-GOT-4"],
          files: { "fixed.txt": "yes\n" },
        },
      },
      settings: { verify: ["node", "check.cjs"], verifyLoops: 0 },
    });
    const first = await runCli(["run"], { cwd: repo.root });
    expect(first.exitCode).toBe(1);
    const failed = await readRun(repo.root);
    expect(failed.state.tasks.sum).toMatchObject({ status: "failed", reason: "verify" });
    expect(failed.state.tasks.sum?.detail).toContain("EXPECTED-3-GOT-4");
    expect(first.stdout).toContain("EXPECTED-3-GOT-4");

    const resumed = await runCli(["resume", "--retry-failed"], { cwd: repo.root });
    expect(resumed.exitCode).toBe(0);
    const { state } = await readRun(repo.root);
    expect(state.tasks.sum?.status).toBe("done");
  });
});

describe("lanes run: conflicts", () => {
  const SAME_LINES = {
    "red:exec": { sleepMs: 20, files: { "colour.txt": "red\n" } },
    "blue:exec": { sleepMs: 20, files: { "colour.txt": "blue\n" } },
  };

  it('with conflicts "agent", two tasks editing the same lines both end merged', async () => {
    const repo = await runRepo({
      tasks: { red: {}, blue: {} },
      plan: { ...SAME_LINES, "*:resolve": { sleepMs: 20, resolveConflicts: { keep: "both" } } },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    const { state, events } = await readRun(repo.root);
    expect(state.tasks.red?.status).toBe("done");
    expect(state.tasks.blue?.status).toBe("done");
    expect(events.filter((e) => e.type === "task_started").map((e) => e.phase)).toContain(
      "resolve",
    );
    const merged = await git(repo, ["show", `${state.integrationBranch}:colour.txt`]);
    expect(merged.split("\n").sort()).toEqual(["blue", "red"]);
  });

  it('with conflicts "fail", one of them fails with reason conflict as before', async () => {
    const repo = await runRepo({
      tasks: { red: {}, blue: {} },
      plan: SAME_LINES,
      settings: { conflicts: "fail" },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state, events } = await readRun(repo.root);
    const statuses = Object.values(state.tasks)
      .map((t) => t.status)
      .sort();
    expect(statuses).toEqual(["done", "failed"]);
    const failed = Object.values(state.tasks).find((t) => t.status === "failed");
    expect(failed?.reason).toBe("conflict");
    expect(events.some((e) => e.type === "task_started" && e.phase === "resolve")).toBe(false);
  });

  it("a resolve that leaves conflict markers fails with reason conflict, naming the file", async () => {
    const repo = await runRepo({
      tasks: { red: {}, blue: {} },
      plan: SAME_LINES,
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state } = await readRun(repo.root);
    const failed = Object.values(state.tasks).find((t) => t.status === "failed");
    expect(failed?.reason).toBe("conflict");
    expect(failed?.detail).toContain("colour.txt: conflict markers left");
    // The branch is kept, without a half-done merge in its worktree.
    expect(await git(repo, ["branch", "--list", failed!.branch])).toContain(failed!.branch);
  });
});

describe("lanes resume in the middle of the phases", () => {
  it("resumes a run killed in exec at exec: the finished spec is not run again, its plan kept", async () => {
    const repo = await runRepo({
      tasks: { feat: {} },
      plan: {
        "feat:spec": { sleepMs: 20, plan: "KEPT-PLAN: one step" },
        "feat:exec:1": { hang: true },
        "feat:exec": { sleepMs: 20, promptMustContain: ["KEPT-PLAN: one step"] },
      },
      settings: { phases: ["spec", "exec"] },
    });
    const lanes = spawnCli(["run"], repo.root);
    // The spec's start, then exec's, which hangs.
    await waitForStarts(repo.startsFile, 2);
    lanes.child.kill("SIGINT");
    expect((await lanes.exited).code, lanes.stderr()).toBe(130);
    const killed = await readRun(repo.root);
    expect(killed.state.tasks.feat?.status).toBe("pending");
    expect(killed.state.tasks.feat?.quality?.planFile).toBeDefined();

    const resumed = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(resumed.exitCode, resumed.stdout).toBe(0);
    const { state, events } = await readRun(repo.root);
    expect(state.tasks.feat?.status).toBe("done");
    const phases = events.flatMap((e) => (e.type === "task_started" ? [e.phase] : []));
    expect(phases).toEqual(["spec", "exec", "exec"]);
  });
});
