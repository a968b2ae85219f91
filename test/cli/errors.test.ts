// Every bad input of issue 2 item 7 through the built CLI: exit code 2, a message on stderr that
// names the culprit, a `hint:` line, nothing on stdout, and the repository exactly as it was.
import { chmod, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, snapshot, type TempRepo, tempRepo } from "../helpers/cli.js";

const GOOD_TASKS: Record<string, string> = {
  ".lanes/tasks/base.md": "---\ntitle: Base\n---\nLay the base.\n",
  ".lanes/tasks/next.md": "---\ntitle: Next\ndepends_on: [base]\n---\nBuild on it.\n",
};

// If a bad input were ever accepted, `lanes run` would start this harmless agent, not a real one.
const HARMLESS_AGENT = { LANES_AGENT: JSON.stringify({ command: ["false"] }) };

interface BadInput {
  name: string;
  /** Files added to the good repository (committed with it). */
  files?: Record<string, string>;
  args?: string[];
  env?: Record<string, string>;
  /** What stderr must contain: the file, line, key, flag or value at fault. */
  culprit: (string | RegExp)[];
}

const BAD_INPUTS: BadInput[] = [
  {
    name: "broken YAML (file and line)",
    files: { ".lanes/tasks/broken.md": "---\ntitle: ok\nlabels: [a, b\n---\nbody\n" },
    culprit: [".lanes/tasks/broken.md:4: invalid YAML"],
  },
  {
    name: "broken YAML: an unquoted ': ' in the title",
    files: { ".lanes/tasks/colon.md": "---\ntitle: Fix: the bug\n---\nbody\n" },
    culprit: [".lanes/tasks/colon.md:2: invalid YAML"],
  },
  {
    name: "a missing title",
    files: { ".lanes/tasks/untitled.md": "---\nlabels: [x]\n---\nbody\n" },
    culprit: [".lanes/tasks/untitled.md", "title is required"],
  },
  {
    name: "an unknown front-matter key",
    files: { ".lanes/tasks/extra.md": "---\ntitle: Extra\npriority: high\n---\nbody\n" },
    culprit: [".lanes/tasks/extra.md", 'unknown key "priority"'],
  },
  {
    name: "a bad id",
    files: { ".lanes/tasks/Bad Name.md": "---\ntitle: Bad\n---\nbody\n" },
    culprit: [".lanes/tasks/Bad Name.md", '"Bad Name" is not a valid task id'],
  },
  {
    name: "a duplicate id",
    files: {
      ".lanes/tasks/api/setup.md": "---\ntitle: One\n---\nbody\n",
      ".lanes/tasks/web/setup.md": "---\ntitle: Two\n---\nbody\n",
    },
    culprit: [
      ".lanes/tasks/web/setup.md",
      ".lanes/tasks/api/setup.md",
      'duplicate task id "setup"',
    ],
  },
  {
    name: "an unknown dependency",
    files: { ".lanes/tasks/lost.md": "---\ntitle: Lost\ndepends_on: [base, ghost]\n---\nbody\n" },
    culprit: [".lanes/tasks/lost.md", '"ghost"'],
  },
  {
    name: "a cycle",
    files: {
      ".lanes/tasks/chicken.md": "---\ntitle: Chicken\ndepends_on: egg\n---\nbody\n",
      ".lanes/tasks/egg.md": "---\ntitle: Egg\ndepends_on: chicken\n---\nbody\n",
    },
    culprit: ["chicken -> egg -> chicken"],
  },
  {
    name: "a self-dependency",
    files: { ".lanes/tasks/ouroboros.md": "---\ntitle: O\ndepends_on: ouroboros\n---\nbody\n" },
    culprit: [".lanes/tasks/ouroboros.md", '"ouroboros" depends on itself'],
  },
  {
    name: "a task file without front matter",
    files: { ".lanes/tasks/plain.md": "Just a prompt.\n" },
    culprit: [".lanes/tasks/plain.md:1", '"---"'],
  },
  {
    name: "an unknown settings key",
    files: { ".lanes/settings.json": '{ "concurency": 2 }\n' },
    culprit: [/\/\.lanes\/settings\.json: unknown key "concurency"/],
  },
  {
    name: "settings that are not JSON",
    files: { ".lanes/settings.json": "{ concurrency: 2 }\n" },
    culprit: [/\/\.lanes\/settings\.json: not valid JSON/],
  },
  {
    name: "a bad settings value",
    files: { ".lanes/settings.json": '{ "concurrency": 0 }\n' },
    culprit: [/\/\.lanes\/settings\.json: concurrency: /],
  },
  ...["0", "-1", "abc", "1.5"].map((value) => ({
    name: `--concurrency ${value}`,
    args: [`--concurrency=${value}`],
    culprit: [`lanes: Invalid --concurrency value: ${value}. Must be a positive integer.\n`],
  })),
  {
    name: "-c 0",
    args: ["-c", "0"],
    culprit: ["Invalid --concurrency value: 0. Must be a positive integer."],
  },
  {
    name: "a bad LANES_CONCURRENCY",
    env: { LANES_CONCURRENCY: "lots" },
    culprit: ["LANES_CONCURRENCY=lots"],
  },
  {
    name: "an unknown flag",
    args: ["--frobnicate"],
    culprit: ["unknown option '--frobnicate'"],
  },
  {
    name: "a flag without its value",
    args: ["--concurrency"],
    culprit: ["--concurrency", "argument missing"],
  },
  {
    name: "an unknown task id",
    args: ["nope"],
    culprit: ['unknown task id "nope"'],
  },
];

/** The shape every usage error shares. */
function expectUsageError(result: CliResult, culprit: (string | RegExp)[]): void {
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^lanes: /);
  expect(result.stderr).toMatch(/^hint: \S/m);
  expect(result.stderr).not.toContain("internal error");
  expect(result.stderr, "no stack trace").not.toMatch(/^\s+at /m);
  for (const part of culprit) {
    if (typeof part === "string") expect(result.stderr).toContain(part);
    else expect(result.stderr).toMatch(part);
  }
}

describe.each(["plan", "run"])(
  "lanes %s rejects bad input, exits 2 and changes nothing",
  (command) => {
    for (const bad of BAD_INPUTS) {
      it(bad.name, async () => {
        const repo = await tempRepo({ ...GOOD_TASKS, ...bad.files });
        try {
          const before = await snapshot(repo.root);
          const result = await runCli([command, ...(bad.args ?? [])], {
            cwd: repo.root,
            env: { ...HARMLESS_AGENT, ...bad.env },
          });
          expectUsageError(result, bad.culprit);
          expect(await snapshot(repo.root)).toBe(before);
        } finally {
          await repo.cleanup();
        }
      });
    }
  },
);

describe("bad input outside the repository", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo(GOOD_TASKS);
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("a bad user settings file is named", async () => {
    const userFile = path.join(repo.dir, "user-settings.json");
    await writeFile(userFile, '{ "agent": "claude", "colour": "blue" }\n');
    const before = await snapshot(repo.root);
    const result = await runCli(["plan"], {
      cwd: repo.root,
      env: { LANES_USER_SETTINGS: userFile },
    });
    expectUsageError(result, [`${userFile}: unknown key "colour"`]);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("an unknown command is named, with a hint", async () => {
    const result = await runCli(["frobnicate"], { cwd: repo.root });
    expectUsageError(result, ["unknown command 'frobnicate'"]);
  });

  it("a misspelt command gets a suggestion", async () => {
    const result = await runCli(["pln"], { cwd: repo.root });
    expectUsageError(result, ["unknown command 'pln'", "plan"]);
  });

  it("no command at all prints the help to stderr and exits 2", async () => {
    const result = await runCli([], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Usage: lanes");
    expect(result.stderr).not.toContain("(outputHelp)");
  });
});

describe("a directory outside any git repository", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "lanes-not-a-repo-")));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const command of ["plan", "run", "init"]) {
    it(`lanes ${command} exits 2 naming the directory, and writes nothing`, async () => {
      const result = await runCli([command], {
        cwd: dir,
        // Stop git's search for a repository at the temporary folder, wherever that lives.
        env: { ...HARMLESS_AGENT, GIT_CEILING_DIRECTORIES: path.dirname(dir) },
      });
      expectUsageError(result, [dir, "not inside a git repository"]);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});

/** The commands `lanes --help` lists, so that commands added later are covered too. */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((match) => match[1]!)
    .filter((name) => name !== "help");
}

describe("--help", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo(GOOD_TASKS);
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("lanes --help and -h exit 0 and list the commands", async () => {
    for (const flag of ["--help", "-h"]) {
      const result = await runCli([flag], { cwd: repo.root });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("Usage: lanes");
      expect(commandsIn(result.stdout)).toEqual(expect.arrayContaining(["plan", "init"]));
    }
  });

  it("lanes --version exits 0 and prints the version", async () => {
    const result = await runCli(["--version"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("every command's --help exits 0, prints its usage, and changes nothing", async () => {
    const help = await runCli(["--help"], { cwd: repo.root });
    const commands = commandsIn(help.stdout);
    expect(commands.length).toBeGreaterThanOrEqual(2);
    const before = await snapshot(repo.root);
    for (const command of commands) {
      for (const args of [
        [command, "--help"],
        [command, "-h"],
        ["help", command],
      ]) {
        const result = await runCli(args, { cwd: repo.root });
        expect(result.exitCode, `lanes ${args.join(" ")}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toContain(`Usage: lanes ${command}`);
        expect(result.stdout).toContain("--help");
      }
    }
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("--help works outside a git repository too", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-help-"));
    try {
      for (const command of ["plan", "init"]) {
        const result = await runCli([command, "--help"], { cwd: dir });
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain(`Usage: lanes ${command}`);
      }
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The assertions above are only as good as the snapshot they compare: make sure it notices.
describe("the repository snapshot", () => {
  it("changes with a file, an empty folder, a mode, a branch, the index or the worktree folder", async () => {
    const repo = await tempRepo(GOOD_TASKS);
    try {
      const changes: [string, () => Promise<unknown>][] = [
        ["edit", () => writeFile(path.join(repo.root, "README.md"), "changed\n")],
        ["new ignored folder", () => mkdir(path.join(repo.root, "node_modules"))],
        ["mode", () => chmod(path.join(repo.root, ".lanes/tasks/base.md"), 0o755)],
        ["branch", () => repo.repo.git.run(["branch", "lanes/base"])],
        ["index", () => repo.repo.git.run(["add", "README.md"])],
        [
          "worktree folder",
          () => mkdir(path.join(repo.dir, ".lanes-worktrees", "repo", "base"), { recursive: true }),
        ],
        ["git config", () => repo.repo.git.run(["config", "lanes.test", "1"])],
      ];
      for (const [what, change] of changes) {
        const before = await snapshot(repo.root);
        await change();
        expect(await snapshot(repo.root), what).not.toBe(before);
      }
      const settled = await snapshot(repo.root);
      expect(await snapshot(repo.root), "taking a snapshot changes nothing itself").toBe(settled);
    } finally {
      await repo.cleanup();
    }
  });
});
