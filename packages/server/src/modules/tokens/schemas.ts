import { ScopeSchema } from "@assent/sdk/contract";
import { Type } from "typebox";
import { SCOPES } from "./scopes.js";

export { ApiTokenSchema, NewApiTokenSchema } from "@assent/sdk/contract";

export const CreateApiTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const TokenIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
