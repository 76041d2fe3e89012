import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/clock.js";
import { ingest, item, setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const RETENTION_DAYS = 5;
const WITHDRAWAL_DAYS = 10;

describe.each(dialects())("deletion metrics on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { program: { retentionDays: RETENTION_DAYS, withdrawalDeleteDays: WITHDRAWAL_DAYS } },
    });
  });
  afterAll(async () => ctx?.close());

  const scrape = async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** The value of one sample, or undefined when the series is absent. */
  const value = (text: string, name: string, labels: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.split(" ").pop());
  };

  it("reports the oldest interaction's age, the purge lag and what purges destroyed", async () => {
    let text = await scrape();
    expect(value(text, "assent_oldest_interaction_age_seconds", 'region="us"')).toBe(0);
    expect(value(text, "assent_purge_lag_seconds", 'region="us"')).toBe(0);

    // One tenant keeps sharing (its interaction will age out), one opts out (its data is due).
    const aging = await tenantWithAdmin(ctx);
    await setSharing(ctx, aging, true);
    await ingest(ctx, aging.key, [item()]);
    const leaving = await tenantWithAdmin(ctx);
    await setSharing(ctx, leaving, true);
    await ingest(ctx, leaving.key, [item(), item()]);
    await setSharing(ctx, leaving, false);

    ctx.clock.advance(2 * DAY_MS);
    text = await scrape();
    expect(value(text, "assent_oldest_interaction_age_seconds", 'region="us"')).toBe(2 * 86400);
    expect(value(text, "assent_oldest_interaction_age_seconds", 'region="eu"')).toBe(0);

    // The deadline passes without a job run: the lag shows how late the purge is, and the age
    // shows the sweep is behind (past the retention period).
    ctx.clock.advance(WITHDRAWAL_DAYS * DAY_MS + 3600_000 - 2 * DAY_MS);
    text = await scrape();
    expect(value(text, "assent_purge_lag_seconds", 'region="us"')).toBe(3600);
    expect(value(text, "assent_oldest_interaction_age_seconds", 'region="us"')).toBe(
      WITHDRAWAL_DAYS * 86400 + 3600,
    );
    expect(
      value(text, "assent_purged_rows_total", 'region="us",kind="withdrawal",table="interactions"'),
    ).toBe(undefined);

    const report = await ctx.services.jobs.runOnce();
    expect(report.jobs.every((j) => j.status === "done")).toBe(true);
    text = await scrape();
    expect(value(text, "assent_purge_lag_seconds", 'region="us"')).toBe(0);
    expect(value(text, "assent_oldest_interaction_age_seconds", 'region="us"')).toBe(0);
    expect(
      value(text, "assent_purged_rows_total", 'region="us",kind="withdrawal",table="interactions"'),
    ).toBe(2);
    expect(value(text, "assent_purged_keys_total", 'region="us",kind="withdrawal"')).toBe(1);
    expect(value(text, "assent_purged_rows_total", 'region="us",kind="retention",table="interactions"')).toBe(
      1,
    );
    expect(value(text, "assent_purged_keys_total", 'region="us",kind="retention"')).toBe(1);
    // Metrics carry regions, kinds and counts; never content or tenant ids.
    expect(text).not.toMatch(/ACME|follow-up/);
    expect(text).not.toContain(aging.id);
  });
});
