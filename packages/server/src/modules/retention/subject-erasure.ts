import type { Kysely } from "kysely";
import type { Actor } from "../../actor.js";
import { newId } from "../../ids.js";
import type { RegionDb } from "../../stores/region-schema.js";
import type { Dialect } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import type { EvidenceSigner } from "../evidence/sign.js";
import { ROLLED_COLUMNS, rollupRepo } from "../insights/rollup-repo.js";
import { buildReceipt } from "./receipt.js";
import { deleteLabels, labelsWithInteraction, purgeRepo } from "./repo.js";
import type { DeletionReceipt, PurgeCounts } from "./types.js";

type Db = Kysely<RegionDb>;

/** Erasure batch size: one subject's rows are usually few; a heavy user's go in several. */
export const ERASURE_BATCH = 500;

/** Opens the receipt of a subject erasure (its counters grow with each batch). */
export async function startErasureReceipt(trx: Db, tenantId: string, now: number): Promise<string> {
  const id = newId();
  await purgeRepo.insertReceiptRow(trx, {
    tenant_id: tenantId,
    id,
    kind: "subject-erasure",
    period_id: null,
    cutoff: null,
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
  });
  return id;
}

/**
 * Deletes the next batch of one subject's interactions with their labels and dataset items (and
 * takes them out of the rollups); returns what went. The subject is excluded before the first
 * batch, so no new row of theirs can appear while this runs.
 */
export async function eraseSubjectBatch(
  trx: Db,
  tenantId: string,
  subjectHash: string,
  limit = ERASURE_BATCH,
): Promise<PurgeCounts> {
  const ids = (
    await trx
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("subject_hash", "=", subjectHash)
      .limit(limit)
      .execute()
  ).map((r) => r.id);
  if (ids.length === 0) return { interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 };
  // A comparison is kept on one of its two interactions: erasing either erases it.
  const labels = await labelsWithInteraction(trx, tenantId)
    .where((eb) => eb.or([eb("l.interaction_id", "in", ids), eb("l.compared_with", "in", ids)]))
    .execute();
  await deleteLabels(trx, tenantId, labels);
  const items = await trx
    .deleteFrom("dataset_items")
    .where("tenant_id", "=", tenantId)
    .where("interaction_id", "in", ids)
    .executeTakeFirst();
  const gone = await trx
    .deleteFrom("interactions")
    .where("tenant_id", "=", tenantId)
    .where("id", "in", ids)
    .returning(ROLLED_COLUMNS)
    .execute();
  await rollupRepo.subtract(trx, { interactions: gone });
  return {
    interactions: gone.length,
    labels: labels.length,
    datasetItems: Number(items.numDeletedRows),
    dataKeys: 0,
  };
}

/** Completes the receipt (hash over it, subject reference included) and audits it, in `trx`. */
export async function finishErasure(
  trx: Db,
  dialect: Dialect,
  region: string,
  receiptId: string,
  subjectRef: string,
  actor: Actor,
  now: number,
  signer: EvidenceSigner,
): Promise<DeletionReceipt> {
  const row = await purgeRepo.getReceiptRow(trx, receiptId);
  if (!row) throw new Error(`deletion receipt ${receiptId} vanished during its erasure`);
  const receipt = await buildReceipt(row, region, now, null, signer, { subjectRef });
  await purgeRepo.completeReceipt(trx, receipt, now);
  await appendAudit(trx, dialect, now, {
    actorId: actor.id,
    actorRole: actor.role,
    action: "purge.subject-erasure",
    tenantId: receipt.tenantId,
    targetType: "deletion-receipt",
    targetId: receipt.id,
    details: {
      kind: receipt.kind,
      subjectRef,
      interactions: receipt.deleted.interactions,
      labels: receipt.deleted.labels,
      datasetItems: receipt.deleted.datasetItems,
      dataKeys: 0,
      receiptHash: receipt.hash,
    },
  });
  return receipt;
}
