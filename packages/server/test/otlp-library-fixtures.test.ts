import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InteractionWithContent } from "../src/modules/capture/types.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import {
  type Encoding,
  firstStartMs,
  ignoredSpans,
  type Json,
  keyedTenant,
  libraryFixtures,
  loadFixture,
  postExport,
  spansOf,
  storedInteractions,
} from "./otlp-support.js";

/**
 * The OTLP exports the real libraries sent (recorded by record-otlp-fixtures.ts from one plain
 * chat call against the fake model server), replayed through /v1/traces and /v1/logs: fast, no
 * network, and the same field-by-field expectations as the live test.
 */
const PROMPT = "When is the Contoso renewal due?";
const SYSTEM = "Answer from the CRM notes only.";
const ANSWER = "Renewal is due on March 3; the quote holds until then.";
const HOUR = 3_600_000;

const texts = (messages: unknown): string[] =>
  Array.isArray(messages)
    ? messages.flatMap((m: { parts?: { type?: string; content?: unknown }[] }) =>
        (m.parts ?? []).filter((p) => p.type === "text").map((p) => String(p.content)),
      )
    : [];

function expectTheCall(
  got: InteractionWithContent | undefined,
  feature: string,
  model = "gpt-4o-mini-2024-07-18",
) {
  if (!got) throw new Error("nothing stored");
  const input = got.input as { system?: unknown[]; messages: unknown };
  expect(texts(input.messages)).toContain(PROMPT);
  expect([...texts(input.messages), ...texts([{ parts: input.system ?? [] }])]).toContain(SYSTEM);
  expect(texts((got.output as { messages: unknown }).messages)).toEqual([ANSWER]);
  expect(got.feature).toBe(feature);
  expect(got.telemetry).toMatchObject({
    model,
    finishReason: "stop",
    tokensIn: 23,
    tokensOut: 13,
  });
}

describe.each(dialects())("library fixtures on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  async function sharingTenantFor(request: Json) {
    const start = firstStartMs(request);
    const t = await keyedTenant(ctx, { sharing: true, optInAt: start - HOUR });
    ctx.clock.set(start + 60_000);
    return t;
  }

  describe.each<Encoding>(["json", "protobuf"])("sent as %s", (encoding) => {
    it.each(libraryFixtures.filter((l) => l !== "otel-openai"))(
      "%s: one interaction, every field",
      async (lib) => {
        const request = loadFixture(`lib-${lib}`);
        const t = await sharingTenantFor(request);
        const ignoredBefore = await ignoredSpans(ctx, "us");
        expect((await postExport(ctx, t.key, "traces", request, { encoding })).body).toEqual({});
        const stored = await storedInteractions(ctx, t);
        expect(stored).toHaveLength(1);
        expectTheCall(
          stored[0],
          lib === "vercel-ai" ? "crm.renewal-qa" : "crm-copilot",
          // LangChain's instrumentation records the requested model only.
          lib === "openinference-langchain" ? "gpt-4o-mini" : undefined,
        );
        // The Vercel AI SDK's inner doGenerate span is folded into the call span: ignored, counted.
        expect((await ignoredSpans(ctx, "us")) - ignoredBefore).toBe(spansOf(request).length - 1);
      },
    );

    it.each(["traces first", "logs first"])(
      "otel-openai: the span and its content log records are one interaction (%s)",
      async (order) => {
        const traces = loadFixture("lib-otel-openai");
        const logs = loadFixture("lib-otel-openai.logs");
        const t = await sharingTenantFor(traces);
        const [first, second] =
          order === "traces first"
            ? ([
                ["traces", traces],
                ["logs", logs],
              ] as const)
            : ([
                ["logs", logs],
                ["traces", traces],
              ] as const);
        expect((await postExport(ctx, t.key, first[0], first[1], { encoding })).body).toEqual({});
        expect(await storedInteractions(ctx, t)).toEqual([]);
        expect((await postExport(ctx, t.key, second[0], second[1], { encoding })).body).toEqual({});
        const stored = await storedInteractions(ctx, t);
        expect(stored).toHaveLength(1);
        expectTheCall(stored[0], "crm-copilot");
        expect(stored[0]?.telemetry.provider).toBe("openai");
        // The exporter's retry of either is not a second interaction.
        await postExport(ctx, t.key, "traces", traces, { encoding });
        await postExport(ctx, t.key, "logs", logs, { encoding });
        await ctx.services.otlp.expireWaiting();
        expect(await storedInteractions(ctx, t)).toHaveLength(1);
      },
    );
  });
});
