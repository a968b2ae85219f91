// `lanes clean --all` after a run killed with kill -9 and never resumed: the agent it left
// running is ended (not left writing into a folder that is about to go), the lane that had been
// set up gets its `lane.teardown`, and then nothing of the run is left: no process, no worktree.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingRunning, worktreePaths } from "../faults/helpers.js";
import { runCli, startCli } from "../helpers/cli.js";
import { readRun, readStarts, runRepo, waitForStarts } from "../run/helpers.js";

describe("lanes clean after a killed run", () => {
  it("ends the agent the dead run left, tears its lane down, then removes it", async () => {
    const repo = await runRepo({
      tasks: { stuck: {} },
      plan: { stuck: { hang: true } },
      settings: {
        gracePeriod: "1s",
        lane: {
          setup: ["sh", "-c", "true"],
          // The clean process's environment reaches the teardown: the marker path comes from it.
          teardown: ["sh", "-c", 'echo "$LANES_TASK_ID $LANES_RUN_ID" > "$TEARDOWN_MARK"'],
        },
      },
    });
    const lanes = startCli(["run"], repo.root);
    const [start] = await waitForStarts(repo.startsFile, 1);
    lanes.child.kill("SIGKILL");
    await lanes.exited;
    const { id } = await readRun(repo.root);
    expect(readStarts(repo.startsFile).map((s) => s.task)).toEqual(["stuck"]);

    const dry = await runCli(["clean", "--all", "--dry-run"], { cwd: repo.root });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`Would end 1 process of run ${id} — .*crashed run`));
    expect(() => process.kill(start!.pid, 0)).not.toThrow(); // a dry run ends nothing

    const mark = path.join(repo.dir, "teardown.txt");
    const cleaned = await runCli(["clean", "--all", "--yes"], {
      cwd: repo.root,
      env: { TEARDOWN_MARK: mark },
    });
    expect(cleaned.exitCode, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`Ended 1 process of run ${id}`);
    await expectNothingRunning(id);
    expect((await readFile(mark, "utf8")).trim()).toBe(`stuck ${id}`);
    expect(await worktreePaths(repo)).toEqual([repo.root]);
    expect(existsSync(path.join(repo.dir, ".lanes-worktrees", "repo", "stuck"))).toBe(false);

    const again = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
    expect(again.stdout).not.toContain("process");
  });
});
