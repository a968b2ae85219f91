// Writes docs/report.png, the README's picture of a report: runs `lanes demo` in a temporary
// folder, opens the report.html it printed in headless Chromium, and photographs the top of it
// (summary, timeline, dependency graph). Run after `npm run build`: node scripts/screenshot-report.mjs
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CHROMIUM, launchChromium } from "./chromium.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "docs", "report.png");

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  process.exit(1);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-screenshot-"));
try {
  const demo = path.join(dir, "demo");
  const env = { ...process.env, NO_COLOR: "1", CI: "1" };
  for (const name of Object.keys(env)) if (name.startsWith("LANES_")) delete env[name];
  const output = execFileSync(
    process.execPath,
    [path.join(ROOT, "dist", "cli", "main.js"), "demo", "--dir", demo],
    {
      encoding: "utf8",
      env: { ...env, LANES_USER_SETTINGS: path.join(dir, "no-user-settings.json") },
    },
  );
  const report = /^Report: (.+)$/m.exec(output)?.[1];
  if (!report) throw new Error(`the demo printed no report path:\n${output}`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1200, height: 800 },
      deviceScaleFactor: 1,
    });
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector("body[data-rendered]");
    // The running animation would catch a bar half-faded: a finished run has none, but be sure.
    await page.addStyleTag({ content: "*{animation:none!important}" });
    const bottom = await page.$eval(
      "#graph",
      (section) => section.getBoundingClientRect().bottom + window.scrollY,
    );
    await page.screenshot({
      path: OUT,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1200, height: Math.ceil(bottom) + 16 },
    });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${path.relative(process.cwd(), OUT)} from ${report}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
