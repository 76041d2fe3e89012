import type { Insertable, Kysely } from "kysely";
import type { DataKeyTable, InteractionTable, RegionDb } from "../../stores/region-schema.js";

/** Rows per INSERT statement: well inside both dialects' parameter limits. */
const INSERT_CHUNK = 500;

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
  /** Inserts interactions; a client id seen before is skipped. Returns how many were inserted. */
  async insertInteractions(db: Kysely<RegionDb>, rows: Insertable<InteractionTable>[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const res = await db
        .insertInto("interactions")
        .values(chunk)
        .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
        .returning("id")
        .execute();
      inserted += res.length;
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
  async countForTenant(db: Kysely<RegionDb>, tenantId: string): Promise<number> {
    const r = await db
      .selectFrom("interactions")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
