import { Type } from "typebox";

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  region: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()], { description: "the vendor's own id for the tenant" }),
  createdAt: Type.String({ format: "date-time" }),
});

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

export const KeySchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  prefix: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const CreateKeySchema = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

export const NewKeySchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: "shown once; only its hash is stored" }),
  prefix: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
