import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * OTLP/HTTP JSON encoding of finished spans (opentelemetry-proto `ExportTraceServiceRequest`,
 * JSON mapping per the OTLP specification): trace and span ids as hex, times as decimal
 * strings of Unix nanoseconds, enums as numbers. The same shape as the OpenTelemetry JS
 * OTLP exporter sends, written here so the SDK needs no OTLP dependency. Type-only imports:
 * nothing of OpenTelemetry is loaded at runtime.
 */
type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

type HrTime = readonly [number, number];
type Attrs = Readonly<Record<string, unknown>>;

export function toAnyValue(v: unknown): AnyValue {
  switch (typeof v) {
    case "string":
      return { stringValue: v };
    case "boolean":
      return { boolValue: v };
    case "number":
      return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
    default:
      break;
  }
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
  if (typeof v === "object" && v !== null) {
    return {
      kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: toAnyValue(value) })) },
    };
  }
  return {};
}

export const toAttributes = (attrs: Attrs | undefined): KeyValue[] =>
  attrs ? Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) })) : [];

export const nanos = (t: HrTime): string =>
  (BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString();

/** W3C trace flags in the low byte, plus "has is_remote" and "is_remote" (OTLP span flags). */
const spanFlags = (traceFlags: number, isRemote: boolean | undefined) =>
  (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);

function toOtlpSpan(span: ReadableSpan) {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    ...(parent?.spanId ? { parentSpanId: parent.spanId } : {}),
    ...(ctx.traceState ? { traceState: ctx.traceState.serialize() } : {}),
    name: span.name,
    // The API's SpanKind starts at INTERNAL = 0; the proto reserves 0 for UNSPECIFIED.
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: toAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      timeUnixNano: nanos(e.time),
      name: e.name,
      attributes: toAttributes(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      ...(l.context.traceState ? { traceState: l.context.traceState.serialize() } : {}),
      attributes: toAttributes(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
      flags: spanFlags(l.context.traceFlags, l.context.isRemote),
    })),
    droppedLinksCount: span.droppedLinksCount,
    status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
    flags: spanFlags(ctx.traceFlags, parent?.isRemote),
  };
}

/** Groups spans by resource, then by instrumentation scope, as the protocol nests them. */
export function toExportRequest(spans: readonly ReadableSpan[]) {
  const byResource = new Map<ReadableSpan["resource"], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const s = span.instrumentationScope;
    const key = `${s.name}@${s.version ?? ""}:${s.schemaUrl ?? ""}`;
    const list = scopes.get(key);
    if (list) list.push(span);
    else scopes.set(key, [span]);
  }
  return {
    resourceSpans: [...byResource].map(([resource, scopes]) => ({
      resource: { attributes: toAttributes(resource.attributes), droppedAttributesCount: 0 },
      ...(resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {}),
      scopeSpans: [...scopes.values()].map((list) => {
        const scope = (list[0] as ReadableSpan).instrumentationScope;
        return {
          scope: { name: scope.name, ...(scope.version ? { version: scope.version } : {}) },
          ...(scope.schemaUrl ? { schemaUrl: scope.schemaUrl } : {}),
          spans: list.map(toOtlpSpan),
        };
      }),
    })),
  };
}
