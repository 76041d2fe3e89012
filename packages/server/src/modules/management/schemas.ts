import { Type } from "typebox";
import { STRICT } from "../../http/strict-body.js";
import { FeatureChoice, SharingValueSchema } from "../consent/schemas.js";
import { TenantSchema } from "../tenants/schemas.js";

export const ExternalIdParams = Type.Object({
  externalId: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: "^[\\x21-\\x7e]+$",
    description: "the vendor's own id for the tenant (URL-encoded)",
  }),
});

export const TenantRefParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128, description: "the tenant's id or its external id" }),
});

export const UpsertTenantSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    region: Type.String({ minLength: 1, maxLength: 32, description: "fixed once set" }),
  },
  STRICT,
);

export const TenantsQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const TenantWithSharingSchema = Type.Intersect([
  TenantSchema,
  Type.Object({ sharing: SharingValueSchema, since: Type.String({ format: "date-time" }) }),
]);

export const TenantsPageSchema = Type.Object({
  items: Type.Array(TenantWithSharingSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ConsoleActorSchema = Type.Object(
  {
    email: Type.String({
      minLength: 3,
      maxLength: 254,
      pattern: "^[^\\s@]+@[^\\s@]+$",
      description: "the tenant admin the change is made for",
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  STRICT,
);

export const SharingOnBehalfSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    features: Type.Optional(FeatureChoice),
    actor: ConsoleActorSchema,
  },
  STRICT,
);
