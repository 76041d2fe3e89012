import { type Static, Type } from "typebox";

/**
 * The interaction item of `POST /v1/interactions`: the one definition of its fields. The server
 * validates each item against it (one by one, so a bad item never fails the batch), documents it
 * in /openapi.json, and the SDK and the web app take their types from it. A field is added here,
 * plus its store column.
 */

/** Bounds on one interaction, besides the configurable content cap (`ingest.maxContentBytes`). */
export const ITEM_LIMITS = {
  idLength: 128,
  featureLength: 128,
  conversationIdLength: 128,
  subjectLength: 256,
  modelLength: 128,
  providerLength: 64,
  finishReasonLength: 64,
  maxLatencyMs: 24 * 60 * 60_000,
  maxTokens: 100_000_000,
  attributes: 32,
  attributeKeyLength: 64,
  attributeValueLength: 256,
  /** How far in the future a client clock may put occurredAt. */
  futureSkewMs: 5 * 60_000,
} as const;

const L = ITEM_LIMITS;
const text = (max: number, options: { pattern?: string; description?: string; examples?: string[] } = {}) =>
  Type.String({ minLength: 1, maxLength: max, ...options });
const count = (max: number, description: string) => Type.Integer({ minimum: 0, maximum: max, description });

export const AttributeValueSchema = Type.Union(
  [Type.String({ maxLength: L.attributeValueLength }), Type.Number(), Type.Boolean(), Type.Null()],
  {
    description: `strings, numbers, booleans or null (strings of at most ${L.attributeValueLength} characters)`,
  },
);

export const TelemetrySchema = Type.Object(
  {
    model: Type.Optional(text(L.modelLength, { examples: ["gpt-4o-mini"] })),
    provider: Type.Optional(text(L.providerLength, { examples: ["openai"] })),
    latencyMs: Type.Optional(count(L.maxLatencyMs, "time the model took, in ms")),
    tokensIn: Type.Optional(count(L.maxTokens, "prompt tokens")),
    tokensOut: Type.Optional(count(L.maxTokens, "completion tokens")),
    finishReason: Type.Optional(text(L.finishReasonLength)),
    feedback: Type.Optional(Type.Integer({ minimum: -1, maximum: 5, description: "user feedback, -1 to 5" })),
    attributes: Type.Optional(
      Type.Record(Type.String(), AttributeValueSchema, {
        maxProperties: L.attributes,
        propertyNames: { minLength: 1, maxLength: L.attributeKeyLength },
        description: `a small custom map: at most ${L.attributes} keys of 1-${L.attributeKeyLength} characters`,
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Metadata about the call, stored in clear for aggregates (no content here)",
  },
);

const Content = (description: string) => Type.Unknown({ description });

export const InteractionItemSchema = Type.Object(
  {
    id: Type.Optional(
      text(L.idLength, {
        pattern: "^[A-Za-z0-9][A-Za-z0-9._:/@-]*$",
        description: "client id: makes retries idempotent",
      }),
    ),
    tenant: Type.Optional(
      text(128, {
        pattern: "^[\\x21-\\x7e]+$",
        description: "with a service key (required): the tenant's id or the vendor's external id for it",
      }),
    ),
    feature: text(L.featureLength, {
      pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]*$",
      examples: ["sales.email-draft"],
    }),
    input: Content("the prompt: a string or any JSON value; stored encrypted"),
    output: Content("the answer, or null when the feature produced none; stored encrypted"),
    occurredAt: Type.Optional(
      Type.Union([Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T", maxLength: 40 }), Type.Number()], {
        description: "an ISO 8601 time or epoch milliseconds",
      }),
    ),
    conversationId: Type.Optional(text(L.conversationIdLength)),
    subject: Type.Optional(
      text(L.subjectLength, {
        description:
          "the vendor's pseudonymous id of the end user; only a keyed hash of it is stored (excluded subjects' items are dropped)",
      }),
    ),
    telemetry: Type.Optional(TelemetrySchema),
  },
  {
    additionalProperties: false,
    description:
      "One AI feature use. A field set to null counts as absent (except output, where null means no answer).",
  },
);

export type Telemetry = Static<typeof TelemetrySchema>;
export type InteractionItem = Static<typeof InteractionItemSchema>;
