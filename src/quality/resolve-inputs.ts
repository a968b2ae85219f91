/**
 * The inputs of a `resolve` prompt, gathered from git: the conflicted files, both tasks' titles
 * and bodies, and what each side changed in those files since the merge base, so that the agent
 * can keep both intentions instead of picking one side.
 */
import type { Git } from "../git/runner.js";

export interface ResolveTask {
  id: string;
  title: string;
  body: string;
}

export interface ResolveSide {
  /** A ref or commit: the lane's HEAD, or the integration head being merged in. */
  ref: string;
  /** The task whose work this side holds; the integration side may hold several. */
  tasks: ResolveTask[];
  /** `git diff <merge-base> <ref> -- <file>` per conflicted file, bounded. */
  diffs: { file: string; diff: string }[];
}

export interface ResolveInputs {
  files: string[];
  mergeBase: string;
  lane: ResolveSide;
  incoming: ResolveSide;
}

export interface ResolveRequest {
  git: Git;
  worktree: string;
  files: readonly string[];
  lane: { ref: string; tasks: ResolveTask[] };
  incoming: { ref: string; tasks: ResolveTask[] };
  /** Lines of one file's diff on one side (default 300). */
  maxDiffLines?: number;
}

export async function gatherResolveInputs(request: ResolveRequest): Promise<ResolveInputs> {
  const { git, worktree } = request;
  const mergeBase = (
    await git.run(["merge-base", request.lane.ref, request.incoming.ref], { cwd: worktree })
  ).stdout.trim();
  const files = [...request.files].sort();
  const side = async (ref: string, tasks: ResolveTask[]): Promise<ResolveSide> => {
    const diffs = [];
    for (const file of files) {
      const { stdout } = await git.run(
        ["diff", "--no-color", "--no-ext-diff", mergeBase, ref, "--", file],
        {
          cwd: worktree,
        },
      );
      diffs.push({ file, diff: bound(stdout, request.maxDiffLines ?? 300) });
    }
    return { ref, tasks, diffs };
  };
  return {
    files,
    mergeBase,
    lane: await side(request.lane.ref, request.lane.tasks),
    incoming: await side(request.incoming.ref, request.incoming.tasks),
  };
}

function bound(diff: string, maxLines: number): string {
  const lines = diff.split("\n");
  if (lines.length <= maxLines) return diff;
  return [
    ...lines.slice(0, maxLines),
    `[… ${lines.length - maxLines} more lines of this diff]`,
  ].join("\n");
}

/** The Markdown the resolve template's {{lane_side}} and {{incoming_side}} placeholders get. */
export function describeSide(side: ResolveSide): string {
  const tasks = side.tasks
    .map((task) => `### Task ${task.id}: ${task.title}\n\n${task.body.trim()}\n`)
    .join("\n");
  const diffs = side.diffs
    .map(({ file, diff }) =>
      diff.trim() === ""
        ? `#### ${file}\n(no change on this side)\n`
        : `#### ${file}\n\`\`\`diff\n${diff.trimEnd()}\n\`\`\`\n`,
    )
    .join("\n");
  return `${tasks || "(no task recorded for this side)\n"}\n#### What this side changed (${side.ref})\n\n${diffs}`;
}
