// The README's Quick start, as a new user follows it: `lanes init`, task files written and edited
// without committing them, `lanes run`, landing (by hand with `git merge --ff-only`, or `--land`),
// then `lanes run` again, which must find nothing to do. Task files committed as they are, edited
// after their commit, or never committed all end up marked done once the work has landed.
import { lstat, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, tempRepo } from "../helpers/cli.js";
import { writeFiles } from "../helpers/git-repo.js";
import { git, readRun, runIds, SCRIPTED_AGENT, taskFile } from "./helpers.js";

type Repo = Awaited<ReturnType<typeof tempRepo>>;

const repos: Repo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

/**
 * `lanes init`, then (as the README says: edit .lanes/tasks/*.md) the example task committed and
 * then edited, `committed` committed as it is, and `fresh-a` and `fresh-b` (which depends on
 * fresh-a) never committed; settings point at the scripted agent, uncommitted too.
 */
async function quickStartRepo(): Promise<Repo> {
  const repo = await tempRepo();
  repos.push(repo);
  const init = await runCli(["init"], { cwd: repo.root });
  expect(init.exitCode, init.stderr).toBe(0);
  await writeFiles(repo.root, { ".lanes/tasks/committed.md": taskFile("committed", {}) });
  await git(repo, ["add", ".lanes/tasks/example.md", ".lanes/tasks/committed.md"]);
  await git(repo, ["commit", "--quiet", "-m", "two tasks"]);
  const example = path.join(repo.root, ".lanes", "tasks", "example.md");
  await writeFile(example, (await readFile(example, "utf8")).replace("Keep the rest", "Keep all"));
  await writeFiles(repo.root, {
    ".lanes/tasks/fresh-a.md": taskFile("fresh-a", {}),
    ".lanes/tasks/fresh-b.md": taskFile("fresh-b", { deps: ["fresh-a"] }),
    ".lanes/settings.json": JSON.stringify({
      agent: { command: [process.execPath, SCRIPTED_AGENT] },
    }),
  });
  return repo;
}

const TASKS = ["committed", "example", "fresh-a", "fresh-b"];

async function statusOnDisk(repo: Repo, id: string): Promise<string | undefined> {
  const text = await readFile(path.join(repo.root, ".lanes", "tasks", `${id}.md`), "utf8");
  return /^status: (\w+)$/m.exec(text)?.[1];
}

/** The next `lanes run` finds nothing to do, and every task file says done. */
async function expectEveryTaskDone(repo: Repo): Promise<void> {
  const again = await runCli(["run"], { cwd: repo.root });
  expect(again.exitCode, again.stderr).toBe(0);
  expect(again.stdout).toContain("Nothing to run: every task is done already.");
  expect(runIds(repo.root)).toHaveLength(1);
  for (const id of TASKS) expect(await statusOnDisk(repo, id), id).toBe("done");
}

describe("the Quick start", () => {
  it("run, git merge --ff-only, run again: every task done, nothing to do", async () => {
    const repo = await quickStartRepo();
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stderr).toBe(0);
    // lanes reads its own files from disk: they are not reported as missing from the lanes.
    expect(run.stdout).not.toContain("uncommitted changes in the main checkout");
    const { id, state } = await readRun(repo.root);
    for (const task of TASKS) expect(state.tasks[task]?.status, task).toBe("done");
    // Not landed yet: the next run would do the work again, as for committed task files.
    expect(await statusOnDisk(repo, "fresh-a")).toBeUndefined();

    const merge = await repo.repo.git.run(["merge", "--ff-only", `lanes/run/${id}`], {
      allowFail: true,
    });
    expect(merge.exitCode, merge.stderr).toBe(0);
    // The committed task's record came with the merge; the others are written by the next run.
    expect(await statusOnDisk(repo, "committed")).toBe("done");
    // `lanes plan` (which writes nothing) and a dry run already count the landed tasks as done.
    const plan = await runCli(["plan", "--json"], { cwd: repo.root });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).tasks).toEqual([]);
    const dryRun = await runCli(["run", "--dry-run", "--json"], { cwd: repo.root });
    expect(JSON.parse(dryRun.stdout).tasks).toEqual([]);
    expect(await statusOnDisk(repo, "fresh-a")).toBeUndefined();
    await expectEveryTaskDone(repo);
    // The edits the user never committed are still there, under the record.
    const example = await readFile(path.join(repo.root, ".lanes", "tasks", "example.md"), "utf8");
    expect(example).toContain("Keep all");
  });

  it("run --land: every task done at once, nothing to do next time", async () => {
    const repo = await quickStartRepo();
    // --land refuses a checkout with uncommitted changes to committed files: commit the edit.
    await git(repo, ["commit", "--quiet", "-am", "edited the example"]);
    const run = await runCli(["run", "--land"], { cwd: repo.root });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readRun(repo.root)).state.status).toBe("done");
    for (const id of TASKS) expect(await statusOnDisk(repo, id), id).toBe("done");
    await expectEveryTaskDone(repo);
  });

  it("never writes a record through a symlinked task file", async () => {
    const repo = await quickStartRepo();
    await git(repo, ["commit", "--quiet", "-am", "edited the example"]);
    // Inside the repository (a link out of it is refused up front: faults/task-files).
    await mkdir(path.join(repo.root, "notes"), { recursive: true });
    const outside = path.join(repo.root, "notes", "linked.md");
    await writeFile(outside, taskFile("linked", {}));
    await symlink(outside, path.join(repo.root, ".lanes", "tasks", "linked.md"));
    const run = await runCli(["run", "--land"], { cwd: repo.root });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readRun(repo.root)).state.tasks.linked?.status).toBe("done");
    expect(await statusOnDisk(repo, "fresh-b")).toBe("done");
    expect(await readFile(outside, "utf8")).toBe(taskFile("linked", {}));
    expect(
      (await lstat(path.join(repo.root, ".lanes", "tasks", "linked.md"))).isSymbolicLink(),
    ).toBe(true);
  });
});
