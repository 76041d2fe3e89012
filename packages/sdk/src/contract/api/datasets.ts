import { type Static, Type } from "typebox";
import { NullableString, Time } from "./common.js";

/** Datasets: interactions set aside for one allowed purpose, exported as an audited action. */

export const CreateDatasetSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, maxLength: 32 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    purpose: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const DatasetSchema = Type.Object({
  id: Type.String(),
  region: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  description: NullableString,
  createdBy: Type.String(),
  grantId: Type.String(),
  createdAt: Time,
  items: Type.Integer(),
});

/** One interaction a dataset holds: ids, tenant, who added it and when (no content). */
export const DatasetItemSchema = Type.Object({
  interactionId: Type.String(),
  tenantId: Type.String(),
  addedBy: Type.String(),
  addedAt: Time,
});

export const AddItemsResultSchema = Type.Object({ added: Type.Integer(), duplicates: Type.Integer() });

export type NewDataset = Static<typeof CreateDatasetSchema>;
export type Dataset = Static<typeof DatasetSchema>;
export type DatasetItem = Static<typeof DatasetItemSchema>;
export type AddItemsResult = Static<typeof AddItemsResultSchema>;
