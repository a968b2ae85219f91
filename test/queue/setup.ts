// The scale-out tests' world (issue 14): a real Redis, a bare repository as the shared remote, a
// repository whose agent is the scripted one, and `lanes worker`s, each in its own folder with its
// own HOME, as separate machines would be. Everything is started through the built CLI.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { type StartedCli, startCli, type TempRepo } from "../helpers/cli.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { scriptedRepo } from "../helpers/scripted-repo.js";

export interface QueueWorld {
  redis: TestRedis;
  repo: TempRepo;
  remote: string;
  /** One line `<task> <attempt> <pid>` per agent start, on any worker. */
  starts: () => Promise<string[]>;
  startWorker: (name: string, extra?: string[], env?: Record<string, string>) => StartedCli;
  /** Where a machine's HOME goes. */
  home: (name: string) => Promise<string>;
  cleanup: () => Promise<void>;
}

export async function queueWorld(
  tasks: Record<string, string>,
  script: Record<string, unknown>,
  settings: Record<string, unknown> = {},
  redisOptions: Parameters<typeof startRedis>[0] = {},
): Promise<QueueWorld> {
  const redis = await startRedis(redisOptions);
  const repo = await scriptedRepo(tasks, script, settings);
  const startsFile = path.join(repo.dir, "starts.txt");
  // The scripted agent's settings name the starts file: committed, as a repository's would be.
  const settingsFile = path.join(repo.root, ".lanes", "settings.json");
  const written = JSON.parse(await readFile(settingsFile, "utf8"));
  written.agent.env.LANES_SCRIPT_STARTS = startsFile;
  await writeFile(settingsFile, JSON.stringify(written));
  await repo.repo.git.run(["commit", "--quiet", "-am", "record agent starts"]);
  const remote = path.join(repo.dir, "remote.git");
  await execa("git", ["clone", "--quiet", "--bare", repo.root, remote]);
  await repo.repo.git.run(["remote", "add", "origin", remote]);
  const workers: StartedCli[] = [];
  const home = async (name: string) => {
    const dir = path.join(repo.dir, "machines", name);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  return {
    redis,
    repo,
    remote,
    starts: async () =>
      (await readFile(startsFile, "utf8").catch(() => "")).split("\n").filter(Boolean),
    startWorker: (name, extra = [], env = {}) => {
      const dir = path.join(repo.dir, "machines", name);
      const worker = startCli(
        [
          "worker",
          "--queue",
          redis.url,
          "--name",
          name,
          "--dir",
          path.join(dir, "cache"),
          ...extra,
        ],
        repo.dir,
        { HOME: dir, XDG_CACHE_HOME: path.join(dir, ".cache"), ...env },
      );
      workers.push(worker);
      return worker;
    },
    home,
    cleanup: async () => {
      for (const worker of workers)
        if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      await redis.close();
      await repo.cleanup();
    },
  };
}

/** Waits until `check` holds, looking every 100 ms; fails with `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once every worker says it waits for jobs (connected to Redis, its queue open). */
export function workersReady(workers: readonly StartedCli[], what = "the worker") {
  return until(() => workers.every((w) => w.stdout().includes("waiting for jobs")), what);
}

/** The tasks merged into the run's integration branch, oldest first. */
export async function mergedOrder(repo: TempRepo, branch: string): Promise<string[]> {
  const { stdout } = await repo.repo.git.run([
    "log",
    "--reverse",
    "--first-parent",
    "--format=%s",
    branch,
  ]);
  return stdout.split("\n").flatMap((line) => /^Merge lanes task ([^:]+):/.exec(line)?.[1] ?? []);
}

export function events(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}
