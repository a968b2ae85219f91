// Preloaded into the lanes process by bench/memory.mjs (`node --require`): where lanes' memory is
// at its peak RSS — the V8 heap (committed, and in use), the young generation, and the buffers
// outside the heap — written as JSON to $BENCH_MEMORY_PROBE when the process exits.
const { writeFileSync } = require("node:fs");
const v8 = require("node:v8");

let peak = { rss: 0 };
const timer = setInterval(() => {
  const usage = process.memoryUsage();
  if (usage.rss <= peak.rss) return;
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
  peak = { ...usage, youngGeneration: young?.space_size ?? 0 };
}, 20);
timer.unref();

process.on("exit", () => {
  const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  writeFileSync(
    process.env.BENCH_MEMORY_PROBE,
    JSON.stringify({
      rss: mb(peak.rss),
      heapTotal: mb(peak.heapTotal),
      heapUsed: mb(peak.heapUsed),
      youngGeneration: mb(peak.youngGeneration),
      external: mb(peak.external),
    }),
  );
});
