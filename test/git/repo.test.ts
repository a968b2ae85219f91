// Repository questions: root discovery, HEAD, branches, cleanliness, ancestry.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  branchExists,
  currentBranch,
  dirtyFiles,
  findRepoRoot,
  headCommit,
  isAncestor,
  isClean,
} from "../../src/git/repo.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe("findRepoRoot", () => {
  it("finds the top of the working tree from a subfolder", async () => {
    repo = await makeRepo({ "src/a.ts": "a\n" });
    expect(await findRepoRoot(path.join(repo.root, "src"))).toBe(repo.root);
  });

  it("throws E_NOT_A_REPO naming the directory outside a repository", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-norepo-"));
    try {
      const error = await findRepoRoot(dir).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "E_NOT_A_REPO",
        hint: "run git init or cd into a repository",
      });
      expect((error as Error).message).toContain(dir);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe("repository state", () => {
  it("reports HEAD, the branch, dirtiness and ancestry", async () => {
    repo = await makeRepo();
    const { git, root } = repo;
    const first = await headCommit(git);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(await currentBranch(git)).toBe("main");
    expect(await isClean(git)).toBe(true);

    await writeFile(path.join(root, "new file.txt"), "x");
    await writeFile(path.join(root, "README.md"), "changed");
    expect((await dirtyFiles(git)).sort()).toEqual(["README.md", "new file.txt"]);
    expect(await dirtyFiles(git, undefined, { untracked: false })).toEqual(["README.md"]);
    expect(await isClean(git)).toBe(false);

    const second = await commitOnBranch(repo, "feature", { "f.txt": "f" });
    expect(await branchExists(git, "feature")).toBe(true);
    expect(await branchExists(git, "nope")).toBe(false);
    expect(await isAncestor(git, first, second)).toBe(true);
    expect(await isAncestor(git, second, first)).toBe(false);

    await git.run(["checkout", "--quiet", "--detach"]);
    expect(await currentBranch(git)).toBeUndefined();
  });
});
