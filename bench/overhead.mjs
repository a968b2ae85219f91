// lanes' own overhead: 100 independent tasks whose agent does nearly nothing (writes one file),
// worktrees and merges on, against a bare shell script doing what a user would do by hand —
// git worktree add, run the agent, commit, git worktree remove — under xargs -P at the same
// concurrency (with flock around git's shared metadata, as parallel worktree adds race).
// Alone: node bench/overhead.mjs (after npm run build).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { git, lanes, row, writeRepo } from "./lib/common.mjs";

const COMMAND = "node bench/overhead.mjs";
const AGENT = ["sh", "-c", 'echo done > "out-$LANES_TASK_ID.txt"'];

const BY_HAND = `#!/bin/sh
# One task: what a user does by hand for each lane.
set -e
id="$1"; repo="$2"; wt="$3/$id"
flock "$repo/.git/by-hand.lock" git -C "$repo" worktree add --quiet -b "hand/$id" "$wt" HEAD
(cd "$wt" && LANES_TASK_ID="$id" sh -c 'echo done > "out-$LANES_TASK_ID.txt"' < /dev/null && git add -A && git commit --quiet -m "task $id")
flock "$repo/.git/by-hand.lock" git -C "$repo" worktree remove "$wt"
`;

export async function benchOverhead({ tasks = 100, concurrency = 3 } = {}) {
  const ids = Array.from({ length: tasks }, (_, i) => `t${String(i).padStart(3, "0")}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-overhead-"));
  try {
    const repo = writeRepo(
      path.join(dir, "lanes"),
      ids.map((id) => ({ id, dependsOn: [], durationMs: 0 })),
      { concurrency, agent: { command: AGENT } },
    );
    const run = await lanes(repo, ["run"]);
    if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);

    const handRepo = path.join(dir, "hand", "repo");
    execFileSync("mkdir", ["-p", handRepo, path.join(dir, "hand", "wt")]);
    git(handRepo, "init", "--quiet", "--initial-branch=main");
    git(
      handRepo,
      "-c",
      "user.name=b",
      "-c",
      "user.email=b@b",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "start",
    );
    git(handRepo, "config", "user.name", "bench");
    git(handRepo, "config", "user.email", "bench@lanes.invalid");
    const script = path.join(dir, "hand", "task.sh");
    writeFileSync(script, BY_HAND, { mode: 0o755 });
    const started = performance.now();
    execFileSync(
      "xargs",
      ["-P", String(concurrency), "-I{}", script, "{}", handRepo, path.join(dir, "hand", "wt")],
      {
        input: `${ids.join("\n")}\n`,
      },
    );
    const byHand = performance.now() - started;
    return [
      row(
        `overhead: wall time, ${tasks} near-empty tasks, concurrency ${concurrency} (lanes merges too)`,
        run.ms,
        "ms",
        "shell script under xargs -P",
        byHand,
        "<= 1.10x the script",
        COMMAND,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchOverhead());
