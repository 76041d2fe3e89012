import { type Clock, DAY_MS } from "../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../config.js";
import { serializeContent } from "./content.js";
import { LIMITS } from "./limits.js";

/** The bytes serializeContent adds around input and output: {"i":…,"o":…}. */
const CONTENT_ENVELOPE_BYTES = 11;

import type { InteractionInput, JsonValue, Telemetry } from "./types.js";

/**
 * Validates one item of a capture batch. Reasons name the field and the rule, never the value:
 * they are returned to the client and counted, and must not carry content.
 */
export type ItemResult = { ok: true; value: InteractionInput } | { ok: false; error: string };

export interface ValidationContext {
  readonly now: number;
  readonly retentionDays: number;
  readonly maxContentBytes: number;
}

/** What items are checked against at this moment: the program's retention, the ingest bound. */
export function validationContext(deps: {
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes">;
}): ValidationContext {
  return {
    now: deps.clock.now(),
    retentionDays: deps.program.retentionDays,
    maxContentBytes: deps.ingest.maxContentBytes,
  };
}

const ITEM_FIELDS = new Set([
  "id",
  "feature",
  "input",
  "output",
  "occurredAt",
  "conversationId",
  "telemetry",
  // Which tenant the item is for: required with a service key (see batch.ts tenantField).
  "tenant",
]);
const TELEMETRY_FIELDS = new Set([
  "model",
  "provider",
  "latencyMs",
  "tokensIn",
  "tokensOut",
  "finishReason",
  "feedback",
  "attributes",
]);
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const FEATURE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

class Invalid extends Error {}
const fail = (message: string): never => {
  throw new Invalid(message);
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A field name safe to show: short, printable. */
const fieldName = (k: string) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);

function optionalString(v: unknown, field: string, max: number, pattern?: RegExp): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") return fail(`${field} must be a string`);
  if (v.length === 0 || v.length > max) return fail(`${field} must be 1-${max} characters`);
  if (pattern && !pattern.test(v)) return fail(`${field} has characters that are not allowed`);
  return v;
}

function optionalInt(v: unknown, field: string, min: number, max: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v)) return fail(`${field} must be a whole number`);
  if (v < min || v > max) return fail(`${field} must be between ${min} and ${max}`);
  return v;
}

function parseTime(v: unknown, ctx: ValidationContext): number {
  if (v === undefined || v === null) return ctx.now;
  let t: number;
  if (typeof v === "number") t = v;
  else if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) && v.length <= 40) t = Date.parse(v);
  else return fail("occurredAt must be an ISO 8601 time or epoch milliseconds");
  if (!Number.isFinite(t)) return fail("occurredAt is not a valid time");
  if (t > ctx.now + LIMITS.futureSkewMs) return fail("occurredAt is in the future");
  if (t <= ctx.now - ctx.retentionDays * DAY_MS) {
    return fail(`occurredAt is older than the retention period (${ctx.retentionDays} days)`);
  }
  // A client clock slightly ahead is tolerated, but nothing is stored as happening later than now.
  return Math.min(Math.trunc(t), ctx.now);
}

function parseTelemetry(v: unknown): Telemetry {
  if (v === undefined || v === null) v = {};
  if (!isPlainObject(v)) return fail("telemetry must be an object");
  for (const k of Object.keys(v)) {
    if (!TELEMETRY_FIELDS.has(k)) fail(`telemetry has an unknown field ${fieldName(k)}`);
  }
  const attributes: Record<string, string | number | boolean | null> = {};
  if (v.attributes !== undefined && v.attributes !== null) {
    if (!isPlainObject(v.attributes)) return fail("telemetry.attributes must be an object");
    const entries = Object.entries(v.attributes);
    if (entries.length > LIMITS.attributes)
      fail(`telemetry.attributes may hold at most ${LIMITS.attributes} keys`);
    for (const [k, a] of entries) {
      if (k.length === 0 || k.length > LIMITS.attributeKeyLength) {
        fail(`telemetry.attributes keys must be 1-${LIMITS.attributeKeyLength} characters`);
      }
      if (typeof a === "string") {
        if (a.length > LIMITS.attributeValueLength) {
          fail(`telemetry.attributes values must be at most ${LIMITS.attributeValueLength} characters`);
        }
      } else if (!(a === null || typeof a === "boolean" || (typeof a === "number" && Number.isFinite(a)))) {
        fail("telemetry.attributes values must be strings, numbers, booleans or null");
      }
      attributes[k] = a as string | number | boolean | null;
    }
  }
  return {
    model: optionalString(v.model, "telemetry.model", LIMITS.modelLength),
    provider: optionalString(v.provider, "telemetry.provider", LIMITS.providerLength),
    latencyMs: optionalInt(v.latencyMs, "telemetry.latencyMs", 0, LIMITS.maxLatencyMs),
    tokensIn: optionalInt(v.tokensIn, "telemetry.tokensIn", 0, LIMITS.maxTokens),
    tokensOut: optionalInt(v.tokensOut, "telemetry.tokensOut", 0, LIMITS.maxTokens),
    finishReason: optionalString(v.finishReason, "telemetry.finishReason", LIMITS.finishReasonLength),
    feedback: optionalInt(v.feedback, "telemetry.feedback", -1, 5),
    attributes,
  };
}

export function validateItem(item: unknown, ctx: ValidationContext): ItemResult {
  try {
    if (!isPlainObject(item)) return fail("an interaction must be an object");
    for (const k of Object.keys(item)) if (!ITEM_FIELDS.has(k)) fail(`unknown field ${fieldName(k)}`);
    const clientId = optionalString(item.id, "id", LIMITS.idLength, CLIENT_ID);
    if (item.feature === undefined || item.feature === null) fail("feature is required");
    const feature = optionalString(item.feature, "feature", LIMITS.featureLength, FEATURE) as string;
    if (item.input === undefined || item.input === null) fail("input is required");
    if (item.output === undefined) fail("output is required (null when the feature produced none)");
    const input = item.input as JsonValue;
    const output = item.output as JsonValue;
    const content = serializeContent(input, output);
    if (Buffer.byteLength(content) > ctx.maxContentBytes + CONTENT_ENVELOPE_BYTES) {
      fail(`input and output together exceed ${ctx.maxContentBytes} bytes`);
    }
    return {
      ok: true,
      value: {
        clientId,
        feature,
        content,
        occurredAt: parseTime(item.occurredAt, ctx),
        conversationId: optionalString(item.conversationId, "conversationId", LIMITS.conversationIdLength),
        telemetry: parseTelemetry(item.telemetry),
      },
    };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.message };
    throw err;
  }
}
