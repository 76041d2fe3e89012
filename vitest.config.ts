import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@assent/source" export condition:
  // a name of our own, so no dependency's "source" entry — e.g. eventsource-parser's — is picked up).
  resolve: { conditions: ["@assent/source"] },
  ssr: { resolve: { conditions: ["@assent/source"] } },
  test: {
    // The web app's tests (packages/web/src/**/*.test.ts[x]) run in happy-dom: each file that needs a
    // DOM says so with a `@vitest-environment happy-dom` comment; the rest run in Node.
    include: ["packages/*/src/**/*.test.ts", "packages/*/src/**/*.test.tsx", "packages/*/test/**/*.test.ts"],
    globalSetup: ["packages/server/test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
