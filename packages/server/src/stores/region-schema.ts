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

export interface RegionDb extends AuditTables {
  sharing_state: SharingStateTable;
  sharing_periods: SharingPeriodTable;
  data_keys: DataKeyTable;
  interactions: InteractionTable;
}
