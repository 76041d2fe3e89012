import type {
  AdminSharing,
  Exclusion,
  ExclusionList,
  LiftResult,
  ProgramFeature,
  Receipt,
} from "@assent/sdk/contract/staff";
import { call } from "./client.js";

/** A feature as the management API lists it: where it is declared and when it last changed. */
export interface ManagedFeature extends ProgramFeature {
  source: "configuration" | "api";
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The consent-scope calls of the admin center (shapes from the contract). */
export const scopesApi = {
  /** Turn sharing on or off; with `features`, only those are shared (absent: every feature). */
  setSharing: (enabled: boolean, features?: string[] | null) =>
    call<AdminSharing>("PUT", "/api/tenant/sharing", {
      enabled,
      ...(enabled && features ? { features } : {}),
    }),
  exclusions: () => call<ExclusionList>("GET", "/api/tenant/exclusions"),
  exclude: (subject: string) => call<Exclusion>("POST", "/api/tenant/exclusions", { subject }),
  lift: (ref: string) => call<LiftResult>("DELETE", "/api/tenant/exclusions", { ref }),
  erase: (subject: string) => call<Receipt>("POST", "/api/tenant/subjects/erase", { subject }),
};

const featurePath = (featureId: string) => `/api/program/features/${encodeURIComponent(featureId)}`;

/** The program's AI features (Operations): the configuration's and those declared through the API. */
export const programFeaturesApi = {
  list: () => call<{ items: ManagedFeature[] }>("GET", "/api/program/features"),
  declare: (featureId: string, name: string, description: string) =>
    call<ManagedFeature>("PUT", featurePath(featureId), { name, description }),
  retire: (featureId: string) => call<ManagedFeature>("DELETE", featurePath(featureId)),
};
