import { Type } from "typebox";

export { KeySchema, NewKeySchema, TenantSchema } from "@assent/sdk/contract";

export const CreateTenantSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    region: Type.String({ minLength: 1, maxLength: 32 }),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9][a-z0-9_-]*$" })),
    externalId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        pattern: "^[\\x21-\\x7e]+$",
        description: "the vendor's own id",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreateKeySchema = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
