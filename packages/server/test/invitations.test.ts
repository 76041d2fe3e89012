import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { HOUR_MS } from "../src/clock.js";
import { PASSWORD, staffUser } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/**
 * Issue 16, defect 6: an operator could create a tenant admin with a password of their choosing,
 * sign in and switch the tenant's sharing on. Tenant admins now join by invitation only.
 */
describe.each(dialects())("tenant admins by invitation on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { id: string; email: string; cookie: string };
  let tenantId: string;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffUser(ctx, ["operator"]);
    tenantId = (await ctx.services.tenants.createTenant({ name: "Invited Co", region: "us" }, CLI_ACTOR)).id;
  });
  afterAll(async () => ctx?.close());

  const invite = (email: string) =>
    ctx.app.inject({
      method: "POST",
      url: "/api/invitations",
      headers: { cookie: operator.cookie },
      payload: { email, tenantId },
    });
  const accept = (token: string, password = PASSWORD) =>
    ctx.app.inject({ method: "POST", url: "/api/invitations/accept", payload: { token, password } });

  it("an operator cannot make a tenant admin with a password they chose", async () => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/users",
      headers: { cookie: operator.cookie },
      payload: { email: "chosen@tenant.example", password: PASSWORD, roles: ["tenant-admin"], tenantId },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "use_invitation" });
    expect((await ctx.services.users.listUsers()).some((u) => u.email === "chosen@tenant.example")).toBe(
      false,
    );
  });

  it("the invited person sets their own password through a one-time link; the account says how it came to be", async () => {
    const res = await invite("Admin@Tenant.example");
    expect(res.statusCode).toBe(201);
    const { token, acceptPath, invitation } = res.json();
    expect(acceptPath).toBe(`/accept-invitation#token=${token}`);
    expect(JSON.stringify(res.json())).not.toMatch(/password/i);
    // The store holds only the token's hash.
    const stored = await ctx.services.stores.control.db.selectFrom("invitations").selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    expect((await accept(token, "short")).json()).toMatchObject({ error: "weak_password" });
    const ok = await accept(token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({
      email: "admin@tenant.example",
      roles: ["tenant-admin"],
      tenantId,
    });
    const cookie = `assent_session=${ok.cookies.find((c) => c.name === "assent_session")?.value}`;
    // One-time: the link does not work again.
    expect((await accept(token, "another long password")).json()).toMatchObject({
      error: "invalid_invitation",
    });

    const accounts = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/accounts",
      headers: { cookie },
    });
    expect(accounts.statusCode).toBe(200);
    const [account] = accounts.json().accounts;
    expect(account).toMatchObject({
      email: "admin@tenant.example",
      origin: "invitation",
      createdBy: operator.email,
      invitation: { id: invitation.id },
    });
    expect(account.invitation.acceptedAt).not.toBeNull();

    const audit = await ctx.services.stores.control.db
      .selectFrom("audit_events")
      .select(["action", "details", "actor_id"])
      .where("tenant_id", "=", tenantId)
      .orderBy("seq")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "tenant.create",
      "invitation.create",
      "user.create",
      "session.sign-in",
    ]);
    const created = JSON.parse(audit[2]!.details);
    expect(created).toMatchObject({ via: "invitation", invitationId: invitation.id, invitedBy: operator.id });
  });

  it("an expired invitation cannot be accepted", async () => {
    const { token } = (await invite("late@tenant.example")).json();
    ctx.clock.advance(73 * HOUR_MS);
    expect((await accept(token)).json()).toMatchObject({ error: "invalid_invitation" });
  });
});
