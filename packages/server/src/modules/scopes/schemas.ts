import { Type } from "typebox";
import { STRICT } from "../../http/strict-body.js";
import { ConsoleActorSchema } from "../management/schemas.js";

export { ExclusionListSchema, ExclusionSchema, LiftResultSchema } from "@assent/sdk/contract";

/** A subject id as a client names it (never stored, echoed or logged). */
export const SubjectSchema = Type.String({
  minLength: 1,
  maxLength: 256,
  description: "the vendor's pseudonymous id of the end user (only its keyed hash is stored)",
});

export const SubjectBody = Type.Object({ subject: SubjectSchema }, STRICT);

export const RefSchema = Type.String({
  pattern: "^[0-9a-f]{12}$",
  description: "an exclusion's reference, as GET /api/tenant/exclusions lists it",
});

export const LiftBody = Type.Union([SubjectBody, Type.Object({ ref: RefSchema }, STRICT)]);

export const OnBehalfSubjectBody = Type.Object({ subject: SubjectSchema, actor: ConsoleActorSchema }, STRICT);
