import { Type } from "typebox";

export const SignInSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  disabled: Type.Boolean(),
});

export const SessionSchema = Type.Object({
  user: UserSchema,
  expiresAt: Type.Optional(Type.String({ format: "date-time" })),
});

export const ChangePasswordSchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

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
