import type { Insertable, Kysely } from "kysely";
import type { DataKeyTable, InteractionTable, RegionDb } from "../../stores/region-schema.js";

/** Rows per INSERT statement: well inside both dialects' parameter limits. */
const INSERT_CHUNK = 500;

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
  /** Inserts interactions; a client id seen before is skipped. Answers how many were inserted per tenant. */
  async insertInteractions(
    db: Kysely<RegionDb>,
    rows: Insertable<InteractionTable>[],
  ): Promise<Map<string, number>> {
    const inserted = new Map<string, number>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const res = await db
        .insertInto("interactions")
        .values(chunk)
        .onConflict((oc) => oc.columns(["tenant_id", "client_id"]).doNothing())
        .returning("tenant_id")
        .execute();
      for (const r of res) inserted.set(r.tenant_id, (inserted.get(r.tenant_id) ?? 0) + 1);
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
