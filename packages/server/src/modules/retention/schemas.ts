import { Type } from "typebox";

export { ReceiptListSchema, ReceiptSchema } from "@assent/sdk/contract";

export const ReceiptListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 64, pattern: "^[0-9a-f-]+$" })),
  },
  { additionalProperties: false },
);
