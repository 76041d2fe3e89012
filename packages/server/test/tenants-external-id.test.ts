import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { staffMember } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("tenants named by the vendor's external id on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { cookie: string };
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffMember(ctx, ["operator"]);
  });
  afterAll(async () => ctx?.close());

  const create = (payload: Record<string, unknown>) =>
    ctx.app.inject({ method: "POST", url: "/api/tenants", headers: { cookie: operator.cookie }, payload });

  it("keeps the external id and finds the tenant by it or by its own id", async () => {
    const res = await create({ name: "Contoso", region: "eu", externalId: "crm:org/4711" });
    expect(res.statusCode).toBe(201);
    const tenant = res.json();
    expect(tenant.externalId).toBe("crm:org/4711");
    expect((await ctx.services.tenants.findTenantByRef("crm:org/4711"))?.id).toBe(tenant.id);
    expect((await ctx.services.tenants.findTenantByRef(tenant.id))?.externalId).toBe("crm:org/4711");
    expect(await ctx.services.tenants.findTenantByRef("crm:org/0000")).toBeNull();
    expect(await ctx.services.tenants.findTenantByRef("")).toBeNull();
  });

  it("refuses a second tenant with the same external id, and a malformed one", async () => {
    await ctx.services.tenants.createTenant({ name: "First", region: "us", externalId: "acme-1" }, CLI_ACTOR);
    const again = await create({ name: "Second", region: "us", externalId: "acme-1" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe("external_id_taken");
    const spaced = await create({ name: "Third", region: "us", externalId: "has space" });
    expect(spaced.statusCode).toBe(400);
  });

  it("leaves the external id empty when none is given", async () => {
    const t = await ctx.services.tenants.createTenant({ name: "Plain", region: "us" }, CLI_ACTOR);
    expect(t.externalId).toBeNull();
    const listed = await ctx.app.inject({
      method: "GET",
      url: "/api/tenants",
      headers: { cookie: operator.cookie },
    });
    expect(listed.json().find((x: { id: string }) => x.id === t.id).externalId).toBeNull();
  });
});
