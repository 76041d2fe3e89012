import type { AccessConfig } from "../../../config.js";
import { badRequest } from "../../../errors.js";
import { type NewAccessRequest, REASON_CODES } from "./types.js";

export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 2000;
const TICKET = /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,127}$/;
const MIN_GRANT_MINUTES = 5;

export interface ValidRequest {
  readonly region: string;
  readonly tenantId: string | null;
  readonly justification: string;
  readonly ticket: string | null;
  readonly duration: number;
}

/** Checks a new access request field by field; each refusal names the field and the rule. */
export async function validateRequest(
  input: NewAccessRequest,
  ctx: {
    readonly regions: readonly string[];
    readonly findTenant: (id: string) => Promise<{ id: string; region: string } | null>;
    readonly settings: Pick<AccessConfig, "grantMaxMinutes" | "grantDefaultMinutes">;
  },
): Promise<ValidRequest> {
  const { settings } = ctx;
  const region = input.region;
  if (!ctx.regions.includes(region)) {
    throw badRequest(
      "unknown_region",
      `region "${region}" is not configured (configured: ${ctx.regions.join(", ")})`,
    );
  }
  const tenantId = input.tenantId ?? null;
  if (tenantId !== null) {
    const tenant = await ctx.findTenant(tenantId);
    if (!tenant) throw badRequest("unknown_tenant", `tenant ${tenantId} does not exist`);
    if (tenant.region !== region) {
      throw badRequest(
        "tenant_not_in_region",
        `tenant ${tenantId} lives in region ${tenant.region}, not ${region}`,
      );
    }
  }
  if (!(REASON_CODES as readonly string[]).includes(input.reasonCode)) {
    throw badRequest("invalid_reason_code", `reasonCode must be one of ${REASON_CODES.join(", ")}`);
  }
  const justification = input.justification.trim();
  if (justification.length < JUSTIFICATION_MIN || justification.length > JUSTIFICATION_MAX) {
    throw badRequest(
      "invalid_justification",
      `justification must be ${JUSTIFICATION_MIN}-${JUSTIFICATION_MAX} characters saying why access is needed`,
    );
  }
  const ticket = input.ticket?.trim() || null;
  if (ticket !== null && !TICKET.test(ticket)) {
    throw badRequest("invalid_ticket", "ticket must be 1-128 characters of letters, digits and ._:#/-");
  }
  const duration = input.durationMinutes ?? settings.grantDefaultMinutes;
  if (!Number.isInteger(duration) || duration < MIN_GRANT_MINUTES || duration > settings.grantMaxMinutes) {
    throw badRequest(
      "invalid_duration",
      `durationMinutes must be a whole number from ${MIN_GRANT_MINUTES} to ${settings.grantMaxMinutes}`,
    );
  }
  return { region, tenantId, justification, ticket, duration };
}
