import type pg from "pg";
import type { PostgresLink } from "./store.js";

export type ListenerState = "idle" | "connecting" | "listening" | "stopped";

/** One LISTEN connection to one PostgreSQL store, kept open: reconnects after every loss. */
export interface StoreListener {
  state(): ListenerState;
  /** How many times the connection was (re)established. */
  connects(): number;
  stop(): Promise<void>;
}

export interface ListenerHandlers {
  /** Each NOTIFY payload on the store's channel, in commit order. */
  onNotify(payload: string): void;
  /** After every (re)connect, once LISTEN is in place: whatever happened meanwhile must be re-read. */
  onListening(): void;
  /** The connection was lost: until onListening, changes are not pushed. */
  onLost(): void;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

export function startStoreListener(link: PostgresLink, handlers: ListenerHandlers): StoreListener {
  let client: pg.Client | null = null;
  let state: ListenerState = "connecting";
  let delay = MIN_RETRY_MS;
  let connects = 0;
  let retry: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    void c.end().catch(() => {});
    if (state === "stopped") return;
    state = "connecting";
    handlers.onLost();
    retry = setTimeout(connect, delay);
    retry.unref();
    delay = Math.min(MAX_RETRY_MS, delay * 2);
  };

  const connect = async () => {
    retry = null;
    if (state === "stopped") return;
    const c = link.newClient();
    client = c;
    // A lost connection reports an error and then ends: both mean "reconnect", once.
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    c.on("notification", (n) => {
      if (client === c && n.channel === link.channel) handlers.onNotify(n.payload ?? "");
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${link.channel}"`);
    } catch {
      lost(c);
      return;
    }
    if (client !== c || (state as ListenerState) === "stopped") return;
    state = "listening";
    delay = MIN_RETRY_MS;
    connects += 1;
    handlers.onListening();
  };

  void connect();
  return {
    state: () => state,
    connects: () => connects,
    async stop() {
      state = "stopped";
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
