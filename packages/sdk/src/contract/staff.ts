/**
 * Roles, access-request reasons and review limits: the server enforces them, the web app offers
 * them in its forms. Plain values (no TypeBox), so the web bundle takes only what it uses.
 */
export const STAFF_ROLES = ["operator", "reviewer", "approver"] as const;
export const ROLES = [...STAFF_ROLES, "tenant-admin"] as const;
export type Role = (typeof ROLES)[number];

export const REASON_CODES = [
  "feature-improvement",
  "quality-review",
  "incident-investigation",
  "customer-support",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** A reviewer's label: at most `maxTags` tags of 1-`tagLength` characters, a note of `noteMax`. */
export const LABEL_LIMITS = { maxTags: 20, tagLength: 64, noteMax: 4000 } as const;

/** What an operator API token may do; each management route names the one scope it needs. */
export const API_SCOPES = [
  "tenants:read",
  "tenants:write",
  "keys:write",
  "sharing:read",
  "sharing:write",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];
