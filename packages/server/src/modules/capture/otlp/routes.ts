import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../../../errors.js";
import { currentKey, type Guards } from "../../../http/auth.js";
import { decompressBody } from "../../../http/compression.js";
import { isStoreUnavailable, storeUnavailable } from "../../../stores/unavailable.js";
import { decodeProtobufRequest, type Signal } from "./decode.js";
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
import type { ServiceOtlp } from "./service-otlp.js";
import type { ExportOutcome } from "./types.js";

export interface OtlpRoutesDeps {
  /** /v1/traces and /v1/logs with a service key: each span and record names its tenant. */
  readonly serviceOtlp: ServiceOtlp;
  readonly otlp: OtlpService;
  readonly guards: Guards;
  readonly maxBodyBytes: number;
  /** Route config for the per-key rate limit (empty when disabled); the same as /v1/interactions'. */
  readonly rateLimit: Record<string, unknown>;
  /** How often the span/log join's window is checked when no export comes in. */
  readonly expireEveryMs: number;
}

/**
 * OTLP/HTTP trace and logs export (one route shape for both signals). Errors are made by the one error handler of the app, then presented
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

  const exportRoute = (signal: Signal, summary: string, description: string) =>
    app.post(
      `/v1/${signal}`,
      {
        bodyLimit: deps.maxBodyBytes,
        preParsing: decompressBody,
        onRequest: deps.guards.ingestKey,
        config: deps.rateLimit,
        schema: { tags: ["ingestion"], summary, description, security: [{ ingestionKey: [] }] },
      },
      async (request, reply) => {
        const protobuf = Buffer.isBuffer(request.body);
        const body = protobuf ? decodeProtobufRequest(request.body as Buffer, signal) : request.body;
        let outcome: ExportOutcome;
        if (request.serviceKey) {
          outcome =
            signal === "traces"
              ? await deps.serviceOtlp.ingestTraces(request.serviceKey, body)
              : await deps.serviceOtlp.ingestLogs(request.serviceKey, body);
        } else {
          const key = currentKey(request);
          const tenant = { id: key.tenantId, region: key.region };
          outcome =
            signal === "traces"
              ? await deps.otlp.ingestTraces(tenant, body)
              : await deps.otlp.ingestLogs(tenant, body);
        }
        const answer = exportResponse(outcome, signal);
        if (protobuf) return reply.type(PROTOBUF).send(encodeExportResponse(answer, signal));
        return answer;
      },
    );

  const ERRORS =
    "Errors are a google.rpc.Status ({code, message, details}) in the encoding of the request: 400 undecodable " +
    "body, 401 unknown key, 413 too large, 415 unsupported type or encoding, 429/503 with Retry-After.";

  exportRoute(
    "traces",
    "OTLP/HTTP trace export: GenAI spans become interactions (stored only while the tenant shares)",
    "Body: an OTLP ExportTraceServiceRequest as application/json or application/x-protobuf, optionally " +
      "Content-Encoding: gzip. Each GenAI model-call span (gen_ai.operation.name chat, text_completion, " +
      "generate_content; OpenInference openinference.span.kind LLM; the Vercel AI SDK's " +
      "ai.generateText/streamText/generateObject/streamObject) becomes one interaction, nested model-call " +
      "spans of one call become one; other spans are ignored. A model-call span without content waits for " +
      "its content log records (POST /v1/logs). Answer 200 with an ExportTraceServiceResponse whose " +
      "partialSuccess counts spans not taken: invalid GenAI spans, and GenAI spans dropped because sharing " +
      `is off (errorMessage says so). ${ERRORS}`,
  );
  exportRoute(
    "logs",
    "OTLP/HTTP logs export: GenAI content records join their model-call span (stored only while the tenant shares)",
    "Body: an OTLP ExportLogsServiceRequest as application/json or application/x-protobuf, optionally " +
      "Content-Encoding: gzip. GenAI content records (event name gen_ai.system.message, gen_ai.user.message, " +
      "gen_ai.assistant.message, gen_ai.tool.message, gen_ai.choice, " +
      "gen_ai.client.inference.operation.details, in eventName or the event.name attribute) are joined to " +
      "their model-call span (POST /v1/traces) by trace and span id, whichever arrives first, within the " +
      "join window; the joined span is one interaction. Other records are ignored. Answer 200 with an " +
      `ExportLogsServiceResponse whose partialSuccess counts records not taken. ${ERRORS}`,
  );

  // The join's window passes for waiting spans and records even when no export comes in.
  const timer = setInterval(() => {
    void deps.otlp.expireWaiting().catch(() => {});
  }, deps.expireEveryMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
};
