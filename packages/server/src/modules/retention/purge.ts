import type { Kysely } from "kysely";
import type { Actor } from "../../actor.js";
import { type Clock, dayOf } from "../../clock.js";
import type { KeyWrapper } from "../../crypto/data-keys.js";
import { newId } from "../../ids.js";
import type { DeletionReceiptTable, RegionDb } from "../../stores/region-schema.js";
import type { Store } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import type { EvidenceSigner } from "../evidence/sign.js";
import { buildReceipt, countsOf } from "./receipt.js";
import { purgeRepo } from "./repo.js";
import {
  addCounts,
  type DeletionReceipt,
  NO_COUNTS,
  type PurgeCounts,
  type PurgeHooks,
  type PurgeKind,
  type PurgeMetrics,
} from "./types.js";

/**
 * The mechanics of one purge, in the order that makes it safe to interrupt anywhere:
 * 1. destroy the data keys (one short transaction): from its commit on, the content is unreadable;
 * 2. delete the rows in batches, each batch a transaction that also adds to the receipt's counters;
 * 3. finish: when nothing is left, complete the receipt, mark the period deleted and append the
 *    `purge.*` audit event, in one transaction.
 * A purge that stops half-way (crash, lost lease, shutdown) is resumed by the next run, with the
 * same receipt. Two runners on the same purge delete disjoint rows (row locks), so counts add up.
 */
export interface PurgeDeps {
  readonly clock: Clock;
  readonly keys: Pick<KeyWrapper, "forget">;
  readonly metrics: PurgeMetrics;
  /** Rows per delete transaction: short enough not to hold SQLite's single writer for long. */
  readonly batchSize: number;
  /** Signs every completed receipt. */
  readonly signer: EvidenceSigner;
}

export interface PurgeTarget {
  readonly region: string;
  readonly store: Store<RegionDb>;
}

export interface PurgeOutcome {
  /** The completed receipt, when this runner finished the purge. */
  readonly receipt: DeletionReceipt | null;
  /** What this runner destroyed (another runner may have destroyed the rest). */
  readonly deleted: PurgeCounts;
  /** False when data was still left (another runner in flight, or interrupted). */
  readonly finished: boolean;
}

const NOTHING: PurgeOutcome = { receipt: null, deleted: NO_COUNTS, finished: true };
/** Passes over a period before leaving the rest to a later run (rows added by a racing writer). */
const MAX_PASSES = 3;

function emptyReceiptRow(
  tenantId: string,
  kind: PurgeKind,
  periodId: string | null,
  cutoff: number | null,
  now: number,
): DeletionReceiptTable {
  return {
    tenant_id: tenantId,
    id: newId(),
    kind,
    period_id: periodId,
    cutoff,
    started_at: now,
    updated_at: now,
    keys_destroyed_at: null,
    completed_at: null,
    interactions: 0,
    labels: 0,
    dataset_items: 0,
    keys_destroyed: 0,
    receipt: null,
    hash: null,
  };
}

async function auditPurge(
  trx: Kysely<RegionDb>,
  target: PurgeTarget,
  receipt: DeletionReceipt,
  actor: Actor,
  at: number,
): Promise<void> {
  await appendAudit(trx, target.store.dialect, at, {
    actorId: actor.id,
    actorRole: actor.role,
    action: `purge.${receipt.kind}`,
    tenantId: receipt.tenantId,
    targetType: "deletion-receipt",
    targetId: receipt.id,
    details: {
      kind: receipt.kind,
      periodId: receipt.periodId,
      interactions: receipt.deleted.interactions,
      labels: receipt.deleted.labels,
      datasetItems: receipt.deleted.datasetItems,
      dataKeys: receipt.deleted.dataKeys,
      receiptHash: receipt.hash,
    },
  });
}

/** Runs one delete batch in its own transaction, counting it on the receipt and in the metrics. */
async function batch(
  deps: PurgeDeps,
  target: PurgeTarget,
  receiptId: string,
  kind: PurgeKind,
  del: (trx: Kysely<RegionDb>) => Promise<Partial<PurgeCounts>>,
): Promise<Partial<PurgeCounts>> {
  const counts = await target.store.db.transaction().execute(async (trx) => {
    const c = await del(trx);
    const total = (c.interactions ?? 0) + (c.labels ?? 0) + (c.datasetItems ?? 0) + (c.dataKeys ?? 0);
    if (total > 0) await purgeRepo.addToReceipt(trx, receiptId, c, deps.clock.now());
    return c;
  });
  deps.metrics.purged(target.region, kind, counts);
  return counts;
}

/**
 * Purges one closed sharing period: its data keys, interactions, labels and dataset items.
 * Does nothing when the period is open, unknown or already purged.
 */
export async function purgePeriod(
  deps: PurgeDeps,
  target: PurgeTarget,
  periodId: string,
  kind: "withdrawal" | "delete-now",
  actor: Actor,
  hooks: PurgeHooks = {},
): Promise<PurgeOutcome> {
  const { store } = target;
  const start = await store.db.transaction().execute(async (trx) => {
    const period = await purgeRepo.lockPeriod(trx, store.dialect, periodId);
    if (!period || period.deleted_at !== null || period.opted_out_at === null) return null;
    const now = deps.clock.now();
    let row = await purgeRepo.openReceiptOfPeriod(trx, periodId);
    if (!row) {
      row = emptyReceiptRow(period.tenant_id, kind, periodId, null, now);
      await purgeRepo.insertReceiptRow(trx, row);
    }
    const keyIds = await purgeRepo.destroyPeriodKeys(trx, period.tenant_id, periodId);
    if (keyIds.length > 0) await purgeRepo.addToReceipt(trx, row.id, { dataKeys: keyIds.length }, now);
    await purgeRepo.setKeysDestroyedAt(trx, row.id, now);
    return { tenantId: period.tenant_id, receiptId: row.id, kind: row.kind, keyIds };
  });
  if (!start) return NOTHING;
  deps.keys.forget(start.keyIds);
  deps.metrics.purged(target.region, start.kind, { dataKeys: start.keyIds.length });
  hooks.onKeysDestroyed?.();

  let deleted: PurgeCounts = addCounts(NO_COUNTS, { dataKeys: start.keyIds.length });
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    for (const table of ["labels", "dataset_items"] as const) {
      for (;;) {
        let more = false;
        const counts = await batch(deps, target, start.receiptId, start.kind, async (trx) => {
          const n = await purgeRepo.deletePeriodDependents(
            trx,
            table,
            start.tenantId,
            periodId,
            deps.batchSize,
          );
          more = n > 0;
          return table === "labels" ? { labels: n } : { datasetItems: n };
        });
        deleted = addCounts(deleted, counts);
        if (!more) break;
        await hooks.afterBatch?.();
      }
    }
    let after: string | null = null;
    for (;;) {
      let more = false;
      const counts = await batch(deps, target, start.receiptId, start.kind, async (trx) => {
        const res = await purgeRepo.deletePeriodInteractions(
          trx,
          start.tenantId,
          periodId,
          after,
          deps.batchSize,
        );
        after = res.next;
        more = res.next !== null;
        return { interactions: res.deleted };
      });
      deleted = addCounts(deleted, counts);
      if (!more) break;
      await hooks.afterBatch?.();
    }
    const done = await store.db.transaction().execute(async (trx) => {
      const period = await purgeRepo.lockPeriod(trx, store.dialect, periodId);
      if (!period || period.deleted_at !== null) return { receipt: null, finished: true };
      // Keys first, again: a key made by a writer racing the opt-out is destroyed before rows go.
      const lateKeys = await purgeRepo.destroyPeriodKeys(trx, start.tenantId, periodId);
      if (lateKeys.length > 0) {
        deps.keys.forget(lateKeys);
        await purgeRepo.addToReceipt(trx, start.receiptId, { dataKeys: lateKeys.length }, deps.clock.now());
        deleted = addCounts(deleted, { dataKeys: lateKeys.length });
      }
      if (await purgeRepo.periodHasData(trx, start.tenantId, periodId))
        return { receipt: null, finished: false };
      const row = await purgeRepo.getReceiptRow(trx, start.receiptId);
      if (!row) throw new Error(`deletion receipt ${start.receiptId} vanished during its purge`);
      const now = deps.clock.now();
      const receipt = await buildReceipt(row, target.region, now, period.delete_by, deps.signer);
      await purgeRepo.completeReceipt(trx, receipt, now);
      await purgeRepo.markPeriodDeleted(trx, periodId, now, receipt);
      await auditPurge(trx, target, receipt, actor, now);
      return { receipt, finished: true };
    });
    if (done.finished) return { ...done, deleted };
  }
  return { receipt: null, deleted, finished: false };
}

/**
 * Retention for one tenant: destroys its day keys of days that have wholly expired, then deletes
 * every interaction (with its labels and dataset items) that occurred at or before `cutoff`.
 * Leaves one receipt for what it deleted, or none when there was nothing.
 */
export async function sweepTenant(
  deps: PurgeDeps,
  target: PurgeTarget,
  tenantId: string,
  cutoff: number,
  actor: Actor,
  hooks: PurgeHooks = {},
): Promise<PurgeOutcome> {
  const { store } = target;
  const firstLiveDay = dayOf(cutoff);
  const start = await store.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const row = emptyReceiptRow(tenantId, "retention", null, cutoff, now);
    await purgeRepo.insertReceiptRow(trx, row);
    const keyIds = await purgeRepo.destroyExpiredKeys(trx, tenantId, firstLiveDay);
    if (keyIds.length > 0) {
      await purgeRepo.addToReceipt(trx, row.id, { dataKeys: keyIds.length }, now);
      await purgeRepo.setKeysDestroyedAt(trx, row.id, now);
    }
    return { receiptId: row.id, keyIds };
  });
  deps.keys.forget(start.keyIds);
  deps.metrics.purged(target.region, "retention", { dataKeys: start.keyIds.length });
  if (start.keyIds.length > 0) hooks.onKeysDestroyed?.();

  let deleted: PurgeCounts = addCounts(NO_COUNTS, { dataKeys: start.keyIds.length });
  let from: number | null = null;
  for (;;) {
    let more = false;
    const counts = await batch(deps, target, start.receiptId, "retention", async (trx) => {
      const res = await purgeRepo.deleteExpiredInteractions(trx, tenantId, cutoff, from, deps.batchSize);
      from = res.next;
      more = res.next !== null;
      return res.counts;
    });
    deleted = addCounts(deleted, counts);
    if (!more) break;
    await hooks.afterBatch?.();
  }
  const receipt = await finishRetentionReceipt(deps, target, start.receiptId, actor);
  return { receipt, deleted, finished: true };
}

/** Completes a retention receipt (audit event included); drops it when it counted nothing. */
export async function finishRetentionReceipt(
  deps: Pick<PurgeDeps, "clock" | "signer">,
  target: PurgeTarget,
  receiptId: string,
  actor: Actor,
): Promise<DeletionReceipt | null> {
  return target.store.db.transaction().execute(async (trx) => {
    const row = await purgeRepo.lockReceiptRow(trx, target.store.dialect, receiptId);
    if (!row || row.completed_at !== null) return null;
    const c = countsOf(row);
    if (c.interactions + c.labels + c.datasetItems + c.dataKeys === 0) {
      await purgeRepo.deleteReceiptRow(trx, receiptId);
      return null;
    }
    const now = deps.clock.now();
    const receipt = await buildReceipt(row, target.region, now, null, deps.signer);
    await purgeRepo.completeReceipt(trx, receipt, now);
    await auditPurge(trx, target, receipt, actor, now);
    return receipt;
  });
}
