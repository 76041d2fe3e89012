import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { IngestConfig } from "../../config.js";
import { currentCaller, type Guards } from "../../http/auth.js";
import { decompressBody } from "../../http/compression.js";
import { ErrorSchema } from "../../http/schemas.js";
import { IngestResultSchema, ingestBodySchemas, ServiceIngestResultSchema } from "./schemas.js";
import type { CaptureService } from "./service.js";
import type { ServiceCaptureService } from "./service-capture.js";

export interface CaptureRoutesDeps {
  readonly capture: Pick<CaptureService, "ingestBatch">;
  readonly serviceCapture: Pick<ServiceCaptureService, "ingestBatch">;
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
          "Invalid items are `rejected` with their index and a reason; the valid items of the batch are still taken. " +
          "With a service key every item names its `tenant` (id or external id); the answer has per-tenant results " +
          "in `tenants` and no top-level `sharing`; a region store out of reach answers 503 with Retry-After " +
          "(retrying the same ids is safe: stored ones come back as duplicates).",
        security: [{ ingestionKey: [] }],
        body: body.documented,
        response: {
          200: Type.Union([IngestResultSchema, ServiceIngestResultSchema]),
          400: ErrorSchema,
          401: ErrorSchema,
          413: ErrorSchema,
          429: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request) => {
      const caller = currentCaller(request);
      if (caller.kind === "service") return deps.serviceCapture.ingestBatch(caller.key, request.body);
      const { key } = caller;
      return deps.capture.ingestBatch(
        { id: key.tenantId, region: key.region, externalId: key.externalId },
        request.body,
      );
    },
  );
};
