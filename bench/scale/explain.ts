/**
 * EXPLAIN (ANALYZE, BUFFERS, WAL) of one 200-row capture insert in both statement shapes, on the
 * real schema (every migration applied): where PostgreSQL's time goes, per statement.
 * `BENCH_PG_URL=… node --import tsx bench/scale/explain.ts`
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { newId } from "../../packages/server/src/ids.js";
import { openStores } from "../../packages/server/src/stores/open.js";

const PG_URL = process.env.BENCH_PG_URL as string;
const schema = `bench_explain_${process.pid}`;
const url = (s: string) => `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}_${s}`;
const stores = await openStores({
  controlStore: url("control"),
  regions: { us: url("us") },
  dataDir: mkdtempSync(path.join(tmpdir(), "assent-explain-")),
});
const pool = stores.regions.get("us")?.postgres?.pool as pg.Pool;
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    tenant_id: "t1",
    id: newId(),
    client_id: `c-${randomBytes(6).toString("hex")}`,
    period_id: "p1",
    key_id: "k1",
    feature: "sales.email-draft",
    conversation_id: `conv-${i % 97}`,
    occurred_at: Date.now(),
    captured_at: Date.now(),
    content: randomBytes(2000),
    model: "gpt-4o",
    provider: null,
    latency_ms: 840,
    tokens_in: 312,
    tokens_out: 190,
    finish_reason: "stop",
    feedback: 1,
    attributes: null,
  }));
const explain = async (label: string, text: string, params: unknown[]) => {
  const c = await pool.connect();
  try {
    await c.query(`set search_path = ${schema}_us`);
    const r = await c.query(`explain (analyze, buffers, wal, format json) ${text}`, params);
    const plan = (
      r.rows[0] as {
        "QUERY PLAN": { "Planning Time": number; "Execution Time": number; Plan: { "WAL Bytes": number } }[];
      }
    )["QUERY PLAN"][0];
    console.log(
      `| ${label} | ${text.length} | ${params.length} | ${plan?.["Planning Time"].toFixed(2)} | ${plan?.["Execution Time"].toFixed(2)} | ${plan?.Plan["WAL Bytes"]} |`,
    );
  } finally {
    c.release();
  }
};
console.log(
  "| statement (200 rows) | SQL chars | parameters | planning ms | execution ms | WAL bytes |\n|---|---|---|---|---|---|",
);
const db = stores.regions.get("us")?.db;
if (!db) throw new Error("no store");
for (let round = 0; round < 3; round++) {
  const values = db
    .insertInto("interactions")
    .values(rows(200))
    .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
    .returning(["id", "tenant_id"])
    .compile();
  await explain("multi-row VALUES", values.sql, [...values.parameters]);
  const r = rows(200);
  const cols = Object.keys(r[0] as object);
  const types: Record<string, string> = {
    occurred_at: "int8",
    captured_at: "int8",
    content: "bytea",
    latency_ms: "int4",
    tokens_in: "int4",
    tokens_out: "int4",
    feedback: "int4",
    attributes: "jsonb",
  };
  const text = `insert into interactions (${cols.join(", ")}) select * from unnest(${cols.map((c, i) => `$${i + 1}::${types[c] ?? "text"}[]`).join(", ")}) on conflict (tenant_id, client_id) do nothing returning id, tenant_id`;
  await explain(
    "INSERT … SELECT FROM UNNEST",
    text,
    cols.map((c) => r.map((x) => (x as Record<string, unknown>)[c])),
  );
}
void sql;
await stores.close();
const c = new pg.Client({ connectionString: PG_URL });
await c.connect();
for (const s of ["control", "us"]) await c.query(`drop schema "${schema}_${s}" cascade`);
await c.end();
