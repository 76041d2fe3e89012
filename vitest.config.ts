import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@assent/source" export condition:
  // a name of our own, so no dependency's "source" entry — e.g. eventsource-parser's — is picked up).
  resolve: { conditions: ["@assent/source"] },
  ssr: { resolve: { conditions: ["@assent/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    globalSetup: ["packages/server/test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
