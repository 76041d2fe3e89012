import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapSpan } from "../src/modules/capture/otlp/map-span.js";
import type { AttrValue, OtlpSpan, SpanEvent } from "../src/modules/capture/otlp/types.js";
import { validateItem } from "../src/modules/capture/validate.js";

/** The span → interaction mapping on its own: the many ways instrumentations record a call. */
const START = 1_795_598_391_786_000_000n;

function span(
  attributes: Record<string, AttrValue>,
  opts: { events?: SpanEvent[]; statusCode?: number; start?: bigint | null } = {},
): OtlpSpan {
  const start = opts.start === undefined ? START : opts.start;
  return {
    traceId: "2bb2f1854567d42ae1df231eb8ac7638",
    spanId: "9285f6ef7bcedf5b",
    parentSpanId: null,
    name: "span",
    startNs: start,
    endNs: start === null ? null : start + 1_500_000_000n,
    attributes: new Map(Object.entries(attributes)),
    events: opts.events ?? [],
    statusCode: opts.statusCode ?? 0,
    resource: new Map([["service.name", "crm-copilot"]]),
  };
}

const event = (name: string, attributes: Record<string, AttrValue>): SpanEvent => ({
  name,
  attributes: new Map(Object.entries(attributes)),
});

function interaction(s: OtlpSpan): Record<string, unknown> {
  const m = mapSpan(s);
  if (m.kind !== "interaction") throw new Error(`expected an interaction, got ${m.kind}`);
  return m.item;
}

const text = (content: string) => ({ type: "text", content });

describe("mapping a span to an interaction", () => {
  it("converts OpenAI-style messages, tool calls and tool results to GenAI parts", () => {
    const item = interaction(
      span({
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", content: "Weather in Paris?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "18°C" },
        ]),
        "gen_ai.output.messages": JSON.stringify([
          { role: "assistant", content: "It is 18°C.", finish_reason: "stop" },
        ]),
      }),
    );
    expect(item.input).toEqual({
      messages: [
        { role: "user", parts: [text("Weather in Paris?")] },
        {
          role: "assistant",
          parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }],
        },
        { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: "18°C" }] },
      ],
    });
    expect(item.output).toEqual({
      messages: [{ role: "assistant", parts: [text("It is 18°C.")], finish_reason: "stop" }],
    });
    expect(item.telemetry).toMatchObject({ finishReason: "stop", latencyMs: 1500 });
  });

  it("reads structured (non-string) message attributes and the operation-details event", () => {
    const item = interaction(
      span(
        { "gen_ai.operation.name": "generate_content" },
        {
          events: [
            event("gen_ai.client.inference.operation.details", {
              "gen_ai.input.messages": [{ role: "user", parts: [{ type: "text", content: "Hi" }] }],
              "gen_ai.output.messages": [{ role: "model", parts: [{ type: "text", content: "Hello" }] }],
              "gen_ai.system_instructions": "Be kind.",
            }),
          ],
        },
      ),
    );
    expect(item.input).toEqual({
      system: [text("Be kind.")],
      messages: [{ role: "user", parts: [text("Hi")] }],
    });
    expect(item.output).toEqual({ messages: [{ role: "model", parts: [text("Hello")] }] });
  });

  it("reads OpenLLMetry-style indexed attributes on a span without gen_ai.operation.name", () => {
    const item = interaction(
      span({
        "llm.request.type": "chat",
        "gen_ai.system": "anthropic",
        "gen_ai.prompt.0.role": "system",
        "gen_ai.prompt.0.content": "Be short.",
        "gen_ai.prompt.1.role": "user",
        "gen_ai.prompt.1.content": "Name a color.",
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Teal.",
        "gen_ai.completion.0.finish_reason": "end_turn",
      }),
    );
    expect(item.input).toEqual({
      messages: [
        { role: "system", parts: [text("Be short.")] },
        { role: "user", parts: [text("Name a color.")] },
      ],
    });
    expect(item.output).toEqual({
      messages: [{ role: "assistant", parts: [text("Teal.")], finish_reason: "end_turn" }],
    });
    expect(item.telemetry).toMatchObject({ provider: "anthropic", finishReason: "end_turn" });
  });

  it("takes a plain-text gen_ai.prompt as the user's message", () => {
    const item = interaction(
      span({
        "gen_ai.operation.name": "text_completion",
        "gen_ai.prompt": "Once upon a time",
        "gen_ai.completion": "there was a bike shop.",
      }),
    );
    expect(item.input).toEqual({ messages: [{ role: "user", parts: [text("Once upon a time")] }] });
    expect(item.output).toEqual({
      messages: [{ role: "assistant", parts: [text("there was a bike shop.")] }],
    });
  });

  it("maps an AI SDK streamText call with tool calls and the v5 usage names", () => {
    const item = interaction(
      span({
        "ai.operationId": "ai.streamText",
        "ai.model.id": "claude-sonnet",
        "ai.model.provider": "anthropic.messages",
        "ai.telemetry.functionId": "support.triage",
        "ai.telemetry.metadata.gen_ai.conversation.id": "conv-9",
        "ai.prompt": JSON.stringify({
          messages: [
            { role: "user", content: [{ type: "text", text: "Look up order 7" }] },
            {
              role: "assistant",
              content: [{ type: "tool-call", toolCallId: "t1", toolName: "order", input: { id: 7 } }],
            },
            {
              role: "tool",
              content: [
                { type: "tool-result", toolCallId: "t1", toolName: "order", output: { status: "sent" } },
              ],
            },
          ],
        }),
        "ai.response.text": "Order 7 was sent.",
        "ai.response.finishReason": "stop",
        "ai.usage.inputTokens": 50,
        "ai.usage.outputTokens": 6,
      }),
    );
    expect(item).toMatchObject({ feature: "support.triage", conversationId: "conv-9" });
    expect(item.input).toEqual({
      messages: [
        { role: "user", parts: [text("Look up order 7")] },
        { role: "assistant", parts: [{ type: "tool_call", id: "t1", name: "order", arguments: { id: 7 } }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "t1", response: { status: "sent" } }] },
      ],
    });
    expect(item.output).toEqual({
      messages: [{ role: "assistant", parts: [text("Order 7 was sent.")], finish_reason: "stop" }],
    });
    expect(item.telemetry).toMatchObject({
      model: "claude-sonnet",
      provider: "anthropic.messages",
      tokensIn: 50,
      tokensOut: 6,
      finishReason: "stop",
    });
  });

  it.each([
    ["an AI SDK inner model call", { "ai.operationId": "ai.streamText.doStream", "gen_ai.system": "openai" }],
    ["an AI SDK tool call", { "ai.operationId": "ai.toolCall" }],
    ["an AI SDK embedding", { "ai.operationId": "ai.embed" }],
    ["a tool execution", { "gen_ai.operation.name": "execute_tool" }],
    ["an agent invocation", { "gen_ai.operation.name": "invoke_agent" }],
    ["embeddings", { "gen_ai.operation.name": "embeddings" }],
    ["an HTTP span", { "http.request.method": "GET" }],
  ])("ignores %s", (_what, attributes) => {
    expect(mapSpan(span(attributes as Record<string, AttrValue>))).toEqual({ kind: "ignored" });
  });

  it("marks a failed call in the telemetry attributes", () => {
    const item = interaction(
      span(
        { "gen_ai.operation.name": "chat", "gen_ai.prompt": "hi", "error.type": "timeout" },
        { statusCode: 2 },
      ),
    );
    expect(item.output).toBeNull();
    expect((item.telemetry as { attributes: object }).attributes).toMatchObject({
      "otel.status_code": "ERROR",
      "error.type": "timeout",
    });
  });

  it("finds no interaction in a model call without a start or without a prompt", () => {
    expect(
      mapSpan(span({ "gen_ai.operation.name": "chat", "gen_ai.prompt": "hi" }, { start: null })),
    ).toEqual({
      kind: "invalid",
      reason: "the span has no startTimeUnixNano",
    });
    // No content at all: it may come as log records (/v1/logs), so the span waits, not rejected.
    expect(mapSpan(span({ "gen_ai.operation.name": "chat" }))).toEqual({ kind: "no-content" });
    // System instructions alone, or an answer alone, are not an interaction: rejected with a reason.
    for (const only of [
      { "gen_ai.system_instructions": "Be kind." } as Record<string, AttrValue>,
      { "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [text("Hi")] }]) },
    ]) {
      expect(mapSpan(span({ "gen_ai.operation.name": "chat", ...only }))).toEqual({
        kind: "invalid",
        reason:
          "the span records no prompt messages or input (system instructions or output alone are not an interaction)",
      });
    }
  });

  it("never throws, whatever the content attributes hold, and its items validate or are refused with a reason", () => {
    const value: fc.Arbitrary<AttrValue> = fc.jsonValue() as fc.Arbitrary<AttrValue>;
    const contentKey = fc.constantFrom(
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.system_instructions",
      "gen_ai.prompt",
      "gen_ai.completion",
      "ai.prompt",
      "ai.prompt.messages",
      "ai.response.toolCalls",
      "gen_ai.usage.input_tokens",
      "gen_ai.response.finish_reasons",
    );
    const ctx = { now: Number(START / 1_000_000n) + 60_000, retentionDays: 30, maxContentBytes: 1024 * 1024 };
    fc.assert(
      fc.property(
        fc.constantFrom("chat", "ai.generateText"),
        fc.dictionary(
          contentKey,
          fc.oneof(
            value,
            value.map((v) => JSON.stringify(v)),
          ),
        ),
        fc.array(
          fc.tuple(
            fc.constantFrom("gen_ai.choice", "gen_ai.user.message"),
            fc.dictionary(fc.string(), value),
          ),
        ),
        (operation, attributes, events) => {
          const s = span(
            {
              ...(operation === "chat"
                ? { "gen_ai.operation.name": "chat" }
                : { "ai.operationId": operation }),
              "assent.feature": "sales.email-draft",
              ...attributes,
            },
            { events: events.map(([name, a]) => event(name, a)) },
          );
          const m = mapSpan(s);
          if (m.kind === "interaction") {
            const r = validateItem(m.item, ctx);
            if (!r.ok) expect(r.error).toMatch(/^(telemetry\.|input|output|feature)/);
          } else expect(["invalid", "no-content"]).toContain(m.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});
