export interface AuditEventTable {
  seq: number;
  id: string;
  at: number;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  tenant_id: string | null;
  target_type: string | null;
  target_id: string | null;
  grant_id: string | null;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** A signed checkpoint of the chain's head (see modules/audit/checkpoints.ts). */
export interface AuditCheckpointTable {
  seq: number;
  hash: string;
  at: number;
  key_id: string;
  signature: string;
}

export interface AuditTables {
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
}
