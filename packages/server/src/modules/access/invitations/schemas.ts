import { Type } from "typebox";

export const InviteSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    tenantId: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const AcceptInvitationSchema = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const InvitationSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  invitedBy: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
  acceptedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const CreatedInvitationSchema = Type.Object({
  invitation: InvitationSchema,
  token: Type.String({ description: "one-time; shown only now" }),
  acceptPath: Type.String({
    description: "the web app's accept screen; the token is in the fragment, never sent to a server log",
  }),
});

export const TenantAccountsSchema = Type.Object({
  accounts: Type.Array(
    Type.Object({
      id: Type.String(),
      email: Type.String(),
      name: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String({ format: "date-time" }),
      createdBy: Type.Union([Type.String(), Type.Null()]),
      origin: Type.Union([Type.Literal("invitation"), Type.Literal("direct")]),
      invitation: Type.Union([
        Type.Object({
          id: Type.String(),
          invitedAt: Type.String({ format: "date-time" }),
          acceptedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
        }),
        Type.Null(),
      ]),
      disabled: Type.Boolean(),
    }),
  ),
  invitations: Type.Array(InvitationSchema),
});
