// Fault suite, errors during a run: each names what failed. An agent that breaks its own task
// file's YAML fails naming the file and the line; a full disk under the worktree folder is told
// as a full disk (git says only "unable to write file"); a run folder whose disk fills up mid-run
// stops the run as interrupted, which `lanes resume` then finishes. Disks are small tmpfs mounts
// (the tests run as root); where mounting is refused, those tests say so and are skipped.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunState } from "../../src/state/run-state.js";
import { runCli } from "../helpers/cli.js";
import { readRun, readStarts, runRepo } from "../run/helpers.js";
import {
  expectNothingRunning,
  expectOnlyMainCheckout,
  startCli,
  useFaultAgent,
} from "./helpers.js";

/** Mounts a tmpfs of `size` at `dir`; false (with the reason on stderr) where that is refused. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch (error) {
    process.stderr.write(`skipped: cannot mount a tmpfs at ${dir}: ${(error as Error).message}\n`);
    return false;
  }
}

function unmount(dir: string): void {
  execFileSync("umount", ["-l", dir], { stdio: "ignore" });
}

/** Whether this machine lets the tests mount a small disk (root, and mount allowed). */
const CAN_MOUNT = (() => {
  const probe = path.join(process.env.TMPDIR ?? "/tmp", `lanes-mount-probe-${process.pid}`);
  const ok = mountTmpfs(probe, "64k");
  if (ok) unmount(probe);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe("errors during a run: the agent breaks its own task file", () => {
  it("fails the task naming the file and the line, not yaml's 'cannot be stringified'", async () => {
    const repo = await runRepo({ tasks: { a: {}, b: {} } });
    await useFaultAgent(repo, "break-task-file", { retries: 0 });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).not.toContain("cannot be stringified");
    expect(output).not.toContain("internal error");
    const lane = path.join(repo.dir, ".lanes-worktrees", "repo", "a");
    expect(result.stdout).toMatch(
      /^✗ a failed \(.*\): task file — the agent broke its task file: .*a\.md:3: invalid YAML:/m,
    );
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.reason).toBe("task_file");
    expect(state.tasks.a?.detail).toMatch(
      new RegExp(
        `^the agent broke its task file: ${lane}/\\.lanes/tasks/a\\.md:3: invalid YAML: .*\\(lanes writes the task's status into the front matter: the agent must leave \\.lanes/tasks alone\\)$`,
      ),
    );
    expect(state.tasks.b?.reason).toBe("task_file");
    await expectNothingRunning(id);
  });
});

describe.skipIf(!CAN_MOUNT)("errors during a run: a full disk", () => {
  it("the worktree folder's disk is full: the task fails saying which disk is full", async () => {
    // A 2 MB file in the repository cannot be checked out onto a 512 KB disk.
    const big = `${"x".repeat(1023)}\n`.repeat(2048);
    const repo = await runRepo({ tasks: { a: {} }, files: { "big.txt": big } });
    const disk = path.join(repo.dir, "small-disk");
    if (!mountTmpfs(disk, "512k")) return;
    try {
      await useFaultAgent(repo, "copy-stdin", { worktreeDir: disk, retries: 0 });
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode).toBe(1);
      const worktreeRoot = path.join(disk, "repo");
      expect(result.stdout).toMatch(
        new RegExp(
          `^✗ a failed \\(.*\\): disk full — the disk holding ${worktreeRoot} is full \\(\\d+ bytes free\\): `,
          "m",
        ),
      );
      const { id, state } = await readRun(repo.root);
      expect(state.tasks.a?.reason).toBe("disk_full");
      expect(state.tasks.a?.detail).toContain("unable to write file big.txt");
      await expectNothingRunning(id);
      // What the failed checkout left is lanes' own: clean removes it.
      const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
      expect(clean.exitCode, clean.stderr).toBe(0);
      await expectOnlyMainCheckout(repo);
    } finally {
      unmount(disk);
    }
  });

  it("the agent fails writing to its full disk: disk_full, naming the disk, not just the agent's words", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const disk = path.join(repo.dir, "small-disk");
    if (!mountTmpfs(disk, "1m")) return;
    try {
      await useFaultAgent(repo, "fill-lane", { worktreeDir: disk, retries: 0 });
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode).toBe(1);
      const lane = path.join(disk, "repo", "a");
      expect(result.stdout).toContain(
        `disk full — the disk holding ${lane} is full (0 bytes free): error: cannot write out/a.txt: ENOSPC: no space left on device`,
      );
      const { id, state } = await readRun(repo.root);
      expect(state.tasks.a?.reason).toBe("disk_full");
      await expectNothingRunning(id);
      const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
      expect(clean.exitCode, clean.stderr).toBe(0);
      await expectOnlyMainCheckout(repo);
    } finally {
      unmount(disk);
    }
  });

  it("run.json cannot be written mid-run: the run stops as interrupted, and lanes resume finishes it", async () => {
    const repo = await runRepo({ tasks: { fill: {}, next: { deps: ["fill"] } } });
    await useFaultAgent(repo, "fill-run-folder", { gracePeriod: "1s" });
    const runs = path.join(repo.root, ".lanes", "runs");
    if (!mountTmpfs(runs, "1m")) return;
    try {
      const lanes = startCli(["run"], repo.root);
      const exit = await lanes.exited;
      const output = lanes.stdout() + lanes.stderr();
      expect(exit.code, output).toBe(130);
      expect(output).not.toContain("internal error");
      expect(output, "no stack trace").not.toMatch(/^\s+at /m);
      const { id } = await readRun(repo.root).catch(() => ({ id: readdirSync(runs)[0]! }));
      expect(lanes.stdout()).toContain(
        `! cannot write ${path.join(runs, id, "run.json")}: the disk is full (ENOSPC): stopping the run as interrupted; free disk space (or fix the folder's permissions), then \`lanes resume\` continues it`,
      );
      expect(lanes.stdout()).toMatch(/^■ stopping: interrupted$/m);
      await expectNothingRunning(id);

      // Room again: resume finishes the run, and runs no finished task twice.
      for (const file of findFiles(runs, "filler")) rmSync(file);
      const resumed = await runCli(["resume", "--yes"], { cwd: repo.root });
      expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
      // run.json, not the events: the full disk cut an event line short.
      const state = JSON.parse(readFileSync(path.join(runs, id, "run.json"), "utf8")) as RunState;
      expect(state.status).toBe("done");
      expect(state.tasks.fill?.status).toBe("done");
      expect(state.tasks.next?.status).toBe("done");
      // fill finished before the stop: it never runs again.
      const starts = readStarts(repo.startsFile).map((s) => s.task);
      expect(starts.filter((task) => task === "fill")).toEqual(["fill"]);
      await expectNothingRunning(id);
      await expectOnlyMainCheckout(repo);
    } finally {
      unmount(runs);
    }
  });
});

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => path.join(entry.parentPath, entry.name));
}
