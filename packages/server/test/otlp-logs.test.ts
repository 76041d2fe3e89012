import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import {
  type Encoding,
  ignoredSpans,
  type Json,
  type KeyedTenant,
  keyedTenant,
  postExport,
  storedInteractions,
} from "./otlp-support.js";

/**
 * POST /v1/logs and the span/log join: GenAI content log records meet their model-call span,
 * whichever comes first, within bounds; what waits never reaches a store, a log line or an
 * error; other records are ignored and counted. Small hand-made exports (the real libraries'
 * are in otlp-library-fixtures and otlp-instrumentations).
 */
const SECRET = "Contoso-secret-7f3a9c: the CFO's bonus is 2.1M";
const TRACE = "5b8efff798038103d269b633813fc60c";
const WINDOW_MS = 60_000;
const MAX_ENTRIES = 40;
const MAX_BYTES = 48 * 1024;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const kv = (entries: Record<string, string>) => ({
  kvlistValue: { values: Object.entries(entries).map(([k, v]) => str(k, v)) },
});

let nextSpan = 1;
const newSpanId = () => (nextSpan++).toString(16).padStart(16, "0");

/** A content-less chat span, as the official OpenAI instrumentation records one. */
function chatSpan(spanId: string, startMs: number, extra: Json[] = [], statusCode = 0): Json {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "crm-copilot")] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE,
                spanId,
                name: "chat gpt-4o-mini",
                startTimeUnixNano: `${BigInt(startMs) * 1_000_000n}`,
                endTimeUnixNano: `${BigInt(startMs + 800) * 1_000_000n}`,
                attributes: [
                  str("gen_ai.operation.name", "chat"),
                  str("gen_ai.system", "openai"),
                  str("gen_ai.request.model", "gpt-4o-mini"),
                  str("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                  ...extra,
                ],
                status: { code: statusCode },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The (only) spans list of an export made by chatSpan, to add spans to. */
const spanList = (request: Json): Json[] =>
  ((request.resourceSpans as Json[])[0]!.scopeSpans as Json[])[0]!.spans as Json[];

function logs(records: Json[]): Json {
  return { resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] };
}

/** A content record; the event name as an attribute (older SDKs) or in `eventName` (OTLP 1.5+). */
function record(spanId: string, event: string, body: Json, opts: { eventNameField?: boolean } = {}): Json {
  return {
    timeUnixNano: "1",
    traceId: TRACE,
    spanId,
    body,
    ...(opts.eventNameField ? { eventName: event } : { attributes: [str("event.name", event)] }),
  };
}

const userRecord = (spanId: string, text = "Summarize the Contoso call.") =>
  record(spanId, "gen_ai.user.message", kv({ content: text }));
const choiceRecord = (spanId: string) =>
  record(
    spanId,
    "gen_ai.choice",
    {
      kvlistValue: {
        values: [
          str("finish_reason", "length"),
          { key: "message", value: kv({ content: "They want a discount." }) },
        ],
      },
    },
    { eventNameField: true },
  );

/** A JS value as an OTLP AnyValue, as the SDK's exporters write structured log attributes. */
function anyValue(v: unknown): Json {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "number") return { intValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  const entries = Object.entries(v as Record<string, unknown>);
  return { kvlistValue: { values: entries.map(([key, x]) => ({ key, value: anyValue(x) })) } };
}

async function counter(ctx: TestContext, name: string, labels: Record<string, string>): Promise<number> {
  const metric = ctx.services.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((n, v) => n + v.value, 0);
}

/** Every file under a directory, as bytes (the SQLite stores, their WAL, keys). */
function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name)));
}

describe.each(dialects())("OTLP logs and the span/log join on %s", (dialect) => {
  let ctx: TestContext;
  let t: KeyedTenant;
  let start: number;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        ingest: { otlpJoinWindowMs: WINDOW_MS, otlpJoinMaxEntries: MAX_ENTRIES, otlpJoinMaxBytes: MAX_BYTES },
      },
    });
    start = ctx.clock.now();
    t = await keyedTenant(ctx, { sharing: true, optInAt: start - 3_600_000 });
    ctx.clock.set(start + 1000);
  });
  afterAll(async () => ctx?.close());

  describe.each<Encoding>(["json", "protobuf"])("sent as %s", (encoding) => {
    it("joins a content-less span to its records, whichever comes first, as one interaction", async () => {
      const before = (await storedInteractions(ctx, t)).length;
      const a = newSpanId();
      const b = newSpanId();
      // a: span first, then its records split over two exports.
      expect((await postExport(ctx, t.key, "traces", chatSpan(a, start), { encoding })).body).toEqual({});
      expect((await postExport(ctx, t.key, "logs", logs([userRecord(a)]), { encoding })).body).toEqual({});
      expect(await storedInteractions(ctx, t)).toHaveLength(before);
      expect((await postExport(ctx, t.key, "logs", logs([choiceRecord(a)]), { encoding })).body).toEqual({});
      // b: records first (with an HTTP log line among them), then the span.
      const mixed = logs([
        userRecord(b),
        record(b, "http.access", kv({ content: "GET /" })),
        choiceRecord(b),
      ]);
      const ignoredRecords = await counter(ctx, "assent_otlp_log_records_ignored_total", { region: "us" });
      expect((await postExport(ctx, t.key, "logs", mixed, { encoding })).body).toEqual({});
      expect(await counter(ctx, "assent_otlp_log_records_ignored_total", { region: "us" })).toBe(
        ignoredRecords + 1,
      );
      expect((await postExport(ctx, t.key, "traces", chatSpan(b, start + 1), { encoding })).body).toEqual({});
      const stored = (await storedInteractions(ctx, t)).slice(before);
      expect(stored).toHaveLength(2);
      for (const s of stored) {
        expect(s.input).toEqual({
          messages: [{ role: "user", parts: [{ type: "text", content: "Summarize the Contoso call." }] }],
        });
        expect(s.output).toEqual({
          messages: [
            {
              role: "assistant",
              parts: [{ type: "text", content: "They want a discount." }],
              finish_reason: "length",
            },
          ],
        });
        expect(s.telemetry).toMatchObject({ model: "gpt-4o-mini-2024-07-18", finishReason: "length" });
      }
      expect(ctx.services.otlp.waiting().entries).toBe(0);
    });
  });

  it("answers /v1/logs as /v1/traces: 400/401/415 as a google.rpc.Status, gzip taken, non-GenAI records ignored", async () => {
    const bad = await postExport(ctx, t.key, "logs", {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: "zz" }] }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 3,
      message: "resourceLogs[0].scopeLogs[0].logRecords[0].traceId: must be 32 hex digits",
      details: [],
    });
    const garbage = await ctx.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/x-protobuf" },
      payload: Buffer.from([0xff, 0xff, 0xff]),
    });
    expect(garbage.statusCode).toBe(400);
    expect((await postExport(ctx, "ak_unknown", "logs", logs([]))).status).toBe(401);
    const text = await ctx.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "text/plain" },
      payload: "hello",
    });
    expect(text.statusCode).toBe(415);
    const plain = logs([record(newSpanId(), "app.started", kv({ content: "ready" }))]);
    const res = await postExport(ctx, t.key, "logs", plain, { encoding: "protobuf", gzip: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    // A GenAI record without its span's ids cannot be joined: rejected, naming the record.
    const orphan = logs([
      { attributes: [str("event.name", "gen_ai.user.message")], body: kv({ content: SECRET }) },
    ]);
    expect((await postExport(ctx, t.key, "logs", orphan)).body).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage:
          "1 log record rejected: log record 0: a GenAI content record needs the traceId and spanId of its span",
      },
    });
  });

  it("joins the Responses API's two operation-details records (structured input, then output)", async () => {
    const before = (await storedInteractions(ctx, t)).length;
    const id = newSpanId();
    const details = (key: string, messages: unknown) => ({
      traceId: TRACE,
      spanId: id,
      eventName: "gen_ai.client.inference.operation.details",
      attributes: [str("gen_ai.provider.name", "openai"), { key, value: anyValue(messages) }],
    });
    const input = [{ role: "user", parts: [{ type: "text", content: "Draft the renewal note." }] }];
    const output = [
      { role: "assistant", parts: [{ type: "text", content: "Dear Dana," }], finish_reason: "stop" },
    ];
    await postExport(ctx, t.key, "logs", logs([details("gen_ai.input.messages", input)]), {
      encoding: "protobuf",
    });
    await postExport(ctx, t.key, "traces", chatSpan(id, start + 5), { encoding: "protobuf" });
    expect(await storedInteractions(ctx, t)).toHaveLength(before);
    await postExport(ctx, t.key, "logs", logs([details("gen_ai.output.messages", output)]));
    const [stored] = (await storedInteractions(ctx, t)).slice(before);
    expect(stored?.input).toEqual({ messages: input });
    expect(stored?.output).toEqual({ messages: output });
    expect(stored?.telemetry.finishReason).toBe("stop");
  });

  it("stores a span whose answer never came when the window passes, drops lone records, counts both", async () => {
    const before = (await storedInteractions(ctx, t)).length;
    const failed = newSpanId();
    const lone = newSpanId();
    // A stream cut before its answer: the span ended (no error status), no choice record came.
    await postExport(ctx, t.key, "traces", chatSpan(failed, start + 50));
    await postExport(ctx, t.key, "logs", logs([userRecord(failed), userRecord(lone)]));
    const expired = await counter(ctx, "assent_otlp_join_dropped_total", { reason: "expired" });
    await ctx.services.otlp.expireWaiting();
    expect(await storedInteractions(ctx, t)).toHaveLength(before);
    ctx.clock.set(ctx.clock.now() + WINDOW_MS + 1);
    await ctx.services.otlp.expireWaiting();
    const stored = (await storedInteractions(ctx, t)).slice(before);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.output).toBeNull();
    expect(await counter(ctx, "assent_otlp_join_dropped_total", { reason: "expired" })).toBe(expired + 1);
    expect(ctx.services.otlp.waiting()).toEqual({ entries: 0, bytes: 0 });
  });

  it("leaves the decision to the consent gate at the write: sharing turned off while waiting drops it", async () => {
    const other = await keyedTenant(ctx, { sharing: true, optInAt: start - 3_600_000 });
    const id = newSpanId();
    await postExport(ctx, other.key, "traces", chatSpan(id, start + 3));
    await ctx.services.consent.setSharing({ id: other.id, region: other.region }, false, CLI_ACTOR);
    const res = await postExport(ctx, other.key, "logs", logs([userRecord(id), choiceRecord(id)]));
    expect(res.body).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: "sharing is off for this tenant: 1 log record dropped, nothing stored",
      },
    });
    expect(await storedInteractions(ctx, other)).toEqual([]);
    // Another tenant's records never join this tenant's span, even with the same ids.
    const id2 = newSpanId();
    await postExport(ctx, t.key, "traces", chatSpan(id2, start + 4));
    await postExport(ctx, other.key, "logs", logs([userRecord(id2), choiceRecord(id2)]));
    expect(ctx.services.otlp.waiting().entries).toBe(2);
    ctx.clock.set(ctx.clock.now() + WINDOW_MS + 1);
    await ctx.services.otlp.expireWaiting();
  });

  it("keeps waiting content out of stores, logs and errors, and within its bounds under a flood", async () => {
    const full = await counter(ctx, "assent_otlp_join_dropped_total", { reason: "full" });
    const answers: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const records = Array.from({ length: 30 }, () =>
        userRecord(newSpanId(), `${SECRET} ${"x".repeat(300)}`),
      );
      const res = await postExport(ctx, t.key, "logs", logs(records), {
        encoding: batch % 2 ? "protobuf" : "json",
      });
      expect(res.status).toBe(200);
      answers.push(JSON.stringify(res.body));
      const waiting = ctx.services.otlp.waiting();
      expect(waiting.entries).toBeLessThanOrEqual(MAX_ENTRIES);
      expect(waiting.bytes).toBeLessThanOrEqual(MAX_BYTES);
    }
    // Content-less spans with no partner wait too, within the same bounds.
    for (let i = 0; i < 10; i++)
      await postExport(ctx, t.key, "traces", chatSpan(newSpanId(), start + 10 + i));
    expect(ctx.services.otlp.waiting().entries).toBeLessThanOrEqual(MAX_ENTRIES);
    const dropped = (await counter(ctx, "assent_otlp_join_dropped_total", { reason: "full" })) - full;
    expect(dropped).toBeGreaterThan(0);
    expect(answers.join("\n")).toContain("too much content is waiting for its spans; try again later");
    ctx.clock.set(ctx.clock.now() + WINDOW_MS + 1);
    await ctx.services.otlp.expireWaiting();
    expect(ctx.services.otlp.waiting()).toEqual({ entries: 0, bytes: 0 });
    // Nowhere in clear: not in any answer, log line, or store file (SQLite, its WAL, keys).
    const marker = "Contoso-secret-7f3a9c";
    expect(answers.join("\n")).not.toContain(marker);
    expect(ctx.logs.join("\n")).not.toContain(marker);
    for (const file of filesUnder(ctx.dataDir)) expect(file.includes(marker)).toBe(false);
    const exposition = await ctx.services.metrics.registry.metrics();
    expect(exposition).not.toContain(marker);
  });

  it("ignores OpenInference's non-model spans, counted, and folds a model call nested in another", async () => {
    const ignored = await ignoredSpans(ctx, "us");
    const before = (await storedInteractions(ctx, t)).length;
    const outer = newSpanId();
    const inner = newSpanId();
    const chain = newSpanId();
    const request = chatSpan(outer, start + 100, [
      str(
        "gen_ai.input.messages",
        JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Hi" }] }]),
      ),
      str(
        "gen_ai.output.messages",
        JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Hello" }] }]),
      ),
    ]);
    const spans = spanList(request);
    const outerSpan = spans[0] as Json & { attributes: Json[] };
    // The wrapper only knows the requested model; the SDK's own span inside knows the answer's.
    outerSpan.attributes = outerSpan.attributes.filter((a) => a.key !== "gen_ai.response.model");
    const innerOnly = spanList(chatSpan(inner, start + 101))[0] as Json & { attributes: Json[] };
    innerOnly.parentSpanId = outer;
    innerOnly.attributes.push(str("anthropic.message.stop_reason", "end_turn"));
    const chainSpan = {
      ...structuredClone(innerOnly),
      spanId: chain,
      parentSpanId: undefined,
      attributes: [str("openinference.span.kind", "CHAIN"), str("input.value", "Hi")],
    };
    spans.push(innerOnly, chainSpan);
    const res = await postExport(ctx, t.key, "traces", request);
    // The content-less twin is not rejected, nor left waiting.
    expect(res.body).toEqual({});
    const stored = (await storedInteractions(ctx, t)).slice(before);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.telemetry).toMatchObject({ model: "gpt-4o-mini-2024-07-18", finishReason: "end_turn" });
    expect((await ignoredSpans(ctx, "us")) - ignored).toBe(2);
    expect(ctx.services.otlp.waiting().entries).toBe(0);
  });
});
