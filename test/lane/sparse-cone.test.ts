// The rules of `lane.sparse`, without a repository: which entries are folders git's cone mode
// can take, how a task's `files` narrow the cone, and the pattern file git reads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  conePatterns,
  laneCone,
  sparseFolderProblem,
  withTaskFile,
} from "../../src/lane/sparse-cone.js";

describe("sparseFolderProblem", () => {
  it.each(["packages/web", "./packages/web/", "apps", "a b/c"])("takes %s", (entry) => {
    expect(sparseFolderProblem(entry)).toBeUndefined();
  });

  it.each([
    ["/abs/path", /is absolute/],
    ["C:\\repo", /is absolute/],
    ["packages/../..", /uses "\.\."/],
    ["..", /uses "\.\."/],
    ["packages/*", /is a glob/],
    ["{a,b}", /is a glob/],
    ["packages\\web", /backslash/],
    ["", /whole repository/],
    ["./", /whole repository/],
    [".git/hooks", /inside \.git/],
    ["a\nb", /control character/],
  ])("refuses %j", (entry, why) => {
    expect(sparseFolderProblem(entry)).toMatch(why);
  });
});

describe("withTaskFile", () => {
  it("adds the task file's folder to a cone, and nothing to the whole tree or an issue", () => {
    const cone = ["packages/web"];
    expect(withTaskFile(cone, { file: ".lanes/tasks/a.md" })).toEqual([
      ".lanes/tasks",
      "packages/web",
    ]);
    expect(withTaskFile(cone, { file: "a.md" })).toEqual(cone);
    expect(withTaskFile(["packages"], { file: "packages/web/task.md" })).toEqual(["packages"]);
    expect(withTaskFile(undefined, { file: ".lanes/tasks/a.md" })).toBeUndefined();
    const issue = { file: "https://github.com/o/r/issues/1", issue: { number: 1 } };
    expect(withTaskFile(cone, issue)).toEqual(cone);
  });
});

describe("laneCone", () => {
  const sparse = ["packages/web", "packages/api", "libs/shared"];

  it("is the whole tree without a setting", () => {
    expect(laneCone(undefined, ["src/**"])).toBeUndefined();
    expect(laneCone([], undefined)).toBeUndefined();
  });

  it("is every folder for a task without files", () => {
    expect(laneCone(sparse, undefined)).toEqual(["libs/shared", "packages/api", "packages/web"]);
    expect(laneCone(sparse, [])).toEqual(["libs/shared", "packages/api", "packages/web"]);
  });

  it("keeps the folders the task's files reach into, globs included", () => {
    expect(laneCone(sparse, ["packages/web/src/app.ts"])).toEqual(["packages/web"]);
    expect(laneCone(sparse, ["packages/*/package.json"])).toEqual(["packages/api", "packages/web"]);
    expect(laneCone(sparse, ["**/*.test.ts"])).toEqual([
      "libs/shared",
      "packages/api",
      "packages/web",
    ]);
    // A files entry above a folder brings the folder whole.
    expect(laneCone(sparse, ["libs"])).toEqual(["libs/shared"]);
  });

  it("never narrows to nothing: files outside every folder leave the whole cone", () => {
    expect(laneCone(sparse, ["docs/readme.md"])).toEqual([
      "libs/shared",
      "packages/api",
      "packages/web",
    ]);
  });

  it("drops duplicates and folders inside listed ones", () => {
    expect(laneCone(["a/b", "a", "./a/", "a/b/c"], undefined)).toEqual(["a"]);
  });
});

describe("conePatterns", () => {
  it("writes what git sparse-checkout set --cone writes", () => {
    const folders = ["packages/web", "libs/shared/core", "packages/api", "tools"];
    const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-cone-"));
    try {
      execFileSync("git", ["init", "--quiet", dir]);
      execFileSync("git", ["sparse-checkout", "set", "--cone", ...folders], { cwd: dir });
      const gits = readFileSync(path.join(dir, ".git", "info", "sparse-checkout"), "utf8");
      expect(conePatterns(folders)).toBe(gits);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
