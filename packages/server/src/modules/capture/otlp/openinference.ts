import type { JsonValue } from "../types.js";
import { parseJsonOrText, stringAttr } from "./attributes.js";
import type { Exchange } from "./genai-content.js";
import { contentParts, type Message, toMessages } from "./messages.js";
import type { Attributes, OtlpSpan } from "./types.js";

/**
 * OpenInference (Arize: `@arizeai/openinference-instrumentation-*`,
 * `@arizeai/openinference-semantic-conventions` 2.x). Every span names its kind in
 * `openinference.span.kind`; only `LLM` is a model call. Content is flattened into indexed
 * attributes: `llm.input_messages.<i>.message.role` / `.content`, or `.contents.<j>.message_content.text`
 * for multi-part messages, tool calls as `.tool_calls.<k>.tool_call.function.name` / `.arguments`;
 * `input.value` / `output.value` hold the raw request and response when messages are absent.
 */
export const OPENINFERENCE_KIND = "openinference.span.kind";

/** The span's OpenInference kind, when it is an OpenInference span. */
export const openInferenceKind = (span: OtlpSpan): string | undefined =>
  stringAttr(span.attributes, OPENINFERENCE_KIND)?.toUpperCase();

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The indexes `i` of the flattened list `<prefix>.<i>.…`, in order. */
function indexes(attrs: Attributes, prefix: string): number[] {
  const found = new Set<number>();
  const head = `${prefix}.`;
  for (const key of attrs.keys()) {
    if (!key.startsWith(head)) continue;
    const i = Number.parseInt(key.slice(head.length), 10);
    if (Number.isInteger(i) && i >= 0) found.add(i);
  }
  return [...found].sort((a, b) => a - b);
}

function parts(attrs: Attributes, prefix: string): JsonValue[] {
  const out: JsonValue[] = [];
  const content = attrs.get(`${prefix}.message.content`);
  if (typeof content === "string" && content.length > 0) out.push(...contentParts(content));
  for (const j of indexes(attrs, `${prefix}.message.contents`)) {
    const p = `${prefix}.message.contents.${j}.message_content`;
    const text = stringAttr(attrs, `${p}.text`);
    if (text !== undefined) out.push({ type: "text", content: text });
    else {
      const image = stringAttr(attrs, `${p}.image.image.url`);
      if (image !== undefined) out.push({ type: "image", url: image });
    }
  }
  for (const k of indexes(attrs, `${prefix}.message.tool_calls`)) {
    const p = `${prefix}.message.tool_calls.${k}.tool_call`;
    const name = stringAttr(attrs, `${p}.function.name`);
    const args = stringAttr(attrs, `${p}.function.arguments`);
    const id = stringAttr(attrs, `${p}.id`);
    out.push({
      type: "tool_call",
      ...(id ? { id } : {}),
      ...(name ? { name } : {}),
      arguments: args === undefined ? null : parseJsonOrText(args),
    });
  }
  const toolCallId = stringAttr(attrs, `${prefix}.message.tool_call_id`);
  if (stringAttr(attrs, `${prefix}.message.role`) === "tool" && toolCallId && out.length > 0) {
    const text = out.map((p) => (isObject(p) && typeof p.content === "string" ? p.content : "")).join("");
    return [{ type: "tool_call_response", id: toolCallId, response: text }];
  }
  return out;
}

function messages(attrs: Attributes, prefix: string, defaultRole: string): Message[] {
  return indexes(attrs, prefix)
    .map((i) => {
      const p = `${prefix}.${i}`;
      const name = stringAttr(attrs, `${p}.message.name`);
      return {
        role: stringAttr(attrs, `${p}.message.role`) ?? defaultRole,
        parts: parts(attrs, p),
        ...(name ? { name } : {}),
      };
    })
    .filter((m) => m.parts.length > 0);
}

/**
 * `input.value` / `output.value`: the raw request or response. An OpenAI-style request body
 * (`{messages: [...]}`) or response (`{choices: [{message}]}`) is read as messages; other JSON
 * or text is one message with that text.
 */
function rawValue(attrs: Attributes, key: string, role: string): Message[] {
  const raw = stringAttr(attrs, key);
  if (raw === undefined) return [];
  const v = parseJsonOrText(raw);
  if (isObject(v) && Array.isArray(v.messages)) return toMessages(v.messages, role);
  if (isObject(v) && Array.isArray(v.choices)) {
    return v.choices.flatMap((c) =>
      isObject(c) && c.message !== undefined ? toMessages(c.message, role) : [],
    );
  }
  return toMessages(typeof v === "string" ? v : raw, role);
}

/** System messages stay in the input, as OpenInference records them. */
export function openInferenceExchange(span: OtlpSpan): Exchange {
  const a = span.attributes;
  const input = messages(a, "llm.input_messages", "user");
  const output = messages(a, "llm.output_messages", "assistant");
  return {
    system: [],
    input: input.length ? input : rawValue(a, "input.value", "user"),
    output: output.length ? output : rawValue(a, "output.value", "assistant"),
  };
}
