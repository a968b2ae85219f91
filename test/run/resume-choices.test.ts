// `lanes resume` on a run interrupted while nothing had failed: --abort starts nothing, --fresh
// abandons it and runs its tasks in a new run, and a plain resume goes on with the options the
// run was started with (flags given to resume win), each task timed from its own new start.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingRunning, startCli, useFaultAgent } from "../faults/helpers.js";
import { runCli } from "../helpers/cli.js";
import { type RunRepo, readRun, readStarts, runIds, runRepo, waitForStarts } from "./helpers.js";

/** Three hanging agents started with `run ...flags` (settings say concurrency 2), then Ctrl-C. */
async function interruptedRun(flags: string[]): Promise<{ repo: RunRepo; id: string }> {
  const repo = await runRepo({ tasks: { a: {}, b: {}, c: {} } });
  await useFaultAgent(repo, "hang", { concurrency: 2, gracePeriod: "1s" });
  const lanes = startCli(["run", ...flags], repo.root);
  await waitForStarts(repo.startsFile, 3);
  lanes.child.kill("SIGINT");
  expect((await lanes.exited).code, lanes.stderr()).toBe(130);
  const { id, state } = await readRun(repo.root);
  expect(state.status).toBe("interrupted");
  expect(Object.values(state.tasks).every((task) => task.status === "pending")).toBe(true);
  // From here on the agents would do their work at once: whatever starts, finishes.
  await writeFile(path.join(repo.dir, "release"), "");
  return { repo, id };
}

describe("lanes resume on a run where nothing failed", () => {
  it("--abort abandons the run and starts no agent", async () => {
    const { repo, id } = await interruptedRun(["--concurrency", "3"]);
    const startsBefore = readStarts(repo.startsFile).length;

    const result = await runCli(["resume", "--abort"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`lanes: run ${id} abandoned; nothing was started`);
    expect(readStarts(repo.startsFile)).toHaveLength(startsBefore);
    expect((await readRun(repo.root)).state.status).toBe("abandoned");
    await expectNothingRunning(id);

    // Abandoned means gone for resume, and no reason for a new run to stop.
    const again = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("there is no unfinished run to resume");
  });

  it("--fresh abandons the run and runs its tasks in a new one, with the run's options", async () => {
    const { repo, id } = await interruptedRun(["--concurrency", "3"]);

    const result = await runCli(["resume", "--fresh"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const ids = runIds(repo.root);
    expect(ids).toHaveLength(2);
    const fresh = ids.find((other) => other !== id)!;
    expect((await readRun(repo.root, id)).state.status).toBe("abandoned");
    const { state, events } = await readRun(repo.root, fresh);
    expect(state.status).toBe("done");
    expect(state.options.concurrency).toBe(3);
    expect(events.find((e) => e.type === "run_started")).toMatchObject({ concurrency: 3 });
    // The new run started each task anew: attempt 1 of a, b and c after the three hung ones.
    const newStarts = readStarts(repo.startsFile).slice(3);
    expect(newStarts.map((s) => `${s.task} ${s.attempt}`).sort()).toEqual(["a 1", "b 1", "c 1"]);
    await expectNothingRunning(id);
  });

  it("--yes goes on with the run's own options, and times tasks from their new start", async () => {
    const { repo, id } = await interruptedRun(["--concurrency", "3"]);

    const result = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { state, events } = await readRun(repo.root, id);
    expect(state.status).toBe("done");
    const started = events.filter((e) => e.type === "run_started");
    expect(started).toHaveLength(2);
    // The settings say 2; the run was started with 3, and is resumed with 3.
    expect(started.map((e) => e.type === "run_started" && e.concurrency)).toEqual([3, 3]);
    expect(state.options.concurrency).toBe(3);
    // Each task ran again after the resume began: it took no longer than the time since then.
    const resumedAt = started[1]!.time;
    for (const taskId of ["a", "b", "c"]) {
      const finished = events.find((e) => e.type === "task_finished" && e.taskId === taskId)!;
      expect(finished.type === "task_finished" && finished.durationMs).toBeLessThanOrEqual(
        finished.time - resumedAt,
      );
      expect(state.tasks[taskId]!.durationMs).toBeLessThanOrEqual(finished.time - resumedAt);
    }
  });

  it("flags given to resume win over the run's options, and are kept for the next resume", async () => {
    const { repo, id } = await interruptedRun(["--concurrency", "3"]);

    const result = await runCli(["resume", "--yes", "--concurrency", "1"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { state, events } = await readRun(repo.root, id);
    const started = events.filter((e) => e.type === "run_started");
    expect(started.map((e) => e.type === "run_started" && e.concurrency)).toEqual([3, 1]);
    expect(state.options.concurrency).toBe(1);
  });
});
