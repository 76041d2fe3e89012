import { Type } from "typebox";
import { MAX_ITEMS_PER_CALL } from "./types.js";

export const CreateDatasetSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, maxLength: 32 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    purpose: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const AddItemsSchema = Type.Object(
  {
    interactionIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: MAX_ITEMS_PER_CALL,
    }),
  },
  { additionalProperties: false },
);

export const DatasetIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const DatasetSchema = Type.Object({
  id: Type.String(),
  region: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  grantId: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  items: Type.Integer(),
});

export const AddItemsResultSchema = Type.Object({ added: Type.Integer(), duplicates: Type.Integer() });
