import path from "node:path";
import { type Migration, Migrator } from "kysely";
import type { Config } from "../config.js";
import type { ControlDb } from "./control-schema.js";
import { controlMigrations } from "./migrations/control.js";
import { regionMigrations } from "./migrations/region.js";
import type { MigrationSet } from "./migrations/types.js";
import { openPostgresStore } from "./postgres.js";
import type { RegionDb } from "./region-schema.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export async function openStore<DB>(
  name: string,
  url: string,
  dataDir: string,
  poolSize?: number,
): Promise<Store<DB>> {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    return openSqliteStore<DB>(name, path.resolve(dataDir, file));
  }
  return openPostgresStore<DB>(name, url, poolSize);
}

export async function migrate<DB>(store: Store<DB>, set: MigrationSet): Promise<void> {
  const migrations = set(store.dialect);
  const migrator = new Migrator({
    db: store.db,
    // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} of store ${store.name} failed: ${(error as Error).message}`);
  }
}

export interface Stores {
  readonly control: Store<ControlDb>;
  /** Region name → that region's store. The only way to a tenant's data is through its region. */
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  close(): Promise<void>;
}

/** Opens the control store and every region's store and brings their schemas up to date. */
export async function openStores(
  config: Pick<Config, "controlStore" | "regions" | "dataDir"> & Partial<Pick<Config, "postgres">>,
): Promise<Stores> {
  const opened: Store<unknown>[] = [];
  const poolOf = (name: string) => config.postgres?.pools[name] ?? config.postgres?.poolSize;
  try {
    const control = await openStore<ControlDb>(
      "control",
      config.controlStore,
      config.dataDir,
      poolOf("control"),
    );
    opened.push(control as Store<unknown>);
    await migrate(control, controlMigrations);
    const regions = new Map<string, Store<RegionDb>>();
    for (const [region, url] of Object.entries(config.regions)) {
      const store = await openStore<RegionDb>(`region-${region}`, url, config.dataDir, poolOf(region));
      opened.push(store as Store<unknown>);
      await migrate(store, regionMigrations);
      regions.set(region, store);
    }
    return {
      control,
      regions,
      close: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw err;
  }
}
