import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../packages/server/src/actor.js";
import { type E2E, PASSWORD, screenshot, signIn, startE2E, waitForText } from "./support.js";

describe("API tokens in the browser", () => {
  let e2e: E2E;
  const operatorEmail = "ops-tokens-e2e@vendor.example";
  const adminEmail = "admin-tokens-e2e@contoso.example";
  let tenantId = "";

  beforeAll(async () => {
    e2e = await startE2E();
    await e2e.ctx.services.users.createUser(
      { email: operatorEmail, password: PASSWORD, roles: ["operator"] },
      CLI_ACTOR,
    );
    const tenant = await e2e.ctx.services.tenants.createTenant(
      { name: "Contoso (e2e)", region: "eu", externalId: "contoso-e2e" },
      CLI_ACTOR,
    );
    tenantId = tenant.id;
    await e2e.ctx.services.users.createUser(
      { email: adminEmail, password: PASSWORD, roles: ["tenant-admin"], tenantId },
      CLI_ACTOR,
    );
  });
  afterAll(async () => e2e?.close());

  const onBehalf = (token: string, enabled: boolean) =>
    e2e.ctx.app.inject({
      method: "PUT",
      url: "/api/tenants/contoso-e2e/sharing",
      headers: { authorization: `Bearer ${token}` },
      payload: { enabled, actor: { email: "jane@contoso.example", name: "Jane Doe" } },
    });

  it("issues a token shown once, the console acts with it, the admin center names both, revoking ends it", async () => {
    const page = await e2e.newPage();
    await signIn(page, operatorEmail);
    await page.goto("/operations/tokens");
    await page.getByLabel("Token name").fill("Contoso admin console");
    await page.getByRole("checkbox", { name: /sharing:read/ }).check();
    await page.getByRole("checkbox", { name: /sharing:write/ }).check();
    await page.getByRole("button", { name: "Issue token" }).click();
    const token = (await waitForText(page.getByTestId("new-token-value"), /^asmt_/)).trim();
    const row = page.getByTestId("api-token-row").filter({ hasText: "Contoso admin console" });
    await waitForText(row, "sharing:write");
    await screenshot(page, "operations-api-token");

    // The vendor's console turns sharing on for Jane; the token's last use shows up in the list.
    expect((await onBehalf(token, true)).statusCode).toBe(200);
    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    await waitForText(page.getByTestId("api-tokens"), "Contoso admin console");
    expect(await page.locator("body").textContent()).not.toContain(token);
    expect(await row.locator("time").count()).toBe(2);

    // The tenant's own admin center names the person and the token.
    const admin = await e2e.newPage();
    await signIn(admin, adminEmail);
    await waitForText(
      admin.getByTestId("period"),
      "Jane Doe (jane@contoso.example) via token 'Contoso admin console'",
    );
    await screenshot(admin, "admin-center-via-token");

    await row.getByRole("button", { name: /Revoke/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await waitForText(row, "revoked");
    expect((await onBehalf(token, false)).statusCode).toBe(401);
    expect(e2e.takeProblems()).toEqual([]);
  });
});
