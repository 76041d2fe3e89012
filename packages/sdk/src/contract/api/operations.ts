import { type Static, Type } from "typebox";
import { API_SCOPES, type ApiScope } from "../staff.js";
import { Nullable, NullableString, NullableTime, Time } from "./common.js";

/** What operators manage and read: tenants, keys, API tokens, insights. */

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  region: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()], { description: "the vendor's own id for the tenant" }),
  createdAt: Time,
});

/** An ingestion key as listed (never its secret). */
export const KeySchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  prefix: Type.String(),
  label: NullableString,
  createdAt: Time,
  revokedAt: NullableTime,
});

/** The answer that made a key (ingestion or service): the only time its secret is shown. */
export const NewKeySchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: "shown once; only its hash is stored" }),
  prefix: Type.String(),
});

/** A service key: captures for every tenant of its regions (null: every region). */
export const ServiceKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  regions: Type.Union([Type.Array(Type.String()), Type.Null()], { description: "null: every region" }),
  createdAt: Time,
  revokedAt: NullableTime,
});

export const ScopeSchema = Type.Unsafe<ApiScope>({ type: "string", enum: [...API_SCOPES] });

/** A management API token as listed (never its secret). */
export const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: "the token's first characters, to recognise it by" }),
  scopes: Type.Array(ScopeSchema),
  createdAt: Time,
  lastUsedAt: NullableTime,
  revokedAt: NullableTime,
});

export const NewApiTokenSchema = Type.Intersect([
  ApiTokenSchema,
  Type.Object({ token: Type.String({ description: "shown once; only its hash is stored" }) }),
]);

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

export const DailyVolumeSchema = Type.Object({
  day: Type.String({ format: "date", description: "UTC day" }),
  feature: Type.String(),
  interactions: Type.Integer(),
  tokensIn: Type.Number(),
  tokensOut: Type.Number(),
});

export const OptInSchema = Type.Object({
  tenants: Type.Integer({ description: "tenants in the regions read" }),
  sharing: Type.Integer({ description: "of them, sharing now" }),
  rate: Nullable(Type.Number({ description: "sharing / tenants" })),
});

/** GET /api/insights/features: aggregates only, never content. */
export const InsightsSchema = Type.Object({
  from: Time,
  to: Time,
  regions: Type.Array(Type.String()),
  features: Type.Array(FeatureInsightSchema),
  totals: Type.Object({ interactions: Type.Integer(), tokensIn: Type.Number(), tokensOut: Type.Number() }),
  daily: Type.Array(DailyVolumeSchema, { description: "Volume per feature and UTC day, oldest first" }),
  optIn: OptInSchema,
});

/** GET /api/tenant/data-held: how much of a tenant's shared data is held now. */
export const DataHeldSchema = Type.Object({
  tenant: Type.String(),
  region: Type.String(),
  interactions: Type.Integer(),
  labels: Type.Integer(),
  oldest: Nullable(Time),
  features: Type.Array(
    Type.Object({
      feature: Type.String(),
      interactions: Type.Integer(),
      days: Type.Array(Type.Object({ day: Type.String({ format: "date" }), interactions: Type.Integer() })),
    }),
  ),
});

export type Tenant = Static<typeof TenantSchema>;
export type IngestionKey = Static<typeof KeySchema>;
export type NewIngestionKey = Static<typeof NewKeySchema>;
export type ServiceKey = Static<typeof ServiceKeySchema>;
export type ApiToken = Static<typeof ApiTokenSchema>;
export type NewApiToken = Static<typeof NewApiTokenSchema>;
export type FeatureInsight = Static<typeof FeatureInsightSchema>;
export type DailyVolume = Static<typeof DailyVolumeSchema>;
export type OptIn = Static<typeof OptInSchema>;
export type Insights = Static<typeof InsightsSchema>;
export type DataHeld = Static<typeof DataHeldSchema>;
