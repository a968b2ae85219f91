// `npm run bench`: every figure of lanes' claims beside a baseline measured in the same run, as
// one table on stdout and as JSON in bench/results/latest.json. Each row names the command that
// reproduces it alone. Timing lives here, never in the test suite.
// Flags: --quick (or LANES_BENCH_QUICK=1) small sizes, about a minute a section, to check the
// benchmark itself; --reps N A B pairs per interleaved figure; --only a,b the named sections.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchBigRepo } from "./big-repo.mjs";
import { benchCost } from "./cost.mjs";
import { benchDurability } from "./durability.mjs";
import { CORES, QUICK, REPS, ROOT, size } from "./lib/common.mjs";
import { benchMemory } from "./memory.mjs";
import { benchOverhead } from "./overhead.mjs";
import { benchPlan } from "./plan.mjs";
import { benchQueue } from "./queue.mjs";
import { benchReal } from "./real.mjs";
import { benchReport } from "./report.mjs";
import { benchScheduling } from "./scheduling.mjs";
import { benchSlots } from "./slots.mjs";

// [key for --only, title, run]; the sections without a --quick of their own get their quick
// sizes here.
const SECTIONS = [
  ["scheduling", "scheduling quality (virtual clock)", () => benchScheduling()],
  ["real", "the same with real processes", () => benchReal({ n: size(18, 8) })],
  ["overhead", "overhead and critical-path latency", () => benchOverhead()],
  ["slots", "agent-slot use and load", () => benchSlots()],
  ["cost", "git processes and CPU per task", () => benchCost()],
  ["big-repo", "big repository", () => benchBigRepo()],
  ["memory", "memory", () => benchMemory(QUICK ? { agents: 8, bytes: 10 * 1024 * 1024 } : {})],
  [
    "plan",
    "planning and start-up",
    () => benchPlan(QUICK ? { tasks: 300, runs: 2, helpRuns: 3 } : {}),
  ],
  ["durability", "durability", () => benchDurability({ trials: size(20, 2) })],
  ["report", "the HTML report", () => benchReport()],
  ["queue", "scale-out through the queue", () => benchQueue()],
];

const onlyFlag = process.argv.indexOf("--only");
const only = onlyFlag >= 0 ? process.argv[onlyFlag + 1]?.split(",") : undefined;
const unknown = (only ?? []).filter((key) => !SECTIONS.some(([name]) => name === key));
if (unknown.length || (onlyFlag >= 0 && !only)) {
  console.error(
    `bench: --only takes section names separated by commas: ${SECTIONS.map(([key]) => key).join(", ")}`,
  );
  process.exit(2);
}

function format(value, unit) {
  if (typeof value !== "number") return String(value ?? "");
  if (unit === "ms")
    return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  if (Number.isInteger(value)) return `${value}${unit && unit !== "x bound" ? ` ${unit}` : ""}`;
  if (unit === "x bound") return `${value.toFixed(3)}x`;
  if (unit === "of the slots") return value.toFixed(3);
  return `${value.toFixed(1)} ${unit}`;
}

const started = Date.now();
const rows = [];
for (const [key, section, bench] of SECTIONS) {
  if (only && !only.includes(key)) continue;
  process.stderr.write(`bench: ${section}...\n`);
  try {
    const measured = new Date().toISOString();
    for (const row of await bench()) rows.push({ section, ...row, measured });
  } catch (error) {
    // One broken section must not throw away the figures of the others; the run still fails.
    process.stderr.write(`bench: ${section} failed: ${error.stack ?? error}\n`);
    rows.push({ section, name: `${section}: FAILED`, value: String(error.message).split("\n")[0] });
    process.exitCode = 1;
  }
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
  `lanes benchmark${QUICK ? " (quick sizes: check the benchmark, do not quote)" : ""} — ${REPS} A B pairs a figure, ${CORES} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(show(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const line of lines) console.log(show(line));
console.log(
  `\nReproduce one figure alone with the command in bench/results/${QUICK ? "quick" : "latest"}.json; whole run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
);
const out = path.join(ROOT, "bench", "results");
mkdirSync(out, { recursive: true });
// Quick sizes check the benchmark; they never overwrite the figures worth quoting. With --only,
// the other sections' rows of the previous results are kept (each row says when it was measured).
const file = path.join(out, QUICK ? "quick.json" : "latest.json");
const ran = new Set(rows.map((row) => row.section));
const kept =
  only && existsSync(file)
    ? JSON.parse(readFileSync(file, "utf8")).rows.filter((row) => !ran.has(row.section))
    : [];
writeFileSync(
  file,
  `${JSON.stringify({ cores: CORES, node: process.version, date: new Date().toISOString(), quick: QUICK, reps: REPS, loadAverage: os.loadavg(), rows: [...kept, ...rows] }, null, 2)}\n`,
);
