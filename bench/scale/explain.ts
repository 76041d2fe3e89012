/**
 * EXPLAIN (ANALYZE, BUFFERS, WAL) of one 200-row capture insert in both statement shapes, on the
 * real schema (every migration applied): where PostgreSQL's time goes, per statement; then the
 * backend's CPU per shape, including the VALUES statement prepared once under a name (whole and
 * split into 128 + 64 + 8 rows, so that only a few named statements would exist per connection).
 * `BENCH_PG_URL=… node --import tsx bench/scale/explain.ts`
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
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
// Whole-statement cost, parse and bind included: client CPU (serializing) and the backend's CPU
// (from /proc of its pid), 20 statements of 200 rows per shape, alternating.
const cpuOfPid = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // ms (100 ticks/s)
};
const client = await pool.connect();
await client.query(`set search_path = ${schema}_us`);
const pid = (await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid as number;
const cost = {
  values: { client: 0, backend: 0 },
  "values, named (prepared once)": { client: 0, backend: 0 },
  "values, named, 128 + 64 + 8 rows": { client: 0, backend: 0 },
  unnest: { client: 0, backend: 0 },
  "unnest, content as base64": { client: 0, backend: 0 },
};
for (let i = 0; i < 20; i++) {
  for (const shape of Object.keys(cost) as (keyof typeof cost)[]) {
    const r = rows(200);
    const c0 = process.cpuUsage();
    const b0 = cpuOfPid(pid);
    if (shape === "values") {
      const q = db
        .insertInto("interactions")
        .values(r)
        .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
        .returning(["id", "tenant_id"])
        .compile();
      await client.query(q.sql, [...q.parameters]);
    } else if (shape.startsWith("values, named")) {
      const sizes = shape === "values, named (prepared once)" ? [200] : [128, 64, 8];
      let at = 0;
      for (const n of sizes) {
        const q = db
          .insertInto("interactions")
          .values(r.slice(at, at + n))
          .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
          .returning(["id", "tenant_id"])
          .compile();
        at += n;
        await client.query({ name: `bench_ins_${n}`, text: q.sql, values: [...q.parameters] });
      }
    } else if (shape === "unnest, content as base64") {
      const cols = Object.keys(r[0] as object);
      const types: Record<string, string> = {
        occurred_at: "int8",
        captured_at: "int8",
        latency_ms: "int4",
        tokens_in: "int4",
        tokens_out: "int4",
        feedback: "int4",
        attributes: "jsonb",
      };
      const select = cols.map((c) => (c === "content" ? "decode(content, 'base64')" : c)).join(", ");
      await client.query(
        `insert into interactions (${cols.join(", ")}) select ${select} from unnest(${cols.map((c, j) => `$${j + 1}::${types[c] ?? "text"}[]`).join(", ")}) as u(${cols.join(", ")}) on conflict (tenant_id, client_id) do nothing returning id, tenant_id`,
        cols.map((c) =>
          r.map((x) => {
            const v = (x as Record<string, unknown>)[c];
            return c === "content" ? (v as Buffer).toString("base64") : v;
          }),
        ),
      );
    } else {
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
      await client.query(
        `insert into interactions (${cols.join(", ")}) select * from unnest(${cols.map((c, j) => `$${j + 1}::${types[c] ?? "text"}[]`).join(", ")}) on conflict (tenant_id, client_id) do nothing returning id, tenant_id`,
        cols.map((c) => r.map((x) => (x as Record<string, unknown>)[c])),
      );
    }
    const c1 = process.cpuUsage(c0);
    cost[shape].client += (c1.user + c1.system) / 1000;
    cost[shape].backend += cpuOfPid(pid) - b0;
  }
}
client.release();
console.log("\n| 20 × 200 rows | client CPU ms | backend CPU ms |\n|---|---|---|");
for (const [k, v] of Object.entries(cost))
  console.log(`| ${k} | ${v.client.toFixed(0)} | ${v.backend.toFixed(0)} |`);
void sql;
await stores.close();
const c = new pg.Client({ connectionString: PG_URL });
await c.connect();
for (const s of ["control", "us"]) await c.query(`drop schema "${schema}_${s}" cascade`);
await c.end();
