import { Type } from "typebox";

export const ServiceKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  regions: Type.Union([Type.Array(Type.String()), Type.Null()], { description: "null: every region" }),
  createdAt: Type.String({ format: "date-time" }),
  revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const CreateServiceKeySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    regions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
        minItems: 1,
        maxItems: 64,
        description: "the regions whose tenants the key captures for; every region when absent",
      }),
    ),
  },
  { additionalProperties: false },
);

export const NewServiceKeySchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: "shown once; only its hash is stored" }),
  prefix: Type.String(),
});

export const ServiceKeyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
