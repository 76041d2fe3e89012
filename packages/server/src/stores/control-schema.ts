import type { RequestState } from "../modules/access/grants/types.js";
import type { AuditTables } from "./audit-schema.js";

export interface TenantTable {
  id: string;
  name: string;
  region: string;
  /** The vendor's own id for the tenant (unique when set). */
  external_id: string | null;
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

export interface ServiceKeyTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  /** JSON array of region names the key covers; null = every region. */
  regions: string | null;
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
  /** Who made the account (actor id; null before migration 005) and how they are named. */
  created_by?: string | null;
  created_by_label?: string | null;
  /** The invitation the account was made from, when it was. */
  invitation_id?: string | null;
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

export interface AccessRequestTable {
  id: string;
  requester_id: string;
  region: string;
  /** The one tenant the request is scoped to; null for the whole region. */
  tenant_id: string | null;
  reason_code: string;
  justification: string;
  ticket: string | null;
  duration_minutes: number;
  approvals_required: number;
  /** Decisions are final. */
  state: RequestState;
  created_at: number;
  /** Still pending at this time, the request expires. */
  decide_by: number;
  decided_at: number | null;
  decided_by: string | null;
  decision_note: string | null;
}

export interface AccessApprovalTable {
  request_id: string;
  approver_id: string;
  at: number;
}

export interface AccessGrantTable {
  id: string;
  request_id: string;
  user_id: string;
  region: string;
  tenant_id: string | null;
  starts_at: number;
  ends_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
}

export interface SignInThrottleTable {
  /** `account:<sha256 of the email>` or `address:<sha256 of the client address>`. */
  key: string;
  failures: number;
  window_start: number;
  locked_until: number | null;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  /** sha256 of the token; the token itself is never stored. */
  token_hash: string;
  prefix: string;
  /** JSON array of scope names. */
  scopes: unknown;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** An invitation to become a tenant admin (migration 005): the token is stored only hashed. */
export interface InvitationTable {
  id: string;
  token_hash: string;
  email: string;
  name: string | null;
  /** JSON array of role names. */
  roles: string;
  tenant_id: string | null;
  created_by: string;
  created_by_label: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  user_id: string | null;
  revoked_at: number | null;
}

/** A program feature declared through the management API (migration 006). */
export interface ProgramFeatureTable {
  id: string;
  name: string;
  description: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  /** Set when retired: no longer offered to tenant admins (a later PUT brings it back). */
  retired_at: number | null;
  retired_by: string | null;
}

export interface ControlDb extends AuditTables {
  program_features: ProgramFeatureTable;
  api_tokens: ApiTokenTable;
  invitations: InvitationTable;
  access_requests: AccessRequestTable;
  access_approvals: AccessApprovalTable;
  access_grants: AccessGrantTable;
  sign_in_throttle: SignInThrottleTable;
  tenants: TenantTable;
  ingestion_keys: IngestionKeyTable;
  service_keys: ServiceKeyTable;
  users: UserTable;
  sessions: SessionTable;
  job_leases: JobLeaseTable;
}
