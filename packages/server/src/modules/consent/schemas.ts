import { Type } from "typebox";

export const SharingValueSchema = Type.Union([Type.Literal("on"), Type.Literal("off")]);

const SubjectKeySchema = Type.String({
  description: "base64url key: a subject's check is the first 16 bytes (hex) of HMAC-SHA256(key, subject)",
});
const ExcludedSchema = Type.Array(Type.String(), {
  description: "check values of the excluded subjects: drop their items",
});

export const MachineSharingSchema = Type.Object({
  tenant: Type.String(),
  sharing: SharingValueSchema,
  since: Type.String({ format: "date-time" }),
  region: Type.String(),
  features: Type.Optional(
    Type.Array(Type.String(), { description: "the features shared (absent: every feature)" }),
  ),
  subjectKey: Type.Optional(SubjectKeySchema),
  excluded: Type.Optional(ExcludedSchema),
});

export const AllTenantsSharingSchema = Type.Object({
  tenants: Type.Record(
    Type.String(),
    Type.Object({
      sharing: Type.Literal("on"),
      since: Type.String({ format: "date-time" }),
      region: Type.String(),
      externalId: Type.Optional(Type.String()),
      features: Type.Optional(Type.Array(Type.String())),
      subjectKey: Type.Optional(SubjectKeySchema),
      excluded: Type.Optional(ExcludedSchema),
    }),
    { description: "tenant id → setting, for the tenants that share (a tenant not listed is off)" },
  ),
  version: Type.Integer({ description: "grows with every change" }),
  cursor: Type.String({
    description: "per-region change-log position; a stream's Last-Event-ID resumes from it",
  }),
});

/** The API token a vendor's console used to change the setting on behalf of the named person. */
export const ViaSchema = Type.Object({
  tokenId: Type.String(),
  tokenName: Type.String(),
  actorName: Type.Optional(Type.String()),
});
const NullableVia = Type.Union([ViaSchema, Type.Null()]);

export const PeriodSchema = Type.Object({
  id: Type.String(),
  optedInAt: Type.String({ format: "date-time" }),
  optedInBy: Type.String(),
  optedOutAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  optedOutBy: Type.Union([Type.String(), Type.Null()]),
  optedInVia: NullableVia,
  optedOutVia: NullableVia,
  deleteBy: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  deletedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  receipt: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

export const FeatureSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
});

const FeatureList = Type.Union([Type.Array(Type.String()), Type.Null()]);

export const ScopeChangeSchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: "date-time" }),
  by: Type.String(),
  role: Type.String(),
  via: NullableVia,
  kind: Type.Union([
    Type.Literal("features"),
    Type.Literal("exclude"),
    Type.Literal("lift"),
    Type.Literal("erase"),
  ]),
  before: Type.Optional(FeatureList),
  after: Type.Optional(FeatureList),
  subjectRef: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  receiptId: Type.Optional(Type.String()),
});

export const ProgramSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  retentionDays: Type.Integer(),
  withdrawalDeleteDays: Type.Integer(),
  allowedPurposes: Type.Array(Type.String()),
  features: Type.Array(FeatureSchema),
  neverAllowed: Type.Array(Type.String()),
  region: Type.String(),
  whoCanSee: Type.String(),
  lockbox: Type.String(),
});

export const AdminSharingSchema = Type.Object({
  tenant: Type.Object({ id: Type.String(), name: Type.String(), region: Type.String() }),
  sharing: SharingValueSchema,
  since: Type.String({ format: "date-time" }),
  features: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: "the features shared while on; null: every feature",
  }),
  program: ProgramSchema,
  deleteBy: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  periods: Type.Array(PeriodSchema),
  scopeChanges: Type.Optional(Type.Array(ScopeChangeSchema)),
});

export const FeatureChoice = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  maxItems: 500,
  description: "the features to share (ids of program.features); absent: every feature",
});

export const SetSharingSchema = Type.Object(
  { enabled: Type.Boolean(), features: Type.Optional(FeatureChoice) },
  { additionalProperties: false },
);

export const ProgramOverviewSchema = Type.Object({
  program: Type.Omit(ProgramSchema, ["region"]),
  regions: Type.Array(Type.String()),
});
