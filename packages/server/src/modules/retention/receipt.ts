import { isoOrNull } from "../../http/time.js";
import { sha256Hex } from "../../ids.js";
import type { DeletionReceiptTable } from "../../stores/region-schema.js";
import type { DeletionReceipt, PurgeCounts } from "./types.js";

/** JSON with object keys sorted at every level: the same receipt always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the receipt's canonical JSON without its `hash` field. */
export function receiptHash(receipt: Omit<DeletionReceipt, "hash"> | DeletionReceipt): string {
  const { hash: _ignored, ...rest } = receipt as DeletionReceipt;
  return sha256Hex(canonicalJson(rest));
}

export const countsOf = (row: DeletionReceiptTable): PurgeCounts => ({
  interactions: row.interactions,
  labels: row.labels,
  datasetItems: row.dataset_items,
  dataKeys: row.keys_destroyed,
});

/** The final receipt of a purge whose counters are in `row`, completed at `completedAt`. */
export function buildReceipt(
  row: DeletionReceiptTable,
  region: string,
  completedAt: number,
  deleteBy: number | null,
): DeletionReceipt {
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
  };
  return { ...body, hash: receiptHash(body) };
}
