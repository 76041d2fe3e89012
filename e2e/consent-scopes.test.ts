import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ingest,
  item,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "../packages/server/test/fixtures.js";
import { type E2E, screenshot, signIn, startE2E, waitForText } from "./support.js";

const FEATURES = [
  {
    id: "sales.email-draft",
    name: "Sales email drafts",
    description: "Drafts follow-up emails to customers",
  },
  { id: "hr.summary", name: "HR case summaries", description: "Summarises HR cases for managers" },
];

describe("consent scopes in the admin center", () => {
  let e2e: E2E;
  let tenant: TenantFixture;

  beforeAll(async () => {
    e2e = await startE2E({ config: { program: { features: FEATURES } } });
    tenant = await tenantWithAdmin(e2e.ctx, "eu");
  });
  afterAll(async () => e2e?.close());

  const ref = () => ({ id: tenant.id, region: tenant.region });

  it("chooses features, saves, excludes a person, erases their data and shows the receipt", async () => {
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await page.waitForURL("**/admin");
    await waitForText(page.getByTestId("sharing-state"), "off");

    // The features, with their descriptions, under the switch: nothing changes until Save.
    const choice = page.getByTestId("feature-choice");
    await waitForText(choice, "Summarises HR cases for managers");
    await page.getByRole("switch", { name: /Share prompts/ }).check();
    await choice.getByRole("checkbox", { name: /HR case summaries/ }).uncheck();
    await waitForText(page.locator("body"), "Not saved yet");
    expect((await e2e.ctx.services.consent.getState(ref())).sharing).toBe("off");
    await screenshot(page, "scopes-features");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await waitForText(page.getByTestId("sharing-state"), "on");
    const state = await e2e.ctx.services.consent.getState(ref());
    expect(state).toMatchObject({ sharing: "on", features: ["sales.email-draft"] });
    const history = page.getByRole("region", { name: "History of features and excluded people" });
    await waitForText(history, "Features shared: Sales email drafts");

    // Interactions about two people; one of them will be excluded, then erased.
    e2e.ctx.clock.advance(5_000);
    const at = new Date(e2e.ctx.clock.now() - 1).toISOString();
    const res = await ingest(e2e.ctx, tenant.key, [
      item({ occurredAt: at, subject: "employee-17" }),
      item({ occurredAt: at, subject: "employee-17" }),
      item({ occurredAt: at, subject: "employee-42" }),
      item({ occurredAt: at, subject: "employee-42", feature: "hr.summary" }),
    ]);
    expect(res.json()).toMatchObject({ accepted: 3, dropped: 1 });

    const people = page.getByRole("region", { name: "Excluded people", exact: true });
    await people.getByLabel("Person's id").fill("employee-17");
    await people.getByRole("button", { name: "Exclude" }).click();
    await waitForText(people, "Excluded (fingerprint");
    expect(await people.getByTestId("exclusion").count()).toBe(1);
    const dropped = await ingest(e2e.ctx, tenant.key, [item({ occurredAt: at, subject: "employee-17" })]);
    expect(dropped.json()).toMatchObject({ accepted: 0, dropped: 1 });

    await people.getByLabel("Person's id").fill("employee-17");
    await people.getByRole("button", { name: "Erase their data" }).click();
    const dialog = page.getByRole("dialog", { name: "Erase this person's data?" });
    await dialog.getByRole("button", { name: "Erase their data" }).click();
    const receipt = people.getByTestId("receipt");
    await waitForText(receipt, "subject-erasure");
    await waitForText(receipt, "2 interactions");
    await screenshot(page, "scopes-erased");
    await waitForText(history, "Erased the data of");
    // The page never showed the id it was given, only its fingerprint.
    expect(await page.locator("body").textContent()).not.toContain("employee-17");

    // Removing the exclusion: the person is captured again.
    await people.getByRole("button", { name: "Remove" }).click();
    await waitForText(people, "Nobody is excluded");
    await waitForText(history, "Lifted the exclusion");
    expect(e2e.takeProblems()).toEqual([]);
  });

  it("an operator declares a feature in Operations; the admin sees it with its description, unchecked", async () => {
    const operator = await staffMember(e2e.ctx, ["operator"]);
    const ops = await e2e.newPage();
    await signIn(ops, operator.email);
    await ops.waitForURL("**/operations/**");
    await ops.getByRole("link", { name: "Features", exact: true }).click();
    await ops.waitForURL("**/operations/features");
    const list = ops.getByTestId("program-features");
    await waitForText(list, "Drafts follow-up emails to customers");
    await ops.getByLabel("Id").fill("finance.forecast");
    await ops.getByLabel("Name").fill("Finance forecasts");
    await ops.getByLabel("Description").fill("Forecasts the quarter's revenue");
    await ops.getByRole("button", { name: "Declare or update" }).click();
    await waitForText(list, "Forecasts the quarter's revenue");
    await screenshot(ops, "scopes-program-features");

    // The tenant admin (who chose one feature above) sees it under the switch, not checked.
    const page = await e2e.newPage();
    await signIn(page, tenant.adminEmail);
    await page.waitForURL("**/admin");
    const choice = page.getByTestId("feature-choice");
    await waitForText(choice, "Forecasts the quarter's revenue");
    expect(await choice.getByRole("checkbox", { name: /Finance forecasts/ }).isChecked()).toBe(false);
    expect((await e2e.ctx.services.consent.getState(ref())).features).toEqual(["sales.email-draft"]);

    // Retired from Operations: no longer offered.
    await list
      .getByTestId("program-feature")
      .filter({ hasText: "Finance forecasts" })
      .getByRole("button", { name: "Retire" })
      .click();
    await list.getByText("Finance forecasts").waitFor({ state: "detached" });
    expect(e2e.takeProblems()).toEqual([]);
  });
});
