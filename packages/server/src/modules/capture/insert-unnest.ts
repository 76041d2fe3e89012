import { type Insertable, type Kysely, sql } from "kysely";
import type { InteractionTable, RegionDb } from "../../stores/region-schema.js";

/** The columns of `interactions` and their PostgreSQL array types, in insert order. */
const COLUMNS = [
  ["tenant_id", "text"],
  ["id", "text"],
  ["client_id", "text"],
  ["period_id", "text"],
  ["key_id", "text"],
  ["feature", "text"],
  ["conversation_id", "text"],
  ["occurred_at", "int8"],
  ["captured_at", "int8"],
  ["content", "bytea"],
  ["model", "text"],
  ["provider", "text"],
  ["latency_ms", "int4"],
  ["tokens_in", "int4"],
  ["tokens_out", "int4"],
  ["finish_reason", "text"],
  ["feedback", "int4"],
  ["attributes", "jsonb"],
] as const satisfies readonly (readonly [keyof InteractionTable, string])[];

/**
 * PostgreSQL: every row of a batch in ONE statement of 18 array parameters,
 * `INSERT … SELECT FROM UNNEST(…)`, instead of multi-row VALUES with 18 parameters a row: the
 * statement text and its plan no longer grow with the batch (ADR 0010, measured in bench/scale).
 * Same `ON CONFLICT` as the query-builder insert; answers the rows inserted.
 */
export async function insertInteractionsUnnest(
  trx: Kysely<RegionDb>,
  rows: readonly Insertable<InteractionTable>[],
): Promise<{ id: string; tenant_id: string }[]> {
  if (rows.length === 0) return [];
  const arrays = COLUMNS.map(([column, type]) => {
    const values = rows.map((r) => (r[column] ?? null) as unknown);
    return sql`${values}::${sql.raw(type)}[]`;
  });
  const names = sql.raw(COLUMNS.map(([c]) => c).join(", "));
  const res = await sql<{ id: string; tenant_id: string }>`
    insert into interactions (${names})
    select * from unnest(${sql.join(arrays)})
    on conflict (tenant_id, client_id) do nothing
    returning id, tenant_id`.execute(trx);
  return res.rows;
}
