import { Type } from "typebox";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const InsightsQuerySchema = Type.Object(
  {
    region: Type.Optional(Type.String({ maxLength: 32 })),
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
    to: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const FeatureInsightSchema = Type.Object({
  feature: Type.String(),
  interactions: Type.Integer(),
  tenants: Type.Integer(),
  latencyMs: Type.Object({
    p50: Nullable(Type.Number()),
    p95: Nullable(Type.Number()),
    p99: Nullable(Type.Number()),
  }),
  tokens: Type.Object({ in: Type.Number(), out: Type.Number() }),
  feedback: Type.Object({
    positive: Type.Integer(),
    negative: Type.Integer(),
    average: Nullable(Type.Number()),
  }),
  ratings: Type.Object({ labels: Type.Integer(), average: Nullable(Type.Number()) }),
  finishReasons: Type.Record(Type.String(), Type.Integer()),
});

export const InsightsSchema = Type.Object({
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  regions: Type.Array(Type.String()),
  features: Type.Array(FeatureInsightSchema),
  totals: Type.Object({ interactions: Type.Integer(), tokensIn: Type.Number(), tokensOut: Type.Number() }),
  daily: Type.Array(
    Type.Object({
      day: Type.String({ format: "date", description: "UTC day" }),
      feature: Type.String(),
      interactions: Type.Integer(),
      tokensIn: Type.Number(),
      tokensOut: Type.Number(),
    }),
    { description: "Volume per feature and UTC day, oldest first" },
  ),
  optIn: Type.Object({
    tenants: Type.Integer({ description: "tenants in the regions read" }),
    sharing: Type.Integer({ description: "of them, sharing now" }),
    rate: Nullable(Type.Number({ description: "sharing / tenants" })),
  }),
});

export const DataHeldSchema = Type.Object({
  tenant: Type.String(),
  region: Type.String(),
  interactions: Type.Integer(),
  labels: Type.Integer(),
  oldest: Nullable(Type.String({ format: "date-time" })),
  features: Type.Array(
    Type.Object({
      feature: Type.String(),
      interactions: Type.Integer(),
      days: Type.Array(Type.Object({ day: Type.String({ format: "date" }), interactions: Type.Integer() })),
    }),
  ),
});
