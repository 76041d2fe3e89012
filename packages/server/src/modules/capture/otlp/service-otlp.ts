import type { Clock } from "../../../clock.js";
import type { IngestConfig, OtlpConfig, ProgramConfig } from "../../../config.js";
import type { ServiceKeyIdentity } from "../../service-keys/service.js";
import type { ResolvedTenant, TenantResolver } from "../../tenants/resolver.js";
import type { ServiceCaptureService, TenantItem } from "../service-capture.js";
import type { RejectedItem } from "../types.js";
import { validateItem, validationContext } from "../validate.js";
import { isGenAiContent } from "./genai-logs.js";
import { mapSpan, NO_CONTENT_REASON, type SpanMapping } from "./map-span.js";
import { foldNestedCalls } from "./nested.js";
import { readExportRequest } from "./read.js";
import { readLogsRequest } from "./read-logs.js";
import type { JoinOffer, OtlpService } from "./service.js";
import { telemetryTenant } from "./tenant.js";
import type { Attributes, ExportOutcome, OtlpSpan } from "./types.js";

/**
 * POST /v1/traces and /v1/logs with a service key: each model-call span and each GenAI content
 * record names its tenant (telemetryTenant: the record's own attributes, else its resource's).
 * Tenants are resolved first, so a record without a tenant, of an unknown tenant or of one
 * outside the key's regions is rejected by index at once; the rest joins in the same span/log
 * window as a tenant key's, keyed by (tenant, trace id, span id), and what is complete goes
 * through each tenant's gate and region (service-capture.ts).
 */
export interface ServiceOtlp {
  ingestTraces(key: ServiceKeyIdentity, request: unknown): Promise<ExportOutcome>;
  ingestLogs(key: ServiceKeyIdentity, request: unknown): Promise<ExportOutcome>;
}

export interface ServiceOtlpDeps {
  readonly serviceCapture: Pick<ServiceCaptureService, "ingest">;
  readonly otlpService: Pick<OtlpService, "join" | "expireWaiting">;
  readonly resolver: TenantResolver;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes" | "maxContentDepth">;
  readonly otlp: Pick<OtlpConfig, "tenantAttributes">;
  readonly metrics: {
    spansIgnored(region: string, count: number): void;
    logRecordsIgnored(region: string, count: number): void;
  };
}

/** One span or record of the export, named by its place in it (never by content). */
interface Named {
  readonly index: number;
  readonly name: string;
  readonly attributes: Attributes;
  readonly resource: Attributes;
}

const nameOf = (what: string, index: number, id: string | null) => `${what} ${index}${id ? ` (${id})` : ""}`;

export function createServiceOtlp(deps: ServiceOtlpDeps): ServiceOtlp {
  /** The tenant of each named record, or the rejection that says why it has none usable. */
  async function tenantsOf(key: ServiceKeyIdentity, named: readonly Named[], rejected: RejectedItem[]) {
    const refs = new Map<Named, string>();
    for (const n of named) {
      const ref = telemetryTenant(n, deps.otlp.tenantAttributes);
      if (ref !== null) refs.set(n, ref);
      else {
        const names = deps.otlp.tenantAttributes.join(" or ");
        rejected.push({
          index: n.index,
          error: `${n.name}: no tenant (attribute ${names} on it or its resource)`,
        });
      }
    }
    const found = await deps.resolver.resolve(refs.values());
    const tenants = new Map<Named, ResolvedTenant>();
    for (const [n, ref] of refs) {
      const tenant = found.get(ref);
      if (!tenant) rejected.push({ index: n.index, error: `${n.name}: unknown tenant` });
      else if (!key.regions.includes(tenant.region)) {
        rejected.push({
          index: n.index,
          error: `${n.name}: the tenant's region (${tenant.region}) is outside the service key's regions`,
        });
      } else tenants.set(n, tenant);
    }
    return tenants;
  }

  /** Validates mapped spans like /v1/interactions items and stores the valid ones per tenant. */
  async function store(
    key: ServiceKeyIdentity,
    total: number,
    ready: readonly { index: number; name: string; tenantId: string; mapping: SpanMapping }[],
    rejected: RejectedItem[],
    counts: { ignored: number; waiting: number },
  ): Promise<ExportOutcome> {
    const ctx = validationContext(deps);
    const items: TenantItem[] = [];
    for (const { index, name, tenantId, mapping } of ready) {
      if (mapping.kind === "ignored") continue;
      if (mapping.kind === "invalid" || mapping.kind === "no-content") {
        rejected.push({
          index,
          error: `${name}: ${mapping.kind === "invalid" ? mapping.reason : NO_CONTENT_REASON}`,
        });
        continue;
      }
      const r = validateItem(mapping.item, ctx);
      if (r.ok) items.push({ index, ref: tenantId, item: r.value });
      else rejected.push({ index, error: `${name}: ${r.error}` });
    }
    const result = await deps.serviceCapture.ingest(key, items, rejected);
    return {
      sharing: Object.values(result.tenants).some((t) => t.sharing === "on") ? "on" : "off",
      multiTenant: true,
      items: total,
      accepted: result.accepted,
      duplicates: result.duplicates,
      dropped: result.dropped,
      rejected: result.rejected.map((r) => r.error),
      ...counts,
    };
  }

  /** What a join offer means for the export's answer. */
  const offered = (offer: JoinOffer, full: string, off: string): SpanMapping | "waiting" => {
    if (offer === "waiting") return "waiting";
    if (offer === "full") return { kind: "invalid", reason: full };
    if (offer === "off") return { kind: "invalid", reason: off };
    return mapSpan(offer.span, offer.exchange);
  };

  return {
    async ingestTraces(key, request) {
      await deps.otlpService.expireWaiting();
      const read = readExportRequest(request);
      const index = new Map<OtlpSpan, number>(read.map((s, i) => [s, i]));
      const { spans, folded } = foldNestedCalls(read);
      const rejected: RejectedItem[] = [];
      const counts = { ignored: folded, waiting: 0 };
      const calls: (Named & { span: OtlpSpan; mapping: SpanMapping })[] = [];
      for (const span of spans) {
        const i = index.get(span) ?? read.findIndex((s) => s.spanId === span.spanId);
        const mapping = mapSpan(span);
        if (mapping.kind === "ignored") counts.ignored += 1;
        else {
          const name = nameOf("span", i, span.spanId);
          calls.push({ index: i, name, attributes: span.attributes, resource: span.resource, span, mapping });
        }
      }
      deps.metrics.spansIgnored("none", counts.ignored);
      const tenants = await tenantsOf(key, calls, rejected);
      const ready: { index: number; name: string; tenantId: string; mapping: SpanMapping }[] = [];
      for (const call of calls) {
        const tenant = tenants.get(call);
        if (!tenant) continue;
        let mapping: SpanMapping | "waiting" = call.mapping;
        const { traceId, spanId } = call.span;
        if (mapping.kind === "no-content" && traceId && spanId) {
          mapping = offered(
            deps.otlpService.join.span(tenant, { ...call.span, traceId, spanId }),
            "too many spans are waiting for their content log records; try again later",
            NO_CONTENT_REASON,
          );
        }
        if (mapping === "waiting") counts.waiting += 1;
        else ready.push({ index: call.index, name: call.name, tenantId: tenant.id, mapping });
      }
      return store(key, read.length, ready, rejected, counts);
    },

    async ingestLogs(key, request) {
      await deps.otlpService.expireWaiting();
      const records = readLogsRequest(request);
      const rejected: RejectedItem[] = [];
      const counts = { ignored: 0, waiting: 0 };
      const content: (Named & { record: (typeof records)[number] })[] = [];
      records.forEach((record, i) => {
        if (!isGenAiContent(record)) counts.ignored += 1;
        else {
          const name = nameOf("log record", i, record.spanId);
          content.push({ index: i, name, attributes: record.attributes, resource: record.resource, record });
        }
      });
      deps.metrics.logRecordsIgnored("none", counts.ignored);
      const tenants = await tenantsOf(key, content, rejected);
      const ready: { index: number; name: string; tenantId: string; mapping: SpanMapping }[] = [];
      for (const c of content) {
        const tenant = tenants.get(c);
        if (!tenant) continue;
        const { traceId, spanId } = c.record;
        if (!traceId || !spanId) {
          rejected.push({
            index: c.index,
            error: `${c.name}: a GenAI content record needs the traceId and spanId of its span`,
          });
          continue;
        }
        const mapping = offered(
          deps.otlpService.join.record(tenant, { ...c.record, traceId, spanId }),
          "too much content is waiting for its spans; try again later",
          "the span/log join is turned off (ingest.otlpJoinWindowMs = 0)",
        );
        if (mapping === "waiting") counts.waiting += 1;
        else
          ready.push({ index: c.index, name: nameOf("span", c.index, spanId), tenantId: tenant.id, mapping });
      }
      return store(key, records.length, ready, rejected, counts);
    },
  };
}
