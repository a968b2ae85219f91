/**
 * Moving commits through the shared remote: the coordinator pushes its integration branch (where
 * lanes start) and fetches a worker's lane commit; a worker fetches the base commit and pushes its
 * lane. A failure is the attempt's, with reason `remote` and the remote named, never a crash.
 */

import type { Git } from "../git/runner.js";
import type { AttemptFailure } from "../run/attempt.js";

export class RemoteError extends Error {
  constructor(
    readonly remote: string,
    message: string,
  ) {
    super(message);
  }

  get failure(): AttemptFailure {
    return { reason: "remote", detail: this.message, retryable: true };
  }
}

async function git(git: Git, args: string[], remote: string, what: string, cwd?: string) {
  const result = await git.run(args, { allowFail: true, ...(cwd ? { cwd } : {}) });
  if (result.exitCode !== 0) {
    const lines = (result.stderr || result.stdout).trim().split("\n");
    // What the remote and git said, not the progress lines around it.
    const said = lines.filter((line) => /^(remote:|fatal:|error:|\s*! )/.test(line));
    const why = (said.length > 0 ? said : lines.slice(-3)).map((line) => line.trim()).join("; ");
    throw new RemoteError(remote, `${what} ${remote} failed: ${why || `exit ${result.exitCode}`}`);
  }
  return result.stdout;
}

/** Pushes `commit` to `ref` on the remote, moving it wherever it was. */
export async function pushCommit(
  repo: Git,
  remote: string,
  commit: string,
  ref: string,
  cwd?: string,
): Promise<void> {
  await git(
    repo,
    ["push", "--quiet", "--force", remote, `${commit}:${ref}`],
    remote,
    `push of ${ref} to`,
    cwd,
  );
}

/**
 * Fetches `ref` from the remote into `into` and checks that it holds `commit` (the ref may have
 * moved on since, which keeps the commit as an ancestor; else the commit itself is fetched).
 */
export async function fetchCommit(
  repo: Git,
  remote: string,
  ref: string,
  commit: string,
  into: string,
): Promise<void> {
  await git(
    repo,
    ["fetch", "--quiet", "--no-tags", remote, `+${ref}:${into}`],
    remote,
    `fetch of ${ref} from`,
  );
  const has = await repo.run(["cat-file", "-e", `${commit}^{commit}`], { allowFail: true });
  if (has.exitCode === 0) return;
  await git(
    repo,
    ["fetch", "--quiet", "--no-tags", remote, commit],
    remote,
    `fetch of ${commit.slice(0, 12)} from`,
  );
}
