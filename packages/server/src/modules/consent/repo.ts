import type { Kysely } from "kysely";
import type { RegionDb, SharingPeriodTable, SharingStateTable } from "../../stores/region-schema.js";
import { type Dialect, forShare, forUpdate } from "../../stores/store.js";

export type Lock = "none" | "share" | "update";

export const consentRepo = {
  async getState(
    db: Kysely<RegionDb>,
    dialect: Dialect,
    tenantId: string,
    lock: Lock,
  ): Promise<SharingStateTable | null> {
    const q = db.selectFrom("sharing_state").selectAll().where("tenant_id", "=", tenantId);
    const locked = lock === "update" ? forUpdate(dialect, q) : lock === "share" ? forShare(dialect, q) : q;
    return (await locked.executeTakeFirst()) ?? null;
  },
  /** Several tenants' states in one statement, each row locked as `lock` says. */
  async getStates(
    db: Kysely<RegionDb>,
    dialect: Dialect,
    tenantIds: readonly string[],
    lock: Lock,
  ): Promise<SharingStateTable[]> {
    if (tenantIds.length === 0) return [];
    const q = db
      .selectFrom("sharing_state")
      .selectAll()
      .where("tenant_id", "in", tenantIds)
      .orderBy("tenant_id");
    const locked = lock === "update" ? forUpdate(dialect, q) : lock === "share" ? forShare(dialect, q) : q;
    return locked.execute();
  },
  async getPeriods(
    db: Kysely<RegionDb>,
    periodIds: readonly string[],
  ): Promise<Map<string, SharingPeriodTable>> {
    if (periodIds.length === 0) return new Map();
    const rows = await db.selectFrom("sharing_periods").selectAll().where("id", "in", periodIds).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },
  /** Creates the tenant's state row, off, if it is not there yet. */
  async ensureState(db: Kysely<RegionDb>, tenantId: string, now: number): Promise<void> {
    await db
      .insertInto("sharing_state")
      .values({ tenant_id: tenantId, enabled: 0, since: now, period_id: null, version: 1 })
      .onConflict((oc) => oc.column("tenant_id").doNothing())
      .execute();
  },
  async updateState(db: Kysely<RegionDb>, row: SharingStateTable): Promise<void> {
    await db
      .updateTable("sharing_state")
      .set({ enabled: row.enabled, since: row.since, period_id: row.period_id, version: row.version })
      .where("tenant_id", "=", row.tenant_id)
      .execute();
  },
  async insertPeriod(db: Kysely<RegionDb>, row: SharingPeriodTable): Promise<void> {
    await db.insertInto("sharing_periods").values(row).execute();
  },
  async closePeriod(
    db: Kysely<RegionDb>,
    periodId: string,
    at: number,
    by: string,
    deleteBy: number,
  ): Promise<void> {
    await db
      .updateTable("sharing_periods")
      .set({ opted_out_at: at, opted_out_by: by, delete_by: deleteBy })
      .where("id", "=", periodId)
      .execute();
  },
  async getPeriod(db: Kysely<RegionDb>, periodId: string): Promise<SharingPeriodTable | null> {
    return (
      (await db.selectFrom("sharing_periods").selectAll().where("id", "=", periodId).executeTakeFirst()) ??
      null
    );
  },
  async listPeriods(db: Kysely<RegionDb>, tenantId: string): Promise<SharingPeriodTable[]> {
    return db
      .selectFrom("sharing_periods")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("opted_in_at", "desc")
      .orderBy("id", "desc")
      .execute();
  },
};
