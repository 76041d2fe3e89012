import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
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

/** The annotation workflow, datasets and people, in the browser (issue 12). */
describe("annotation queues, datasets and user lifecycle in the browser", () => {
  let e2e: E2E;
  let tenant: TenantFixture;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
    await sharedInteractions(e2e.ctx, tenant, 3, (i) => ({
      feature: "sales.email-draft",
      input: `queue prompt ${i}`,
      output: `queue answer ${i}`,
    }));
  });
  afterAll(async () => e2e?.close());

  it("labels three interactions in a row with the keyboard only, focus kept, progress shown", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"], "Kim Keys");
    const approver = await staffMember(e2e.ctx, ["approver"]);
    await grantAccess(e2e.ctx, reviewer, approver, { region: "eu", tenantId: tenant.id });
    const made = await e2e.ctx.app.inject({
      method: "POST",
      url: "/api/review/queues",
      headers: { cookie: reviewer.cookie },
      payload: { region: "eu", name: "Keyboard run", tenant: tenant.id },
    });
    expect(made.statusCode, made.body).toBe(201);
    const queueId = made.json().id as string;

    const page = await e2e.newPage();
    await signIn(page, reviewer.email);
    await page.goto("/review");
    await waitForText(page.getByTestId("queues"), "Keyboard run");
    await screenshot(page, "review-queues");
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`/review/queues/${queueId}`);
    await waitForText(page.getByTestId("interaction-input"), "queue prompt");
    await page.keyboard.press("?");
    await waitForText(page.getByTestId("shortcut-help"), "Skip this interaction");
    await screenshot(page, "review-queue-item");
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("?");

    const seen: string[] = [];
    for (const rating of [4, 2, 5]) {
      const input = (await page.getByTestId("interaction-input").textContent()) ?? "";
      seen.push(input);
      // Focus is on the item, not lost to the page: the keys keep working from there.
      expect(await page.evaluate("document.activeElement?.dataset?.testid")).toBe("queue-item");
      await page.keyboard.press(String(rating));
      expect(await page.getByRole("radio", { name: String(rating) }).isChecked()).toBe(true);
      await page.keyboard.press("n");
      await waitForText(page.getByRole("status").first(), `Saved (rating ${rating})`);
      if (seen.length < 3) {
        await expect
          .poll(async () => (await page.getByTestId("interaction-input").textContent()) ?? "")
          .not.toBe(input);
      }
    }
    await waitForText(page.getByTestId("queue-finished"), "Nothing is left");
    await waitForText(page.locator(".queue-progress"), "3 of 3 handled");
    expect(new Set(seen).size).toBe(3);
    await screenshot(page, "review-queue-done");

    const store = e2e.ctx.services.stores.regions.get("eu");
    const labels = await store!.db
      .selectFrom("labels")
      .select(["rating"])
      .where("reviewer_id", "=", reviewer.id)
      .orderBy("created_at")
      .execute();
    expect(labels.map((l) => Number(l.rating))).toEqual([4, 2, 5]);
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("makes a dataset from the current filter and exports it, as an audited action", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"]);
    const approver = await staffMember(e2e.ctx, ["approver"]);
    await grantAccess(e2e.ctx, reviewer, approver, { region: "eu", tenantId: tenant.id });
    const page = await e2e.newPage();
    await signIn(page, reviewer.email);
    await page.goto("/review/datasets?region=eu");
    await waitForText(page.getByTestId("dataset-candidates"), "sales.email-draft");
    await waitForText(page.getByTestId("never-allowed"), "training foundation models");
    await page.getByLabel("Name").fill("Tone check");
    await page.getByLabel("Purpose").selectOption({ label: "Checking the quality of their answers" });
    await page.getByRole("button", { name: "Make dataset" }).click();
    await waitForText(page.getByRole("status").first(), 'Dataset "Tone check" made with 3 interactions');
    const row = page.getByTestId("dataset").filter({ hasText: "Tone check" });
    await waitForText(row, "3 interactions");
    await screenshot(page, "review-datasets");
    expect(await axeViolations(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: "Export (audited)" }).click(),
    ]);
    await waitForText(row, "Exported 3 interactions");
    const file = await download.path();
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ feature: "sales.email-draft" });
    const audit = await e2e.ctx.services.stores.regions
      .get("eu")!
      .db.selectFrom("audit_events")
      .select(["actor_id"])
      .where("action", "=", "dataset.export")
      .execute();
    expect(audit.some((a) => a.actor_id === reviewer.id)).toBe(true);
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("a disabled user's open session is refused at once; the operator sees it on the users screen", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"]);
    const operator = await staffMember(e2e.ctx, ["operator"]);
    const rp = await e2e.newPage();
    await fastPolling(rp);
    await signIn(rp, reviewer.email);
    await rp.waitForURL("**/review");

    const op = await e2e.newPage();
    await signIn(op, operator.email);
    await op.goto("/operations/users");
    const row = op.getByTestId("users").locator("tr").filter({ hasText: reviewer.email });
    await row.getByRole("button", { name: `Disable ${reviewer.email}` }).click();
    await op.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
    await waitForText(row, "disabled");
    await screenshot(op, "operations-users");
    expect(await axeViolations(op)).toEqual([]);

    // The reviewer's open page is refused on its next request: it shows the sign-in form.
    await rp.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 10_000 });
    const again = await e2e.ctx.app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: reviewer.cookie },
    });
    expect(again.statusCode).toBe(401);
    e2e.takeProblems();
  });

  it("shows the tenant admin how much of their data is held now", async () => {
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await waitForText(page.getByTestId("data-held-total"), "3");
    await waitForText(page.getByTestId("data-held"), "sales.email-draft");
    await screenshot(page, "admin-data-held");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("compares two answers side by side and saves a preference with the keyboard", async () => {
    const reviewer = await staffMember(e2e.ctx, ["reviewer"], "Cam Compare");
    const approver = await staffMember(e2e.ctx, ["approver"]);
    await grantAccess(e2e.ctx, reviewer, approver, { region: "eu", tenantId: tenant.id });
    const listed = await e2e.ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions?tenant=${tenant.id}&feature=sales.email-draft`,
      headers: { cookie: reviewer.cookie },
    });
    const [first = "", second = "", third = ""] = (listed.json().items as { id: string }[]).map((i) => i.id);

    const page = await e2e.newPage();
    await signIn(page, reviewer.email);
    await page.goto(`/review/interactions/${first}`);
    await page.getByTestId("compare-link").click();
    await page.waitForURL(`**/review/compare?a=${first}`);
    // B is chosen from the other answers of the same tenant and feature (nothing read until then).
    await page.getByTestId("compare-candidates").getByRole("button").first().click();
    await page.waitForURL(`**/review/compare?a=${first}&b=${second}`);
    await waitForText(page.getByTestId("compare-a-input"), "queue prompt");
    await waitForText(page.getByTestId("compare-b-input"), "queue prompt");
    await page.keyboard.press("?");
    await waitForText(page.getByTestId("shortcut-help"), "B is better");
    await screenshot(page, "review-compare");
    expect(await axeViolations(page)).toEqual([]);

    await page.keyboard.press("b");
    expect(await page.getByRole("radio", { name: /B is better/ }).isChecked()).toBe(true);
    await page.keyboard.press("n");
    await waitForText(page.getByRole("status").filter({ hasText: "Saved" }), "Saved: B is better.");
    // Save & next: A against the next answer, the choice blank again, the focus on the heading.
    await page.waitForURL(`**/review/compare?a=${first}&b=${third}`);
    await waitForText(page.getByTestId("compare-b-input"), "queue prompt");
    expect(await page.getByRole("radio", { name: /B is better/ }).isChecked()).toBe(false);
    await expect.poll(() => page.locator(":focus").getAttribute("data-testid")).toBe("compare-heading");
    await page.keyboard.press("t");
    await page.keyboard.press("n");
    await waitForText(page.getByRole("status").filter({ hasText: "Saved" }), "No other interaction left");

    // Kept on the older answer of each pair, turned round: "second" was preferred over "first".
    const stored = await e2e.ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions/${second}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(stored.json().labels).toContainEqual(
      expect.objectContaining({ kind: "preference", comparedWith: first, preference: "a" }),
    );
    await page.goto(`/review/interactions/${second}`);
    await page.getByTestId("label").filter({ hasText: "better than" }).waitFor();
    expect(e2e.takeProblems()).toEqual([]);
  });
});
