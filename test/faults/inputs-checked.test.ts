// Fault suite, every input checked before anything starts and nothing written outside the
// repository: a worktreeDir inside the repository however it is spelled, or a file, or not
// makeable; a run folder or prompt template that is a link out, a file, a folder or nothing; a
// repository in the middle of a merge, rebase, cherry-pick, revert or bisect; settings files with
// a byte-order mark, or that are folders, dangling links or not UTF-8; durations, concurrency and
// retries too large to mean anything; an agent program that is a folder or not executable;
// `--label` matching nothing and `--only` without ids. Each refusal is exit 2 through the built
// CLI, naming the path, key, flag or variable, with a hint, and nothing on disk changed.
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, snapshot } from "../helpers/cli.js";
import { git, type RunRepo, readStarts, runRepo } from "../run/helpers.js";

const outside: string[] = [];
afterEach(async () => {
  for (const dir of outside.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A folder outside any repository, removed after the test. */
async function outsideDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-outside-"));
  outside.push(dir);
  return dir;
}

/** Every file below `dir` with its content: what a refused run must leave as it was. */
async function listAll(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full)] = await readFile(full, "utf8");
  }
  return files;
}

/** A repository with two tasks (b after a, b labelled `ui`), its settings plus `settings`. */
async function repoWith(
  settings: Record<string, unknown> = {},
  files: Record<string, string> = {},
): Promise<RunRepo> {
  return runRepo({
    tasks: { a: {} },
    settings,
    files: {
      ".lanes/tasks/b.md": "---\ntitle: Task b\ndepends_on: [a]\nlabels: [ui]\n---\nDo b.\n",
      ...files,
    },
  });
}

/** A git command that is expected to stop on a conflict (exit 1) and leave its operation going. */
async function gitMayFail(cwd: string, args: string[]): Promise<void> {
  await execa("git", args, { cwd, reject: false, env: { GIT_EDITOR: "true" } });
}

async function commitAll(repo: RunRepo, message: string): Promise<void> {
  await git(repo, ["add", "-A"]);
  await git(repo, ["commit", "--quiet", "-m", message]);
}

interface Refusal {
  /** The first line, after `lanes: `. */
  says: string | RegExp;
  hint: RegExp;
  args?: string[];
  env?: Record<string, string>;
}

/** `lanes run` exits 2 saying so, with a hint and no stack trace; no agent starts, nothing changes. */
async function expectRefused(repo: RunRepo, refusal: Refusal): Promise<void> {
  const before = await snapshot(repo.root);
  const result = await runCli(["run", ...(refusal.args ?? [])], {
    cwd: repo.root,
    ...(refusal.env ? { env: refusal.env } : {}),
  });
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  const first = result.stderr.split("\n")[0]!;
  if (typeof refusal.says === "string") expect(first).toBe(`lanes: ${refusal.says}`);
  else expect(first).toMatch(refusal.says);
  expect(result.stderr.split("\n")[1]).toMatch(refusal.hint);
  expect(result.stderr, "no stack trace").not.toMatch(/^\s+at /m);
  expect(readStarts(repo.startsFile)).toEqual([]);
  expect(await snapshot(repo.root)).toBe(before);
  expect(await git(repo, ["branch", "--list", "lanes/*"])).toBe("");
}

const INSIDE_HINT = /^hint: worktrees must live outside the repository/;

describe("inputs: a worktreeDir inside the repository, however it is spelled", () => {
  it.each([
    ["a folder named ..wt", "..wt", "..wt/repo"],
    ["./x/../y", "./x/../y", "y/repo"],
    ["the repository itself, by a long way round", "../repo/.", "repo"],
  ])("%s: exit 2 naming the folder and the setting", async (_, worktreeDir, under) => {
    const repo = await repoWith({ worktreeDir });
    await expectRefused(repo, {
      says: `the worktree folder ${path.join(repo.root, under)} (worktreeDir in .lanes/settings.json) is inside the repository ${repo.root}`,
      hint: INSIDE_HINT,
    });
  });

  it("a link that leads into the repository: exit 2 naming where it really is", async () => {
    const repo = await repoWith();
    const dir = await outsideDir();
    await symlink(path.join(repo.root, "inner"), path.join(dir, "into"));
    await mkdir(path.join(repo.root, "inner"));
    await writeFile(path.join(repo.root, "inner", "keep.txt"), "x\n");
    await commitAll(repo, "inner");
    await expectRefused(repo, {
      says: `the worktree folder ${path.join(dir, "into", "repo")} (really ${path.join(repo.root, "inner", "repo")}) (LANES_WORKTREE_DIR in the environment) is inside the repository ${repo.root}`,
      hint: INSIDE_HINT,
      env: { LANES_WORKTREE_DIR: path.join(dir, "into") },
    });
    expect(await readdir(path.join(repo.root, "inner"))).toEqual(["keep.txt"]);
  });

  it("a worktree folder that is a file, or a file on its path: exit 2 naming the file", async () => {
    const dir = await outsideDir();
    await mkdir(path.join(dir, "wt"));
    await writeFile(path.join(dir, "wt", "repo"), "a file\n");
    await writeFile(path.join(dir, "plain"), "a file\n");
    const repo = await repoWith({ worktreeDir: path.join(dir, "wt") });
    await expectRefused(repo, {
      says: `the worktree folder ${path.join(dir, "wt", "repo")} (worktreeDir in .lanes/settings.json) is a file, not a folder`,
      hint: /^hint: move the file away, or set worktreeDir to a folder/,
    });
    await expectRefused(repo, {
      says: `a folder on its path ${path.join(dir, "plain")} (LANES_WORKTREE_DIR in the environment) is a file, not a folder`,
      hint: /^hint: move the file away/,
      env: { LANES_WORKTREE_DIR: path.join(dir, "plain", "deeper") },
    });
  });

  it("a worktree folder that cannot be made (read-only, even for root): exit 2", async () => {
    const repo = await repoWith({ worktreeDir: "/sys/kernel/lanes-worktrees" });
    await expectRefused(repo, {
      says: /^lanes: the worktree folder \/sys\/kernel\/lanes-worktrees\/repo \(worktreeDir in \.lanes\/settings\.json\) cannot be made: \/sys\/kernel does not take new folders \(E\w+\)$/,
      hint: /^hint: choose a worktreeDir on a writable disk/,
    });
  });
});

describe("inputs: the run folder and the prompt template stay in the repository", () => {
  const RUNS_HINT = /^hint: lanes keeps each run's state and logs there: make it a folder inside/;

  it(".lanes/runs a link out of the repository: exit 2, nothing written through it", async () => {
    const repo = await repoWith();
    const dir = await outsideDir();
    await symlink(dir, path.join(repo.root, ".lanes", "runs"));
    await expectRefused(repo, {
      says: `cannot write the run folder ${repo.root}/.lanes/runs: runs is a link that leads outside the repository, to ${dir}`,
      hint: RUNS_HINT,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it(".lanes itself a link out of the repository: exit 2 before any task file is read for writing", async () => {
    const repo = await repoWith();
    const dir = await outsideDir();
    const moved = path.join(dir, "lanes");
    await rename(path.join(repo.root, ".lanes"), moved);
    await symlink(moved, path.join(repo.root, ".lanes"));
    const before = await listAll(moved);
    await expectRefused(repo, {
      says: `cannot write the run folder ${repo.root}/.lanes/runs: .lanes is a link that leads outside the repository, to ${moved}`,
      hint: RUNS_HINT,
    });
    expect(await listAll(moved)).toEqual(before);
  });

  it(".lanes/runs a file or a dangling link: exit 2", async () => {
    const repo = await repoWith();
    const runs = path.join(repo.root, ".lanes", "runs");
    await symlink("nowhere", runs);
    await expectRefused(repo, {
      says: `cannot write the run folder ${runs}: runs is a link that leads nowhere`,
      hint: RUNS_HINT,
    });
    await rm(runs);
    await writeFile(runs, "not a folder\n");
    await expectRefused(repo, {
      says: `cannot write the run folder ${runs}: runs is a file, where a folder should be`,
      hint: RUNS_HINT,
    });
  });

  it(".lanes/runs/.gitignore a link out of the repository: exit 2, its target untouched", async () => {
    const repo = await repoWith();
    const dir = await outsideDir();
    const target = path.join(dir, "precious.txt");
    await writeFile(target, "precious\n");
    await mkdir(path.join(repo.root, ".lanes", "runs"));
    await symlink(target, path.join(repo.root, ".lanes", "runs", ".gitignore"));
    await expectRefused(repo, {
      says: `cannot write the run folder ${repo.root}/.lanes/runs: .gitignore is a link, where lanes keeps a file of its own`,
      hint: /^hint: remove .*\/\.lanes\/runs\/\.gitignore: lanes writes it itself/,
    });
    expect(await readdir(dir)).toEqual(["precious.txt"]);
  });

  it("a prompt template that links out of the repository, leads nowhere, is a folder or is not UTF-8", async () => {
    const dir = await outsideDir();
    await writeFile(path.join(dir, "exec.md"), "{{title}}\n{{body}}\n");
    const repo = await repoWith();
    const prompts = path.join(repo.root, ".lanes", "prompts");
    const template = path.join(prompts, "exec.md");
    await mkdir(prompts);
    await symlink(path.join(dir, "exec.md"), template);
    await expectRefused(repo, {
      says: `.lanes/prompts/exec.md: the link leads outside the repository, to ${path.join(dir, "exec.md")}`,
      hint: /^hint: keep the template inside the repository/,
    });
    await rm(template);
    await symlink("gone.md", template);
    await expectRefused(repo, {
      says: ".lanes/prompts/exec.md: the link leads nowhere (its target does not exist)",
      hint: /^hint: remove the link/,
    });
    await rm(template);
    await mkdir(template);
    await writeFile(path.join(template, "inner.md"), "x\n");
    await expectRefused(repo, {
      says: ".lanes/prompts/exec.md is a folder, where a prompt template was expected",
      hint: /^hint: rename or remove the folder/,
    });
    await rm(template, { recursive: true });
    await writeFile(template, Buffer.from("{{title}}\n\xff\xfe{{body}}\n", "latin1"));
    await expectRefused(repo, {
      says: ".lanes/prompts/exec.md is not valid UTF-8 text",
      hint: /^hint: save the template as UTF-8/,
    });
  });
});

describe("inputs: the selection", () => {
  it("--label that matches no task: exit 2 naming it and the labels there are", async () => {
    const repo = await repoWith();
    await expectRefused(repo, {
      args: ["--label", "nope"],
      says: '--label "nope" matches no task',
      hint: /^hint: labels the tasks carry: ui$/,
    });
    const plan = await runCli(["plan", "--label", "has space"], { cwd: repo.root });
    expect(plan.exitCode).toBe(2);
    expect(plan.stderr.split("\n")[0]).toBe('lanes: --label "has space" matches no task');
  });

  it("--only without ids: a usage error, for run and plan", async () => {
    const repo = await repoWith();
    await expectRefused(repo, {
      args: ["--only"],
      says: "--only needs the ids of the tasks to run, and none was given",
      hint: /^hint: name them \(lanes run --only <id>\.\.\.\)/,
    });
    const plan = await runCli(["plan", "--only"], { cwd: repo.root });
    expect(plan.exitCode).toBe(2);
  });

  it("--only past an unfinished dependency: plan and the dry run warn, naming it", async () => {
    const repo = await repoWith();
    const warning = "! b runs without its dependency a, which is not done (--only leaves it out)";
    for (const args of [
      ["plan", "--only", "b"],
      ["run", "--dry-run", "--only", "b"],
    ]) {
      const result = await runCli(args, { cwd: repo.root });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain(warning);
    }
    const json = await runCli(["plan", "--only", "b", "--json"], { cwd: repo.root });
    expect(JSON.parse(json.stdout).unmet_dependencies).toEqual([{ task: "b", dependency: "a" }]);
    // The run itself says so too, as a warning line and a warning event.
    const run = await runCli(["run", "--only", "b"], { cwd: repo.root });
    expect(run.stdout, run.stderr).toContain(warning);
  });
});

describe("inputs: a repository in the middle of a git operation", () => {
  /** Two commits that change README.md differently: `theirs` on branch other, `ours` on main. */
  async function divergedRepo(): Promise<RunRepo> {
    const repo = await repoWith();
    await git(repo, ["checkout", "--quiet", "-b", "other"]);
    await writeFile(path.join(repo.root, "README.md"), "theirs\n");
    await commitAll(repo, "theirs");
    await git(repo, ["checkout", "--quiet", "main"]);
    await writeFile(path.join(repo.root, "README.md"), "ours\n");
    await commitAll(repo, "ours");
    return repo;
  }

  it.each([
    ["merge", ["merge", "other"], "a merge (.git/MERGE_HEAD exists)", "git merge --abort"],
    [
      "cherry-pick",
      ["cherry-pick", "other"],
      "a cherry-pick (.git/CHERRY_PICK_HEAD exists)",
      "git cherry-pick --abort",
    ],
    ["rebase", ["rebase", "other"], "a rebase (.git/rebase-merge exists)", "git rebase --continue"],
    [
      "revert",
      ["revert", "--no-edit", "HEAD~1"],
      "a revert (.git/REVERT_HEAD exists)",
      "git revert --abort",
    ],
    ["bisect", ["bisect", "start"], "a bisect (.git/BISECT_LOG exists)", "git bisect reset"],
  ])("a %s: exit 2 saying what to do", async (_, command, what, todo) => {
    const repo = await divergedRepo();
    if (command[0] === "revert") {
      // Reverting `theirs`-free history conflicts once README.md changed again on top.
      await writeFile(path.join(repo.root, "README.md"), "ours again\n");
      await commitAll(repo, "ours again");
    }
    await gitMayFail(repo.root, command); // stops on the conflict (or, for bisect, starts)
    await expectRefused(repo, {
      says: `${repo.root} is in the middle of ${what}`,
      hint: new RegExp(`^hint: .*${todo.replace(/[-]/g, "\\-")}.*then run lanes again$`),
    });
  });

  it("a merge in a linked worktree: found through its own git folder", async () => {
    const repo = await divergedRepo();
    const dir = await outsideDir();
    const linked = path.join(dir, "linked");
    await git(repo, ["worktree", "add", "--quiet", "-b", "side", linked, "main"]);
    try {
      await gitMayFail(linked, ["merge", "other"]);
      const result = await runCli(["run", "--dry-run"], { cwd: linked });
      expect(result.exitCode).toBe(2);
      const marker = path.join(repo.root, ".git", "worktrees", "linked", "MERGE_HEAD");
      expect(result.stderr.split("\n")[0]).toBe(
        `lanes: ${linked} is in the middle of a merge (${path.relative(linked, marker)} exists)`,
      );
      // The main checkout has no merge of its own going on.
      expect((await runCli(["run", "--dry-run"], { cwd: repo.root })).exitCode).toBe(0);
    } finally {
      await git(repo, ["worktree", "remove", "--force", linked]);
    }
  });
});

describe("inputs: settings files", () => {
  it("a byte-order mark is read past, like a task file's (project and user settings)", async () => {
    const repo = await repoWith();
    const user = path.join(await outsideDir(), "settings.json");
    await writeFile(user, '\ufeff{ "concurrency": 5 }\n');
    let result = await runCli(["plan"], { cwd: repo.root, env: { LANES_USER_SETTINGS: user } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("Plan: 2 tasks in 2 waves, concurrency 5");
    const project = path.join(repo.root, ".lanes", "settings.json");
    const settings = JSON.parse(await readFile(project, "utf8"));
    await writeFile(project, `\ufeff${JSON.stringify({ ...settings, concurrency: 7 })}\n`);
    result = await runCli(["plan"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("Plan: 2 tasks in 2 waves, concurrency 7");
  });

  it("a settings file that is a folder, a dangling link or not UTF-8: exit 2 naming it", async () => {
    const repo = await repoWith();
    const project = path.join(repo.root, ".lanes", "settings.json");
    await rm(project);
    await mkdir(project);
    await expectRefused(repo, {
      says: `${project} is a folder, where a settings file was expected`,
      hint: /^hint: remove the folder or put a settings file in its place/,
    });
    await rm(project, { recursive: true });
    await symlink("gone.json", project);
    await expectRefused(repo, {
      says: `${project}: the link leads nowhere (its target does not exist)`,
      hint: /^hint: remove the link or point it at a settings file/,
    });
    await rm(project);
    await writeFile(project, Buffer.from('{ "verify": "\xff" }\n', "latin1"));
    await expectRefused(repo, {
      says: `${project}: not valid UTF-8 text`,
      hint: /^hint: save it as UTF-8/,
    });
    const user = await outsideDir();
    await expectRefused(repo, {
      says: `${user} is a folder, where a settings file was expected`,
      hint: /^hint: remove the folder/,
      env: { LANES_USER_SETTINGS: user },
    });
  });
});

describe("inputs: values too large to mean anything", () => {
  it.each([
    [
      "--timeout 100000d",
      { args: ["--timeout", "100000d"] },
      "Invalid --timeout value: 100000d. Must be at most 24d (longer waits overflow Node's timers, which then fire at once).",
    ],
    [
      "LANES_HEARTBEAT=100000d",
      { env: { LANES_HEARTBEAT: "100000d" } },
      "environment variable LANES_HEARTBEAT=100000d: must be at most 24d (longer waits overflow Node's timers, which then fire at once)",
    ],
    [
      "--concurrency 5000",
      { args: ["--concurrency", "5000"] },
      "Invalid --concurrency value: 5000. Must be at most 1024 (each agent is a process tree and a worktree).",
    ],
    [
      "LANES_RETRIES=1000",
      { env: { LANES_RETRIES: "1000" } },
      "environment variable LANES_RETRIES=1000: must be at most 100 retries of one attempt",
    ],
  ])("%s: exit 2 naming it and the limit", async (_, how, says) => {
    const repo = await repoWith();
    await expectRefused(repo, { ...how, says, hint: /^hint: / });
  });

  it("gracePeriod, concurrency and retries in the settings file: each named with its limit", async () => {
    const repo = await repoWith({ gracePeriod: "100000d", concurrency: 2000, retries: 101 });
    await expectRefused(repo, {
      says: `${repo.root}/.lanes/settings.json: concurrency: must be at most 1024 (each agent is a process tree and a worktree); retries: must be at most 100 retries of one attempt; gracePeriod: must be at most 24d (longer waits overflow Node's timers, which then fire at once)`,
      hint: /^hint: see settings\.schema\.json/,
    });
  });
});

describe("inputs: an agent program that cannot run", () => {
  it("a folder, or a file without the execute bit: exit 2 naming it and where it came from", async () => {
    const repo = await repoWith({ agent: { command: ["./tools"] } }, { "tools/README": "x\n" });
    await expectRefused(repo, {
      says: `agent command cannot run: ${repo.root}/tools is a folder, not a program (the "agent" setting in .lanes/settings.json)`,
      hint: /^hint: fix the command's first element/,
    });
    const plain = await repoWith(
      { agent: { command: ["bin/agent.sh"] } },
      {
        "bin/agent.sh": "#!/bin/sh\nexit 0\n",
      },
    );
    await chmod(path.join(plain.root, "bin", "agent.sh"), 0o644);
    await expectRefused(plain, {
      says: `agent command cannot run: ${plain.root}/bin/agent.sh is not executable (the "agent" setting in .lanes/settings.json)`,
      hint: /^hint: make it executable \(chmod \+x .*agent\.sh, and commit the mode\) or name its interpreter first, e\.g\. \["sh", "bin\/agent\.sh"\]$/,
    });
  });
});

describe("inputs: task files that cannot be a prompt", () => {
  it("a task file that is not UTF-8: exit 2 naming it", async () => {
    const repo = await repoWith({}, {});
    await writeFile(
      path.join(repo.root, ".lanes", "tasks", "odd.md"),
      Buffer.from("---\ntitle: Odd\n---\nCaf\xe9 in Latin-1.\n", "latin1"),
    );
    await commitAll(repo, "odd");
    await expectRefused(repo, {
      says: ".lanes/tasks/odd.md is not valid UTF-8 text",
      hint: /^hint: save the task file as UTF-8/,
    });
  });

  it("a task file over 16 MB: exit 2 naming it and the limit", async () => {
    const repo = await repoWith();
    const file = path.join(repo.root, ".lanes", "tasks", "huge.md");
    await writeFile(file, `---\ntitle: Huge\n---\n${"x".repeat(17 * 1024 * 1024)}\n`);
    await expectRefused(repo, {
      says: ".lanes/tasks/huge.md is 17.0 MB, over the 16 MB a task file may hold",
      hint: /^hint: an agent reads a prompt, not a data set/,
    });
  });

  it("a task that depends on itself, and a --batch naming an unknown task: exit 2", async () => {
    const repo = await repoWith();
    await expectRefused(repo, {
      args: ["--batch", "zzz"],
      says: '--batch names "zzz", which is not among the tasks to run',
      hint: /^hint: selected tasks: a, b$/,
    });
    await writeFile(
      path.join(repo.root, ".lanes", "tasks", "self.md"),
      "---\ntitle: Self\ndepends_on: [self]\n---\nx\n",
    );
    await expectRefused(repo, {
      says: '.lanes/tasks/self.md: task "self" depends on itself',
      hint: /^hint: remove "self" from depends_on$/,
    });
  });
});
