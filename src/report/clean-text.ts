// `lanes clean`'s human output: each removed or kept item with its reason and size, relative
// paths where they are shorter, and the space freed.
import path from "node:path";
import type { CleanAction, CleanResult } from "../clean/clean.js";
import type { Colors } from "./colors.js";
import { shownPath } from "./shown-path.js";

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

/** `worktree ../x (4.0 KB) — why`: one clean action as a line names it. */
export function describeAction(action: CleanAction): string {
  switch (action.kind) {
    case "worktree":
      return `worktree ${shownPath(action.path)} (${formatBytes(action.bytes)}) — ${action.why}`;
    case "branch":
      return `branch ${action.name} — ${action.why}`;
    case "run":
      return `run folder ${shownPath(action.dir)} (${formatBytes(action.bytes)}) — ${action.why}`;
    case "processes":
      return `${action.count === 0 ? "the empty cgroup" : `${action.count} process${action.count === 1 ? "" : "es"}`} of run ${action.runId} — ${action.why}`;
  }
}

function verb(action: CleanAction, dryRun: boolean): string {
  if (action.kind === "processes") return dryRun ? "Would end" : "Ended";
  if (dryRun) return action.kind === "branch" ? "Would delete" : "Would remove";
  return action.kind === "branch" ? "Deleted" : "Removed";
}

function keptLines(result: CleanResult, c: Colors): string[] {
  return result.kept.map((item) => {
    // `what` is a path, or "branch x" / "worktree /path": show paths relative when shorter.
    const [head, ...rest] = item.what.split(" ");
    const what =
      rest.length > 0 && path.isAbsolute(rest.join(" "))
        ? `${head} ${shownPath(rest.join(" "))}`
        : shownPath(item.what);
    return c.dim(`Kept ${what}: ${item.why}`);
  });
}

/**
 * The report on stdout (failures go to stderr apart: see `formatCleanFailures`). `asksFirst`: the
 * dry run of an `--all` that would ask before removing unmerged work.
 */
export function formatClean(result: CleanResult, c: Colors, asksFirst = false): string {
  const { dryRun } = result;
  const lines: string[] = [];
  const unmerged = new Set(result.unmerged);
  const line = (action: CleanAction) => `${verb(action, dryRun)} ${describeAction(action)}`;
  if (dryRun) {
    for (const action of result.removed) if (!unmerged.has(action)) lines.push(line(action));
  } else for (const action of result.removed) lines.push(line(action));
  if (result.prunedRecords > 0) {
    lines.push(
      `${dryRun ? "Would prune" : "Pruned"} ${result.prunedRecords} stale worktree record(s)`,
    );
  }
  if (dryRun) {
    for (const action of result.unmerged) {
      lines.push(`${line(action)} ${c.yellow("[unmerged, --all]")}`);
    }
  }
  lines.push(...keptLines(result, c));
  if (dryRun) {
    lines.push(
      result.removed.length === 0
        ? "Nothing to clean."
        : `Would free ${formatBytes(result.freedBytes)}.${asksFirst ? " (--all asks before removing unmerged work)" : ""}`,
      "Dry run: nothing was changed.",
    );
  } else {
    lines.push(
      result.removed.length === 0 && result.prunedRecords === 0
        ? "Nothing to clean."
        : `Freed ${formatBytes(result.freedBytes)}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function formatCleanFailures(result: CleanResult): string {
  return [
    ...result.warnings.map((warning) => `lanes: warning: ${warning}\n`),
    ...result.failed.map(
      (failure) => `lanes: could not remove ${describeAction(failure.action)}: ${failure.error}\n`,
    ),
  ].join("");
}
