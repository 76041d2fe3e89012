import { Type } from "typebox";

const Time = Type.String({ format: "date-time" });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const AuditQuery = Type.Object(
  {
    chain: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "control or region-<name>" }),
    ),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "an actor id" })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    cursor: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

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

export const AuditPageSchema = Type.Object({
  items: Type.Array(AuditEventSchema),
  nextCursor: NullableString,
});

export const AccessLogQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

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
  grantEndsAt: Type.Union([Time, Type.Null()]),
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
