import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decideRequest,
  JUSTIFICATION,
  requestAccess,
  setSharing,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "../packages/server/test/fixtures.js";
import {
  axeViolations,
  type E2E,
  fastPolling,
  screenshot,
  signIn,
  startE2E,
  waitForText,
} from "./support.js";

/**
 * Screens that show what other people change refresh themselves: nobody reloads a page here.
 * (Polling is shortened to 300 ms for the test; the app polls every 10 s and on window focus.)
 */
describe("live updates in the browser", () => {
  let e2e: E2E;
  let tenant: TenantFixture;
  let interactionId: string;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
    [interactionId = ""] = await sharedInteractions(e2e.ctx, tenant, 2, (i) => ({
      feature: "sales.email-draft",
      input: `live prompt ${i}`,
      output: `answer ${i}`,
    }));
  });
  afterAll(async () => e2e?.close());

  it("an approver sees a new request, with a count in the navigation, without reloading", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"], "Rita Reviewer");
    const approver = await staffMember(e2e.ctx, ["approver"]);
    const ap = await e2e.newPage();
    await fastPolling(ap);
    await signIn(ap, approver.email);
    await ap.waitForURL("**/approvals");
    await waitForText(ap.locator("body"), "No request is waiting for a decision");
    expect(await ap.getByTestId("pending-count").count()).toBe(0);

    // The reviewer asks (elsewhere); the approver's open page shows it by itself.
    const created = await requestAccess(e2e.ctx, reviewer.cookie, { region: "eu", tenantId: tenant.id });
    expect(created.statusCode).toBe(201);
    const pending = ap.getByTestId("pending-request").filter({ hasText: reviewer.email });
    await waitForText(pending, JUSTIFICATION);
    await waitForText(ap.getByTestId("pending-count"), "1");
    expect(await ap.getByRole("navigation", { name: "Screens" }).textContent()).toContain("1 pending");
    await screenshot(ap, "approvals-live-pending");
    expect(await axeViolations(ap)).toEqual([]);

    // The reviewer's open workbench shows the approval by itself, and the queue fills.
    const rp = await e2e.newPage();
    await fastPolling(rp);
    await signIn(rp, reviewer.email);
    await rp.waitForURL("**/review");
    await waitForText(rp.getByTestId("my-request"), "pending");
    await pending.getByRole("button", { name: "Approve" }).click();
    await waitForText(ap.getByRole("status").first(), `Approved ${reviewer.email}'s request`);
    await expect.poll(() => ap.getByTestId("pending-count").count()).toBe(0);
    await waitForText(rp.getByTestId("my-request"), "grant active");
    await waitForText(rp.getByTestId("queue"), "sales.email-draft");

    // The tenant admin's open access log shows the reviewer's read by itself.
    const adm = await e2e.newPage();
    await fastPolling(adm);
    await signIn(adm, tenant.adminEmail);
    await waitForText(adm.locator("body"), "No staff member has accessed your data");
    const read = await e2e.ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions/${interactionId}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(read.statusCode).toBe(200);
    await waitForText(adm.getByTestId("access-log"), "Rita Reviewer");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("the admin center shows a change of the setting made elsewhere at once (server push)", async () => {
    const t = await tenantWithAdmin(e2e.ctx, "us");
    const page = await e2e.newPage();
    await signIn(page, t.adminEmail);
    await waitForText(page.getByTestId("sharing-state"), "off");
    // Another session of this tenant's admin (a vendor console, say) turns sharing on.
    await setSharing(e2e.ctx, t, true);
    await waitForText(page.getByTestId("sharing-state"), "on");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("a request decided elsewhere leaves the approver's list by itself", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"]);
    const approver = await staffMember(e2e.ctx, ["approver"]);
    const other = await staffMember(e2e.ctx, ["approver"]);
    const created = await requestAccess(e2e.ctx, reviewer.cookie, { region: "eu", tenantId: tenant.id });
    const ap = await e2e.newPage();
    await fastPolling(ap);
    await signIn(ap, approver.email);
    const pending = ap.getByTestId("pending-request").filter({ hasText: reviewer.email });
    await waitForText(pending, JUSTIFICATION);
    const denied = await decideRequest(e2e.ctx, other.cookie, created.json().id, "deny", { note: "no" });
    expect(denied.statusCode).toBe(200);
    await expect.poll(() => pending.count(), { timeout: 10_000 }).toBe(0);
    expect(e2e.takeProblems()).toEqual([]);
  });
});
