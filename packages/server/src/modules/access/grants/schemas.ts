import { Type } from "typebox";
import { REQUEST_STATES } from "./types.js";

export {
  AccessRequestListSchema,
  AccessRequestSchema,
  CreateAccessRequestSchema,
  GrantSchema,
} from "@assent/sdk/contract";

export const DenySchema = Type.Union([
  Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const ListRequestsQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([...REQUEST_STATES, "active"].map((s) => Type.Literal(s)))),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const RequestIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
