// The overlap warning reads a lane once, when its own agent exits, and keeps what it read while
// the lane is landed; a pair is told when the second of the two agents exits, while the first
// lane is still in flight (a lane whose agent still runs is not read: that cost idle slots).
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headCommit } from "../../src/git/repo.js";
import type { LanesEvent } from "../../src/index.js";
import { Ledger } from "../../src/run/ledger.js";
import { OverlapWatch } from "../../src/run/overlap-watch.js";
import { TaskRuntime } from "../../src/run/task-runtime.js";
import { runDir } from "../../src/state/layout.js";
import { emptyTaskState, type RunState } from "../../src/state/run-state.js";
import type { Task } from "../../src/tasks/task.js";
import { makeRepo, type TestRepo, writeFiles } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function setup() {
  repo = await makeRepo({ "shared.txt": "s\n" });
  const base = await headCommit(repo.git);
  const runtimes: TaskRuntime[] = [];
  for (const id of ["a", "b"]) {
    const worktree = path.join(repo.dir, "worktrees", id);
    await repo.git.run(["worktree", "add", "--quiet", "-b", `lanes/${id}`, worktree, base]);
    const record = { ...emptyTaskState(`lanes/${id}`), status: "running" as const };
    Object.assign(record, { worktree, startCommit: base });
    runtimes.push(new TaskRuntime({ id } as Task, record, 0));
  }
  await mkdir(runDir(repo.root, "r1"), { recursive: true });
  const events: LanesEvent[] = [];
  const state = { id: "r1", tasks: {}, order: [] } as unknown as RunState;
  const ledger = new Ledger("r1", repo.root, state, (event) => events.push(event));
  return { runtimes, events, ledger, watch: new OverlapWatch(ledger) };
}

const overlaps = (events: LanesEvent[]) => events.filter((e) => e.type === "files_overlap");

describe("OverlapWatch", () => {
  it("keeps a landed lane's files from its own exit: a change after it is not read again", async () => {
    const { runtimes, events, ledger, watch } = await setup();
    const [a, b] = runtimes as [TaskRuntime, TaskRuntime];
    await writeFiles(a.record.worktree!, { "a.txt": "a\n" });
    await watch.observe(runtimes, a);
    // After a's exit (its record, say): not a's agent's work, and not read again.
    await writeFiles(a.record.worktree!, { "shared.txt": "from a's landing\n" });
    await writeFiles(b.record.worktree!, { "shared.txt": "from b\n" });
    await watch.observe(runtimes, b);
    await ledger.close();
    expect(overlaps(events)).toEqual([]);
    expect(await readFile(path.join(a.record.worktree!, "shared.txt"), "utf8")).toContain("a's");
  });

  it("tells a pair when the second agent exits while the first lane is being landed", async () => {
    const { runtimes, events, ledger, watch } = await setup();
    const [a, b] = runtimes as [TaskRuntime, TaskRuntime];
    await writeFiles(b.record.worktree!, { "shared.txt": "from b\n" });
    await watch.observe(runtimes, b); // a's agent still runs: it is not read
    expect(overlaps(events)).toEqual([]);
    await writeFiles(a.record.worktree!, { "shared.txt": "from a\n" });
    await watch.observe(runtimes, a); // b is still being landed: the pair is told now
    await ledger.close();
    expect(overlaps(events)).toMatchObject([{ a: "a", b: "b", files: ["shared.txt"] }]);
  });

  it("does not compare with a lane that is no longer in flight (merged)", async () => {
    const { runtimes, events, ledger, watch } = await setup();
    const [a, b] = runtimes as [TaskRuntime, TaskRuntime];
    await writeFiles(b.record.worktree!, { "shared.txt": "from b\n" });
    await watch.observe(runtimes, b);
    b.record.status = "done";
    await writeFiles(a.record.worktree!, { "shared.txt": "from a\n" });
    await watch.observe(runtimes, a);
    await ledger.close();
    expect(overlaps(events)).toEqual([]);
  });
});
