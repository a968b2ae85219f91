/**
 * The typed event stream of a run. The orchestrator emits these; the reporters (live view, plain
 * lines, JSON), events.ndjson and API callers all consume the same stream.
 */
export type TaskRunStatus = "pending" | "running" | "done" | "failed" | "skipped";

/** Why an attempt or a task failed, instead of "exit code 1". */
export type FailureReason =
  | "auth"
  | "rate_limit"
  | "overloaded"
  | "timeout"
  | "crash"
  | "no_changes"
  | "conflict"
  | "verify"
  | "exit"
  | "spawn"
  | "interrupted"
  | "budget"
  | "dependency"
  | "git"
  /** The agent left its task file so that lanes cannot write the task's status into it. */
  | "task_file"
  /** A write failed because the disk holding the lanes or the repository is full. */
  | "disk_full"
  /** The lane's setup command (`lane.setup`) failed or timed out. */
  | "setup"
  /** A push or a GitHub API call for the task's pull request failed; its branch is kept. */
  | "github"
  /** The qa phase blocked the task, gave no verdict, or its loops were used up. */
  | "qa"
  /** Queue mode: a worker could not fetch the base commit or push its lane; the detail names the remote. */
  | "remote";

/** The steps of landing a task after its agent exited, in order. */
export type LandingStep = "committing" | "verifying" | "resolving" | "merging";

/** Whose processes lanes ended when they outlived it: an agent's attempt, a verify, the run. */
export type LeftoverSource = "agent" | "verify" | "run";

export interface TokenUsage {
  input: number;
  output: number;
}

interface Base {
  /** Milliseconds since the epoch. */
  time: number;
  runId: string;
}

export type LanesEvent = Base &
  (
    | {
        type: "run_started";
        tasks: string[];
        concurrency: number;
        integrationBranch: string;
        baseCommit: string;
        baseBranch: string | undefined;
      }
    | { type: "lane_ready"; taskId: string; worktree: string; branch: string }
    | {
        type: "task_started";
        taskId: string;
        phase: string;
        attempt: number;
        pgid: number | undefined;
        logPath: string;
        /** Queue mode: the `lanes worker` running the attempt (its name, host:pid by default). */
        worker?: string | undefined;
      }
    /** One complete line of agent output; emitted only when someone listens (`--stream`). */
    | { type: "task_output"; taskId: string; line: string }
    /** What the agent is doing now, parsed from its structured output: `Bash: npm test`. */
    | { type: "task_activity"; taskId: string; activity: string }
    | { type: "task_usage"; taskId: string; tokens: TokenUsage; cost: number | undefined }
    | {
        type: "attempt_failed";
        taskId: string;
        attempt: number;
        reason: FailureReason;
        detail: string;
        /** When set, the attempt is retried after this many milliseconds. */
        retryInMs: number | undefined;
      }
    | { type: "agent_exited"; taskId: string; attempt: number; durationMs: number; ok: boolean }
    /**
     * What lanes does with a task whose agent has exited and freed its slot: the live view shows
     * these apart from running agents. The step ends with `task_merged` or `task_finished`.
     */
    | { type: "task_step"; taskId: string; step: LandingStep }
    /**
     * A qa phase's verdict: `loop` counts the reviews of this task (1 = the first), `of` the most
     * it may have (qaLoops + 1). needs_work sends the findings back to exec while loops are left.
     */
    | {
        type: "qa_verdict";
        taskId: string;
        verdict: "ready" | "needs_work" | "blocked" | "none";
        findings: string[];
        loop: number;
        of: number;
      }
    /** A failed verify or a qa's findings go back to the agent: `loop` of at most `of`. */
    | {
        type: "task_loop";
        taskId: string;
        kind: "qa" | "verify";
        loop: number;
        of: number;
        why: string;
      }
    | { type: "task_merged"; taskId: string; commit: string }
    | {
        type: "task_finished";
        taskId: string;
        status: "done" | "failed" | "skipped";
        reason: FailureReason | undefined;
        detail: string | undefined;
        durationMs: number;
        logPath: string | undefined;
      }
    /** A pull request opened or updated: a task's (`--pr`), or the run's (`--pr run`, no taskId). */
    | {
        type: "pull_request";
        taskId: string | undefined;
        url: string;
        number: number;
        created: boolean;
      }
    | { type: "concurrency_changed"; from: number; to: number; why: string }
    | { type: "run_stopping"; why: string }
    /**
     * Processes an attempt or the run left running (a daemon in a new session, a double fork)
     * that lanes had to end; `how` says what found them: the attempt's cgroup or the
     * LANES_RUN_ID/LANES_TASK_ID sweep (where no cgroup could be made).
     */
    | {
        type: "processes_ended";
        taskId: string | undefined;
        source: LeftoverSource;
        how: "cgroup" | "environment";
        processes: { pid: number; command: string }[];
      }
    /** The lane's setup command (`lane.setup`) started, once per lane, before its agent. */
    | { type: "lane_setup"; taskId: string; logPath: string }
    /**
     * Two lanes not yet merged have changed the same files (seen in their diffs after an agent
     * phase): the merge of the second will likely conflict. Told once per pair and file.
     */
    | { type: "files_overlap"; a: string; b: string; files: string[] }
    /** Something the user should know that does not stop the run (a dirty main checkout). */
    | { type: "warning"; message: string }
    | {
        type: "run_finished";
        status: "done" | "failed" | "interrupted";
        counts: Record<TaskRunStatus, number>;
        durationMs: number;
        integrationBranch: string;
      }
  );

export type LanesEventType = LanesEvent["type"];
export type EventOf<T extends LanesEventType> = Extract<LanesEvent, { type: T }>;
