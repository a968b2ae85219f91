// Conflict markers left after a merge, and the resolve prompt's inputs gathered from git: a real
// repository where a lane and the integration branch edit the same lines.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  conflictedFiles,
  describeMarkers,
  filesChangedSince,
  findConflictMarkers,
  markersAfterResolve,
} from "../../src/quality/conflicts.js";
import { describeSide, gatherResolveInputs } from "../../src/quality/resolve-inputs.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const PRICES = "apple = 1\npear = 2\nplum = 3\n";

/** A lane and the run's integration branch both change pear's line; the lane merges it in. */
async function conflictedLane() {
  repo = await makeRepo({ "prices.txt": PRICES, "notes.md": "# Notes\n", "same.txt": "x\n" });
  await commitOnBranch(repo, "lanes/cheap-pear", {
    "prices.txt": "apple = 1\npear = 1\nplum = 3\n",
    "same.txt": "y\n",
  });
  await commitOnBranch(repo, "lanes/run/r1", {
    "prices.txt": "apple = 1\npear = 5\nplum = 3\n",
    "notes.md": "# Notes\nprices rise\n",
  });
  const worktree = path.join(repo.dir, "lane");
  await repo.git.run(["worktree", "add", "--quiet", worktree, "lanes/cheap-pear"]);
  const merge = await repo.git.run(["merge", "--no-edit", "lanes/run/r1"], {
    cwd: worktree,
    allowFail: true,
  });
  expect(merge.exitCode).toBe(1);
  return { worktree, git: repo.git };
}

describe("conflict markers", () => {
  it("names the files git reports as conflicted and the markers in them", async () => {
    const { worktree, git } = await conflictedLane();
    const files = await conflictedFiles(git, worktree);
    expect(files).toEqual(["prices.txt"]);
    const markers = await findConflictMarkers(worktree, files);
    expect(markers.map(({ line, text }) => [line, text])).toEqual([
      [2, "<<<<<<< HEAD"],
      [4, "======="],
      [6, ">>>>>>> lanes/run/r1"],
    ]);
    expect(describeMarkers(markers)).toBe("prices.txt: conflict markers left on lines 2, 4, 6");
  });

  it("finds none once the file is resolved, and finds markers a resolve wrote elsewhere", async () => {
    const { worktree, git } = await conflictedLane();
    const head = (await git.run(["rev-parse", "HEAD"], { cwd: worktree })).stdout;
    await writeFile(path.join(worktree, "prices.txt"), "apple = 1\npear = 1\nplum = 3\n");
    await writeFile(
      path.join(worktree, "copy.txt"),
      "<<<<<<< HEAD\npear = 1\n=======\npear = 5\n>>>>>>> main\n",
    );
    const changed = await filesChangedSince(git, worktree, head);
    // prices.txt now equals the lane's own version: no change against HEAD, but still checked.
    expect(changed).toEqual(["copy.txt", "notes.md"]);
    const markers = await markersAfterResolve(git, worktree, {
      conflicted: ["prices.txt"],
      since: head,
    });
    expect(markers.map((m) => `${m.file}:${m.line}`)).toEqual([
      "copy.txt:1",
      "copy.txt:3",
      "copy.txt:5",
    ]);
  });

  it.each([
    ["<<<<<<< HEAD", true],
    ["<<<<<<<", true],
    [">>>>>>> lanes/run/r1", true],
    ["=======", true],
    ["||||||| merged common ancestors", true],
    ["=======\r", true],
    ["<<<<<<<< eight", false],
    ["========", false],
    ["Title\n=======", true],
    ["  <<<<<<< indented", false],
    ["a <<<<<<< inline", false],
    ["x = 1 // >>>>>>>", false],
    ["<<<<<<<HEAD", false],
  ])("%j is a marker: %s", async (text, marker) => {
    repo = await makeRepo();
    await writeFile(path.join(repo.root, "f.txt"), `${text}\n`);
    expect((await findConflictMarkers(repo.root, ["f.txt"])).length > 0).toBe(marker);
  });

  it("skips missing files, binary files, symlinks and paths outside the worktree", async () => {
    repo = await makeRepo();
    const outside = path.join(repo.dir, "outside.txt");
    await writeFile(outside, "<<<<<<< HEAD\n");
    await writeFile(path.join(repo.root, "blob.bin"), Buffer.from("<<<<<<< HEAD\n\0\x01"));
    await symlink(outside, path.join(repo.root, "link.txt"));
    await mkdir(path.join(repo.root, "dir"));
    const files = ["gone.txt", "blob.bin", "link.txt", "../outside.txt", "dir"];
    expect(await findConflictMarkers(repo.root, files)).toEqual([]);
  });
});

describe("the resolve prompt's inputs", () => {
  it("hold the conflicted files, both tasks and what each side changed since the merge base", async () => {
    const { worktree, git } = await conflictedLane();
    const inputs = await gatherResolveInputs({
      git,
      worktree,
      files: await conflictedFiles(git, worktree),
      lane: {
        ref: "HEAD",
        tasks: [{ id: "cheap-pear", title: "Make pears cheap", body: "Pear costs 1.\n" }],
      },
      incoming: {
        ref: "MERGE_HEAD",
        tasks: [{ id: "dear-pear", title: "Raise pear prices", body: "Pear costs 5.\n" }],
      },
    });
    const initial = (await git.run(["rev-parse", "main"])).stdout;
    expect(inputs.mergeBase).toBe(initial);
    expect(inputs.files).toEqual(["prices.txt"]);
    expect(inputs.lane.diffs[0]!.diff).toContain("-pear = 2\n+pear = 1");
    expect(inputs.incoming.diffs[0]!.diff).toContain("-pear = 2\n+pear = 5");
    expect(inputs.lane.diffs[0]!.diff).not.toContain("notes.md");
    const lane = describeSide(inputs.lane);
    expect(lane).toContain("### Task cheap-pear: Make pears cheap\n\nPear costs 1.");
    expect(lane).toContain("```diff\n");
    expect(lane).toContain("+pear = 1");
    expect(describeSide(inputs.incoming)).toContain("Raise pear prices");
  });

  it("bounds a long diff", async () => {
    repo = await makeRepo({ "big.txt": "start\n" });
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    await commitOnBranch(repo, "side", { "big.txt": `${lines}\n` });
    const inputs = await gatherResolveInputs({
      git: repo.git,
      worktree: repo.root,
      files: ["big.txt"],
      lane: { ref: "main", tasks: [] },
      incoming: { ref: "side", tasks: [] },
      maxDiffLines: 50,
    });
    const diff = inputs.incoming.diffs[0]!.diff.split("\n");
    expect(diff).toHaveLength(51);
    expect(diff.at(-1)).toMatch(/^\[… \d+ more lines of this diff\]$/);
    expect(describeSide(inputs.lane)).toContain("(no change on this side)");
  });
});
