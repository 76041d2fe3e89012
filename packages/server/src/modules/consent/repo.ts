import { type Kysely, type Selectable, sql } from "kysely";
import type {
  RegionDb,
  SharingChangeTable,
  SharingPeriodTable,
  SharingStateTable,
} from "../../stores/region-schema.js";
import { type Dialect, forShare, forUpdate } from "../../stores/store.js";

export type Lock = "none" | "share" | "update";

/** How many changes a region's change log keeps (far more than any reader's replay window). */
export const CHANGE_LOG_ROWS = 100_000;

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
      .set({
        enabled: row.enabled,
        since: row.since,
        period_id: row.period_id,
        version: row.version,
        features: row.features ?? null,
      })
      .where("tenant_id", "=", row.tenant_id)
      .execute();
  },
  /**
   * Appends a change to the region's change log, in the transaction of the change. On PostgreSQL
   * the table lock (which readers do not wait for) makes writers take sequence numbers in commit
   * order, so a reader tailing `seq > last` never skips a change that commits later.
   */
  async appendChange(
    db: Kysely<RegionDb>,
    dialect: Dialect,
    row: Omit<SharingChangeTable, "seq">,
  ): Promise<number> {
    if (dialect === "postgres") await sql`lock table sharing_changes in share row exclusive mode`.execute(db);
    const { seq } = await db
      .insertInto("sharing_changes")
      .values(row)
      .returning("seq")
      .executeTakeFirstOrThrow();
    const n = Number(seq);
    // Keep the log bounded: every thousandth change drops what is far behind every reader.
    if (n % 1000 === 0)
      await db
        .deleteFrom("sharing_changes")
        .where("seq", "<=", n - CHANGE_LOG_ROWS)
        .execute();
    return n;
  },
  /** Changes after `seq`, oldest first. */
  async changesAfter(
    db: Kysely<RegionDb>,
    seq: number,
    limit: number,
  ): Promise<Selectable<SharingChangeTable>[]> {
    return db
      .selectFrom("sharing_changes")
      .selectAll()
      .where("seq", ">", seq)
      .orderBy("seq")
      .limit(limit)
      .execute();
  },
  /** The newest `limit` changes, oldest first. */
  async recentChanges(db: Kysely<RegionDb>, limit: number): Promise<Selectable<SharingChangeTable>[]> {
    const rows = await db
      .selectFrom("sharing_changes")
      .selectAll()
      .orderBy("seq", "desc")
      .limit(limit)
      .execute();
    return rows.reverse();
  },
  async headSeq(db: Kysely<RegionDb>): Promise<number> {
    const r = await db
      .selectFrom("sharing_changes")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return r?.seq === null || r?.seq === undefined ? 0 : Number(r.seq);
  },
  /** How many tenants of the region there are, and how many of them share. */
  async countSharing(db: Kysely<RegionDb>): Promise<{ tenants: number; sharing: number }> {
    const rows = await db
      .selectFrom("sharing_state")
      .select((eb) => ["enabled", eb.fn.countAll<number>().as("n")])
      .groupBy("enabled")
      .execute();
    let tenants = 0;
    let sharing = 0;
    for (const r of rows) {
      tenants += Number(r.n);
      if (Number(r.enabled) === 1) sharing += Number(r.n);
    }
    return { tenants, sharing };
  },
  /** The tenants of the region whose sharing is on. */
  async sharingOn(
    db: Kysely<RegionDb>,
  ): Promise<{ tenant_id: string; since: number; features?: string | null }[]> {
    return db
      .selectFrom("sharing_state")
      .select(["tenant_id", "since", "features"])
      .where("enabled", "=", 1)
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
    via: string | null,
  ): Promise<void> {
    await db
      .updateTable("sharing_periods")
      .set({ opted_out_at: at, opted_out_by: by, opted_out_via: via, delete_by: deleteBy })
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
