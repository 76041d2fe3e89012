import type { PurgeKind } from "@assent/sdk/contract";

/** Why a purge ran: the tenant opted out (deadline), the admin asked, or data aged out. */
export { PURGE_KINDS, type PurgeKind } from "@assent/sdk/contract";

/** What one purge destroyed. */
export interface PurgeCounts {
  readonly interactions: number;
  readonly labels: number;
  readonly datasetItems: number;
  readonly dataKeys: number;
}

export const NO_COUNTS: PurgeCounts = { interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 };

export function addCounts(a: PurgeCounts, b: Partial<PurgeCounts>): PurgeCounts {
  return {
    interactions: a.interactions + (b.interactions ?? 0),
    labels: a.labels + (b.labels ?? 0),
    datasetItems: a.datasetItems + (b.datasetItems ?? 0),
    dataKeys: a.dataKeys + (b.dataKeys ?? 0),
  };
}

/**
 * The deletion receipt a tenant admin sees: metadata only (ids, counts, times), never content.
 * `hash` is the sha256 of the receipt's canonical JSON without `hash` (see receipt.ts); the same
 * hash is in the region audit chain's `purge.*` event, so a receipt cannot be altered unnoticed.
 */
export interface DeletionReceipt {
  readonly id: string;
  readonly kind: PurgeKind;
  readonly tenantId: string;
  readonly region: string;
  /** The purged sharing period; null for retention (which may span periods). */
  readonly periodId: string | null;
  /** Withdrawal and delete-now: the deadline the purge met (or missed). */
  readonly deleteBy: string | null;
  /** Retention: everything that occurred at or before this time was deleted. */
  readonly cutoff: string | null;
  readonly deleted: PurgeCounts;
  readonly startedAt: string;
  /** From this time on the content was unreadable: its data keys were destroyed. */
  readonly keysDestroyedAt: string | null;
  readonly completedAt: string;
  /** Subject erasure: the first characters of the erased subject's keyed hash (never the id). */
  readonly subjectRef?: string;
  readonly hash: string;
  /** Compact JWS (EdDSA, kid) of the receipt without `jws` (modules/evidence); absent on receipts made before signing. */
  readonly jws?: string;
}

/** Counters of what purges destroyed, by region and kind (Prometheus). */
export interface PurgeMetrics {
  purged(region: string, kind: PurgeKind, counts: Partial<PurgeCounts>): void;
}

/** Age facts per region, read when Prometheus scrapes. */
export interface DeletionGauge {
  readonly region: string;
  /** Seconds since the oldest stored interaction occurred; 0 when none is stored. */
  readonly oldestInteractionAgeSeconds: number;
  /** Seconds since the oldest missed withdrawal deadline; 0 when none is overdue. */
  readonly purgeLagSeconds: number;
}

/** Hooks a long purge calls between its batches (the job scheduler renews its lease there). */
export interface PurgeHooks {
  /** Called after each committed batch; throwing stops the purge (it resumes on a later run). */
  readonly afterBatch?: () => Promise<void>;
  /** Called once the data keys are destroyed and committed: the content is unreadable from here. */
  readonly onKeysDestroyed?: () => void;
}
