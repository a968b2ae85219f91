import { randomBytes } from "node:crypto";
import path from "node:path";
import {
  checkAgentPreflight,
  findExecutable,
  type ResolvedAgent,
  resolveAgent,
} from "../agents/presets.js";
import { loadPromptTemplate, loadPromptTemplates, type PromptPhase } from "../agents/prompt.js";
import { loadSettings } from "../config/load.js";
import type { Settings } from "../config/schema.js";
import { LanesError } from "../errors.js";
import { currentBranch, dirtyFiles, findRepoRoot, headCommit } from "../git/repo.js";
import { Git } from "../git/runner.js";
import { worktreeRoot } from "../git/worktrees.js";
import { checkLaneSettings } from "../lane/check-settings.js";
import type { LaneFilesPlan } from "../lane/files-check.js";
import { RESERVED_BRANCHES, taskBranchName } from "../names.js";
import type { SchedulerMode } from "../scheduler/types.js";
import { loadTasks } from "../tasks/load.js";
import type { Task } from "../tasks/task.js";
import { whyNotExecutable } from "./checks/agent-program.js";
import { checkNoOperationInProgress } from "./checks/repo-operation.js";
import { checkRunFolder } from "./checks/run-folder.js";
import { whereSet } from "./checks/where-set.js";
import { checkWorktreeRoot } from "./checks/worktree-dir.js";
import { type GithubRun, prepareGithubRun } from "./github-run.js";
import { collectTasks, withGithubPlan } from "./github-tasks.js";
import type { RunOptions } from "./options.js";
import { type Plan, planTasks, unmetDependencyWarnings } from "./plan.js";
import { landRecords, withLandedStatus } from "./records-on-landing.js";
import type { RunResult } from "./result.js";

/** Everything a run needs, checked before anything is started or written. */
export interface PreparedRun {
  runId: string;
  repoRoot: string;
  git: Git;
  settings: Settings;
  plan: Plan;
  tasks: Map<string, Task>;
  agents: Map<string, ResolvedAgent>;
  promptTemplate: string | undefined;
  /** `.lanes/prompts/<phase>.md` of the other phases (spec, qa, resolve), checked up front. */
  promptTemplates: Partial<Record<PromptPhase, string>>;
  mode: SchedulerMode;
  batches: string[][] | undefined;
  baseCommit: string;
  baseBranch: string | undefined;
  /** What the run should say as `warning` events when it starts (`--only` past an unmet dependency). */
  warnings: string[];
  /** Uncommitted files in the main checkout: not part of the lanes (a warning). */
  dirty: string[];
  worktreeRoot: string;
  timeoutMs: number;
  graceMs: number;
  /** What every new lane gets from the main checkout (lane.copy, lane.link, .worktreeinclude). */
  laneFiles: LaneFilesPlan;
  /** Pull requests and issue comments, when the run makes any. */
  github: GithubRun | undefined;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

function checkBatches(batches: string[][] | undefined, plan: Plan): string[][] | undefined {
  if (!batches || batches.length === 0) return undefined;
  const selected = new Set(plan.tasks.map((task) => task.id));
  const seen = new Map<string, number>();
  batches.forEach((batch, index) => {
    for (const id of batch) {
      if (!selected.has(id)) {
        throw new LanesError(
          "E_USAGE",
          `--batch names "${id}", which is not among the tasks to run`,
          {
            hint: `selected tasks: ${[...selected].join(", ") || "(none)"}`,
          },
        );
      }
      if (seen.has(id)) {
        throw new LanesError(
          "E_USAGE",
          `--batch names "${id}" twice (batches ${seen.get(id)! + 1} and ${index + 1})`,
          {
            hint: "each task belongs to one batch",
          },
        );
      }
      seen.set(id, index);
    }
  });
  const rest = [...selected].filter((id) => !seen.has(id));
  const groups = rest.length > 0 ? [...batches, rest] : batches;
  const batchOf = new Map(groups.flatMap((ids, index) => ids.map((id) => [id, index] as const)));
  for (const task of plan.tasks) {
    for (const dep of task.depends_on) {
      if (batchOf.has(dep) && batchOf.get(dep)! > batchOf.get(task.id)!) {
        throw new LanesError(
          "E_USAGE",
          `--batch puts "${task.id}" before its dependency "${dep}"`,
          { hint: `move "${dep}" to the same or an earlier --batch` },
        );
      }
    }
  }
  return groups;
}

/** Where an agent setting came from, for errors: the flag, the variable, the file and key, or the task. */
function agentSource(task: Task, source: string | undefined, repoRoot: string): string {
  if (task.agent) return `the agent of ${task.file}`;
  if (source === undefined) return "the default agent";
  if (source === "command line") return "the --agent flag";
  if (source === "environment") return "the LANES_AGENT environment variable";
  const file = path.relative(repoRoot, source);
  return `the "agent" setting in ${file.startsWith("..") ? source : file}`;
}

function resolveAgents(
  tasks: Task[],
  settings: Settings,
  settingsSource: string | undefined,
  repoRoot: string,
  env: NodeJS.ProcessEnv,
): Map<string, ResolvedAgent> {
  const agents = new Map<string, ResolvedAgent>();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  for (const task of tasks) {
    const setting = task.agent ?? settings.agent;
    // A relative program path means what it says in the settings file: from the repository root.
    const agent = resolveAgent(setting, { repoRoot });
    const where = agentSource(task, settingsSource, repoRoot);
    const program = agent.argv[0]!;
    const isPath = program.includes("/");
    const why = isPath ? whyNotExecutable(program) : undefined;
    if (why !== undefined) {
      throw new LanesError("E_AGENT", `agent command cannot run: ${why} (${where})`, {
        hint: why.endsWith("not executable")
          ? `make it executable (chmod +x ${program}, and commit the mode) or name its interpreter first, e.g. ["sh", "${path.relative(repoRoot, program) || program}"]`
          : "fix the command's first element (a path taken from the repository root when relative, or a program name on PATH)",
      });
    }
    if (program !== "" && !findExecutable(program, env.PATH ?? "", repoRoot)) {
      throw new LanesError("E_AGENT", `agent command not found: ${program} (${where})`, {
        hint:
          agent.name === "command"
            ? "install it or fix the command's first element (a program name on PATH, or a path, which is taken from the repository root when relative)"
            : `install the ${agent.name} CLI so that \`${program}\` is on PATH, or choose another agent`,
      });
    }
    const refusal = checkAgentPreflight(agent, { isRoot, env, source: where, cwd: repoRoot });
    if (refusal) throw refusal;
    agents.set(task.id, agent);
  }
  return agents;
}

/**
 * A `lanes/<id>` branch left from earlier (a failed lane kept for inspection, say) is reset for
 * the task's new lane when every commit on it is also on another branch; one holding commits of
 * its own is refused before anything starts: lanes never drops commits.
 */
async function checkLaneBranches(
  git: Git,
  lanes: { id: string; branch?: string | undefined }[],
): Promise<void> {
  // `refs/heads/lanes` matches that branch and every branch below lanes/.
  const { stdout } = await git.run(["for-each-ref", "--format=%(refname)", "refs/heads/lanes"]);
  const existing = new Set(
    stdout
      .split("\n")
      .filter(Boolean)
      .map((ref) => ref.slice("refs/heads/".length)),
  );
  // git cannot hold a branch and branches below it: a branch `lanes` or `lanes/run` would make
  // every lane branch, or every run's integration branch lanes/run/<run-id>, impossible.
  for (const blocker of RESERVED_BRANCHES) {
    if (!existing.has(blocker)) continue;
    throw new LanesError(
      "E_GIT",
      `branch ${blocker} is in the way: lanes keeps its branches under ${blocker}/ (${blocker === "lanes" ? "lanes/<task-id>" : "lanes/run/<run-id>"}), and git cannot have both`,
      { hint: `rename it (git branch -m ${blocker} <new-name>) and run again` },
    );
  }
  for (const lane of lanes) {
    const { id } = lane;
    const branch = taskBranchName(lane);
    if (!existing.has(branch)) continue;
    const own = await git.run([
      "rev-list",
      "-n1",
      branch,
      "--not",
      `--exclude=refs/heads/${branch}`,
      "--all",
    ]);
    if (own.stdout === "") continue;
    throw new LanesError(
      "E_GIT",
      `branch ${branch} already exists and holds commits that are on no other branch`,
      {
        hint: `task ${id} needs it for its lane: look at it (git log ${branch}), then merge it, rename it (git branch -m ${branch} <new-name>) or delete it (git branch -D ${branch}, or lanes clean --all for every finished run's lanes)`,
      },
    );
  }
}

/** Validates the whole run: repository, settings, tasks, selection, agents, prompt template. */
export async function prepareRun(
  options: RunOptions,
  {
    resuming = false,
    writeLandedRecords = false,
  }: {
    resuming?: boolean;
    /** Write the records of landed tasks into their files (a real run; never a dry run). */
    writeLandedRecords?: boolean;
  } = {},
): Promise<PreparedRun> {
  const env = options.env ?? process.env;
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const git = new Git(repoRoot);
  await checkNoOperationInProgress(git, repoRoot);
  // First among the files: a `.lanes` linked out of the repository holds the task files too.
  await checkRunFolder(repoRoot);
  const { settings, sources } = await loadSettings({
    repoRoot,
    env,
    ...(options.settings ? { flags: options.settings } : {}),
  });
  // Records of tasks whose work has landed since their run, for task files not committed as
  // they were run (records-on-landing.ts): they count as done from here on.
  const landed = await landRecords(git, { write: false });
  const files = withLandedStatus(await loadTasks(repoRoot), landed);
  // Issue numbers among the ids (and `--github --label`) add GitHub issues to the task files.
  const collected = await collectTasks(repoRoot, options, settings, env, files);
  const all = collected.tasks;
  const plan = withGithubPlan(
    planTasks(all, collected.request, settings.concurrency, settings.overlap),
    collected.github,
  );
  const tasks = new Map(all.map((task) => [task.id, task]));
  const selected = plan.tasks.map((task) => tasks.get(task.id)!);
  const batches = checkBatches(options.batches, plan);
  const agents = resolveAgents(selected, settings, sources.agent, repoRoot, env);
  const promptTemplate = await loadPromptTemplate(repoRoot, "exec");
  const promptTemplates = await loadPromptTemplates(repoRoot, ["spec", "qa", "resolve"]);
  const baseCommit = await headCommit(git);
  const baseBranch = await currentBranch(git);
  // A resumed run's own lane branches are reset by resume itself.
  if (!resuming)
    await checkLaneBranches(
      git,
      plan.tasks.map((task) => tasks.get(task.id)!),
    );
  const root = worktreeRoot(repoRoot, settings.worktreeDir);
  await checkWorktreeRoot(repoRoot, root, whereSet("worktreeDir", sources.worktreeDir, repoRoot));
  const laneFiles = await checkLaneSettings(repoRoot, settings.lane);
  // Queue mode (issue 14): the remote exists and Redis answers; loaded only with a queue.
  if (settings.queue?.url) {
    const { checkQueue } = await import("../queue/checks.js");
    await checkQueue(git, settings, options.mode ?? "parallel");
  }
  const github = await prepareGithubRun({
    repoRoot,
    settings,
    env,
    options,
    loaded: collected.github,
    baseBranch,
  });
  // Every check passed: now the landed records may go into their files.
  if (writeLandedRecords && landed.length > 0) await landRecords(git, { write: true });
  return {
    runId: newRunId(),
    repoRoot,
    git,
    settings,
    plan,
    tasks,
    agents,
    promptTemplate,
    promptTemplates,
    mode: options.mode ?? "parallel",
    batches,
    baseCommit,
    warnings: unmetDependencyWarnings(plan),
    baseBranch,
    // lanes reads its settings and task files from disk: those are not missing from the lanes.
    dirty: (await dirtyFiles(git)).filter((file) => !file.startsWith(".lanes/")),
    worktreeRoot: root,
    timeoutMs: settings.timeoutMs,
    graceMs: settings.gracePeriodMs,
    laneFiles,
    github,
  };
}

/**
 * The outcome of a run with nothing to do: no run id, branch or folder is made for it, so that
 * running again after everything is done leaves nothing to clean up.
 */
export function nothingToRun(prepared: PreparedRun): RunResult {
  const { plan } = prepared;
  const nothingToRun =
    prepared.tasks.size === 0
      ? "no task files in .lanes/tasks (`lanes init` writes an example)"
      : plan.already_done.length > 0
        ? `every selected task is done already (${plan.already_done.join(", ")})`
        : "every task is done already";
  return {
    runId: "",
    status: "done",
    exitCode: 0,
    integrationBranch: "",
    baseBranch: prepared.baseBranch,
    baseCommit: prepared.baseCommit,
    landed: false,
    durationMs: 0,
    tasks: [],
    nothingToRun,
  };
}
