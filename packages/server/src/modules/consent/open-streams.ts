import type { ServerResponse } from "node:http";
import type { ChangeSignals } from "../../stores/change-signals.js";

/** Which key a stream was opened with: a tenant's ingestion key or a service key. */
export interface StreamKey {
  readonly kind: "tenant" | "service";
  readonly id: string;
}

export interface StreamHandle {
  /**
   * Writes one event (a Buffer when the same event goes to many streams: serialized once); a
   * client that stopped reading is cut off rather than buffered without end.
   */
  send(event: string | Buffer): void;
  end(reason?: "revoked"): void;
}

/**
 * Every sharing stream open in this process (per-tenant and all-tenant), so that no stream needs
 * a timer of its own: one heartbeat timer pings them all (proxies keep idle streams open), and
 * revoked keys end their streams — checked in one query per kind of key when the control store
 * announces a revocation (ADR 0010), or every `keyCheckMs` while it cannot (SQLite, listener down).
 */
export interface SharingStreams {
  add(res: ServerResponse, key: StreamKey, onEnd?: () => void): StreamHandle;
  count(): number;
  close(): void;
}

export interface SharingStreamsDeps {
  /** Of these key ids, the ones still live (one query each). */
  readonly liveKeyIds: Record<StreamKey["kind"], (ids: readonly string[]) => Promise<Set<string>>>;
  readonly keyCheckMs: number;
  readonly controlStore: string;
  readonly signals?: Pick<ChangeSignals, "live" | "on">;
  readonly pingMs?: number;
  /** Bytes a stream may have waiting for a slow client before it is ended (default 256 KiB). */
  readonly maxBufferedBytes?: number;
}

/** Reconnect after a second: the first line of every stream. */
export const RETRY = Buffer.from("retry: 1000\n\n");
/** The heartbeat comment, one Buffer for every stream. */
const PING = Buffer.from(": ping\n\n");

interface Entry {
  readonly key: StreamKey;
  readonly res: ServerResponse;
  readonly handle: StreamHandle;
}

export function createSharingStreams(deps: SharingStreamsDeps): SharingStreams {
  const open = new Set<Entry>();
  const maxBuffered = deps.maxBufferedBytes ?? 256 * 1024;
  let keyTimer: NodeJS.Timeout | null = null;
  let pingTimer: NodeJS.Timeout | null = null;
  let unlisten: (() => void) | null = null;
  let checking = false;
  let again = false;

  const checkKeys = async () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        for (const kind of ["tenant", "service"] as const) {
          const ids = [...new Set([...open].filter((s) => s.key.kind === kind).map((s) => s.key.id))];
          if (ids.length === 0) continue;
          const live = await deps.liveKeyIds[kind](ids);
          for (const s of [...open]) if (s.key.kind === kind && !live.has(s.key.id)) s.handle.end("revoked");
        }
      } while (again && open.size > 0);
    } catch {
      // The control store out of reach: keys are checked again on the next tick or signal.
    } finally {
      checking = false;
    }
  };

  const sync = () => {
    if (open.size > 0 && !keyTimer) {
      keyTimer = setInterval(() => {
        if (!deps.signals?.live(deps.controlStore)) void checkKeys();
      }, deps.keyCheckMs);
      keyTimer.unref();
      pingTimer = setInterval(() => {
        for (const s of open) s.handle.send(PING);
      }, deps.pingMs ?? 15_000);
      pingTimer.unref();
      unlisten =
        deps.signals?.on(deps.controlStore, (signal) => {
          if (signal === null || signal.kind === "keys") void checkKeys();
        }) ?? null;
    } else if (open.size === 0 && keyTimer) {
      clearInterval(keyTimer);
      if (pingTimer) clearInterval(pingTimer);
      unlisten?.();
      keyTimer = null;
      pingTimer = null;
      unlisten = null;
    }
  };

  return {
    add(res, key, onEnd) {
      let ended = false;
      const handle: StreamHandle = {
        send(event) {
          if (ended) return;
          if (res.writableLength > maxBuffered) {
            // The client reconnects (retry: 1000) and resumes from its last event id or state.
            handle.end();
            return;
          }
          res.write(event);
        },
        end(reason) {
          if (ended) return;
          ended = true;
          open.delete(entry);
          sync();
          onEnd?.();
          if (reason === "revoked") res.write(`event: revoked\ndata: {"error":"invalid_key"}\n\n`);
          res.end();
        },
      };
      const entry: Entry = { key, res, handle };
      open.add(entry);
      sync();
      res.on("close", () => handle.end());
      return handle;
    },
    count: () => open.size,
    close() {
      for (const s of [...open]) s.handle.end();
    },
  };
}
