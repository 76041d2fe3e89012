import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

interface Event {
  chain: string;
  seq: number;
  action: string;
  actorId: string | null;
  tenantId: string | null;
  grantId: string | null;
  at: string;
}

describe.each(dialects())("GET /api/audit on %s", (dialect) => {
  let ctx: TestContext;
  let operator: Awaited<ReturnType<typeof staffMember>>;
  let reviewer: Awaited<ReturnType<typeof staffMember>>;
  let t: TenantFixture;
  let grantId: string;

  const audit = async (query: string, cookie = operator.cookie) =>
    ctx.app.inject({ method: "GET", url: `/api/audit${query}`, headers: { cookie } });

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffMember(ctx, ["operator"]);
    reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    t = await tenantWithAdmin(ctx, "eu");
    const [id] = await sharedInteractions(ctx, t, 1);
    ({ grantId } = await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: t.id }));
    await ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions/${id}`,
      headers: { cookie: reviewer.cookie },
    });
  });
  afterAll(async () => ctx?.close());

  it("is for operators only", async () => {
    expect((await audit("", reviewer.cookie)).statusCode).toBe(403);
    expect((await audit("", t.adminCookie)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: "GET", url: "/api/audit" })).statusCode).toBe(401);
  });

  it("lists the control chain newest first, with filters and paging", async () => {
    const all = (await audit("?limit=500")).json().items as Event[];
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(all.every((e) => e.chain === "control")).toBe(true);
    const actions = new Set(all.map((e) => e.action));
    for (const a of [
      "tenant.create",
      "user.create",
      "session.sign-in",
      "access-request.create",
      "access-request.approve",
    ]) {
      expect(actions).toContain(a);
    }
    const approve = (await audit("?action=access-request.approve")).json().items as Event[];
    expect(approve).toHaveLength(1);
    expect(approve[0]?.grantId).toBe(grantId);
    const byActor = (await audit(`?actor=${reviewer.id}`)).json().items as Event[];
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actorId === reviewer.id)).toBe(true);
    const byTenant = (await audit(`?tenant=${t.id}`)).json().items as Event[];
    expect(byTenant.every((e) => e.tenantId === t.id)).toBe(true);
    expect(byTenant.map((e) => e.action)).toContain("tenant.create");

    const newest = all[0] as Event;
    const window = (
      await audit(`?from=${newest.at}&to=${new Date(Date.parse(newest.at) + 1).toISOString()}`)
    ).json().items as Event[];
    expect(window.every((e) => e.at === newest.at)).toBe(true);
    expect(window.map((e) => e.seq)).toContain(newest.seq);

    const page1 = (await audit("?limit=3")).json();
    const page2 = (await audit(`?limit=3&cursor=${page1.nextCursor}`)).json();
    expect([...page1.items, ...page2.items].map((e: Event) => e.seq)).toEqual(seqs.slice(0, 6));
  });

  it("lists a region chain, where content reads are recorded with their grant", async () => {
    const reads = (await audit("?chain=region-eu&action=interaction.read")).json().items as Event[];
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ chain: "region-eu", grantId, tenantId: t.id, actorId: reviewer.id });
    const bad = await audit("?chain=region-mars");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/chain must be one of control, region-us, region-eu/);
  });

  it("names the person behind each actor id (null for system actors)", async () => {
    const reads = (await audit("?chain=region-eu&action=interaction.read")).json().items;
    expect(reads[0].actor).toEqual({ name: null, email: reviewer.email });
    const all = (await audit("?limit=500")).json().items as (Event & { actor: unknown })[];
    expect(all.filter((e) => e.actorId === null).every((e) => e.actor === null)).toBe(true);
  });

  it("POST /api/audit/verify runs the verification of `assent audit verify` and names a break", async () => {
    const verify = (cookie = operator.cookie) =>
      ctx.app.inject({
        method: "POST",
        url: "/api/audit/verify",
        headers: { cookie, "x-assent-request": "1" },
      });
    expect((await verify(reviewer.cookie)).statusCode).toBe(403);
    const ok = await verify();
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, firstBroken: null });
    expect(Object.keys(ok.json().chains).sort()).toEqual(["control", "region-eu", "region-us"]);
    expect(ok.json().chains.control.events).toBeGreaterThan(0);

    const control = ctx.services.stores.control.db;
    const victim = await control
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "access-request.approve")
      .executeTakeFirstOrThrow();
    await control.updateTable("audit_events").set({ grant_id: null }).where("seq", "=", victim.seq).execute();
    try {
      const broken = (await verify()).json();
      expect(broken.ok).toBe(false);
      expect(broken.firstBroken).toMatchObject({ chain: "control", id: victim.id, seq: Number(victim.seq) });
      expect(broken.firstBroken.message).toContain("audit chain control is broken");
    } finally {
      await control
        .updateTable("audit_events")
        .set({ grant_id: victim.grant_id })
        .where("seq", "=", victim.seq)
        .execute();
    }
  });
});
