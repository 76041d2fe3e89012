import { badRequest } from "../../../errors.js";
import type { Attributes, AttrValue, OtlpSpan, SpanEvent } from "./types.js";

/**
 * Reads an ExportTraceServiceRequest in its OTLP/JSON form (the protobuf decoder produces the
 * same form) into spans. Structure that cannot be decoded fails the whole request with 400, as
 * OTLP asks; fields this receiver does not use are ignored, unknown ones too. Messages name the
 * path of the problem, never a value.
 */
export function readExportRequest(body: unknown): OtlpSpan[] {
  const root = object(body, "the body");
  const spans: OtlpSpan[] = [];
  list(root.resourceSpans, "resourceSpans").forEach((rs, i) => {
    const rsPath = `resourceSpans[${i}]`;
    const resourceSpans = object(rs, rsPath);
    const resource =
      resourceSpans.resource === undefined || resourceSpans.resource === null
        ? new Map<string, AttrValue>()
        : attributes(object(resourceSpans.resource, `${rsPath}.resource`).attributes, `${rsPath}.resource`);
    list(resourceSpans.scopeSpans, `${rsPath}.scopeSpans`).forEach((ss, j) => {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      list(object(ss, ssPath).spans, `${ssPath}.spans`).forEach((s, k) => {
        spans.push(readSpan(s, `${ssPath}.spans[${k}]`, resource));
      });
    });
  });
  return spans;
}

export type Obj = Record<string, unknown>;

export const invalid = (path: string, rule: string) => badRequest("invalid_otlp", `${path}: ${rule}`);

export function object(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(path, "must be an object");
  return v as Obj;
}

/** A repeated field: absent and null are empty, as in proto3. */
export function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(path, "must be an array");
  return v;
}

export function optionalString(v: unknown, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw invalid(path, "must be a string");
  return v;
}

/**
 * int64/fixed64 in OTLP/JSON: a decimal string, or a number from senders that write one (a
 * nanosecond time as a JSON number is off by up to a few hundred nanoseconds; times are kept to
 * the nearest millisecond).
 */
export function optionalUint64(v: unknown, path: string): bigint | null {
  if (v === undefined || v === null || v === "" || v === 0 || v === "0") return null;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return BigInt(v);
  throw invalid(path, "must be a non-negative integer (number or decimal string)");
}

const HEX = /^[0-9a-fA-F]*$/;

/** trace and span ids are hex in OTLP/JSON; empty means unset. */
export function optionalId(v: unknown, path: string, bytes: number): string | null {
  const s = optionalString(v, path);
  if (s === "") return null;
  if (s.length !== bytes * 2 || !HEX.test(s)) throw invalid(path, `must be ${bytes * 2} hex digits`);
  const lower = s.toLowerCase();
  // All zeroes is an invalid id in OTLP: treat it as unset.
  return /^0+$/.test(lower) ? null : lower;
}

function enumNumber(v: unknown, path: string, names: readonly string[]): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") {
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  throw invalid(path, "must be an enum number or name");
}

const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"] as const;

/** Attribute values nest (arrays, key-value lists); a sane depth bounds the recursion. */
const MAX_VALUE_DEPTH = 16;

export function anyValue(v: unknown, path: string, depth: number): AttrValue {
  if (v === undefined || v === null) return null;
  if (depth > MAX_VALUE_DEPTH) throw invalid(path, `nests deeper than ${MAX_VALUE_DEPTH} levels`);
  const o = object(v, path);
  if (o.stringValue !== undefined && o.stringValue !== null) return optionalString(o.stringValue, path);
  if (o.boolValue !== undefined && o.boolValue !== null) {
    if (typeof o.boolValue !== "boolean") throw invalid(path, "boolValue must be a boolean");
    return o.boolValue;
  }
  if (o.intValue !== undefined && o.intValue !== null) {
    const n =
      typeof o.intValue === "string" && /^-?\d{1,20}$/.test(o.intValue) ? Number(o.intValue) : o.intValue;
    if (typeof n !== "number" || !Number.isInteger(n)) throw invalid(path, "intValue must be an integer");
    return n;
  }
  if (o.doubleValue !== undefined && o.doubleValue !== null) {
    const n = typeof o.doubleValue === "string" ? Number(o.doubleValue) : o.doubleValue;
    if (typeof n !== "number" || Number.isNaN(n)) throw invalid(path, "doubleValue must be a number");
    return Number.isFinite(n) ? n : null;
  }
  if (o.bytesValue !== undefined && o.bytesValue !== null) return optionalString(o.bytesValue, path);
  if (o.arrayValue !== undefined && o.arrayValue !== null) {
    const values = list(object(o.arrayValue, path).values, `${path}.arrayValue.values`);
    return values.map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (o.kvlistValue !== undefined && o.kvlistValue !== null) {
    const values = list(object(o.kvlistValue, path).values, `${path}.kvlistValue.values`);
    const out: { [key: string]: AttrValue } = {};
    values.forEach((kv, i) => {
      const p = `${path}.kvlistValue.values[${i}]`;
      const entry = object(kv, p);
      out[optionalString(entry.key, `${p}.key`)] = anyValue(entry.value, `${p}.value`, depth + 1);
    });
    return out;
  }
  return null;
}

export function attributes(v: unknown, path: string): Map<string, AttrValue> {
  const out = new Map<string, AttrValue>();
  list(v, `${path}.attributes`).forEach((kv, i) => {
    const p = `${path}.attributes[${i}]`;
    const entry = object(kv, p);
    const key = optionalString(entry.key, `${p}.key`);
    // Keys are unique in OTLP; should a sender repeat one, the first wins.
    if (!out.has(key)) out.set(key, anyValue(entry.value, `${p}.value`, 0));
  });
  return out;
}

function readSpan(v: unknown, path: string, resource: Attributes): OtlpSpan {
  const s = object(v, path);
  const events: SpanEvent[] = list(s.events, `${path}.events`).map((e, i) => {
    const p = `${path}.events[${i}]`;
    const event = object(e, p);
    return { name: optionalString(event.name, `${p}.name`), attributes: attributes(event.attributes, p) };
  });
  const status = s.status === undefined || s.status === null ? {} : object(s.status, `${path}.status`);
  return {
    traceId: optionalId(s.traceId, `${path}.traceId`, 16),
    spanId: optionalId(s.spanId, `${path}.spanId`, 8),
    parentSpanId: optionalId(s.parentSpanId, `${path}.parentSpanId`, 8),
    name: optionalString(s.name, `${path}.name`),
    startNs: optionalUint64(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endNs: optionalUint64(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes: attributes(s.attributes, path),
    events,
    statusCode: enumNumber(status.code, `${path}.status.code`, STATUS_CODES),
    resource,
  };
}
