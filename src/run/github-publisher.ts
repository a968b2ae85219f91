/**
 * What a run leaves on GitHub, as it goes: per done task its pushed branch and pull request
 * (`--pr`), one pull request for the integration branch at the end (`--pr run`), and one comment
 * per issue kept up to date (`--comment`). It also says where a lane starts when every task gets
 * its own pull request: from the base commit, or from its one in-run dependency's pushed commit
 * (stacked), so that each pull request's diff is that task's work alone. A failed push or API call
 * fails the task with reason `github`; a failed comment is a warning, since the work is intact.
 */
import {
  type InRunDependency,
  publishRunPr,
  publishTaskPr,
  pushBranch,
  type RunPrTask,
  type TaskProgress,
  taskCommentBody,
  upsertIssueComment,
} from "../github/index.js";
import type { PullRequestRecord, TaskState } from "../state/run-state.js";
import { finalAgentMessage, logTail } from "./agent-message.js";
import type { AttemptFailure } from "./attempt.js";
import type { LanesEvent } from "./events.js";
import type { GithubRun } from "./github-run.js";
import { errorDetail } from "./landing.js";
import type { Ledger } from "./ledger.js";
import type { PreparedRun } from "./prepare.js";
import type { TaskRuntime } from "./task-runtime.js";

export class GithubPublisher {
  /** Per issue, the comment updates in order: a later state never lands before an earlier one. */
  private readonly comments = new Map<number, Promise<void>>();
  private readonly commented = new Set<string>();

  constructor(
    private readonly prepared: PreparedRun,
    private readonly github: GithubRun,
    private readonly ledger: () => Ledger,
  ) {}

  private get tasks(): Record<string, TaskState> {
    return this.ledger().state.tasks;
  }

  /** The task's dependencies that are part of this run. */
  private inRunDependencies(runtime: TaskRuntime): string[] {
    return runtime.task.dependsOn.filter((dep) => this.tasks[dep] !== undefined);
  }

  /**
   * Where the task's lane starts so that its pull request holds only its work: the base commit, or
   * the commit its one in-run dependency was pushed at. Undefined: the integration branch's head
   * (several in-run dependencies, whose work only that holds; or no pull request per task).
   */
  startPoint(runtime: TaskRuntime): string | undefined {
    if (this.github.pr !== "task") return undefined;
    const deps = this.inRunDependencies(runtime);
    // The run's own base (a resumed run's HEAD may have moved since).
    if (deps.length === 0) return this.ledger().state.baseCommit;
    if (deps.length === 1) return this.tasks[deps[0]!]?.pullRequest?.commit;
    return undefined;
  }

  /** The branch pull requests merge into: the run's base branch, as the run was started. */
  private get baseBranch(): string {
    return this.ledger().state.baseBranch ?? this.github.baseBranch;
  }

  /** Pushes a landed task's branch and opens or updates its pull request; a failure to report. */
  async publishTask(runtime: TaskRuntime): Promise<AttemptFailure | undefined> {
    if (this.github.pr !== "task") return undefined;
    const { prepared, github } = this;
    const { record, task } = runtime;
    try {
      const commit = (
        await prepared.git.run(["rev-parse", "--verify", `refs/heads/${record.branch}^{commit}`])
      ).stdout.trim();
      await pushBranch({ cwd: prepared.repoRoot, branch: record.branch, remote: github.remote });
      const inRun: InRunDependency[] = this.inRunDependencies(runtime).map((dep) => {
        const depRecord = this.tasks[dep]!;
        return {
          id: dep,
          branch: depRecord.branch,
          ...(depRecord.issue === undefined ? {} : { issueNumber: depRecord.issue }),
        };
      });
      const verify = prepared.settings.verify;
      const agentMessage = await finalAgentMessage(
        record.logPath,
        prepared.agents.get(task.id)?.name ?? "command",
      );
      const pr = await publishTaskPr({
        client: github.client,
        task: {
          id: task.id,
          title: task.title,
          branch: record.branch,
          ...(task.issue ? { issue: { number: task.issue.number } } : {}),
        },
        baseBranch: this.baseBranch,
        inRunDependencies: inRun,
        runId: prepared.runId,
        ...(agentMessage === undefined ? {} : { agentMessage }),
        ...(verify === undefined
          ? {}
          : {
              verify: {
                command: typeof verify === "string" ? verify : verify.join(" "),
                passed: true,
              },
            }),
        draft: github.draft,
      });
      record.pullRequest = {
        url: pr.url,
        number: pr.number,
        base: pr.base,
        head: record.branch,
        commit,
      } satisfies PullRequestRecord;
      this.ledger().emit({
        type: "pull_request",
        taskId: task.id,
        url: pr.url,
        number: pr.number,
        created: pr.created,
      });
      this.ledger().save();
      return undefined;
    } catch (error) {
      return {
        reason: "github",
        detail: `${errorDetail(error)}; the branch ${record.branch} is kept`,
        retryable: false,
      };
    }
  }

  /** Keeps each issue's comment in step with its task (`--comment`). */
  onEvent(event: LanesEvent): void {
    if (!this.github.comment) return;
    if (event.type === "task_started" && !this.commented.has(event.taskId)) {
      this.commented.add(event.taskId);
      this.comment(event.taskId, (branch) => ({ state: "started", runId: event.runId, branch }));
    }
    if (event.type === "task_finished" && event.status !== "skipped") {
      const record = this.tasks[event.taskId];
      if (!record) return;
      const pullRequestUrl = record.pullRequest?.url;
      if (event.status === "done") {
        this.comment(event.taskId, (branch) => ({
          state: "done",
          runId: event.runId,
          branch,
          ...(pullRequestUrl ? { pullRequestUrl } : {}),
        }));
      } else {
        const reason = `${event.reason ?? "failed"}${event.detail ? `: ${event.detail}` : ""}`;
        const tail = logTail(event.logPath);
        this.comment(event.taskId, async (branch) => {
          const logTailText = await tail;
          return {
            state: "failed",
            runId: event.runId,
            branch,
            reason,
            ...(logTailText ? { logTail: logTailText } : {}),
          };
        });
      }
    }
  }

  private comment(
    taskId: string,
    progress: (branch: string) => TaskProgress | Promise<TaskProgress>,
  ): void {
    const record = this.tasks[taskId];
    const issue = record?.issue;
    if (!record || issue === undefined) return;
    const previous = this.comments.get(issue) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const body = taskCommentBody(await progress(record.branch));
        await upsertIssueComment({ client: this.github.client, issue, body });
      } catch (error) {
        this.ledger().emit({
          type: "warning",
          message: `could not update lanes' comment on issue #${issue}: ${errorDetail(error)}`,
        });
      }
    });
    this.comments.set(issue, next);
  }

  /**
   * At the run's end: `--pr run`'s pull request for the integration branch (a failure is a
   * warning: every task's work is intact on the branch), and the comments still being written.
   */
  async finish(integrationBranch: string, interrupted: boolean): Promise<void> {
    // An interrupted run's pull request waits for `lanes resume`, which finishes the run.
    if (this.github.pr === "run" && !interrupted) await this.publishRun(integrationBranch);
    await Promise.all(this.comments.values());
  }

  private async publishRun(integrationBranch: string): Promise<void> {
    const { prepared, github } = this;
    const ledger = this.ledger();
    const tasks: RunPrTask[] = ledger.state.order.map((id) => {
      const record = ledger.state.tasks[id]!;
      const task = prepared.tasks.get(id);
      return {
        id,
        title: task?.title ?? id,
        ...(record.issue === undefined ? {} : { issueNumber: record.issue }),
        state: record.status === "running" ? "pending" : record.status,
        ...(record.reason ? { reason: record.reason } : {}),
      };
    });
    if (!tasks.some((task) => task.state === "done")) {
      ledger.emit({ type: "warning", message: "no task is done: no pull request for the run" });
      return;
    }
    try {
      const commit = (
        await prepared.git.run(["rev-parse", "--verify", `refs/heads/${integrationBranch}`])
      ).stdout.trim();
      await pushBranch({
        cwd: prepared.repoRoot,
        branch: integrationBranch,
        remote: github.remote,
      });
      const pr = await publishRunPr({
        client: github.client,
        runId: prepared.runId,
        integrationBranch,
        baseBranch: this.baseBranch,
        tasks,
        draft: github.draft,
      });
      ledger.state.pullRequest = {
        url: pr.url,
        number: pr.number,
        base: pr.base,
        head: integrationBranch,
        commit,
      };
      ledger.emit({
        type: "pull_request",
        taskId: undefined,
        url: pr.url,
        number: pr.number,
        created: pr.created,
      });
    } catch (error) {
      ledger.emit({
        type: "warning",
        message: `no pull request for the run: ${errorDetail(error)}; the branch ${integrationBranch} is kept`,
      });
    }
  }
}
