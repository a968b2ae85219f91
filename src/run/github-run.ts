/**
 * What a run does on GitHub besides reading issues, settled before anything starts: whether it
 * opens pull requests (one per task, or one for the run), as drafts, and keeps a comment on each
 * issue. Everything it needs is checked up front (a token GitHub accepts, the repository, a remote
 * to push to, a branch to open pull requests into), so that a missing piece exits 2 at once.
 */
import { prMode } from "../config/github-setting.js";
import type { Settings } from "../config/schema.js";
import { LanesError } from "../errors.js";
import {
  checkRemote,
  connectGithub,
  type GithubClient,
  type GithubTaskLoad,
} from "../github/index.js";
import { checkRepository } from "../github/issues.js";
import { connectOptions } from "./github-tasks.js";
import type { RunOptions } from "./options.js";

export interface GithubRun {
  client: GithubClient;
  /** `task`: a pull request per done task; `run`: one for the integration branch; `off`: none. */
  pr: "off" | "task" | "run";
  draft: boolean;
  comment: boolean;
  /** The remote branches are pushed to. */
  remote: string;
  /** The branch pull requests merge into (stacked ones aside). */
  baseBranch: string;
}

export async function prepareGithubRun(input: {
  repoRoot: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  options: RunOptions;
  loaded: GithubTaskLoad | undefined;
  baseBranch: string | undefined;
}): Promise<GithubRun | undefined> {
  const { repoRoot, settings, options, loaded } = input;
  const pr = prMode(settings.pr);
  const comment = (options.comment ?? false) && loaded !== undefined;
  if (pr === "off" && !comment) {
    if (options.draft) {
      throw new LanesError("E_USAGE", "--draft needs --pr", {
        hint: "add --pr (a draft pull request per task) or --pr run",
      });
    }
    return undefined;
  }
  const remote = settings.github?.remote ?? "origin";
  if (pr !== "off") {
    if (!input.baseBranch) {
      throw new LanesError(
        "E_GITHUB_PUSH",
        "HEAD is detached: pull requests need a branch to merge into",
        { hint: "check out the branch the pull requests are for (git switch main) and run again" },
      );
    }
    await checkRemote(repoRoot, remote);
  }
  let client = loaded?.client;
  if (!client) {
    client = await connectGithub(connectOptions(repoRoot, settings, input.env));
    await checkRepository(client);
  }
  return {
    client,
    pr,
    draft: options.draft ?? false,
    comment,
    remote,
    baseBranch: input.baseBranch ?? "",
  };
}
