/**
 * Reads at scale: the review queue's pages and feature insights over N interactions in one region
 * (20 tenants, 10 features, 29 days), on SQLite and PostgreSQL, plus the review queue's first
 * page while insights run in a loop in the same process (on SQLite the driver is synchronous, so
 * this is where one read used to stall every other request). Reads go through the service's own
 * repo and insights service (no HTTP): what is measured is the store read and its merge.
 *
 * Rows are seeded by direct multi-row inserts (bench/seed.ts, ~100-byte content: the reads never
 * touch it), 1 % labelled; the rollups are then folded from the rows exactly as a deployment
 * upgraded to migration 006 folds them at its first start (that time is printed too).
 *
 * BENCH_ROWS (default 1,000,000; `--10m` for 10,000,000), BENCH_REPS (default 200),
 * BENCH_DIALECTS (sqlite,postgres), ASSENT_BENCH_PG_URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CompiledQuery, createQueryId, type KyselyPlugin, type RootOperationNode, sql } from "kysely";
import pg from "pg";
import { DAY_MS } from "../../packages/server/src/clock.js";
import { newId } from "../../packages/server/src/ids.js";
import { rollupRepo } from "../../packages/server/src/modules/insights/rollup-repo.js";
import { createInsightsService } from "../../packages/server/src/modules/insights/service.js";
import { queuesRepo } from "../../packages/server/src/modules/review/queues/repo.js";
import { type QueueQuery, reviewRepo } from "../../packages/server/src/modules/review/repo.js";
import { regionMigrations } from "../../packages/server/src/stores/migrations/region.js";
import { migrate } from "../../packages/server/src/stores/open.js";
import { openPostgresStore } from "../../packages/server/src/stores/postgres.js";
import type { RegionDb } from "../../packages/server/src/stores/region-schema.js";
import { openSqliteStore } from "../../packages/server/src/stores/sqlite.js";
import type { Store } from "../../packages/server/src/stores/store.js";
import { fmt, machine, table } from "../common.js";
import { postgresInserter, type Row, sqliteInserter } from "../seed.js";

const ROWS = process.argv.includes("--10m") ? 10_000_000 : Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 200);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",");
const PG_URL = process.env.ASSENT_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TENANTS = 20;
const FEATURES = 10;
const DAYS = 29;
const LIMIT = 50;
const SEED_CHUNK = 5000;
const FINISH = ["stop", "stop", "stop", "length", "tool_calls"];

const log = (msg: string) => process.stderr.write(`[reads] ${msg}\n`);
const tenant = (t: number) => `tenant-${String(t).padStart(2, "0")}`;
const feature = (f: number) => `feature.${f}`;

async function seed(store: Store<RegionDb>, insert: (rows: Row[]) => Promise<void>, now: number) {
  const first = now - DAYS * DAY_MS;
  const step = (DAYS * DAY_MS) / ROWS;
  const content = randomBytes(100);
  let rows: Row[] = [];
  let labels: { tenant_id: string; id: string; interaction_id: string; rating: number }[] = [];
  const flushLabels = async () => {
    if (labels.length === 0) return;
    await store.db
      .insertInto("labels")
      .values(
        labels.map((l) => ({
          ...l,
          period_id: `period-${l.tenant_id}`,
          reviewer_id: "reviewer",
          grant_id: "grant",
          tags: "[]",
          note: null,
          created_at: now,
        })),
      )
      .execute();
    labels = [];
  };
  for (let i = 0; i < ROWS; i++) {
    const t = tenant(i % TENANTS);
    const id = newId();
    const occurred = Math.floor(first + i * step);
    rows.push([
      t,
      id,
      null,
      `period-${t}`,
      "key",
      feature(Math.floor(i / TENANTS) % FEATURES),
      null,
      occurred,
      occurred,
      content,
      "gpt-4o",
      "openai",
      // Latencies from 100 ms to ~20 s, skewed low.
      Math.floor(100 + ((i * 7919) % 1000) ** 2 / 50),
      300 + (i % 200),
      150 + (i % 100),
      FINISH[i % FINISH.length] ?? null,
      i % 5 === 0 ? 1 : i % 11 === 0 ? -1 : null,
      null,
    ]);
    if (i % 100 === 0) labels.push({ tenant_id: t, id: newId(), interaction_id: id, rating: 1 + (i % 5) });
    if (rows.length === SEED_CHUNK) {
      await insert(rows);
      rows = [];
      if (labels.length >= 1000) await flushLabels();
      if ((i + 1) % 1_000_000 === 0) log(`${store.dialect}: seeded ${fmt(i + 1)} rows`);
    }
  }
  if (rows.length) await insert(rows);
  await flushLabels();
}

/** Records the last query a Kysely instance ran, to EXPLAIN it exactly as the repo wrote it. */
class LastQuery implements KyselyPlugin {
  node: RootOperationNode | null = null;
  transformQuery(args: { node: RootOperationNode }) {
    this.node = args.node;
    return args.node;
  }
  async transformResult<T>(args: { result: T }) {
    return args.result;
  }
}

async function explain(store: Store<RegionDb>, q: QueueQuery): Promise<string> {
  const last = new LastQuery();
  await reviewRepo.queue(store.db.withPlugin(last), q);
  if (!last.node) return "(no query)";
  const compiled = store.db.getExecutor().compileQuery(last.node, createQueryId());
  const prefix =
    store.dialect === "sqlite" ? "explain query plan " : "explain (analyze, costs off, timing off) ";
  const res = await store.db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
  );
  return res.rows.map((r) => String(r.detail ?? r["QUERY PLAN"] ?? JSON.stringify(r))).join("\n    ");
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
};
const ms = (xs: number[]) => `${pct(xs, 0.5).toFixed(1)} / ${pct(xs, 0.99).toFixed(1)}`;

async function timed(fn: () => Promise<unknown>, reps = REPS): Promise<number[]> {
  for (let i = 0; i < Math.min(20, reps); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** The cursor (last row) before page `n` under query `q`, by walking the pages; null if too few. */
async function cursorBefore(store: Store<RegionDb>, q: QueueQuery, page: number) {
  let after: QueueQuery["after"];
  for (let p = 1; p < page; p++) {
    const rows = await reviewRepo.queue(store.db, { ...q, ...(after ? { after } : {}) });
    const last = rows[rows.length - 1];
    if (!last || rows.length < q.limit) return null;
    after = { occurredAt: Number(last.occurred_at), id: last.id };
  }
  return after;
}

type Results = Map<string, string>;

async function measure(store: Store<RegionDb>, insert: (rows: Row[]) => Promise<void>): Promise<Results> {
  const out: Results = new Map();
  const now = Date.now();
  const t0 = performance.now();
  await seed(store, insert, now);
  if (store.dialect === "postgres") await sql`analyze`.execute(store.db);
  const seeded = performance.now() - t0;
  log(`${store.dialect}: seeded ${fmt(ROWS)} rows in ${(seeded / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  await rollupRepo.foldPending(store.db, store.dialect);
  const folded = performance.now() - t1;
  const rollupRows = (await rollupRepo.readAll(store.db)).size;
  log(`${store.dialect}: folded ${fmt(rollupRows)} rollup rows in ${(folded / 1000).toFixed(1)} s`);
  out.set("startup fold of existing rows into rollups (once)", `${(folded / 1000).toFixed(1)} s`);

  const base = { tenantIds: null, notBefore: now - 30 * DAY_MS, limit: LIMIT } satisfies QueueQuery;
  const filters: [string, QueueQuery][] = [
    ["all tenants", base],
    ["tenant", { ...base, tenantIds: [tenant(3)] }],
    ["tenant + feature", { ...base, tenantIds: [tenant(3)], feature: feature(3) }],
    ["feature", { ...base, feature: feature(3) }],
    ["3 tenants", { ...base, tenantIds: [tenant(1), tenant(2), tenant(3)] }],
    ["tenant + window", { ...base, tenantIds: [tenant(3)], from: now - 10 * DAY_MS, to: now - 9 * DAY_MS }],
  ];
  for (const [name, q] of filters) {
    out.set(`review queue, first page: ${name}`, ms(await timed(() => reviewRepo.queue(store.db, q))));
  }
  const deep: [string, QueueQuery, number][] = [
    ["tenant + feature, page 20", filters[2]![1], 20],
    ["tenant + feature, page 100", filters[2]![1], 100],
    ["all tenants, page 100", base, 100],
    ["3 tenants, page 100", filters[4]![1], 100],
  ];
  for (const [name, q, page] of deep) {
    const after = await cursorBefore(store, q, page);
    if (after === null) continue;
    const at = { ...q, ...(after ? { after } : {}) };
    out.set(`review queue, ${name}`, ms(await timed(() => reviewRepo.queue(store.db, at))));
    if (page === 100) log(`${store.dialect} plan, ${name}:\n    ${await explain(store, at)}`);
  }
  // An annotation queue's sample of one feature (`?sample=N`): drawn at random, or the newest.
  const sampleReps = Math.max(5, Math.floor(REPS / 10));
  const sample = (tenantIds: string[] | null, random: boolean) => () =>
    queuesRepo.sample(store.db, feature(3), {
      tenantIds,
      notBefore: now - 30 * DAY_MS,
      limit: LIMIT,
      random,
    });
  out.set(
    "annotation queue sample of a feature: newest 50",
    ms(await timed(sample(null, false), sampleReps)),
  );
  out.set(
    "annotation queue sample of a feature: 50 at random",
    ms(await timed(sample(null, true), sampleReps)),
  );
  out.set(
    "annotation queue sample, tenant + feature: 50 at random",
    ms(await timed(sample([tenant(3)], true), sampleReps)),
  );
  const insights = createInsightsService({
    regions: new Map([["bench", store]]),
    clock: { now: () => now },
    program: { retentionDays: 30 },
    countSharing: async () => ({ tenants: 0, sharing: 0 }),
  });
  const all = await insights.features({});
  const total = all.features.reduce((a, f) => a + f.interactions, 0);
  if (total !== ROWS) throw new Error(`insights count ${total} interactions, not ${ROWS}`);
  out.set("insights, all tenants (30 days)", ms(await timed(() => insights.features({}))));
  out.set("insights, one tenant", ms(await timed(() => insights.features({ tenantId: tenant(3) }))));

  // Insights in a loop while the first page is read, in the same process.
  let looping = true;
  let loops = 0;
  const loop = (async () => {
    while (looping) {
      await insights.features({});
      loops++;
    }
  })();
  const during = await timed(() => reviewRepo.queue(store.db, filters[2]![1]));
  looping = false;
  await loop;
  out.set(
    "review queue first page while insights loops",
    `${ms(during)} (${fmt(loops)} insights reads meanwhile)`,
  );
  return out;
}

async function runSqlite(): Promise<Results> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-reads-"));
  const store = openSqliteStore<RegionDb>("bench", path.join(dir, "region.db"));
  try {
    await migrate(store, regionMigrations);
    // Seeding only: no fsync per chunk (the reads measured after do not depend on it).
    store.sqlite?.pragma("synchronous = OFF");
    const insert = sqliteInserter(store);
    return await measure(store, async (rows) => {
      await insert(rows);
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(): Promise<Results> {
  const schema = `bench_reads_${process.pid}`;
  const sep = PG_URL.includes("?") ? "&" : "?";
  const store = await openPostgresStore<RegionDb>("bench", `${PG_URL}${sep}schema=${schema}`);
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  try {
    await migrate(store, regionMigrations);
    return await measure(store, postgresInserter(pool, schema));
  } finally {
    await pool.query(`drop schema if exists "${schema}" cascade`);
    await pool.end();
    await store.close();
  }
}

const results: [string, Results][] = [];
if (DIALECTS.includes("sqlite")) results.push(["SQLite", await runSqlite()]);
if (DIALECTS.includes("postgres")) results.push(["PostgreSQL", await runPostgres()]);
const names = [...(results[0]?.[1].keys() ?? [])];
process.stdout.write(
  `${table(
    ["read (ms, p50 / p99)", ...results.map(([d]) => d)],
    names.map((n) => [n, ...results.map(([, r]) => r.get(n) ?? "–")]),
  )}\n\n${fmt(ROWS)} interactions (${TENANTS} tenants × ${FEATURES} features × ${DAYS} days, 1 % labelled), ` +
    `pages of ${LIMIT}, ${REPS} reads per row after 20 warm-up reads; ${machine()}\n`,
);
