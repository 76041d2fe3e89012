import type { AdminSharing, Exclusion, ExclusionList, LiftResult, Receipt } from "@assent/sdk/contract/staff";
import { call } from "./client.js";

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
