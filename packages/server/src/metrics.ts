import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { OtlpMetrics } from "./modules/capture/otlp/service.js";
import type { CaptureMetrics, IngestOutcome } from "./modules/capture/service.js";
import type { DeletionGauge, PurgeMetrics } from "./modules/retention/types.js";

/** The Prometheus registry of one app instance (no global registry, so tests can run several). */
export interface Metrics extends CaptureMetrics, PurgeMetrics, OtlpMetrics {
  readonly registry: Registry;
  /** Where the deletion gauges (oldest interaction age, purge lag) are read from at scrape time. */
  watchDeletion(read: () => Promise<readonly DeletionGauge[]>): void;
  /** Where the number of staff access grants active now is read from at scrape time. */
  watchGrants(read: () => Promise<number>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "assent_process_" });
  const counters: Record<IngestOutcome, Counter<"region">> = {
    accepted: new Counter({
      name: "assent_interactions_accepted_total",
      help: "Interactions stored (sharing on, valid, new).",
      labelNames: ["region"],
      registers: [registry],
    }),
    dropped: new Counter({
      name: "assent_interactions_dropped_total",
      help: "Valid interactions not stored because sharing was off when they were captured or occurred.",
      labelNames: ["region"],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "assent_interactions_rejected_total",
      help: "Interactions rejected as invalid.",
      labelNames: ["region"],
      registers: [registry],
    }),
    duplicate: new Counter({
      name: "assent_interactions_duplicate_total",
      help: "Interactions not stored again because their client id was already stored.",
      labelNames: ["region"],
      registers: [registry],
    }),
  };
  const deletion = deletionMetrics(registry);
  const spansIgnored = new Counter({
    name: "assent_otlp_spans_ignored_total",
    help: "Spans sent to /v1/traces that are not model calls (HTTP, tool executions, …), so not interactions.",
    labelNames: ["region"],
    registers: [registry],
  });
  const logRecordsIgnored = new Counter({
    name: "assent_otlp_log_records_ignored_total",
    help: "Log records sent to /v1/logs that are not GenAI content, so not joined to any span.",
    labelNames: ["region"],
    registers: [registry],
  });
  const joinDropped = new Counter({
    name: "assent_otlp_join_dropped_total",
    help:
      "Spans and log records dropped from the OTLP span/log join, by reason: expired (the window passed " +
      "without the partner), full (the bounds were reached), unstored (the store failed at expiry).",
    labelNames: ["region", "reason"],
    registers: [registry],
  });
  let openGrants: (() => Promise<number>) | null = null;
  new Gauge({
    name: "assent_open_grants",
    help: "Staff access grants active now (approved, not yet ended or revoked).",
    registers: [registry],
    async collect() {
      // A control store that does not answer leaves the gauge out of this scrape; /readyz reports it.
      const n = openGrants ? await openGrants().catch(() => null) : 0;
      if (n === null) this.reset();
      else this.set(n);
    },
  });
  return {
    registry,
    watchGrants(read) {
      openGrants = read;
    },
    ingested(region, outcome, count) {
      if (count > 0) counters[outcome].inc({ region }, count);
    },
    spansIgnored(region, count) {
      if (count > 0) spansIgnored.inc({ region }, count);
    },
    logRecordsIgnored(region, count) {
      if (count > 0) logRecordsIgnored.inc({ region }, count);
    },
    joinDropped(region, reason, count) {
      if (count > 0) joinDropped.inc({ region, reason }, count);
    },
    ...deletion,
  };
}

/** Purge counters and the deletion gauges (P4/P5: what was destroyed, and how far behind). */
function deletionMetrics(registry: Registry): PurgeMetrics & Pick<Metrics, "watchDeletion"> {
  const rows = new Counter({
    name: "assent_purged_rows_total",
    help: "Rows deleted by purges, by region, kind (withdrawal, delete-now, retention) and table.",
    labelNames: ["region", "kind", "table"],
    registers: [registry],
  });
  const keys = new Counter({
    name: "assent_purged_keys_total",
    help: "Data keys destroyed (crypto-shredding) by purges, by region and kind.",
    labelNames: ["region", "kind"],
    registers: [registry],
  });
  let read: (() => Promise<readonly DeletionGauge[]>) | null = null;
  let pending: Promise<readonly DeletionGauge[]> | null = null;
  // One store read per scrape serves both gauges.
  const current = async (): Promise<readonly DeletionGauge[]> => {
    if (!read) return [];
    // A store that does not answer leaves its gauges out of this scrape; /readyz reports it.
    pending ??= read()
      .catch(() => [])
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  new Gauge({
    name: "assent_oldest_interaction_age_seconds",
    help: "Age of the oldest stored interaction (by occurredAt), per region; 0 when none is stored.",
    labelNames: ["region"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await current()) this.set({ region: g.region }, g.oldestInteractionAgeSeconds);
    },
  });
  new Gauge({
    name: "assent_purge_lag_seconds",
    help: "Now minus the oldest missed withdrawal deadline (deleteBy) not yet purged, per region; 0 when none.",
    labelNames: ["region"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await current()) this.set({ region: g.region }, g.purgeLagSeconds);
    },
  });
  return {
    purged(region, kind, counts) {
      const tables = [
        ["interactions", counts.interactions],
        ["labels", counts.labels],
        ["dataset_items", counts.datasetItems],
      ] as const;
      for (const [table, n] of tables) if (n) rows.inc({ region, kind, table }, n);
      if (counts.dataKeys) keys.inc({ region, kind }, counts.dataKeys);
    },
    watchDeletion(source) {
      read = source;
    },
  };
}
