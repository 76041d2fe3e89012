import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, signIn, staffMember, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("user lifecycle on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { id: string; cookie: string };
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffMember(ctx, ["operator"]);
  });
  afterAll(async () => ctx?.close());

  const patch = (id: string, payload: Record<string, unknown>, cookie = operator.cookie) =>
    ctx.app.inject({ method: "PATCH", url: `/api/users/${id}`, headers: { cookie }, payload });
  const controlAudit = async (action: string) =>
    ctx.services.stores.control.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", action)
      .execute();

  it("disabling a user ends their open session at once; enabling lets them sign in again", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const before = await ctx.app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: reviewer.cookie },
    });
    expect(before.statusCode).toBe(200);
    const res = await patch(reviewer.id, { disabled: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: reviewer.id, disabled: true });
    const after = await ctx.app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: reviewer.cookie },
    });
    expect(after.statusCode).toBe(401);
    const again = await ctx.app.inject({
      method: "POST",
      url: "/api/session",
      payload: { email: reviewer.email, password: PASSWORD },
    });
    expect(again.statusCode).toBe(401);
    expect((await patch(reviewer.id, { disabled: false })).json().disabled).toBe(false);
    expect(await signIn(ctx, reviewer.email)).toMatch(/^assent_session=/);
    const events = await controlAudit("user.disable");
    expect(events.some((e) => e.target_id === reviewer.id && e.actor_id === operator.id)).toBe(true);
    expect((await controlAudit("user.enable")).some((e) => e.target_id === reviewer.id)).toBe(true);
  });

  it("changes a staff member's roles, audited, and refuses unknown roles and tenant admins", async () => {
    const staff = await staffMember(ctx, ["reviewer"]);
    const res = await patch(staff.id, { roles: ["reviewer", "approver"] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().roles).toEqual(["reviewer", "approver"]);
    const approvals = await ctx.app.inject({
      method: "GET",
      url: "/api/access-requests?state=pending",
      headers: { cookie: staff.cookie },
    });
    expect(approvals.statusCode).toBe(200);
    const event = (await controlAudit("user.roles-change")).find((e) => e.target_id === staff.id);
    expect(event).toBeDefined();
    const unknown = await patch(staff.id, { roles: ["king"] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/unknown role "king"/);
    const toAdmin = await patch(staff.id, { roles: ["tenant-admin"] });
    expect(toAdmin.statusCode).toBe(400);
    const tenant = await tenantWithAdmin(ctx, "us");
    const admin = (await ctx.services.users.listUsers()).find((u) => u.email === tenant.adminEmail)!;
    const adminRoles = await patch(admin.id, { roles: ["reviewer"] });
    expect(adminRoles.statusCode).toBe(400);
    const adminReset = await ctx.app.inject({
      method: "POST",
      url: `/api/users/${admin.id}/reset-password`,
      headers: { cookie: operator.cookie, "x-assent-request": "1" },
    });
    expect(adminReset.statusCode).toBe(400);
    expect(adminReset.json().message).toMatch(/invite them again/);
    expect((await patch("nobody", { disabled: true })).statusCode).toBe(404);
  });

  it("resets a password to a one-time one: old sessions end, the new one must be changed first", async () => {
    const staff = await staffMember(ctx, ["approver"]);
    const res = await ctx.app.inject({
      method: "POST",
      url: `/api/users/${staff.id}/reset-password`,
      headers: { cookie: operator.cookie, "x-assent-request": "1" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { password, user } = res.json();
    expect(user.mustChangePassword).toBe(true);
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(res.headers["cache-control"]).toBe("no-store");
    const old = await ctx.app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: staff.cookie },
    });
    expect(old.statusCode).toBe(401);
    const cookie = await signIn(ctx, staff.email, password);
    const blocked = await ctx.app.inject({ method: "GET", url: "/api/access-requests", headers: { cookie } });
    expect(blocked.json().error).toBe("password_change_required");
    const oldPassword = await ctx.app.inject({
      method: "POST",
      url: "/api/session",
      payload: { email: staff.email, password: PASSWORD },
    });
    expect(oldPassword.statusCode).toBe(401);
    const event = (await controlAudit("user.password-reset")).find((e) => e.target_id === staff.id);
    expect(JSON.stringify(event)).not.toContain(password);
  });

  it("never disables or demotes the last operator", async () => {
    // Make this operator the only enabled one.
    for (const u of await ctx.services.users.listUsers()) {
      if (u.id !== operator.id && u.roles.includes("operator") && !u.disabled)
        await patch(u.id, { disabled: true });
    }
    const self = await patch(operator.id, { disabled: true });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ error: "last_operator" });
    const demote = await patch(operator.id, { roles: ["reviewer"] });
    expect(demote.statusCode).toBe(409);
    const second = await staffMember(ctx, ["reviewer"]);
    expect((await patch(second.id, { roles: ["operator"] })).statusCode).toBe(200);
    // Both at once: only one of the two operators can disable the other.
    const secondCookie = await signIn(ctx, second.email);
    const [a, b] = await Promise.all([
      patch(second.id, { disabled: true }),
      patch(operator.id, { disabled: true }, secondCookie),
    ]);
    // The loser is refused: 409 (last operator) or 401 (its own session ended first).
    expect([a.statusCode, b.statusCode].filter((c) => c === 200)).toHaveLength(1);
    const operators = (await ctx.services.users.listUsers()).filter(
      (u) => u.roles.includes("operator") && !u.disabled,
    );
    expect(operators.length).toBe(1);
    // The later tests act as whichever operator is left.
    if (b.statusCode === 200) operator = { id: second.id, cookie: secondCookie };
  });

  it("is for operators only", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const res = await patch(reviewer.id, { disabled: true }, reviewer.cookie);
    expect(res.statusCode).toBe(403);
    const empty = await patch(reviewer.id, {});
    expect(empty.statusCode).toBe(400);
  });
});
