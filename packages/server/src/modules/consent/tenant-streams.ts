import type { StreamHandle } from "./open-streams.js";
import type { SharingState, TenantRef } from "./types.js";

/**
 * The per-tenant sharing streams of this process (GET /v1/sharing/stream with a tenant's key),
 * grouped by tenant: one subscription to the notifier per tenant, not per stream, and each state's
 * event read and serialized once (one Buffer), then written to every stream of the tenant in one
 * synchronous loop — no promise, string or listener per stream per change (issue 10: 10,000 idle
 * streams). Events go out in version order; a stream never gets a state older than one it has.
 */
export interface TenantStreams {
  /**
   * The tenant's state for a stream that opens: streams opening at once share one read (10,000
   * clients reconnecting after a restart make a handful of queries, not 10,000 queued ones). A
   * change committed while the shared read runs still reaches them (`join`).
   */
  state(tenant: TenantRef): Promise<SharingState>;
  /**
   * Sends `initial` (the state read when the stream opened) to `stream` as its first event, then
   * every later state of the tenant. Returns the function to call when the stream ends.
   */
  join(tenant: TenantRef, initial: SharingState, stream: Pick<StreamHandle, "send">): () => void;
  /** Open streams per tenant group (for tests). */
  groups(): number;
}

export interface TenantStreamsDeps {
  /** The notifier's subscription (ConsentService.subscribe). */
  readonly subscribe: (
    tenant: TenantRef,
    listener: (state: SharingState) => void,
    knownVersion?: number,
  ) => () => void;
  /** Reads the tenant's current state (ConsentService.getState). */
  readonly read: (tenant: TenantRef) => Promise<SharingState>;
  /** A state's `sharing` event as sent on the wire, made once per state object; never rejects. */
  readonly event: (state: SharingState) => Promise<Buffer>;
}

interface Member {
  readonly stream: Pick<StreamHandle, "send">;
  /** The version of the last state sent to this stream. */
  version: number;
  /** Its first event went out: events queued before it joined are not its own. */
  started: boolean;
}

interface Group {
  readonly members: Set<Member>;
  /** Events in order: each waits for the one before (an event may need a read first). */
  queue: Promise<void>;
  /** The newest state the notifier gave the group: a stream joining with an older one gets it too. */
  latest: SharingState | null;
  unsubscribe: () => void;
}

export function createTenantStreams(deps: TenantStreamsDeps): TenantStreams {
  const groups = new Map<string, Group>();
  const reading = new Map<string, Promise<SharingState>>();

  const write = (members: Iterable<Member>, state: SharingState, bytes: Buffer) => {
    for (const m of members) {
      if (!m.started || state.version <= m.version) continue;
      m.version = state.version;
      m.stream.send(bytes);
    }
  };

  /** Queues `state` for every member of the group at the time it goes out (or for `only`). */
  const enqueue = (group: Group, state: SharingState, only?: Member) => {
    if (!only && state.version > (group.latest?.version ?? 0)) group.latest = state;
    const event = deps.event(state);
    group.queue = group.queue
      .then(async () => {
        const bytes = await event;
        if (only) {
          if (!group.members.has(only)) return;
          only.started = true;
          write([only], state, bytes);
        } else write(group.members, state, bytes);
      })
      .catch(() => {
        // A write never throws (a gone client is ended by the registry); nothing else can fail.
      });
  };

  return {
    state(tenant) {
      let read = reading.get(tenant.id);
      if (read === undefined) {
        read = deps.read(tenant).finally(() => reading.delete(tenant.id));
        reading.set(tenant.id, read);
      }
      return read;
    },
    join(tenant, initial, stream) {
      let group = groups.get(tenant.id);
      if (!group) {
        const created: Group = {
          members: new Set(),
          queue: Promise.resolve(),
          latest: null,
          unsubscribe: () => {},
        };
        groups.set(tenant.id, created);
        created.unsubscribe = deps.subscribe(tenant, (state) => enqueue(created, state), initial.version);
        group = created;
      }
      const member: Member = { stream, version: 0, started: false };
      group.members.add(member);
      enqueue(group, initial, member);
      // Its state was read before a change the group has already had: that change follows.
      if (group.latest && group.latest.version > initial.version) enqueue(group, group.latest, member);
      const joined = group;
      return () => {
        if (!joined.members.delete(member)) return;
        if (joined.members.size === 0 && groups.get(tenant.id) === joined) {
          groups.delete(tenant.id);
          joined.unsubscribe();
        }
      };
    },
    groups: () => groups.size,
  };
}
