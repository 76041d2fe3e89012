import type { ServerResponse } from "node:http";
import type { ServiceKeyIdentity } from "../service-keys/service.js";
import type { AllTenantsSharing } from "./all-tenants.js";
import { changeView } from "./all-tenants.js";
import type { ChangeLog, ChangeSubscription } from "./change-log.js";
import { parseCursor } from "./change-log.js";

/**
 * The all-tenant sharing streams of this process (GET /v1/sharing/stream with a service key):
 * a snapshot, then one `change` event per change; `Last-Event-ID` resumes. One timer checks the
 * keys of every open stream (one query) and ends the streams of revoked keys; one timer pings.
 */
export interface AllTenantStreams {
  /** Writes the stream to `res` (headers already sent) until the client leaves or the key is revoked. */
  open(res: ServerResponse, key: ServiceKeyIdentity, lastEventId: string | undefined): Promise<void>;
  close(): void;
}

export interface AllTenantStreamsDeps {
  readonly sharing: Pick<AllTenantsSharing, "snapshot">;
  readonly changes: Pick<ChangeLog, "subscribe">;
  readonly liveKeyIds: (ids: readonly string[]) => Promise<Set<string>>;
  readonly keyCheckMs: number;
  readonly pingMs?: number;
}

interface OpenStream {
  readonly keyId: string;
  readonly res: ServerResponse;
  end(reason?: "revoked"): void;
}

export function createAllTenantStreams(deps: AllTenantStreamsDeps): AllTenantStreams {
  const open = new Set<OpenStream>();
  let keyTimer: NodeJS.Timeout | null = null;
  let pingTimer: NodeJS.Timeout | null = null;
  let checking = false;

  const checkKeys = async () => {
    if (checking || open.size === 0) return;
    checking = true;
    try {
      const ids = [...new Set([...open].map((s) => s.keyId))];
      const live = await deps.liveKeyIds(ids);
      for (const s of [...open]) if (!live.has(s.keyId)) s.end("revoked");
    } catch {
      // The control store out of reach: keys are checked again on the next tick.
    } finally {
      checking = false;
    }
  };

  const syncTimers = () => {
    if (open.size > 0 && !keyTimer) {
      keyTimer = setInterval(() => void checkKeys(), deps.keyCheckMs);
      keyTimer.unref();
      pingTimer = setInterval(() => {
        for (const s of open) s.res.write(": ping\n\n");
      }, deps.pingMs ?? 15_000);
      pingTimer.unref();
    } else if (open.size === 0 && keyTimer) {
      clearInterval(keyTimer);
      if (pingTimer) clearInterval(pingTimer);
      keyTimer = null;
      pingTimer = null;
    }
  };

  return {
    async open(res, key, lastEventId) {
      const send = (event: string, id: string, data: unknown) =>
        res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const onChange = (change: Parameters<Parameters<ChangeLog["subscribe"]>[2]>[0], cursor: string) =>
        send("change", cursor, changeView(change));

      let subscription: ChangeSubscription | null = null;
      let ended = false;
      const stream: OpenStream = {
        keyId: key.keyId,
        res,
        end(reason) {
          if (ended) return;
          ended = true;
          subscription?.unsubscribe();
          open.delete(stream);
          syncTimers();
          if (reason === "revoked") res.write(`event: revoked\ndata: {"error":"invalid_key"}\n\n`);
          res.end();
        },
      };
      open.add(stream);
      syncTimers();
      res.on("close", () => stream.end());

      res.write("retry: 1000\n\n");
      const resume = parseCursor(lastEventId);
      if (resume) subscription = await deps.changes.subscribe(key.regions, resume, onChange);
      if (!subscription) {
        const snapshot = await deps.sharing.snapshot(key.regions);
        if (ended) return;
        // Serialized once per cursor, shared by every stream (re)connecting at it.
        res.write(`id: ${snapshot.body.cursor}\nevent: snapshot\ndata: `);
        res.write(snapshot.json);
        res.write("\n\n");
        subscription = await deps.changes.subscribe(key.regions, snapshot.cursor, onChange, { force: true });
      }
      if (ended) subscription?.unsubscribe();
    },
    close() {
      for (const s of [...open]) s.end();
    },
  };
}
