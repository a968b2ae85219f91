// Writes a run's report.html: at the end of every run (into its folder) and for `lanes report`.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { runDir } from "../../state/layout.js";
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
