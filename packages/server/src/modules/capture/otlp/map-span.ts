import type { JsonValue } from "../types.js";
import { countAttr, firstOf, numberAttr, stringAttr, stringsAttr } from "./attributes.js";
import { type Exchange, genAiExchange } from "./genai-content.js";
import { toJson } from "./messages.js";
import type { AttrValue, OtlpSpan } from "./types.js";
import { isVercelCall, vercelExchange, vercelOperation } from "./vercel.js";

/**
 * The GenAI operations that are one model call a reviewer can read: a prompt and an answer.
 * Tool executions, agent invocations (which wrap model calls that are spans of their own) and
 * embeddings are not interactions.
 */
const MODEL_CALLS = new Set(["chat", "text_completion", "generate_content"]);

/** OpenLLMetry's `llm.request.type`, for spans that predate `gen_ai.operation.name`. */
const LLM_REQUEST_TYPES: Readonly<Record<string, string>> = { chat: "chat", completion: "text_completion" };

/** Numeric request parameters kept as telemetry attributes (metadata, stored in clear). */
const REQUEST_PARAMETERS = [
  "gen_ai.request.temperature",
  "gen_ai.request.top_p",
  "gen_ai.request.top_k",
  "gen_ai.request.max_tokens",
  "gen_ai.request.frequency_penalty",
  "gen_ai.request.presence_penalty",
  "gen_ai.request.seed",
] as const;

const ATTRIBUTE_VALUE_MAX = 256;

/** A span mapped to an item of the `/v1/interactions` shape, for the same validation. */
export type SpanMapping =
  | { readonly kind: "interaction"; readonly item: Record<string, unknown>; readonly featureFrom: string }
  | { readonly kind: "ignored" }
  | { readonly kind: "invalid"; readonly reason: string };

const NS_PER_MS = 1_000_000n;
/** Nanoseconds to the nearest millisecond. */
const toMs = (ns: bigint) => Number((ns + NS_PER_MS / 2n) / NS_PER_MS);

/** The operation a span stands for, or null when it is not a model call. */
function modelCall(span: OtlpSpan): { operation: string; vercel: boolean } | null {
  const vercel = vercelOperation(span);
  // An AI SDK span is judged by the AI SDK's own structure only, so its inner spans never count
  // as a second interaction even if they carry GenAI attributes.
  if (vercel !== undefined) return isVercelCall(vercel) ? { operation: vercel, vercel: true } : null;
  const legacy = stringAttr(span.attributes, "llm.request.type");
  const operation =
    stringAttr(span.attributes, "gen_ai.operation.name") ?? (legacy ? LLM_REQUEST_TYPES[legacy] : undefined);
  return operation !== undefined && MODEL_CALLS.has(operation) ? { operation, vercel: false } : null;
}

/** An attribute of the span, or its AI SDK telemetry metadata (`ai.telemetry.metadata.<key>`). */
const spanString = (span: OtlpSpan, key: string) =>
  stringAttr(span.attributes, key) ?? stringAttr(span.attributes, `ai.telemetry.metadata.${key}`);

function feature(span: OtlpSpan): { value: string | undefined; from: string } {
  const own = spanString(span, "assent.feature");
  if (own) return { value: own, from: "assent.feature" };
  const fn = stringAttr(span.attributes, "ai.telemetry.functionId");
  if (fn) return { value: fn, from: "ai.telemetry.functionId" };
  return { value: stringAttr(span.resource, "service.name"), from: "service.name" };
}

function telemetryAttributes(span: OtlpSpan, operation: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const put = (key: string, v: AttrValue | undefined) => {
    if (typeof v === "number" || typeof v === "boolean") out[key] = v;
    else if (typeof v === "string" && v.length > 0 && v.length <= ATTRIBUTE_VALUE_MAX) out[key] = v;
  };
  put("gen_ai.operation.name", operation);
  put("gen_ai.request.model", stringAttr(span.attributes, "gen_ai.request.model"));
  put("gen_ai.response.id", stringAttr(span.attributes, "gen_ai.response.id"));
  for (const k of REQUEST_PARAMETERS) put(k, numberAttr(span.attributes, k));
  put("service.name", stringAttr(span.resource, "service.name"));
  put("service.version", stringAttr(span.resource, "service.version"));
  if (span.statusCode === 2) put("otel.status_code", "ERROR");
  put("error.type", stringAttr(span.attributes, "error.type"));
  return out;
}

function content(exchange: Exchange): { input: JsonValue; output: JsonValue } {
  const input: { [key: string]: JsonValue } = {};
  if (exchange.system.length) input.system = exchange.system;
  input.messages = toJson(exchange.input);
  return { input, output: exchange.output.length ? { messages: toJson(exchange.output) } : null };
}

/** Maps one span: a model call becomes an interaction item, anything else is ignored. */
export function mapSpan(span: OtlpSpan): SpanMapping {
  const call = modelCall(span);
  if (!call) return { kind: "ignored" };
  if (span.startNs === null) return { kind: "invalid", reason: "the span has no startTimeUnixNano" };
  const exchange = call.vercel ? vercelExchange(span) : genAiExchange(span);
  if (exchange.input.length === 0 && exchange.system.length === 0) {
    return {
      kind: "invalid",
      reason:
        "the span records no prompt: turn on content capture in the instrumentation " +
        "(e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)",
    };
  }
  const a = span.attributes;
  const count = (keys: readonly string[]) => firstOf((k) => countAttr(a, k), keys);
  const f = feature(span);
  const finishReason =
    stringsAttr(a, "gen_ai.response.finish_reasons")[0] ??
    exchange.output.find((m) => m.finish_reason)?.finish_reason ??
    stringAttr(a, "ai.response.finishReason");
  const item: Record<string, unknown> = {
    ...(span.traceId && span.spanId ? { id: `otlp:${span.traceId}:${span.spanId}` } : {}),
    feature: f.value,
    ...content(exchange),
    occurredAt: toMs(span.startNs),
    conversationId: spanString(span, "gen_ai.conversation.id"),
    telemetry: {
      model: firstOf(
        (k) => stringAttr(a, k),
        ["gen_ai.response.model", "ai.response.model", "gen_ai.request.model", "ai.model.id"],
      ),
      provider: firstOf(
        (k) => stringAttr(a, k),
        ["gen_ai.provider.name", "gen_ai.system", "ai.model.provider"],
      ),
      latencyMs: span.endNs === null ? undefined : toMs(span.endNs - span.startNs),
      tokensIn: count([
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.prompt_tokens",
        "ai.usage.inputTokens",
        "ai.usage.promptTokens",
      ]),
      tokensOut: count([
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",
        "ai.usage.outputTokens",
        "ai.usage.completionTokens",
      ]),
      finishReason,
      attributes: telemetryAttributes(span, call.operation),
    },
  };
  return { kind: "interaction", item, featureFrom: f.from };
}
