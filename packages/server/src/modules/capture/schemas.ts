import { InteractionItemSchema, ingestBodySchema } from "@assent/sdk/contract";
import { Type } from "typebox";
import { Compile } from "typebox/compile";

export { IngestResultSchema, ServiceIngestResultSchema } from "@assent/sdk/contract";

/**
 * The request body of POST /v1/interactions: documented item by item from the contract, while the
 * route validates only the envelope (items are validated one by one by validateItem).
 */
export function ingestBodySchemas(maxBatchItems: number) {
  const documented = ingestBodySchema(maxBatchItems, InteractionItemSchema);
  const envelope = Compile(ingestBodySchema(maxBatchItems, Type.Unknown()));
  return {
    documented,
    /** A Fastify validator for the route: the envelope's errors in Ajv's shape, like every route's. */
    validate: (data: unknown) =>
      envelope.Check(data) ? { value: data } : { error: [...envelope.Errors(data)] },
  };
}
