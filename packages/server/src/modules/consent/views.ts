import type { ProgramConfig } from "../../config.js";
import { iso, isoOrNull } from "../../http/time.js";
import type { ConsentService } from "./service.js";
import type { SharingPeriod, SharingState } from "./types.js";

export const machineSharingView = (s: SharingState) => ({
  tenant: s.tenantId,
  sharing: s.sharing,
  since: iso(s.since),
  region: s.region,
});

const events = new WeakMap<SharingState, string>();
/** The SSE `sharing` event of a state, serialized once however many streams it is sent to. */
export function sharingEvent(s: SharingState): string {
  let text = events.get(s);
  if (text === undefined) {
    text = `id: ${s.version}\nevent: sharing\ndata: ${JSON.stringify(machineSharingView(s))}\n\n`;
    events.set(s, text);
  }
  return text;
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
) {
  // The pending deadline: the earliest deleteBy of a closed period whose data is not yet purged.
  const pending = periods
    .filter((p) => p.optedOutAt !== null && p.deletedAt === null && p.deleteBy !== null)
    .map((p) => p.deleteBy as number);
  return {
    tenant: { id: tenant.id, name: tenant.name, region: tenant.region },
    sharing: state.sharing,
    since: iso(state.since),
    program: programView(program, tenant.region),
    deleteBy: pending.length ? iso(Math.min(...pending)) : null,
    periods: periods.map(periodView),
  };
}

/** The admin center's view of a tenant's setting (GET /api/tenant/sharing and the management API). */
export async function tenantSharingView(
  consent: Pick<ConsentService, "getState" | "periods">,
  tenant: { id: string; name: string; region: string },
  program: ProgramConfig,
) {
  const [state, periods] = await Promise.all([consent.getState(tenant), consent.periods(tenant)]);
  return adminSharingView(tenant, state, periods, program);
}
