import { type Static, Type } from "typebox";
import { REASON_CODES } from "../staff.js";
import { NullableString, NullableTime, pageOf, Time } from "./common.js";

/** Access requests and the grants they open (/api/access-requests). */

export const REQUEST_STATES = ["pending", "approved", "denied", "expired", "cancelled"] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const CreateAccessRequestSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, maxLength: 32 }),
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reasonCode: Type.Enum(REASON_CODES),
    justification: Type.String({ minLength: 1, maxLength: 2000 }),
    ticket: Type.Optional(Type.String({ maxLength: 128 })),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })),
  },
  { additionalProperties: false },
);

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
  state: Type.Enum(REQUEST_STATES),
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

export const AccessRequestListSchema = pageOf(AccessRequestSchema);

export type NewAccessRequest = Static<typeof CreateAccessRequestSchema>;
export type Grant = Static<typeof GrantSchema>;
export type AccessRequest = Static<typeof AccessRequestSchema>;
export type AccessRequestList = Static<typeof AccessRequestListSchema>;
