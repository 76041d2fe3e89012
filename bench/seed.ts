/**
 * Direct multi-row inserts of interaction rows for the benchmarks that need a million of them
 * fast (deletion, reads): no HTTP, no capture service, no rollups (callers fold those after).
 */
import type pg from "pg";
import type { RegionDb } from "../packages/server/src/stores/region-schema.js";
import type { Store } from "../packages/server/src/stores/store.js";

/** Columns of one interaction row, in insert order, with their PostgreSQL types (for unnest). */
export const COLUMN_TYPES = {
  tenant_id: "text",
  id: "text",
  client_id: "text",
  period_id: "text",
  key_id: "text",
  feature: "text",
  conversation_id: "text",
  occurred_at: "int8",
  captured_at: "int8",
  content: "bytea",
  model: "text",
  provider: "text",
  latency_ms: "int4",
  tokens_in: "int4",
  tokens_out: "int4",
  finish_reason: "text",
  feedback: "int4",
  attributes: "jsonb",
} as const;
export const COLUMNS = Object.keys(COLUMN_TYPES);
export type Row = (string | number | Buffer | null)[];

export function sqliteInserter(store: Store<RegionDb>) {
  const db = store.sqlite!;
  const one = `(${COLUMNS.map(() => "?").join(",")})`;
  const stmt = db.prepare(
    `insert into interactions (${COLUMNS.join(",")}) values ${Array(500).fill(one).join(",")}`,
  );
  const insertAll = db.transaction((rows: Row[]) => {
    for (let i = 0; i < rows.length; i += 500) stmt.run(rows.slice(i, i + 500).flat());
  });
  return async (rows: Row[]) => {
    insertAll(rows);
  };
}

export function postgresInserter(pool: pg.Pool, schema: string) {
  const params = Object.values(COLUMN_TYPES).map((t, i) => `$${i + 1}::${t}[]`);
  const text = `insert into "${schema}".interactions (${COLUMNS.join(",")}) select * from unnest(${params.join(",")})`;
  return async (rows: Row[]) => {
    const columns = COLUMNS.map((_, c) => rows.map((r) => r[c] ?? null));
    await pool.query(text, columns);
  };
}
