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
  /** JSON list of the feature ids the tenant chose to share; null: every feature. */
  features?: string | null;
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
  /** Keyed hash (per-tenant HMAC) of the end user the interaction is about; never the raw id. */
  subject_hash?: string | null;
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
  /** A corrected output, sealed with the interaction's data key (migration 011_review_queues). */
  corrected_output?: Buffer | null;
  /** "rating" or "preference" (migration 012_preference_labels; absent: "rating"). */
  kind?: string;
  /** A preference: the other interaction compared (same tenant and feature). */
  compared_with?: string | null;
  /** A preference: "a" (this interaction), "b" (compared_with) or "tie". */
  preference?: string | null;
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
  features?: string | null;
}

/** A tenant's subject-hashing key, wrapped by the master key. */
export interface SubjectKeyTable {
  tenant_id: string;
  wrapped: Buffer;
  created_at: number;
  master_key_id: string | null;
}

/** An excluded subject: its keyed hash, and the check value capturing clients compare against. */
export interface SubjectExclusionTable {
  tenant_id: string;
  subject_hash: string;
  sdk_check: string;
  excluded_at: number;
  excluded_by: string;
  /** "admin" (added by a tenant admin), "objection" (told by the vendor), "erasure". */
  reason: string;
}

/** One change of a tenant's consent scopes (features, exclusions, erasures). */
export interface ScopeChangeTable {
  tenant_id: string;
  id: string;
  at: number;
  actor: string;
  actor_role: string;
  /** JSON of the API token a change came through, when it did. */
  via: string | null;
  kind: string;
  /** JSON: what changed (feature lists, a subject's reference; never a raw subject id). */
  details: string;
}

/** A signed consent record (modules/evidence): `record` is its JSON, `jws` included. */
export interface ConsentRecordTable {
  tenant_id: string;
  seq: number;
  id: string;
  kind: string;
  created_at: number;
  period_id: string | null;
  record: unknown;
}

/** A tenant admin's webhook for access and deletion events (modules/webhooks). */
export interface WebhookTable {
  tenant_id: string;
  id: string;
  url: string;
  /** The HMAC key of its deliveries (shown once to the admin). */
  secret: string;
  created_at: number;
  created_by: string;
  /** Consecutive failed attempts; the hook is disabled past the limit. */
  failures: number;
  disabled_at: number | null;
  disabled_reason: string | null;
}

export type WebhookDeliveryState = "pending" | "delivered" | "failed";

export interface WebhookDeliveryTable {
  tenant_id: string;
  id: string;
  hook_id: string;
  event_id: string;
  event_type: string;
  /** The JSON body sent: ids and metadata only. */
  body: string;
  state: WebhookDeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookCursorTable {
  id: number;
  seq: number;
}

export interface RegionDb extends AuditTables {
  consent_records: ConsentRecordTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_cursor: WebhookCursorTable;
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
  subject_keys: SubjectKeyTable;
  subject_exclusions: SubjectExclusionTable;
  scope_changes: ScopeChangeTable;
}
