import type { SdkExclusions } from "../scopes/sdk-exclusions.js";
import type { ChangeTail, SharingChange } from "./change-tail.js";

/**
 * A change as streams send it: with the vendor's external id of the tenant when it has one, and
 * (while on) the tenant's excluded subjects' check values when it has any, so a service-key SDK
 * drops their items locally. Those are read when the change is taken in: as new as the change
 * or newer, and every later exclusion change is a change of its own.
 */
export interface StreamedChange extends SharingChange {
  readonly externalId: string | null;
  readonly exclusions: SdkExclusions | null;
}

/** Per region, the last change-log sequence a reader has seen: the id of every stream event. */
export type Cursor = ReadonlyMap<string, number>;

/** `us:123,eu:45` (regions sorted): comparable across processes, since sequences are per store. */
export function formatCursor(cursor: Cursor): string {
  return [...cursor]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([r, s]) => `${r}:${s}`)
    .join(",");
}

export function parseCursor(text: string | undefined): Map<string, number> | null {
  if (!text || text.length > 1024 || !/^[a-z0-9-]{1,32}:\d{1,15}(,[a-z0-9-]{1,32}:\d{1,15})*$/.test(text))
    return null;
  return new Map(
    text.split(",").map((part) => {
      const [region, seq] = part.split(":") as [string, string];
      return [region, Number(seq)];
    }),
  );
}

/** The sum of a cursor's sequences: a single number that only grows, for `version`. */
export const cursorVersion = (cursor: Cursor): number => [...cursor.values()].reduce((a, b) => a + b, 0);

export interface ChangeSubscription {
  unsubscribe(): void;
}

/**
 * The recent changes of every region, kept in memory while any all-tenant stream listens, fed
 * by the change tail. A stream resumes from a cursor with only the changes after it, or is told
 * to start over from a snapshot when those are no longer kept.
 */
export interface ChangeLog {
  /**
   * Subscribes `send` to the changes of `regions` after `from`: replays the kept ones at once,
   * then each new one. Null when `from` is older than what is kept for one of the regions (the
   * caller sends a snapshot and subscribes from its cursor with `force`).
   */
  subscribe(
    regions: readonly string[],
    from: Cursor,
    send: (change: StreamedChange, cursor: string) => void,
    opts?: { force?: boolean },
  ): Promise<ChangeSubscription | null>;
  /** Polls now (a change was made by this process). */
  poke(): void;
  close(): void;
}

export interface ChangeLogDeps {
  readonly tail: ChangeTail;
  readonly regions: readonly string[];
  /** The external ids of tenants that have one (a lookup in the control store). */
  readonly externalIds: (tenantIds: readonly string[]) => Promise<Map<string, string>>;
  /** The excluded subjects' check values of those of `tenantIds` (in `region`) that have any. */
  readonly exclusions?: (region: string, tenantIds: readonly string[]) => Promise<Map<string, SdkExclusions>>;
  /** Changes kept per region (default 10,000). */
  readonly keep?: number;
}

interface RegionLog {
  /** Every change with seq > floor is in `entries` (ascending). */
  floor: number;
  head: number;
  entries: StreamedChange[];
}

interface Subscriber {
  readonly regions: ReadonlySet<string>;
  readonly cursor: Map<string, number>;
  readonly send: (change: StreamedChange, cursor: string) => void;
}

export function createChangeLog(deps: ChangeLogDeps): ChangeLog {
  const keep = deps.keep ?? 10_000;
  const logs = new Map<string, RegionLog>();
  const subscribers = new Set<Subscriber>();
  let ready: Promise<void> | null = null;

  const enrich = async (changes: readonly SharingChange[]): Promise<StreamedChange[]> => {
    const ext = await deps.externalIds([...new Set(changes.map((c) => c.tenantId))]);
    const onByRegion = new Map<string, Set<string>>();
    for (const c of changes) {
      if (c.sharing !== "on") continue;
      const ids = onByRegion.get(c.region) ?? new Set<string>();
      ids.add(c.tenantId);
      onByRegion.set(c.region, ids);
    }
    const excl = new Map<string, SdkExclusions>();
    if (deps.exclusions)
      for (const [region, ids] of onByRegion)
        for (const [id, e] of await deps.exclusions(region, [...ids])) excl.set(id, e);
    return changes.map((c) => ({
      ...c,
      externalId: ext.get(c.tenantId) ?? null,
      exclusions: c.sharing === "on" ? (excl.get(c.tenantId) ?? null) : null,
    }));
  };

  const deliver = (change: StreamedChange, sub: Subscriber) => {
    if (!sub.regions.has(change.region) || change.seq <= (sub.cursor.get(change.region) ?? 0)) return;
    sub.cursor.set(change.region, change.seq);
    sub.send(change, formatCursor(sub.cursor));
  };

  const append = async (raw: SharingChange[]) => {
    const changes = await enrich(raw);
    for (const change of changes) {
      const log = logs.get(change.region);
      if (!log || change.seq <= log.head) continue;
      log.entries.push(change);
      log.head = change.seq;
      if (log.entries.length > keep) {
        const dropped = log.entries.splice(0, log.entries.length - keep);
        log.floor = (dropped.at(-1) as StreamedChange).seq;
      }
      for (const sub of subscribers) deliver(change, sub);
    }
  };

  const start = () => {
    ready ??= (async () => {
      const from = new Map<string, number>();
      for (const region of deps.regions) {
        const { changes, complete } = await deps.tail.recent(region, keep);
        const entries = await enrich(changes);
        const head = entries.at(-1)?.seq ?? 0;
        const floor = complete ? 0 : (entries[0]?.seq ?? 1) - 1;
        logs.set(region, { floor, head, entries });
        from.set(region, head);
      }
      deps.tail.start(from, append);
    })().catch((err) => {
      ready = null;
      throw err;
    });
    return ready;
  };

  const stop = () => {
    deps.tail.stop();
    logs.clear();
    ready = null;
  };

  return {
    async subscribe(regions, from, send, opts = {}) {
      // A stream that ended meanwhile may have stopped the log: start it again until it runs.
      do await start();
      while (logs.size === 0 && deps.regions.length > 0);
      const covered = regions.filter((r) => logs.has(r));
      const kept = covered.every((r) => {
        const at = from.get(r);
        return at !== undefined && at >= (logs.get(r) as RegionLog).floor;
      });
      if (!kept && !opts.force) return null;
      const sub: Subscriber = {
        regions: new Set(covered),
        cursor: new Map(covered.map((r) => [r, from.get(r) ?? 0])),
        send,
      };
      // Replay, then register, with no await between: no change can fall in the gap.
      for (const r of covered) for (const change of (logs.get(r) as RegionLog).entries) deliver(change, sub);
      subscribers.add(sub);
      return {
        unsubscribe() {
          subscribers.delete(sub);
          if (subscribers.size === 0) stop();
        },
      };
    },
    poke: () => deps.tail.poke(),
    close() {
      subscribers.clear();
      stop();
    },
  };
}
