import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  requestAccess,
  setSharing,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "../packages/server/test/fixtures.js";
import { axeViolations, type E2E, screenshot, signIn, startE2E, waitForText } from "./support.js";

/**
 * Every main screen, filled with data: no serious or critical axe violation on any, and a
 * screenshot of each (with ASSENT_E2E_SCREENSHOTS). Also: the audit log's drawer and Verify chain,
 * filters kept in the URL, the insights charts, and a deletion receipt downloaded as JSON.
 */
describe("every screen, readable and accessible", () => {
  let e2e: E2E;
  let tenant: TenantFixture;
  let other: TenantFixture;
  let operator: Awaited<ReturnType<typeof staffMember>>;
  let reviewer: Awaited<ReturnType<typeof staffMember>>;
  let approver: Awaited<ReturnType<typeof staffMember>>;
  let interactionId: string;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
    other = await tenantWithAdmin(e2e.ctx, "us");
    [interactionId = ""] = await sharedInteractions(e2e.ctx, tenant, 6, (i) => ({
      feature: i % 2 ? "sales.email-draft" : "support.reply",
      telemetry: { latencyMs: 100 + 50 * i, tokensIn: 10 * i, tokensOut: 20 * i, model: "gpt-test" },
    }));
    // The other tenant shared, then withdrew and deleted at once: its admin has a receipt.
    await sharedInteractions(e2e.ctx, other, 2);
    await setSharing(e2e.ctx, other, false);
    const deleted = await e2e.ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { cookie: other.adminCookie, "x-assent-request": "1" },
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    operator = await staffMember(e2e.ctx, ["operator"], "Olga Operator");
    reviewer = await staffMember(e2e.ctx, ["reviewer"], "Rita Reviewer");
    approver = await staffMember(e2e.ctx, ["approver"], "Arne Approver");
    await grantAccess(e2e.ctx, reviewer, approver, { region: "eu", tenantId: tenant.id });
    await requestAccess(e2e.ctx, reviewer.cookie, { region: "us", tenantId: other.id });
    await e2e.ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions/${interactionId}`,
      headers: { cookie: reviewer.cookie },
    });
  });
  afterAll(async () => e2e?.close());

  const check = async (page: Page, name: string) => {
    await screenshot(page, name);
    expect(await axeViolations(page), name).toEqual([]);
  };

  it("operations: tenants, service keys, users, tokens, insights with charts, audit log", async () => {
    const page = await e2e.newPage();
    await signIn(page, operator.email);
    await page.waitForURL("**/operations/tenants");
    await page.getByRole("heading", { name: "Tenants" }).first().waitFor();
    await check(page, "ops-tenants");
    for (const [tab, url] of [
      ["Service keys", "service-keys"],
      ["Users", "users"],
      ["API tokens", "tokens"],
    ] as const) {
      await page.getByRole("link", { name: tab }).click();
      await page.waitForURL(`**/operations/${url}`);
      await page
        .getByRole("link", { name: tab, exact: true })
        .and(page.locator('[aria-current="page"]'))
        .waitFor();
      await check(page, `ops-${url}`);
    }

    await page.getByRole("link", { name: "Insights" }).click();
    await waitForText(page.getByTestId("insights"), "sales.email-draft");
    await page.getByTestId("chart-volume").locator("canvas").first().waitFor();
    await page.getByTestId("chart-latency").locator("canvas").first().waitFor();
    await waitForText(page.getByRole("list", { name: "Totals" }), "6 interactions");
    await check(page, "ops-insights");
    // Region and tenant are pickers (the tenants of the chosen region, by name), and the filters
    // live in the URL: applying writes them, and opening that URL applies them.
    const tenantPicker = page.getByLabel("Tenant", { exact: true });
    await page.getByLabel("Region", { exact: true }).selectOption("eu");
    const offered = await tenantPicker.locator("option").allTextContents();
    expect(offered[0]).toBe("Every tenant");
    expect(offered.some((o) => o.endsWith("(eu)"))).toBe(true);
    expect(offered.some((o) => o.endsWith("(us)"))).toBe(false);
    await tenantPicker.selectOption(tenant.id);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(`**/operations/insights?region=eu&tenant=${tenant.id}`);
    await waitForText(page.getByTestId("insights"), "sales.email-draft");
    await check(page, "ops-insights-filtered");
    await page.goto("/operations/insights?region=us");
    await waitForText(page.locator("body"), "No interactions in this window");
    expect(await page.getByLabel("Region", { exact: true }).inputValue()).toBe("us");
    expect(await tenantPicker.inputValue()).toBe("");

    await page.goto("/operations/audit?chain=region-eu&action=interaction.read");
    const audit = page.getByTestId("audit");
    await waitForText(audit, "Rita Reviewer");
    expect(await page.getByLabel("Chain", { exact: true }).inputValue()).toBe("region-eu");
    expect(await audit.textContent()).toContain("interaction.read");
    await check(page, "ops-audit");
    await page.getByRole("button", { name: "Verify chain" }).click();
    await waitForText(page.getByTestId("audit-verify-result"), "Chain region-eu verified");
    await audit
      .getByRole("button", { name: /^Details of event/ })
      .first()
      .click();
    const drawer = page.getByRole("dialog");
    await waitForText(drawer, "Previous hash");
    await check(page, "ops-audit-details");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("reviewer workbench, the interaction page and approvals", async () => {
    const rp = await e2e.newPage();
    await signIn(rp, reviewer.email);
    await waitForText(rp.getByTestId("queue"), "sales.email-draft");
    await check(rp, "review-workbench");
    await rp
      .getByRole("link", { name: /Open interaction/ })
      .first()
      .click();
    await rp.getByTestId("audited-read").waitFor();
    await check(rp, "review-interaction-page");

    const ap = await e2e.newPage();
    await signIn(ap, approver.email);
    await ap.getByTestId("pending-request").first().waitFor();
    await check(ap, "approvals");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("admin center: purposes in plain words, times with their zone, a receipt downloaded as JSON", async () => {
    const page = await e2e.newPage();
    await signIn(page, other.adminEmail);
    const purposes = page.getByTestId("purposes");
    await waitForText(purposes, "Checking the quality of their answers");
    expect(await purposes.textContent()).not.toContain("quality-evaluation");
    const time = page.locator("time").first();
    expect(await time.getAttribute("title")).toMatch(/ UTC$/);
    await check(page, "admin-center");

    const receipt = page.getByTestId("receipt");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      receipt.getByRole("button", { name: "Download receipt (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^deletion-receipt-.+\.json$/);
    const saved = JSON.parse(readFileSync((await download.path()) as string, "utf8"));
    expect(saved.kind).toBe("delete-now");
    expect(saved.deleted.interactions).toBe(2);
    expect(e2e.takeProblems()).toEqual([]);
  });
});
