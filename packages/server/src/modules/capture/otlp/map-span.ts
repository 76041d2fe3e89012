import type { JsonValue } from "../types.js";
import { countAttr, firstOf, numberAttr, stringAttr, stringsAttr } from "./attributes.js";
import { type Exchange, genAiExchange } from "./genai-content.js";
import { toJson } from "./messages.js";
import { openInferenceExchange, openInferenceKind } from "./openinference.js";
import type { AttrValue, OtlpSpan } from "./types.js";
import { isVercelCall, isVercelModelRoundTrip, vercelExchange, vercelOperation } from "./vercel.js";

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

/** Where each library puts the model that answered, most precise first. */
export const MODELS = [
  "gen_ai.response.model",
  "ai.response.model",
  "llm.response.model_name",
  "llm.model_name",
  "gen_ai.request.model",
  "llm.request.model_name",
  "ai.model.id",
] as const;
const PROVIDERS = [
  "gen_ai.provider.name",
  "gen_ai.system",
  "llm.provider",
  "llm.system",
  "ai.model.provider",
];
export const TOKENS_IN = [
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.prompt_tokens",
  "llm.token_count.prompt",
  "ai.usage.inputTokens",
  "ai.usage.promptTokens",
] as const;
export const TOKENS_OUT = [
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.completion_tokens",
  "llm.token_count.completion",
  "ai.usage.outputTokens",
  "ai.usage.completionTokens",
] as const;
/** Single finish-reason attributes (after the GenAI list and the output messages' own). */
export const FINISH_REASONS = [
  "llm.finish_reason",
  "ai.response.finishReason",
  "anthropic.message.stop_reason",
  "gen_ai.response.finish_reason",
] as const;

/** A span mapped to an item of the `/v1/interactions` shape, for the same validation. */
export type SpanMapping =
  | { readonly kind: "interaction"; readonly item: Record<string, unknown>; readonly featureFrom: string }
  | { readonly kind: "ignored" }
  /** A model call that records no content at all: its content may come as log records (/v1/logs). */
  | { readonly kind: "no-content" }
  | { readonly kind: "invalid"; readonly reason: string };

/** Why a model-call span without content cannot be stored, when no log records bring it. */
export const NO_CONTENT_REASON =
  "the span records no prompt: turn on content capture in the instrumentation " +
  "(e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true), and export its logs to /v1/logs " +
  "if it records content as log records";

type Dialect = "genai" | "vercel" | "openinference";

const NS_PER_MS = 1_000_000n;
/** Nanoseconds to the nearest millisecond. */
const toMs = (ns: bigint) => Number((ns + NS_PER_MS / 2n) / NS_PER_MS);

export interface ModelCall {
  readonly operation: string;
  readonly dialect: Dialect;
  /** A model round trip inside a call recorded by an outer span of the same library. */
  readonly inner: boolean;
}

/** The operation a span stands for, or null when it is not a model call. */
export function modelCall(span: OtlpSpan): ModelCall | null {
  const vercel = vercelOperation(span);
  // An AI SDK span is judged by the AI SDK's own structure only: the call span is the
  // interaction, its model round trips (doGenerate/doStream) lend it their telemetry.
  if (vercel !== undefined) {
    if (isVercelCall(vercel)) return { operation: vercel, dialect: "vercel", inner: false };
    return isVercelModelRoundTrip(vercel) ? { operation: vercel, dialect: "vercel", inner: true } : null;
  }
  // OpenInference names a kind on every span; only LLM spans are model calls (CHAIN, AGENT, TOOL,
  // RETRIEVER, EMBEDDING, … are not).
  const oi = openInferenceKind(span);
  if (oi !== undefined)
    return oi === "LLM" ? { operation: "chat", dialect: "openinference", inner: false } : null;
  const legacy = stringAttr(span.attributes, "llm.request.type");
  const operation =
    stringAttr(span.attributes, "gen_ai.operation.name") ?? (legacy ? LLM_REQUEST_TYPES[legacy] : undefined);
  return operation !== undefined && MODEL_CALLS.has(operation)
    ? { operation, dialect: "genai", inner: false }
    : null;
}

/** The span's own content, in the reading of its dialect. */
export function spanExchange(span: OtlpSpan, call: ModelCall): Exchange {
  if (call.dialect === "vercel") return vercelExchange(span);
  if (call.dialect === "openinference") return openInferenceExchange(span);
  return genAiExchange(span);
}

export const hasContent = (e: Exchange): boolean =>
  e.input.length > 0 || e.system.length > 0 || e.output.length > 0;

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

/**
 * Maps one span: a model call becomes an interaction item, anything else is ignored. `fromLogs`
 * is the content its log records brought (/v1/logs), for a span that records none itself.
 */
export function mapSpan(span: OtlpSpan, fromLogs?: Exchange): SpanMapping {
  const call = modelCall(span);
  if (!call || call.inner) return { kind: "ignored" };
  if (span.startNs === null) return { kind: "invalid", reason: "the span has no startTimeUnixNano" };
  const own = spanExchange(span, call);
  const exchange = fromLogs && !hasContent(own) ? fromLogs : own;
  if (!hasContent(exchange)) return { kind: "no-content" };
  if (exchange.input.length === 0) {
    return {
      kind: "invalid",
      reason:
        "the span records no prompt messages or input (system instructions or output alone are not an interaction)",
    };
  }
  const a = span.attributes;
  const count = (keys: readonly string[]) => firstOf((k) => countAttr(a, k), keys);
  const f = feature(span);
  const finishReason =
    stringsAttr(a, "gen_ai.response.finish_reasons")[0] ??
    exchange.output.find((m) => m.finish_reason)?.finish_reason ??
    firstOf((k) => stringAttr(a, k), FINISH_REASONS);
  const item: Record<string, unknown> = {
    ...(span.traceId && span.spanId ? { id: `otlp:${span.traceId}:${span.spanId}` } : {}),
    feature: f.value,
    ...content(exchange),
    occurredAt: toMs(span.startNs),
    conversationId: spanString(span, "gen_ai.conversation.id"),
    // The end user (hashed before the gate; never kept as an attribute): `assent.subject`, else
    // the semantic conventions' `enduser.id`.
    subject: spanString(span, "assent.subject") ?? spanString(span, "enduser.id"),
    telemetry: {
      model: firstOf((k) => stringAttr(a, k), MODELS),
      provider: firstOf((k) => stringAttr(a, k), PROVIDERS),
      latencyMs: span.endNs === null ? undefined : toMs(span.endNs - span.startNs),
      tokensIn: count(TOKENS_IN),
      tokensOut: count(TOKENS_OUT),
      finishReason,
      attributes: telemetryAttributes(span, call.operation),
    },
  };
  return { kind: "interaction", item, featureFrom: f.from };
}
