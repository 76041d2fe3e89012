import { Gauge, type Registry } from "prom-client";
import type { ChangeSignals } from "./change-signals.js";
import type { Stores } from "./open.js";
import type { Store } from "./store.js";

/**
 * Scrape-time gauges of the stores (ADR 0010): per PostgreSQL store its pool (in use, idle,
 * waiting, max) and its change listener (up, connects); the number of open sharing streams.
 * Worth alerting on: waiting > 0 for minutes (pool too small), listener down for more than a
 * few seconds (changes fall back to polling).
 */
export function watchStores(
  registry: Registry,
  stores: Pick<Stores, "control" | "regions">,
  signals: Pick<ChangeSignals, "states">,
  openStreams: () => number,
): void {
  const all: Store<unknown>[] = [
    stores.control as Store<unknown>,
    ...(stores.regions.values() as Iterable<Store<unknown>>),
  ];
  new Gauge({
    name: "assent_store_pool_connections",
    help: "Connections of a PostgreSQL store's pool in this process, by state (in_use, idle, waiting requests, max).",
    labelNames: ["store", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all) {
        const pool = s.postgres?.pool;
        if (!pool) continue;
        this.set({ store: s.name, state: "in_use" }, pool.totalCount - pool.idleCount);
        this.set({ store: s.name, state: "idle" }, pool.idleCount);
        this.set({ store: s.name, state: "waiting" }, pool.waitingCount);
        this.set({ store: s.name, state: "max" }, pool.options.max ?? 10);
      }
    },
  });
  new Gauge({
    name: "assent_change_listener_up",
    help: "1 while a PostgreSQL store's LISTEN connection is up (changes pushed); 0 while it reconnects (polled).",
    labelNames: ["store"],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of signals.states()) this.set({ store: l.store }, l.state === "listening" ? 1 : 0);
    },
  });
  new Gauge({
    name: "assent_change_listener_connects",
    help: "How many times a store's LISTEN connection was established in this process (1 + reconnects).",
    labelNames: ["store"],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of signals.states()) this.set({ store: l.store }, l.connects);
    },
  });
  new Gauge({
    name: "assent_sharing_streams_open",
    help: "Sharing streams (SSE) open in this process, per-tenant and all-tenant.",
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
}
