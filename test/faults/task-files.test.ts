// Fault suite, strange task files: a tasks "folder" that is a file, a task file that is a folder
// or a dangling link, a link out of the repository, a YAML alias bomb, a number for a title and
// an estimate too long to mean anything. Each is exit 2 naming the path, with nothing changed
// (and nothing written through a link) — or, for `title: 1984`, read as the text it is.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, snapshot, type TempRepo, tempRepo } from "../helpers/cli.js";

const repos: TempRepo[] = [];
const outside: string[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
  for (const dir of outside.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function repoWith(files: Record<string, string> = {}): Promise<TempRepo> {
  const repo = await tempRepo({
    ".lanes/settings.json": "{}\n",
    ".lanes/tasks/ok.md": "---\ntitle: Fine\n---\nA fine task.\n",
    ...files,
  });
  repos.push(repo);
  return repo;
}

async function outsideDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-outside-"));
  outside.push(dir);
  return dir;
}

/** `lanes plan` and `lanes run` both refuse with exit 2 and the message; nothing changes. */
async function expectRefused(repo: TempRepo, message: RegExp): Promise<void> {
  const before = await snapshot(repo.root);
  for (const command of ["plan", "run"]) {
    const result = await runCli([command], { cwd: repo.root });
    expect(result.exitCode, `${command}: ${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/hint: /);
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  }
  expect(await snapshot(repo.root)).toBe(before);
}

describe("task files that are not files", () => {
  it("refuses .lanes/tasks when it is a file", async () => {
    const repo = await tempRepo({
      ".lanes/settings.json": "{}\n",
      ".lanes/tasks": "not a folder\n",
    });
    repos.push(repo);
    await expectRefused(repo, /\.lanes\/tasks is not a folder/);
  });

  it("refuses a folder named like a task file", async () => {
    const repo = await repoWith();
    await mkdir(path.join(repo.root, ".lanes", "tasks", "odd.md"));
    await writeFile(path.join(repo.root, ".lanes", "tasks", "odd.md", "inner.txt"), "x\n");
    await expectRefused(
      repo,
      /\.lanes\/tasks\/odd\.md is a folder, where a task file was expected/,
    );
  });

  it("refuses a dangling link where a task file should be", async () => {
    const repo = await repoWith();
    await symlink("missing.md", path.join(repo.root, ".lanes", "tasks", "gone.md"));
    await expectRefused(repo, /\.lanes\/tasks\/gone\.md: the link leads nowhere/);
  });
});

describe("links out of the repository", () => {
  it("refuses a task file linked from outside, and never writes to it", async () => {
    const dir = await outsideDir();
    const target = path.join(dir, "elsewhere.md");
    const text = "---\ntitle: Outside\n---\nNot ours.\n";
    await writeFile(target, text);
    const repo = await repoWith();
    await symlink(target, path.join(repo.root, ".lanes", "tasks", "linked.md"));
    await expectRefused(
      repo,
      /linked\.md: the link leads outside the repository, to .*elsewhere\.md/,
    );
    expect(await readFile(target, "utf8")).toBe(text);
  });

  it("refuses a task folder linked from outside", async () => {
    const dir = await outsideDir();
    await writeFile(path.join(dir, "far.md"), "---\ntitle: Far\n---\nFar away.\n");
    const repo = await repoWith();
    await symlink(dir, path.join(repo.root, ".lanes", "tasks", "more"));
    await expectRefused(repo, /\.lanes\/tasks\/more: the link leads outside the repository/);
  });

  it("reads a task folder linked from inside the repository once", async () => {
    const repo = await repoWith({ "shared/tasks/inner.md": "---\ntitle: Inner\n---\nInside.\n" });
    await symlink(
      path.join(repo.root, "shared", "tasks"),
      path.join(repo.root, ".lanes", "tasks", "shared"),
    );
    const result = await runCli(["plan", "--json"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const ids = (JSON.parse(result.stdout) as { tasks: { id: string }[] }).tasks.map((t) => t.id);
    expect(ids.sort()).toEqual(["inner", "ok"]);
  });
});

describe("front matter that is valid YAML but not a task", () => {
  it("refuses an alias bomb naming the file, without a stack trace", async () => {
    const bomb = [
      "---",
      "title: Bomb",
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "---",
      "Boom.",
      "",
    ].join("\n");
    const repo = await repoWith({ ".lanes/tasks/bomb.md": bomb });
    await expectRefused(repo, /\.lanes\/tasks\/bomb\.md: the front matter cannot be read/);
  });

  it("reads `title: 1984` as the text it is", async () => {
    const repo = await repoWith({ ".lanes/tasks/novel.md": "---\ntitle: 1984\n---\nWrite it.\n" });
    const result = await runCli(["plan", "--json"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = (JSON.parse(result.stdout) as { tasks: { id: string; title: string }[] }).tasks;
    expect(tasks.find((task) => task.id === "novel")?.title).toBe("1984");
  });

  it("refuses a list for a title as what it is, not as missing", async () => {
    const repo = await repoWith({ ".lanes/tasks/listy.md": "---\ntitle: [a, b]\n---\nHm.\n" });
    await expectRefused(repo, /listy\.md: .*title must be text, got a list/);
  });

  it("refuses an estimate too long to mean anything", async () => {
    const repo = await repoWith({
      ".lanes/tasks/slow.md": "---\ntitle: Slow\nestimate: 100000d\n---\nTakes a while.\n",
    });
    await expectRefused(repo, /slow\.md: .*estimate.*longer than 30 days/);
  });
});
