import { defineConfig } from "vitest/config";

/**
 * Browser tests (`npm run test:e2e`, after `npm run build`): the system Chromium driven by
 * playwright-core against a real server. Kept out of the default `npm test`.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
  },
});
