import { Type } from "typebox";
import { FEATURE_ID_PATTERN } from "../../config.js";
import { STRICT } from "../../http/strict-body.js";

export const FeatureIdParams = Type.Object({
  featureId: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: FEATURE_ID_PATTERN,
    description: "the feature's id, as items name it in `feature` (URL-encoded: a `/` is %2F)",
  }),
});

export const FeatureBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: "\\S",
      description: "what tenant admins read",
    }),
    description: Type.Optional(
      Type.String({ maxLength: 2000, description: "plain words on what the feature does (default empty)" }),
    ),
  },
  STRICT,
);

export const ProgramFeatureSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  source: Type.Union([Type.Literal("configuration"), Type.Literal("api")], {
    description: "where it is declared; the configuration wins over the API for the same id",
  }),
  updatedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

export const RetiredFeatureSchema = Type.Intersect([
  ProgramFeatureSchema,
  Type.Object({ retiredAt: Type.String({ format: "date-time" }), retiredBy: Type.String() }),
]);

export const ProgramFeatureListSchema = Type.Object({ items: Type.Array(ProgramFeatureSchema) });
