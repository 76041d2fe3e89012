import { Type } from "typebox";

export { NewKeySchema as NewServiceKeySchema, ServiceKeySchema } from "@assent/sdk/contract";

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

export const ServiceKeyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
