import { type Static, Type } from "typebox";
import { NullableString, NullableTime, Time } from "./common.js";

/** The tenant admin's sharing setting, the program it shares under, and consent scopes (/api/tenant/…). */

export const SharingValueSchema = Type.Union([Type.Literal("on"), Type.Literal("off")]);

/** The API token a vendor's console used to change the setting on behalf of the named person. */
export const ViaSchema = Type.Object({
  tokenId: Type.String(),
  tokenName: Type.String(),
  actorName: Type.Optional(Type.String()),
});
const NullableVia = Type.Union([ViaSchema, Type.Null()]);

export const PeriodSchema = Type.Object({
  id: Type.String(),
  optedInAt: Time,
  optedInBy: Type.String(),
  optedOutAt: NullableTime,
  optedOutBy: NullableString,
  optedInVia: NullableVia,
  optedOutVia: NullableVia,
  deleteBy: NullableTime,
  deletedAt: NullableTime,
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
  at: Time,
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
  since: Time,
  features: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: "the features shared while on; null: every feature",
  }),
  program: ProgramSchema,
  deleteBy: NullableTime,
  periods: Type.Array(PeriodSchema),
  scopeChanges: Type.Optional(Type.Array(ScopeChangeSchema)),
});

/** GET /api/program: the program and the regions it runs in. */
export const ProgramOverviewSchema = Type.Object({
  program: Type.Omit(ProgramSchema, ["region"]),
  regions: Type.Array(Type.String()),
});

export const ExclusionSchema = Type.Object({
  ref: Type.String({ description: "the start of the subject's keyed hash: Assent never holds the id" }),
  excludedAt: Time,
  excludedBy: Type.String(),
  reason: Type.Union([Type.Literal("admin"), Type.Literal("objection"), Type.Literal("erasure")]),
});

export const ExclusionListSchema = Type.Object({ items: Type.Array(ExclusionSchema) });

export const LiftResultSchema = Type.Object({ lifted: Type.Boolean() });

export type SharingVia = Static<typeof ViaSchema>;
export type SharingPeriod = Static<typeof PeriodSchema>;
export type ProgramFeature = Static<typeof FeatureSchema>;
export type ScopeChange = Static<typeof ScopeChangeSchema>;
export type Program = Static<typeof ProgramSchema>;
export type AdminSharing = Static<typeof AdminSharingSchema>;
export type ProgramOverview = Static<typeof ProgramOverviewSchema>;
export type Exclusion = Static<typeof ExclusionSchema>;
export type LiftResult = Static<typeof LiftResultSchema>;
export type ExclusionList = Static<typeof ExclusionListSchema>;
