import type { Generated } from "kysely";

import type { PurgeKind } from "../modules/retention/types.js";

import type { AuditTables } from "./audit-schema.js";

export interface SharingStateTable {
  tenant_id: string;
  enabled: number;
  since: number;
  period_id: string | null;
  /** Bumped on every change; the ETag of GET /v1/sharing and the change detector of the stream. */
  version: number;
}

export interface SharingPeriodTable {
  tenant_id: string;
  id: string;
  opted_in_at: number;
  opted_in_by: string;
  opted_out_at: number | null;
  opted_out_by: string | null;
  /** JSON `{tokenId, tokenName, actorName?}` when the change came through an API token. */
  opted_in_via?: unknown;
  opted_out_via?: unknown;
  delete_by: number | null;
  deleted_at: number | null;
  /** JSON of the deletion receipt, once the period's data is purged. */
  receipt: unknown;
}

export interface DataKeyTable {
  tenant_id: string;
  id: string;
  period_id: string;
  /** UTC day number of the interactions it encrypts. */
  day: number;
  /** The data key wrapped by the master key. */
  wrapped: Buffer;
  created_at: number;
  /** The id of the master key that wraps it (null: wrapped before ids were recorded). */
  master_key_id?: string | null;
}

export interface InteractionTable {
  tenant_id: string;
  id: string;
  client_id: string | null;
  period_id: string;
  key_id: string;
  feature: string;
  conversation_id: string | null;
  occurred_at: number;
  captured_at: number;
  /** AES-256-GCM ciphertext of {input, output}. */
  content: Buffer;
  model: string | null;
  provider: string | null;
  latency_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  finish_reason: string | null;
  feedback: number | null;
  /** JSON of the small custom telemetry map. */
  attributes: unknown;
}

export interface LabelTable {
  tenant_id: string;
  id: string;
  interaction_id: string;
  period_id: string;
  reviewer_id: string;
  grant_id: string;
  rating: number | null;
  /** JSON array of tag strings. */
  tags: unknown;
  /** The reviewer's note, sealed with the interaction's data key (it may quote content). */
  note: Buffer | null;
  /** A corrected output, sealed with the interaction's data key (migration 008_review_queues). */
  corrected_output?: Buffer | null;
  created_at: number;
}

export interface ReviewQueueTable {
  id: string;
  name: string;
  /** JSON of the saved filter: `{tenantId?, feature?, from?, to?}` (the region is the store's). */
  filter: unknown;
  /** Interactions sampled per feature; null: every interaction the filter matched. */
  sample_per_feature: number | null;
  created_by: string;
  grant_id: string;
  created_at: number;
}

export interface ReviewQueueItemTable {
  tenant_id: string;
  queue_id: string;
  interaction_id: string;
  feature: string;
  /** Order in which `next` hands items out (a shuffle of the sample). */
  position: number;
  state: "new" | "in-review" | "done" | "skipped";
  assignee_id: string | null;
  updated_at: number;
}

export interface DatasetTable {
  id: string;
  name: string;
  purpose: string;
  description: string | null;
  created_by: string;
  grant_id: string;
  created_at: number;
}

export interface DatasetItemTable {
  tenant_id: string;
  dataset_id: string;
  interaction_id: string;
  period_id: string;
  added_by: string;
  added_at: number;
}

/** A deletion receipt; completed_at null while its purge is in progress. */
export interface DeletionReceiptTable {
  tenant_id: string;
  id: string;
  kind: PurgeKind;
  /** The purged sharing period (withdrawal, delete-now); null for retention. */
  period_id: string | null;
  /** Retention: interactions that occurred at or before this time were deleted. */
  cutoff: number | null;
  started_at: number;
  updated_at: number;
  keys_destroyed_at: number | null;
  completed_at: number | null;
  interactions: number;
  labels: number;
  dataset_items: number;
  keys_destroyed: number;
  /** JSON of the final receipt (with its hash), once completed. */
  receipt: unknown;
  hash: string | null;
}

/** Aggregates of one (tenant, feature, UTC day) of interactions: see modules/insights/rollups.ts. */
export interface FeatureRollupTable {
  tenant_id: string;
  feature: string;
  day: number;
  interactions: number;
  /** Sparse latency histogram, varint-encoded (modules/insights/histogram.ts). */
  latency: Buffer;
  tokens_in: number;
  tokens_out: number;
  /** JSON object: finish reason → count. */
  finish_reasons: string;
  feedback_positive: number;
  feedback_negative: number;
  feedback_count: number;
  feedback_sum: number;
  labels: number;
  rated: number;
  rating_sum: number;
}

/** One row while the rollups of rows stored before migration 006 still have to be folded. */
export interface RollupsPendingTable {
  id: number;
}

/** One change of one tenant's setting, in the region's change log (seq: commit order). */
export interface SharingChangeTable {
  seq: Generated<number>;
  tenant_id: string;
  enabled: number;
  since: number;
  version: number;
}

export interface RegionDb extends AuditTables {
  feature_rollups: FeatureRollupTable;
  rollups_pending: RollupsPendingTable;
  sharing_changes: SharingChangeTable;
  labels: LabelTable;
  review_queues: ReviewQueueTable;
  review_queue_items: ReviewQueueItemTable;
  datasets: DatasetTable;
  dataset_items: DatasetItemTable;
  sharing_state: SharingStateTable;
  sharing_periods: SharingPeriodTable;
  data_keys: DataKeyTable;
  interactions: InteractionTable;
  deletion_receipts: DeletionReceiptTable;
}
