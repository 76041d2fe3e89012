import { Type } from "typebox";

export const SharingValueSchema = Type.Union([Type.Literal("on"), Type.Literal("off")]);

export const MachineSharingSchema = Type.Object({
  tenant: Type.String(),
  sharing: SharingValueSchema,
  since: Type.String({ format: "date-time" }),
  region: Type.String(),
});

export const AllTenantsSharingSchema = Type.Object({
  tenants: Type.Record(
    Type.String(),
    Type.Object({
      sharing: Type.Literal("on"),
      since: Type.String({ format: "date-time" }),
      region: Type.String(),
      externalId: Type.Optional(Type.String()),
    }),
    { description: "tenant id → setting, for the tenants that share (a tenant not listed is off)" },
  ),
  version: Type.Integer({ description: "grows with every change" }),
  cursor: Type.String({
    description: "per-region change-log position; a stream's Last-Event-ID resumes from it",
  }),
});

export const PeriodSchema = Type.Object({
  id: Type.String(),
  optedInAt: Type.String({ format: "date-time" }),
  optedInBy: Type.String(),
  optedOutAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  optedOutBy: Type.Union([Type.String(), Type.Null()]),
  deleteBy: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  deletedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  receipt: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

export const ProgramSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  retentionDays: Type.Integer(),
  withdrawalDeleteDays: Type.Integer(),
  allowedPurposes: Type.Array(Type.String()),
  neverAllowed: Type.Array(Type.String()),
  region: Type.String(),
  whoCanSee: Type.String(),
  lockbox: Type.String(),
});

export const AdminSharingSchema = Type.Object({
  tenant: Type.Object({ id: Type.String(), name: Type.String(), region: Type.String() }),
  sharing: SharingValueSchema,
  since: Type.String({ format: "date-time" }),
  program: ProgramSchema,
  deleteBy: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  periods: Type.Array(PeriodSchema),
});

export const SetSharingSchema = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export const ProgramOverviewSchema = Type.Object({
  program: Type.Omit(ProgramSchema, ["region"]),
  regions: Type.Array(Type.String()),
});
