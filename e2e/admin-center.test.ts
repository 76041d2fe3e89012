import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, item, type TenantFixture, tenantWithAdmin } from "../packages/server/test/fixtures.js";
import { type E2E, screenshot, signIn, startE2E, waitForText } from "./support.js";

const DAY_MS = 24 * 3600 * 1000;

describe("admin center in the browser", () => {
  let e2e: E2E;
  let tenant: TenantFixture;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
  });
  afterAll(async () => e2e?.close());

  const serverSharing = async () =>
    (await e2e.ctx.services.consent.getState({ id: tenant.id, region: tenant.region })).sharing;

  it("turns sharing on only on Save, off after confirming, deletes now and shows the receipt", async () => {
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await page.waitForURL("**/admin");
    const state = page.getByTestId("sharing-state");
    await waitForText(state, "off");
    await waitForText(page.locator("body"), "Sharing has never been on");
    // What is shared and how it is handled, said plainly.
    const facts = page.getByRole("region", { name: "What is shared and how it is handled" });
    await waitForText(facts, "lockbox) do not apply");
    await waitForText(facts, "30 days");
    await waitForText(facts, "eu");

    // The switch alone changes nothing.
    const toggle = page.getByRole("switch", { name: /Share prompts/ });
    await toggle.check();
    await waitForText(page.locator("body"), "Not saved yet");
    expect(await serverSharing()).toBe("off");
    await screenshot(page, "admin-unsaved");

    await page.getByRole("button", { name: "Save" }).click();
    await waitForText(page.getByRole("status").filter({ hasText: "Saved" }), "Sharing is on");
    await waitForText(state, "on");
    expect(await serverSharing()).toBe("on");
    const history = page.getByRole("region", { name: "History of the setting" });
    await waitForText(history, "still on");
    await waitForText(history, tenant.adminEmail);
    expect(await page.getByTestId("period").count()).toBe(1);

    // Something to delete: three interactions captured while sharing is on.
    e2e.ctx.clock.advance(5_000);
    const at = e2e.ctx.clock.now();
    const res = await ingest(
      e2e.ctx,
      tenant.key,
      [1, 2, 3].map((i) => item({ occurredAt: new Date(at - i).toISOString() })),
    );
    expect(res.json().accepted).toBe(3);

    // Turning off asks first; Cancel keeps sharing on.
    await toggle.uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    const dialog = page.getByRole("dialog", { name: "Turn data sharing off?" });
    await dialog.waitFor();
    await screenshot(page, "admin-confirm-off");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await serverSharing()).toBe("on");
    await waitForText(state, "on");

    await page.getByRole("button", { name: "Save" }).click();
    await dialog.getByRole("button", { name: "Turn sharing off" }).click();
    await waitForText(state, "off");
    expect(await serverSharing()).toBe("off");

    // The deletion deadline: the opt-out time plus the program's 30 days.
    const deadline = page.getByTestId("delete-by");
    await waitForText(deadline, "will be deleted by");
    const deleteBy = await deadline.locator("time").getAttribute("datetime");
    expect(Date.parse(deleteBy ?? "")).toBe(e2e.ctx.clock.now() + 30 * DAY_MS);
    await waitForText(history, "awaiting deletion");
    await screenshot(page, "admin-off");

    await page.getByRole("button", { name: "Delete now" }).click();
    const confirmDelete = page.getByRole("dialog", { name: "Delete the shared data now?" });
    await confirmDelete.getByRole("button", { name: "Delete now" }).click();
    const receipt = page.getByTestId("receipt");
    await waitForText(receipt, "3 interactions");
    await waitForText(receipt, "delete-now");
    await waitForText(history, "deleted");
    await waitForText(page.locator("body"), "No shared data is waiting for deletion");
    expect(await page.getByRole("button", { name: "Delete now" }).count()).toBe(0);
    // One message: the Save's "scheduled for deletion" no longer holds, so it is gone.
    await waitForText(page.getByRole("status").filter({ hasText: "Deleted" }), "receipt");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved" }).count()).toBe(0);
    const periods = await e2e.ctx.services.consent.periods({ id: tenant.id, region: tenant.region });
    expect(periods[0]?.deletedAt).not.toBeNull();
    await screenshot(page, "admin-deleted");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("sends the admin back to sign-in when the session has expired", async () => {
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await page.getByRole("region", { name: "Access log" }).waitFor();
    e2e.ctx.clock.advance(13 * 3600 * 1000);
    await page.getByRole("button", { name: "Refresh" }).click();
    await waitForText(page.getByRole("status"), "Your session has ended");
    await page.getByLabel("Password").waitFor();
    expect(e2e.takeProblems()).toEqual([]);
  });
});
