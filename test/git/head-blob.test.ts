// Whether a main-checkout file is committed as on disk, from one ls-tree per folder and HEAD:
// it agrees with git, and a commit made after the first question is seen.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blobId, headHolds } from "../../src/git/head-blob.js";
import { readHeadFile } from "../../src/git/head-file.js";
import { headCommit } from "../../src/git/repo.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const TASK = ".lanes/tasks/a.md";
const TEXT = "---\ntitle: A\n---\nDo a.\n";

describe("headHolds", () => {
  it("hashes text as git hashes a blob", async () => {
    repo = await makeRepo({ "x.txt": "hé\n" });
    const oid = (await repo.git.run(["rev-parse", "HEAD:x.txt"])).stdout;
    expect(blobId("hé\n")).toBe(oid);
  });

  it("says yes for the committed text only: not an edit, not an untracked file, not a missing folder", async () => {
    repo = await makeRepo({ [TASK]: TEXT, "top.md": "top\n" });
    expect(await headHolds(repo.git, TASK, TEXT)).toBe(true);
    expect(await headHolds(repo.git, "top.md", "top\n")).toBe(true);
    expect(await headHolds(repo.git, TASK, `${TEXT}edited\n`)).toBe(false);
    expect(await headHolds(repo.git, ".lanes/tasks/new.md", TEXT)).toBe(false);
    expect(await headHolds(repo.git, "nowhere/a.md", TEXT)).toBe(false);
  });

  it("sees a commit made in the main checkout after it was first asked", async () => {
    repo = await makeRepo({ [TASK]: TEXT });
    const edited = `${TEXT}more\n`;
    expect(await headHolds(repo.git, TASK, edited)).toBe(false);
    await writeFile(path.join(repo.root, TASK), edited);
    await repo.git.run(["commit", "--quiet", "-am", "edit"]);
    expect(await headHolds(repo.git, TASK, edited)).toBe(true);
    expect(await headHolds(repo.git, TASK, TEXT)).toBe(false);
  });

  it("asks git when HEAD's branch is packed (no loose ref to read)", async () => {
    repo = await makeRepo({ [TASK]: TEXT });
    await repo.git.run(["pack-refs", "--all"]);
    expect(await readHeadFile(repo.root)).toBeUndefined();
    expect(await headHolds(repo.git, TASK, TEXT)).toBe(true);
    expect(await headHolds(repo.git, TASK, "other")).toBe(false);
  });
});

describe("readHeadFile in a main checkout", () => {
  it("reads HEAD from the .git folder, and leaves a folder with no .git to git", async () => {
    repo = await makeRepo();
    expect(await readHeadFile(repo.root)).toBe(await headCommit(repo.git));
    await rm(path.join(repo.root, ".git"), { recursive: true });
    expect(await readHeadFile(repo.root)).toBeUndefined();
  });
});
