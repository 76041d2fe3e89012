import { type Static, Type } from "typebox";
import { NullableString, NullableTime, pageOf, Time } from "./common.js";

/** The audit log, its verification, and the tenant admin's access log (who read their data). */

export const AuditEventSchema = Type.Object({
  chain: Type.String(),
  seq: Type.Integer(),
  id: Type.String(),
  at: Time,
  actorId: NullableString,
  actor: Type.Union([Type.Object({ name: NullableString, email: Type.String() }), Type.Null()], {
    description: "the person behind actorId (null for system actors)",
  }),
  actorRole: NullableString,
  action: Type.String(),
  tenantId: NullableString,
  targetType: NullableString,
  targetId: NullableString,
  grantId: NullableString,
  reason: NullableString,
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const AuditPageSchema = pageOf(AuditEventSchema);

export const AccessLogEntrySchema = Type.Object({
  eventId: Type.String(),
  at: Time,
  action: Type.String(),
  who: Type.String(),
  staffId: NullableString,
  role: NullableString,
  reasonCode: NullableString,
  justification: NullableString,
  ticket: NullableString,
  grantId: NullableString,
  grantEndsAt: NullableTime,
  interactionIds: Type.Array(Type.String()),
  datasetId: NullableString,
});

export const AccessLogSchema = Type.Object({
  tenant: Type.String(),
  items: Type.Array(AccessLogEntrySchema),
  nextCursor: NullableString,
});

const ChainReportSchema = Type.Object({
  events: Type.Integer(),
  head: Type.String(),
  broken: Type.Union([
    Type.Object({ seq: Type.Integer(), id: NullableString, action: NullableString, problem: Type.String() }),
    Type.Null(),
  ]),
});

/** POST /api/audit/verify: what `assent audit verify` prints. */
export const VerifyReportSchema = Type.Object({
  ok: Type.Boolean(),
  chains: Type.Record(Type.String(), ChainReportSchema),
  firstBroken: Type.Union([
    Type.Object({
      chain: Type.String(),
      seq: Type.Integer(),
      id: NullableString,
      action: NullableString,
      problem: Type.String(),
      message: Type.String(),
    }),
    Type.Null(),
  ]),
});

export type AuditEvent = Static<typeof AuditEventSchema>;
export type AuditPage = Static<typeof AuditPageSchema>;
export type AccessLogEntry = Static<typeof AccessLogEntrySchema>;
export type AccessLog = Static<typeof AccessLogSchema>;
export type AuditVerifyReport = Static<typeof VerifyReportSchema>;
