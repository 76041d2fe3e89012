import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "../packages/server/test/fixtures.js";
import { type E2E, screenshot, signIn, startE2E, waitForText } from "./support.js";

const JUSTIFICATION = "Email drafts got low ratings this week; checking what the model wrote";

describe("reviewer, approver and the tenant's access log in the browser", () => {
  let e2e: E2E;
  let tenant: TenantFixture;
  let reviewer: { id: string; email: string };
  let approver: { id: string; email: string; cookie: string };
  let marker: string;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
    marker = `e2e-content-${Math.random().toString(36).slice(2, 10)}`;
    await sharedInteractions(e2e.ctx, tenant, 3, (i) => ({
      input: `${marker} prompt ${i}`,
      output: `answer ${i}`,
    }));
    reviewer = await staffMember(e2e.ctx, ["reviewer"]);
    approver = await staffMember(e2e.ctx, ["approver"]);
  });
  afterAll(async () => e2e?.close());

  it("a reviewer asks, an approver approves, the reviewer reads, and the tenant admin sees the read", async () => {
    // The reviewer asks for access to this tenant.
    const rp = await e2e.newPage();
    await signIn(rp, reviewer.email);
    await rp.waitForURL("**/review");
    await waitForText(rp.locator("body"), "You hold no active grant");
    // Pickers, not typed ids: the region, then the tenant by name.
    const ask = rp.getByRole("region", { name: "Request access" });
    await ask.getByRole("combobox", { name: "Region" }).selectOption("eu");
    await ask.getByRole("combobox", { name: /^Tenant/ }).selectOption(tenant.id);
    await rp.getByLabel("Reason", { exact: true }).selectOption("quality-review");
    await rp.getByLabel("Justification").fill(JUSTIFICATION);
    await rp.getByLabel(/^Ticket/).fill("SUP-4711");
    await rp.getByLabel("For", { exact: true }).selectOption("60");
    await rp.getByRole("button", { name: "Request access" }).click();
    await waitForText(rp.getByRole("status").filter({ hasText: "Request sent" }), "Your access requests");
    await waitForText(rp.getByTestId("my-request"), "pending");
    await screenshot(rp, "review-requested");

    // The approver sees it pending and approves it.
    const ap = await e2e.newPage();
    await signIn(ap, approver.email);
    await ap.waitForURL("**/approvals");
    const pending = ap.getByTestId("pending-request").filter({ hasText: reviewer.email });
    await waitForText(pending, JUSTIFICATION);
    await waitForText(pending, "SUP-4711");
    await screenshot(ap, "approvals-pending");
    await pending.getByRole("button", { name: "Approve" }).click();
    const grant = ap.getByTestId("active-grant").filter({ hasText: reviewer.email });
    await waitForText(grant, tenant.id);
    await expect.poll(() => ap.getByTestId("pending-request").count()).toBe(0);

    // The reviewer's request is now approved with an active grant; the queue lists the metadata.
    await rp
      .getByRole("region", { name: "Your access requests" })
      .getByRole("button", { name: "Refresh" })
      .click();
    await waitForText(rp.getByTestId("my-request"), "grant active");
    const queue = rp.getByTestId("queue");
    await waitForText(queue, "sales.email-draft");
    expect(await queue.locator("tbody tr").count()).toBe(3);
    expect(await queue.textContent()).not.toContain(marker);
    await screenshot(rp, "review-queue");

    // Opening one shows its content and says the read is audited.
    await queue
      .getByRole("link", { name: /Open interaction/ })
      .first()
      .click();
    await rp.waitForURL("**/review/interactions/**");
    await waitForText(rp.getByTestId("interaction-input"), marker);
    await waitForText(rp.getByTestId("audited-read"), "recorded in the audit log");
    const interactionId = decodeURIComponent(rp.url().split("/").pop() ?? "");

    // A label: rating, tags, note.
    await rp.getByRole("radio", { name: "4" }).check();
    await rp.getByLabel(/^Tags/).fill("helpful, tone");
    await rp.getByLabel("Note", { exact: true }).fill("Good draft, slightly formal.");
    await rp.getByRole("button", { name: "Add label" }).click();
    await waitForText(rp.getByTestId("label"), "4/5");
    await waitForText(rp.getByTestId("label"), "helpful, tone");
    await screenshot(rp, "review-interaction");

    // The tenant admin sees who read what, when and why.
    const adm = await e2e.newPage();
    await signIn(adm, tenant.adminEmail);
    const log = adm.getByTestId("access-log");
    await waitForText(log, "read an interaction");
    const readRow = log.locator("tbody tr").filter({ hasText: "read an interaction" });
    const text = await readRow.textContent();
    expect(text).toContain(reviewer.email);
    expect(text).toContain("quality-review");
    expect(text).toContain(JUSTIFICATION);
    expect(text).toContain("SUP-4711");
    expect(await readRow.locator(`code[title="${interactionId}"]`).count()).toBe(1);
    expect(await log.textContent()).not.toContain(marker);
    await screenshot(adm, "admin-access-log");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("shows the server's refusal when an approver tries to approve their own request", async () => {
    const dual = await staffMember(e2e.ctx, ["reviewer", "approver"]);
    const own = await requestAccess(e2e.ctx, dual.cookie, { region: "eu", tenantId: tenant.id });
    expect(own.statusCode).toBe(201);
    const page = await e2e.newPage();
    await signIn(page, dual.email);
    await page.goto("/approvals");
    const mine = page.getByTestId("pending-request").filter({ hasText: dual.email });
    await mine.getByRole("button", { name: "Approve" }).click();
    await waitForText(mine.getByRole("alert"), "nobody can approve their own access request");
    const after = await e2e.ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${own.json().id}`,
      headers: { cookie: approver.cookie },
    });
    expect(after.json().state).toBe("pending");

    // As its requester, they may cancel it.
    await page.goto("/review");
    const request = page.getByTestId("my-request").filter({ hasText: "pending" });
    await request.getByRole("button", { name: "Cancel request" }).click();
    await waitForText(page.getByTestId("my-request").first(), "cancelled");
    expect(e2e.takeProblems()).toEqual([]);
  });
});
