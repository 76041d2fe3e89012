import { Type } from "typebox";

export { CreatedInvitationSchema, InvitationSchema, TenantAccountsSchema } from "@assent/sdk/contract";

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
