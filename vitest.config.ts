import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ when src/ is newer, so that a single test file can be run on its own.
    globalSetup: ["test/global-setup.ts"],
    // End-to-end tests spawn git, the built CLI and real agent CLIs: generous, not timing-sensitive.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run test files two at a time so that process-heavy files do not starve each other.
    maxWorkers: 2,
    env: { NO_COLOR: "1" },
  },
});
