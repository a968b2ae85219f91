// What a reviewer reads on a lanes pull request: what the agent said it did, whether verify
// passed, which run made it, what it builds on, and `Closes #N` so that merging closes the issue.
// Pure text, so that tests read exactly what GitHub will show.

/** GitHub refuses bodies over 65,536 characters; an agent's final message can be longer. */
const MAX_MESSAGE = 50_000;

export interface VerifyOutcome {
  /** The verify command as configured, for the reader to run again. */
  command: string;
  passed: boolean;
}

/** A pull request this one builds on: a dependency's branch, and its PR when it has one. */
export interface BuildsOn {
  issue?: number;
  branch: string;
  pr?: { number: number; url: string };
}

export interface TaskPrBodyInput {
  /** The issue the task came from, closed by merging; undefined for a local task. */
  issueNumber?: number;
  /** The agent's final message, where its preset reports one. */
  agentMessage?: string;
  verify?: VerifyOutcome;
  runId: string;
  /** In-run dependencies whose work this pull request contains (stacked or merged in). */
  buildsOn?: BuildsOn[];
}

function boundedMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_MESSAGE) return trimmed;
  return `${trimmed.slice(0, MAX_MESSAGE)}\n\n… (cut at ${MAX_MESSAGE} characters; the full message is in the run's log)`;
}

function verifyLine(verify: VerifyOutcome | undefined): string {
  if (!verify) return "**Verify:** none configured";
  return `**Verify:** ${verify.passed ? "passed" : "failed"} (\`${verify.command}\`)`;
}

function describeBuildsOn(item: BuildsOn): string {
  const pr = item.pr ? `#${item.pr.number}` : "its branch";
  const issue = item.issue === undefined ? "" : ` (issue #${item.issue})`;
  return `- ${pr}: \`${item.branch}\`${issue}`;
}

export function taskPrBody(input: TaskPrBodyInput): string {
  const parts: string[] = [];
  const message = input.agentMessage?.trim();
  parts.push(message ? boundedMessage(message) : "_The agent left no final message._");
  parts.push(`${verifyLine(input.verify)}  \n**Run:** \`${input.runId}\` (lanes)`);
  const buildsOn = input.buildsOn ?? [];
  if (buildsOn.length === 1) {
    parts.push(
      `Stacked on ${buildsOn[0]!.pr ? `#${buildsOn[0]!.pr.number}` : `\`${buildsOn[0]!.branch}\``}: merge that first.`,
    );
  } else if (buildsOn.length > 1) {
    parts.push(
      `Builds on these pull requests, whose work it contains; merge them first:\n${buildsOn.map(describeBuildsOn).join("\n")}`,
    );
  }
  if (input.issueNumber !== undefined) parts.push(`Closes #${input.issueNumber}`);
  return `${parts.join("\n\n")}\n`;
}

export interface RunPrTask {
  id: string;
  title: string;
  /** The issue a GitHub task came from. */
  issueNumber?: number;
  state: "done" | "failed" | "skipped" | "pending";
  /** Why it did not finish, for failed and skipped tasks. */
  reason?: string;
}

export interface RunPrBodyInput {
  runId: string;
  integrationBranch: string;
  tasks: RunPrTask[];
}

/** The `--pr run` pull request: a checklist of every task and `Closes #N` for each done issue. */
export function runPrBody(input: RunPrBodyInput): string {
  const lines = input.tasks.map((task) => {
    const name = task.issueNumber === undefined ? `\`${task.id}\`` : `#${task.issueNumber}`;
    const why =
      task.state === "done" ? "" : ` — ${task.state}${task.reason ? `: ${task.reason}` : ""}`;
    return `- [${task.state === "done" ? "x" : " "}] ${name} ${task.title}${why}`;
  });
  const done = input.tasks.filter((task) => task.state === "done");
  const closes = done
    .filter((task) => task.issueNumber !== undefined)
    .map((task) => `Closes #${task.issueNumber}`);
  const parts = [
    `Run \`${input.runId}\` of lanes: ${done.length} of ${input.tasks.length} tasks done, merged into \`${input.integrationBranch}\`.`,
    lines.join("\n"),
  ];
  if (closes.length > 0) parts.push(closes.join("\n"));
  return `${parts.join("\n\n")}\n`;
}
