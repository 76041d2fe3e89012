import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const compare = (ctx: TestContext, cookie: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: "POST", url: "/api/review/comparisons", headers: { cookie }, payload });

const read = (ctx: TestContext, cookie: string, id: string) =>
  ctx.app.inject({ method: "GET", url: `/api/review/interactions/${id}`, headers: { cookie } });

/** Pairwise comparison: a preference label (a, b or tie) between two interactions of one feature. */
describe.each(dialects())("review: pairwise comparison on %s", (dialect) => {
  let ctx: TestContext;
  let tenant: TenantFixture;
  let other: TenantFixture;
  /** Newest first: drafts[0] is the newest. */
  let drafts: string[];
  let replies: string[];
  let elsewhere: string[];
  let reviewer: Awaited<ReturnType<typeof staffMember>>;
  const marker = `compare-note-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    tenant = await tenantWithAdmin(ctx, "eu");
    other = await tenantWithAdmin(ctx, "eu");
    drafts = await sharedInteractions(ctx, tenant, 3, (i) => ({
      feature: "sales.email-draft",
      subject: `person-${i}`,
    }));
    replies = await sharedInteractions(ctx, tenant, 1, () => ({ feature: "support.reply" }));
    elsewhere = await sharedInteractions(ctx, other, 1, () => ({ feature: "sales.email-draft" }));
    reviewer = await staffMember(ctx, ["reviewer"], "Pat Pairwise");
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
  });
  afterAll(async () => ctx?.close());

  it("stores the preference on the older interaction, turned round, and shows it with its labels", async () => {
    const [newer = "", older = ""] = drafts;
    // A (left) is the newer one and is preferred: kept on the older one as "b is better".
    const res = await compare(ctx, reviewer.cookie, { a: newer, b: older, preference: "a", note: marker });
    expect(res.statusCode, res.body).toBe(201);
    const label = res.json();
    expect(label).toMatchObject({
      interactionId: older,
      comparedWith: newer,
      preference: "b",
      kind: "preference",
      rating: null,
      tags: [],
      note: marker,
      reviewerId: reviewer.id,
    });
    const tie = await compare(ctx, reviewer.cookie, { a: older, b: drafts[2], preference: "tie" });
    expect(tie.statusCode, tie.body).toBe(201);
    expect(tie.json()).toMatchObject({ interactionId: drafts[2], comparedWith: older, preference: "tie" });

    const labels = (await read(ctx, reviewer.cookie, older)).json().labels as Record<string, unknown>[];
    expect(labels).toEqual([
      expect.objectContaining({ id: label.id, kind: "preference", preference: "b", note: marker }),
    ]);
    // A rating label says so.
    const rated = await ctx.app.inject({
      method: "POST",
      url: `/api/review/interactions/${newer}/labels`,
      headers: { cookie: reviewer.cookie },
      payload: { rating: 5 },
    });
    expect(rated.json()).toMatchObject({ kind: "rating", comparedWith: null, preference: null, rating: 5 });
  });

  it("audits the comparison like a label: ids and the choice, never the note or content", async () => {
    const events = await ctx.services.stores.regions
      .get("eu")!
      .db.selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "interaction.label")
      .where("target_id", "=", drafts[1] as string)
      .execute();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.actor_id).toBe(reviewer.id);
    expect(event.grant_id).not.toBeNull();
    const details = typeof event.details === "string" ? JSON.parse(event.details) : event.details;
    expect(details).toMatchObject({
      kind: "preference",
      comparedWith: drafts[0],
      preference: "b",
      withNote: true,
    });
    expect(JSON.stringify(events)).not.toContain(marker);
    expect(ctx.logs.join("\n")).not.toContain(marker);
    // The tenant sees the access in its access log.
    const log = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/access-log",
      headers: { cookie: tenant.adminCookie },
    });
    expect(log.json().items.flatMap((e: { interactionIds: string[] }) => e.interactionIds)).toContain(
      drafts[1],
    );
  });

  it("refuses a pair that cannot be compared, naming the problem", async () => {
    const same = await compare(ctx, reviewer.cookie, { a: drafts[0], b: drafts[0], preference: "a" });
    expect(same.statusCode).toBe(400);
    expect(same.json().error).toBe("same_interaction");
    const feature = await compare(ctx, reviewer.cookie, { a: drafts[0], b: replies[0], preference: "b" });
    expect(feature.statusCode).toBe(400);
    expect(feature.json()).toMatchObject({ error: "not_comparable" });
    expect(feature.json().message).toMatch(/one tenant and one feature/);
    const tenants = await compare(ctx, reviewer.cookie, { a: drafts[0], b: elsewhere[0], preference: "b" });
    expect(tenants.statusCode).toBe(400);
    expect(tenants.json().error).toBe("not_comparable");
    const bad = await compare(ctx, reviewer.cookie, { a: drafts[0], b: drafts[1], preference: "left" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/preference/);
    const missing = await compare(ctx, reviewer.cookie, { a: drafts[0], b: "nope", preference: "a" });
    expect(missing.statusCode).toBe(404);
    const noGrant = await staffMember(ctx, ["reviewer"]);
    const refused = await compare(ctx, noGrant.cookie, { a: drafts[0], b: drafts[1], preference: "a" });
    expect(refused.statusCode).toBe(403);
  });

  it("erasing the subject of either interaction erases the comparison", async () => {
    // drafts[1] holds the comparison with drafts[0] (person-2, the newest): erase person-2.
    const before = (await read(ctx, reviewer.cookie, drafts[1] as string)).json().labels;
    expect(before).toHaveLength(1);
    const erased = await ctx.app.inject({
      method: "POST",
      url: "/api/tenant/subjects/erase",
      headers: { cookie: tenant.adminCookie, "x-assent-request": "1" },
      payload: { subject: "person-2" },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().deleted).toMatchObject({ interactions: 1, labels: 2 });
    expect((await read(ctx, reviewer.cookie, drafts[1] as string)).json().labels).toEqual([]);
  });
});
