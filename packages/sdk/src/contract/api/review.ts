import { type Static, Type } from "typebox";
import { LABEL_KINDS, LABEL_LIMITS, PREFERENCES } from "../staff.js";
import { NullableNumber, NullableString, pageOf, Time } from "./common.js";

/** What a reviewer reads and writes: interactions (metadata, then content under a grant) and labels. */

/** Telemetry as stored and read back: every field present, null when the item had none. */
export const InteractionTelemetrySchema = Type.Object({
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
  telemetry: InteractionTelemetrySchema,
});

/** GET /api/review/interactions: metadata only, newest first. */
export const InteractionPageSchema = pageOf(InteractionMetaSchema);

export const LabelSchema = Type.Object({
  id: Type.String(),
  interactionId: Type.String(),
  reviewerId: Type.String(),
  grantId: Type.String(),
  rating: Type.Union([Type.Integer(), Type.Null()]),
  tags: Type.Array(Type.String()),
  note: NullableString,
  correctedOutput: NullableString,
  kind: Type.Enum(LABEL_KINDS),
  comparedWith: Type.Union([Type.String(), Type.Null()], {
    description: "a preference: the interaction (of the same tenant and feature) this one was compared with",
  }),
  preference: Type.Union([Type.Enum(PREFERENCES), Type.Null()], {
    description: "a preference: a (this interaction) is better, b (comparedWith) is better, or tie",
  }),
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

/** POST /api/review/comparisons: which of two interactions of one tenant and feature is better. */
export const ComparisonBodySchema = Type.Object(
  {
    a: Type.String({ minLength: 1, maxLength: 64, description: "the interaction shown first (left)" }),
    b: Type.String({ minLength: 1, maxLength: 64, description: "the interaction shown second (right)" }),
    preference: Type.Enum(PREFERENCES),
    note: Type.Optional(Type.String({ maxLength: LABEL_LIMITS.noteMax })),
  },
  { additionalProperties: false },
);

/** GET /api/review/label-schema: the program's rating scale, tag vocabulary and limits. */
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

/** GET /api/review/tenants: a tenant as a picker shows it. */
export const CoveredTenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  region: Type.String(),
});

export type InteractionTelemetry = Static<typeof InteractionTelemetrySchema>;
export type InteractionMeta = Static<typeof InteractionMetaSchema>;
export type InteractionPage = Static<typeof InteractionPageSchema>;
export type Label = Static<typeof LabelSchema>;
export type ReviewedInteraction = Static<typeof ReviewedInteractionSchema>;
export type NewLabel = Static<typeof LabelBodySchema>;
export type NewComparison = Static<typeof ComparisonBodySchema>;
export type LabelVocabulary = Static<typeof LabelSchemaSchema>;
export type CoveredTenant = Static<typeof CoveredTenantSchema>;
