import path from "node:path";
import { createInterface } from "node:readline/promises";
import { Command } from "@commander-js/extra-typings";
import {
  type CleanAction,
  type CleanPlan,
  executeClean,
  gatherCleanFacts,
  planClean,
} from "../../clean/clean.js";
import { parseDuration } from "../../config/duration.js";
import { LanesError } from "../../errors.js";
import { findRepoRoot } from "../../git/repo.js";
import { Git } from "../../git/runner.js";
import { colors } from "../../report/colors.js";
import { useColor } from "../output.js";
import { isInteractive } from "../reporting.js";

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A path as the user can type it from here: relative to the current folder when that is shorter. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel !== "" && rel.length < p.length ? rel : p;
}

function subject(action: CleanAction): string {
  switch (action.kind) {
    case "worktree":
      return `worktree ${action.path}`;
    case "branch":
      return `branch ${action.name}`;
    case "run":
      return `run folder ${action.dir}`;
  }
}

function describe(action: CleanAction): string {
  switch (action.kind) {
    case "worktree":
      return `worktree ${shown(action.path)} (${formatBytes(action.bytes)}) — ${action.why}`;
    case "branch":
      return `branch ${action.name} — ${action.why}`;
    case "run":
      return `run folder ${shown(action.dir)} (${formatBytes(action.bytes)}) — ${action.why}`;
  }
}

function verb(action: CleanAction, dryRun: boolean): string {
  if (dryRun) return action.kind === "branch" ? "Would delete" : "Would remove";
  return action.kind === "branch" ? "Deleted" : "Removed";
}

function sizeOf(actions: CleanAction[]): number {
  return actions.reduce((sum, a) => sum + (a.kind === "branch" ? 0 : a.bytes), 0);
}

function parseOlderThan(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --older-than value: ${JSON.stringify(text)}. Must be a duration.`,
      {
        hint: "for example --older-than 3d, 12h or 90m",
      },
    );
  }
  return ms;
}

async function confirm(unmerged: CleanAction[]): Promise<boolean> {
  process.stderr.write("--all also removes work that is not merged anywhere:\n");
  for (const action of unmerged) process.stderr.write(`  ${describe(action)}\n`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question("Remove these too? [y/N] ");
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function keptLines(plan: CleanPlan, dim: (text: string) => string): string[] {
  return plan.kept.map((item) => {
    // `what` is a path, or "branch x" / "worktree /path": show paths relative when shorter.
    const [head, ...rest] = item.what.split(" ");
    const what =
      rest.length > 0 && path.isAbsolute(rest.join(" "))
        ? `${head} ${shown(rest.join(" "))}`
        : shown(item.what);
    return dim(`Kept ${what}: ${item.why}`);
  });
}

export function cleanCommand() {
  return new Command("clean")
    .description(
      "remove what finished runs left behind: lane worktrees, merged lane branches, landed integration branches, and (--older-than) old run folders; never a running run's lanes",
    )
    .option("--dry-run", "show what would be removed and change nothing")
    .option(
      "--older-than <duration>",
      "also remove the folders of finished runs older than this, e.g. 3d",
    )
    .option(
      "--all",
      "also remove unmerged work: unmerged branches, worktrees with uncommitted changes, unlanded integration branches",
    )
    .option(
      "-y, --yes",
      "do not ask before removing unmerged work (needed with --all outside a terminal)",
    )
    .action(async (flags) => {
      const olderThanMs = parseOlderThan(flags.olderThan);
      const all = flags.all ?? false;
      const dryRun = flags.dryRun ?? false;
      const c = colors(useColor(process.stdout));
      const repoRoot = await findRepoRoot(process.cwd());
      const git = new Git(repoRoot);
      const facts = await gatherCleanFacts(git, repoRoot, { olderThanMs });
      const plan = planClean(facts, { all, olderThanMs, now: Date.now() });
      const out = (line: string) => process.stdout.write(`${line}\n`);

      if (dryRun) {
        for (const action of plan.actions) out(`${verb(action, true)} ${describe(action)}`);
        if (facts.prunable > 0) out(`Would prune ${facts.prunable} stale worktree record(s)`);
        for (const action of plan.unmerged) {
          out(`${verb(action, true)} ${describe(action)} ${c.yellow("[unmerged, --all]")}`);
        }
        for (const line of keptLines(plan, c.dim)) out(line);
        const actions = [...plan.actions, ...plan.unmerged];
        out(
          actions.length === 0
            ? "Nothing to clean."
            : `Would free ${formatBytes(sizeOf(actions))}.${all && !flags.yes ? " (--all asks before removing unmerged work)" : ""}`,
        );
        out("Dry run: nothing was changed.");
        return;
      }

      let confirmed = plan.unmerged.length === 0 || (flags.yes ?? false);
      if (all && !flags.yes) {
        if (!(isInteractive(process.stdout) && process.stdin.isTTY)) {
          const list = plan.unmerged.map((action) => `\n  ${describe(action)}`).join("");
          throw new LanesError(
            "E_USAGE",
            `--all removes work that is not merged anywhere and needs --yes outside a terminal${list ? `; it would remove:${list}` : " (nothing unmerged right now)"}`,
            { hint: "check with lanes clean --all --dry-run, then run lanes clean --all --yes" },
          );
        }
        if (plan.unmerged.length > 0) confirmed = await confirm(plan.unmerged);
      }
      if (!confirmed) {
        for (const action of plan.unmerged) {
          plan.kept.push({ what: subject(action), why: `you chose to keep it (${action.why})` });
        }
      }
      const chosen = confirmed ? [...plan.actions, ...plan.unmerged] : plan.actions;
      const report = await executeClean(git, repoRoot, plan, chosen);
      for (const action of report.done) out(`${verb(action, false)} ${describe(action)}`);
      if (facts.prunable > 0) out(`Pruned ${facts.prunable} stale worktree record(s)`);
      for (const line of keptLines(plan, c.dim)) out(line);
      for (const failure of report.failed) {
        process.stderr.write(
          `lanes: could not remove ${describe(failure.action)}: ${failure.error}\n`,
        );
      }
      out(
        report.done.length === 0 && facts.prunable === 0
          ? "Nothing to clean."
          : `Freed ${formatBytes(report.freedBytes)}.`,
      );
      if (report.failed.length > 0) process.exitCode = 1;
    });
}
