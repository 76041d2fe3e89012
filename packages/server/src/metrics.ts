import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import type { CaptureMetrics, IngestOutcome } from "./modules/capture/service.js";

/** The Prometheus registry of one app instance (no global registry, so tests can run several). */
export interface Metrics extends CaptureMetrics {
  readonly registry: Registry;
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
  return {
    registry,
    ingested(region, outcome, count) {
      if (count > 0) counters[outcome].inc({ region }, count);
    },
  };
}
