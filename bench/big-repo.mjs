// Big repositories: 20,000 files (about 100 MB) in 40 packages. How long until one lane is ready
// — from starting `lanes run` on a one-task run to the moment its agent starts (the agent writes
// the time) — against a plain `git worktree add` of the same repository, interleaved A B A B:
// with a cold worktree pool (emptied first), a warm one (the previous run's lane reused), and a
// sparse lane (`lane.sparse`: one package of 40) from a cold pool and from a warm sparse one.
// Then 8 tasks at concurrency 2, lanes against the bare script (bench/lib/baseline.mjs) in the
// same repository. Alone: node bench/big-repo.mjs [--quick] [--reps N] (after npm run build).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runParallelScript } from "./lib/baseline.mjs";
import {
  git,
  interleaved,
  lanes,
  median,
  REPS,
  ROOT,
  reproduce,
  row,
  size,
  writeRepo,
} from "./lib/common.mjs";

const COMMAND = reproduce("bench/big-repo.mjs");
const PACKAGES = 40;

/** Which of the worktree pool's settings the built lanes knows (its settings schema). */
function poolSupport() {
  const file = path.join(ROOT, "settings.schema.json");
  const schema = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  return {
    pool: Boolean(schema.properties?.pool),
    sparse: Boolean(schema.properties?.lane?.properties?.sparse),
  };
}

/** `count` files of random text in PACKAGES folders, written before the repository's commit. */
function writeFiles(repo, count, bytes) {
  for (let i = 0; i < count; i++) {
    const folder = path.join(repo, "packages", `pkg-${String(i % PACKAGES).padStart(2, "0")}`);
    if (i < PACKAGES) mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, `file-${String(i).padStart(5, "0")}.txt`),
      randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64"),
    );
  }
}

/** lanes' repository with the big tree, and every task the section runs (none depends on another). */
function bigRepo(dir, { files, bytes, ids }) {
  const stamps = path.join(dir, "started");
  mkdirSync(stamps, { recursive: true });
  // The agent writes when it started (ms since the epoch) outside the repository, then one file.
  const agent = [
    "sh",
    "-c",
    `date +%s%3N > "${stamps}/$LANES_TASK_ID"; echo done > "out-$LANES_TASK_ID.txt"`,
  ];
  const repoDir = path.join(dir, "lanes");
  mkdirSync(path.join(repoDir, "repo"), { recursive: true });
  writeFiles(path.join(repoDir, "repo"), files, bytes);
  const repo = writeRepo(
    repoDir,
    ids.map((id) => ({ id, dependsOn: [], durationMs: 0 })),
    { agent: { command: agent } },
  );
  // Packed, as a cloned repository is: 20,000 loose objects would make the script's first commit
  // start a background `gc --auto` that competes with both sides.
  git(repo, "repack", "-adq");
  git(repo, "prune-packed");
  return { repo, agent, stamps };
}

/** No pooled worktree left: the next lane is created afresh (the deletion is not timed). */
function emptyPool(repo, root) {
  rmSync(path.join(root, ".pool"), { recursive: true, force: true });
  git(repo, "worktree", "prune");
}

/** From starting `lanes run <id>` to its agent's start, in ms. */
async function laneReady(repo, stamps, id, extraArgs = []) {
  const started = Date.now();
  const run = await lanes(repo, ["run", id, ...extraArgs]);
  if (run.code !== 0) throw new Error(`lanes run ${id} failed:\n${run.output.slice(-2000)}`);
  return Number(readFileSync(path.join(stamps, id), "utf8")) - started;
}

/** A plain `git worktree add` of a new branch, timed; removed afterwards, untimed. */
function plainAdd(repo, dir, name) {
  const wt = path.join(dir, "plain", name);
  const started = performance.now();
  git(repo, "worktree", "add", "--quiet", "-b", `plain/${name}`, wt, "HEAD");
  const ms = performance.now() - started;
  git(repo, "worktree", "remove", "--force", wt);
  return ms;
}

export async function benchBigRepo({
  files = size(20_000, 1_000),
  bytes = 5_000,
  tasks = size(8, 4),
  concurrency = 2,
  reps = REPS,
} = {}) {
  const support = poolSupport();
  const batch = (i, side) =>
    Array.from({ length: tasks }, (_, t) => `r${i}-${side}${String(t).padStart(2, "0")}`);
  const ids = Array.from({ length: reps }, (_, i) => [
    `cold-${i}`,
    `warm-${i}`,
    ...(support.sparse ? [`sparse-${i}`, `sparsewarm-${i}`] : []),
    ...batch(i, "l"),
  ]).flat();
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-big-"));
  try {
    process.stderr.write(`bench: big repository, writing ${files} files\n`);
    const { repo, stamps } = bigRepo(dir, { files, bytes, ids });
    const megabytes = Math.round((files * bytes) / 1e6);
    const label = `${files.toLocaleString("en-US")} files, ${megabytes} MB`;

    const root = path.join(dir, "lanes", "worktrees", "repo");
    const settingsFile = path.join(repo, ".lanes", "settings.json");
    const settings = readFileSync(settingsFile, "utf8");
    const sparseSettings = JSON.stringify({
      ...JSON.parse(settings),
      lane: { sparse: ["packages/pkg-00"] },
    });
    // A B A B: each lanes lane beside a plain `git worktree add`, `reps` times over.
    const ready = { cold: [], warm: [], sparse: [], sparseWarm: [] };
    const plain = [];
    for (let i = 0; i < reps; i++) {
      process.stderr.write(`bench: big repository, one lane ready, round ${i + 1} of ${reps}\n`);
      emptyPool(repo, root);
      ready.cold.push(await laneReady(repo, stamps, `cold-${i}`));
      plain.push(plainAdd(repo, dir, `cold-${i}`));
      ready.warm.push(await laneReady(repo, stamps, `warm-${i}`));
      plain.push(plainAdd(repo, dir, `warm-${i}`));
      if (support.sparse) {
        writeFileSync(settingsFile, sparseSettings);
        emptyPool(repo, root);
        ready.sparse.push(await laneReady(repo, stamps, `sparse-${i}`));
        plain.push(plainAdd(repo, dir, `sparse-${i}`));
        ready.sparseWarm.push(await laneReady(repo, stamps, `sparsewarm-${i}`));
        plain.push(plainAdd(repo, dir, `sparsewarm-${i}`));
        writeFileSync(settingsFile, settings);
      }
    }
    const plainMs = median(plain);
    const baseline = `git worktree add (median of ${plain.length})`;
    const lane = (what, values, goal = "") =>
      row(
        `big repository: one lane ready, ${what} (lanes start to agent start, median of ${values.length})`,
        median(values),
        "ms",
        baseline,
        plainMs,
        goal,
        COMMAND,
      );
    const [first, second] = support.pool
      ? ["cold pool", "warm pool"]
      : ["first run (lanes has no worktree pool yet)", "second run right after (no pool yet)"];
    const rows = [
      lane(`${first} (${label})`, ready.cold),
      lane(second, ready.warm, "<= 0.20x warm (5x faster)"),
    ];
    if (support.sparse) {
      rows.push(
        lane(`sparse, 1 of ${PACKAGES} packages, cold pool`, ready.sparse),
        lane(`sparse, 1 of ${PACKAGES} packages, warm pool`, ready.sparseWarm),
      );
    }

    process.stderr.write(`bench: big repository, ${tasks} tasks at concurrency ${concurrency}\n`);
    const { a, b } = await interleaved(
      reps,
      async (i) => {
        const run = await lanes(repo, [
          "run",
          ...batch(i, "l"),
          "--concurrency",
          String(concurrency),
        ]);
        if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
        return run.ms;
      },
      (i) => runParallelScript(repo, batch(i, "h"), { concurrency }).ms,
    );
    rows.push(
      row(
        `big repository: ${tasks} no-op tasks at concurrency ${concurrency}, wall time (${label}; median of ${reps})`,
        a,
        "ms",
        "script: worktree add + agent + commit + remove under xargs -P, then merge each",
        b,
        "<= 0.50x",
        COMMAND,
      ),
    );
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchBigRepo());
