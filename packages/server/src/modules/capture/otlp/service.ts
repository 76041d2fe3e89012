import type { Clock } from "../../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../../config.js";
import type { TenantRef } from "../../consent/types.js";
import type { CaptureService } from "../service.js";
import type { InteractionInput, RejectedItem } from "../types.js";
import { validateItem, validationContext } from "../validate.js";
import { isGenAiContent, recordAsEvent } from "./genai-logs.js";
import { createJoinWindow, type JoinDropReason, type Joined } from "./join-window.js";
import { mapSpan, NO_CONTENT_REASON, type SpanMapping } from "./map-span.js";
import { foldNestedCalls } from "./nested.js";
import { readExportRequest } from "./read.js";
import { type OtlpLogRecord, readLogsRequest } from "./read-logs.js";
import type { ExportOutcome, OtlpSpan } from "./types.js";

export interface OtlpMetrics {
  /** Spans of an export that were not model calls (or were folded into their twin). */
  spansIgnored(region: string, count: number): void;
  /** Log records that are not GenAI content. */
  logRecordsIgnored(region: string, count: number): void;
  /** Spans and records dropped from the span/log join: window passed, bounds hit, store failed. */
  joinDropped(region: string, reason: JoinDropReason | "unstored", count: number): void;
}

export interface OtlpService {
  /**
   * POST /v1/traces: maps the GenAI spans of an OTLP export (its JSON form; see decode.ts for
   * protobuf) to interactions and stores them through the consent gate like /v1/interactions.
   * A model-call span without content waits for its content log records (/v1/logs).
   */
  ingestTraces(tenant: TenantRef, request: unknown): Promise<ExportOutcome>;
  /** POST /v1/logs: GenAI content records join their span; other records are ignored. */
  ingestLogs(tenant: TenantRef, request: unknown): Promise<ExportOutcome>;
  /**
   * Ends the wait of spans and records older than the join window: a span that has its prompt
   * is stored (through the consent gate, as of now), the rest is dropped and counted.
   */
  expireWaiting(): Promise<void>;
  /** What waits in the join now (entries and estimated bytes), for tests and operations. */
  waiting(): { entries: number; bytes: number };
  /**
   * The span/log join itself, for a service key's exports (service-otlp.ts), whose tenants are
   * resolved there: keyed by (tenant, trace id, span id) like a tenant key's; "off" when the
   * join is turned off. What joins later, or passes its window, is stored by expireWaiting.
   */
  readonly join: {
    span(tenant: TenantRef, span: OtlpSpan & { traceId: string; spanId: string }): JoinOffer;
    record(tenant: TenantRef, record: OtlpLogRecord & { traceId: string; spanId: string }): JoinOffer;
  };
}

export type JoinOffer = Joined | "waiting" | "full" | "off";

export interface OtlpDeps {
  readonly capture: Pick<CaptureService, "ingest">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<
    IngestConfig,
    "maxContentBytes" | "maxContentDepth" | "otlpJoinWindowMs" | "otlpJoinMaxEntries" | "otlpJoinMaxBytes"
  >;
  readonly metrics: OtlpMetrics;
}

/** A mapped span and how to name it in a rejection (its place in the request, never content). */
interface Candidate {
  readonly name: string;
  readonly index: number;
  readonly mapping: SpanMapping;
}

const spanName = (what: string, index: number, id: string | null) =>
  `${what} ${index}${id ? ` (${id})` : ""}`;

export function createOtlpService(deps: OtlpDeps): OtlpService {
  const joinOn = deps.ingest.otlpJoinWindowMs > 0;
  const window = createJoinWindow(
    {
      windowMs: deps.ingest.otlpJoinWindowMs,
      maxEntries: deps.ingest.otlpJoinMaxEntries,
      maxBytes: deps.ingest.otlpJoinMaxBytes,
    },
    {
      now: () => deps.clock.now(),
      dropped: (reason, region, n) => deps.metrics.joinDropped(region, reason, n),
    },
  );

  /** Validates mapped spans like /v1/interactions items and stores the valid ones. */
  async function store(tenant: TenantRef, candidates: readonly Candidate[], rejectedBefore: RejectedItem[]) {
    const ctx = validationContext(deps);
    const valid: InteractionInput[] = [];
    const rejected = [...rejectedBefore];
    for (const { name, index, mapping } of candidates) {
      if (mapping.kind === "ignored") continue;
      if (mapping.kind === "invalid" || mapping.kind === "no-content") {
        const reason = mapping.kind === "invalid" ? mapping.reason : NO_CONTENT_REASON;
        rejected.push({ index, error: `${name}: ${reason}` });
        continue;
      }
      const r = validateItem(mapping.item, ctx);
      if (r.ok) {
        valid.push(r.value);
        continue;
      }
      // The rules are /v1/interactions'; say where a derived field came from.
      const error = r.error.startsWith("feature")
        ? `${r.error} (taken from ${mapping.featureFrom})`
        : r.error;
      rejected.push({ index, error: `${name}: ${error}` });
    }
    return deps.capture.ingest(tenant, valid, rejected);
  }

  const joinedCandidate = (j: Joined, index: number): Candidate => ({
    name: spanName("span", index, j.span.spanId),
    index,
    mapping: mapSpan(j.span, j.exchange),
  });

  async function expireWaiting(): Promise<void> {
    const ready = window.expire(deps.clock.now());
    const byTenant = new Map<string, Joined[]>();
    for (const j of ready) byTenant.set(j.tenant.id, [...(byTenant.get(j.tenant.id) ?? []), j]);
    for (const joined of byTenant.values()) {
      const tenant = (joined[0] as Joined).tenant;
      try {
        await store(
          tenant,
          joined.map((j, i) => joinedCandidate(j, i)),
          [],
        );
      } catch {
        // Nobody waits for this answer any more: count what could not be stored.
        deps.metrics.joinDropped(tenant.region, "unstored", joined.length);
      }
    }
  }

  return {
    async ingestTraces(tenant, request) {
      await expireWaiting();
      const read = readExportRequest(request);
      const index = new Map<OtlpSpan, number>(read.map((s, i) => [s, i]));
      const { spans, folded } = foldNestedCalls(read);
      let ignored = folded;
      let waiting = 0;
      const candidates: Candidate[] = [];
      for (const span of spans) {
        const i = index.get(span) ?? read.findIndex((s) => s.spanId === span.spanId);
        const name = spanName("span", i, span.spanId);
        let mapping = mapSpan(span);
        if (mapping.kind === "ignored") {
          ignored += 1;
          continue;
        }
        if (mapping.kind === "no-content" && joinOn && span.traceId && span.spanId) {
          const joined = window.offerSpan(tenant, { ...span, traceId: span.traceId, spanId: span.spanId });
          if (joined === "waiting") {
            waiting += 1;
            continue;
          }
          mapping =
            joined === "full"
              ? {
                  kind: "invalid",
                  reason: "too many spans are waiting for their content log records; try again later",
                }
              : mapSpan(joined.span, joined.exchange);
        }
        candidates.push({ name, index: i, mapping });
      }
      deps.metrics.spansIgnored(tenant.region, ignored);
      const result = await store(tenant, candidates, []);
      return {
        sharing: result.sharing,
        items: read.length,
        accepted: result.accepted,
        duplicates: result.duplicates,
        dropped: result.dropped,
        rejected: result.rejected.map((r) => r.error),
        ignored,
        waiting,
      };
    },

    async ingestLogs(tenant, request) {
      await expireWaiting();
      const records = readLogsRequest(request);
      let ignored = 0;
      let waiting = 0;
      const rejected: RejectedItem[] = [];
      const candidates: Candidate[] = [];
      records.forEach((r, i) => {
        if (!isGenAiContent(r)) {
          ignored += 1;
          return;
        }
        const name = spanName("log record", i, r.spanId);
        if (!r.traceId || !r.spanId) {
          rejected.push({
            index: i,
            error: `${name}: a GenAI content record needs the traceId and spanId of its span`,
          });
          return;
        }
        if (!joinOn) {
          rejected.push({
            index: i,
            error: `${name}: the span/log join is turned off (ingest.otlpJoinWindowMs = 0)`,
          });
          return;
        }
        const joined = window.offerRecord(tenant, r.traceId, r.spanId, recordAsEvent(r));
        if (joined === "waiting") waiting += 1;
        else if (joined === "full") {
          rejected.push({
            index: i,
            error: `${name}: too much content is waiting for its spans; try again later`,
          });
        } else candidates.push(joinedCandidate(joined, i));
      });
      deps.metrics.logRecordsIgnored(tenant.region, ignored);
      const result = await store(tenant, candidates, rejected);
      return {
        sharing: result.sharing,
        items: records.length,
        accepted: result.accepted,
        duplicates: result.duplicates,
        dropped: result.dropped,
        rejected: result.rejected.map((r) => r.error),
        ignored,
        waiting,
      };
    },

    expireWaiting,
    waiting: () => window.size(),
    join: {
      span: (tenant, span) => (joinOn ? window.offerSpan(tenant, span) : "off"),
      record: (tenant, r) =>
        joinOn ? window.offerRecord(tenant, r.traceId, r.spanId, recordAsEvent(r)) : "off",
    },
  };
}
