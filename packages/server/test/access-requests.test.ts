import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../src/clock.js";
import {
  decideRequest,
  grantAccess,
  JUSTIFICATION,
  requestAccess,
  sharedInteractions,
  staffMember,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

async function controlEvents(ctx: TestContext, targetId: string) {
  return ctx.services.stores.control.db
    .selectFrom("audit_events")
    .select(["action", "actor_id", "grant_id"])
    .where("target_id", "=", targetId)
    .orderBy("seq")
    .execute();
}

const read = (ctx: TestContext, cookie: string, id: string) =>
  ctx.app.inject({ method: "GET", url: `/api/review/interactions/${id}`, headers: { cookie } });

describe.each(dialects())("access requests and grants on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  it("creates a pending request with defaults and validates every field", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const res = await requestAccess(ctx, reviewer.cookie, { region: "us", ticket: "SUP-1234" });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      state: "pending",
      region: "us",
      tenantId: null,
      reasonCode: "quality-review",
      justification: JUSTIFICATION,
      ticket: "SUP-1234",
      durationMinutes: 480,
      approvalsRequired: 1,
      approvals: [],
      grant: null,
      requester: { id: reviewer.id, email: reviewer.email },
    });
    expect(Date.parse(body.decideBy) - Date.parse(body.createdAt)).toBe(4 * DAY_MS);

    const bad = async (payload: Record<string, unknown>, pattern: RegExp, code = 400) => {
      const r = await requestAccess(ctx, reviewer.cookie, { region: "us", ...payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(code);
      expect(r.json().message).toMatch(pattern);
    };
    await bad({ region: "mars" }, /region "mars" is not configured/);
    await bad({ durationMinutes: 481 }, /durationMinutes must be a whole number from 5 to 480/);
    await bad({ durationMinutes: 2 }, /from 5 to 480/);
    await bad({ justification: "because" }, /justification must be 10-2000 characters/);
    await bad({ justification: "x".repeat(2001) }, /justification/);
    await bad({ reasonCode: "curiosity" }, /reasonCode/);
    await bad({ ticket: "has spaces in it" }, /ticket must be/);
    await bad({ tenantId: "nobody-here" }, /tenant nobody-here does not exist/);
    const t = await tenantWithAdmin(ctx, "eu");
    await bad({ tenantId: t.id }, new RegExp(`tenant ${t.id} lives in region eu, not us`));
    const noJustification = await ctx.app.inject({
      method: "POST",
      url: "/api/access-requests",
      headers: { cookie: reviewer.cookie },
      payload: { region: "us", reasonCode: "quality-review" },
    });
    expect(noJustification.statusCode).toBe(400);
    expect(noJustification.json().message).toMatch(/justification/);
  });

  it("refuses self-approval, even to a user holding both roles, with no override", async () => {
    const both = await staffMember(ctx, ["reviewer", "approver"]);
    const operatorToo = await staffMember(ctx, ["reviewer", "approver", "operator"]);
    for (const who of [both, operatorToo]) {
      const created = (await requestAccess(ctx, who.cookie, { region: "us" })).json();
      const self = await decideRequest(ctx, who.cookie, created.id, "approve");
      expect(self.statusCode).toBe(403);
      expect(self.json().message).toMatch(/nobody can approve their own access request/);
      const selfDeny = await decideRequest(ctx, who.cookie, created.id, "deny");
      expect(selfDeny.statusCode).toBe(403);
      const after = await ctx.app.inject({
        method: "GET",
        url: `/api/access-requests/${created.id}`,
        headers: { cookie: who.cookie },
      });
      expect(after.json()).toMatchObject({ state: "pending", approvals: [], grant: null });
    }
    // A reviewer without the approver role cannot approve anybody's request.
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const other = (await requestAccess(ctx, both.cookie, { region: "us" })).json();
    const res = await decideRequest(ctx, reviewer.cookie, other.id, "approve");
    expect(res.statusCode).toBe(403);
  });

  it("approval starts a time-boxed grant; decisions are final and audited", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const created = (await requestAccess(ctx, reviewer.cookie, { region: "us", durationMinutes: 60 })).json();
    const approvedAt = ctx.clock.now();
    const approved = await decideRequest(ctx, approver.cookie, created.id, "approve");
    expect(approved.statusCode).toBe(200);
    const body = approved.json();
    expect(body.state).toBe("approved");
    expect(body.decidedBy).toBe(approver.id);
    expect(body.approvals).toEqual([{ approverId: approver.id, at: new Date(approvedAt).toISOString() }]);
    expect(body.grant).toMatchObject({ status: "active", region: "us", tenantId: null });
    expect(Date.parse(body.grant.startsAt)).toBe(approvedAt);
    expect(Date.parse(body.grant.endsAt)).toBe(approvedAt + 60 * MINUTE_MS);

    for (const action of ["approve", "deny"] as const) {
      const again = await decideRequest(ctx, approver.cookie, created.id, action);
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toMatch(/already approved; decisions are final/);
    }
    const cancel = await decideRequest(ctx, reviewer.cookie, created.id, "cancel");
    expect(cancel.statusCode).toBe(409);

    const denied = (await requestAccess(ctx, reviewer.cookie, { region: "us" })).json();
    const deny = await decideRequest(ctx, approver.cookie, denied.id, "deny", { note: "use the eu data" });
    expect(deny.json()).toMatchObject({ state: "denied", decisionNote: "use the eu data", grant: null });
    const approveDenied = await decideRequest(ctx, approver.cookie, denied.id, "approve");
    expect(approveDenied.statusCode).toBe(409);
    expect(approveDenied.json().message).toMatch(/already denied/);

    const events = await controlEvents(ctx, created.id);
    expect(events.map((e) => e.action)).toEqual(["access-request.create", "access-request.approve"]);
    expect(events[1]?.grant_id).toBe(body.grant.id);
    expect((await controlEvents(ctx, denied.id)).map((e) => e.action)).toEqual([
      "access-request.create",
      "access-request.deny",
    ]);
  });

  it("only the requester cancels, and only while pending", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const otherReviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const created = (await requestAccess(ctx, reviewer.cookie, { region: "eu" })).json();
    expect((await decideRequest(ctx, otherReviewer.cookie, created.id, "cancel")).statusCode).toBe(403);
    const cancelled = await decideRequest(ctx, reviewer.cookie, created.id, "cancel");
    expect(cancelled.json()).toMatchObject({ state: "cancelled", decidedBy: reviewer.id });
    const late = await decideRequest(ctx, approver.cookie, created.id, "approve");
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toMatch(/already cancelled/);
  });

  it("reviewers see their own requests, approvers see all; state filter and paging", async () => {
    const a = await staffMember(ctx, ["reviewer"]);
    const b = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const mine = [];
    for (let i = 0; i < 3; i += 1)
      mine.push((await requestAccess(ctx, a.cookie, { region: "us" })).json().id);
    const theirs = (await requestAccess(ctx, b.cookie, { region: "us" })).json().id;
    await decideRequest(ctx, approver.cookie, mine[0], "approve");

    const list = async (cookie: string, query = "") =>
      (
        await ctx.app.inject({ method: "GET", url: `/api/access-requests${query}`, headers: { cookie } })
      ).json();
    const aList = await list(a.cookie);
    expect(aList.items.map((r: { id: string }) => r.id)).toEqual([...mine].reverse());
    const bView = await ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${mine[0]}`,
      headers: { cookie: b.cookie },
    });
    expect(bView.statusCode).toBe(404);
    const all = await list(approver.cookie, "?limit=500");
    const ids = all.items.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([...mine, theirs]));
    const pending = await list(a.cookie, "?state=pending");
    expect(pending.items.map((r: { id: string }) => r.id)).toEqual([mine[2], mine[1]]);
    const active = await list(a.cookie, "?state=active");
    expect(active.items.map((r: { id: string }) => r.id)).toEqual([mine[0]]);
    const page1 = await list(a.cookie, "?limit=2");
    expect(page1.items).toHaveLength(2);
    const page2 = await list(a.cookie, `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((r: { id: string }) => r.id)).toEqual([mine[0]]);
    expect(page2.nextCursor).toBeNull();
    const badState = await ctx.app.inject({
      method: "GET",
      url: "/api/access-requests?state=granted",
      headers: { cookie: a.cookie },
    });
    expect(badState.statusCode).toBe(400);
  });

  it("an undecided request expires after 4 days by the clock, and stays expired", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const created = (await requestAccess(ctx, reviewer.cookie, { region: "us" })).json();
    const decideBy = Date.parse(created.decideBy);
    ctx.clock.set(decideBy - 1);
    await reviewer.relogin();
    await approver.relogin();
    const before = await ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${created.id}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(before.json().state).toBe("pending");

    ctx.clock.set(decideBy);
    const approve = await decideRequest(ctx, approver.cookie, created.id, "approve");
    expect(approve.statusCode).toBe(409);
    expect(approve.json().error).toBe("request_expired");
    const after = await ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${created.id}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(after.json()).toMatchObject({ state: "expired", grant: null });
    const events = await controlEvents(ctx, created.id);
    expect(events.map((e) => e.action)).toEqual(["access-request.create", "access-request.expire"]);

    // Another one expires lazily when anybody lists requests.
    const second = (await requestAccess(ctx, reviewer.cookie, { region: "us" })).json();
    ctx.clock.advance(4 * DAY_MS);
    await reviewer.relogin();
    const list = await ctx.app.inject({
      method: "GET",
      url: "/api/access-requests?state=expired",
      headers: { cookie: reviewer.cookie },
    });
    expect(list.json().items.map((r: { id: string }) => r.id)).toContain(second.id);
    expect((await controlEvents(ctx, second.id)).map((e) => e.action)).toContain("access-request.expire");
  });

  it("a grant ends by itself; revoke ends it at once; only requester or approver revoke", async () => {
    const t = await tenantWithAdmin(ctx, "us");
    const [id] = await sharedInteractions(ctx, t, 1);
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const otherReviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);

    const timed = await grantAccess(ctx, reviewer, approver, { region: "us", durationMinutes: 30 });
    expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(200);
    ctx.clock.set(Date.parse(timed.endsAt) - 1);
    expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(200);
    ctx.clock.set(Date.parse(timed.endsAt));
    const ended = await read(ctx, reviewer.cookie, id as string);
    expect(ended.statusCode).toBe(403);
    expect(ended.json().message).toMatch(/needs an active access grant/);
    const endedView = await ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${timed.requestId}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(endedView.json().grant.status).toBe("ended");
    const revokeEnded = await decideRequest(ctx, approver.cookie, timed.requestId, "revoke");
    expect(revokeEnded.statusCode).toBe(409);

    const live = await grantAccess(ctx, reviewer, approver, { region: "us" });
    expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(200);
    expect((await decideRequest(ctx, otherReviewer.cookie, live.requestId, "revoke")).statusCode).toBe(403);
    const revoked = await decideRequest(ctx, approver.cookie, live.requestId, "revoke");
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().grant).toMatchObject({ status: "revoked", revokedBy: approver.id });
    const denied = await read(ctx, reviewer.cookie, id as string);
    expect(denied.statusCode).toBe(403);
    expect((await decideRequest(ctx, approver.cookie, live.requestId, "revoke")).statusCode).toBe(409);

    const own = await grantAccess(ctx, reviewer, approver, { region: "us" });
    const selfRevoke = await decideRequest(ctx, reviewer.cookie, own.requestId, "revoke");
    expect(selfRevoke.json().grant.status).toBe("revoked");
    expect((await read(ctx, reviewer.cookie, id as string)).statusCode).toBe(403);
    const events = await controlEvents(ctx, own.requestId);
    expect(events.map((e) => e.action)).toEqual([
      "access-request.create",
      "access-request.approve",
      "grant.revoke",
    ]);
    expect(events[2]?.grant_id).toBe(own.grantId);
  });

  it("counts open grants in the metrics", async () => {
    const openGrants = async () => {
      const text = (await ctx.app.inject({ method: "GET", url: "/metrics" })).body;
      const m = /^assent_open_grants (\d+)$/m.exec(text);
      if (!m) throw new Error("assent_open_grants missing from /metrics");
      return Number(m[1]);
    };
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const before = await openGrants();
    const g = await grantAccess(ctx, reviewer, approver, { region: "eu", durationMinutes: 10 });
    expect(await openGrants()).toBe(before + 1);
    await decideRequest(ctx, approver.cookie, g.requestId, "revoke");
    expect(await openGrants()).toBe(before);
  });

  it("the grant's length is capped by configuration", async () => {
    const capped = await createTestContext(dialect, {
      config: { access: { grantMaxMinutes: 60, grantDefaultMinutes: 30, requestExpiryHours: 2 } },
    });
    try {
      const reviewer = await staffMember(capped, ["reviewer"]);
      const tooLong = await requestAccess(capped, reviewer.cookie, { region: "us", durationMinutes: 61 });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().message).toMatch(/from 5 to 60/);
      const dflt = (await requestAccess(capped, reviewer.cookie, { region: "us" })).json();
      expect(dflt.durationMinutes).toBe(30);
      expect(Date.parse(dflt.decideBy) - Date.parse(dflt.createdAt)).toBe(2 * HOUR_MS);
    } finally {
      await capped.close();
    }
  });
});

describe.each(dialects())("two approvals on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, { config: { access: { approvalsRequired: 2 } } });
  });
  afterAll(async () => ctx?.close());

  it("needs two distinct approvers, neither the requester", async () => {
    const requester = await staffMember(ctx, ["reviewer", "approver"]);
    const first = await staffMember(ctx, ["approver"]);
    const second = await staffMember(ctx, ["approver"]);
    const created = (await requestAccess(ctx, requester.cookie, { region: "us" })).json();
    expect(created.approvalsRequired).toBe(2);
    const one = await decideRequest(ctx, first.cookie, created.id, "approve");
    expect(one.json()).toMatchObject({ state: "pending", grant: null });
    expect(one.json().approvals).toHaveLength(1);
    const twice = await decideRequest(ctx, first.cookie, created.id, "approve");
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toMatch(/needs another approver/);
    expect((await decideRequest(ctx, requester.cookie, created.id, "approve")).statusCode).toBe(403);
    const two = await decideRequest(ctx, second.cookie, created.id, "approve");
    expect(two.json()).toMatchObject({ state: "approved", decidedBy: second.id });
    expect(two.json().grant.status).toBe("active");

    const other = (await requestAccess(ctx, requester.cookie, { region: "us" })).json();
    await decideRequest(ctx, first.cookie, other.id, "approve");
    const deny = await decideRequest(ctx, second.cookie, other.id, "deny");
    expect(deny.json()).toMatchObject({ state: "denied", grant: null });
  });
});
