import { type Exchange, genAiExchange } from "./genai-content.js";
import type { OtlpLogRecord } from "./read-logs.js";
import type { AttrValue, OtlpSpan, SpanEvent } from "./types.js";

/**
 * GenAI content as log records (the official `@opentelemetry/instrumentation-openai`, and any
 * instrumentation following the GenAI event conventions): one record per message
 * (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
 * `gen_ai.tool.message`), one per choice (`gen_ai.choice`), or one record with everything
 * (`gen_ai.client.inference.operation.details`). They carry the model-call span's trace and span
 * ids. A record is read as the span event of the same name would be: the body's fields
 * (`content`, `tool_calls`, `message`, `finish_reason`, `index`, `id`) join its attributes.
 */
export const GENAI_CONTENT_EVENTS: ReadonlySet<string> = new Set([
  "gen_ai.system.message",
  "gen_ai.user.message",
  "gen_ai.assistant.message",
  "gen_ai.tool.message",
  "gen_ai.choice",
  "gen_ai.client.inference.operation.details",
]);

export const isGenAiContent = (r: OtlpLogRecord): boolean => GENAI_CONTENT_EVENTS.has(r.eventName);

/** The record as a span event: the body's fields join the attributes (attributes win). */
export function recordAsEvent(r: OtlpLogRecord): SpanEvent {
  const attributes = new Map<string, AttrValue>();
  const body = r.body;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) attributes.set(k, v);
  } else if (typeof body === "string" && body.length > 0) attributes.set("content", body);
  for (const [k, v] of r.attributes) attributes.set(k, v);
  return { name: r.eventName, attributes };
}

const NO_SPAN: Omit<OtlpSpan, "events"> = {
  traceId: null,
  spanId: null,
  parentSpanId: null,
  name: "",
  startNs: null,
  endNs: null,
  attributes: new Map(),
  statusCode: 0,
  resource: new Map(),
};

/** The content the events of one span bring, read as the span's own events would be. */
export function exchangeFromEvents(events: readonly SpanEvent[]): Exchange {
  return genAiExchange({ ...NO_SPAN, events });
}

/** Content a span can be stored with: a prompt, and an answer (or the span failed). */
export function isComplete(exchange: Exchange, span: OtlpSpan): boolean {
  return exchange.input.length > 0 && (exchange.output.length > 0 || span.statusCode === 2);
}

/** An estimate of the bytes an attribute value holds in memory, for the join's byte bound. */
export function valueBytes(v: AttrValue | undefined): number {
  if (v === null || v === undefined) return 8;
  if (typeof v === "string") return 16 + v.length * 2;
  if (typeof v === "number" || typeof v === "boolean") return 16;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + valueBytes(x), 16);
  return Object.entries(v).reduce<number>((n, [k, x]) => n + k.length * 2 + valueBytes(x), 16);
}

export const attributesBytes = (attrs: ReadonlyMap<string, AttrValue>): number => {
  let n = 64;
  for (const [k, v] of attrs) n += k.length * 2 + valueBytes(v);
  return n;
};
