import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { laneChangedFiles } from "../../src/lane/changed-files.js";
import { observedOverlaps } from "../../src/lane/observed-overlap.js";
import { makeRepo, type TestRepo, writeFiles } from "../helpers/git-repo.js";

const repos: TestRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

async function laneOf(repo: TestRepo, name: string): Promise<string> {
  const dir = path.join(repo.dir, "worktrees", name);
  await repo.git.run(["worktree", "add", "--quiet", "-b", name, dir, "main"]);
  return dir;
}

describe("laneChangedFiles", () => {
  it("lists committed, uncommitted and new files, without what lanes put there", async () => {
    const repo = await makeRepo({ "src/a.ts": "a\n", "src/b.ts": "b\n", "README.md": "# r\n" });
    repos.push(repo);
    const lane = await laneOf(repo, "one");
    await writeFiles(lane, { "src/a.ts": "a2\n" });
    await repo.git.run(["commit", "--quiet", "-am", "edit a"], { cwd: lane });
    await writeFile(path.join(lane, "src/b.ts"), "b2\n");
    await writeFiles(lane, { "src/new.ts": "n\n", "NOTES.txt": "copied by lanes\n" });

    expect(await laneChangedFiles(lane, "main", ["NOTES.txt"])).toEqual([
      "src/a.ts",
      "src/b.ts",
      "src/new.ts",
    ]);
  });

  it("lists the same from one git status while the lane is still at its base commit", async () => {
    const repo = await makeRepo({ "src/a.ts": "a\n", "src/b.ts": "b\n", "src/c.ts": "c\n" });
    repos.push(repo);
    const lane = await laneOf(repo, "one");
    const base = (await repo.git.run(["rev-parse", "main"])).stdout;
    await writeFiles(lane, {
      "src/a.ts": "a2\n",
      "src/staged.ts": "s\n",
      "src/new/deep.ts": "n\n",
    });
    await repo.git.run(["add", "src/staged.ts"], { cwd: lane });
    await rm(path.join(lane, "src/b.ts"));
    await writeFiles(lane, { "NOTES.txt": "copied by lanes\n" });
    const byStatus = await laneChangedFiles(lane, base, ["NOTES.txt"]);
    expect(byStatus).toEqual(["src/a.ts", "src/b.ts", "src/new/deep.ts", "src/staged.ts"]);
    // The same lane read the other way (against a base named by branch): the same files.
    expect(await laneChangedFiles(lane, "main", ["NOTES.txt"])).toEqual(byStatus);
  });

  it("feeds the early warning: two lanes editing one file", async () => {
    const repo = await makeRepo({ "src/routes.ts": "r\n", "src/x.ts": "x\n" });
    repos.push(repo);
    const first = await laneOf(repo, "first");
    const second = await laneOf(repo, "second");
    await writeFiles(first, { "src/routes.ts": "first\n" });
    await writeFiles(second, { "src/routes.ts": "second\n", "src/x.ts": "x2\n" });
    const lanes = [
      { id: "first", files: await laneChangedFiles(first, "main") },
      { id: "second", files: await laneChangedFiles(second, "main") },
    ];
    expect(observedOverlaps(lanes)).toEqual([
      { a: "first", b: "second", files: ["src/routes.ts"] },
    ]);
  });
});
