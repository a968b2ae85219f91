// The task loader: every bad task file is an error that names the file (and line, for YAML) and
// says what is wrong; good files load with their bodies verbatim.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { loadTasks, parseTask } from "../../src/tasks/load.js";
import { writeFiles } from "../helpers/git-repo.js";

const FILE = ".lanes/tasks/t.md";

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

/** A folder holding `.lanes/tasks/<name>` files: loadTasks needs no git repository. */
async function project(tasks: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "lanes-tasks-"));
  dirs.push(root);
  const files = Object.fromEntries(
    Object.entries(tasks).map(([name, text]) => [path.join(".lanes/tasks", name), text]),
  );
  await writeFiles(root, files);
  return root;
}

function taskFile(front: string, body = "Do the thing.\n"): string {
  return `---\n${front}\n---\n${body}`;
}

function thrown(fn: () => unknown): LanesError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LanesError);
    return error as LanesError;
  }
  throw new Error("expected an error");
}

async function rejected(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanesError);
  return error as LanesError;
}

describe("parseTask: good files", () => {
  it("fills in defaults for everything but the title", () => {
    expect(parseTask(taskFile("title: Add login"), FILE)).toEqual({
      id: "t",
      title: "Add login",
      body: "Do the thing.\n",
      dependsOn: [],
      labels: [],
      status: "ready",
      files: [],
      file: FILE,
    });
  });

  it("reads every documented key", () => {
    const text = taskFile(
      [
        "title: Add login endpoint",
        "depends_on: [db-schema, users]",
        "labels: [auth, backend]",
        "status: done",
        "files: [src/auth.ts]",
        "estimate: 20m",
      ].join("\n"),
    );
    expect(parseTask(text, ".lanes/tasks/login.md")).toMatchObject({
      id: "login",
      title: "Add login endpoint",
      dependsOn: ["db-schema", "users"],
      labels: ["auth", "backend"],
      status: "done",
      files: ["src/auth.ts"],
      estimateMs: 20 * 60_000,
    });
  });

  it("keeps the body verbatim: shell syntax, quotes, unicode, blank lines, a later ---", () => {
    const body = [
      "Run $(rm -rf /) and `rm -rf ~` -- none of it is ever executed.",
      `He said "don't" and 'do' \\ back\\slash $HOME %PATH% ; | & > <`,
      "Unicode: héllo wörld — 日本語 🚀 \u00a0",
      "",
      "---",
      "title: not front matter",
      "   trailing spaces   ",
      "",
    ].join("\n");
    expect(parseTask(taskFile("title: Careful", body), FILE).body).toBe(body);
  });

  it("keeps a body without a final newline, and an empty body", () => {
    expect(parseTask("---\ntitle: x\n---\nno newline", FILE).body).toBe("no newline");
    expect(parseTask("---\ntitle: x\n---\n", FILE).body).toBe("");
    expect(parseTask("---\ntitle: x\n---", FILE).body).toBe("");
  });

  it("reads files with CRLF line ends and a byte-order mark", () => {
    const task = parseTask(
      "\uFEFF---\r\ntitle: Windows\r\nlabels: [a]\r\n---\r\nline 1\r\nline 2\r\n",
      FILE,
    );
    expect(task).toMatchObject({ title: "Windows", labels: ["a"], body: "line 1\r\nline 2\r\n" });
  });

  it("keeps a title with unicode and quotes", () => {
    expect(parseTask(taskFile(`title: 'Ünïcode "quoted" title: yes'`), FILE).title).toBe(
      'Ünïcode "quoted" title: yes',
    );
  });

  it.each([
    ["20m", 20 * 60_000],
    ["1h", 3_600_000],
    ["1h30m", 90 * 60_000],
    ["90s", 90_000],
    ["45", 45 * 60_000],
    ["1.5", 90_000],
  ])("reads estimate: %s (a bare number is minutes)", (estimate, ms) => {
    expect(parseTask(taskFile(`title: x\nestimate: ${estimate}`), FILE).estimateMs).toBe(ms);
  });

  it("accepts depends_on as a single string", () => {
    expect(parseTask(taskFile("title: x\ndepends_on: db-schema"), FILE).dependsOn).toEqual([
      "db-schema",
    ]);
  });

  it("drops repeated dependencies", () => {
    expect(parseTask(taskFile("title: x\ndepends_on: [a, b, a]"), FILE).dependsOn).toEqual([
      "a",
      "b",
    ]);
  });

  it("accepts ids of up to 64 characters with digits, dots, underscores and dashes", () => {
    const id = `0${"a._-".repeat(15)}bcd`;
    expect(id).toHaveLength(64);
    expect(parseTask(taskFile("title: x"), `.lanes/tasks/${id}.md`).id).toBe(id);
  });
});

describe("parseTask: bad files name the file and what is wrong", () => {
  it.each([
    ["a duplicate key", "title: ok\nlabels: []\nlabels: [b]", 4, "Map keys must be unique"],
    ["an unquoted ': ' in the title", "title: Fix a: b", 2, "Nested mappings"],
    [
      "a bad indentation",
      "title: ok\nlabels: [a, b]\n  oops: 1",
      4,
      "must start at the same column",
    ],
    ["a tab as indentation", "title: ok\n\tlabels: []", 3, "Tabs are not allowed"],
    ["a mistake further down", "title: ok\nlabels: []\nfiles: []\nestimate: 20m: x", 5, "Nested"],
  ])("broken YAML (%s): names the file and the line", (_what, front, line, reason) => {
    const error = thrown(() => parseTask(taskFile(front), FILE));
    expect(error.code).toBe("E_TASK_YAML");
    expect(error.message).toMatch(new RegExp(`^\\.lanes/tasks/t\\.md:${line}: invalid YAML: `));
    expect(error.message).toContain(reason);
    expect(error.hint).toBeTruthy();
  });

  it("counts lines the same way in a CRLF file", () => {
    const error = thrown(() =>
      parseTask("---\r\ntitle: ok\r\nlabels: []\r\nlabels: [b]\r\n---\r\n", FILE),
    );
    expect(error.message).toMatch(/^\.lanes\/tasks\/t\.md:4: invalid YAML/);
  });

  it("rejects a file without front matter", () => {
    const error = thrown(() => parseTask("Just a prompt, no front matter.\n", FILE));
    expect(error).toMatchObject({ code: "E_TASK_YAML" });
    expect(error.message).toBe(`${FILE}:1: the task file must start with a "---" line`);
    expect(error.hint).toContain("---");
  });

  it("rejects front matter that is never closed", () => {
    const error = thrown(() => parseTask("---\ntitle: x\nbody without a fence\n", FILE));
    expect(error.message).toBe(`${FILE}: the front matter has no closing "---" line`);
  });

  it("rejects a missing title", () => {
    const error = thrown(() => parseTask(taskFile("labels: [a]"), FILE));
    expect(error.code).toBe("E_TASK_FIELD");
    expect(error.message).toBe(`${FILE}: title: title is required`);
    expect(error.hint).toContain("title (required)");
  });

  it("rejects empty front matter as a missing title", () => {
    expect(thrown(() => parseTask("---\n---\nbody\n", FILE)).message).toBe(
      `${FILE}: title: title is required`,
    );
  });

  it("rejects a blank title", () => {
    expect(thrown(() => parseTask(taskFile("title: '   '"), FILE)).message).toBe(
      `${FILE}: title: title is empty`,
    );
  });

  it("rejects an unknown front-matter key, naming the key", () => {
    const error = thrown(() => parseTask(taskFile("title: x\npriority: high"), FILE));
    expect(error.code).toBe("E_TASK_FIELD");
    expect(error.message).toBe(`${FILE}: unknown key "priority"`);
    expect(error.hint).toContain("depends_on");
  });

  it("rejects a misspelt key such as depends-on", () => {
    expect(thrown(() => parseTask(taskFile("title: x\ndepends-on: [a]"), FILE)).message).toBe(
      `${FILE}: unknown key "depends-on"`,
    );
  });

  it("rejects a bad status and a bad estimate, naming the key", () => {
    expect(thrown(() => parseTask(taskFile("title: x\nstatus: wip"), FILE)).message).toMatch(
      /^\.lanes\/tasks\/t\.md: status: /,
    );
    expect(thrown(() => parseTask(taskFile("title: x\nestimate: soon"), FILE)).message).toBe(
      `${FILE}: estimate: expected a duration such as 20m or 1h`,
    );
  });

  it("rejects front matter that is a list, not a mapping", () => {
    expect(thrown(() => parseTask("---\n- a\n---\n", FILE)).code).toBe("E_TASK_FIELD");
  });

  it.each([
    ["Upper.md", "Upper"],
    ["has space.md", "has space"],
    ["-dash-first.md", "-dash-first"],
    [".dot-first.md", ".dot-first"],
    ["ünïcode.md", "ünïcode"],
    [`${"a".repeat(65)}.md`, "a".repeat(65)],
  ])("rejects a bad id: %s", (name, id) => {
    const file = `.lanes/tasks/${name}`;
    const error = thrown(() => parseTask(taskFile("title: x"), file));
    expect(error.code).toBe("E_TASK_ID");
    expect(error.message).toBe(`${file}: "${id}" is not a valid task id`);
    expect(error.hint).toContain("lower-case");
  });
});

describe("loadTasks", () => {
  it("loads nothing from a repository without .lanes/tasks", async () => {
    expect(await loadTasks(await project({}))).toEqual([]);
  });

  it("loads every .md below .lanes/tasks in a stable order, ignoring other and hidden files", async () => {
    const root = await project({
      "b.md": taskFile("title: B\ndepends_on: [a]"),
      "a.md": taskFile("title: A"),
      "group/c.md": taskFile("title: C\ndepends_on: b"),
      "notes.txt": "not a task",
      ".draft.md": "not even front matter",
    });
    const tasks = await loadTasks(root);
    expect(tasks.map((task) => [task.id, task.file])).toEqual([
      ["a", path.join(".lanes", "tasks", "a.md")],
      ["b", path.join(".lanes", "tasks", "b.md")],
      ["c", path.join(".lanes", "tasks", "group", "c.md")],
    ]);
  });

  it("loads done tasks too (they satisfy their dependents)", async () => {
    const root = await project({
      "a.md": taskFile("title: A\nstatus: done"),
      "b.md": taskFile("title: B\ndepends_on: [a]"),
    });
    expect((await loadTasks(root)).map((task) => task.status)).toEqual(["done", "ready"]);
  });

  it("names the file of a broken task among good ones", async () => {
    const root = await project({
      "good.md": taskFile("title: fine"),
      "sub/bad.md": "---\ntitle: ok\ntitle: twice\n---\n",
    });
    const error = await rejected(loadTasks(root));
    expect(error.message).toMatch(/^\.lanes\/tasks\/sub\/bad\.md:3: invalid YAML/);
  });

  it("rejects a duplicate id from two subfolders, naming both files", async () => {
    const root = await project({
      "backend/setup.md": taskFile("title: one"),
      "frontend/setup.md": taskFile("title: two"),
    });
    const error = await rejected(loadTasks(root));
    expect(error.code).toBe("E_TASK_DUPLICATE");
    expect(error.message).toBe(
      '.lanes/tasks/frontend/setup.md: duplicate task id "setup" (also .lanes/tasks/backend/setup.md)',
    );
    expect(error.hint).toContain("rename");
  });

  it("rejects an unknown dependency, naming it and the file", async () => {
    const root = await project({
      "a.md": taskFile("title: A"),
      "b.md": taskFile("title: B\ndepends_on: [a, ghost]"),
    });
    const error = await rejected(loadTasks(root));
    expect(error.code).toBe("E_TASK_UNKNOWN_DEP");
    expect(error.message).toBe('.lanes/tasks/b.md: depends_on names unknown task "ghost"');
    expect(error.hint).toContain(".lanes/tasks/ghost.md");
  });

  it("rejects a cycle, printing it", async () => {
    const root = await project({
      "a.md": taskFile("title: A\ndepends_on: [b]"),
      "b.md": taskFile("title: B\ndepends_on: [a]"),
      "c.md": taskFile("title: C\ndepends_on: [a]"),
    });
    const error = await rejected(loadTasks(root));
    expect(error.code).toBe("E_TASK_CYCLE");
    expect(error.message).toBe("dependency cycle: a -> b -> a (in .lanes/tasks/a.md)");
  });

  it("rejects a three-task cycle as a closed path", async () => {
    const root = await project({
      "x.md": taskFile("title: X\ndepends_on: y"),
      "y.md": taskFile("title: Y\ndepends_on: z"),
      "z.md": taskFile("title: Z\ndepends_on: x"),
    });
    expect((await rejected(loadTasks(root))).message).toContain("x -> y -> z -> x");
  });

  it("rejects a task that depends on itself", async () => {
    const root = await project({ "a.md": taskFile("title: A\ndepends_on: a") });
    const error = await rejected(loadTasks(root));
    expect(error.message).toBe('.lanes/tasks/a.md: task "a" depends on itself');
  });
});
