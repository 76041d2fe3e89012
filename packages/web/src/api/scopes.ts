import { call } from "./client.js";
import type { AdminSharing, SharingVia } from "./types.js";

/** One AI feature the program declares (the admin center shows it with its description). */
export interface ProgramFeature {
  id: string;
  name: string;
  description: string;
}

/** A feature as the management API lists it: where it is declared and when it last changed. */
export interface ManagedFeature extends ProgramFeature {
  source: "configuration" | "api";
  updatedAt: string | null;
  updatedBy: string | null;
}

/** One change of the consent scopes, as the setting's history shows it. */
export interface ScopeChange {
  id: string;
  at: string;
  by: string;
  role: string;
  via: SharingVia | null;
  kind: "features" | "exclude" | "lift" | "erase";
  before?: string[] | null;
  after?: string[] | null;
  subjectRef?: string;
  reason?: string;
  receiptId?: string;
}

/** GET /api/tenant/sharing with consent scopes: the features shared and the scope history. */
export type ScopedSharing = AdminSharing & {
  /** null: every feature. */
  features?: string[] | null;
  program: AdminSharing["program"] & { features?: ProgramFeature[] };
  scopeChanges?: ScopeChange[];
};

export interface Exclusion {
  ref: string;
  excludedAt: string;
  excludedBy: string;
  reason: "admin" | "objection" | "erasure";
}

export const scopesApi = {
  /** Turn sharing on or off; with `features`, only those are shared (absent: every feature). */
  setSharing: (enabled: boolean, features?: string[] | null) =>
    call<ScopedSharing>("PUT", "/api/tenant/sharing", {
      enabled,
      ...(enabled && features ? { features } : {}),
    }),
  exclusions: () => call<{ items: Exclusion[] }>("GET", "/api/tenant/exclusions"),
  exclude: (subject: string) => call<Exclusion>("POST", "/api/tenant/exclusions", { subject }),
  lift: (ref: string) => call<{ lifted: boolean }>("DELETE", "/api/tenant/exclusions", { ref }),
  erase: (subject: string) =>
    call<Record<string, unknown>>("POST", "/api/tenant/subjects/erase", { subject }),
};

const featurePath = (featureId: string) => `/api/program/features/${encodeURIComponent(featureId)}`;

/** The program's AI features (Operations): the configuration's and those declared through the API. */
export const programFeaturesApi = {
  list: () => call<{ items: ManagedFeature[] }>("GET", "/api/program/features"),
  declare: (featureId: string, name: string, description: string) =>
    call<ManagedFeature>("PUT", featurePath(featureId), { name, description }),
  retire: (featureId: string) => call<ManagedFeature>("DELETE", featurePath(featureId)),
};
