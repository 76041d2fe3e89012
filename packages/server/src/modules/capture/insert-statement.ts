import { CompiledQuery } from "kysely";
import type { InteractionTable } from "../../stores/region-schema.js";
import type { Dialect } from "../../stores/store.js";

/** Every column capture writes, in the statement's order. */
const COLUMNS = [
  "tenant_id",
  "id",
  "client_id",
  "period_id",
  "key_id",
  "feature",
  "conversation_id",
  "occurred_at",
  "captured_at",
  "content",
  "model",
  "provider",
  "latency_ms",
  "tokens_in",
  "tokens_out",
  "finish_reason",
  "feedback",
  "attributes",
  "subject_hash",
] as const satisfies readonly (keyof InteractionTable)[];

export type InteractionRow = Readonly<Required<Pick<InteractionTable, (typeof COLUMNS)[number]>>>;

/** The texts of the last few row counts (batches repeat their sizes; a 500-row text is ~70 KB). */
const texts = new Map<string, string>();
const KEPT_TEXTS = 8;

/**
 * `insert … values (…), … on conflict (tenant_id, client_id) do nothing returning id, tenant_id`
 * for `rows` rows: the SQL text made once per dialect and row count, not compiled by the query
 * builder per batch (a 200-row batch has 3,800 values: building and compiling that tree was
 * ~10 % of the server's CPU per capture on PostgreSQL, issue 10).
 */
function text(dialect: Dialect, rows: number): string {
  const key = `${dialect}:${rows}`;
  let sql = texts.get(key);
  if (sql === undefined) {
    const width = COLUMNS.length;
    const tuple = (r: number) =>
      `(${COLUMNS.map((_, c) => (dialect === "postgres" ? `$${r * width + c + 1}` : "?")).join(", ")})`;
    sql =
      `insert into interactions (${COLUMNS.map((c) => `"${c}"`).join(", ")}) values ` +
      `${Array.from({ length: rows }, (_, r) => tuple(r)).join(", ")} ` +
      `on conflict ("tenant_id", "client_id") do nothing returning "id", "tenant_id"`;
    if (texts.size >= KEPT_TEXTS) texts.delete(texts.keys().next().value as string);
    texts.set(key, sql);
  }
  return sql;
}

/** The insert of `rows`, ready for `executeQuery` in the capture's transaction. */
export function insertInteractionsQuery(
  dialect: Dialect,
  rows: readonly InteractionRow[],
): CompiledQuery<{ id: string; tenant_id: string }> {
  const values: unknown[] = new Array(rows.length * COLUMNS.length);
  let i = 0;
  for (const row of rows) for (const c of COLUMNS) values[i++] = row[c] ?? null;
  return CompiledQuery.raw(text(dialect, rows.length), values);
}
