import { canonicalJson } from "@assent/sdk/evidence";
import { isoOrNull } from "../../http/time.js";
import { sha256Hex } from "../../ids.js";
import type { DeletionReceiptTable } from "../../stores/region-schema.js";
import { type EvidenceSigner, signEvidence } from "../evidence/sign.js";
import type { DeletionReceipt, PurgeCounts } from "./types.js";

/** sha256 (hex) of the receipt's canonical JSON without its `hash` and `jws` fields. */
export function receiptHash(receipt: Omit<DeletionReceipt, "hash"> | DeletionReceipt): string {
  const { hash: _ignored, jws: _signature, ...rest } = receipt as DeletionReceipt;
  return sha256Hex(canonicalJson(rest));
}

export const countsOf = (row: DeletionReceiptTable): PurgeCounts => ({
  interactions: row.interactions,
  labels: row.labels,
  datasetItems: row.dataset_items,
  dataKeys: row.keys_destroyed,
});

/**
 * The final receipt of a purge whose counters are in `row`, completed at `completedAt`, hashed and
 * signed (`jws`) whatever its kind.
 */
export async function buildReceipt(
  row: DeletionReceiptTable,
  region: string,
  completedAt: number,
  deleteBy: number | null,
  signer: EvidenceSigner,
  /** Fields of one kind only (a subject erasure's `subjectRef`), hashed and signed with the rest. */
  extra: Pick<DeletionReceipt, "subjectRef"> = {},
): Promise<DeletionReceipt> {
  const body: Omit<DeletionReceipt, "hash"> = {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    region,
    periodId: row.period_id,
    deleteBy: isoOrNull(deleteBy),
    cutoff: isoOrNull(row.cutoff ?? null),
    deleted: countsOf(row),
    startedAt: new Date(row.started_at).toISOString(),
    keysDestroyedAt: isoOrNull(row.keys_destroyed_at ?? null),
    completedAt: new Date(completedAt).toISOString(),
    ...extra,
  };
  return signEvidence(signer, { ...body, hash: receiptHash(body) });
}
