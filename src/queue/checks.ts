/**
 * The queue's up-front checks for `lanes run --queue` (and `--dry-run`): the remote exists, the
 * run is not a chain (whose lanes start from another lane's uncommitted work), and Redis answers.
 * Each failure is a LanesError naming the setting, exit 2, before anything starts.
 */
import { queueSettings } from "../config/queue-setting.js";
import type { Settings } from "../config/schema.js";
import { LanesError } from "../errors.js";
import type { Git } from "../git/runner.js";
import type { SchedulerMode } from "../scheduler/types.js";
import { redisOptions, shownUrl } from "./connection.js";

/** How long the check waits for Redis to answer before it calls the queue unreachable. */
const REACH_MS = 5000;

/** The remote's URL: what workers clone, and the repository jobs name. */
export async function remoteUrl(git: Git, remote: string): Promise<string> {
  const result = await git.run(["remote", "get-url", remote], { allowFail: true });
  if (result.exitCode !== 0 || result.stdout.trim() === "") {
    throw new LanesError("E_SETTINGS", `queue.remote: the repository has no remote "${remote}"`, {
      hint: `workers fetch lanes from a remote they can reach: add it (git remote add ${remote} <url>) or name another in "queue": { "remote": "…" }`,
    });
  }
  return result.stdout.trim();
}

export async function checkQueue(git: Git, settings: Settings, mode: SchedulerMode): Promise<void> {
  const setting = queueSettings(settings.queue);
  if (!setting.url) return;
  if (mode === "chain") {
    throw new LanesError("E_USAGE", "--chain cannot run through the queue (--queue)", {
      hint: "a chain's lanes start from the previous lane's work on this machine: drop --chain or --queue",
    });
  }
  await remoteUrl(git, setting.remote);
  await reachable(setting.url);
}

async function reachable(url: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: REACH_MS,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new LanesError(
      "E_SETTINGS",
      `queue.url: cannot reach Redis at ${shownUrl(url)}: ${(error as Error).message}`,
      {
        hint: "start Redis there (redis-server), or fix the URL (redis://[user:password@]host:port, rediss:// for TLS)",
      },
    );
  } finally {
    redis.disconnect();
  }
}
