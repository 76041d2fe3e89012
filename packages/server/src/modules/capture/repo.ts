import type { Insertable, Kysely } from "kysely";
import type { DataKeyTable, InteractionTable, RegionDb } from "../../stores/region-schema.js";
import { rollupRepo } from "../insights/rollup-repo.js";
import { foldInteractions } from "../insights/rollups.js";

/** Rows per INSERT statement: well inside both dialects' parameter limits. */
const INSERT_CHUNK = 500;

const rolled = (r: Insertable<InteractionTable>) => ({
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
  async findDataKey(
    db: Kysely<RegionDb>,
    tenantId: string,
    periodId: string,
    day: number,
  ): Promise<DataKeyTable | null> {
    return (
      (await db
        .selectFrom("data_keys")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("period_id", "=", periodId)
        .where("day", "=", day)
        .executeTakeFirst()) ?? null
    );
  },
  /** Inserts a data key unless another writer made the same (tenant, period, day) key first. */
  async insertDataKey(db: Kysely<RegionDb>, row: DataKeyTable): Promise<boolean> {
    const res = await db
      .insertInto("data_keys")
      .values(row)
      .onConflict((oc) => oc.columns(["tenant_id", "period_id", "day"]).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  },
  async findDataKeyById(db: Kysely<RegionDb>, id: string): Promise<DataKeyTable | null> {
    return (await db.selectFrom("data_keys").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  },
  /**
   * Inserts interactions; a client id seen before is skipped. Adds the inserted ones to the
   * feature rollups in the same transaction (one upsert per tenant, feature and day, not per
   * row), so every capture path keeps insights exact. Returns how many were inserted.
   */
  async insertInteractions(trx: Kysely<RegionDb>, rows: Insertable<InteractionTable>[]): Promise<number> {
    const insertedIds = new Set<string>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const res = await trx
        .insertInto("interactions")
        .values(chunk)
        .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
        .returning("id")
        .execute();
      for (const r of res) insertedIds.add(r.id);
    }
    if (insertedIds.size > 0) {
      const inserted = rows.filter((r) => insertedIds.has(r.id));
      await rollupRepo.apply(trx, foldInteractions(inserted.map(rolled)), 1);
    }
    return insertedIds.size;
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
