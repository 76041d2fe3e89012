import type { ChangeSignals } from "../../stores/change-signals.js";
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
 * Reads the regions' change logs in order (ADR 0007), by sequence. A region whose store pushes
 * its changes (PostgreSQL LISTEN, ADR 0010) is read when a change is announced and after its
 * listener reconnects; the others (SQLite, or a listener down) are polled every `pollMs`.
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
  readonly signals?: Pick<ChangeSignals, "live" | "on">;
}): ChangeTail {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const due = new Set<string>();
  let cursor = new Map<string, number>();
  let deliver: ((changes: SharingChange[]) => Promise<void>) | null = null;
  let unlisten: (() => void)[] = [];

  const readRegion = async (region: string, store: Store<RegionDb>) => {
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
  };

  /** Reads the regions in `regions` (now, or once the read under way is done). */
  const read = async (regions: Iterable<string>) => {
    for (const r of regions) due.add(r);
    if (running) return;
    running = true;
    try {
      while (due.size > 0 && deliver) {
        const batch = [...due];
        due.clear();
        for (const region of batch) {
          const store = deps.regions.get(region);
          if (store) await readRegion(region, store);
        }
      }
    } finally {
      running = false;
    }
  };

  const tick = () => {
    const polled = [...deps.regions].filter(([, s]) => !deps.signals?.live(s.name)).map(([r]) => r);
    if (polled.length > 0) void read(polled);
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
      if (deps.signals && unlisten.length === 0) {
        const signals = deps.signals;
        unlisten = [...deps.regions].map(([region, store]) =>
          signals.on(store.name, (signal) => {
            if (signal === null || signal.kind === "sharing") void read([region]);
          }),
        );
      }
      if (!timer) {
        timer = setInterval(tick, deps.pollMs);
        timer.unref();
      }
      // A change committed between the caller's read and the subscription above was announced
      // to nobody: read every region once from the cursor.
      void read(deps.regions.keys());
    },
    poke() {
      if (deliver) void read(deps.regions.keys());
    },
    stop() {
      deliver = null;
      for (const u of unlisten) u();
      unlisten = [];
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
