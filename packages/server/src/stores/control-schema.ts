import type { AuditTables } from "./audit-schema.js";

export interface TenantTable {
  id: string;
  name: string;
  region: string;
  created_at: number;
  created_by: string | null;
}

export interface IngestionKeyTable {
  id: string;
  tenant_id: string;
  key_hash: string;
  prefix: string;
  label: string | null;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

export interface UserTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  /** JSON array of role names. */
  roles: string;
  tenant_id: string | null;
  must_change_password: number;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  /** sha256 of the cookie's token; the token itself is never stored. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface ControlDb extends AuditTables {
  tenants: TenantTable;
  ingestion_keys: IngestionKeyTable;
  users: UserTable;
  sessions: SessionTable;
  job_leases: JobLeaseTable;
}
