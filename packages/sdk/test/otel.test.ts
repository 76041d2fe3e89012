import { context, SpanKind, trace } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { InMemorySpanExporter, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../server/src/actor.js";
import { otelPipeline } from "../../server/test/otel-pipeline.js";
import { type KeyedTenant, keyedTenant, storedInteractions } from "../../server/test/otlp-support.js";
import { type AssentClient, createAssentClient } from "../src/index.js";
import { toExportRequest } from "../src/otel/encode.js";
import { type AssentSpanExporter, createAssentSpanExporter } from "../src/otel/index.js";
import { type LiveServer, sleep, startLiveServer, until } from "./live-server.js";

const PROMPT = "Draft a follow-up to Contoso about the renewal quote.";
const ANSWER = "Hi Dana, following up on the renewal quote we sent on Monday.";

function tracing(exporter: SpanExporter, batch: boolean) {
  const { provider, results, end } = otelPipeline(exporter, { batch });
  const tracer = provider.getTracer("genai-test");
  return {
    provider,
    results,
    /** A chat model call as a GenAI instrumentation records it, and an HTTP span beside it. */
    emit(feature = "sales.email-draft") {
      const chat = tracer.startSpan("chat gpt-4o", {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.usage.input_tokens": 120,
          "gen_ai.usage.output_tokens": 42,
          "gen_ai.response.finish_reasons": ["stop"],
          "gen_ai.conversation.id": "conv-42",
          "assent.feature": feature,
          "gen_ai.input.messages": JSON.stringify([
            { role: "user", parts: [{ type: "text", content: PROMPT }] },
          ]),
          "gen_ai.output.messages": JSON.stringify([
            { role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "stop" },
          ]),
        },
      });
      chat.addEvent("gen_ai.content.filtered", { reason: "none", "score.max": 0.01 });
      chat.end();
      tracer
        .startSpan("GET /api/accounts", { kind: SpanKind.SERVER, attributes: { "http.route": "/api" } })
        .end();
      return chat;
    },
    end,
  };
}

/** @opentelemetry/otlp-transformer comes with the OTLP exporters (root devDependencies). */
describe("the OTLP/JSON encoding", () => {
  it("is what OpenTelemetry's own OTLP/HTTP JSON exporter sends for the same spans", async () => {
    const memory = new InMemorySpanExporter();
    const p = tracing(memory, false);
    const chat = p.emit();
    const tracer = p.provider.getTracer("other-scope", "1.2.3");
    const child = tracer.startSpan(
      "tool call",
      { links: [{ context: chat.spanContext(), attributes: { why: "follows" } }] },
      trace.setSpan(context.active(), chat), // a parent, so parentSpanId is set
    );
    child.setAttributes({ n: 1.5, list: [1, 2], flag: true, "gen_ai.tool.name": "search" });
    child.setStatus({ code: 2, message: "tool failed" });
    child.end();
    await p.provider.forceFlush();
    const spans = memory.getFinishedSpans();
    expect(spans).toHaveLength(3);
    const theirs = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    expect(JSON.parse(JSON.stringify(toExportRequest(spans)))).toEqual(theirs);
    await p.end();
  });
});

describe("createAssentSpanExporter with the OpenTelemetry SDK", () => {
  let server: LiveServer;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await startLiveServer("sqlite");
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await server?.close();
  });

  /** A tenant whose opt-in is a minute old, with the server's clock at real time. */
  async function tenant(sharing: boolean): Promise<KeyedTenant> {
    const t = await keyedTenant(server.ctx, { sharing, optInAt: Date.now() - 60_000 });
    server.ctx.clock.set(Date.now() + 1000);
    return t;
  }
  const traces = (key: string) => server.requests.filter((r) => r.path === "/v1/traces" && r.key === key);
  const exporterFor = (t: KeyedTenant, extra: Record<string, unknown> = {}) => {
    const e = createAssentSpanExporter({ url: server.url, key: t.key, ...extra });
    closers.push(() => e.shutdown());
    return e;
  };

  it("exports GenAI spans as OTLP/HTTP JSON to /v1/traces, where they are stored as interactions", async () => {
    const t = await tenant(true);
    const exporter: AssentSpanExporter = exporterFor(t);
    expect(await exporter.ready(5000)).toBe("on");
    const p = tracing(exporter, true);
    const chat = p.emit();
    await p.end();

    expect(p.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    expect(traces(t.key).map((r) => r.status)).toEqual([200]);
    expect(exporter.counters).toMatchObject({ exported: 1, filtered: 1, rejected: 0, failed: 0 });
    const stored = await storedInteractions(server.ctx, t);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      clientId: `otlp:${chat.spanContext().traceId}:${chat.spanContext().spanId}`,
      feature: "sales.email-draft",
      conversationId: "conv-42",
      telemetry: { model: "gpt-4o", tokensIn: 120, tokensOut: 42, finishReason: "stop" },
    });
    expect(JSON.stringify(stored[0]!.input)).toContain(PROMPT);
    expect(JSON.stringify(stored[0]!.output)).toContain(ANSWER);
  });

  it("keeps spans in the process while sharing is off, and sends them once it is on", async () => {
    const t = await tenant(false);
    const exporter = exporterFor(t);
    expect(await exporter.ready(5000)).toBe("off");
    const p = tracing(exporter, false);
    p.emit();
    p.emit();
    await p.provider.forceFlush();
    expect(p.results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
    expect(exporter.counters.droppedLocally).toBe(2);
    await sleep(200);
    expect(traces(t.key)).toEqual([]);

    server.ctx.clock.set(Date.now() - 1000); // the server's clock is manual: opt in a second ago
    await server.ctx.services.consent.setSharing({ id: t.id, region: t.region }, true, CLI_ACTOR);
    server.ctx.clock.set(Date.now() + 1000);
    await until(async () => (await exporter.ready(10)) === "on", 1000, "the exporter to see sharing on");
    p.emit();
    await p.end();
    expect(traces(t.key).map((r) => r.status)).toEqual([200]);
    expect(exporter.counters.exported).toBe(1);
    expect(await storedInteractions(server.ctx, t)).toHaveLength(1);
  });

  it("can follow an Assent client's sharing state instead of opening its own stream", async () => {
    const t = await tenant(true);
    const client: AssentClient = createAssentClient({ url: server.url, key: t.key });
    closers.push(() => client.close(100));
    const exporter = exporterFor(t, { sharing: client });
    const streamsBefore = server.requests.filter((r) => r.path === "/v1/sharing/stream").length;
    await client.ready(5000);
    const p = tracing(exporter, false);
    p.emit();
    await p.end();
    expect(exporter.counters.exported).toBe(1);
    // Only the client's stream was opened.
    expect(server.requests.filter((r) => r.path === "/v1/sharing/stream").length - streamsBefore).toBe(1);
  });

  it("without the local gate, the service's gate still drops what arrives while sharing is off", async () => {
    const t = await tenant(false);
    const exporter = exporterFor(t, { localGate: false });
    const p = tracing(exporter, false);
    p.emit();
    await p.end();
    expect(traces(t.key).map((r) => r.status)).toEqual([200]);
    expect(exporter.counters).toMatchObject({ exported: 0, rejected: 1 });
    expect(await storedInteractions(server.ctx, t)).toEqual([]);
  });

  it("reports a refused key as a failed export", async () => {
    const t = await tenant(true);
    const exporter = exporterFor(t, { localGate: false, key: "ask_not-a-key" });
    const p = tracing(exporter, false);
    p.emit();
    await p.end();
    // The HTTP span is filtered out (a successful no-op); the GenAI span's export fails.
    expect(p.results.map((r) => r.code).sort()).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED]);
    expect(exporter.counters).toMatchObject({ failed: 1, filtered: 1, exported: 0 });
    expect(traces("ask_not-a-key").map((r) => r.status)).toEqual([401]);
  });
});
