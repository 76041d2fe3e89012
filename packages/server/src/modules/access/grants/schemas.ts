import { Type } from "typebox";
import { REASON_CODES, REQUEST_STATES } from "./types.js";

export const CreateAccessRequestSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, maxLength: 32 }),
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reasonCode: Type.Union(REASON_CODES.map((c) => Type.Literal(c))),
    justification: Type.String({ minLength: 1, maxLength: 2000 }),
    ticket: Type.Optional(Type.String({ maxLength: 128 })),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })),
  },
  { additionalProperties: false },
);

export const DenySchema = Type.Union([
  Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const ListRequestsQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([...REQUEST_STATES, "active"].map((s) => Type.Literal(s)))),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const RequestIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const Time = Type.String({ format: "date-time" });
const NullableTime = Type.Union([Time, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const GrantSchema = Type.Object({
  id: Type.String(),
  region: Type.String(),
  tenantId: NullableString,
  startsAt: Time,
  endsAt: Time,
  revokedAt: NullableTime,
  revokedBy: NullableString,
  status: Type.Union([Type.Literal("active"), Type.Literal("ended"), Type.Literal("revoked")]),
});

export const AccessRequestSchema = Type.Object({
  id: Type.String(),
  state: Type.String(),
  requester: Type.Object({ id: Type.String(), email: Type.String() }),
  region: Type.String(),
  tenantId: NullableString,
  reasonCode: Type.String(),
  justification: Type.String(),
  ticket: NullableString,
  durationMinutes: Type.Integer(),
  approvalsRequired: Type.Integer(),
  approvals: Type.Array(Type.Object({ approverId: Type.String(), at: Time })),
  createdAt: Time,
  decideBy: Time,
  decidedAt: NullableTime,
  decidedBy: NullableString,
  decisionNote: NullableString,
  grant: Type.Union([GrantSchema, Type.Null()]),
});

export const AccessRequestListSchema = Type.Object({
  items: Type.Array(AccessRequestSchema),
  nextCursor: NullableString,
});
