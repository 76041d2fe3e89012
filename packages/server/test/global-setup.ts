import pg from "pg";
import type { TestProject } from "vitest/node";

export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

/**
 * Tests run once per dialect: SQLite always, PostgreSQL when one answers at ASSENT_TEST_PG_URL.
 * With ASSENT_REQUIRE_PG=1 a missing PostgreSQL fails the run instead of skipping it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.ASSENT_TEST_PG_URL || DEFAULT_PG_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  let reachable = false;
  try {
    await client.connect();
    await client.query("select 1");
    reachable = true;
  } catch (err) {
    if (process.env.ASSENT_REQUIRE_PG === "1") {
      throw new Error(
        `ASSENT_REQUIRE_PG=1 but PostgreSQL at ${url} is not reachable: ${(err as Error).message}`,
      );
    }
    process.stderr.write(`PostgreSQL not reachable at ${url}: PostgreSQL tests are skipped\n`);
  } finally {
    await client.end().catch(() => {});
  }
  project.provide("pgUrl", reachable ? url : null);
}
