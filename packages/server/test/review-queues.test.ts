import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  setSharing,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

type Cookie = { cookie: string };

describe.each(dialects())("annotation queues on %s", (dialect) => {
  let ctx: TestContext;
  let t1: TenantFixture;
  let t2: TenantFixture;
  let reviewer: Cookie & { id: string };
  let approver: Cookie;
  const marker = `QUEUEMARKER${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        program: {
          labels: { tags: ["tone", "wrong-facts"], ratingNames: ["bad", "poor", "ok", "good", "great"] },
        },
      },
    });
    t1 = await tenantWithAdmin(ctx, "eu");
    t2 = await tenantWithAdmin(ctx, "eu");
    // t1: 30 email drafts and 6 summaries; t2: 4 email drafts.
    await sharedInteractions(ctx, t1, 36, (i) => ({
      feature: i < 30 ? "sales.email-draft" : "docs.summarize",
      input: `${marker} ${i}`,
    }));
    await sharedInteractions(ctx, t2, 4, (i) => ({ input: `${marker} t2 ${i}` }));
    reviewer = await staffMember(ctx, ["reviewer"]);
    approver = await staffMember(ctx, ["approver"]);
  });
  afterAll(async () => ctx?.close());

  const call = (who: Cookie, method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
    ctx.app.inject({
      method,
      url,
      headers: { cookie: who.cookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });

  it("need an active grant, and say so in plain words (no API path)", async () => {
    const res = await call(reviewer, "POST", "/api/review/queues", {
      region: "eu",
      name: "First look",
      sample: 5,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/needs an active access grant/);
    expect(res.json().message).not.toMatch(/\/api\//);
    const list = await call(reviewer, "GET", "/api/review/queues");
    expect(list.statusCode).toBe(403);
  });

  it("sample N per feature at random, so every feature is in the slice, not only the newest", async () => {
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
    const res = await call(reviewer, "POST", "/api/review/queues", {
      region: "eu",
      name: "Weekly sample",
      tenant: t1.id,
      sample: 5,
    });
    expect(res.statusCode, res.body).toBe(201);
    const queue = res.json();
    expect(queue).toMatchObject({
      region: "eu",
      name: "Weekly sample",
      samplePerFeature: 5,
      filter: { tenant: t1.id },
      progress: { total: 10, new: 10, inReview: 0, done: 0, skipped: 0 },
    });
    const items = await call(reviewer, "GET", `/api/review/queues/${queue.id}/items?limit=200`);
    expect(items.statusCode).toBe(200);
    const body = items.json();
    expect(body.items).toHaveLength(10);
    expect(res.body + items.body).not.toContain(marker);
    const features = body.items.map((i: { feature: string }) => i.feature);
    expect(features.filter((f: string) => f === "docs.summarize")).toHaveLength(5);
    // Interleaved: the first two items are of different features.
    expect(new Set(features.slice(0, 2)).size).toBe(2);
    expect(body.items[0].interaction).toMatchObject({ tenantId: t1.id, region: "eu" });

    // Sampling is random, so five of thirty email drafts are seldom the five newest: over a few
    // draws at least one picks an older one.
    const newest = new Set(
      (
        await ctx.services.stores.regions
          .get("eu")!
          .db.selectFrom("interactions")
          .select("id")
          .where("tenant_id", "=", t1.id)
          .where("feature", "=", "sales.email-draft")
          .orderBy("occurred_at", "desc")
          .limit(5)
          .execute()
      ).map((r) => r.id),
    );
    let older = false;
    for (let draw = 0; draw < 5 && !older; draw++) {
      const q = await call(reviewer, "POST", "/api/review/queues", {
        region: "eu",
        name: `Draw ${draw}`,
        feature: "sales.email-draft",
        tenant: t1.id,
        sample: 5,
      });
      const got = await call(reviewer, "GET", `/api/review/queues/${q.json().id}/items`);
      older = got.json().items.some((i: { interactionId: string }) => !newest.has(i.interactionId));
    }
    expect(older).toBe(true);
  });

  it("hand out items with next, keep state and assignee, count progress, and mark done on save", async () => {
    const created = await call(reviewer, "POST", "/api/review/queues", {
      region: "eu",
      name: "Email drafts of t2",
      tenant: t2.id,
    });
    const id = created.json().id;
    expect(created.json().progress.total).toBe(4);

    const first = await call(reviewer, "POST", `/api/review/queues/${id}/next`);
    expect(first.statusCode, first.body).toBe(200);
    const item = first.json().item;
    expect(item).toMatchObject({ state: "in-review", assigneeId: reviewer.id, tenantId: t2.id });
    expect(first.json().progress).toMatchObject({ new: 3, inReview: 1 });
    // Asking again resumes the same item: nothing is lost by a reload.
    const again = await call(reviewer, "POST", `/api/review/queues/${id}/next`);
    expect(again.json().item.interactionId).toBe(item.interactionId);

    // A second reviewer gets a different item.
    const other = await staffMember(ctx, ["reviewer"]);
    await grantAccess(ctx, other, approver, { region: "eu", tenantId: t2.id });
    const theirs = await call(other, "POST", `/api/review/queues/${id}/next`);
    expect(theirs.json().item.interactionId).not.toBe(item.interactionId);

    // Save & next: the label names the queue, and the item is done with it.
    const label = await call(reviewer, "POST", `/api/review/interactions/${item.interactionId}/labels`, {
      rating: 4,
      tags: ["tone"],
      correctedOutput: "Dear ACME, thank you",
      queueId: id,
    });
    expect(label.statusCode, label.body).toBe(201);
    expect(label.json()).toMatchObject({ rating: 4, correctedOutput: "Dear ACME, thank you" });
    const next = await call(reviewer, "POST", `/api/review/queues/${id}/next`);
    expect(next.json().item.interactionId).not.toBe(item.interactionId);
    expect(next.json().progress).toMatchObject({ total: 4, done: 1, inReview: 2, new: 1 });

    const skipped = await call(
      reviewer,
      "POST",
      `/api/review/queues/${id}/items/${next.json().item.interactionId}`,
      {
        state: "skipped",
      },
    );
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json().state).toBe("skipped");
    const doneOnes = await call(reviewer, "GET", `/api/review/queues/${id}/items?state=done`);
    expect(doneOnes.json().items.map((i: { interactionId: string }) => i.interactionId)).toEqual([
      item.interactionId,
    ]);
    const bad = await call(reviewer, "POST", `/api/review/queues/${id}/items/${item.interactionId}`, {
      state: "lost",
    });
    expect(bad.statusCode).toBe(400);

    // The corrected output is content: sealed, read back only in the audited read.
    const store = ctx.services.stores.regions.get("eu")!;
    const row = await store.db
      .selectFrom("labels")
      .select("corrected_output")
      .where("id", "=", label.json().id)
      .executeTakeFirstOrThrow();
    expect(Buffer.from(row.corrected_output as Buffer).toString("utf8")).not.toContain("thank you");
    const read = await call(reviewer, "GET", `/api/review/interactions/${item.interactionId}`);
    expect(read.json().labels[0]).toMatchObject({ correctedOutput: "Dear ACME, thank you" });

    const queues = await call(reviewer, "GET", "/api/review/queues");
    const mine = queues.json().find((q: { id: string }) => q.id === id);
    expect(mine.progress).toMatchObject({ done: 1, skipped: 1 });
  });

  it("take labels from the program's schema: rating scale and tag vocabulary", async () => {
    const schema = await call(reviewer, "GET", "/api/review/label-schema");
    expect(schema.json()).toMatchObject({
      rating: { min: 1, max: 5, names: ["bad", "poor", "ok", "good", "great"] },
      tags: ["tone", "wrong-facts"],
      correctedOutput: true,
    });
    const [id] = await sharedInteractions(ctx, t2, 1);
    const off = await call(reviewer, "POST", `/api/review/interactions/${id}/labels`, { tags: ["made-up"] });
    expect(off.statusCode).toBe(400);
    expect(off.json().message).toMatch(/vocabulary \(tone, wrong-facts\); not in it: made-up/);
  });

  it("lists the tenants a reviewer's grants open, for pickers", async () => {
    const res = await call(reviewer, "GET", "/api/review/tenants");
    expect(res.statusCode).toBe(200);
    const ids = res.json().map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining([t1.id, t2.id]));
    expect(res.json()[0]).toHaveProperty("name");
    // To ask for access, a reviewer picks from every tenant (names and regions, no data).
    const noGrant = await staffMember(ctx, ["reviewer"]);
    expect((await call(noGrant, "GET", "/api/review/tenants")).json()).toEqual([]);
    const all = await call(noGrant, "GET", "/api/review/tenants?scope=all");
    expect(all.json().map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([t1.id, t2.id]));
  });

  it("lose their items with the interactions when the tenant's data is purged", async () => {
    const created = await call(reviewer, "POST", "/api/review/queues", {
      region: "eu",
      name: "Soon gone",
      tenant: t2.id,
    });
    const id = created.json().id;
    await setSharing(ctx, t2, false);
    const purge = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { cookie: t2.adminCookie, "x-assent-request": "1" },
    });
    expect(purge.statusCode, purge.body).toBe(200);
    const store = ctx.services.stores.regions.get("eu")!;
    const left = await store.db
      .selectFrom("review_queue_items")
      .select("interaction_id")
      .where("tenant_id", "=", t2.id)
      .execute();
    expect(left).toEqual([]);
    const got = await call(reviewer, "GET", `/api/review/queues/${id}`);
    expect(got.json().progress.total).toBe(0);
  });
});
