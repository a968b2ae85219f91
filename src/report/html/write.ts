// Writes a run's report.html: at the end of every run (into its folder) and for `lanes report`.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { findRepoRoot } from "../../git/repo.js";
import { runDir } from "../../state/layout.js";
import { findRun } from "../../state/runs.js";
import { buildReportModel } from "./model.js";
import { renderReportHtml } from "./page.js";
import { readReportInput } from "./records.js";

export const REPORT_FILE = "report.html";

/** Writes the report of a run to `file` (default: report.html in its folder); returns the path. */
export async function writeRunReport(
  repoRoot: string,
  runId: string,
  options: { file?: string; live?: boolean } = {},
): Promise<string> {
  const input = await readReportInput(repoRoot, runId, { live: options.live ?? false });
  const file = options.file ?? path.join(runDir(repoRoot, runId), REPORT_FILE);
  await writeFile(file, renderReportHtml(buildReportModel(input)));
  return file;
}

export interface ReportOptions {
  /** Any folder of the repository; default the process's working directory. */
  cwd?: string;
  /** A run id or a unique prefix; default the latest run. */
  runId?: string;
  /** Where to write it; default report.html in the run's folder. */
  file?: string;
}

/** `report()`, the API behind `lanes report`: writes a run's report.html, returns its path. */
export async function report(options: ReportOptions = {}): Promise<string> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const run = await findRun(repoRoot, options.runId);
  return writeRunReport(repoRoot, run.id, {
    live: run.live,
    ...(options.file ? { file: options.file } : {}),
  });
}
