import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { isStoreUnavailable } from "../src/stores/unavailable.js";
import { item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import {
  decodeStatus,
  firstStartMs,
  type Json,
  keyedTenant,
  loadFixture,
  PROTOBUF,
  postTraces,
  storedInteractions,
} from "./otlp-support.js";

const SECRET = "SECRET-CONTENT-7c1e";

function post(
  ctx: TestContext,
  key: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
  url = "/v1/traces",
) {
  return ctx.app.inject({
    method: "POST",
    url,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    payload,
  });
}

/** A span with a content marker, to check that no answer or log line ever carries it. */
function chatExport(extra: Json[] = []): Json {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "crm-copilot" } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: "eee19b7ec3c1b174",
                name: "chat",
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 5_000_000n),
                attributes: [
                  { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                  {
                    key: "gen_ai.input.messages",
                    value: { stringValue: JSON.stringify([{ role: "user", content: SECRET }]) },
                  },
                  ...extra,
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

describe.each(dialects())("/v1/traces errors on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => {
    // Nothing any request here sent as content reached a log line.
    expect(ctx.logs.join("\n")).not.toContain(SECRET);
    await ctx?.close();
  });

  it.each([
    ["not JSON", `{"resourceSpans": [${SECRET}`, /^body is not valid JSON/],
    ["an array", `["${SECRET}"]`, /^the body: must be an object$/],
    [
      "resourceSpans not a list",
      `{"resourceSpans": {"x": "${SECRET}"}}`,
      /^resourceSpans: must be an array$/,
    ],
    [
      "attributes not a list",
      `{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": "${SECRET}"}]}]}]}`,
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes: must be an array$/,
    ],
    [
      "a trace id that is not hex",
      `{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "${SECRET}"}]}]}]}`,
      /traceId: must be 32 hex digits$/,
    ],
    [
      "a start time that is not a number",
      `{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "${SECRET}"}]}]}]}`,
      /startTimeUnixNano: must be a non-negative integer/,
    ],
    [
      "an int attribute that is not an integer",
      `{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"intValue": "${SECRET}"}}]}]}]}]}`,
      /attributes\[0\]\.value: intValue must be an integer$/,
    ],
  ])("answers 400 with a google.rpc.Status to %s, never echoing it", async (_what, payload, message) => {
    const t = await keyedTenant(ctx, { sharing: true });
    const res = await post(ctx, t.key, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toEqual({ code: 3, message: expect.stringMatching(message), details: [] });
    expect(res.body).not.toContain(SECRET);
  });

  it("answers 400 in protobuf to a protobuf body that does not decode", async () => {
    const t = await keyedTenant(ctx, { sharing: true });
    // Field 1 (resource_spans) claims 200 bytes that are not there.
    const res = await post(ctx, t.key, Buffer.from([0x0a, 0xc8, 0x01, 0x01, 0x02]), {
      "content-type": PROTOBUF,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toBe(PROTOBUF);
    expect(decodeStatus(res.rawPayload)).toEqual({
      code: 3,
      message: "body is not a valid protobuf ExportTraceServiceRequest",
      details: [],
    });
  });

  it.each(["json", "protobuf"] as const)("answers 401 to an unknown key, in %s", async (encoding) => {
    const res = await postTraces(ctx, "ask_unknown", loadFixture("modern-chat"), { encoding });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="assent"');
    expect(res.body).toEqual({
      code: 16,
      message: "an unknown or revoked ingestion key (Authorization: Bearer <key>)",
      details: [],
    });
  });

  it("answers 415 to another content type or encoding", async () => {
    const t = await keyedTenant(ctx, { sharing: true });
    const text = await post(ctx, t.key, "hello", { "content-type": "text/plain" });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toEqual({
      code: 3,
      message: "send the body as application/json or application/x-protobuf (OTLP/HTTP)",
      details: [],
    });
    const br = await post(ctx, t.key, "{}", { "content-encoding": "br" });
    expect(br.statusCode).toBe(415);
    expect(br.json().message).toBe("Content-Encoding must be gzip, deflate or identity");
  });

  it("answers an empty export with success", async () => {
    const t = await keyedTenant(ctx, { sharing: true });
    for (const payload of ["{}", '{"resourceSpans": []}']) {
      const res = await post(ctx, t.key, payload);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
    }
  });

  it("lets a GenAI span without content wait for its log records, and rejects one with only system instructions", async () => {
    const request = loadFixture("modern-chat");
    const span = (((request.resourceSpans as Json[])[0]!.scopeSpans as Json[])[0]!.spans as Json[])[0]!;
    const attributes = span.attributes as Json[];
    span.attributes = attributes.filter(
      (a) => !String(a.key).includes("messages") && !String(a.key).includes("instructions"),
    );
    const t = await keyedTenant(ctx, { sharing: true, optInAt: firstStartMs(request) - 60_000 });
    ctx.clock.set(firstStartMs(request) + 60_000);
    // Its content may come by /v1/logs: not rejected, not stored (yet).
    expect((await postTraces(ctx, t.key, request)).body).toEqual({});
    span.attributes = attributes.filter((a) => !String(a.key).includes("messages"));
    span.spanId = "9285f6ef7bcedf5c";
    const res = await postTraces(ctx, t.key, request);
    expect(res.body).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          "1 span rejected: span 0 (9285f6ef7bcedf5c): the span records no prompt messages or input (system " +
          "instructions or output alone are not an interaction)",
      },
    });
    expect(await storedInteractions(ctx, t)).toEqual([]);
  });

  describe("gzip", () => {
    it("takes a gzipped export and a gzipped /v1/interactions batch", async () => {
      ctx.clock.set(Date.now() - 60_000);
      const t = await keyedTenant(ctx, { sharing: true });
      ctx.clock.set(Date.now() + 1000);
      const traces = await post(ctx, t.key, gzipSync(JSON.stringify(chatExport())), {
        "content-encoding": "gzip",
      });
      expect(traces.statusCode).toBe(200);
      const batch = await post(
        ctx,
        t.key,
        gzipSync(JSON.stringify({ interactions: [item({ id: "gz-1" })] })),
        { "content-encoding": "gzip" },
        "/v1/interactions",
      );
      expect(batch.statusCode).toBe(200);
      expect(batch.json()).toMatchObject({ accepted: 1 });
      expect(await storedInteractions(ctx, t)).toHaveLength(2);
    });

    it("answers 400 to a body that says gzip but is not", async () => {
      const t = await keyedTenant(ctx, { sharing: true });
      for (const url of ["/v1/traces", "/v1/interactions"]) {
        const res = await post(ctx, t.key, `{"x": "${SECRET}"}`, { "content-encoding": "gzip" }, url);
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain("body is not valid gzip data");
        expect(res.body).not.toContain(SECRET);
      }
    });

    it("answers 413 to a zip bomb, on both ingestion routes, without inflating it", async () => {
      const t = await keyedTenant(ctx, { sharing: true });
      // 64 MiB of zeros compress to about 64 KB; the limit is 8 MiB once decompressed.
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
      expect(bomb.length).toBeLessThan(ctx.services.config.ingest.maxBodyBytes);
      for (const url of ["/v1/traces", "/v1/interactions"]) {
        const res = await post(ctx, t.key, bomb, { "content-encoding": "gzip" }, url);
        expect(res.statusCode).toBe(413);
        expect(res.body).toContain(`exceeds the limit of ${ctx.services.config.ingest.maxBodyBytes} bytes`);
      }
      const proto = await post(ctx, t.key, bomb, { "content-encoding": "gzip", "content-type": PROTOBUF });
      expect(proto.statusCode).toBe(413);
      expect(decodeStatus(proto.rawPayload)).toMatchObject({ code: 3 });
    });
  });

  if (dialect === "sqlite") {
    it("answers 503 with Retry-After while the store is locked, then takes the retry", async () => {
      ctx.clock.set(Date.now() - 60_000);
      const t = await keyedTenant(ctx, { sharing: true });
      ctx.clock.set(Date.now() + 1000);
      const store = ctx.services.stores.regions.get(t.region)!;
      const other = new Database(store.file!);
      store.sqlite!.pragma("busy_timeout = 50");
      try {
        other.exec("begin immediate");
        const busy = await post(ctx, t.key, JSON.stringify(chatExport()));
        expect(busy.statusCode).toBe(503);
        expect(busy.headers["retry-after"]).toBe("1");
        expect(busy.json()).toEqual({
          code: 14,
          message: "the store is busy or out of reach; retry after Retry-After seconds",
          details: [],
        });
        other.exec("rollback");
        const retried = await post(ctx, t.key, JSON.stringify(chatExport()));
        expect(retried.statusCode).toBe(200);
        expect(await storedInteractions(ctx, t)).toHaveLength(1);
      } finally {
        store.sqlite!.pragma("busy_timeout = 10000");
        other.close();
      }
    });
  }

  if (dialect === "postgres") {
    it("tells PostgreSQL's transient failures from bugs", async () => {
      const refused = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:1/none" });
      const err = await refused.connect().catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);

      const victim = new pg.Client({ connectionString: inject("pgUrl")! });
      victim.on("error", () => {});
      await victim.connect();
      const admin = new pg.Client({ connectionString: inject("pgUrl")! });
      await admin.connect();
      try {
        const { rows } = await victim.query<{ pid: number }>("select pg_backend_pid() as pid");
        const killed = victim.query("select pg_sleep(5)").catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 100));
        await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
        expect(isStoreUnavailable(await killed)).toBe(true);
        const bug = await admin.query("select * from no_such_table").catch((e: unknown) => e);
        expect(isStoreUnavailable(bug)).toBe(false);
      } finally {
        await admin.end();
        await victim.end().catch(() => {});
      }
    });
  }
});

describe("/v1/traces rate limit", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite", { config: { ingest: { rateLimitPerMinute: 2 } } });
  });
  afterAll(async () => ctx?.close());

  it("answers 429 with Retry-After past the key's limit, in the request's encoding", async () => {
    const t = await keyedTenant(ctx, { sharing: false });
    const request = loadFixture("not-genai");
    expect((await postTraces(ctx, t.key, request)).status).toBe(200);
    expect((await postTraces(ctx, t.key, request)).status).toBe(200);
    const limited = await postTraces(ctx, t.key, request, { encoding: "protobuf" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.contentType).toBe(PROTOBUF);
    expect(limited.body).toEqual({
      code: 8,
      message: expect.stringMatching(/too many requests/),
      details: [],
    });
  });
});
