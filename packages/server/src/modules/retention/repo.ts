import { type Kysely, sql } from "kysely";
import type { DeletionReceiptTable, RegionDb, SharingPeriodTable } from "../../stores/region-schema.js";
import { type Dialect, forUpdate, readJson, writeJson } from "../../stores/store.js";
import { ROLLED_COLUMNS, rollupRepo } from "../insights/rollup-repo.js";
import type { RolledLabel } from "../insights/rollups.js";
import type { DeletionReceipt, PurgeCounts } from "./types.js";

type Db = Kysely<RegionDb>;

/** A tenant's labels with the feature and time of the interaction each is about. */
export function labelsWithInteraction(trx: Db, tenantId: string) {
  return trx
    .selectFrom("labels as l")
    .leftJoin("interactions as i", (j) =>
      j.onRef("i.tenant_id", "=", "l.tenant_id").onRef("i.id", "=", "l.interaction_id"),
    )
    .select([
      "l.id as id",
      "l.tenant_id as tenant_id",
      "l.rating as rating",
      "i.feature as feature",
      "i.occurred_at as occurred_at",
    ])
    .where("l.tenant_id", "=", tenantId);
}

/**
 * Deletes the labels `selected` (read with `labelsWithInteraction`) and takes them out of the
 * rollups, in `trx`: the one way a purge or an erasure removes labels. Returns how many went.
 */
export async function deleteLabels(
  trx: Db,
  tenantId: string,
  selected: readonly (Omit<RolledLabel, "feature" | "occurred_at"> & {
    readonly id: string;
    readonly feature: string | null;
    readonly occurred_at: RolledLabel["occurred_at"] | null;
  })[],
): Promise<number> {
  if (selected.length === 0) return 0;
  const res = await trx
    .deleteFrom("labels")
    .where("tenant_id", "=", tenantId)
    .where(
      "id",
      "in",
      selected.map((l) => l.id),
    )
    .executeTakeFirstOrThrow();
  await rollupRepo.subtract(trx, {
    labels: selected.filter((l) => l.feature !== null) as RolledLabel[],
  });
  return Number(res.numDeletedRows);
}

/** Sharing periods, deletion receipts and the store-level steps of a purge. */
export const purgeRepo = {
  async lockPeriod(trx: Db, dialect: Dialect, periodId: string): Promise<SharingPeriodTable | null> {
    const q = trx.selectFrom("sharing_periods").selectAll().where("id", "=", periodId);
    return (await forUpdate(dialect, q).executeTakeFirst()) ?? null;
  },

  /**
   * Closed periods not yet purged whose deadline is at or before `dueBy`, and every period whose
   * purge started (an open receipt: keys destroyed, some rows maybe gone) and was interrupted, by
   * a crash or a lost lease, whatever its deadline: a started purge is always finished. Oldest
   * deadline first.
   */
  async dueWithdrawals(db: Db, dueBy: number): Promise<SharingPeriodTable[]> {
    return db
      .selectFrom("sharing_periods")
      .selectAll()
      .where("deleted_at", "is", null)
      .where("opted_out_at", "is not", null)
      .where((eb) =>
        eb.or([
          eb("delete_by", "<=", dueBy),
          eb(
            "id",
            "in",
            eb
              .selectFrom("deletion_receipts")
              .select("period_id")
              .where("completed_at", "is", null)
              .where("period_id", "is not", null)
              .$narrowType<{ period_id: string }>(),
          ),
        ]),
      )
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

  /**
   * Deletes up to `limit` labels or dataset items of a period; returns how many went. These are a
   * small share of a period's rows, so each batch simply takes the next ones the index yields.
   */
  async deletePeriodDependents(
    trx: Db,
    table: "labels" | "dataset_items",
    tenantId: string,
    periodId: string,
    limit: number,
  ): Promise<number> {
    if (table === "labels") {
      // Read with their interactions' feature and day first, to take them out of the rollups.
      const labels = await labelsWithInteraction(trx, tenantId)
        .where("l.period_id", "=", periodId)
        .limit(limit)
        .execute();
      return deleteLabels(trx, tenantId, labels);
    }
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
    const res = await trx
      .deleteFrom("dataset_items")
      .where("tenant_id", "=", tenantId)
      .where("period_id", "=", periodId)
      .where(
        "interaction_id",
        "in",
        ids.map((r) => r.interaction_id),
      )
      .executeTakeFirstOrThrow();
    return Number(res.numDeletedRows);
  },

  /**
   * Deletes the next `limit` interactions of a period after id `after`, in id order, as one range
   * (index interactions_period_id): each batch starts where the last ended, so it never reads the
   * index entries of rows already deleted (PostgreSQL keeps those until VACUUM), and a range is
   * cheaper to plan and run than a list of ids. Labels and dataset items go first, by period.
   * Returns how many went and the id to continue after (null when the period is done).
   */
  async deletePeriodInteractions(
    trx: Db,
    tenantId: string,
    periodId: string,
    after: string | null,
    limit: number,
  ): Promise<{ deleted: number; next: string | null }> {
    let bound = trx
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("period_id", "=", periodId);
    if (after !== null) bound = bound.where("id", ">", after);
    const upTo =
      (
        await bound
          .orderBy("id")
          .limit(1)
          .offset(limit - 1)
          .executeTakeFirst()
      )?.id ?? null;
    let del = trx
      .deleteFrom("interactions")
      .where("tenant_id", "=", tenantId)
      .where("period_id", "=", periodId);
    if (after !== null) del = del.where("id", ">", after);
    if (upTo !== null) del = del.where("id", "<=", upTo);
    const gone = await del.returning(ROLLED_COLUMNS).execute();
    await rollupRepo.subtract(trx, { interactions: gone });
    return { deleted: gone.length, next: upTo };
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

  /**
   * Deletes the oldest expired interactions of a tenant (occurred at or before `cutoff`), with
   * their labels and dataset items: about `limit` of them, as one range of `occurred_at` starting
   * at `from` (the previous batch's end, so index entries of rows already deleted are not read
   * again). Returns what went and where the next batch starts (null when nothing expired is left).
   */
  async deleteExpiredInteractions(
    trx: Db,
    tenantId: string,
    cutoff: number,
    from: number | null,
    limit: number,
  ): Promise<{ counts: Partial<PurgeCounts>; next: number | null }> {
    let bound = trx
      .selectFrom("interactions")
      .select("occurred_at")
      .where("tenant_id", "=", tenantId)
      .where("occurred_at", "<=", cutoff);
    if (from !== null) bound = bound.where("occurred_at", ">=", from);
    const found = await bound
      .orderBy("occurred_at")
      .limit(1)
      .offset(limit - 1)
      .executeTakeFirst();
    const upTo = found ? found.occurred_at : cutoff;
    const lower = from ?? Number.MIN_SAFE_INTEGER;
    const expiredIds = trx
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("occurred_at", ">=", lower)
      .where("occurred_at", "<=", upTo);
    const expiredLabels = await labelsWithInteraction(trx, tenantId)
      .where("i.occurred_at", ">=", lower)
      .where("i.occurred_at", "<=", upTo)
      .execute();
    const labels = await trx
      .deleteFrom("labels")
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "in", expiredIds)
      .executeTakeFirstOrThrow();
    const items = await trx
      .deleteFrom("dataset_items")
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "in", expiredIds)
      .executeTakeFirstOrThrow();
    const interactions = await trx
      .deleteFrom("interactions")
      .where("tenant_id", "=", tenantId)
      .where("occurred_at", ">=", lower)
      .where("occurred_at", "<=", upTo)
      .returning(ROLLED_COLUMNS)
      .execute();
    await rollupRepo.subtract(trx, { interactions, labels: expiredLabels as RolledLabel[] });
    return {
      counts: {
        interactions: interactions.length,
        labels: Number(labels.numDeletedRows),
        datasetItems: Number(items.numDeletedRows),
      },
      next: found ? upTo : null,
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
    return row?.oldest ?? null;
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
    return row?.oldest ?? null;
  },
};
