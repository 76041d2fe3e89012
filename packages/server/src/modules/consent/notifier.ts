import type { ChangeSignals } from "../../stores/change-signals.js";
import type { SharingState, TenantRef } from "./types.js";

type Listener = (state: SharingState) => void;

/**
 * Pushes sharing changes to subscribers (the per-tenant SSE streams). Changes made in this
 * process are published at once. Changes made by another process on the same stores arrive as
 * a signal naming the tenant (PostgreSQL NOTIFY, ADR 0010): one read of that tenant's state,
 * then one fan-out to all its streams. Regions whose changes are not pushed (SQLite, or a
 * listener reconnecting) are polled — the subscribed tenants' versions, one query per region
 * per `pollMs`, only while someone listens; a listener that reconnects triggers one such read.
 */
export interface SharingNotifier {
  publish(state: SharingState): void;
  /** `knownVersion`: the state the subscriber already has, so it is not sent again. */
  subscribe(tenant: TenantRef, listener: Listener, knownVersion?: number): () => void;
  close(): void;
}

export interface NotifierDeps {
  readonly pollMs: number;
  readonly readStates: (region: string, tenantIds: readonly string[]) => Promise<SharingState[]>;
  /** Region → the name of its store, whose signals tell of changes (absent: poll only). */
  readonly storeNames?: ReadonlyMap<string, string>;
  readonly signals?: Pick<ChangeSignals, "live" | "on">;
}

export function createSharingNotifier(deps: NotifierDeps): SharingNotifier {
  /** Tenant → each listener with the version it already has (each its own: one that joined with a
   * newer state must not hide a change from one that has an older one). */
  const listeners = new Map<string, Map<Listener, number>>();
  const regionOf = new Map<string, string>();
  const watched = new Map<string, () => void>();
  let timer: NodeJS.Timeout | null = null;
  const reading = new Set<string>();

  const emit = (state: SharingState) => {
    const subscribed = listeners.get(state.tenantId);
    if (!subscribed) return;
    for (const [listener, known] of subscribed) {
      if (state.version <= known) continue;
      subscribed.set(listener, state.version);
      listener(state);
    }
  };

  const subscribedIn = (region: string) => [...listeners.keys()].filter((id) => regionOf.get(id) === region);

  const read = async (region: string, ids: readonly string[]) => {
    if (ids.length === 0) return;
    try {
      for (const state of await deps.readStates(region, ids)) emit(state);
    } catch {
      // A store that is briefly unreachable is retried on the next tick; /readyz reports it.
    }
  };

  const poll = async () => {
    const regions = new Set(regionOf.values());
    for (const region of regions) {
      const store = deps.storeNames?.get(region);
      if (store && deps.signals?.live(store)) continue;
      if (reading.has(region)) continue;
      reading.add(region);
      await read(region, subscribedIn(region)).finally(() => reading.delete(region));
    }
  };

  const watch = (region: string) => {
    const store = deps.storeNames?.get(region);
    if (!store || !deps.signals || watched.has(region)) return;
    watched.set(
      region,
      deps.signals.on(store, (signal) => {
        if (signal === null) void read(region, subscribedIn(region));
        else if (signal.kind === "sharing" && listeners.has(signal.tenantId))
          void read(region, [signal.tenantId]);
      }),
    );
  };

  const syncTimer = () => {
    if (listeners.size > 0 && !timer) {
      timer = setInterval(() => void poll(), deps.pollMs);
      timer.unref();
    } else if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    publish: emit,
    subscribe(tenant, listener, knownVersion = 0) {
      regionOf.set(tenant.id, tenant.region);
      const set = listeners.get(tenant.id) ?? new Map<Listener, number>();
      set.set(listener, knownVersion);
      listeners.set(tenant.id, set);
      watch(tenant.region);
      syncTimer();
      // A change announced before this subscription counted would be missed while the region is
      // pushed (no poll runs): read the tenant once now. The version check drops what is known.
      const store = deps.storeNames?.get(tenant.region);
      if (store && deps.signals?.live(store)) void read(tenant.region, [tenant.id]);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(tenant.id);
          regionOf.delete(tenant.id);
        }
        syncTimer();
      };
    },
    close() {
      listeners.clear();
      for (const unwatch of watched.values()) unwatch();
      watched.clear();
      syncTimer();
    },
  };
}
