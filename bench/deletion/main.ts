/**
 * Deletion: how long until 1,000,000 interactions of one tenant are unreadable (their data keys
 * destroyed: crypto-shredding), and how long until the rows themselves are deleted, on SQLite and
 * PostgreSQL. Both run the service's own purge (modules/retention/purge.ts) on one closed sharing
 * period, as delete-now does, after a fast direct seed of realistic sealed rows (30 day keys,
 * AES-256-GCM content, telemetry, 1% labelled, 1% in a dataset).
 *
 * BENCH_ROWS (default 1,000,000), BENCH_CONTENT_BYTES (plaintext per interaction, default 600),
 * BENCH_BATCH (rows per delete transaction, default the service's), BENCH_PURGE (delete-now, the
 * default, or retention: the same rows all past retention), BENCH_DIALECTS (sqlite,postgres),
 * ASSENT_BENCH_PG_URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { JOBS_ACTOR } from "../../packages/server/src/actor.js";
import { DAY_MS, dayOf, systemClock } from "../../packages/server/src/clock.js";
import { seal } from "../../packages/server/src/crypto/aead.js";
import { createKeyWrapper } from "../../packages/server/src/crypto/data-keys.js";
import { loadSigningKeys } from "../../packages/server/src/crypto/signing-keys.js";
import { newId } from "../../packages/server/src/ids.js";
import { rollupRepo } from "../../packages/server/src/modules/insights/rollup-repo.js";
import { purgePeriod, sweepTenant } from "../../packages/server/src/modules/retention/purge.js";
import { DEFAULT_PURGE_BATCH } from "../../packages/server/src/modules/retention/service.js";
import { regionMigrations } from "../../packages/server/src/stores/migrations/region.js";
import { migrate } from "../../packages/server/src/stores/open.js";
import { openPostgresStore } from "../../packages/server/src/stores/postgres.js";
import type { RegionDb } from "../../packages/server/src/stores/region-schema.js";
import { openSqliteStore } from "../../packages/server/src/stores/sqlite.js";
import type { Store } from "../../packages/server/src/stores/store.js";
import { fmt, machine, table } from "../common.js";
import { postgresInserter, type Row, sqliteInserter } from "../seed.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CONTENT_BYTES = Number(process.env.BENCH_CONTENT_BYTES ?? 600);
const BATCH = Number(process.env.BENCH_BATCH ?? DEFAULT_PURGE_BATCH);
const PURGE = process.env.BENCH_PURGE === "retention" ? "retention" : "delete-now";
const PG_URL = process.env.ASSENT_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const DAYS = 30;
const SEED_CHUNK = 5000;
const TENANT = "bench-tenant";

const log = (msg: string) => process.stderr.write(`[deletion] ${msg}\n`);
const seconds = (ms: number) => ms / 1000;

interface Seeded {
  readonly periodId: string;
  readonly labels: number;
  readonly datasetItems: number;
}

/**
 * Makes the period, its 30 day keys, and the rows chunk by chunk; `insert` writes one chunk.
 * Content is sealed for real under the day's key, so rows are the size and entropy of real ones.
 */
async function seed(
  store: Store<RegionDb>,
  insert: (rows: Row[]) => Promise<void>,
  now: number,
): Promise<Seeded & { interactionIds: string[] }> {
  const wrapper = createKeyWrapper(randomBytes(32));
  const periodId = newId();
  const firstDay = dayOf(now) - DAYS;
  await store.db
    .insertInto("sharing_periods")
    .values({
      tenant_id: TENANT,
      id: periodId,
      opted_in_at: firstDay * DAY_MS,
      opted_in_by: "admin@bench.example",
      opted_out_at: now,
      opted_out_by: "admin@bench.example",
      delete_by: now,
      deleted_at: null,
      receipt: null,
    })
    .execute();
  const keys: { id: string; key: Buffer }[] = [];
  for (let d = 0; d < DAYS; d++) {
    const ref = { id: newId(), tenantId: TENANT, periodId, day: firstDay + d };
    const { key, wrapped } = wrapper.create(ref);
    await store.db
      .insertInto("data_keys")
      .values({ tenant_id: TENANT, id: ref.id, period_id: periodId, day: ref.day, wrapped, created_at: now })
      .execute();
    keys.push({ id: ref.id, key });
  }
  // A few hundred distinct texts, each prefixed with the row number: realistic size, cheap to make.
  const texts = Array.from({ length: 256 }, () =>
    randomBytes(CONTENT_BYTES).toString("base64").slice(0, CONTENT_BYTES),
  );
  const sample: string[] = [];
  let rows: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    const d = Math.floor((i * DAYS) / ROWS);
    const k = keys[d]!;
    const id = newId();
    const occurred = (firstDay + d) * DAY_MS + (i % 86_000) * 1000;
    const content = seal(
      k.key,
      Buffer.from(`{"i":"${i} ${texts[i % 256]}","o":""}`),
      `assent:interaction:${TENANT}:${id}`,
    );
    rows.push([
      TENANT,
      id,
      null,
      periodId,
      k.id,
      "sales.email-draft",
      `conv-${i % 9973}`,
      occurred,
      occurred,
      content,
      "gpt-4o",
      "openai",
      840 + (i % 500),
      312,
      190,
      "stop",
      i % 7 === 0 ? 1 : null,
      null,
    ]);
    if (i % 100 === 0) sample.push(id);
    if (rows.length === SEED_CHUNK) {
      await insert(rows);
      rows = [];
      if ((i + 1) % 100_000 === 0) log(`${store.dialect}: seeded ${fmt(i + 1)} rows`);
    }
  }
  if (rows.length) await insert(rows);
  return { periodId, labels: 0, datasetItems: 0, interactionIds: sample };
}

/** 1% of the interactions labelled and 1% in a dataset, as a review team would leave them. */
async function reviewRows(store: Store<RegionDb>, periodId: string, ids: readonly string[], now: number) {
  await store.db
    .insertInto("datasets")
    .values({
      id: "bench-dataset",
      name: "bench",
      purpose: "quality-evaluation",
      description: null,
      created_by: "reviewer",
      grant_id: "grant",
      created_at: now,
    })
    .execute();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await store.db
      .insertInto("labels")
      .values(
        chunk.map((id) => ({
          tenant_id: TENANT,
          id: newId(),
          interaction_id: id,
          period_id: periodId,
          reviewer_id: "reviewer",
          grant_id: "grant",
          rating: 4,
          tags: '["helpful"]',
          note: null,
          created_at: now,
        })),
      )
      .execute();
    await store.db
      .insertInto("dataset_items")
      .values(
        chunk.map((id) => ({
          tenant_id: TENANT,
          dataset_id: "bench-dataset",
          interaction_id: id,
          period_id: periodId,
          added_by: "reviewer",
          added_at: now,
        })),
      )
      .execute();
  }
  return { labels: ids.length, datasetItems: ids.length };
}

interface Result {
  readonly store: string;
  readonly seedMs: number;
  readonly unreadableMs: number;
  readonly deleteMs: number;
  readonly walMs: number | null;
  readonly vacuumMs: number | null;
  readonly sizeMb: number;
  readonly deleted: string;
}

async function measure(store: Store<RegionDb>, insert: (rows: Row[]) => Promise<void>, label: string) {
  const now = Date.now();
  const seedStart = performance.now();
  const seeded = await seed(store, insert, now);
  const review = await reviewRows(store, seeded.periodId, seeded.interactionIds, now);
  // As a deployment upgraded to migration 006 does at its first start: the purge keeps these.
  await rollupRepo.foldPending(store.db, store.dialect);
  const seedMs = performance.now() - seedStart;
  log(`${label}: seeded ${fmt(ROWS)} interactions in ${seconds(seedMs).toFixed(1)} s`);
  const sizeMb = await storeSizeMb(store);

  const walBefore = await walPosition(store);
  const started = performance.now();
  let keysAt = 0;
  const batchEnds: number[] = [];
  const deps = {
    clock: systemClock,
    keys: { forget: () => {} },
    metrics: { purged: () => {} },
    batchSize: BATCH,
    // Receipts are signed as in production (a fresh key: its cost is one signature per receipt).
    signer: loadSigningKeys(
      { signingKey: null, signingPublicKeys: [] },
      mkdtempSync(path.join(tmpdir(), "assent-bench-keys-")),
    ),
  };
  const hooks = {
    onKeysDestroyed: () => {
      keysAt = performance.now();
    },
    afterBatch: async () => {
      batchEnds.push(performance.now());
    },
  };
  const target = { region: "bench", store };
  // delete-now: the period's purge; retention: everything expired (every row and day key is).
  const out =
    PURGE === "retention"
      ? await sweepTenant(deps, target, TENANT, now, JOBS_ACTOR, hooks)
      : await purgePeriod(deps, target, seeded.periodId, "delete-now", JOBS_ACTOR, hooks);
  const done = performance.now();
  const walAfter = await walPosition(store);
  if (walBefore !== null && walAfter !== null) {
    log(`${label}: the purge wrote ${fmt((walAfter - walBefore) / 2 ** 20)} MiB of WAL`);
  }
  const d = out.receipt?.deleted;
  if (!out.finished || !d || d.interactions !== ROWS || d.dataKeys !== DAYS || d.labels !== review.labels) {
    throw new Error(`${label}: the purge did not delete everything: ${JSON.stringify(out)}`);
  }
  let walMs: number | null = null;
  let vacuumMs: number | null = null;
  if (store.dialect === "sqlite") {
    const t = performance.now();
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
    walMs = performance.now() - t;
  } else {
    const t = performance.now();
    await sql`vacuum interactions`.execute(store.db);
    vacuumMs = performance.now() - t;
  }
  // Batch times early and late in the purge: equal when each batch costs the same (no rescans).
  const spans = batchEnds.map((t, i) => t - (i === 0 ? keysAt : (batchEnds[i - 1] as number)));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  log(
    `${label}: ${spans.length} batches, first 10 avg ${avg(spans.slice(0, 10)).toFixed(0)} ms, last 10 avg ${avg(spans.slice(-10)).toFixed(0)} ms`,
  );
  log(
    `${label}: unreadable after ${(keysAt - started).toFixed(1)} ms, deleted after ${seconds(done - started).toFixed(1)} s`,
  );
  return {
    store: label,
    seedMs,
    unreadableMs: keysAt - started,
    deleteMs: done - started,
    walMs,
    vacuumMs,
    sizeMb,
    deleted: `${fmt(d.interactions)} + ${fmt(d.labels)} labels + ${fmt(d.datasetItems)} items + ${d.dataKeys} keys`,
  } satisfies Result;
}

/** PostgreSQL's WAL position in bytes (how much WAL a purge writes); null on SQLite. */
async function walPosition(store: Store<RegionDb>): Promise<number | null> {
  if (store.dialect !== "postgres") return null;
  const r = await sql<{ lsn: string }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') as lsn`.execute(
    store.db,
  );
  return Number(r.rows[0]?.lsn ?? 0);
}

async function storeSizeMb(store: Store<RegionDb>): Promise<number> {
  if (store.file) {
    const size = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    return (size(store.file) + size(`${store.file}-wal`)) / 2 ** 20;
  }
  const r = await sql<{ bytes: string }>`select pg_total_relation_size('interactions') as bytes`.execute(
    store.db,
  );
  return Number(r.rows[0]?.bytes ?? 0) / 2 ** 20;
}

async function runSqlite(): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-deletion-"));
  const store = openSqliteStore<RegionDb>("bench", path.join(dir, "region-bench.db"));
  try {
    await migrate(store, regionMigrations);
    // For attributing cost only: the service always runs with secure_delete on.
    const secure = process.env.BENCH_SECURE_DELETE !== "off";
    if (!secure) store.sqlite?.pragma("secure_delete = OFF");
    return await measure(
      store,
      sqliteInserter(store),
      `SQLite (WAL, synchronous=FULL, secure_delete ${secure ? "on" : "OFF"})`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(): Promise<Result> {
  const schema = `bench_deletion_${process.pid}`;
  const url = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  const store = await openPostgresStore<RegionDb>("bench", url);
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  try {
    await migrate(store, regionMigrations);
    return await measure(store, postgresInserter(pool, schema), "PostgreSQL");
  } finally {
    await store.close();
    await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await pool.end();
  }
}

const only = process.env.BENCH_DIALECTS?.split(",");
const results: Result[] = [];
if (!only || only.includes("sqlite")) results.push(await runSqlite());
if (!only || only.includes("postgres")) results.push(await runPostgres());
const lite = results.find((r) => r.store.startsWith("SQLite"));
const pgr = results.find((r) => r.store.startsWith("PostgreSQL"));
const rowsPerSecond = (r: Result) => ROWS / seconds(r.deleteMs - r.unreadableMs);
process.stdout.write(
  `${table(
    [
      "store",
      "seeded (data + indexes)",
      "unreadable (keys destroyed)",
      "rows deleted",
      "rows/s",
      "deleted / unreadable",
      "after: WAL truncate / VACUUM",
    ],
    results.map((r) => [
      r.store,
      `${fmt(ROWS)} in ${seconds(r.seedMs).toFixed(0)} s (${fmt(r.sizeMb)} MiB)`,
      `${r.unreadableMs.toFixed(1)} ms`,
      `${seconds(r.deleteMs).toFixed(1)} s`,
      fmt(rowsPerSecond(r)),
      `${fmt(r.deleteMs / r.unreadableMs)}×`,
      r.walMs !== null ? `${r.walMs.toFixed(0)} ms` : `${seconds(r.vacuumMs ?? 0).toFixed(1)} s`,
    ]),
  )}\n\n` +
    (lite && pgr
      ? `PostgreSQL / SQLite: unreadable ${fmt(pgr.unreadableMs / lite.unreadableMs, 1)}×, rows deleted ${fmt(
          pgr.deleteMs / lite.deleteMs,
          1,
        )}×. `
      : "") +
    `Purge: ${PURGE}. Deleted: ${results[0]?.deleted}. Batch ${fmt(BATCH)} rows per transaction; ${machine()}.\n`,
);
