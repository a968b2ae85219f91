import { lstat, readFile, readlink, realpath, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { checkLaneFiles, type LaneFilesSettings } from "../../src/lane/files-check.js";
import { prepareLaneFiles } from "../../src/lane/files-prepare.js";
import { makeRepo, type TestRepo, writeFiles } from "../helpers/git-repo.js";

const repos: TestRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

/**
 * A Node-like project: tracked sources and .gitignore, and what a developer's checkout holds
 * that git does not: .env files, node_modules, certificates, build output, a stray note.
 */
async function project(gitignore = ".env\n.env.*\nnode_modules\ncerts/\ndist/\n*.log\n") {
  const repo = await makeRepo({
    "README.md": "# app\n",
    ".gitignore": gitignore,
    "src/config.ts": "export const port = Number(process.env.PORT);\n",
    "packages/web/package.json": "{}\n",
    "packages/api/package.json": "{}\n",
  });
  repos.push(repo);
  await writeFiles(repo.root, {
    ".env": "SECRET=1\n",
    ".env.local": "LOCAL=1\n",
    "node_modules/left-pad/index.js": "module.exports = 1;\n",
    "packages/web/node_modules/react/index.js": "web\n",
    "packages/api/node_modules/hono/index.js": "api\n",
    "certs/dev.pem": "PEM\n",
    "certs/dev.key": "KEY\n",
    "certs/sub/ca.pem": "CA\n",
    "dist/app.js": "built\n",
    "NOTES.txt": "untracked, not ignored\n",
    "debug.log": "log\n",
  });
  return repo;
}

/** A real lane: a git worktree of the repository, outside it, as lanes makes them. */
async function lane(repo: TestRepo, name = "lane-1"): Promise<string> {
  const dir = path.join(repo.dir, "worktrees", name);
  await repo.git.run(["worktree", "add", "--quiet", "-b", name, dir, "main"]);
  return dir;
}

async function check(repo: TestRepo, settings: LaneFilesSettings) {
  return checkLaneFiles(repo.root, settings);
}

async function refusal(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LanesError);
  expect((error as LanesError).exitCode).toBe(2);
  return error as LanesError;
}

describe("checkLaneFiles", () => {
  it("expands paths and globs, and notes what is missing", async () => {
    const repo = await project();
    const plan = await check(repo, {
      copy: [".env", "certs/*.pem", ".env.production", "config/*.yml"],
      link: ["node_modules", "packages/*/node_modules"],
    });
    expect(plan.copies.map((f) => f.path)).toEqual([".env", "certs/dev.pem"]);
    expect(plan.links.map((f) => f.path)).toEqual([
      "node_modules",
      "packages/api/node_modules",
      "packages/web/node_modules",
    ]);
    expect(plan.notes).toEqual([
      'lane.copy: ".env.production" does not exist in the repository; skipped',
      'lane.copy: "config/*.yml" matches nothing; skipped',
    ]);
  });

  it("takes the outermost match of a glob and never walks into .git or run logs", async () => {
    const repo = await project();
    await writeFiles(repo.root, {
      "node_modules/left-pad/node_modules/inner/index.js": "nested\n",
      ".lanes/runs/r1/logs/t/exec.1.log": "run log\n",
    });
    const plan = await check(repo, { link: ["**/node_modules"], copy: ["**/*.log"] });
    expect(plan.links.map((f) => f.path)).toEqual([
      "node_modules",
      "packages/api/node_modules",
      "packages/web/node_modules",
    ]);
    expect(plan.copies.map((f) => f.path)).toEqual(["debug.log"]);
    expect(plan.notes).toEqual([]);
  });

  it("refuses a tracked path, naming it and the setting", async () => {
    const repo = await project();
    const error = await refusal(check(repo, { copy: [".env", "src/config.ts"] }));
    expect(error.message).toBe(
      '`lane.copy` names "src/config.ts", which git tracks: every lane already has it.',
    );
    expect(error.hint).toMatch(/Remove it from `lane.copy`/);
  });

  it("refuses a folder that holds tracked files", async () => {
    const repo = await project();
    const error = await refusal(check(repo, { link: ["packages/web"] }));
    expect(error.message).toMatch(
      /`lane.link` names "packages\/web", which holds files git tracks \("packages\/web\/package.json"\)/,
    );
  });

  it("leaves out a glob's tracked matches with a note", async () => {
    const repo = await project();
    await writeFiles(repo.root, { ".env.example": "SECRET=\n" });
    await repo.git.run(["add", "-f", ".env.example"]);
    await repo.git.run(["commit", "--quiet", "-m", "example env"]);
    const plan = await check(repo, { copy: [".env*"], link: ["packages/*"] });
    expect(plan.copies.map((f) => f.path)).toEqual([".env", ".env.local"]);
    expect(plan.links).toEqual([]);
    expect(plan.notes).toEqual([
      'lane.link: "packages/api" (from "packages/*") holds tracked files; skipped',
      'lane.link: "packages/web" (from "packages/*") holds tracked files; skipped',
      'lane.copy: ".env.example" (from ".env*") is tracked by git; skipped',
    ]);
  });

  it("refuses a symlink leading out of the repository", async () => {
    const repo = await project();
    await writeFiles(repo.dir, { "outside/secret.txt": "not yours\n" });
    await symlink(path.join(repo.dir, "outside"), path.join(repo.root, "shared"));
    const error = await refusal(check(repo, { link: ["shared"] }));
    expect(error.message).toContain(
      '`lane.link` names "shared", which leads outside the repository',
    );
  });

  it.each([
    ["/etc/passwd", /is an absolute path/],
    ["../other-repo/.env", /leaves the repository/],
    [".git/config", /is inside .git/],
    ["", /is not a path/],
  ])("refuses the entry %j", async (entry, message) => {
    const repo = await project();
    const error = await refusal(check(repo, { copy: [entry] }));
    expect(error.message).toMatch(message);
    expect(error.message).toContain("`lane.copy` entry");
  });

  it("reads .worktreeinclude as Claude Code does: matching and ignored files only", async () => {
    const repo = await project();
    await writeFiles(repo.root, {
      ".worktreeinclude": "# secrets\n.env*\n!.env.local\ncerts/\nNOTES.txt\n",
    });
    const plan = await check(repo, {});
    expect(plan.copies.map((f) => [f.path, f.source])).toEqual([
      [".env", ".worktreeinclude"],
      ["certs/dev.key", ".worktreeinclude"],
      ["certs/dev.pem", ".worktreeinclude"],
      ["certs/sub/ca.pem", ".worktreeinclude"],
    ]);
    // Untracked but not ignored: Claude Code does not copy it either.
    expect(plan.notes).toEqual([
      '.worktreeinclude: "NOTES.txt" is not ignored by git; not copied (only ignored files are)',
    ]);
    expect((await check(repo, { worktreeInclude: false })).copies).toEqual([]);
  });

  it("does not copy what a link already brings", async () => {
    const repo = await project();
    const plan = await check(repo, {
      link: ["certs"],
      copy: ["certs/dev.pem", "debug.log", "*.log"],
    });
    expect(plan.links.map((f) => f.path)).toEqual(["certs"]);
    expect(plan.copies.map((f) => f.path)).toEqual(["debug.log"]);
    expect(plan.notes).toEqual([
      'lane.copy: "certs/dev.pem" is inside the linked "certs"; not copied',
    ]);
  });
});

describe("prepareLaneFiles", () => {
  it("copies files and links folders into the lane, and none of it reaches a commit", async () => {
    const repo = await project();
    const plan = await check(repo, {
      copy: [".env", "certs", "NOTES.txt"],
      link: ["node_modules", "packages/*/node_modules"],
    });
    const dir = await lane(repo);
    const result = await prepareLaneFiles(plan, dir);

    expect(result.linked).toEqual([
      "node_modules",
      "packages/api/node_modules",
      "packages/web/node_modules",
    ]);
    expect(result.copied).toEqual([".env", "NOTES.txt", "certs"]);
    expect(await readFile(path.join(dir, ".env"), "utf8")).toBe("SECRET=1\n");
    expect(await readFile(path.join(dir, "certs/sub/ca.pem"), "utf8")).toBe("CA\n");
    expect(await readlink(path.join(dir, "node_modules"))).toBe(
      path.join(repo.root, "node_modules"),
    );
    expect(await readFile(path.join(dir, "packages/web/node_modules/react/index.js"), "utf8")).toBe(
      "web\n",
    );
    // A copy, not a link: the lane's edits stay in the lane.
    expect((await lstat(path.join(dir, ".env"))).isSymbolicLink()).toBe(false);
    await writeFile(path.join(dir, ".env"), "CHANGED=1\n");
    expect(await readFile(path.join(repo.root, ".env"), "utf8")).toBe("SECRET=1\n");

    // The untracked-but-not-ignored note is said out loud, since a commit would take it.
    expect(result.unignored).toEqual(["NOTES.txt"]);
    await repo.git.run(["add", "-A"], { cwd: dir });
    const staged = (await repo.git.run(["diff", "--cached", "--name-only"], { cwd: dir })).stdout;
    expect(staged.split("\n")).toEqual(["NOTES.txt"]);
  });

  it("warns that a folder-only ignore rule does not cover a symlink", async () => {
    const repo = await project(".env\nnode_modules/\n");
    const plan = await check(repo, { link: ["node_modules"], copy: [".env"] });
    const result = await prepareLaneFiles(plan, await lane(repo));
    expect(result.unignored).toEqual(["node_modules"]);
    expect(result.notes.at(-1)).toMatch(/"node_modules" is not ignored by git in the lane/);
  });

  it("gives every lane its own copies", async () => {
    const repo = await project();
    const plan = await check(repo, { copy: [".env"], link: ["node_modules"] });
    // One at a time: parallel `git worktree add` races on .git/worktrees.
    const lanes = [await lane(repo, "a"), await lane(repo, "b"), await lane(repo, "c")];
    for (const dir of lanes) {
      const result = await prepareLaneFiles(plan, dir);
      expect(result).toMatchObject({ copied: [".env"], linked: ["node_modules"], unignored: [] });
    }
    await writeFile(path.join(lanes[0]!, ".env"), "A=1\n");
    expect(await readFile(path.join(lanes[1]!, ".env"), "utf8")).toBe("SECRET=1\n");
  });

  it("overwrites nothing, and a second pass over the same lane changes nothing", async () => {
    const repo = await project();
    const plan = await check(repo, { copy: [".env"], link: ["node_modules"] });
    const dir = await lane(repo);
    await writeFile(path.join(dir, ".env"), "THE AGENT'S\n");
    const first = await prepareLaneFiles(plan, dir);
    expect(first.copied).toEqual([]);
    expect(first.notes).toContain('".env" is already in the lane; left as it is');
    expect(await readFile(path.join(dir, ".env"), "utf8")).toBe("THE AGENT'S\n");
    const second = await prepareLaneFiles(plan, dir);
    expect(second.linked).toEqual(["node_modules"]);
  });

  it("never writes through a symlink in the lane into the checkout", async () => {
    const repo = await project();
    await writeFiles(repo.root, { "node_modules/.cache/token": "T\n" });
    const dir = await lane(repo);
    await prepareLaneFiles(await check(repo, { link: ["node_modules"] }), dir);
    // A hand-made plan that would copy into the linked folder.
    const plan = await check(repo, { copy: ["node_modules/.cache/token"] });
    const result = await prepareLaneFiles(plan, dir);
    expect(result.copied).toEqual([]);
    expect(result.notes).toEqual([
      'lane.copy: "node_modules/.cache/token" would be written through the symlink "node_modules"; skipped',
    ]);
  });

  it("skips a source that vanished or started leading outside since the check", async () => {
    const repo = await project();
    const plan = await check(repo, { copy: [".env", "debug.log"] });
    await rm(path.join(repo.root, ".env"));
    await rm(path.join(repo.root, "debug.log"));
    await symlink("/etc/hostname", path.join(repo.root, "debug.log"));
    const result = await prepareLaneFiles(plan, await lane(repo));
    expect(result.copied).toEqual([]);
    expect(result.notes).toEqual([
      'lane.copy: ".env" no longer exists in the repository; skipped',
      'lane.copy: "debug.log" now leads outside the repository; skipped',
    ]);
  });

  it("recreates a relative symlink inside a copied folder and skips one leading out", async () => {
    const repo = await project();
    await symlink("dev.pem", path.join(repo.root, "certs/current.pem"));
    await symlink("/etc/hostname", path.join(repo.root, "certs/host"));
    const dir = await lane(repo);
    const result = await prepareLaneFiles(await check(repo, { copy: ["certs"] }), dir);
    expect(await readlink(path.join(dir, "certs/current.pem"))).toBe("dev.pem");
    expect(result.notes).toEqual([
      'lane.copy: "certs/host" is a symlink leading outside the repository; skipped',
    ]);
    expect(await realpath(path.join(dir, "certs/current.pem"))).toBe(
      path.join(await realpath(dir), "certs/dev.pem"),
    );
  });
});
