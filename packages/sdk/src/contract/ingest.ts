import { type Static, type TSchema, Type } from "typebox";

/**
 * The body of `POST /v1/interactions`, as documented. Only its envelope is validated with the
 * request: each item is validated on its own (so a bad item never fails the batch).
 * `maxItems` is the service's `ingest.maxBatchItems`; `items` is InteractionItemSchema as documented.
 */
export const ingestBodySchema = <Item extends TSchema>(maxItems: number, items: Item) =>
  Type.Object(
    {
      interactions: Type.Array(items, {
        minItems: 1,
        maxItems,
        description: `1-${maxItems} interactions; invalid items are rejected one by one, the valid ones still taken`,
      }),
    },
    { additionalProperties: false },
  );

export const RejectedItemSchema = Type.Object({
  index: Type.Integer({ description: "the item's position in the batch" }),
  error: Type.String({ description: "the field and the rule it broke; never the value" }),
});

export const IngestResultSchema = Type.Object({
  sharing: Type.Union([Type.Literal("on"), Type.Literal("off")]),
  accepted: Type.Integer(),
  dropped: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(RejectedItemSchema),
});

/** What became of one tenant's valid items of a service key's batch. */
export const TenantIngestResultSchema = Type.Object({
  sharing: Type.Union([Type.Literal("on"), Type.Literal("off")]),
  accepted: Type.Integer(),
  dropped: Type.Integer(),
  duplicates: Type.Integer(),
});

/** The answer to a service key's batch: totals and per tenant (by Assent's tenant id); no top-level sharing. */
export const ServiceIngestResultSchema = Type.Object({
  accepted: Type.Integer(),
  dropped: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(RejectedItemSchema),
  tenants: Type.Record(Type.String(), TenantIngestResultSchema, {
    description: "tenant id → its items' outcome, for the tenants the batch named",
  }),
});

export type RejectedItem = Static<typeof RejectedItemSchema>;
export type IngestResult = Static<typeof IngestResultSchema>;
export type TenantIngestResult = Static<typeof TenantIngestResultSchema>;
export type ServiceIngestResult = Static<typeof ServiceIngestResultSchema>;
