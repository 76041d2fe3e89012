/**
 * The shapes the Assent HTTP API answers with (see the server's route schemas). Roles and reason
 * codes come from the contract (its TypeBox-free part, to keep the bundle small).
 */

export type { Role } from "@assent/sdk/contract/staff";

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  tenantId: string | null;
  mustChangePassword: boolean;
  createdAt: string;
  disabled: boolean;
}

export interface Session {
  user: User;
  expiresAt?: string;
}

export interface Program {
  name: string;
  description: string;
  retentionDays: number;
  withdrawalDeleteDays: number;
  allowedPurposes: string[];
  neverAllowed: string[];
  region: string;
  whoCanSee: string;
  lockbox: string;
}

export interface DeletionCounts {
  interactions: number;
  labels: number;
  datasetItems: number;
  dataKeys: number;
}

export interface SharingVia {
  tokenId: string;
  tokenName: string;
  actorName?: string;
}

export interface SharingPeriod {
  id: string;
  optedInAt: string;
  optedInBy: string;
  optedOutAt: string | null;
  optedOutBy: string | null;
  /** Set when a vendor's admin console made the change through an API token, for the person in optedInBy. */
  optedInVia?: SharingVia | null;
  optedOutVia?: SharingVia | null;
  deleteBy: string | null;
  deletedAt: string | null;
  receipt: Record<string, unknown> | null;
}

/** GET /api/program: the program and the regions it runs in. */
export interface ProgramOverview {
  program: Omit<Program, "region">;
  regions: string[];
}

export interface AdminSharing {
  tenant: { id: string; name: string; region: string };
  sharing: "on" | "off";
  since: string;
  program: Program;
  deleteBy: string | null;
  periods: SharingPeriod[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AccessLogEntry {
  eventId: string;
  at: string;
  action: string;
  who: string;
  staffId: string | null;
  role: string | null;
  reasonCode: string | null;
  justification: string | null;
  ticket: string | null;
  grantId: string | null;
  grantEndsAt: string | null;
  interactionIds: string[];
  datasetId: string | null;
}

export type RequestState = "pending" | "approved" | "denied" | "expired" | "cancelled";

export interface Grant {
  id: string;
  region: string;
  tenantId: string | null;
  startsAt: string;
  endsAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  status: "active" | "ended" | "revoked";
}

export interface AccessRequest {
  id: string;
  state: RequestState;
  requester: { id: string; email: string };
  region: string;
  tenantId: string | null;
  reasonCode: string;
  justification: string;
  ticket: string | null;
  durationMinutes: number;
  approvalsRequired: number;
  approvals: { approverId: string; at: string }[];
  createdAt: string;
  decideBy: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionNote: string | null;
  grant: Grant | null;
}

export interface NewAccessRequest {
  region: string;
  tenantId?: string;
  reasonCode: string;
  justification: string;
  ticket?: string;
  durationMinutes?: number;
}

export interface Telemetry {
  model: string | null;
  provider: string | null;
  latencyMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  finishReason: string | null;
  feedback: number | null;
  attributes: Record<string, string | number | boolean | null>;
}

export interface InteractionMeta {
  id: string;
  tenantId: string;
  region: string;
  clientId: string | null;
  feature: string;
  conversationId: string | null;
  occurredAt: string;
  capturedAt: string;
  telemetry: Telemetry;
}

export interface Label {
  id: string;
  interactionId: string;
  reviewerId: string;
  grantId: string;
  rating: number | null;
  tags: string[];
  note: string | null;
  createdAt: string;
}

export interface ReviewedInteraction extends InteractionMeta {
  input: unknown;
  output: unknown;
  grantId: string;
  labels: Label[];
}

export interface NewLabel {
  rating?: number;
  tags?: string[];
  note?: string;
}

export interface Tenant {
  id: string;
  name: string;
  region: string;
  externalId: string | null;
  createdAt: string;
}

export interface IngestionKey {
  id: string;
  tenantId: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A service key: captures for every tenant of its regions (null: every region). */
export interface ServiceKey {
  id: string;
  name: string;
  prefix: string;
  regions: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewIngestionKey {
  id: string;
  key: string;
  prefix: string;
}

export { API_SCOPES, type ApiScope } from "@assent/sdk/contract/staff";

import type { ApiScope } from "@assent/sdk/contract/staff";

/** A management API token as listed (never its secret). */
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer that made a token: the only time its secret is shown. */
export interface NewApiToken extends ApiToken {
  token: string;
}

export interface NewUser {
  email: string;
  password: string;
  roles: string[];
  tenantId?: string;
  name?: string;
}

export interface FeatureInsight {
  feature: string;
  interactions: number;
  tenants: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  tokens: { in: number; out: number };
  feedback: { positive: number; negative: number; average: number | null };
  ratings: { labels: number; average: number | null };
}

export interface DailyVolume {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  feature: string;
  interactions: number;
  tokensIn: number;
  tokensOut: number;
}

/** How many tenants share now, of all (servers that do not report it leave it out). */
export interface OptIn {
  tenants: number;
  sharing: number;
  rate?: number | null;
}

export interface Insights {
  from: string;
  to: string;
  regions: string[];
  features: FeatureInsight[];
  /** Volume per feature and day (absent from servers before it was added). */
  daily?: DailyVolume[];
  optIn?: OptIn | null;
  optInRate?: number | null;
}

export interface AuditEvent {
  chain: string;
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  /** The person behind actorId (absent from servers before it was added; null for system actors). */
  actor?: { name: string | null; email: string } | null;
  actorRole: string | null;
  action: string;
  tenantId: string | null;
  targetType: string | null;
  targetId: string | null;
  grantId: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** POST /api/audit/verify: what `assent audit verify` prints. */
export interface AuditVerifyReport {
  ok: boolean;
  chains: Record<
    string,
    {
      events: number;
      head: string;
      broken: { seq: number; id: string | null; action: string | null; problem: string } | null;
    }
  >;
  firstBroken: { chain: string; seq: number; id: string | null; message: string } | null;
}

export { LABEL_LIMITS, REASON_CODES, ROLES } from "@assent/sdk/contract/staff";

/** An invitation to become a tenant admin (the person sets their own password). */
export interface Invitation {
  id: string;
  email: string;
  name: string | null;
  tenantId: string | null;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

export interface CreatedInvitation {
  invitation: Invitation;
  token: string;
  /** The accept screen's path, token in the fragment. */
  acceptPath: string;
}

/** An account with admin rights over the tenant, and how it came to be. */
export interface TenantAccount {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
  createdBy: string | null;
  origin: "invitation" | "direct";
  invitation: { id: string; invitedAt: string; acceptedAt: string | null } | null;
  disabled: boolean;
}

export interface TenantAccounts {
  accounts: TenantAccount[];
  invitations: Invitation[];
}
