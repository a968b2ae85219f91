// `lanes serve` and `lanes run --ui`: a read-only dashboard of the repository's runs on
// 127.0.0.1, behind a random token. Hono with its Node adapter does the routing, the
// server-sent events and the responses: a small, well-kept library, rather than a hand-written
// router with its own bugs in URL decoding and streaming.

import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { serve as serveHono } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { LanesError } from "../errors.js";
import { findRepoRoot } from "../git/repo.js";
import { renderDashboardHtml } from "../report/html/page.js";
import { logTail } from "../report/html/records.js";
import { runDir } from "../state/layout.js";
import { listRuns, readRun } from "../state/runs.js";
import { RunFeed } from "./feed.js";

/** How often a stream looks at the run's files. */
const POLL_MS = 250;
/** A live run's open bars grow: its model is sent at least this often. */
const LIVE_REFRESH_MS = 1000;
const LOG_LINES = 200;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface Dashboard {
  url: string;
  port: number;
  /** Stops every stream, closes every connection and the listening socket. */
  close: () => Promise<void>;
}

export interface DashboardOptions {
  repoRoot: string;
  /** 0 (the default) lets the system pick a free port. */
  port?: number;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function dashboardApp(repoRoot: string, token: string, stopped: AbortSignal): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (!sameToken(c.req.query("token"), token)) {
      return c.text("forbidden: open the URL lanes printed, with its token\n", 403);
    }
    await next();
    // The token is in the URL: never send it on to another site, never cache what it opened.
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
    c.header("X-Content-Type-Options", "nosniff");
  });
  const knownRun = async (id: string) => {
    if (!RUN_ID.test(id)) return undefined;
    const run = await readRun(repoRoot, id);
    return run.state ? run : undefined;
  };
  app.get("/", (c) => c.html(renderDashboardHtml({ token, runId: c.req.query("run") ?? null })));
  app.get("/api/runs", async (c) => {
    const runs = await listRuns(repoRoot);
    return c.json(
      runs.flatMap((run) =>
        run.state
          ? [
              {
                id: run.id,
                status: run.state.status,
                live: run.live,
                startedAt: run.state.startedAt,
              },
            ]
          : [],
      ),
    );
  });
  app.get("/api/runs/:id/model", async (c) => {
    if (!(await knownRun(c.req.param("id")))) return c.text("no such run\n", 404);
    const feed = new RunFeed(repoRoot, c.req.param("id"));
    await feed.newEvents();
    return c.json(await feed.model());
  });
  app.get("/api/runs/:id/stream", async (c) => {
    const id = c.req.param("id");
    if (!(await knownRun(id))) return c.text("no such run\n", 404);
    return streamSSE(c, async (stream) => {
      const feed = new RunFeed(repoRoot, id);
      let sentAt = 0;
      let live = true;
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      while (!closed && !stopped.aborted && !stream.aborted) {
        const fresh = await feed.newEvents();
        const changed = (await feed.stateChanged()) || fresh.length > 0;
        for (const event of fresh) {
          await stream.writeSSE({ event: "lanes", data: JSON.stringify(event) });
        }
        if (changed || (live && Date.now() - sentAt >= LIVE_REFRESH_MS)) {
          const model = await feed.model();
          live = model.run.live;
          await stream.writeSSE({ event: "model", data: JSON.stringify(model) });
          sentAt = Date.now();
        }
        await sleep(POLL_MS, undefined, { signal: stopped }).catch(() => {});
      }
    });
  });
  app.get("/api/runs/:id/tasks/:task/log", async (c) => {
    const run = await knownRun(c.req.param("id"));
    const task = run?.state?.tasks[c.req.param("task")];
    if (!run || !task) return c.text("no such task\n", 404);
    const logs = path.join(runDir(repoRoot, run.id), "logs") + path.sep;
    // Only a log inside the run's own folder: run.json is data, not a map of the disk.
    if (!task.logPath || !path.resolve(task.logPath).startsWith(logs)) {
      return c.text("(no output yet)\n");
    }
    const lines = await logTail(task.logPath, LOG_LINES);
    return c.text(`${(lines ?? ["(no output yet)"]).join("\n")}\n`);
  });
  return app;
}

/** Starts the dashboard on 127.0.0.1; resolves once it listens, with its URL (token included). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = randomBytes(16).toString("hex");
  const stop = new AbortController();
  const app = dashboardApp(options.repoRoot, token, stop.signal);
  const server = await new Promise<Server>((resolve, reject) => {
    const started = serveHono(
      { fetch: app.fetch, port: options.port ?? 0, hostname: "127.0.0.1" },
      () => resolve(started as Server),
    ) as Server;
    started.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new LanesError(
          "E_USAGE",
          `cannot listen on 127.0.0.1:${options.port ?? 0}: ${error.code ?? error.message}`,
          { hint: "choose another --port, or leave it out for a free one" },
        ),
      );
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      // One last look at the files first, so that open pages see how the run ended.
      await sleep(2 * POLL_MS);
      stop.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** `serve()`, the API behind `lanes serve` and `run --ui`: the dashboard of the repository at `cwd`. */
export async function serve(options: { cwd?: string; port?: number } = {}): Promise<Dashboard> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  return startDashboard({
    repoRoot,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}
