import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import {
  type Encoding,
  firstStartMs,
  ignoredSpans,
  type Json,
  keyedTenant,
  loadFixture,
  postTraces,
  spansOf,
  storedInteractions,
} from "./otlp-support.js";

const text = (content: string) => ({ type: "text", content });
const HOUR = 3_600_000;

/** What each fixture must become (see test/fixtures/otlp/README.md). */
const EXPECTED = {
  "modern-chat": {
    ignored: 0,
    interactions: [
      {
        clientId: "otlp:2bb2f1854567d42ae1df231eb8ac7638:9285f6ef7bcedf5b",
        feature: "sales.email-draft",
        conversationId: "conv-7f3a",
        occurredAt: 1795598391786,
        input: {
          system: [text("You draft concise, polite sales follow-up emails.")],
          messages: [
            {
              role: "user",
              parts: [text("Draft a follow-up to Contoso about the renewal quote we sent on Monday.")],
            },
          ],
        },
        output: {
          messages: [
            {
              role: "assistant",
              parts: [
                text(
                  "Subject: Your renewal quote\n\nHi Dana, I wanted to follow up on the quote we sent on Monday…",
                ),
              ],
              finish_reason: "stop",
            },
          ],
        },
        telemetry: {
          model: "gpt-4o-2024-08-06",
          provider: "openai",
          latencyMs: 0,
          tokensIn: 212,
          tokensOut: 96,
          finishReason: "stop",
          feedback: null,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.id": "chatcmpl-fixture-1",
            "gen_ai.request.temperature": 0.2,
            "service.name": "crm-copilot",
            "service.version": "2.4.0",
          },
        },
      },
    ],
  },
  "tool-calls": {
    ignored: 1,
    interactions: [
      {
        clientId: "otlp:d0c9e847661ba987db48f8db5ff24fc5:867379be75409e97",
        feature: "service.case-summary",
        conversationId: null,
        input: { messages: [{ role: "user", parts: [text("Summarize case 00042 for the handover.")] }] },
        output: {
          messages: [
            {
              role: "assistant",
              parts: [{ type: "tool_call", id: "call_1", name: "get_case", arguments: { caseId: "00042" } }],
              finish_reason: "tool_call",
            },
          ],
        },
        telemetry: expect.objectContaining({
          model: "gpt-4o",
          provider: "openai",
          tokensIn: 340,
          tokensOut: 41,
          finishReason: "tool_call",
        }),
      },
    ],
  },
  "legacy-events": {
    ignored: 0,
    interactions: [
      {
        clientId: "otlp:ad981330d80a6b6923ea78ac7e0ab90b:f4e75914c1406351",
        feature: "sales.summary",
        input: {
          messages: [
            { role: "system", parts: [text("Summarize in one sentence.")] },
            { role: "user", parts: [text("Meeting notes: budget approved, pilot starts in March.")] },
          ],
        },
        output: {
          messages: [
            {
              role: "assistant",
              parts: [text("Budget is approved and the pilot starts in March.")],
              finish_reason: "stop",
            },
          ],
        },
        telemetry: expect.objectContaining({
          model: "gpt-4o-mini",
          provider: "openai",
          tokensIn: 58,
          tokensOut: 22,
          finishReason: "stop",
        }),
      },
    ],
  },
  "legacy-attributes": {
    ignored: 0,
    interactions: [
      {
        clientId: "otlp:e3197fb61eb8405177ae05149dd0b9e9:ed0d0761d5385c8c",
        feature: "marketing.tagline",
        input: { messages: [{ role: "user", parts: [text("A tagline for a bike shop")] }] },
        output: { messages: [{ role: "assistant", parts: [text("Ride further, smile wider.")] }] },
        telemetry: expect.objectContaining({
          model: "davinci-002",
          provider: "openai",
          tokensIn: 12,
          tokensOut: 9,
          finishReason: null,
        }),
      },
    ],
  },
  "vercel-ai-sdk": {
    ignored: 1,
    interactions: [
      {
        // The outer ai.generateText span: the call as the feature made it.
        clientId: "otlp:f0e73cc72ee148e8f827fc4cc091a62c:395b6ba6aa1b861d",
        feature: "support.reply-suggestion",
        input: {
          system: [text("You suggest short support replies.")],
          messages: [{ role: "user", parts: [text("Customer asks how to reset the password.")] }],
        },
        output: {
          messages: [
            {
              role: "assistant",
              parts: [text("You can reset it from Settings → Security → Reset password.")],
              finish_reason: "stop",
            },
          ],
        },
        telemetry: expect.objectContaining({
          // The response model, from the inner doGenerate span folded into the call span.
          model: "gpt-4o-mini-2024-07-18",
          provider: "openai.chat",
          latencyMs: 1,
          tokensIn: 31,
          tokensOut: 14,
          finishReason: "stop",
          attributes: expect.objectContaining({ "gen_ai.operation.name": "ai.generateText" }),
        }),
      },
    ],
  },
  "not-genai": { ignored: 1, interactions: [] },
} as const;

const cases = Object.entries(EXPECTED);

describe.each(dialects())("OTLP fixtures on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  /** A tenant that opted in an hour before the fixture's spans, posting a minute after them. */
  async function sharingTenantFor(request: Json) {
    const start = firstStartMs(request);
    const t = await keyedTenant(ctx, { sharing: true, optInAt: start - HOUR });
    ctx.clock.set(start + 60_000);
    return t;
  }

  describe.each<Encoding>(["json", "protobuf"])("sent as %s", (encoding) => {
    it.each(cases)("%s becomes what the README says", async (name, expected) => {
      const request = loadFixture(name);
      const t = await sharingTenantFor(request);
      const ignoredBefore = await ignoredSpans(ctx, "us");
      const res = await postTraces(ctx, t.key, request, { encoding });
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(
        encoding === "json" ? /^application\/json/ : /^application\/x-protobuf/,
      );
      // Everything taken or ignored: no partialSuccess at all.
      expect(res.body).toEqual({});
      const stored = await storedInteractions(ctx, t);
      expect(stored).toMatchObject(expected.interactions);
      expect((await ignoredSpans(ctx, "us")) - ignoredBefore).toBe(expected.ignored);
    });
  });

  it("stores an exporter's retry once: the client id is traceId and spanId", async () => {
    const request = loadFixture("modern-chat");
    const t = await sharingTenantFor(request);
    expect((await postTraces(ctx, t.key, request)).body).toEqual({});
    // The same export again, now as protobuf: a duplicate, not a second row, and not rejected.
    expect((await postTraces(ctx, t.key, request, { encoding: "protobuf" })).body).toEqual({});
    expect(await storedInteractions(ctx, t)).toHaveLength(1);
  });

  it("takes span times written as JSON numbers, as some senders do", async () => {
    const request = loadFixture("legacy-attributes");
    const text = JSON.stringify(request).replace(/"(start|end)TimeUnixNano":"(\d+)"/g, '"$1TimeUnixNano":$2');
    expect(text).toContain('"startTimeUnixNano":1795598391818000000');
    const t = await sharingTenantFor(request);
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/traces",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
      payload: text,
    });
    expect(res.json()).toEqual({});
    const [stored] = await storedInteractions(ctx, t);
    expect(stored?.occurredAt).toBe(1795598391818);
  });

  it("takes the feature from service.name when no attribute names it", async () => {
    const request = loadFixture("modern-chat");
    const [span] = spansOf(request);
    span!.attributes = span!.attributes.filter((a) => a.key !== "assent.feature");
    const t = await sharingTenantFor(request);
    expect((await postTraces(ctx, t.key, request)).status).toBe(200);
    const [stored] = await storedInteractions(ctx, t);
    expect(stored?.feature).toBe("crm-copilot");
  });

  it("takes all fixtures in one export, in both encodings alike", async () => {
    const merged = { resourceSpans: cases.flatMap(([name]) => loadFixture(name).resourceSpans as Json[]) };
    const t = await sharingTenantFor(merged);
    const res = await postTraces(ctx, t.key, merged, { encoding: "protobuf" });
    expect(res.body).toEqual({});
    const stored = await storedInteractions(ctx, t);
    expect(stored.map((s) => s.feature).sort()).toEqual([
      "marketing.tagline",
      "sales.email-draft",
      "sales.summary",
      "service.case-summary",
      "support.reply-suggestion",
    ]);
  });

  it("drops every GenAI span while sharing is off and says so; nothing is stored", async () => {
    const merged = { resourceSpans: cases.flatMap(([name]) => loadFixture(name).resourceSpans as Json[]) };
    const t = await keyedTenant(ctx, { sharing: false });
    ctx.clock.set(firstStartMs(merged) + 60_000);
    for (const encoding of ["json", "protobuf"] as const) {
      const res = await postTraces(ctx, t.key, merged, { encoding });
      expect(res.status).toBe(200);
      // Five model calls dropped; the HTTP span, the tool execution and the inner AI SDK span
      // are ignored, not rejected.
      expect(res.body).toEqual({
        partialSuccess: {
          rejectedSpans: 5,
          errorMessage: "sharing is off for this tenant: 5 spans dropped, nothing stored",
        },
      });
    }
    expect(await storedInteractions(ctx, t)).toEqual([]);
    expect(await ctx.services.capture.countInteractions({ id: t.id, region: t.region })).toBe(0);
  });

  it("drops spans that started before sharing was turned on", async () => {
    const request = loadFixture("legacy-events");
    const start = firstStartMs(request);
    const t = await keyedTenant(ctx, { sharing: true, optInAt: start + 1000 });
    ctx.clock.set(start + 60_000);
    const res = await postTraces(ctx, t.key, request);
    expect(res.body).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage: "1 span dropped: started before sharing was turned on",
      },
    });
    expect(await storedInteractions(ctx, t)).toEqual([]);
  });
});
