/** An attribute value of OTLP's AnyValue, as a plain value (bytes as base64, int64 as number). */
export type AttrValue = null | boolean | number | string | AttrValue[] | { [key: string]: AttrValue };

export type Attributes = ReadonlyMap<string, AttrValue>;

export interface SpanEvent {
  readonly name: string;
  readonly attributes: Attributes;
}

/** One span of an export request, with what the mapping needs and nothing else. */
export interface OtlpSpan {
  /** Lower-case hex, or null when the exporter sent none. */
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly name: string;
  /** Epoch nanoseconds, or null when unset. */
  readonly startNs: bigint | null;
  readonly endNs: bigint | null;
  readonly attributes: Attributes;
  readonly events: readonly SpanEvent[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Attributes;
}

/** What became of the spans of one export request. */
export interface TraceExportOutcome {
  readonly sharing: "on" | "off";
  /** A service key's export: spans of many tenants, each dropped or kept by its own tenant's setting. */
  readonly multiTenant?: boolean;
  readonly spans: number;
  readonly accepted: number;
  readonly duplicates: number;
  /** Valid GenAI spans not stored because sharing was off (or not yet on when they started). */
  readonly dropped: number;
  /** Invalid GenAI spans, each with a reason that names the span and the rule, never content. */
  readonly rejected: readonly string[];
  /** Spans that are not model calls (HTTP, database, tool executions, …). */
  readonly ignored: number;
}
