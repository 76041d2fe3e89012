import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, staffMember } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("users created by an operator on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { cookie: string };
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffMember(ctx, ["operator"]);
  });
  afterAll(async () => ctx?.close());

  const create = (payload: Record<string, unknown>) =>
    ctx.app.inject({ method: "POST", url: "/api/users", headers: { cookie: operator.cookie }, payload });

  it("get a one-time password by default: nothing but a password change until it is changed", async () => {
    const email = `new-${Date.now()}@vendor.example`;
    const res = await create({ email, password: PASSWORD, roles: ["reviewer"] });
    expect(res.statusCode).toBe(201);
    expect(res.json().mustChangePassword).toBe(true);
    const { token } = await ctx.services.users.signIn(email, PASSWORD);
    const cookie = `assent_session=${token}`;
    const blocked = await ctx.app.inject({ method: "GET", url: "/api/access-requests", headers: { cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error).toBe("password_change_required");
    const changed = await ctx.app.inject({
      method: "POST",
      url: "/api/session/password",
      headers: { cookie },
      payload: { currentPassword: PASSWORD, newPassword: "my very own password" },
    });
    expect(changed.statusCode).toBe(204);
    const allowed = await ctx.app.inject({ method: "GET", url: "/api/access-requests", headers: { cookie } });
    expect(allowed.statusCode).toBe(200);
  });

  it("keep the password when the operator says it is not one-time", async () => {
    const res = await create({
      email: `kept-${Date.now()}@vendor.example`,
      password: PASSWORD,
      roles: ["approver"],
      mustChangePassword: false,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().mustChangePassword).toBe(false);
  });

  it("are refused with a clear message for a bad role, tenant or password", async () => {
    const bad = [
      [{ email: "a@b.c", password: PASSWORD, roles: ["king"] }, /unknown role "king"/],
      [{ email: "a@b.c", password: PASSWORD, roles: ["tenant-admin"] }, /join by invitation/],
      [{ email: "a@b.c", password: "short", roles: ["reviewer"] }, /at least 12 characters/],
      [{ email: "not-an-email", password: PASSWORD, roles: ["reviewer"] }, /email/],
    ] as const;
    for (const [payload, message] of bad) {
      const res = await create(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(res.body).not.toContain(PASSWORD);
    }
  });
});
