import type { SharingState, TenantRef } from "./types.js";

type Listener = (state: SharingState) => void;

/**
 * Pushes sharing changes to subscribers (the SSE stream). Changes made in this process are
 * published at once; changes made by another process on the same stores are picked up by a
 * poll of the subscribed tenants' state versions, which runs only while someone listens.
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
}

export function createSharingNotifier(deps: NotifierDeps): SharingNotifier {
  const listeners = new Map<string, Set<Listener>>();
  const regionOf = new Map<string, string>();
  const lastVersion = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  const emit = (state: SharingState) => {
    const seen = lastVersion.get(state.tenantId) ?? 0;
    if (state.version <= seen) return;
    lastVersion.set(state.tenantId, state.version);
    for (const l of listeners.get(state.tenantId) ?? []) l(state);
  };

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const byRegion = new Map<string, string[]>();
      for (const tenantId of listeners.keys()) {
        const region = regionOf.get(tenantId);
        if (region === undefined) continue;
        const list = byRegion.get(region) ?? [];
        list.push(tenantId);
        byRegion.set(region, list);
      }
      for (const [region, ids] of byRegion) {
        for (const state of await deps.readStates(region, ids)) emit(state);
      }
    } catch {
      // A store that is briefly unreachable is retried on the next tick; /readyz reports it.
    } finally {
      polling = false;
    }
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
      lastVersion.set(tenant.id, Math.max(lastVersion.get(tenant.id) ?? 0, knownVersion));
      const set = listeners.get(tenant.id) ?? new Set();
      set.add(listener);
      listeners.set(tenant.id, set);
      syncTimer();
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(tenant.id);
          lastVersion.delete(tenant.id);
        }
        syncTimer();
      };
    },
    close() {
      listeners.clear();
      syncTimer();
    },
  };
}
