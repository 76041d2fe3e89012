import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/clock.js";
import {
  grantAccess,
  JUSTIFICATION,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const read = (ctx: TestContext, cookie: string, id: string) =>
  ctx.app.inject({ method: "GET", url: `/api/review/interactions/${id}`, headers: { cookie } });

const queue = (ctx: TestContext, cookie: string, query = "") =>
  ctx.app.inject({ method: "GET", url: `/api/review/interactions${query}`, headers: { cookie } });

const accessLog = (ctx: TestContext, t: TenantFixture, query = "") =>
  ctx.app.inject({
    method: "GET",
    url: `/api/tenant/access-log${query}`,
    headers: { cookie: t.adminCookie },
  });

async function regionEvents(ctx: TestContext, region: string, action: string) {
  return ctx.services.stores.regions
    .get(region)!
    .db.selectFrom("audit_events")
    .selectAll()
    .where("action", "=", action)
    .orderBy("seq")
    .execute();
}

describe.each(dialects())("review: grants, audited reads, transparency on %s", (dialect) => {
  let ctx: TestContext;
  let us1: TenantFixture;
  let us2: TenantFixture;
  let eu1: TenantFixture;
  let ids: { us1: string[]; us2: string[]; eu1: string[] };
  const marker = `secret-marker-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    us1 = await tenantWithAdmin(ctx, "us");
    us2 = await tenantWithAdmin(ctx, "us");
    eu1 = await tenantWithAdmin(ctx, "eu");
    ids = {
      us1: await sharedInteractions(ctx, us1, 3, (i) => ({ input: { prompt: `${marker}-${i}` } })),
      us2: await sharedInteractions(ctx, us2, 2),
      eu1: await sharedInteractions(ctx, eu1, 2, () => ({ feature: "support.reply" })),
    };
  });
  afterAll(async () => ctx?.close());

  it("without any grant, content and queue answer 403 saying what access is needed", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const res = await read(ctx, reviewer.cookie, ids.us1[0] as string);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/needs an active access grant/);
    expect(res.json().message).toMatch(/request access/);
    expect(res.json().message).not.toMatch(/\/api\//);
    expect(res.body).not.toContain(marker);
    const q = await queue(ctx, reviewer.cookie);
    expect(q.statusCode).toBe(403);
    // Operators and approvers see no content without a grant, like anyone else.
    for (const roles of [["operator"], ["approver"]]) {
      const staff = await staffMember(ctx, roles);
      expect((await read(ctx, staff.cookie, ids.us1[0] as string)).statusCode).toBe(403);
    }
  });

  it("a grant for eu does not open us content; one scoped to a tenant does not open another's", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
    const euRead = await read(ctx, reviewer.cookie, ids.eu1[0] as string);
    expect(euRead.statusCode).toBe(200);
    const usRead = await read(ctx, reviewer.cookie, ids.us1[0] as string);
    expect(usRead.statusCode).toBe(403);
    expect(usRead.json().message).toMatch(
      new RegExp(`needs an active access grant for region us covering tenant ${us1.id}`),
    );
    expect(usRead.json().message).toMatch(/your active grants cover: eu \(all tenants\)/);
    expect(usRead.body).not.toContain(marker);

    const scoped = await staffMember(ctx, ["reviewer"]);
    await grantAccess(ctx, scoped, approver, { region: "us", tenantId: us1.id });
    const own = await read(ctx, scoped.cookie, ids.us1[1] as string);
    expect(own.statusCode).toBe(200);
    expect(own.json().input).toEqual({ prompt: `${marker}-1` });
    const other = await read(ctx, scoped.cookie, ids.us2[0] as string);
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toMatch(new RegExp(`covering tenant ${us2.id}`));
    expect((await read(ctx, scoped.cookie, ids.eu1[0] as string)).statusCode).toBe(403);
    expect((await read(ctx, scoped.cookie, "0190b7a0-0000-7000-8000-000000000000")).statusCode).toBe(404);
  });

  it("every content read writes exactly one audit event with the grant, shown only to that tenant", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"], "Rita Reviewer");
    const approver = await staffMember(ctx, ["approver"]);
    const grant = await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: us1.id });
    const target = ids.us1[2] as string;
    const before = (await regionEvents(ctx, "us", "interaction.read")).length;
    const beforeEu = (await regionEvents(ctx, "eu", "interaction.read")).length;
    for (let i = 0; i < 2; i += 1) {
      const res = await read(ctx, reviewer.cookie, target);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: target, tenantId: us1.id, grantId: grant.grantId });
      expect(res.headers["cache-control"]).toBe("no-store");
    }
    const events = (await regionEvents(ctx, "us", "interaction.read")).slice(before);
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e).toMatchObject({
        actor_id: reviewer.id,
        actor_role: "reviewer",
        tenant_id: us1.id,
        target_type: "interaction",
        target_id: target,
        grant_id: grant.grantId,
        reason: "quality-review",
      });
      expect(JSON.stringify(e)).not.toContain(marker);
    }
    expect((await regionEvents(ctx, "eu", "interaction.read")).length).toBe(beforeEu);
    // Refused reads leave no read event.
    await read(ctx, reviewer.cookie, ids.us2[0] as string);
    expect((await regionEvents(ctx, "us", "interaction.read")).length).toBe(before + 2);

    const log = await accessLog(ctx, us1);
    expect(log.statusCode).toBe(200);
    const mine = log.json().items.filter((e: { grantId: string }) => e.grantId === grant.grantId);
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({
      action: "interaction.read",
      who: "Rita Reviewer",
      staffId: reviewer.id,
      role: "reviewer",
      reasonCode: "quality-review",
      justification: JUSTIFICATION,
      grantId: grant.grantId,
      grantEndsAt: grant.endsAt,
      interactionIds: [target],
    });
    expect(log.body).not.toContain(marker);
    for (const other of [us2, eu1]) {
      const theirs = await accessLog(ctx, other);
      expect(theirs.statusCode).toBe(200);
      expect(theirs.body).not.toContain(grant.grantId);
      expect(theirs.body).not.toContain(target);
    }
  });

  it("the access log is newest first and paginated", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const grant = await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: eu1.id });
    for (const id of [ids.eu1[0], ids.eu1[1], ids.eu1[0]]) {
      ctx.clock.advance(1000);
      expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(200);
    }
    const all = (await accessLog(ctx, eu1))
      .json()
      .items.filter((e: { grantId: string }) => e.grantId === grant.grantId);
    expect(all.map((e: { interactionIds: string[] }) => e.interactionIds[0])).toEqual([
      ids.eu1[0],
      ids.eu1[1],
      ids.eu1[0],
    ]);
    const times = all.map((e: { at: string }) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const page1 = (await accessLog(ctx, eu1, "?limit=2")).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (await accessLog(ctx, eu1, `?limit=2&cursor=${page1.nextCursor}`)).json();
    const seen = [...page1.items, ...page2.items].map((e: { eventId: string }) => e.eventId);
    expect(new Set(seen).size).toBe(seen.length);
    const bad = await accessLog(ctx, eu1, "?cursor=abc");
    expect(bad.statusCode).toBe(400);
  });

  it("the queue is metadata only, scoped by grants, filtered and paginated across regions", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: us1.id });
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
    const all = await queue(ctx, reviewer.cookie);
    expect(all.statusCode).toBe(200);
    const got = all.json().items as { id: string; tenantId: string; occurredAt: string }[];
    expect(new Set(got.map((i) => i.id))).toEqual(new Set([...ids.us1, ...ids.eu1]));
    expect(all.body).not.toContain(marker);
    for (const item of got) {
      expect(item).not.toHaveProperty("input");
      expect(item).not.toHaveProperty("output");
    }
    const times = got.map((i) => Date.parse(i.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await queue(ctx, reviewer.cookie, q)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      pages.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(got.map((i) => i.id));

    const eu = (await queue(ctx, reviewer.cookie, "?region=eu&feature=support.reply")).json();
    expect(eu.items.map((i: { id: string }) => i.id).sort()).toEqual([...ids.eu1].sort());
    const none = (await queue(ctx, reviewer.cookie, "?region=eu&feature=sales.email-draft")).json();
    expect(none.items).toEqual([]);
    const tenant = (await queue(ctx, reviewer.cookie, `?tenant=${us1.id}`)).json();
    expect(tenant.items.map((i: { id: string }) => i.id).sort()).toEqual([...ids.us1].sort());
    const uncovered = await queue(ctx, reviewer.cookie, `?tenant=${us2.id}`);
    expect(uncovered.statusCode).toBe(403);
    expect(uncovered.json().message).toMatch(new RegExp(`covers tenant ${us2.id}`));
    const newest = got[0] as { occurredAt: string };
    const window = (
      await queue(
        ctx,
        reviewer.cookie,
        `?region=us&from=${newest.occurredAt}&to=${new Date(Date.parse(newest.occurredAt) + 1).toISOString()}`,
      )
    ).json();
    expect(window.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual(
      got.filter((i) => i.occurredAt === newest.occurredAt && i.tenantId === us1.id).map((i) => i.occurredAt),
    );
    expect((await queue(ctx, reviewer.cookie, "?cursor=not-a-cursor")).statusCode).toBe(400);
  });

  it("labels: validated, audited with the grant, the note sealed with the interaction's key", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const grant = await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: us1.id });
    const target = ids.us1[0] as string;
    const post = (id: string, payload: Record<string, unknown>) =>
      ctx.app.inject({
        method: "POST",
        url: `/api/review/interactions/${id}/labels`,
        headers: { cookie: reviewer.cookie },
        payload,
      });
    const noteText = `the draft quotes ${marker} verbatim`;
    const created = await post(target, { rating: 2, tags: ["tone", "too-long"], note: noteText });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      interactionId: target,
      rating: 2,
      tags: ["tone", "too-long"],
      note: noteText,
      reviewerId: reviewer.id,
      grantId: grant.grantId,
    });
    const stored = await ctx.services.stores.regions
      .get("us")!
      .db.selectFrom("labels")
      .selectAll()
      .where("id", "=", created.json().id)
      .executeTakeFirstOrThrow();
    expect(Buffer.from(stored.note as Buffer).toString("latin1")).not.toContain(marker);
    expect(stored.period_id).toBeTruthy();

    const readBack = await read(ctx, reviewer.cookie, target);
    expect(readBack.json().labels).toEqual([
      expect.objectContaining({ id: created.json().id, note: noteText }),
    ]);

    const labelEvents = (await regionEvents(ctx, "us", "interaction.label")).filter(
      (e) => e.grant_id === grant.grantId,
    );
    expect(labelEvents).toHaveLength(1);
    expect(JSON.stringify(labelEvents[0])).not.toContain(marker);
    const log = (await accessLog(ctx, us1)).json().items;
    expect(
      log.some(
        (e: { action: string; grantId: string }) =>
          e.action === "interaction.label" && e.grantId === grant.grantId,
      ),
    ).toBe(true);

    expect((await post(target, { rating: 6 })).statusCode).toBe(400);
    expect((await post(target, {})).json().message).toMatch(
      /needs a rating, tags, a note or a corrected output/,
    );
    expect((await post(target, { tags: ["Bad Tag"] })).statusCode).toBe(400);
    expect((await post(target, { note: "x".repeat(4001) })).statusCode).toBe(400);
    expect((await post(ids.us2[0] as string, { rating: 3 })).statusCode).toBe(403);
  });

  it("hides interactions older than the retention period from the queue and reads", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    ctx.clock.advance(31 * DAY_MS);
    await reviewer.relogin();
    await approver.relogin();
    await grantAccess(ctx, reviewer, approver, { region: "us" });
    const q = (await queue(ctx, reviewer.cookie, "?region=us")).json();
    for (const id of [...ids.us1, ...ids.us2])
      expect(q.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await read(ctx, reviewer.cookie, ids.us1[0] as string)).statusCode).toBe(404);
  });
});

describe.each(dialects())("access log naming staff by id on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, { config: { access: { transparencyIdentity: "staff-id" } } });
  });
  afterAll(async () => ctx?.close());

  it("shows the staff id instead of the name", async () => {
    const t = await tenantWithAdmin(ctx, "eu");
    const [id] = await sharedInteractions(ctx, t, 1);
    const reviewer = await staffMember(ctx, ["reviewer"], "Private Name");
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: t.id });
    expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(200);
    const log = await accessLog(ctx, t);
    expect(log.json().items[0]).toMatchObject({ who: reviewer.id, staffId: reviewer.id });
    expect(log.body).not.toContain("Private Name");
    expect(log.body).not.toContain(reviewer.email);
  });
});
