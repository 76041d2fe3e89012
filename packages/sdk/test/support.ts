import { sql } from "kysely";
import { afterAll, beforeAll } from "vitest";
import { setSharing, type TenantFixture } from "../../server/test/fixtures.js";
import type { TestContext } from "../../server/test/harness.js";
import { type ServiceTenant, serviceTenants, share } from "../../server/test/service-fixtures.js";
import { type AssentClient, type AssentClientOptions, createAssentClient } from "../src/index.js";
import { type LiveServer, type LiveServerOptions, startLiveServer, tenantWithAdmin } from "./live-server.js";

/**
 * One live server for a `describe` block (SQLite; started before its tests, closed after them
 * with every client the tests made), and the tenants and clients the tests start from.
 */
export interface LiveSuite {
  /** The server; only once the block's `beforeAll` has run. */
  readonly server: LiveServer;
  /** A client of the server, closed after the block. */
  client(key: string, extra?: Partial<AssentClientOptions>): AssentClient;
  /** A new tenant with an admin and a key, sharing turned on when asked. */
  tenant(sharing: boolean): Promise<TenantFixture>;
}

/** Call inside `describe`: registers the block's `beforeAll`/`afterAll`. */
export function liveSuite(opts: LiveServerOptions = {}): LiveSuite {
  let current: LiveServer | null = null;
  const clients: AssentClient[] = [];
  const server = () => {
    if (!current) throw new Error("the live server is not started yet: use it inside a test");
    return current;
  };
  beforeAll(async () => {
    current = await startLiveServer("sqlite", opts);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close(100)));
    await current?.close();
  });
  return {
    get server() {
      return server();
    },
    client(key, extra = {}) {
      const c = createAssentClient({ url: server().url, key, ...extra });
      clients.push(c);
      return c;
    },
    async tenant(sharing) {
      const t = await tenantWithAdmin(server().ctx);
      if (sharing) await setSharing(server().ctx, t, true);
      return t;
    },
  };
}

/**
 * Many tenants made through the services, every `shareEvery`-th one sharing. Setup only: the
 * stores skip fsync meanwhile (`synchronous = OFF`; what a commit costs is not under test
 * here), then go back to `FULL`, so a thousand tenants take seconds, not a minute.
 */
export async function manyTenants(
  ctx: TestContext,
  perRegion: Record<string, number>,
  shareEvery: number,
): Promise<{ tenants: ServiceTenant[]; sharing: ServiceTenant[] }> {
  const stores = [ctx.services.stores.control, ...ctx.services.stores.regions.values()];
  const sqlite = ctx.dialect === "sqlite";
  if (sqlite) for (const s of stores) await sql`pragma synchronous = OFF`.execute(s.db);
  try {
    const tenants = await serviceTenants(ctx, perRegion);
    const sharing = tenants.filter((_, i) => i % shareEvery === 0);
    for (const t of sharing) await share(ctx, t, true);
    return { tenants, sharing };
  } finally {
    if (sqlite) for (const s of stores) await sql`pragma synchronous = FULL`.execute(s.db);
  }
}
