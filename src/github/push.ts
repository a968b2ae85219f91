// Pull requests need the task's branch on GitHub: this pushes a lane branch to the remote with
// real git (the user's credentials and remotes, no token of ours in a URL), and turns git's
// failure into an error that names the remote and the branch.
import { LanesError } from "../errors.js";
import { Git } from "../git/runner.js";

/** The URL of `remote`, or a LanesError (exit 2: found before anything starts) naming it. */
export async function checkRemote(cwd: string, remote: string): Promise<string> {
  const result = await new Git(cwd).run(["remote", "get-url", remote], { allowFail: true });
  if (result.exitCode !== 0) {
    throw new LanesError("E_GITHUB_PUSH", `the repository has no remote "${remote}" to push to`, {
      hint: `add it with \`git remote add ${remote} <url>\`, or name another remote in settings github.remote`,
    });
  }
  return result.stdout.trim();
}

export interface PushBranchOptions {
  /** The repository (or any of its worktrees). */
  cwd: string;
  branch: string;
  /** `origin` unless the settings say otherwise. */
  remote?: string;
  /**
   * Replace the remote branch even when it is not an ancestor (default true): lanes owns its
   * `lanes/...` branches, and a repeated run rebuilds a task's branch from the base, which is
   * what its pull request should then show.
   */
  force?: boolean;
}

/** Pushes `branch` to the same name on the remote; a failure is a LanesError (exit 1). */
export async function pushBranch(options: PushBranchOptions): Promise<void> {
  const remote = options.remote ?? "origin";
  const url = await checkRemote(options.cwd, remote).catch((error: unknown) => {
    if (error instanceof LanesError) {
      throw new LanesError(error.code, error.message, { hint: error.hint, exitCode: 1 });
    }
    throw error;
  });
  const ref = `refs/heads/${options.branch}`;
  const refspec = `${options.force === false ? "" : "+"}${ref}:${ref}`;
  const result = await new Git(options.cwd).run(
    ["push", "--quiet", "--porcelain", remote, refspec],
    {
      allowFail: true,
    },
  );
  if (result.exitCode !== 0) {
    const detail = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" / ");
    throw new LanesError(
      "E_GITHUB_PUSH",
      `could not push ${options.branch} to remote "${remote}" (${url})${detail ? `: ${detail}` : ""}`,
      {
        hint: `check that you can push there: git push ${remote} ${options.branch}`,
        exitCode: 1,
      },
    );
  }
}
