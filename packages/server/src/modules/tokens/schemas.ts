import { Type } from "typebox";
import { SCOPES, type Scope } from "./scopes.js";

const Time = Type.String({ format: "date-time" });
const ScopeSchema = Type.Unsafe<Scope>({ type: "string", enum: [...SCOPES] });

export const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: "the token's first characters, to recognise it by" }),
  scopes: Type.Array(ScopeSchema),
  createdAt: Time,
  lastUsedAt: Type.Union([Time, Type.Null()]),
  revokedAt: Type.Union([Time, Type.Null()]),
});

export const NewApiTokenSchema = Type.Intersect([
  ApiTokenSchema,
  Type.Object({ token: Type.String({ description: "shown once; only its hash is stored" }) }),
]);

export const CreateApiTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const TokenIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
