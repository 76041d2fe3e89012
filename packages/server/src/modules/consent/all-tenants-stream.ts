import type { ServerResponse } from "node:http";
import type { ServiceKeyIdentity } from "../service-keys/service.js";
import type { AllTenantsSharing } from "./all-tenants.js";
import { changeView } from "./all-tenants.js";
import type { ChangeLog, ChangeSubscription, StreamedChange } from "./change-log.js";
import { parseCursor } from "./change-log.js";
import { RETRY, type SharingStreams, type StreamHandle } from "./open-streams.js";

/**
 * The all-tenant sharing streams of this process (GET /v1/sharing/stream with a service key):
 * a snapshot, then one `change` event per change; `Last-Event-ID` resumes. Heartbeats and the
 * end of streams whose key is revoked are the process's stream registry's (open-streams.ts).
 */
export interface AllTenantStreams {
  /** Writes the stream to `res` (headers already sent) until the client leaves or the key is revoked. */
  open(res: ServerResponse, key: ServiceKeyIdentity, lastEventId: string | undefined): Promise<void>;
  close(): void;
}

export interface AllTenantStreamsDeps {
  readonly sharing: Pick<AllTenantsSharing, "snapshot">;
  readonly changes: Pick<ChangeLog, "subscribe">;
  readonly streams: Pick<SharingStreams, "add">;
}

export function createAllTenantStreams(deps: AllTenantStreamsDeps): AllTenantStreams {
  const open = new Set<StreamHandle>();
  /** Each change's data serialized once, whatever the number of streams it goes to. */
  const changeData = new WeakMap<StreamedChange, string>();
  const dataOf = (change: StreamedChange) => {
    let data = changeData.get(change);
    if (data === undefined) {
      data = JSON.stringify(changeView(change));
      changeData.set(change, data);
    }
    return data;
  };
  return {
    async open(res, key, lastEventId) {
      let subscription: ChangeSubscription | null = null;
      let ended = false;
      const stream = deps.streams.add(res, { kind: "service", id: key.keyId }, () => {
        ended = true;
        subscription?.unsubscribe();
        open.delete(stream);
      });
      open.add(stream);
      // The id is the stream's own cursor (its regions), so only the data is shared.
      const onChange = (change: StreamedChange, cursor: string) =>
        stream.send(`id: ${cursor}\nevent: change\ndata: ${dataOf(change)}\n\n`);

      stream.send(RETRY);
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
