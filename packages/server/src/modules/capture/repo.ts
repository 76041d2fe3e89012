import type { Kysely } from "kysely";
import type { DataKeyTable, InteractionTable, RegionDb } from "../../stores/region-schema.js";
import type { Dialect } from "../../stores/store.js";
import { rollupRepo } from "../insights/rollup-repo.js";
import { foldInteractions } from "../insights/rollups.js";
import { type InteractionRow, insertInteractionsQuery } from "./insert-statement.js";

/** Rows per INSERT statement: well inside both dialects' parameter limits. */
const INSERT_CHUNK = 500;

const rolled = (r: InteractionRow) => ({
  tenant_id: r.tenant_id,
  feature: r.feature,
  occurred_at: r.occurred_at,
  latency_ms: r.latency_ms ?? null,
  tokens_in: r.tokens_in ?? null,
  tokens_out: r.tokens_out ?? null,
  finish_reason: r.finish_reason ?? null,
  feedback: r.feedback ?? null,
});

export const captureRepo = {
  /** The data keys of these periods and days (a superset of the (tenant, period, day) keys asked for). */
  async findDataKeys(
    db: Kysely<RegionDb>,
    periodIds: readonly string[],
    days: readonly number[],
  ): Promise<DataKeyTable[]> {
    if (periodIds.length === 0 || days.length === 0) return [];
    return db
      .selectFrom("data_keys")
      .selectAll()
      .where("period_id", "in", periodIds)
      .where("day", "in", days)
      .execute();
  },
  /** Inserts data keys, skipping any (tenant, period, day) another writer made first; answers the ids inserted. */
  async insertDataKeys(db: Kysely<RegionDb>, rows: DataKeyTable[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const res = await db
      .insertInto("data_keys")
      .values(rows)
      .onConflict((oc) => oc.columns(["tenant_id", "period_id", "day"]).doNothing())
      .returning("id")
      .execute();
    return new Set(res.map((r) => r.id));
  },
  async findDataKeyById(db: Kysely<RegionDb>, id: string): Promise<DataKeyTable | null> {
    return (await db.selectFrom("data_keys").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  },
  /**
   * Inserts interactions; a client id seen before is skipped. Adds the inserted ones to the
   * feature rollups in the same transaction (one upsert per tenant, feature and day, not per
   * row), so every capture path keeps insights exact. Answers how many were inserted per tenant.
   */
  async insertInteractions(
    trx: Kysely<RegionDb>,
    dialect: Dialect,
    rows: readonly InteractionRow[],
  ): Promise<Map<string, number>> {
    const insertedIds = new Set<string>();
    const inserted = new Map<string, number>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const res = (await trx.executeQuery(insertInteractionsQuery(dialect, chunk))).rows;
      for (const r of res) {
        insertedIds.add(r.id);
        inserted.set(r.tenant_id, (inserted.get(r.tenant_id) ?? 0) + 1);
      }
    }
    if (insertedIds.size > 0) {
      const stored = rows.filter((r) => insertedIds.has(r.id));
      await rollupRepo.apply(trx, foldInteractions(stored.map(rolled)), 1);
    }
    return inserted;
  },
  async findInteraction(
    db: Kysely<RegionDb>,
    id: string,
    notBefore: number,
  ): Promise<InteractionTable | null> {
    return (
      (await db
        .selectFrom("interactions")
        .selectAll()
        .where("id", "=", id)
        .where("occurred_at", ">", notBefore)
        .executeTakeFirst()) ?? null
    );
  },
};
