import { Type } from "typebox";
import { MAX_ITEMS_PER_CALL } from "./types.js";

export {
  AddItemsResultSchema,
  CreateDatasetSchema,
  DatasetItemSchema,
  DatasetSchema,
} from "@assent/sdk/contract";

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
