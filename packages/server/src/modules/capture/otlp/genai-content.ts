import type { JsonValue } from "../types.js";
import { parseJsonOrText, structuredAttr } from "./attributes.js";
import { type Message, toMessage, toMessages, toSystemParts } from "./messages.js";
import type { Attributes, OtlpSpan, SpanEvent } from "./types.js";

/** What the model was given and what it answered, in the GenAI conventions' message shape. */
export interface Exchange {
  readonly system: JsonValue[];
  readonly input: Message[];
  readonly output: Message[];
}

/** The event that newer instrumentations use instead of span attributes for content. */
const DETAILS_EVENT = "gen_ai.client.inference.operation.details";

/** Span events of the older GenAI conventions, one per message, and the role each stands for. */
const MESSAGE_EVENTS: Readonly<Record<string, string>> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

const firstNonEmpty = <T>(...lists: (() => T[])[]): T[] => {
  for (const l of lists) {
    const v = l();
    if (v.length > 0) return v;
  }
  return [];
};

function eventAttrs(span: OtlpSpan, name: string): Attributes[] {
  return span.events.filter((e) => e.name === name).map((e) => e.attributes);
}

/** An attribute of the span, else of the operation-details event. */
function modern(span: OtlpSpan, key: string): JsonValue | undefined {
  const onSpan = structuredAttr(span.attributes, key);
  if (onSpan !== undefined) return onSpan;
  for (const attrs of eventAttrs(span, DETAILS_EVENT)) {
    const v = structuredAttr(attrs, key);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** `gen_ai.prompt` / `gen_ai.completion` on the span or on their `gen_ai.content.*` events. */
function legacyContent(span: OtlpSpan, key: string, eventName: string, role: string): Message[] {
  const onSpan = structuredAttr(span.attributes, key);
  if (onSpan !== undefined) return toMessages(onSpan, role);
  return eventAttrs(span, eventName).flatMap((attrs) => toMessages(structuredAttr(attrs, key), role));
}

/** OpenLLMetry-style indexed attributes: `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, … */
function indexedContent(span: OtlpSpan, prefix: string, role: string): Message[] {
  const out: Message[] = [];
  for (let i = 0; ; i++) {
    const content = span.attributes.get(`${prefix}.${i}.content`);
    const r = span.attributes.get(`${prefix}.${i}.role`);
    if (content === undefined && r === undefined) break;
    const finish = span.attributes.get(`${prefix}.${i}.finish_reason`);
    out.push(
      toMessage(
        {
          role: typeof r === "string" ? r : role,
          content: typeof content === "string" ? content : (content ?? null),
          ...(typeof finish === "string" ? { finish_reason: finish } : {}),
        },
        role,
      ),
    );
  }
  return out.filter((m) => m.parts.length > 0);
}

/** A message event's attributes: `content`, `tool_calls`, `id`, maybe a `role`. */
function eventMessage(e: SpanEvent, role: string): Message {
  const a = e.attributes;
  const content = a.get("content");
  const toolCalls = a.get("tool_calls");
  return toMessage(
    {
      role: typeof a.get("role") === "string" ? (a.get("role") as string) : role,
      content: content ?? null,
      tool_calls: typeof toolCalls === "string" ? parseJsonOrText(toolCalls) : (toolCalls ?? null),
      ...(typeof a.get("id") === "string" ? { id: a.get("id") as string } : {}),
    },
    role,
  );
}

function inputEvents(span: OtlpSpan): Message[] {
  return span.events
    .filter((e) => MESSAGE_EVENTS[e.name] !== undefined)
    .map((e) => eventMessage(e, MESSAGE_EVENTS[e.name] as string))
    .filter((m) => m.parts.length > 0);
}

/** `gen_ai.choice` events: `message` (a JSON string or structured), `finish_reason`, `index`. */
function choiceEvents(span: OtlpSpan): Message[] {
  const choices = span.events.filter((e) => e.name === "gen_ai.choice");
  const index = (e: SpanEvent) => {
    const i = e.attributes.get("index");
    return typeof i === "number" ? i : 0;
  };
  return [...choices]
    .sort((x, y) => index(x) - index(y))
    .map((e) => {
      const message = structuredAttr(e.attributes, "message");
      const base = message !== undefined ? toMessage(message, "assistant") : eventMessage(e, "assistant");
      const finish = e.attributes.get("finish_reason");
      return typeof finish === "string" && finish && !base.finish_reason
        ? { ...base, finish_reason: finish }
        : base;
    })
    .filter((m) => m.parts.length > 0);
}

/**
 * The content of a GenAI span, whichever generation of the conventions recorded it: the
 * current JSON attributes first, then the older prompt/completion attributes, indexed
 * attributes, and per-message events.
 */
export function genAiExchange(span: OtlpSpan): Exchange {
  return {
    system: toSystemParts(modern(span, "gen_ai.system_instructions")),
    input: firstNonEmpty(
      () => toMessages(modern(span, "gen_ai.input.messages"), "user"),
      () => legacyContent(span, "gen_ai.prompt", "gen_ai.content.prompt", "user"),
      () => indexedContent(span, "gen_ai.prompt", "user"),
      () => inputEvents(span),
    ),
    output: firstNonEmpty(
      () => toMessages(modern(span, "gen_ai.output.messages"), "assistant"),
      () => legacyContent(span, "gen_ai.completion", "gen_ai.content.completion", "assistant"),
      () => indexedContent(span, "gen_ai.completion", "assistant"),
      () => choiceEvents(span),
    ),
  };
}
