import { Type } from "typebox";

const Content = Type.Unknown({ description: "a string or any JSON value; stored encrypted" });

/** For the API docs; each item is validated by validateItem so one bad item never fails the batch. */
export const InteractionItemDoc = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 128, description: "client id: makes retries idempotent" })),
  tenant: Type.Optional(
    Type.String({
      maxLength: 128,
      description: "with a service key: the tenant's id or the vendor's external id for it (required)",
    }),
  ),
  feature: Type.String({ maxLength: 128, examples: ["sales.email-draft"] }),
  input: Content,
  output: Content,
  occurredAt: Type.Optional(Type.String({ format: "date-time" })),
  conversationId: Type.Optional(Type.String({ maxLength: 128 })),
  telemetry: Type.Optional(
    Type.Object({
      model: Type.Optional(Type.String({ maxLength: 128 })),
      provider: Type.Optional(Type.String({ maxLength: 64 })),
      latencyMs: Type.Optional(Type.Integer({ minimum: 0 })),
      tokensIn: Type.Optional(Type.Integer({ minimum: 0 })),
      tokensOut: Type.Optional(Type.Integer({ minimum: 0 })),
      finishReason: Type.Optional(Type.String({ maxLength: 64 })),
      feedback: Type.Optional(Type.Integer({ minimum: -1, maximum: 5 })),
      attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
    }),
  ),
});

export const IngestBodySchema = Type.Object(
  {
    interactions: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 1000,
      description:
        "1-1000 interactions, each shaped like InteractionItem; invalid items are rejected one by one",
    }),
  },
  { additionalProperties: false },
);

const Sharing = Type.Union([Type.Literal("on"), Type.Literal("off")]);

export const IngestResultSchema = Type.Object({
  sharing: Type.Optional(
    Type.Union([Type.Literal("on"), Type.Literal("off")], {
      description: "the key's tenant's setting (tenant keys only)",
    }),
  ),
  accepted: Type.Integer(),
  dropped: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), error: Type.String() })),
  tenants: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Object({
        sharing: Sharing,
        accepted: Type.Integer(),
        dropped: Type.Integer(),
        duplicates: Type.Integer(),
      }),
      { description: "service keys only: per tenant (by Assent's tenant id) of the batch" },
    ),
  ),
});
