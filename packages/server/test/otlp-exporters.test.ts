import { type DiagLogger, DiagLogLevel, diag, type Span, SpanKind } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as HttpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type OtelPipeline, otelPipeline } from "./otel-pipeline.js";
import { ignoredSpans, keyedTenant, storedInteractions } from "./otlp-support.js";

/**
 * The real OpenTelemetry JS SDK and its two OTLP/HTTP exporters, sending to a listening
 * Assent: what an AI feature service does when it points its tracing at /v1/traces.
 */
type Kind = "json" | "protobuf";

type Pipeline = OtelPipeline;

function pipeline(
  url: string,
  key: string,
  opts: { kind: Kind; gzip: boolean; batch: boolean; serviceName?: string },
): Pipeline {
  const config = {
    url,
    headers: { Authorization: `Bearer ${key}` },
    compression: opts.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    timeoutMillis: 5000,
  };
  const exporter = opts.kind === "json" ? new HttpJsonExporter(config) : new HttpProtoExporter(config);
  return otelPipeline(exporter, opts);
}

const PROMPT = "Draft a follow-up to Contoso about the renewal quote.";
const ANSWER = "Hi Dana, following up on the renewal quote we sent on Monday.";

/** A chat model call as a GenAI instrumentation records it (current conventions). */
function chatSpan(p: Pipeline, feature = "sales.email-draft"): Span {
  const span = p.provider.getTracer("genai-test").startSpan("chat gpt-4o", {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 42,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.conversation.id": "conv-42",
      "assent.feature": feature,
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
      "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: PROMPT }] }]),
      "gen_ai.output.messages": JSON.stringify([
        { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "stop" },
      ]),
    },
  });
  span.end();
  return span;
}

/** A model call as older instrumentations record it: message events. */
function legacyEventSpan(p: Pipeline): Span {
  const span = p.provider.getTracer("genai-test").startSpan("chat gpt-4o-mini", {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.prompt_tokens": 30,
      "gen_ai.usage.completion_tokens": 7,
      "assent.feature": "sales.summary",
    },
  });
  span.addEvent("gen_ai.user.message", { "gen_ai.system": "openai", content: "Summarize the call." });
  span.addEvent("gen_ai.choice", {
    index: 0,
    finish_reason: "length",
    message: JSON.stringify({ role: "assistant", content: "The customer wants" }),
  });
  span.end();
  return span;
}

function httpSpan(p: Pipeline): void {
  const span = p.provider.getTracer("http").startSpan("GET /api/accounts", {
    kind: SpanKind.SERVER,
    attributes: { "http.request.method": "GET", "url.path": "/api/accounts" },
  });
  span.end();
}

const clientId = (span: Span) => `otlp:${span.spanContext().traceId}:${span.spanContext().spanId}`;

/** The OpenTelemetry diagnostics the exporters write (partial-success warnings go there). */
const warnings: string[] = [];
const diagLogger: DiagLogger = {
  error: (...args) => warnings.push(args.map(String).join(" ")),
  warn: (...args) => warnings.push(args.map(String).join(" ")),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

describe.each(dialects())("OpenTelemetry SDK exporting to /v1/traces on %s", (dialect) => {
  let ctx: TestContext;
  let url: string;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const address = ctx.app.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening on a port");
    url = `http://127.0.0.1:${address.port}/v1/traces`;
    diag.setLogger(diagLogger, DiagLogLevel.WARN);
  });
  afterAll(async () => {
    diag.disable();
    await ctx?.close();
  });
  afterEach(() => {
    warnings.length = 0;
  });

  /** A tenant sharing since a minute ago, with the service clock at real time (the SDK's). */
  async function sharingTenant() {
    ctx.clock.set(Date.now() - 60_000);
    const t = await keyedTenant(ctx, { sharing: true });
    ctx.clock.set(Date.now() + 1000);
    return t;
  }

  const variants = [
    { kind: "json", gzip: false, batch: true },
    { kind: "json", gzip: true, batch: false },
    { kind: "protobuf", gzip: false, batch: false },
    { kind: "protobuf", gzip: true, batch: true },
  ] as const;

  it.each(variants)(
    "stores GenAI spans sent by the $kind exporter (gzip $gzip, batch processor $batch)",
    async (v) => {
      const t = await sharingTenant();
      const ignoredBefore = await ignoredSpans(ctx, t.region);
      const p = pipeline(url, t.key, v);
      const chat = chatSpan(p);
      const legacy = legacyEventSpan(p);
      httpSpan(p);
      await p.end();

      expect(p.results.length).toBeGreaterThan(0);
      expect(p.results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
      expect(warnings).toEqual([]);
      expect((await ignoredSpans(ctx, t.region)) - ignoredBefore).toBe(1);

      const stored = await storedInteractions(ctx, t);
      expect(stored).toHaveLength(2);
      const byClient = new Map(stored.map((s) => [s.clientId, s]));
      expect(byClient.get(clientId(chat))).toMatchObject({
        feature: "sales.email-draft",
        conversationId: "conv-42",
        input: {
          system: [{ type: "text", content: "Be brief." }],
          messages: [{ role: "user", parts: [{ type: "text", content: PROMPT }] }],
        },
        output: {
          messages: [
            { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "stop" },
          ],
        },
        telemetry: {
          model: "gpt-4o-2024-08-06",
          provider: "openai",
          tokensIn: 120,
          tokensOut: 42,
          finishReason: "stop",
          attributes: expect.objectContaining({
            "gen_ai.request.model": "gpt-4o",
            "service.name": "crm-copilot",
          }),
        },
      });
      // occurredAt is the span's start, to the nearest millisecond (never later than the service's now).
      const [sec, ns] = (chat as unknown as ReadableSpan).startTime;
      const startMs = Number((BigInt(sec) * 1_000_000_000n + BigInt(ns) + 500_000n) / 1_000_000n);
      expect(byClient.get(clientId(chat))?.occurredAt).toBe(Math.min(startMs, ctx.clock.now()));
      expect(byClient.get(clientId(legacy))).toMatchObject({
        feature: "sales.summary",
        input: { messages: [{ role: "user", parts: [{ type: "text", content: "Summarize the call." }] }] },
        output: {
          messages: [
            {
              role: "assistant",
              parts: [{ type: "text", content: "The customer wants" }],
              finish_reason: "length",
            },
          ],
        },
        telemetry: {
          model: "gpt-4o-mini",
          provider: "openai",
          tokensIn: 30,
          tokensOut: 7,
          finishReason: "length",
        },
      });
    },
  );

  it.each(["json", "protobuf"] as const)(
    "drops everything while sharing is off; the %s exporter reads the partial success",
    async (kind) => {
      const t = await keyedTenant(ctx, { sharing: false });
      ctx.clock.set(Date.now() + 1000);
      const p = pipeline(url, t.key, { kind, gzip: true, batch: true });
      chatSpan(p);
      chatSpan(p, "sales.other");
      httpSpan(p);
      await p.end();
      // A partial success is a success: the exporter does not retry, and warns.
      expect(p.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
      expect(warnings.join("\n")).toContain("Received Partial Success response");
      expect(warnings.join("\n")).toContain('"rejectedSpans":2');
      expect(warnings.join("\n")).toContain(
        "sharing is off for this tenant: 2 spans dropped, nothing stored",
      );
      expect(await storedInteractions(ctx, t)).toEqual([]);
      const store = ctx.services.stores.regions.get(t.region)!;
      const keys = await store.db
        .selectFrom("data_keys")
        .select("id")
        .where("tenant_id", "=", t.id)
        .execute();
      expect(keys).toEqual([]);
    },
  );

  it.each(["json", "protobuf"] as const)("fails the %s export with an unknown key (401)", async (kind) => {
    const p = pipeline(url, "ask_not-a-real-key", { kind, gzip: false, batch: false });
    chatSpan(p);
    await p.end();
    expect(p.results).toHaveLength(1);
    expect(p.results[0]?.code).toBe(ExportResultCode.FAILED);
    const error = p.results[0]?.error as { code?: number; data?: string } | undefined;
    expect(error?.code).toBe(401);
    if (kind === "json") {
      expect(JSON.parse(error?.data ?? "{}")).toEqual({
        code: 16,
        message: "an unknown or revoked ingestion key (Authorization: Bearer <key>)",
        details: [],
      });
    }
  });

  it("rejects a span the interaction rules refuse, and stores the rest", async () => {
    const t = await sharingTenant();
    const p = pipeline(url, t.key, {
      kind: "protobuf",
      gzip: false,
      batch: true,
      serviceName: "crm copilot",
    });
    chatSpan(p);
    // No assent.feature: the service name, which has a space, is not a valid feature.
    const span = p.provider.getTracer("genai-test").startSpan("chat gpt-4o", {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "hello" }]),
      },
    });
    span.end();
    await p.end();
    expect(p.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    const warning = warnings.join("\n");
    expect(warning).toContain('"rejectedSpans":1');
    expect(warning).toContain(
      `1 span rejected: span 1 (${span.spanContext().spanId}): feature has characters that are not allowed (taken from service.name)`,
    );
    // The error message names the rule and where the value came from, never content.
    expect(warning).not.toContain("hello");
    expect(await storedInteractions(ctx, t)).toHaveLength(1);
  });
});
