import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemo } from "../src/demo.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("serve --demo on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  it("makes tenants in eu and us that share, their admins, staff of every role and interactions, once", async () => {
    const demo = await ensureDemo(ctx.services, 12);
    expect(demo.created).toBe(true);
    expect(demo.interactions).toBe(24);
    const roles = demo.accounts.flatMap((a) => a.roles);
    for (const role of ["tenant-admin", "reviewer", "approver", "operator"]) expect(roles).toContain(role);
    for (const t of [
      { id: "demo-eu", region: "eu" },
      { id: "demo-us", region: "us" },
    ]) {
      expect((await ctx.services.consent.getState(t)).sharing).toBe("on");
      expect(await ctx.services.capture.countInteractions(t)).toBe(12);
    }
    // Every printed account signs in with its printed password.
    for (const a of demo.accounts) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { email: a.email, password: a.password },
      });
      expect(res.statusCode, a.email).toBe(200);
    }
    // The printed keys send for their tenant.
    const key = demo.keys.find((k) => k.tenantId === "demo-eu")!.key;
    const sharing = await ctx.app.inject({
      method: "GET",
      url: "/v1/sharing",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(sharing.json()).toMatchObject({ tenant: "demo-eu", region: "eu", sharing: "on" });

    const again = await ensureDemo(ctx.services, 12);
    expect(again.created).toBe(false);
    expect(await ctx.services.capture.countInteractions({ id: "demo-eu", region: "eu" })).toBe(12);
  });
});
