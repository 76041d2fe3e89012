/**
 * Roles, access-request reasons and review limits: the server enforces them, the web app offers
 * them in its forms. Plain values (no TypeBox), so the web bundle takes only what it uses; the
 * staff API's answers are re-exported as types only (their schemas are in ./api/, erased here).
 */

export type * from "./api/index.js";

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

/**
 * A reviewer's label: at most `maxTags` tags of 1-`tagLength` characters, a note of `noteMax`, a
 * corrected output of `correctedOutputMax` characters, a rating from 1 to at most `ratingMax`.
 */
export const LABEL_LIMITS = {
  maxTags: 20,
  tagLength: 64,
  noteMax: 4000,
  correctedOutputMax: 20_000,
  ratingMax: 5,
} as const;

/**
 * What a label is: a `rating` label (rating, tags, note, corrected output) or a `preference`
 * between two interactions of one tenant and feature, compared side by side: `a` (the labelled
 * interaction) is better, `b` (the one it was compared with) is better, or a `tie`.
 */
export const LABEL_KINDS = ["rating", "preference"] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];
export const PREFERENCES = ["a", "b", "tie"] as const;
export type Preference = (typeof PREFERENCES)[number];

/** Where an item of an annotation queue stands; `next` hands out `new` items (or yours in review). */
export const REVIEW_STATES = ["new", "in-review", "done", "skipped"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** An annotation queue samples at most `maxSample` interactions per feature, `maxItems` in all. */
export const QUEUE_LIMITS = { maxSample: 500, maxItems: 5000, nameMax: 120 } as const;

/** What an operator API token may do; each management route names the one scope it needs. */
export const API_SCOPES = [
  "tenants:read",
  "tenants:write",
  "keys:write",
  "sharing:read",
  "sharing:write",
  "program:write",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];
