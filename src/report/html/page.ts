// The report as one self-contained HTML file: styles, script and data inline, no network when
// opened (a Content-Security-Policy says so), and task text carried as JSON, never as markup.
import { createHash } from "node:crypto";
import { CLIENT_SCRIPT } from "./client.js";
import type { ReportModel } from "./model.js";
import { REPORT_CSS } from "./style.js";

/** What the dashboard page needs to find its data: the server's token and, maybe, a run. */
export interface LivePageConfig {
  token: string;
  /** The run to show; null follows the newest run. */
  runId: string | null;
}

/**
 * JSON that is safe inside a `<script type="application/json">`: `<` is escaped so that no
 * `</script>` or `<!--` in a title can end the element, and the line separators JSON allows but
 * some parsers do not are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The script's hash, not 'unsafe-inline': markup smuggled into the page could not run a handler.
const SCRIPT_HASH = createHash("sha256").update(CLIENT_SCRIPT).digest("base64");

function page(title: string, data: string, connect: string): string {
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'sha256-${SCRIPT_HASH}'`,
    `connect-src ${connect}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main><div id="report"><p>This report needs JavaScript to draw its timeline.</p></div></main>
${data}
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** The static report of one run, as written to `report.html`. */
export function renderReportHtml(model: ReportModel): string {
  return page(
    `lanes run ${model.run.id} — ${model.run.status}`,
    `<script type="application/json" id="lanes-data">${jsonForScript(model)}</script>`,
    "'none'",
  );
}

/** The dashboard page: the same drawing, fed by the server's API and event stream. */
export function renderDashboardHtml(config: LivePageConfig): string {
  return page(
    "lanes dashboard",
    `<script type="application/json" id="lanes-live">${jsonForScript(config)}</script>`,
    "'self'",
  );
}
