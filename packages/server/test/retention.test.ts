import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, dayOf } from "../src/clock.js";
import { verifyChain } from "../src/modules/audit/chain.js";
import { receiptHash } from "../src/modules/retention/receipt.js";
import type { DeletionReceipt } from "../src/modules/retention/types.js";
import type { RegionDb } from "../src/stores/region-schema.js";
import type { Store } from "../src/stores/store.js";
import {
  ingest,
  item,
  PASSWORD,
  setSharing,
  staffUser,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const WITHDRAWAL_DAYS = 10;
const INTERVAL_SECONDS = 60;

const regionStore = (ctx: TestContext, region = "us"): Store<RegionDb> =>
  ctx.services.stores.regions.get(region)!;

async function rowsOf(ctx: TestContext, tenantId: string) {
  const db = regionStore(ctx).db;
  const count = async (table: "interactions" | "labels" | "dataset_items" | "data_keys") =>
    (await db.selectFrom(table).select("tenant_id").where("tenant_id", "=", tenantId).execute()).length;
  return {
    interactions: await count("interactions"),
    labels: await count("labels"),
    datasetItems: await count("dataset_items"),
    dataKeys: await count("data_keys"),
  };
}

async function storedIds(ctx: TestContext, tenantId: string): Promise<string[]> {
  const rows = await regionStore(ctx)
    .db.selectFrom("interactions")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

/** A reviewer's label and a dataset item on an interaction, written as the review module does. */
async function labelAndDatasetItem(ctx: TestContext, tenantId: string, interactionId: string): Promise<void> {
  const db = regionStore(ctx).db;
  const row = await db
    .selectFrom("interactions")
    .select(["period_id"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", interactionId)
    .executeTakeFirstOrThrow();
  const now = ctx.clock.now();
  const suffix = Math.random().toString(36).slice(2);
  await db
    .insertInto("labels")
    .values({
      tenant_id: tenantId,
      id: `label-${suffix}`,
      interaction_id: interactionId,
      period_id: row.period_id,
      reviewer_id: "reviewer-1",
      grant_id: "grant-1",
      rating: 4,
      tags: JSON.stringify(["helpful"]),
      note: null,
      created_at: now,
    })
    .execute();
  await db
    .insertInto("datasets")
    .values({
      id: `dataset-${suffix}`,
      name: "eval set",
      purpose: "quality-evaluation",
      description: null,
      created_by: "reviewer-1",
      grant_id: "grant-1",
      created_at: now,
    })
    .execute();
  await db
    .insertInto("dataset_items")
    .values({
      tenant_id: tenantId,
      dataset_id: `dataset-${suffix}`,
      interaction_id: interactionId,
      period_id: row.period_id,
      added_by: "reviewer-1",
      added_at: now,
    })
    .execute();
}

/** A fresh session: moving the clock by days ends the old one. */
async function relogin(ctx: TestContext, t: TenantFixture): Promise<TenantFixture> {
  const { token } = await ctx.services.users.signIn(t.adminEmail, PASSWORD);
  return { ...t, adminCookie: `assent_session=${token}` };
}

async function adminSharing(ctx: TestContext, t: TenantFixture) {
  const res = await ctx.app.inject({
    method: "GET",
    url: "/api/tenant/sharing",
    headers: { cookie: t.adminCookie },
  });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function deleteNow(ctx: TestContext, t: TenantFixture) {
  return ctx.app.inject({
    method: "POST",
    url: "/api/tenant/sharing/delete-now",
    headers: { cookie: t.adminCookie },
  });
}

/** Every receipt a job run completed, across its jobs. */
async function runJobs(ctx: TestContext): Promise<DeletionReceipt[]> {
  const report = await ctx.services.jobs.runOnce();
  for (const j of report.jobs) expect(j.status, `${j.job} ${j.region}: ${j.reason}`).toBe("done");
  return report.jobs.flatMap((j) => (j.result as { receipts?: DeletionReceipt[] }).receipts ?? []);
}

async function purgeEvents(ctx: TestContext, tenantId: string) {
  const rows = await regionStore(ctx)
    .db.selectFrom("audit_events")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("action", "like", "purge.%")
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

const read = (ctx: TestContext, t: TenantFixture, id: string) =>
  ctx.services.capture.readInteraction({ id: t.id, region: t.region }, id);

describe.each(dialects())("deletion guarantees on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        program: { retentionDays: 30, withdrawalDeleteDays: WITHDRAWAL_DAYS },
        jobs: { intervalSeconds: INTERVAL_SECONDS },
      },
    });
  });
  afterAll(async () => ctx?.close());

  it("keeps an interaction readable on day 29 and never on day 30, then shreds its day key", async () => {
    let t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    const day0 = ctx.clock.now();
    expect((await ingest(ctx, t.key, [item({ input: "day zero" })])).json()).toMatchObject({ accepted: 1 });
    const [first] = await storedIds(ctx, t.id);
    await labelAndDatasetItem(ctx, t.id, first!);
    ctx.clock.set(day0 + 15 * DAY_MS);
    expect((await ingest(ctx, t.key, [item({ input: "day fifteen" })])).json()).toMatchObject({
      accepted: 1,
    });
    const second = (await storedIds(ctx, t.id)).find((id) => id !== first)!;

    ctx.clock.set(day0 + 29 * DAY_MS);
    await runJobs(ctx);
    expect((await read(ctx, t, first!))?.input).toBe("day zero");

    // Day 30: unreadable at once, before any sweep has run...
    ctx.clock.set(day0 + 30 * DAY_MS);
    expect(await storedIds(ctx, t.id)).toContain(first);
    expect(await read(ctx, t, first!)).toBeNull();
    // ...and gone with its label and dataset item after it.
    const receipts = (await runJobs(ctx)).filter((r) => r.tenantId === t.id);
    expect(await read(ctx, t, first!)).toBeNull();
    expect(await storedIds(ctx, t.id)).toEqual([second]);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({
      kind: "retention",
      periodId: null,
      region: "us",
      cutoff: new Date(day0).toISOString(),
      deleted: { interactions: 1, labels: 1, datasetItems: 1, dataKeys: 0 },
    });
    expect((await read(ctx, t, second))?.input).toBe("day fifteen");

    // The day key goes once its whole UTC day is past retention: (day + 1) * DAY <= now - retention.
    const keyExpiry = (dayOf(day0) + 1) * DAY_MS + 30 * DAY_MS;
    ctx.clock.set(keyExpiry - 1);
    await runJobs(ctx);
    expect((await rowsOf(ctx, t.id)).dataKeys).toBe(2);
    ctx.clock.set(keyExpiry);
    const keyReceipts = (await runJobs(ctx)).filter((r) => r.tenantId === t.id);
    expect(keyReceipts.map((r) => r.deleted)).toEqual([
      { interactions: 0, labels: 0, datasetItems: 0, dataKeys: 1 },
    ]);
    expect(keyReceipts[0]?.keysDestroyedAt).toBe(new Date(keyExpiry).toISOString());
    expect((await rowsOf(ctx, t.id)).dataKeys).toBe(1);
    expect((await read(ctx, t, second))?.input).toBe("day fifteen");

    // Receipts are kept, hashed, listed for the admin and chained into the audit log.
    t = await relogin(ctx, t);
    const listed = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/deletion-receipts",
      headers: { cookie: t.adminCookie },
    });
    expect(listed.statusCode).toBe(200);
    const items = listed.json().items as DeletionReceipt[];
    expect(items.map((r) => r.id)).toEqual([keyReceipts[0]!.id, receipts[0]!.id]);
    for (const r of items) expect(receiptHash(r)).toBe(r.hash);
    const events = await purgeEvents(ctx, t.id);
    expect(events.map((e) => [e.action, e.target_id, e.details.receiptHash])).toEqual([
      ["purge.retention", receipts[0]!.id, receipts[0]!.hash],
      ["purge.retention", keyReceipts[0]!.id, keyReceipts[0]!.hash],
    ]);
    expect(events[0]?.actor_id).toBe("system:jobs");
    expect((await verifyChain(regionStore(ctx).db)).broken).toBeNull();
  });

  it("keeps withdrawn data until deleteBy, purges it by then, and shows the receipt", async () => {
    let t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item(), item(), item({ id: "client-1" })]);
    const ids = await storedIds(ctx, t.id);
    await labelAndDatasetItem(ctx, t.id, ids[0]!);
    ctx.clock.advance(1000);
    const off = await setSharing(ctx, t, false);
    const deleteBy = Date.parse(off.deleteBy);
    expect(deleteBy).toBe(ctx.clock.now() + WITHDRAWAL_DAYS * DAY_MS);

    // Until the run before the deadline, the data stays (and stays readable).
    ctx.clock.set(deleteBy - INTERVAL_SECONDS * 1000 - 1);
    expect((await runJobs(ctx)).filter((r) => r.tenantId === t.id)).toEqual([]);
    expect(await rowsOf(ctx, t.id)).toEqual({ interactions: 3, labels: 1, datasetItems: 1, dataKeys: 1 });
    expect(await read(ctx, t, ids[1]!)).not.toBeNull();

    // The last scheduled run before deleteBy purges it, so the deadline is met.
    ctx.clock.set(deleteBy - INTERVAL_SECONDS * 1000);
    const receipts = (await runJobs(ctx)).filter((r) => r.tenantId === t.id);
    expect(await rowsOf(ctx, t.id)).toEqual({ interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 });
    for (const id of ids) expect(await read(ctx, t, id)).toBeNull();
    expect(receipts).toHaveLength(1);
    const receipt = receipts[0]!;
    expect(receipt).toMatchObject({
      kind: "withdrawal",
      periodId: off.periods[0].id,
      deleteBy: off.deleteBy,
      deleted: { interactions: 3, labels: 1, datasetItems: 1, dataKeys: 1 },
    });
    expect(Date.parse(receipt.completedAt)).toBeLessThanOrEqual(deleteBy);
    expect(receiptHash(receipt)).toBe(receipt.hash);

    t = await relogin(ctx, t);
    const view = await adminSharing(ctx, t);
    expect(view.deleteBy).toBeNull();
    expect(view.periods[0].deletedAt).toBe(receipt.completedAt);
    expect(view.periods[0].receipt).toEqual(receipt);
    const events = await purgeEvents(ctx, t.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "purge.withdrawal",
      target_id: receipt.id,
      actor_id: "system:jobs",
    });
    expect(events[0]?.details).toMatchObject({ interactions: 3, dataKeys: 1, receiptHash: receipt.hash });

    // Idempotent: another run finds nothing more to do and changes nothing.
    expect((await runJobs(ctx)).filter((r) => r.tenantId === t.id)).toEqual([]);
    expect((await adminSharing(ctx, t)).periods[0].receipt).toEqual(receipt);
  });

  it("answers 409 to delete-now while sharing is on, and purges every closed period at once when off", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item(), item()]);
    await setSharing(ctx, t, false);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item(), item(), item()]);
    const oldIds = await storedIds(ctx, t.id);
    await labelAndDatasetItem(ctx, t.id, oldIds[4]!);

    const refused = await deleteNow(ctx, t);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: "sharing_on",
      message: "sharing is on: turn sharing off first; delete-now deletes the data of closed sharing periods",
    });
    expect((await rowsOf(ctx, t.id)).interactions).toBe(5);

    await setSharing(ctx, t, false);
    const res = await deleteNow(ctx, t);
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.sharing).toBe("off");
    expect(view.deleteBy).toBeNull();
    expect(view.periods).toHaveLength(2);
    for (const p of view.periods) {
      expect(p.deletedAt).toBe(new Date(ctx.clock.now()).toISOString());
      expect(p.receipt).toMatchObject({ kind: "delete-now", periodId: p.id, tenantId: t.id });
      expect(receiptHash(p.receipt)).toBe(p.receipt.hash);
    }
    // Newest period first: three interactions, one label and item; the older one two.
    expect(view.periods.map((p: { receipt: DeletionReceipt }) => p.receipt.deleted)).toEqual([
      { interactions: 3, labels: 1, datasetItems: 1, dataKeys: 1 },
      { interactions: 2, labels: 0, datasetItems: 0, dataKeys: 1 },
    ]);
    expect(await rowsOf(ctx, t.id)).toEqual({ interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 });
    const events = await purgeEvents(ctx, t.id);
    expect(events.map((e) => e.action)).toEqual(["purge.delete-now", "purge.delete-now"]);
    const admin = await ctx.services.users.signIn(t.adminEmail, PASSWORD);
    expect(events[0]?.actor_id).toBe(admin.user.id);

    // Nothing left to delete: answers the same view again.
    const again = await deleteNow(ctx, t);
    expect(again.statusCode).toBe(200);
    expect(again.json().periods).toEqual(view.periods);

    // A re-opt-in starts a new period with new keys; nothing purged comes back.
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item({ input: "after re-opt-in" })]);
    const newIds = await storedIds(ctx, t.id);
    expect(newIds).toHaveLength(1);
    expect(oldIds).not.toContain(newIds[0]);
    for (const id of oldIds) expect(await read(ctx, t, id)).toBeNull();
    expect((await read(ctx, t, newIds[0]!))?.input).toBe("after re-opt-in");
    expect(await ctx.services.capture.countInteractions({ id: t.id, region: "us" })).toBe(1);
    const reopened = await adminSharing(ctx, t);
    expect(reopened.periods[0].deletedAt).toBeNull();
    expect(reopened.periods.slice(1)).toEqual(view.periods);
    expect((await verifyChain(regionStore(ctx).db)).broken).toBeNull();
  });

  it("lets only the tenant's admin ask for deletion now", async () => {
    const t = await tenantWithAdmin(ctx);
    const anonymous = await ctx.app.inject({ method: "POST", url: "/api/tenant/sharing/delete-now" });
    expect(anonymous.statusCode).toBe(401);
    const staff = await staffUser(ctx, ["operator"]);
    const operator = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { cookie: staff.cookie },
    });
    expect(operator.statusCode).toBe(403);
    expect((await deleteNow(ctx, t)).statusCode).toBe(200);
  });

  it("purges an EU tenant's data in the EU store and leaves other tenants alone", async () => {
    const eu = await tenantWithAdmin(ctx, "eu");
    const other = await tenantWithAdmin(ctx, "eu");
    await setSharing(ctx, eu, true);
    await setSharing(ctx, other, true);
    await ingest(ctx, eu.key, [item(), item()]);
    await ingest(ctx, other.key, [item()]);
    await setSharing(ctx, eu, false);
    const res = await deleteNow(ctx, eu);
    expect(res.json().periods[0].receipt).toMatchObject({ region: "eu", deleted: { interactions: 2 } });
    const db = regionStore(ctx, "eu").db;
    const left = await db
      .selectFrom("interactions")
      .select("tenant_id")
      .where("tenant_id", "in", [eu.id, other.id])
      .execute();
    expect(left.map((r) => r.tenant_id)).toEqual([other.id]);
    const euEvents = await db
      .selectFrom("audit_events")
      .select("action")
      .where("tenant_id", "=", eu.id)
      .execute();
    expect(euEvents.map((e) => e.action)).toContain("purge.delete-now");
  });
});
