// kill -9 trials: start `lanes run` on a sample repository, kill the orchestrator with SIGKILL at
// a chosen moment, then `lanes resume --yes` until the run finishes, and count what went wrong:
// tasks lost, finished tasks run again, processes left behind, worktrees left after `lanes clean`,
// and whether a new `lanes run` then works. Moments are random times or a step of a lane's life
// (LANE_STEPS: create, agent, commit, verify, merge, remove). Used by `npm run bench` and by the
// test suite (fixed moments).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "./random-dag.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "dist", "cli", "main.js");

function cleanEnv(extra = {}) {
  const env = {
    ...process.env,
    CI: "1",
    NO_COLOR: "1",
    LANES_USER_SETTINGS: "/nonexistent/lanes.json",
  };
  for (const name of Object.keys(env))
    if (name.startsWith("LANES_") && name !== "LANES_USER_SETTINGS") delete env[name];
  return { ...env, ...extra };
}

function lanes(cwd, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code, output }));
  });
}

function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

/** Events the killed run wrote so far (events.ndjson of its run folder). */
function readEvents(repo) {
  const runs = path.join(repo, ".lanes", "runs");
  if (!existsSync(runs)) return [];
  const events = [];
  for (const id of readdirSync(runs, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)) {
    const file = path.join(runs, id, "events.ndjson");
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      try {
        if (line) events.push(JSON.parse(line));
      } catch {
        // A line cut by the kill.
      }
    }
  }
  return events;
}

function startsFile(repo) {
  const file = path.join(path.dirname(repo), "starts.txt");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [task, attempt, pid] = line.split(" ");
      return { task, attempt: Number(attempt), pid: Number(pid) };
    });
}

/** Live processes carrying a run's marker: nothing of a finished run may be left. */
function leftoverProcesses(marker) {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") continue;
      if (readFileSync(`/proc/${entry}/environ`).includes(marker)) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** The task ids of every "Merge lanes task" commit on a run's integration branch (none if absent). */
function mergesOn(repo, runId) {
  if (!runId) return [];
  let subjects;
  try {
    subjects = git(repo, "log", "--format=%s", `lanes/run/${runId}`, "--");
  } catch {
    return []; // killed before the branch was created
  }
  return subjects
    .split("\n")
    .map((subject) => /^Merge lanes task ([^:]+):/.exec(subject)?.[1])
    .filter(Boolean);
}

/**
 * The steps of a lane's life, each as the event that marks it: the trial kills when the event's
 * nth occurrence is in events.ndjson, so the kill lands during the step (or, for "remove", in
 * the moments after the merge when the lane's folder is removed).
 */
export const LANE_STEPS = {
  create: "lane_ready", // the worktree was just made; the next ones are being made
  agent: "task_started",
  commit: "task_step:committing",
  verify: "task_step:verifying",
  merge: "task_step:merging",
  remove: "task_merged", // the merged lane's folder goes right after this
};

/** Whether `event` is the moment `killWhen` names: an event type, or `task_step:<step>`. */
function isMoment(event, killWhen) {
  const [type, step] = killWhen.split(":");
  return event.type === type && (step === undefined || event.step === step);
}

/** Tasks: a diamond, a chain and loose ends; each agent sleeps a little and writes a file. */
export function writeTrialRepo(dir, { tasks = 8, sleepMs = [200, 700], seed = 1 } = {}) {
  const repo = path.join(dir, "repo");
  const random = mulberry32(seed);
  execFileSync("mkdir", ["-p", path.join(repo, ".lanes", "tasks")]);
  const script = {};
  for (let i = 0; i < tasks; i++) {
    const id = `t${String(i).padStart(2, "0")}`;
    const deps =
      i === 0
        ? []
        : i % 3 === 0
          ? [`t${String(i - 1).padStart(2, "0")}`, `t${String(i - 3).padStart(2, "0")}`]
          : i % 3 === 1
            ? [`t${String(i - 1).padStart(2, "0")}`]
            : [];
    execFileSync("sh", ["-c", 'cat > "$1"', "sh", path.join(repo, ".lanes", "tasks", `${id}.md`)], {
      input: `---\ntitle: Task ${id}\ndepends_on: [${deps.join(", ")}]\n---\nWrite ${id}.txt\n`,
    });
    script[id] = {
      sleepMs: Math.round(sleepMs[0] + random() * (sleepMs[1] - sleepMs[0])),
      files: { [`${id}.txt`]: `${id}\n` },
    };
  }
  const plan = path.join(dir, "script.json");
  execFileSync("sh", ["-c", 'cat > "$1"', "sh", plan], { input: JSON.stringify(script) });
  const settings = {
    concurrency: 3,
    timeout: "1m",
    gracePeriod: "2s",
    worktreeDir: path.join(dir, "worktrees"),
    // A verify that takes a moment, so that a kill can land while it runs.
    verify: [process.execPath, "-e", "setTimeout(() => {}, 150)"],
    agent: {
      command: [process.execPath, path.join(ROOT, "dist", "agents", "scripted-agent.js")],
      env: { LANES_SCRIPT_PLAN: plan, LANES_SCRIPT_STARTS: path.join(dir, "starts.txt") },
    },
  };
  execFileSync("sh", ["-c", 'cat > "$1"', "sh", path.join(repo, ".lanes", "settings.json")], {
    input: JSON.stringify(settings),
  });
  git(repo, "init", "--quiet", "--initial-branch=main");
  git(repo, "config", "user.name", "trial");
  git(repo, "config", "user.email", "trial@lanes.invalid");
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "trial tasks");
  return { repo, ids: Object.keys(script) };
}

/**
 * One trial. `killWhen` is either a number of milliseconds after the start, or an event type
 * (`lane_ready`, `task_started`, `agent_exited`, `task_merged`, or `task_step:<step>`; see
 * LANE_STEPS) whose `nth` occurrence triggers the kill. After the resume and `lanes clean`, a new
 * `lanes run` of the same tasks must work too (`rerunExit`): nothing the kill left may block it.
 */
export async function killResumeTrial({ killWhen, nth = 1, tasks = 8, seed = 1, sleepMs } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-trial-"));
  try {
    const { repo, ids } = writeTrialRepo(dir, { tasks, seed, ...(sleepMs ? { sleepMs } : {}) });
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, "run"], {
      cwd: repo,
      env: cleanEnv(),
      stdio: "ignore",
    });
    const exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    let killed = false;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const due =
        typeof killWhen === "number"
          ? Date.now() - started >= killWhen
          : readEvents(repo).filter((event) => isMoment(event, killWhen)).length >= nth;
      if (due) {
        child.kill("SIGKILL");
        killed = true;
        break;
      }
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await exited;
    // The run folder, not the events: a kill before the first event may follow run.json.
    const runsDir = path.join(repo, ".lanes", "runs");
    let runId = existsSync(runsDir)
      ? readdirSync(runsDir, { withFileTypes: true }).find((entry) => entry.isDirectory())?.name
      : undefined;
    const mergedAtKill = new Set(
      readEvents(repo)
        .filter((e) => e.type === "task_merged")
        .map((e) => e.taskId),
    );
    const mergedInGit = new Set(mergesOn(repo, runId));
    const startsBefore = startsFile(repo).length;
    let resumes = 0;
    let last = { code: 0, output: "" };
    const statusOf = (id) =>
      JSON.parse(readFileSync(path.join(runsDir, id, "run.json"), "utf8")).status;
    if (killed && runId && statusOf(runId) !== "done") {
      do {
        last = await lanes(repo, ["resume", "--yes"]);
        resumes++;
      } while (last.code !== 0 && resumes < 3);
    } else if (killed && !runId) {
      // Killed before the run wrote anything: what a user does is run it again.
      last = await lanes(repo, ["run"]);
      runId = readdirSync(runsDir, { withFileTypes: true }).find((entry) =>
        entry.isDirectory(),
      )?.name;
    }
    const starts = startsFile(repo);
    const after = starts.slice(startsBefore);
    const state = runId
      ? JSON.parse(readFileSync(path.join(repo, ".lanes", "runs", runId, "run.json"), "utf8"))
      : undefined;
    const done = ids.filter((id) => state?.tasks[id]?.status === "done");
    const mergeCounts = new Map();
    for (const id of mergesOn(repo, runId)) mergeCounts.set(id, (mergeCounts.get(id) ?? 0) + 1);
    const finishedBeforeKill = new Set([...mergedAtKill, ...mergedInGit]);
    const runTwice = [
      ...new Set([
        ...after.filter((start) => finishedBeforeKill.has(start.task)).map((start) => start.task),
        ...[...mergeCounts].filter(([, count]) => count > 1).map(([id]) => id),
      ]),
    ];
    const clean = await lanes(repo, ["clean", "--all", "--yes"]);
    const worktrees = git(repo, "worktree", "list", "--porcelain")
      .split("\n")
      .filter((line) => line.startsWith("worktree ")).length;
    const leftovers = runId ? leftoverProcesses(`LANES_RUN_ID=${runId}`) : [];
    // The run's work is on its integration branch, not on main: a new run does every task again,
    // on the same lane paths and branch names the killed run used.
    const rerun = await lanes(repo, ["run"]);
    const rerunId = readdirSync(runsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== runId)
      .map((entry) => entry.name)[0];
    if (rerunId) leftovers.push(...leftoverProcesses(`LANES_RUN_ID=${rerunId}`));
    await lanes(repo, ["clean", "--all", "--yes"]);
    const worktreesAfterRerun = git(repo, "worktree", "list", "--porcelain")
      .split("\n")
      .filter((line) => line.startsWith("worktree ")).length;
    return {
      killed,
      killWhen,
      runId,
      resumes,
      resumeExit: last.code,
      resumeOutput: last.output,
      tasks: ids.length,
      done: done.length,
      lost: ids.length - done.length,
      runTwice,
      leftovers,
      worktrees,
      cleanExit: clean.code,
      cleanOutput: clean.output,
      rerunExit: rerun.code,
      rerunOutput: rerun.output,
      worktreesAfterRerun,
      mergedAtKill: finishedBeforeKill.size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
