import type { RegionDb } from "../../stores/region-schema.js";
import type { Store } from "../../stores/store.js";
import { consentRepo } from "./repo.js";

/** One change of one tenant's setting, as the region's change log holds it. */
export interface SharingChange {
  readonly region: string;
  /** The region's change-log sequence: commit order within the region. */
  readonly seq: number;
  readonly tenantId: string;
  readonly sharing: "on" | "off";
  readonly since: number;
  readonly version: number;
  /** The features shared (null: every feature). */
  readonly features: readonly string[] | null;
}

/**
 * Reads the regions' change logs in order (ADR 0007). This one polls by sequence, which works on
 * both dialects; a PostgreSQL LISTEN/NOTIFY wake-up can replace the timer here and nothing else.
 */
export interface ChangeTail {
  /** The newest `limit` changes of a region (oldest first) and whether older ones may exist. */
  recent(region: string, limit: number): Promise<{ changes: SharingChange[]; complete: boolean }>;
  /**
   * Calls `deliver` with each region's changes after `from[region]`, in order, until stopped;
   * a delivery finishes before the next poll of its region starts.
   */
  start(from: ReadonlyMap<string, number>, deliver: (changes: SharingChange[]) => Promise<void>): void;
  /** Polls now (a change was made by this process). */
  poke(): void;
  stop(): void;
}

const PAGE = 1000;

const toChange = (
  region: string,
  r: {
    seq: unknown;
    tenant_id: string;
    enabled: unknown;
    since: unknown;
    version: unknown;
    features?: string | null;
  },
): SharingChange => ({
  region,
  seq: Number(r.seq),
  tenantId: r.tenant_id,
  sharing: Number(r.enabled) === 1 ? "on" : "off",
  since: Number(r.since),
  version: Number(r.version),
  features: typeof r.features === "string" ? (JSON.parse(r.features) as string[]) : null,
});

export function createPollingChangeTail(deps: {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly pollMs: number;
}): ChangeTail {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let cursor = new Map<string, number>();
  let deliver: ((changes: SharingChange[]) => Promise<void>) | null = null;

  const poll = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        for (const [region, store] of deps.regions) {
          try {
            let page: SharingChange[];
            do {
              const from = cursor.get(region) ?? 0;
              page = (await consentRepo.changesAfter(store.db, from, PAGE)).map((r) => toChange(region, r));
              if (page.length === 0 || !deliver) break;
              cursor.set(region, (page.at(-1) as SharingChange).seq);
              await deliver(page);
            } while (page.length === PAGE);
          } catch {
            // A region briefly out of reach is read again on the next tick; /readyz reports it.
          }
        }
      } while (again && deliver);
    } finally {
      running = false;
    }
  };

  return {
    async recent(region, limit) {
      const store = deps.regions.get(region);
      if (!store) return { changes: [], complete: true };
      const rows = await consentRepo.recentChanges(store.db, limit);
      return { changes: rows.map((r) => toChange(region, r)), complete: rows.length < limit };
    },
    start(from, onChanges) {
      cursor = new Map(from);
      deliver = onChanges;
      if (!timer) {
        timer = setInterval(() => void poll(), deps.pollMs);
        timer.unref();
      }
    },
    poke() {
      if (deliver) void poll();
    },
    stop() {
      deliver = null;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
