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
