import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyEvidenceFiles } from "../packages/server/src/modules/evidence/verify-files.js";
import {
  ingest,
  item,
  setSharing,
  type TenantFixture,
  tenantWithAdmin,
} from "../packages/server/test/fixtures.js";
import { type E2E, screenshot, signIn, startE2E, waitForText } from "./support.js";

describe("evidence in the admin center", () => {
  let e2e: E2E;
  let tenant: TenantFixture;

  beforeAll(async () => {
    e2e = await startE2E();
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
    // Two sharing periods, one deleted now: four consent records and a signed receipt.
    await setSharing(e2e.ctx, tenant, true);
    e2e.ctx.clock.advance(2_000);
    const at = new Date(e2e.ctx.clock.now() - 1_000).toISOString();
    expect((await ingest(e2e.ctx, tenant.key, [item({ occurredAt: at })])).json().accepted).toBe(1);
    await setSharing(e2e.ctx, tenant, false);
    const del = await e2e.ctx.app.inject({
      method: "POST",
      url: "/api/tenant/sharing/delete-now",
      headers: { cookie: tenant.adminCookie, "x-assent-request": "1" },
    });
    expect(del.statusCode).toBe(200);
    await setSharing(e2e.ctx, tenant, true);
    await setSharing(e2e.ctx, tenant, false);
  });
  afterAll(async () => e2e?.close());

  it("downloads the bundle and shows every record and receipt verified with the published key", async () => {
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await page.waitForURL("**/admin");
    const section = page.getByRole("region", { name: "Evidence" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      section.getByRole("button", { name: "Download evidence" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`assent-evidence-${tenant.id}.json`);
    await waitForText(page.getByTestId("evidence-summary"), "all verified");
    await waitForText(page.getByTestId("evidence-summary"), "4 consent records, 1 deletion receipts");
    const rows = page.getByTestId("evidence-items").locator("tbody tr");
    expect(await rows.count()).toBe(5);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-verified")))).toEqual(
      Array(5).fill("yes"),
    );
    for (let i = 0; i < 5; i++) await waitForText(rows.nth(i), "verified");
    await screenshot(page, "admin-evidence");

    // The file the browser saved verifies offline too, against the published JWKS.
    const saved = path.join(e2e.ctx.dataDir, "downloaded-evidence.json");
    await download.saveAs(saved);
    const jwks = path.join(e2e.ctx.dataDir, "jwks.json");
    writeFileSync(
      jwks,
      (await e2e.ctx.app.inject({ method: "GET", url: "/.well-known/assent-keys.json" })).body,
    );
    const report = await verifyEvidenceFiles([saved], { jwks });
    expect(report).toMatchObject({ ok: true, records: 4, receipts: 1 });
    expect(e2e.takeProblems()).toEqual([]);
  });
});
