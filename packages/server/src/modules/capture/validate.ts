import { type InteractionItem, InteractionItemSchema, ITEM_LIMITS } from "@assent/sdk/contract";
import { Compile } from "typebox/compile";
import { type Clock, DAY_MS } from "../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../config.js";
import { serializeContent } from "./content.js";
import { DEFAULT_MAX_CONTENT_DEPTH, depthError, exceedsDepth } from "./depth.js";
import { reasonOf } from "./reasons.js";
import type { InteractionInput, JsonValue } from "./types.js";

/**
 * Validates one item of a capture batch against the contract's item schema (compiled once), then
 * the rules a schema cannot say: the time window and the content's size. Reasons name the field
 * and the rule, never the value: they are returned to the client and counted.
 */
export type ItemResult = { ok: true; value: InteractionInput } | { ok: false; error: string };

export interface ValidationContext {
  readonly now: number;
  readonly retentionDays: number;
  readonly maxContentBytes: number;
  /** Default DEFAULT_MAX_CONTENT_DEPTH. */
  readonly maxContentDepth?: number;
}

/** What items are checked against at this moment: the program's retention, the ingest bound. */
export function validationContext(deps: {
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes" | "maxContentDepth">;
}): ValidationContext {
  return {
    now: deps.clock.now(),
    retentionDays: deps.program.retentionDays,
    maxContentBytes: deps.ingest.maxContentBytes,
    maxContentDepth: deps.ingest.maxContentDepth,
  };
}

const item = Compile(InteractionItemSchema);

/** The bytes serializeContent adds around input and output: {"i":…,"o":…}. */
const CONTENT_ENVELOPE_BYTES = 11;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A field set to null counts as absent; `output` keeps its null (the feature produced none). */
function withoutAbsent(v: Record<string, unknown>, keep?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined && (x !== null || k === keep)) out[k] = x;
  return out;
}

function normalize(v: Record<string, unknown>): Record<string, unknown> {
  const out = withoutAbsent(v, "output");
  if (isPlainObject(out.telemetry)) out.telemetry = withoutAbsent(out.telemetry);
  return out;
}

/** The rules the schema cannot say: when (not in the future, within retention) and how big. */
function occurredAt(v: string | number | undefined, ctx: ValidationContext): number | string {
  if (v === undefined) return ctx.now;
  const t = typeof v === "number" ? v : Date.parse(v);
  if (!Number.isFinite(t)) return "occurredAt is not a valid time";
  if (t > ctx.now + ITEM_LIMITS.futureSkewMs) return "occurredAt is in the future";
  if (t <= ctx.now - ctx.retentionDays * DAY_MS) {
    return `occurredAt is older than the retention period (${ctx.retentionDays} days)`;
  }
  // A client clock slightly ahead is tolerated, but nothing is stored as happening later than now.
  return Math.min(Math.trunc(t), ctx.now);
}

export function validateItem(raw: unknown, ctx: ValidationContext): ItemResult {
  if (!isPlainObject(raw)) return { ok: false, error: "an interaction must be an object" };
  const v = normalize(raw);
  if (!item.Check(v))
    return { ok: false, error: reasonOf(InteractionItemSchema, item.Errors(v), "an interaction") };
  const it = v as InteractionItem;
  const maxDepth = ctx.maxContentDepth ?? DEFAULT_MAX_CONTENT_DEPTH;
  if (exceedsDepth(it.input, maxDepth) || exceedsDepth(it.output, maxDepth)) {
    return { ok: false, error: depthError(maxDepth) };
  }
  const content = serializeContent(it.input as JsonValue, it.output as JsonValue);
  if (Buffer.byteLength(content) > ctx.maxContentBytes + CONTENT_ENVELOPE_BYTES) {
    return { ok: false, error: `input and output together exceed ${ctx.maxContentBytes} bytes` };
  }
  const at = occurredAt(it.occurredAt, ctx);
  if (typeof at === "string") return { ok: false, error: at };
  const t = it.telemetry ?? {};
  return {
    ok: true,
    value: {
      clientId: it.id ?? null,
      feature: it.feature,
      content,
      occurredAt: at,
      conversationId: it.conversationId ?? null,
      subject: it.subject ?? null,
      telemetry: {
        model: t.model ?? null,
        provider: t.provider ?? null,
        latencyMs: t.latencyMs ?? null,
        tokensIn: t.tokensIn ?? null,
        tokensOut: t.tokensOut ?? null,
        finishReason: t.finishReason ?? null,
        feedback: t.feedback ?? null,
        attributes: t.attributes ?? {},
      },
    },
  };
}
