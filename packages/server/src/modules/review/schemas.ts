import { Type } from "typebox";

export {
  ComparisonBodySchema,
  CoveredTenantSchema,
  InteractionMetaSchema,
  InteractionPageSchema as QueuePageSchema,
  InteractionTelemetrySchema as TelemetrySchema,
  LabelBodySchema,
  LabelSchema,
  LabelSchemaSchema,
  ReviewedInteractionSchema,
} from "@assent/sdk/contract";

const Time = Type.String({ format: "date-time" });

export const QueueQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    feature: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const InteractionIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
