import type { JsonValue } from "../types.js";
import { stringAttr, structuredAttr } from "./attributes.js";
import type { Exchange } from "./genai-content.js";
import { contentParts, type Message, toMessages, toolCallParts } from "./messages.js";
import type { OtlpSpan } from "./types.js";

/**
 * The Vercel AI SDK (`experimental_telemetry`) records one call as an outer span
 * (`ai.generateText`) holding the prompt as given and the final answer, and inner spans per
 * model round trip (`ai.generateText.doGenerate`) and tool call (`ai.toolCall`). The outer span is
 * the feature use, so it alone becomes the interaction; the model round trips are folded into it
 * (nested.ts: they lend it the response model), whatever GenAI attributes they carry, so one call
 * is never stored twice.
 */
const CALL_OPERATIONS = new Set(["ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"]);

/** The AI SDK's operation id, when the span is one of its spans. */
export function vercelOperation(span: OtlpSpan): string | undefined {
  return stringAttr(span.attributes, "ai.operationId");
}

export const isVercelCall = (operation: string) => CALL_OPERATIONS.has(operation);

/** `ai.generateText.doGenerate`, `ai.streamText.doStream`, …: one model round trip of a call. */
export const isVercelModelRoundTrip = (operation: string) =>
  operation.endsWith(".doGenerate") || operation.endsWith(".doStream");

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `ai.prompt`: `{system?, prompt?, messages?}`, where prompt is text or a list of messages. */
function fromPrompt(prompt: JsonValue | undefined): { system: JsonValue[]; input: Message[] } {
  if (!isObject(prompt)) return { system: [], input: toMessages(prompt, "user") };
  return {
    system: contentParts(prompt.system),
    input: [...toMessages(prompt.prompt, "user"), ...toMessages(prompt.messages, "user")],
  };
}

export function vercelExchange(span: OtlpSpan): Exchange {
  const a = span.attributes;
  const messages = toMessages(structuredAttr(a, "ai.prompt.messages"), "user");
  const { system, input } = messages.length
    ? { system: [], input: messages }
    : fromPrompt(structuredAttr(a, "ai.prompt"));
  const parts = [
    ...contentParts(stringAttr(a, "ai.response.text") ?? stringAttr(a, "ai.response.object")),
    ...toolCallParts(structuredAttr(a, "ai.response.toolCalls")),
  ];
  const finish = stringAttr(a, "ai.response.finishReason");
  const output: Message[] = parts.length
    ? [{ role: "assistant", parts, ...(finish ? { finish_reason: finish } : {}) }]
    : [];
  return { system, input, output };
}
