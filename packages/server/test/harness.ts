import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import pino from "pino";
import { inject } from "vitest";
import { buildApp } from "../src/app.js";
import { ManualClock } from "../src/clock.js";
import { parseConfig } from "../src/config.js";
import type { Dialect } from "../src/stores/store.js";
import { createServices, type Services } from "../src/wiring.js";

/** The dialects this run covers: SQLite always, PostgreSQL when reachable (see global-setup). */
export function dialects(): Dialect[] {
  return inject("pgUrl") ? ["sqlite", "postgres"] : ["sqlite"];
}

export interface TestContext {
  readonly dialect: Dialect;
  readonly clock: ManualClock;
  readonly services: Services;
  readonly app: FastifyInstance;
  readonly dataDir: string;
  /** Every log line the app wrote, as raw text. */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface TestOptions {
  readonly config?: Record<string, unknown>;
  readonly regions?: readonly string[];
}

let counter = 0;

/** A unique schema prefix per test context, so PostgreSQL tests can run in parallel. */
function schemaPrefix(): string {
  counter += 1;
  // Each test file re-imports this module (so the counter restarts): a random part keeps two
  // files in one worker from ever sharing a prefix.
  return `t${process.pid}_${Date.now().toString(36)}_${counter}_${randomBytes(3).toString("hex")}`;
}

export function storeUrls(dialect: Dialect, regions: readonly string[]) {
  if (dialect === "sqlite") {
    return {
      controlStore: "sqlite:control.db",
      regions: Object.fromEntries(regions.map((r) => [r, `sqlite:region-${r}.db`])),
      schemas: [] as string[],
    };
  }
  const base = inject("pgUrl");
  if (!base) throw new Error("PostgreSQL is not reachable");
  const prefix = schemaPrefix();
  const url = (name: string) => `${base}${base.includes("?") ? "&" : "?"}schema=${prefix}_${name}`;
  return {
    controlStore: url("control"),
    regions: Object.fromEntries(regions.map((r) => [r, url(r)])),
    schemas: ["control", ...regions].map((n) => `${prefix}_${n}`),
  };
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const base = inject("pgUrl");
  if (!base || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}

export async function createTestContext(dialect: Dialect, opts: TestOptions = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "assent-test-"));
  const urls = storeUrls(dialect, opts.regions ?? ["us", "eu"]);
  const config = parseConfig({
    dataDir,
    controlStore: urls.controlStore,
    regions: urls.regions,
    logLevel: "info",
    sharingPollMs: 100,
    ...(opts.config as Record<string, never>),
  });
  const clock = new ManualClock(Date.now());
  const services = await createServices(config, { clock });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await buildApp(services, { loggerInstance: pino({ level: "debug" }, stream) });
  await app.ready();
  return {
    dialect,
    clock,
    services,
    app,
    dataDir,
    logs,
    async close() {
      await app.close();
      await services.close();
      await dropSchemas(urls.schemas);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
