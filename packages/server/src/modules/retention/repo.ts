import { type Kysely, sql } from "kysely";
import type { DeletionReceiptTable, RegionDb, SharingPeriodTable } from "../../stores/region-schema.js";
import { type Dialect, forUpdate, readJson, toNumber, writeJson } from "../../stores/store.js";
import type { DeletionReceipt, PurgeCounts } from "./types.js";

type Db = Kysely<RegionDb>;

/** Tables that hold a sharing period's rows, deleted in this order (dependents first). */
export type PeriodTable = "labels" | "dataset_items" | "interactions";

/** Sharing periods, deletion receipts and the store-level steps of a purge. */
export const purgeRepo = {
  async lockPeriod(trx: Db, dialect: Dialect, periodId: string): Promise<SharingPeriodTable | null> {
    const q = trx.selectFrom("sharing_periods").selectAll().where("id", "=", periodId);
    return (await forUpdate(dialect, q).executeTakeFirst()) ?? null;
  },

  /** Closed periods not yet purged whose deadline is at or before `dueBy`, oldest deadline first. */
  async dueWithdrawals(db: Db, dueBy: number): Promise<SharingPeriodTable[]> {
    return db
      .selectFrom("sharing_periods")
      .selectAll()
      .where("deleted_at", "is", null)
      .where("opted_out_at", "is not", null)
      .where("delete_by", "<=", dueBy)
      .orderBy("delete_by")
      .execute();
  },

  /** Every closed period of a tenant whose data is not purged yet. */
  async closedUnpurged(db: Db, tenantId: string): Promise<SharingPeriodTable[]> {
    return db
      .selectFrom("sharing_periods")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("deleted_at", "is", null)
      .where("opted_out_at", "is not", null)
      .orderBy("opted_in_at")
      .execute();
  },

  async markPeriodDeleted(trx: Db, periodId: string, at: number, receipt: DeletionReceipt): Promise<void> {
    await trx
      .updateTable("sharing_periods")
      .set({ deleted_at: at, receipt: writeJson(receipt) })
      .where("id", "=", periodId)
      .execute();
  },

  async openReceiptOfPeriod(trx: Db, periodId: string): Promise<DeletionReceiptTable | null> {
    return (
      (await trx
        .selectFrom("deletion_receipts")
        .selectAll()
        .where("completed_at", "is", null)
        .where("period_id", "=", periodId)
        .orderBy("id")
        .executeTakeFirst()) ?? null
    );
  },

  async getReceiptRow(trx: Db, id: string): Promise<DeletionReceiptTable | null> {
    return (
      (await trx.selectFrom("deletion_receipts").selectAll().where("id", "=", id).executeTakeFirst()) ?? null
    );
  },

  async lockReceiptRow(trx: Db, dialect: Dialect, id: string): Promise<DeletionReceiptTable | null> {
    const q = trx.selectFrom("deletion_receipts").selectAll().where("id", "=", id);
    return (await forUpdate(dialect, q).executeTakeFirst()) ?? null;
  },

  async insertReceiptRow(trx: Db, row: DeletionReceiptTable): Promise<void> {
    await trx.insertInto("deletion_receipts").values(row).execute();
  },

  /** Adds to a receipt's counters in the transaction that did the deleting. */
  async addToReceipt(trx: Db, id: string, counts: Partial<PurgeCounts>, now: number): Promise<void> {
    await trx
      .updateTable("deletion_receipts")
      .set((eb) => ({
        interactions: eb("interactions", "+", counts.interactions ?? 0),
        labels: eb("labels", "+", counts.labels ?? 0),
        dataset_items: eb("dataset_items", "+", counts.datasetItems ?? 0),
        keys_destroyed: eb("keys_destroyed", "+", counts.dataKeys ?? 0),
        updated_at: now,
      }))
      .where("id", "=", id)
      .execute();
  },

  async setKeysDestroyedAt(trx: Db, id: string, at: number): Promise<void> {
    await trx
      .updateTable("deletion_receipts")
      .set({ keys_destroyed_at: at })
      .where("id", "=", id)
      .where("keys_destroyed_at", "is", null)
      .execute();
  },

  async completeReceipt(trx: Db, receipt: DeletionReceipt, at: number): Promise<void> {
    await trx
      .updateTable("deletion_receipts")
      .set({ completed_at: at, updated_at: at, receipt: writeJson(receipt), hash: receipt.hash })
      .where("id", "=", receipt.id)
      .execute();
  },

  async deleteReceiptRow(trx: Db, id: string): Promise<void> {
    await trx.deleteFrom("deletion_receipts").where("id", "=", id).execute();
  },

  /** Retention receipts whose run stopped (crash, lost lease) and made no progress since `before`. */
  async staleRetentionReceipts(db: Db, before: number): Promise<DeletionReceiptTable[]> {
    return db
      .selectFrom("deletion_receipts")
      .selectAll()
      .where("completed_at", "is", null)
      .where("kind", "=", "retention")
      .where("updated_at", "<", before)
      .execute();
  },

  async listReceipts(db: Db, tenantId: string, limit: number, before: string | null) {
    let q = db
      .selectFrom("deletion_receipts")
      .select(["id", "receipt"])
      .where("tenant_id", "=", tenantId)
      .where("completed_at", "is not", null);
    if (before) q = q.where("id", "<", before);
    const rows = await q.orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => ({ id: r.id, receipt: readJson<DeletionReceipt>(r.receipt) }));
  },

  /** Crypto-shredding: deletes a period's data keys; returns the destroyed key ids. */
  async destroyPeriodKeys(trx: Db, tenantId: string, periodId: string): Promise<string[]> {
    const rows = await trx
      .deleteFrom("data_keys")
      .where("tenant_id", "=", tenantId)
      .where("period_id", "=", periodId)
      .returning("id")
      .execute();
    return rows.map((r) => r.id);
  },

  /** Crypto-shredding for retention: deletes a tenant's day keys of days before `firstLiveDay`. */
  async destroyExpiredKeys(trx: Db, tenantId: string, firstLiveDay: number): Promise<string[]> {
    const rows = await trx
      .deleteFrom("data_keys")
      .where("tenant_id", "=", tenantId)
      .where("day", "<", firstLiveDay)
      .returning("id")
      .execute();
    return rows.map((r) => r.id);
  },

  /** Deletes up to `limit` rows of a period from one table; returns how many went. */
  async deletePeriodBatch(
    trx: Db,
    table: PeriodTable,
    tenantId: string,
    periodId: string,
    limit: number,
  ): Promise<number> {
    let res: { numDeletedRows: bigint };
    if (table === "dataset_items") {
      // No single-column key: take a batch of the period's interaction ids that have items.
      const ids = await trx
        .selectFrom("dataset_items")
        .select("interaction_id")
        .distinct()
        .where("tenant_id", "=", tenantId)
        .where("period_id", "=", periodId)
        .limit(limit)
        .execute();
      if (ids.length === 0) return 0;
      res = await trx
        .deleteFrom("dataset_items")
        .where("tenant_id", "=", tenantId)
        .where("period_id", "=", periodId)
        .where(
          "interaction_id",
          "in",
          ids.map((r) => r.interaction_id),
        )
        .executeTakeFirstOrThrow();
    } else {
      res = await trx
        .deleteFrom(table)
        .where("tenant_id", "=", tenantId)
        .where("id", "in", (eb) =>
          eb
            .selectFrom(table)
            .select("id")
            .where("tenant_id", "=", tenantId)
            .where("period_id", "=", periodId)
            .limit(limit),
        )
        .executeTakeFirstOrThrow();
    }
    return Number(res.numDeletedRows);
  },

  /** Whether anything of the period is left (rows written by a runner still in flight, say). */
  async periodHasData(trx: Db, tenantId: string, periodId: string): Promise<boolean> {
    for (const table of ["interactions", "labels", "dataset_items", "data_keys"] as const) {
      const row = await trx
        .selectFrom(table)
        .select(sql<number>`1`.as("one"))
        .where("tenant_id", "=", tenantId)
        .where("period_id", "=", periodId)
        .limit(1)
        .executeTakeFirst();
      if (row) return true;
    }
    return false;
  },

  /** Ids of up to `limit` interactions of a tenant that occurred at or before `cutoff`. */
  async expiredInteractionIds(trx: Db, tenantId: string, cutoff: number, limit: number): Promise<string[]> {
    const rows = await trx
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("occurred_at", "<=", cutoff)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Deletes interactions (and their labels and dataset items) by id; returns what went. */
  async deleteInteractions(trx: Db, tenantId: string, ids: readonly string[]): Promise<Partial<PurgeCounts>> {
    if (ids.length === 0) return {};
    const labels = await trx
      .deleteFrom("labels")
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "in", ids)
      .executeTakeFirstOrThrow();
    const items = await trx
      .deleteFrom("dataset_items")
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "in", ids)
      .executeTakeFirstOrThrow();
    const interactions = await trx
      .deleteFrom("interactions")
      .where("tenant_id", "=", tenantId)
      .where("id", "in", ids)
      .executeTakeFirstOrThrow();
    return {
      interactions: Number(interactions.numDeletedRows),
      labels: Number(labels.numDeletedRows),
      datasetItems: Number(items.numDeletedRows),
    };
  },

  /** Tenants holding interactions at or before `cutoff`, or day keys of days before `firstLiveDay`. */
  async tenantsWithExpiredData(db: Db, cutoff: number, firstLiveDay: number): Promise<string[]> {
    const rows = await db
      .selectFrom("interactions")
      .select("tenant_id")
      .distinct()
      .where("occurred_at", "<=", cutoff)
      .union(db.selectFrom("data_keys").select("tenant_id").where("day", "<", firstLiveDay))
      .execute();
    return rows.map((r) => r.tenant_id).sort();
  },

  async oldestOccurredAt(db: Db): Promise<number | null> {
    const row = await db
      .selectFrom("interactions")
      .select((eb) => eb.fn.min("occurred_at").as("oldest"))
      .executeTakeFirst();
    return row?.oldest === null || row?.oldest === undefined ? null : toNumber(row.oldest);
  },

  /** The earliest deadline of a closed, unpurged period that is already past, if any. */
  async oldestOverdueDeleteBy(db: Db, now: number): Promise<number | null> {
    const row = await db
      .selectFrom("sharing_periods")
      .select((eb) => eb.fn.min("delete_by").as("oldest"))
      .where("deleted_at", "is", null)
      .where("opted_out_at", "is not", null)
      .where("delete_by", "<", now)
      .executeTakeFirst();
    return row?.oldest === null || row?.oldest === undefined ? null : toNumber(row.oldest);
  },
};
