import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../../../errors.js";
import { currentCaller, type Guards } from "../../../http/auth.js";
import { decompressBody } from "../../../http/compression.js";
import { isStoreUnavailable, storeUnavailable } from "../../../stores/unavailable.js";
import { decodeProtobufRequest } from "./decode.js";
import {
  encodeExportResponse,
  encodeStatus,
  exportResponse,
  PROTOBUF,
  type RpcStatus,
  rpcCode,
  wantsProtobuf,
} from "./response.js";
import type { OtlpService } from "./service.js";

export interface OtlpRoutesDeps {
  readonly otlp: OtlpService;
  readonly guards: Guards;
  readonly maxBodyBytes: number;
  /** Route config for the per-key rate limit (empty when disabled); the same as /v1/interactions'. */
  readonly rateLimit: Record<string, unknown>;
}

/**
 * OTLP/HTTP trace export. Errors are made by the one error handler of the app, then presented
 * as OTLP asks: a google.rpc.Status in the encoding of the request.
 */
export const otlpRoutes: FastifyPluginAsyncTypebox<OtlpRoutesDeps> = async (app, deps) => {
  // OTLP/HTTP has two encodings; anything else (text/plain included) is answered 415.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(PROTOBUF, { parseAs: "buffer" }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((err: Error & { code?: string }) => {
    // Handled by the app's error handler, with what only this route knows.
    if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      throw new AppError(
        415,
        "unsupported_media_type",
        `send the body as application/json or ${PROTOBUF} (OTLP/HTTP)`,
      );
    }
    if (isStoreUnavailable(err)) throw storeUnavailable();
    throw err;
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== "string") return payload;
    let message = "the request could not be processed";
    try {
      const body = JSON.parse(payload) as { message?: unknown };
      if (typeof body.message === "string") message = body.message;
    } catch {
      // Not the error handler's JSON: keep the generic message.
    }
    const status: RpcStatus = { code: rpcCode(reply.statusCode), message, details: [] };
    if (wantsProtobuf(request.headers["content-type"])) {
      void reply.type(PROTOBUF);
      return encodeStatus(status);
    }
    void reply.type("application/json; charset=utf-8");
    return JSON.stringify(status);
  });

  app.post(
    "/v1/traces",
    {
      bodyLimit: deps.maxBodyBytes,
      preParsing: decompressBody,
      onRequest: deps.guards.ingestKey,
      config: deps.rateLimit,
      schema: {
        tags: ["ingestion"],
        summary:
          "OTLP/HTTP trace export: GenAI spans become interactions (stored only while the tenant shares)",
        description:
          "Body: an OTLP ExportTraceServiceRequest as application/json or application/x-protobuf, optionally " +
          "Content-Encoding: gzip. Each GenAI model-call span (gen_ai.operation.name chat, text_completion, " +
          "generate_content; the Vercel AI SDK's ai.generateText/streamText/generateObject/streamObject) becomes " +
          "one interaction; other spans are ignored. Answer 200 with an ExportTraceServiceResponse whose " +
          "partialSuccess counts spans not taken: invalid GenAI spans, and GenAI spans dropped because sharing " +
          "is off (errorMessage says so). Errors are a google.rpc.Status ({code, message, details}) in the " +
          "encoding of the request: 400 undecodable body, 401 unknown key, 413 too large, 415 unsupported " +
          "type or encoding, 429/503 with Retry-After. With a service key each span names its tenant in the attribute " +
          "assent.tenant (config otlp.tenantAttributes), on the span or else its resource; a model-call span without " +
          "one is rejected.",
        security: [{ ingestionKey: [] }],
      },
    },
    async (request, reply) => {
      const caller = currentCaller(request);
      const protobuf = Buffer.isBuffer(request.body);
      const body = protobuf ? decodeProtobufRequest(request.body as Buffer) : request.body;
      const outcome = await deps.otlp.ingestTraces(
        caller.kind === "service"
          ? caller
          : { kind: "tenant", tenant: { id: caller.key.tenantId, region: caller.key.region } },
        body,
      );
      const answer = exportResponse(outcome);
      if (protobuf) return reply.type(PROTOBUF).send(encodeExportResponse(answer));
      return answer;
    },
  );
};
