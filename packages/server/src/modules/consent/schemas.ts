import { SharingValueSchema } from "@assent/sdk/contract";
import { Type } from "typebox";

export {
  AdminSharingSchema,
  FeatureSchema,
  PeriodSchema,
  ProgramOverviewSchema,
  ProgramSchema,
  ScopeChangeSchema,
  SharingValueSchema,
  ViaSchema,
} from "@assent/sdk/contract";

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

export const FeatureChoice = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  maxItems: 500,
  description: "the features to share (ids of program.features); absent: every feature",
});

export const SetSharingSchema = Type.Object(
  { enabled: Type.Boolean(), features: Type.Optional(FeatureChoice) },
  { additionalProperties: false },
);
