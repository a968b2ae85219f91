import { spawn } from "node:child_process";
import { Command } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";

function portFrom(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --port value: ${value}. Must be a port number from 1 to 65535.`,
      { hint: "for example --port 7300, or leave it out for a free port" },
    );
  }
  return port;
}

/** Opens the URL in the desktop's browser; where there is none, the printed URL is enough. */
function openInBrowser(url: string): void {
  const opener = process.platform === "darwin" ? "open" : "xdg-open";
  try {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed.
  }
}

async function startFor(cwd: string, port: number) {
  const { serve } = await import("../../index.js");
  return serve({ cwd, port });
}

/**
 * `lanes run --ui`: the dashboard for as long as `work` runs; its URL goes to stderr, so that
 * `--json` output stays clean; nothing is left listening after.
 */
export async function withDashboard<T>(
  on: boolean | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!on) return work();
  const dashboard = await startFor(process.cwd(), 0);
  process.stderr.write(`Dashboard: ${dashboard.url}\n`);
  try {
    return await work();
  } finally {
    await dashboard.close();
  }
}

export function serveCommand() {
  return new Command("serve")
    .description(
      "show the repository's runs in the browser: the latest live, past ones listed (read-only, 127.0.0.1)",
    )
    .option("--port <n>", "the port to listen on (default: a free one)")
    .option("--open", "open the dashboard in the default browser")
    .action(async (flags) => {
      const port = portFrom(flags.port);
      const dashboard = await startFor(process.cwd(), port);
      process.stdout.write(`Dashboard: ${dashboard.url}\n(Ctrl-C stops it)\n`);
      if (flags.open) openInBrowser(dashboard.url);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await dashboard.close();
    });
}
