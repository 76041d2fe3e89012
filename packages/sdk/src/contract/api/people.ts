import { type Static, Type } from "typebox";
import { NullableString, NullableTime, Time } from "./common.js";

/** Staff and tenant-admin accounts, sessions and invitations (GET /api/session, /api/users, …). */

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: NullableString,
  roles: Type.Array(Type.String()),
  tenantId: NullableString,
  mustChangePassword: Type.Boolean(),
  createdAt: Time,
  disabled: Type.Boolean(),
});

export const SessionSchema = Type.Object({
  user: UserSchema,
  expiresAt: Type.Optional(Time),
});

export const CreateUserSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    roles: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 4 }),
    tenantId: Type.Optional(Type.String({ maxLength: 64 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    mustChangePassword: Type.Optional(
      Type.Boolean({ description: "the password is one-time (default): changed at first sign-in" }),
    ),
  },
  { additionalProperties: false },
);

/** PATCH /api/users/:id: disable or enable a user, or change a staff member's roles. */
export const PatchUserSchema = Type.Object(
  {
    disabled: Type.Optional(Type.Boolean({ description: "true ends the user's sessions at once" })),
    roles: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 4 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** POST /api/users/:id/reset-password: the one-time password, answered once. */
export const PasswordResetSchema = Type.Object({ user: UserSchema, password: Type.String() });

export const InvitationSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: NullableString,
  tenantId: NullableString,
  invitedBy: Type.String(),
  createdAt: Time,
  expiresAt: Time,
  acceptedAt: NullableTime,
});

export const CreatedInvitationSchema = Type.Object({
  invitation: InvitationSchema,
  token: Type.String({ description: "one-time; shown only now" }),
  acceptPath: Type.String({
    description: "the web app's accept screen; the token is in the fragment, never sent to a server log",
  }),
});

export const TenantAccountSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: NullableString,
  createdAt: Time,
  createdBy: NullableString,
  origin: Type.Union([Type.Literal("invitation"), Type.Literal("direct")]),
  invitation: Type.Union([
    Type.Object({ id: Type.String(), invitedAt: Time, acceptedAt: NullableTime }),
    Type.Null(),
  ]),
  disabled: Type.Boolean(),
});

export const TenantAccountsSchema = Type.Object({
  accounts: Type.Array(TenantAccountSchema),
  invitations: Type.Array(InvitationSchema),
});

export type User = Static<typeof UserSchema>;
export type Session = Static<typeof SessionSchema>;
export type NewUser = Static<typeof CreateUserSchema>;
export type UserChange = Static<typeof PatchUserSchema>;
export type PasswordReset = Static<typeof PasswordResetSchema>;
export type Invitation = Static<typeof InvitationSchema>;
export type CreatedInvitation = Static<typeof CreatedInvitationSchema>;
export type TenantAccount = Static<typeof TenantAccountSchema>;
export type TenantAccounts = Static<typeof TenantAccountsSchema>;
