import type { TenantRef } from "../../consent/types.js";
import type { Exchange } from "./genai-content.js";
import { attributesBytes, exchangeFromEvents, isComplete } from "./genai-logs.js";
import type { OtlpSpan, SpanEvent } from "./types.js";

/**
 * The span/log join: a model-call span that records no content waits here for its content log
 * records, and records wait for their span, whichever arrives first, matched by tenant, trace
 * id and span id. Everything waiting is held in this process's memory only — never written to
 * a store, a file or a log line — bounded in entries and bytes, and dropped (counted, by reason)
 * when the window passes or a bound would be exceeded. One process joins what it received:
 * an exporter sends a process's traces and logs to the same endpoint, so behind a load
 * balancer both must reach the same instance (see ADR 0004).
 */
export interface JoinLimits {
  readonly windowMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export type JoinDropReason = "expired" | "full";

/** A span and the content its records brought: ready to be mapped and stored. */
export interface Joined {
  readonly tenant: TenantRef;
  readonly span: OtlpSpan;
  readonly exchange: Exchange;
}

interface Entry {
  readonly tenant: TenantRef;
  span: OtlpSpan | null;
  readonly events: SpanEvent[];
  bytes: number;
  readonly expiresAt: number;
}

export interface JoinWindow {
  /** A content-less model-call span: joined now if its records are all here, else it waits. */
  offerSpan(
    tenant: TenantRef,
    span: OtlpSpan & { traceId: string; spanId: string },
  ): Joined | "waiting" | "full";
  /** A GenAI content record: joined now if its span is here and the content is complete. */
  offerRecord(
    tenant: TenantRef,
    traceId: string,
    spanId: string,
    event: SpanEvent,
  ): Joined | "waiting" | "full";
  /**
   * Ends the wait of every entry older than the window: a span that has a prompt by then is
   * returned to be stored (its answer never came: a failed or cut call); the rest is dropped.
   */
  expire(now: number): Joined[];
  /** Entries and bytes waiting now. */
  size(): { entries: number; bytes: number };
}

export function createJoinWindow(
  limits: JoinLimits,
  deps: { now: () => number; dropped: (reason: JoinDropReason, region: string, count: number) => void },
): JoinWindow {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const keyOf = (tenant: TenantRef, traceId: string, spanId: string) =>
    `${tenant.id}\u0000${traceId}\u0000${spanId}`;

  /** Room for `extra` bytes (and a new entry when `fresh`)? Otherwise the newcomer is dropped. */
  const fits = (extra: number, fresh: boolean) =>
    bytes + extra <= limits.maxBytes && (!fresh || entries.size < limits.maxEntries);

  function entryFor(tenant: TenantRef, key: string, extra: number): Entry | null {
    const existing = entries.get(key);
    if (!fits(extra, existing === undefined)) return null;
    if (existing) return existing;
    const entry: Entry = {
      tenant,
      span: null,
      events: [],
      bytes: 0,
      expiresAt: deps.now() + limits.windowMs,
    };
    entries.set(key, entry);
    return entry;
  }

  function add(entry: Entry, extra: number) {
    entry.bytes += extra;
    bytes += extra;
  }

  function take(key: string, entry: Entry): Joined | null {
    if (!entry.span) return null;
    const exchange = exchangeFromEvents(entry.events);
    if (!isComplete(exchange, entry.span)) return null;
    remove(key, entry);
    return { tenant: entry.tenant, span: entry.span, exchange };
  }

  function remove(key: string, entry: Entry) {
    entries.delete(key);
    bytes -= entry.bytes;
  }

  return {
    offerSpan(tenant, span) {
      const key = keyOf(tenant, span.traceId, span.spanId);
      const extra =
        attributesBytes(span.attributes) +
        attributesBytes(span.resource) +
        span.events.reduce((n, e) => n + 64 + attributesBytes(e.attributes), 0);
      const entry = entryFor(tenant, key, extra);
      if (!entry) {
        deps.dropped("full", tenant.region, 1);
        return "full";
      }
      if (!entry.span) {
        entry.span = span;
        add(entry, extra);
      }
      return take(key, entry) ?? "waiting";
    },
    offerRecord(tenant, traceId, spanId, event) {
      const key = keyOf(tenant, traceId, spanId);
      const extra = 64 + event.name.length * 2 + attributesBytes(event.attributes);
      const entry = entryFor(tenant, key, extra);
      if (!entry) {
        deps.dropped("full", tenant.region, 1);
        return "full";
      }
      entry.events.push(event);
      add(entry, extra);
      return take(key, entry) ?? "waiting";
    },
    expire(now) {
      const ready: Joined[] = [];
      for (const [key, entry] of entries) {
        // Entries are in arrival order, and the window is the same for all.
        if (entry.expiresAt > now) break;
        remove(key, entry);
        const exchange = exchangeFromEvents(entry.events);
        if (entry.span && exchange.input.length > 0)
          ready.push({ tenant: entry.tenant, span: entry.span, exchange });
        else deps.dropped("expired", entry.tenant.region, (entry.span ? 1 : 0) + entry.events.length);
      }
      return ready;
    },
    size: () => ({ entries: entries.size, bytes }),
  };
}
