// The GitHub source and destination, as the run engine uses them: load issues as tasks up front,
// then per done task push its branch and publish its pull request, and keep one comment per issue.
export {
  type ConnectOptions,
  connectGithub,
  createGithubClient,
  type GithubClient,
  type GithubClientOptions,
  type GithubConnection,
} from "./client.js";
export {
  COMMENT_MARKER,
  type IssueCommentRef,
  type TaskProgress,
  taskCommentBody,
  upsertIssueComment,
} from "./comments.js";
export {
  formatIssueCycle,
  type GithubTask,
  type GithubTaskLoad,
  type LoadGithubTasksOptions,
  loadGithubTasks,
} from "./load.js";
export { type RunPrTask, runPrBody, taskPrBody, type VerifyOutcome } from "./pr-body.js";
export {
  type InRunDependency,
  type PublishRunPrOptions,
  type PublishTaskPrOptions,
  type PullRequestRef,
  publishRunPr,
  publishTaskPr,
  upsertPullRequest,
} from "./pull-requests.js";
export { checkRemote, type PushBranchOptions, pushBranch } from "./push.js";
export { issueNumberOf, parseIssueRefs } from "./references.js";
export { issueBranchName, slugify } from "./slug.js";
