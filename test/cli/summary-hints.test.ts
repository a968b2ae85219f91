// What the summary tells a user to do next, end to end through the built CLI: after Ctrl-C,
// `lanes resume`, not a merge; when the base branch moved during the run, a merge that works.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

async function waitFor(read: () => string, text: string): Promise<void> {
  while (!read().includes(text)) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("summary hints", () => {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it("after Ctrl-C suggests lanes resume instead of landing", async () => {
    repo = await scriptedRepo(
      { fast: task("Fast"), slow: task("Slow") },
      { fast: { sleepMs: 0 }, slow: { sleepMs: 60_000 } },
    );
    const cli = startCli(["run"], repo.root);
    await waitFor(cli.stdout, "fast done");
    cli.child.kill("SIGINT");
    const { code } = await cli.exited;
    expect(code, cli.stdout() + cli.stderr()).toBe(130);
    expect(cli.stdout()).toMatch(/^Integration branch: lanes\/run\/\S+ — 1 merged so far$/m);
    expect(cli.stdout()).toMatch(/^Interrupted: lanes resume goes on where the run stopped$/m);
    expect(cli.stdout()).not.toContain("--ff-only");
  });

  it("when the base branch moved during the run, suggests a merge that works", async () => {
    repo = await scriptedRepo({ a: task("A") }, { a: { sleepMs: 0 } }, {});
    // The verify step commits on main in the main checkout: the base moves while lanes runs.
    const settings = {
      verify: ["sh", "-c", `git -C "$0" commit --quiet --allow-empty -m moved`, repo.root],
    };
    const file = path.join(repo.root, ".lanes", "settings.json");
    const current = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...current, ...settings }));
    await repo.repo.git.run(["commit", "--quiet", "--all", "-m", "verify moves main"]);

    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const hint =
      /^Integration branch: (\S+) — main has moved on since the run started, so land it with a merge: git merge (\S+)$/m.exec(
        run.stdout,
      );
    expect(hint, run.stdout).not.toBeNull();
    expect(hint![2]).toBe(hint![1]);
    const merge = await repo.repo.git.run(["merge", "--quiet", "--no-edit", hint![2]!], {
      allowFail: true,
    });
    expect(merge.exitCode, merge.stderr).toBe(0);
  });
});
