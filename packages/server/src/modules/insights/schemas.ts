import { Type } from "typebox";

export { DataHeldSchema, FeatureInsightSchema, InsightsSchema } from "@assent/sdk/contract";

export const InsightsQuerySchema = Type.Object(
  {
    region: Type.Optional(Type.String({ maxLength: 32 })),
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
    to: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
  },
  { additionalProperties: false },
);
