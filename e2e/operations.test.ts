import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../packages/server/src/actor.js";
import { type E2E, PASSWORD, screenshot, signIn, startE2E, waitForText } from "./support.js";

const ONE_TIME = "one-time password 1";

describe("operations in the browser", () => {
  let e2e: E2E;
  const operatorEmail = "ops-e2e@vendor.example";

  beforeAll(async () => {
    e2e = await startE2E();
    // Like the first operator `assent serve` creates: a one-time password to change at sign-in.
    await e2e.ctx.services.users.createUser(
      { email: operatorEmail, password: ONE_TIME, roles: ["operator"], mustChangePassword: true },
      CLI_ACTOR,
    );
  });
  afterAll(async () => e2e?.close());

  const sharingWith = (key: string) =>
    e2e.ctx.app.inject({ method: "GET", url: "/v1/sharing", headers: { authorization: `Bearer ${key}` } });

  it("changes the one-time password, creates a tenant and a key shown once, revokes the key", async () => {
    const page = await e2e.newPage();
    await signIn(page, operatorEmail, ONE_TIME);
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    await page.getByLabel("One-time (current) password").fill(ONE_TIME);
    await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("New password again").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL("**/operations");
    await page.getByRole("heading", { name: "Operations" }).waitFor();

    // A tenant in eu with an id of our choosing.
    await page.getByLabel("Name").fill("Fabrikam (e2e)");
    await page.getByLabel("Home region").fill("eu");
    await page.getByLabel(/^Id/).fill("fabrikam-e2e");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await waitForText(page.getByRole("status").filter({ hasText: "created" }), "fabrikam-e2e");
    await waitForText(page.getByTestId("tenants"), "Fabrikam (e2e)");
    expect((await e2e.ctx.services.tenants.getTenant("fabrikam-e2e")).region).toBe("eu");

    // An unknown region is refused with the server's message next to the form.
    await page.getByLabel("Name").fill("Nowhere");
    await page.getByLabel("Home region").fill("mars");
    await page.getByLabel(/^Id/).fill("");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await waitForText(page.getByRole("alert"), "mars");
    expect(e2e.takeProblems()).toEqual([expect.stringContaining("status of 400")]);

    // The new tenant is selected: issue a key and see its secret once.
    const keys = page.getByRole("region", { name: "Ingestion keys of Fabrikam (e2e)" });
    await keys.getByLabel("Label").fill("copilot backend");
    await keys.getByRole("button", { name: "Issue key" }).click();
    const secret = (await waitForText(page.getByTestId("new-key-value"), /^ask_/)).trim();
    expect((await sharingWith(secret)).statusCode).toBe(200);
    await waitForText(keys.getByTestId("key-row"), "copilot backend");
    await screenshot(page, "operations-key");
    await keys.getByRole("button", { name: "I have stored it" }).click();
    await page.getByTestId("new-key").waitFor({ state: "detached" });

    // After a reload the secret is nowhere on the page, only the key's prefix.
    await page.reload();
    await page
      .getByRole("row", { name: /Fabrikam/ })
      .getByRole("button", { name: /Keys/ })
      .click();
    const row = page.getByTestId("key-row");
    const prefixText = await waitForText(row, "copilot backend");
    expect(await page.locator("body").textContent()).not.toContain(secret);
    expect(secret.startsWith(prefixText.split("…")[0] ?? "-")).toBe(true);

    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await waitForText(row, "revoked");
    expect((await sharingWith(secret)).statusCode).toBe(401);
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("issues a service key for one region, shown once, and revokes it", async () => {
    const page = await e2e.newPage();
    await signIn(page, operatorEmail);
    await page.getByRole("link", { name: "Service keys" }).click();
    const section = page.getByRole("region", { name: "Service keys" });
    await section.getByLabel("Name").fill("copilot e2e");
    await section.getByRole("checkbox", { name: "eu" }).check();
    await section.getByRole("button", { name: "Issue service key" }).click();
    const secret = (await waitForText(page.getByTestId("new-service-key-value"), /^assk_/)).trim();
    const all = await sharingWith(secret);
    expect(all.statusCode).toBe(200);
    expect(all.json().cursor).toMatch(/^eu:\d+$/);
    const row = page.getByTestId("service-key-row").filter({ hasText: "copilot e2e" });
    await waitForText(row, "eu");
    await section.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    await waitForText(row, "copilot e2e");
    expect(await page.locator("body").textContent()).not.toContain(secret);
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await waitForText(row, "revoked");
    expect((await sharingWith(secret)).statusCode).toBe(401);
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("invites a tenant admin who sets their own password, shows insights and the audit log", async () => {
    const page = await e2e.newPage();
    await signIn(page, operatorEmail);
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Email").fill("admin@fabrikam-e2e.example");
    await page.getByRole("checkbox", { name: "reviewer" }).uncheck();
    await page.getByRole("checkbox", { name: "tenant-admin" }).check();
    // No password field: the operator never chooses (or knows) a tenant admin's password.
    expect(await page.getByLabel("Initial password").count()).toBe(0);
    await page.getByLabel("Tenant of the tenant admin").selectOption("fabrikam-e2e");
    await page.getByRole("button", { name: "Invite tenant admin" }).click();
    const note = await waitForText(
      page.getByRole("status").filter({ hasText: "Invitation" }),
      "accept-invitation",
    );
    const link = /(http\S+accept-invitation#token=\S+)/.exec(note)?.[1] as string;

    // The invited person, in their own browser, chooses their password and lands in the admin center.
    const invited = await e2e.newPage();
    await invited.goto(link);
    await invited.getByLabel("Password (at least 12 characters)").fill(PASSWORD);
    await invited.getByLabel("Password again").fill(PASSWORD);
    await invited.getByRole("button", { name: "Set password and sign in" }).click();
    await waitForText(invited.getByTestId("tenant-accounts"), `invited by ${operatorEmail}`);
    await screenshot(invited, "admin-accounts");
    await invited.close();

    await page.getByRole("link", { name: "Insights" }).click();
    await waitForText(
      page.getByRole("region", { name: "Insights per feature" }),
      "No interactions in this window",
    );

    await page.getByRole("link", { name: "Audit log" }).click();
    const audit = page.getByTestId("audit");
    await waitForText(audit, "tenant.create");
    await waitForText(audit, "key.revoke");
    await waitForText(audit, "user.create");
    await page.getByLabel("Action").fill("key.create");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(async () => (await audit.textContent())?.includes("tenant.create")).toBe(false);
    await waitForText(audit, "key.create");
    await screenshot(page, "operations-audit");
    expect(e2e.takeProblems()).toEqual([]);
  });
});
