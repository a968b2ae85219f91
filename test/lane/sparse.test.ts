// Sparse lanes (`lane.sparse`) end to end through the built CLI, in a small monorepo: the agent
// sees only its cone (plus the files at the root), narrowed by the task's `files`; its commits,
// even of a file outside the cone, merge without touching the files it never saw; a pooled lane
// switched to another cone, or to the whole tree, matches it exactly; bad entries exit 2.
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { git, type RunRepo, runIds, runRepo } from "../run/helpers.js";

const SPARSE_AGENT = path.join(import.meta.dirname, "fixtures", "sparse-agent.mjs");

const MONOREPO = {
  "packages/a/a.txt": "a\n",
  "packages/a/src/deep.txt": "deep\n",
  "packages/b/b.txt": "b\n",
  "packages/c/c.txt": "c\n",
  "tools/t.txt": "t\n",
};

function taskText(id: string, files?: string[]): string {
  const list = files ? `files: [${files.join(", ")}]\n` : "";
  return `---\ntitle: Task ${id}\n${list}---\nDo ${id}.\n`;
}

interface Monorepo extends RunRepo {
  lists: string;
}

async function monorepo(
  tasks: Record<string, string[] | undefined>,
  settings: Record<string, unknown>,
): Promise<Monorepo> {
  const files: Record<string, string> = { ...MONOREPO };
  for (const [id, taskFiles] of Object.entries(tasks)) {
    files[`.lanes/tasks/${id}.md`] = taskText(id, taskFiles);
  }
  const repo = await runRepo({ tasks: {}, files, settings });
  const lists = path.join(repo.dir, "lists");
  await mkdir(lists);
  await setSettings(repo, {
    agent: { command: [process.execPath, SPARSE_AGENT], env: { SPARSE_LISTS: lists } },
    ...settings,
  });
  return { ...repo, lists };
}

/** Replaces the project settings, committed, as a user changing them between runs would. */
async function setSettings(repo: RunRepo, settings: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(repo.root, ".lanes", "settings.json"), JSON.stringify(settings));
  await git(repo, ["commit", "--quiet", "-am", "settings"]);
}

async function seen(repo: Monorepo, id: string): Promise<{ files: string[]; status: string }> {
  return JSON.parse(await readFile(path.join(repo.lists, `${id}.json`), "utf8"));
}

/** The files of a revision's tree. */
async function tree(repo: RunRepo, rev: string): Promise<string[]> {
  return (await git(repo, ["ls-tree", "-r", "--name-only", rev])).split("\n").sort();
}

const latestRun = (repo: RunRepo) => `lanes/run/${runIds(repo.root).at(-1)}`;

async function run(repo: RunRepo, args: string[]): Promise<void> {
  const result = await runCli(["run", ...args], { cwd: repo.root });
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
}

const poolOf = (repo: RunRepo) => path.join(repo.dir, ".lanes-worktrees", "repo", ".pool");

describe("lane.sparse", () => {
  it("checks out only the cone, narrowed by the task's files, and merges work made inside and outside it", async () => {
    const repo = await monorepo(
      { wide: undefined, narrow: ["packages/b/**"] },
      { lane: { sparse: ["packages/a", "./packages/b/"] }, pool: { size: 0 }, concurrency: 2 },
    );
    await run(repo, []);
    // The root's files, everything under the cone's folders, and the task files' folder (lanes
    // commits each task's record from its lane): nothing of packages/c or tools.
    const lanesFiles = [".lanes/settings.json", ".lanes/tasks/narrow.md", ".lanes/tasks/wide.md"];
    expect((await seen(repo, "wide")).files).toEqual([
      ...lanesFiles,
      "README.md",
      "packages/a/a.txt",
      "packages/a/src/deep.txt",
      "packages/b/b.txt",
    ]);
    expect((await seen(repo, "narrow")).files).toEqual([
      ...lanesFiles,
      "README.md",
      "packages/b/b.txt",
    ]);
    // git agrees the lane is clean: the files left out are not deletions.
    expect((await seen(repo, "wide")).status).toBe("");

    const merged = await tree(repo, latestRun(repo));
    const main = await tree(repo, "main");
    // The record reached each task file, committed from the sparse lanes.
    for (const id of ["wide", "narrow"]) {
      const file = await git(repo, ["show", `${latestRun(repo)}:.lanes/tasks/${id}.md`]);
      expect(file).toMatch(/status: done/);
    }
    // Nothing the lanes never checked out is gone; each lane's new files arrived.
    for (const file of main) expect(merged).toContain(file);
    expect(merged).toEqual(
      [
        ...main,
        "packages/a/by-wide.txt",
        "packages/b/by-wide.txt",
        "packages/b/by-narrow.txt",
        "tools/outside-wide.txt",
        "tools/outside-narrow.txt",
      ].sort(),
    );
  });

  it("switches a pooled lane to another cone, to the whole tree and back, matching each exactly", async () => {
    const sparse = { lane: { sparse: ["packages/a", "packages/b"] }, concurrency: 1 };
    const repo = await monorepo(
      {
        first: ["packages/a/**"],
        second: ["packages/b/b.txt"],
        whole: ["packages/a/**"],
        again: ["packages/a/**"],
      },
      sparse,
    );
    const agent = JSON.parse(await readFile(path.join(repo.root, ".lanes/settings.json"), "utf8"))
      .agent as unknown;
    const cone = (files: string[], folder: string) =>
      files.filter(
        (file) =>
          !file.includes("/") ||
          file.startsWith(".lanes/") ||
          file.startsWith(`packages/${folder}/`),
      );

    await run(repo, ["first"]);
    const main = await tree(repo, "main");
    expect((await seen(repo, "first")).files).toEqual(cone(main, "a"));
    expect(readdirSync(poolOf(repo))).toHaveLength(1);

    // Another cone: packages/a's files go, packages/b's come.
    await run(repo, ["second"]);
    expect((await seen(repo, "second")).files).toEqual(cone(main, "b"));

    // No sparse setting: the pooled lane is complete again, and git sees no change in it.
    await setSettings(repo, { agent, concurrency: 1 });
    const whole = await tree(repo, "main");
    await run(repo, ["whole"]);
    expect((await seen(repo, "whole")).files).toEqual(whole);
    expect((await seen(repo, "whole")).status).toBe("");

    // And sparse once more, from a complete lane.
    await setSettings(repo, { agent, ...sparse });
    const last = await tree(repo, "main");
    await run(repo, ["again"]);
    expect((await seen(repo, "again")).files).toEqual(cone(last, "a"));
    // Every lane after the first was the pooled one: git knows a single worktree.
    expect(readdirSync(path.join(repo.root, ".git", "worktrees"))).toHaveLength(1);
  });

  it.each([
    ["not a list", "packages/a", /lane\.sparse: must be a list of folders/],
    ["absolute", ["/srv/packages/a"], /lane\.sparse\.0: "\/srv\/packages\/a" is absolute/],
    ["outside", ["packages/a", "../other"], /lane\.sparse\.1: "\.\.\/other" uses "\.\."/],
    ["a glob", ["packages/*"], /lane\.sparse\.0: "packages\/\*" is a glob/],
  ])(
    "refuses a %s entry before anything starts, naming lane.sparse (exit 2)",
    async (_, value, message) => {
      const repo = await monorepo({ one: undefined }, { lane: { sparse: value } });
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(path.join(repo.dir, ".lanes-worktrees"))).toBe(false);
    },
  );
});
