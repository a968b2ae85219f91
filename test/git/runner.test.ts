// The git runner: failures become LanesError E_GIT, and exclusive() serialises per repository.
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { Git } from "../../src/git/runner.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo;
afterEach(async () => {
  await repo?.cleanup();
});

describe("Git.run", () => {
  it("throws E_GIT naming the command and git's message", async () => {
    repo = await makeRepo();
    const error = await repo.git.run(["rev-parse", "--verify", "nope"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanesError);
    expect(error).toMatchObject({ code: "E_GIT", exitCode: 1 });
    expect((error as Error).message).toContain("git rev-parse --verify nope");
    expect((error as Error).message).toContain("Needed a single revision");
  });

  it("returns the exit code instead with allowFail", async () => {
    repo = await makeRepo();
    const result = await repo.git.run(["rev-parse", "--verify", "nope"], { allowFail: true });
    expect(result.exitCode).toBe(128);
  });

  it("ignores a GIT_DIR inherited from a git hook", async () => {
    repo = await makeRepo();
    const other = await makeRepo();
    process.env.GIT_DIR = `${other.root}/.git`;
    try {
      const { stdout } = await repo.git.run(["rev-parse", "--show-toplevel"]);
      expect(stdout).toBe(repo.root);
    } finally {
      delete process.env.GIT_DIR;
      await other.cleanup();
    }
  });
});

describe("Git.exclusive", () => {
  it("runs one operation at a time per repository, across Git instances and worktrees", async () => {
    repo = await makeRepo();
    const other = new Git(repo.root);
    let running = 0;
    let most = 0;
    const op = (git: Git) =>
      git.exclusive(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => op(i % 2 ? repo.git : other)));
    expect(most).toBe(1);
  });

  it("keeps going after a failed operation and allows nesting", async () => {
    repo = await makeRepo();
    await expect(repo.git.exclusive(() => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    const nested = await repo.git.exclusive(() => repo.git.exclusive(async () => 42));
    expect(nested).toBe(42);
  });
});
