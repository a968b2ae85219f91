// `npm run bench`: every figure of lanes' claims beside a baseline measured in the same run, as
// one table on stdout and as JSON in bench/results/latest.json. Each row names the command that
// reproduces it alone. Timing lives here, never in the test suite.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchDurability } from "./durability.mjs";
import { CORES, ROOT } from "./lib/common.mjs";
import { benchMemory } from "./memory.mjs";
import { benchOverhead } from "./overhead.mjs";
import { benchPlan } from "./plan.mjs";
import { benchReal } from "./real.mjs";
import { benchReport } from "./report.mjs";
import { benchScheduling } from "./scheduling.mjs";

const SECTIONS = [
  ["scheduling quality (virtual clock)", () => benchScheduling()],
  ["the same with real processes", () => benchReal()],
  ["overhead", () => benchOverhead()],
  ["memory", () => benchMemory()],
  ["planning and start-up", () => benchPlan()],
  ["durability", () => benchDurability()],
  ["the HTML report", () => benchReport()],
];

function format(value, unit) {
  if (typeof value !== "number") return String(value ?? "");
  if (unit === "ms")
    return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  if (Number.isInteger(value)) return `${value}${unit && unit !== "x bound" ? ` ${unit}` : ""}`;
  return `${value.toFixed(3)}${unit === "x bound" ? "x" : ""}`;
}

const started = Date.now();
const rows = [];
for (const [section, bench] of SECTIONS) {
  process.stderr.write(`bench: ${section}...\n`);
  for (const row of await bench()) rows.push({ section, ...row });
}
const header = ["figure", "lanes", "baseline", "baseline value", "ratio", "goal"];
const lines = rows.map((row) => [
  row.name,
  format(row.value, row.unit ?? "ms"),
  row.baseline,
  format(row.baselineValue, row.unit ?? "ms"),
  typeof row.ratio === "number" && Number.isFinite(row.ratio) ? row.ratio.toFixed(3) : "-",
  row.goal ?? "",
]);
const widths = header.map((title, i) =>
  Math.max(title.length, ...lines.map((line) => String(line[i]).length)),
);
const show = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(" | ")} |`;
console.log(
  `lanes benchmark — ${CORES} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(show(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const line of lines) console.log(show(line));
console.log(
  `\nReproduce one figure alone with the command in bench/results/latest.json; whole run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
);
const out = path.join(ROOT, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, "latest.json"),
  `${JSON.stringify({ cores: CORES, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
