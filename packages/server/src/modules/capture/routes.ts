import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { IngestConfig } from "../../config.js";
import { currentKey, type Guards } from "../../http/auth.js";
import { decompressBody } from "../../http/compression.js";
import { ErrorSchema } from "../../http/schemas.js";
import { IngestResultSchema, ingestBodySchemas } from "./schemas.js";
import type { CaptureService } from "./service.js";

export interface CaptureRoutesDeps {
  readonly capture: Pick<CaptureService, "ingestBatch">;
  readonly ingest: IngestConfig;
  readonly guards: Guards;
  /** Route config for the per-key rate limit (empty when disabled). */
  readonly rateLimit: Record<string, unknown>;
}

export const captureRoutes: FastifyPluginAsyncTypebox<CaptureRoutesDeps> = async (app, deps) => {
  const body = ingestBodySchemas(deps.ingest.maxBatchItems);
  app.post(
    "/v1/interactions",
    {
      bodyLimit: deps.ingest.maxBodyBytes,
      // The SDK may gzip batches; the limit holds for the decompressed body.
      preParsing: decompressBody,
      onRequest: deps.guards.ingestKey,
      config: deps.rateLimit,
      // The items are documented in full but validated one by one in the service.
      validatorCompiler: () => body.validate,
      schema: {
        tags: ["ingestion"],
        summary: "Capture a batch of AI feature interactions (stored only while the tenant shares)",
        description:
          "Sharing off: every valid item is `dropped` and nothing is stored; this is not an error, so do not retry. " +
          "Invalid items are `rejected` with their index and a reason; the valid items of the batch are still taken.",
        security: [{ ingestionKey: [] }],
        body: body.documented,
        response: {
          200: IngestResultSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          413: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (request) => {
      const key = currentKey(request);
      return deps.capture.ingestBatch({ id: key.tenantId, region: key.region }, request.body);
    },
  );
};
