import { LABEL_LIMITS } from "@assent/sdk/contract";
import { Type } from "typebox";

const Time = Type.String({ format: "date-time" });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

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

export const TelemetrySchema = Type.Object({
  model: NullableString,
  provider: NullableString,
  latencyMs: NullableNumber,
  tokensIn: NullableNumber,
  tokensOut: NullableNumber,
  finishReason: NullableString,
  feedback: NullableNumber,
  attributes: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
});

export const InteractionMetaSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  region: Type.String(),
  clientId: NullableString,
  feature: Type.String(),
  conversationId: NullableString,
  occurredAt: Time,
  capturedAt: Time,
  telemetry: TelemetrySchema,
});

export const QueuePageSchema = Type.Object({
  items: Type.Array(InteractionMetaSchema),
  nextCursor: NullableString,
});

export const LabelSchema = Type.Object({
  id: Type.String(),
  interactionId: Type.String(),
  reviewerId: Type.String(),
  grantId: Type.String(),
  rating: Type.Union([Type.Integer(), Type.Null()]),
  tags: Type.Array(Type.String()),
  note: NullableString,
  correctedOutput: NullableString,
  createdAt: Time,
});

export const ReviewedInteractionSchema = Type.Object({
  ...InteractionMetaSchema.properties,
  input: Type.Unknown(),
  output: Type.Unknown(),
  grantId: Type.String(),
  labels: Type.Array(LabelSchema),
});

export const LabelBodySchema = Type.Object(
  {
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: LABEL_LIMITS.ratingMax })),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: LABEL_LIMITS.tagLength }), {
        maxItems: LABEL_LIMITS.maxTags,
      }),
    ),
    note: Type.Optional(Type.String({ maxLength: LABEL_LIMITS.noteMax })),
    correctedOutput: Type.Optional(Type.String({ maxLength: LABEL_LIMITS.correctedOutputMax })),
    queueId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const LabelSchemaSchema = Type.Object({
  rating: Type.Object({ min: Type.Literal(1), max: Type.Integer(), names: Type.Array(Type.String()) }),
  tags: Type.Array(Type.String()),
  correctedOutput: Type.Boolean(),
  limits: Type.Object({
    maxTags: Type.Integer(),
    tagLength: Type.Integer(),
    noteMax: Type.Integer(),
    correctedOutputMax: Type.Integer(),
    ratingMax: Type.Integer(),
  }),
});
