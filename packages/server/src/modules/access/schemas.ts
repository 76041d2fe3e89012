import { Type } from "typebox";

export {
  CreateUserSchema,
  PasswordResetSchema,
  PatchUserSchema,
  SessionSchema,
  UserSchema,
} from "@assent/sdk/contract";

export const SignInSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const ChangePasswordSchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
