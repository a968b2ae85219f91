// Task files are read and written for status records without ever following a symlink, whether
// the link is the file itself or a folder on the way.
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPlainTaskFile, withStatus, writePlainTaskFile } from "../../src/tasks/write-back.js";

let dir: string;
let root: string;
let outside: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "lanes-write-back-")));
  root = path.join(dir, "repo");
  outside = path.join(dir, "outside");
  await mkdir(path.join(root, ".lanes", "tasks"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, "t.md"), "---\ntitle: outside\n---\nbody\n");
  await writeFile(path.join(root, ".lanes", "tasks", "plain.md"), "---\ntitle: plain\n---\nbody\n");
  await symlink(path.join(outside, "t.md"), path.join(root, ".lanes", "tasks", "linked.md"));
  await symlink(outside, path.join(root, ".lanes", "tasks", "folder"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("task file write-back", () => {
  it("reads and writes a plain task file", async () => {
    const file = path.join(".lanes", "tasks", "plain.md");
    const text = await readPlainTaskFile(root, file);
    expect(text).toBe("---\ntitle: plain\n---\nbody\n");
    expect(await writePlainTaskFile(root, file, withStatus(text!, { status: "done" }))).toBe(true);
    expect(await readFile(path.join(root, file), "utf8")).toBe(
      "---\ntitle: plain\nstatus: done\n---\nbody\n",
    );
  });

  it.each([
    ["a symlinked file", path.join(".lanes", "tasks", "linked.md")],
    ["a file in a symlinked folder", path.join(".lanes", "tasks", "folder", "t.md")],
    ["a missing file", path.join(".lanes", "tasks", "missing.md")],
  ])("neither reads nor writes %s", async (_, file) => {
    expect(await readPlainTaskFile(root, file)).toBeUndefined();
    expect(await writePlainTaskFile(root, file, "changed")).toBe(false);
    expect(await readFile(path.join(outside, "t.md"), "utf8")).toBe(
      "---\ntitle: outside\n---\nbody\n",
    );
  });
});
