import { unrefTimer } from "./backoff.js";
import { type FollowOptions, follow } from "./follow.js";
import { subjectCheck } from "./sharing.js";
import type { AssentEvent, SharingValue, TenantsSharingState } from "./types.js";

/**
 * What this process knows of one tenant that shares. A new object on every change, so a batch
 * can tell whether the state it was sent under is still the current one.
 */
export interface TenantEntry {
  readonly id: string;
  /** The vendor's external id of the tenant, when the service names it. */
  readonly externalId: string | null;
  readonly since: string;
  readonly region: string;
  /** The features the tenant shares; null: all of them. */
  readonly features: ReadonlySet<string> | null;
  /** With excluded subjects only: the key subjects are checked with, and the excluded check values. */
  readonly subjectKey: Buffer | null;
  readonly excluded: ReadonlySet<string> | null;
}

/** What changed, for the client: one tenant, a new snapshot, or only the confirmation/refusal. */
export type TenantsChange =
  | { readonly kind: "tenant"; readonly tenant: string; readonly sharing: "on" | "off" }
  | { readonly kind: "snapshot" }
  | { readonly kind: "status" };

/**
 * Every tenant's sharing state for a service key, kept current from one all-tenant stream
 * (`snapshot`, then `change` events; `Last-Event-ID` on reconnect) with `GET /v1/sharing`
 * polling (ETag) while the stream is down. Memory: one Map entry per tenant that shares (a tenant
 * not listed is off), nothing else per tenant. Like the single-tenant watcher, it only ever
 * decides to hold back: the service's gate decides what is stored.
 */
export interface TenantsWatcher {
  /** "unknown" until the first snapshot, and while the key is refused. */
  sharingOf(tenant: string, feature?: string): SharingValue;
  /** The tenant excluded this subject (as far as this process knows): drop their items here. */
  excludes(tenant: string, subject: string): boolean;
  /** The entry an item of `tenant` is sent under, or undefined when the tenant does not share. */
  entry(tenant: string): TenantEntry | undefined;
  /** A snapshot arrived, the state is confirmed and the key accepted: items may be sent. */
  canSend(): boolean;
  readonly state: TenantsSharingState;
  subscribe(listener: (c: TenantsChange) => void): () => void;
  /** Resolves once the first snapshot arrived, or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<TenantsSharingState>;
  /**
   * An ingest answer said `tenant` is off. Taken when the entry the batch was sent under is still
   * the current one (the stream has not spoken since); an older answer is ignored.
   */
  reportOff(tenant: string, sentUnder: TenantEntry | undefined): void;
  reportKeyRefused(): void;
  close(): void;
}

const str = (x: unknown, max = 256): string | null =>
  typeof x === "string" && x.length > 0 && x.length <= max ? x : null;

export function createTenantsWatcher(o: FollowOptions): TenantsWatcher {
  const listeners = new Set<(c: TenantsChange) => void>();
  /** tenant id (and the vendor's external id, when the service names it) → entry. */
  let on = new Map<string, TenantEntry>();
  let known = false;
  let version: number | null = null;
  let lastId: string | null = null;
  let lastStatus = "";
  let sharingCount = 0;
  let snapshots = 0;
  /** Region names repeat for every tenant: keep one string of each. */
  const regions = new Map<string, string>();

  const report = (event: AssentEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // Diagnostics must not break the client.
    }
  };
  const emit = (c: TenantsChange) => {
    for (const l of [...listeners]) {
      try {
        l(c);
      } catch {
        // One listener's failure must not keep the others from learning an opt-out.
      }
    }
  };

  const intern = (region: string): string => {
    const known = regions.get(region);
    if (known !== undefined) return known;
    regions.set(region, region);
    return region;
  };

  const toEntry = (id: string, v: unknown): TenantEntry | null => {
    if (typeof v !== "object" || v === null) return null;
    const m = v as Record<string, unknown>;
    const region = str(m.region, 64) ?? "";
    const features = Array.isArray(m.features)
      ? new Set(m.features.filter((f): f is string => typeof f === "string"))
      : null;
    const excluded = Array.isArray(m.excluded)
      ? new Set(m.excluded.filter((f): f is string => typeof f === "string"))
      : null;
    const key = str(m.subjectKey);
    const withExclusions = excluded !== null && excluded.size > 0 && key !== null;
    return {
      id,
      externalId: str(m.externalId),
      since: str(m.since, 64) ?? "",
      region: intern(region),
      features,
      subjectKey: withExclusions ? Buffer.from(key, "base64url") : null,
      excluded: withExclusions ? excluded : null,
    };
  };

  /** Adds a tenant that shares under its id and its external id; returns true when added. */
  const put = (map: Map<string, TenantEntry>, id: string, v: unknown): boolean => {
    const e = toEntry(id, v);
    if (!e) return false;
    map.set(id, e);
    if (e.externalId !== null && e.externalId !== id) map.set(e.externalId, e);
    return true;
  };

  /** Forgets a tenant by either of its names. */
  const remove = (name: string): boolean => {
    const e = on.get(name);
    if (!e) return false;
    on.delete(e.id);
    if (e.externalId !== null) on.delete(e.externalId);
    sharingCount -= 1;
    return true;
  };

  /** `{"tenants": {...}, "version"}`: the whole state, replacing what we knew. */
  const applySnapshot = (text: string): boolean => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return false;
    }
    const tenants = (v as { tenants?: unknown } | null)?.tenants;
    if (typeof tenants !== "object" || tenants === null || Array.isArray(tenants)) return false;
    const next = new Map<string, TenantEntry>();
    let count = 0;
    for (const [id, t] of Object.entries(tenants as Record<string, unknown>)) {
      if ((t as { sharing?: unknown } | null)?.sharing === "off") continue;
      if (put(next, id, t)) count += 1;
    }
    on = next;
    sharingCount = count;
    snapshots += 1;
    known = true;
    const { version: n, cursor } = v as { version?: unknown; cursor?: unknown };
    version = typeof n === "number" ? n : version;
    // A polled snapshot carries the stream position it is current at: resume from there.
    if (typeof cursor === "string" && cursor.length > 0 && cursor.length <= 1024) lastId = cursor;
    emit({ kind: "snapshot" });
    return true;
  };

  /** `{"tenant", "sharing", "since", "region", "features"?}`: one tenant's change. */
  const applyChange = (text: string): boolean => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return false;
    }
    const m = v as Record<string, unknown> | null;
    const tenant = str(m?.tenant);
    if (!m || !tenant || (m.sharing !== "on" && m.sharing !== "off")) return false;
    if (typeof m.version === "number") version = m.version;
    if (!known) return true; // a change before any snapshot: the snapshot that follows has it
    remove(tenant);
    if (m.sharing === "on" && put(on, tenant, m)) sharingCount += 1;
    emit({ kind: "tenant", tenant, sharing: m.sharing });
    return true;
  };

  const follower = follow(o, {
    event(ev) {
      const ok =
        ev.event === "snapshot"
          ? applySnapshot(ev.data)
          : ev.event === "change"
            ? applyChange(ev.data)
            : null;
      if (ok === null) return false;
      if (!ok) {
        report({ kind: "stream", message: `a ${ev.event} event had an unreadable body` });
        return false;
      }
      if (ev.id !== null) lastId = ev.id;
      return true;
    },
    polled: applySnapshot,
    refused() {
      // Until the service takes the key again nothing is known; the next stream starts afresh.
      known = false;
      on = new Map();
      sharingCount = 0;
      lastId = null;
      emit({ kind: "snapshot" });
    },
    changed() {
      const status = `${known}:${follower.confirmed()}:${follower.keyRefused}`;
      if (status === lastStatus) return;
      lastStatus = status;
      emit({ kind: "status" });
    },
    lastEventId: () => lastId,
  });

  const state = (): TenantsSharingState => ({
    known,
    sharingTenants: known ? sharingCount : 0,
    version,
    snapshots,
    confirmed: follower.confirmed(),
    keyRefused: follower.keyRefused,
  });

  const watcher: TenantsWatcher = {
    sharingOf(tenant, feature) {
      if (!known || follower.keyRefused) return "unknown";
      const e = on.get(tenant);
      if (!e) return "off";
      return feature === undefined || e.features === null || e.features.has(feature) ? "on" : "off";
    },
    excludes(tenant, subject) {
      const e = known ? on.get(tenant) : undefined;
      if (!e?.excluded || e.subjectKey === null) return false;
      return e.excluded.has(subjectCheck(e.subjectKey, subject));
    },
    entry: (tenant) => (known ? on.get(tenant) : undefined),
    canSend: () => known && follower.confirmed(),
    get state() {
      return state();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready(timeoutMs) {
      if (known || follower.closed) return Promise.resolve(state());
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
          resolve(state());
        };
        const timer = unrefTimer(done, timeoutMs);
        const unsubscribe = watcher.subscribe(() => {
          if (known) done();
        });
      });
    },
    reportOff(tenant, sentUnder) {
      const e = on.get(tenant);
      if (!e || e !== sentUnder) return;
      remove(tenant);
      emit({ kind: "tenant", tenant, sharing: "off" });
      // The stream will confirm; without one, the next poll does (the version changed).
    },
    reportKeyRefused: () => follower.refuseKey(),
    close() {
      follower.close();
      listeners.clear();
    },
  };
  return watcher;
}
