import { type QueryExecutorProvider, sql } from "kysely";
import { type ListenerState, type StoreListener, startStoreListener } from "./listener.js";
import type { PostgresLink } from "./store.js";

/** What the signals need of a store: its name and, on PostgreSQL, its link. */
export interface SignalingStore {
  readonly name: string;
  readonly postgres: PostgresLink | null;
}

/**
 * What a change announces (ADR 0010): `s:<tenant id>` a tenant's sharing setting changed (region
 * stores); `k` an ingestion or service key was revoked (control store).
 */
export type ChangeSignal =
  | { readonly kind: "sharing"; readonly tenantId: string }
  | { readonly kind: "keys" };

/** `null`: the listener (re)connected, so anything may have changed meanwhile: re-read. */
export type SignalHandler = (signal: ChangeSignal | null) => void;

/**
 * Changes pushed from the stores to this process: one LISTEN connection per PostgreSQL store,
 * opened on first use, and one fan-out per notification to every handler of that store.
 * SQLite stores never push: `live` is false for them and readers poll, as they do on
 * PostgreSQL while a listener is reconnecting.
 */
export interface ChangeSignals {
  /** Whether changes of `store` (its name) are pushed right now; otherwise the reader polls. */
  live(store: string): boolean;
  on(store: string, handler: SignalHandler): () => void;
  /** Per PostgreSQL store: its listener's state (for /metrics). */
  states(): { store: string; state: ListenerState; connects: number }[];
  close(): Promise<void>;
}

export function parseSignal(payload: string): ChangeSignal | null {
  if (payload === "k") return { kind: "keys" };
  if (payload.startsWith("s:") && payload.length > 2) return { kind: "sharing", tenantId: payload.slice(2) };
  return null;
}

const payloadOf = (signal: ChangeSignal) => (signal.kind === "keys" ? "k" : `s:${signal.tenantId}`);

/**
 * Announces a change in the transaction that makes it: PostgreSQL delivers the notification on
 * commit (and never for a rollback). Nothing to do on SQLite.
 */
export async function announce(
  trx: QueryExecutorProvider,
  store: Pick<SignalingStore, "postgres">,
  signal: ChangeSignal,
): Promise<void> {
  if (!store.postgres) return;
  await sql`select pg_notify(${store.postgres.channel}, ${payloadOf(signal)})`.execute(trx);
}

export function createChangeSignals(stores: readonly SignalingStore[]): ChangeSignals {
  const byName = new Map(stores.map((s) => [s.name, s]));
  const listeners = new Map<string, StoreListener>();
  const handlers = new Map<string, Set<SignalHandler>>();
  const fan = (store: string, signal: ChangeSignal | null) => {
    for (const h of handlers.get(store) ?? []) {
      try {
        h(signal);
      } catch {
        // One reader's failure must not keep the change from the others.
      }
    }
  };

  const ensure = (name: string) => {
    const link = byName.get(name)?.postgres;
    if (!link || listeners.has(name)) return;
    listeners.set(
      name,
      startStoreListener(link, {
        onNotify: (payload) => {
          const signal = parseSignal(payload);
          if (signal) fan(name, signal);
        },
        onListening: () => fan(name, null),
        onLost: () => {},
      }),
    );
  };

  return {
    live: (store) => listeners.get(store)?.state() === "listening",
    on(store, handler) {
      const set = handlers.get(store) ?? new Set();
      set.add(handler);
      handlers.set(store, set);
      ensure(store);
      return () => set.delete(handler);
    },
    states: () => [...listeners].map(([store, l]) => ({ store, state: l.state(), connects: l.connects() })),
    async close() {
      handlers.clear();
      await Promise.all([...listeners.values()].map((l) => l.stop()));
      listeners.clear();
    },
  };
}
