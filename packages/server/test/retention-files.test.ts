import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/clock.js";
import type { RegionDb } from "../src/stores/region-schema.js";
import type { Store } from "../src/stores/store.js";
import { ingest, item, setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, type TestContext } from "./harness.js";

/**
 * Crypto-shredding at the level of the bytes on disk (SQLite, the embedded store): after a purge
 * neither the main database file nor its WAL holds the purged rows' clear metadata, nor the
 * destroyed data keys' wrapped bytes. PostgreSQL keeps dead tuples until VACUUM reuses them; what
 * protects content there is that its keys are destroyed (docs/adr/0003-deletion.md).
 */
const regionStore = (ctx: TestContext): Store<RegionDb> => ctx.services.stores.regions.get("us")!;

function storeBytes(ctx: TestContext): Buffer {
  const file = regionStore(ctx).file!;
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts);
}

async function wrappedKeys(ctx: TestContext, tenantId: string): Promise<Buffer[]> {
  const rows = await regionStore(ctx)
    .db.selectFrom("data_keys")
    .select("wrapped")
    .where("tenant_id", "=", tenantId)
    .execute();
  return rows.map((r) => Buffer.from(r.wrapped));
}

/** Interactions whose clear metadata (client id, conversation id, custom attribute) carry a marker. */
function marked(marker: string, n: number) {
  return Array.from({ length: n }, (_, i) =>
    item({
      id: `${marker}-client-${i}`,
      conversationId: `${marker}-conversation`,
      input: `${marker} in the prompt`,
      output: `${marker} in the answer`,
      telemetry: { model: "gpt-4o", attributes: { note: `${marker}-attribute` } },
    }),
  );
}

describe("purged data leaves the SQLite files", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite");
  });
  afterAll(async () => ctx?.close());

  it("after delete-now: no marker and no wrapped key in the database file or the WAL", async () => {
    const marker = `MRK${Math.random().toString(36).slice(2, 10)}`;
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    // Enough rows to fill several pages, and a second tenant whose rows share those pages.
    expect((await ingest(ctx, t.key, marked(marker, 40))).json()).toMatchObject({ accepted: 40 });
    const neighbour = await tenantWithAdmin(ctx);
    await setSharing(ctx, neighbour, true);
    await ingest(ctx, neighbour.key, [item({ conversationId: "neighbour-conversation" })]);
    const keys = await wrappedKeys(ctx, t.id);
    expect(keys).toHaveLength(1);

    // The test can fail: before the purge both are on disk.
    let bytes = storeBytes(ctx);
    expect(bytes.includes(Buffer.from(`${marker}-conversation`))).toBe(true);
    expect(bytes.includes(keys[0]!)).toBe(true);
    // Content is sealed: the marker in input and output is never on disk in clear.
    expect(bytes.includes(Buffer.from(`${marker} in the prompt`))).toBe(false);

    await setSharing(ctx, t, false);
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { "x-assent-request": "1", cookie: t.adminCookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().periods[0].receipt.deleted).toEqual({
      interactions: 40,
      labels: 0,
      datasetItems: 0,
      dataKeys: 1,
    });

    bytes = storeBytes(ctx);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    expect(bytes.includes(keys[0]!)).toBe(false);
    // The neighbour's rows are intact.
    expect(bytes.includes(Buffer.from("neighbour-conversation"))).toBe(true);
  });

  it("after the retention sweep: no marker and no wrapped key of the expired day either", async () => {
    const marker = `RET${Math.random().toString(36).slice(2, 10)}`;
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, marked(marker, 25));
    const keys = await wrappedKeys(ctx, t.id);
    expect(storeBytes(ctx).includes(Buffer.from(marker))).toBe(true);

    // Two days past retention: every row and the whole day's key are expired.
    ctx.clock.advance(32 * DAY_MS);
    const report = await ctx.services.jobs.runOnce();
    const retention = report.jobs.find((j) => j.job === "retention" && j.region === "us");
    expect(retention?.status).toBe("done");
    expect(retention?.result).toMatchObject({ walTruncated: true });

    const bytes = storeBytes(ctx);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    for (const key of keys) expect(bytes.includes(key)).toBe(false);
    expect(await wrappedKeys(ctx, t.id)).toEqual([]);
  });
});
