import { existsSync, readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, item, setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/** Every byte of a SQLite store as it is on disk: the main file and the write-ahead log. */
function storeBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
}

describe.each(dialects())("content at rest on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  it("keeps input and output encrypted in the store", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    const marker = `ATREST${Math.random().toString(36).slice(2)}MARKER`;
    const res = await ingest(
      ctx,
      t.key,
      Array.from({ length: 50 }, (_, i) =>
        item({ input: `${marker} prompt ${i}`, output: { text: `${marker} answer` } }),
      ),
    );
    expect(res.json().accepted).toBe(50);
    const store = ctx.services.stores.regions.get("us")!;
    if (store.file) {
      const bytes = storeBytes(store.file);
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
      // Also not as UTF-16 or in a JSON-escaped form.
      expect(bytes.includes(Buffer.from(marker, "utf16le"))).toBe(false);
      // The same check finds the marker when it is there: the feature name is metadata, in clear.
      const feature = `feature.${marker.toLowerCase()}`;
      await ingest(ctx, t.key, [item({ feature })]);
      expect(storeBytes(store.file).includes(Buffer.from(feature))).toBe(true);
    } else {
      const hits = await sql<{ n: string | number }>`
        select count(*) as n from interactions
        where position(convert_to(${marker}, 'UTF8') in content) > 0`.execute(store.db);
      expect(Number(hits.rows[0]?.n)).toBe(0);
    }
    // The service itself still reads it back (one of the marked ones, not the feature probe).
    const ids = await store.db
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", t.id)
      .where("feature", "=", "sales.email-draft")
      .limit(1)
      .execute();
    const read = await ctx.services.capture.readInteraction(t, ids[0]!.id);
    expect(JSON.stringify(read?.input)).toContain(marker);
  });

  it("keeps data keys wrapped: no stored key opens content without the master key", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item()]);
    const store = ctx.services.stores.regions.get("us")!;
    const keys = await store.db.selectFrom("data_keys").selectAll().where("tenant_id", "=", t.id).execute();
    expect(keys).toHaveLength(1);
    // nonce (12) + tag (16) + 32-byte key: a sealed key, never the raw 32 bytes.
    expect(Buffer.from(keys[0]!.wrapped).length).toBe(60);
  });
});
