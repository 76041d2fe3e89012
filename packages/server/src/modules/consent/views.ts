import type { ProgramConfig } from "../../config.js";
import { iso, isoOrNull } from "../../http/time.js";
import type { ScopeChangeRecord } from "../scopes/record.js";
import type { ConsentService } from "./service.js";
import type { SharingPeriod, SharingState } from "./types.js";

export const machineSharingView = (s: SharingState) => ({
  tenant: s.tenantId,
  sharing: s.sharing,
  since: iso(s.since),
  region: s.region,
  ...(s.sharing === "on" && s.features !== null ? { features: [...s.features] } : {}),
});

/** One entry of the scope history (features chosen, subjects excluded, lifted, erased). */
export function scopeChangeView(r: ScopeChangeRecord) {
  const c = r.change;
  const list = (l: readonly string[] | null) => (l === null ? null : [...l]);
  return {
    id: r.id,
    at: iso(r.at),
    by: r.by,
    role: r.role,
    via: r.via ? { ...r.via } : null,
    kind: c.kind,
    ...(c.kind === "features"
      ? { before: list(c.before), after: list(c.after) }
      : { subjectRef: c.subjectRef }),
    ...(c.kind === "exclude" ? { reason: c.reason } : {}),
    ...(c.kind === "erase" ? { receiptId: c.receiptId } : {}),
  };
}

export const periodView = (p: SharingPeriod) => ({
  id: p.id,
  optedInAt: iso(p.optedInAt),
  optedInBy: p.optedInBy,
  optedOutAt: isoOrNull(p.optedOutAt),
  optedOutBy: p.optedOutBy,
  optedInVia: p.optedInVia ? { ...p.optedInVia } : null,
  optedOutVia: p.optedOutVia ? { ...p.optedOutVia } : null,
  deleteBy: isoOrNull(p.deleteBy),
  deletedAt: isoOrNull(p.deletedAt),
  receipt: p.receipt ? { ...p.receipt } : null,
});

/** What the admin center shows about the program: the facts a tenant admin decides on. */
export const programView = (program: ProgramConfig, region: string) => ({
  name: program.name,
  description: program.description,
  retentionDays: program.retentionDays,
  withdrawalDeleteDays: program.withdrawalDeleteDays,
  allowedPurposes: [...program.allowedPurposes],
  features: program.features.map((f) => ({ id: f.id, name: f.name, description: f.description })),
  neverAllowed: ["training foundation models"],
  region,
  whoCanSee:
    "Only vendor staff holding elevated access approved by another staff member, limited in time, can read " +
    "shared content; every read is recorded and shown to you in the access log.",
  lockbox:
    "Customer approval workflows (lockbox) do not apply to this program: staff access is approved by the " +
    "vendor, not by you. You can still see who accessed your data, when and why.",
});

export function adminSharingView(
  tenant: { id: string; name: string; region: string },
  state: SharingState,
  periods: readonly SharingPeriod[],
  program: ProgramConfig,
  scopeChanges?: readonly ScopeChangeRecord[],
) {
  // The pending deadline: the earliest deleteBy of a closed period whose data is not yet purged.
  const pending = periods
    .filter((p) => p.optedOutAt !== null && p.deletedAt === null && p.deleteBy !== null)
    .map((p) => p.deleteBy as number);
  return {
    tenant: { id: tenant.id, name: tenant.name, region: tenant.region },
    sharing: state.sharing,
    since: iso(state.since),
    features: state.sharing === "on" && state.features !== null ? [...state.features] : null,
    program: programView(program, tenant.region),
    deleteBy: pending.length ? iso(Math.min(...pending)) : null,
    periods: periods.map(periodView),
    ...(scopeChanges ? { scopeChanges: scopeChanges.map(scopeChangeView) } : {}),
  };
}

/** The admin center's view of a tenant's setting (GET /api/tenant/sharing and the management API). */
export async function tenantSharingView(
  consent: Pick<ConsentService, "getState" | "periods">,
  tenant: { id: string; name: string; region: string },
  program: ProgramConfig,
  scopes?: { history(tenant: { id: string; region: string }): Promise<ScopeChangeRecord[]> },
) {
  const [state, periods, changes] = await Promise.all([
    consent.getState(tenant),
    consent.periods(tenant),
    scopes ? scopes.history(tenant) : Promise.resolve(undefined),
  ]);
  return adminSharingView(tenant, state, periods, program, changes);
}
