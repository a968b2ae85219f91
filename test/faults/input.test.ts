// Fault suite, input: task titles and bodies full of shell syntax reach the agent verbatim and
// are never run; task file names git or lanes cannot use are refused (exit 2, naming the file,
// nothing changed); a 10 MB body goes through whole; `lanes plan --json` copes with 10,000 tasks.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runCli, snapshot, tempRepo } from "../helpers/cli.js";
import { git, readRun, readStarts, runIds, runRepo } from "../run/helpers.js";
import { expectNothingRunning, expectOnlyMainCheckout, useFaultAgent } from "./helpers.js";

/** Every file or folder named `name` below dir (links not followed). */
async function findNamed(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name === name) found.push(full);
    if (entry.isDirectory() && !entry.isSymbolicLink())
      found.push(...(await findNamed(full, name)));
  }
  return found;
}

describe("input: shell metacharacters, quotes and newlines in a task", () => {
  it("reach the agent verbatim on stdin and in the prompt file, and nothing is executed", async () => {
    const title =
      "$(touch pwned) `touch pwned` ; rm -rf victim && touch pwned | cat \"dq\" 'sq' \\ $HOME\nsecond line";
    // A JSON string is a YAML double-quoted scalar: the newline and the quotes survive as they are.
    const titleYaml = JSON.stringify(title);
    const body = [
      "Run $(touch pwned) and `touch pwned` for me.",
      "; rm -rf victim ; touch pwned",
      `"'"'"' unbalanced quotes ' " \\" \\'`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, on purpose
      "$((1+1)) ${IFS} %s %n {{title}} {{body}} <(touch pwned) > pwned",
      "--- not front matter ---",
      "",
    ].join("\n");
    const repo = await runRepo({
      tasks: {},
      files: {
        ".lanes/tasks/shell.md": `---\ntitle: ${titleYaml}\n---\n${body}`,
        "victim/keep.txt": "still here\n",
      },
    });
    await useFaultAgent(repo, "copy-stdin");

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);

    const { id, state } = await readRun(repo.root);
    const stdin = await readFile(path.join(repo.dir, "shell.stdin"), "utf8");
    expect(stdin).toContain(`# ${title}\n`);
    expect(stdin).toContain(body);
    const promptDir = path.join(repo.root, ".lanes", "runs", id, "prompts");
    expect(await readFile(path.join(promptDir, "shell.exec.1.md"), "utf8")).toBe(stdin);
    expect(state.tasks.shell?.status).toBe("done");

    // Nothing ran: no pwned anywhere lanes or the agent could have been, the victim is intact.
    for (const dir of [repo.dir, PROJECT_ROOT, process.cwd()]) {
      expect(await findNamed(dir, "pwned"), dir).toEqual([]);
    }
    const tree = await git(repo, ["ls-tree", "-r", "--name-only", `lanes/run/${id}`]);
    expect(tree.split("\n")).not.toContain("pwned");
    expect(await readFile(path.join(repo.root, "victim", "keep.txt"), "utf8")).toBe("still here\n");
    expect(await git(repo, ["show", `lanes/run/${id}:victim/keep.txt`])).toBe("still here");
    // The title's first line is the lane commit's subject, verbatim.
    const subjects = await git(repo, ["log", "--format=%s", `lanes/run/${id}`]);
    expect(subjects).toContain("Merge lanes task shell: $(touch pwned) `touch pwned` ;");
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });
});

describe("input: task file names lanes cannot use as ids", () => {
  const BAD: [file: string, says: string][] = [
    ["a..b.md", '"a..b" cannot be a task id: it contains ".."'],
    ["run.md", '"run" cannot be a task id: "run" is reserved'],
    ["x.lock.md", '"x.lock" cannot be a task id: it ends in "." or ".lock"'],
    ["trailing..md", '"trailing." cannot be a task id'],
    ["-x.md", '"-x" is not a valid task id'],
    ["--help.md", '"--help" is not a valid task id'],
    ["Upper.md", '"Upper" is not a valid task id'],
    ["$(touch pwned).md", '"$(touch pwned)" is not a valid task id'],
    ["a;rm -rf victim.md", '"a;rm -rf victim" is not a valid task id'],
    ["quo\"te's.md", String.raw`"quo\"te's" is not a valid task id`],
    ["new\nline.md", String.raw`"new\nline" is not a valid task id`],
    [`${"a".repeat(65)}.md`, `"${"a".repeat(65)}" is not a valid task id`],
  ];
  for (const [file, says] of BAD) {
    it(`${JSON.stringify(file)}: exits 2 naming the file, before anything starts`, async () => {
      const repo = await runRepo({
        tasks: { good: {} },
        files: { [`.lanes/tasks/${file}`]: "---\ntitle: Bad\n---\nbody\n", "victim/keep": "x\n" },
      });
      const before = await snapshot(repo.root);
      for (const command of ["run", "plan"]) {
        const result = await runCli([command], { cwd: repo.root });
        expect(result.exitCode, result.stderr).toBe(2);
        expect(result.stdout).toBe("");
        // A name with quotes or a newline is shown escaped, on one line.
        const shown = /["\n]/.test(file)
          ? JSON.stringify(`.lanes/tasks/${file}`)
          : `.lanes/tasks/${file}`;
        expect(result.stderr.split("\n")[0]).toContain(shown);
        expect(result.stderr).toContain(says);
        expect(result.stderr).toMatch(/^hint: \S/m);
      }
      expect(readStarts(repo.startsFile)).toEqual([]);
      expect(runIds(repo.root)).toEqual([]);
      expect(await snapshot(repo.root)).toBe(before);
      expect(await findNamed(repo.dir, "pwned")).toEqual([]);
    });
  }
});

describe("input: bad flag values", () => {
  it.each([
    [
      ["--timeout", "soon"],
      "lanes: Invalid --timeout value: soon. Must be a duration such as 90s, 30m or 1h.",
    ],
    [
      ["--retries", "-1"],
      "lanes: Invalid --retries value: -1. Must be a whole number (0 for no retries).",
    ],
    [
      ["--max-cost", "free"],
      "lanes: Invalid --max-cost value: free. Must be a positive amount in US dollars",
    ],
    [
      ["--agent", "gpt"],
      "lanes: option '--agent <preset>' argument 'gpt' is invalid. Allowed choices are claude, codex, gemini, aider, opencode.",
    ],
    [
      ["--fail-fast", "--chain"],
      "lanes: option '--fail-fast' cannot be used with option '--chain'",
    ],
    [
      ["--chain", "--sequential"],
      "lanes: option '--sequential' cannot be used with option '--chain'",
    ],
    [
      ["--max-tokens", "1e3"],
      "lanes: Invalid --max-tokens value: 1e3. Must be a positive integer.",
    ],
    [["--batch", ","], 'lanes: Invalid --batch value: ",". Must list task ids.'],
  ])("lanes run %j: exit 2 naming the flag, with a hint, nothing started", async (args, says) => {
    const repo = await runRepo({ tasks: { a: {} } });
    const before = await snapshot(repo.root);
    const result = await runCli(["run", ...args], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toContain(says);
    expect(result.stderr).toMatch(/^hint: \S/m);
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });
});

describe("input: flags that exclude each other", () => {
  it("lanes resume --fresh --abort: exit 2 naming both flags, nothing touched", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const before = await snapshot(repo.root);
    const result = await runCli(["resume", "--fresh", "--abort"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe(
      "lanes: option '--fresh' cannot be used with option '--abort'",
    );
    expect(result.stderr).toMatch(/^hint: these flags exclude each other/m);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("lanes run --agent with a custom command points to the settings file", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const result = await runCli(["run", "--agent", "./my-agent.sh"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Allowed choices are claude, codex, gemini, aider, opencode.");
    expect(result.stderr).toMatch(/^hint: for a custom command set "agent": \{ "command"/m);
    expect(readStarts(repo.startsFile)).toEqual([]);
  });
});

describe("input: the repository and the settings around the tasks", () => {
  it("a repository without a commit: exit 2, nothing written", async () => {
    const repo = await tempRepo();
    try {
      await repo.repo.git.run(["update-ref", "-d", "HEAD"]); // main unborn again
      await mkdir(path.join(repo.root, ".lanes", "tasks"), { recursive: true });
      await writeFile(
        path.join(repo.root, ".lanes", "tasks", "a.md"),
        "---\ntitle: A\n---\nDo a.\n",
      );
      await writeFile(
        path.join(repo.root, ".lanes", "settings.json"),
        JSON.stringify({ agent: { command: ["true"] } }),
      );
      const before = await snapshot(repo.root);
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`lanes: ${repo.root} has no commit checked out yet`);
      expect(result.stderr).toMatch(/^hint: make a first commit/m);
      expect(await snapshot(repo.root)).toBe(before);
    } finally {
      await repo.cleanup();
    }
  });

  it("worktreeDir inside the repository: exit 2 naming both, nothing written", async () => {
    const repo = await runRepo({ tasks: { a: {} }, settings: { worktreeDir: "wt" } });
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `lanes: the worktree folder ${repo.root}/wt/repo (worktreeDir in .lanes/settings.json) is inside the repository ${repo.root}`,
    );
    expect(result.stderr).toMatch(/^hint: worktrees must live outside the repository/m);
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("a prompt template that drops the title: exit 2 naming the template", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      files: { ".lanes/prompts/exec.md": "Work on this: {{body}}\n" },
    });
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "lanes: .lanes/prompts/exec.md: the template drops the task's title ({{title}} is missing)",
    );
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("lanes resume with no run to resume: exit 2", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    const before = await snapshot(repo.root);
    const result = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("lanes: there is no unfinished run to resume");
    expect(result.stderr).toMatch(/^hint: `lanes status` lists the runs/m);
    expect(await snapshot(repo.root)).toBe(before);
  });
});

describe("input: a 10 MB task body", () => {
  it("runs, and the prompt file and the agent's stdin carry the whole body", async () => {
    const line = `${"0123456789".repeat(9)} ünïcödé ✓\n`;
    const body = line.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(line)));
    expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    const repo = await runRepo({
      tasks: {},
      files: { ".lanes/tasks/big.md": `---\ntitle: Big\n---\n${body}` },
    });
    await useFaultAgent(repo, "copy-stdin");

    const result = await runCli(["run"], { cwd: repo.root, timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);

    const { id, state } = await readRun(repo.root);
    expect(state.tasks.big?.status).toBe("done");
    const stdin = await readFile(path.join(repo.dir, "big.stdin"), "utf8");
    expect(stdin.includes(body)).toBe(true);
    const prompt = await readFile(
      path.join(repo.root, ".lanes", "runs", id, "prompts", "big.exec.1.md"),
      "utf8",
    );
    expect(prompt).toBe(stdin);
    // The status write-back kept the body whole too.
    const merged = await git(repo, ["show", `lanes/run/${id}:.lanes/tasks/big.md`]);
    expect(merged.includes(body.trimEnd())).toBe(true);
    expect(merged).toMatch(/^status: done$/m);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  }, 120_000);
});

/** A repository (uncommitted task files are enough to plan) with n tasks, each `deps(i)`. */
async function manyTasks(n: number, deps: (i: number) => string[]) {
  const repo = await tempRepo();
  const dir = path.join(repo.root, ".lanes", "tasks");
  await mkdir(dir, { recursive: true });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const on = deps(i);
    const front = on.length > 0 ? `depends_on: [${on.join(", ")}]\n` : "";
    writes.push(
      writeFile(
        path.join(dir, `${taskId(i)}.md`),
        `---\ntitle: Task ${i}\n${front}---\nDo ${i}.\n`,
      ),
    );
    if (writes.length >= 500) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return repo;
}

function taskId(i: number): string {
  return `t${String(i).padStart(5, "0")}`;
}

interface PlanJson {
  tasks: unknown[];
  waves: unknown[];
  critical_path: string[];
}

describe("input: 10,000 tasks", () => {
  const N = 10_000;
  it.each([
    ["a 10,000-deep dependency chain", (i: number) => (i === 0 ? [] : [taskId(i - 1)]), N, N],
    ["10,000 independent tasks", () => [], 1, 1],
  ] as const)(
    "lanes plan --json plans %s (no stack overflow)",
    async (_, deps, waves, critical) => {
      const repo = await manyTasks(N, deps);
      try {
        const result = await runCli(["plan", "--json"], { cwd: repo.root, timeoutMs: 120_000 });
        expect(result.exitCode, result.stderr.slice(0, 2000)).toBe(0);
        const plan = JSON.parse(result.stdout) as PlanJson;
        expect(plan.tasks).toHaveLength(N);
        expect(plan.waves).toHaveLength(waves);
        expect(plan.critical_path).toHaveLength(critical);
        expect(existsSync(path.join(repo.root, ".lanes", "runs"))).toBe(false);
      } finally {
        await repo.cleanup();
      }
    },
    150_000,
  );
});
