import type {
  AccessLog,
  AccessRequest,
  AccessRequestList,
  AdminSharing,
  ApiScope,
  ApiToken,
  AuditPage,
  AuditVerifyReport,
  CreatedInvitation,
  IngestionKey,
  Insights,
  InteractionPage,
  Label,
  NewAccessRequest,
  NewApiToken,
  NewComparison,
  NewIngestionKey,
  NewLabel,
  NewUser,
  ProgramOverview,
  ReviewedInteraction,
  ServiceKey,
  Session,
  Tenant,
  TenantAccounts,
  User,
} from "@assent/sdk/contract/staff";
import { call, type Query, withQuery } from "./client.js";

const id = encodeURIComponent;

export const sessionApi = {
  current: () => call<Session>("GET", "/api/session", undefined, { expectUnauthorized: true }),
  signIn: (email: string, password: string) =>
    call<Session>("POST", "/api/session", { email, password }, { expectUnauthorized: true }),
  signOut: () => call<void>("DELETE", "/api/session", undefined, { expectUnauthorized: true }),
  acceptInvitation: (token: string, password: string) =>
    call<Session>("POST", "/api/invitations/accept", { token, password }, { expectUnauthorized: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    call<void>("POST", "/api/session/password", { currentPassword, newPassword }),
};

export const adminApi = {
  sharing: () => call<AdminSharing>("GET", "/api/tenant/sharing"),
  setSharing: (enabled: boolean) => call<AdminSharing>("PUT", "/api/tenant/sharing", { enabled }),
  deleteNow: () => call<AdminSharing>("POST", "/api/tenant/sharing/delete-now"),
  accounts: () => call<TenantAccounts>("GET", "/api/tenant/accounts"),
  accessLog: (cursor: string | null, limit = 20) =>
    call<AccessLog>("GET", withQuery("/api/tenant/access-log", { cursor, limit })),
};

export const programApi = {
  overview: () => call<ProgramOverview>("GET", "/api/program"),
};

export const accessApi = {
  create: (body: NewAccessRequest) => call<AccessRequest>("POST", "/api/access-requests", body),
  list: (query: { state?: string; cursor?: string | null; limit?: number }) =>
    call<AccessRequestList>("GET", withQuery("/api/access-requests", query)),
  cancel: (requestId: string) => call<AccessRequest>("POST", `/api/access-requests/${id(requestId)}/cancel`),
  approve: (requestId: string) =>
    call<AccessRequest>("POST", `/api/access-requests/${id(requestId)}/approve`),
  deny: (requestId: string, note: string) =>
    call<AccessRequest>(
      "POST",
      `/api/access-requests/${id(requestId)}/deny`,
      note.trim() ? { note: note.trim() } : {},
    ),
  revoke: (requestId: string) => call<AccessRequest>("POST", `/api/access-requests/${id(requestId)}/revoke`),
};

export const reviewApi = {
  queue: (query: Query) => call<InteractionPage>("GET", withQuery("/api/review/interactions", query)),
  read: (interactionId: string) =>
    call<ReviewedInteraction>("GET", `/api/review/interactions/${id(interactionId)}`),
  label: (interactionId: string, body: NewLabel) =>
    call<Label>("POST", `/api/review/interactions/${id(interactionId)}/labels`, body),
  /** A preference between two interactions of one tenant and feature (a label of the older one). */
  compare: (body: NewComparison) => call<Label>("POST", "/api/review/comparisons", body),
};

export const opsApi = {
  tenants: () => call<Tenant[]>("GET", "/api/tenants"),
  createTenant: (body: { name: string; region: string; id?: string }) =>
    call<Tenant>("POST", "/api/tenants", body),
  keys: (tenantId: string) => call<IngestionKey[]>("GET", `/api/tenants/${id(tenantId)}/keys`),
  createKey: (tenantId: string, label: string) =>
    call<NewIngestionKey>(
      "POST",
      `/api/tenants/${id(tenantId)}/keys`,
      label.trim() ? { label: label.trim() } : {},
    ),
  revokeKey: (keyId: string) => call<IngestionKey>("POST", `/api/keys/${id(keyId)}/revoke`),
  serviceKeys: () => call<ServiceKey[]>("GET", "/api/service-keys"),
  createServiceKey: (body: { name: string; regions?: string[] }) =>
    call<NewIngestionKey>("POST", "/api/service-keys", body),
  revokeServiceKey: (keyId: string) => call<ServiceKey>("POST", `/api/service-keys/${id(keyId)}/revoke`),
  tokens: () => call<ApiToken[]>("GET", "/api/tokens"),
  createToken: (name: string, scopes: ApiScope[]) =>
    call<NewApiToken>("POST", "/api/tokens", { name, scopes }),
  revokeToken: (tokenId: string) => call<ApiToken>("POST", `/api/tokens/${id(tokenId)}/revoke`),
  users: () => call<User[]>("GET", "/api/users"),
  createUser: (body: NewUser) => call<User>("POST", "/api/users", body),
  invite: (body: { email: string; tenantId: string; name?: string }) =>
    call<CreatedInvitation>("POST", "/api/invitations", body),
  insights: (query: Query) => call<Insights>("GET", withQuery("/api/insights/features", query)),
  audit: (query: Query) => call<AuditPage>("GET", withQuery("/api/audit", query)),
  verifyAudit: () => call<AuditVerifyReport>("POST", "/api/audit/verify"),
};
