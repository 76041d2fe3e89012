import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeases } from "../src/jobs/leases.js";
import { assent } from "./cli-run.js";
import { ingest, item, setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const TTL = 5 * 60_000;

describe.each(dialects())("job leases and the scheduler on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { program: { withdrawalDeleteDays: 0 }, jobs: { intervalSeconds: 1 } },
    });
  });
  afterAll(async () => ctx?.close());

  const leasesOf = (holderId: string) =>
    createLeases({ control: ctx.services.stores.control, clock: ctx.clock, holderId });

  it("gives a lease to one holder at a time, until it is released or expires", async () => {
    const a = leasesOf("process-a");
    const b = leasesOf("process-b");
    const name = `test-lease-${Math.random()}`;
    const [gotA, gotB] = await Promise.all([a.acquire(name, TTL), b.acquire(name, TTL)]);
    expect([gotA, gotB].filter(Boolean)).toHaveLength(1);
    const [winner, loser] = gotA ? [a, b] : [b, a];
    expect(await loser.acquire(name, TTL)).toBe(false);
    expect(await loser.holder(name)).toEqual({ holder: winner.self, expiresAt: ctx.clock.now() + TTL });
    expect(await winner.acquire(name, TTL)).toBe(true);
    expect(await loser.renew(name, TTL)).toBe(false);

    // A holder that stops renewing loses the lease once it expires.
    ctx.clock.advance(TTL - 1);
    expect(await winner.renew(name, TTL)).toBe(true);
    ctx.clock.advance(TTL);
    expect(await loser.acquire(name, TTL)).toBe(true);
    expect(await winner.renew(name, TTL)).toBe(false);
    // Releasing is only for the holder.
    await winner.release(name);
    expect((await winner.holder(name))?.holder).toBe(loser.self);
    await loser.release(name);
    expect(await winner.holder(name)).toBeNull();
    expect(await winner.acquire(name, TTL)).toBe(true);
  });

  it("skips a job whose lease another process holds, and runs it once the lease is free", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item(), item()]);
    await setSharing(ctx, t, false);
    const other = leasesOf("other-process");
    expect(await other.acquire("withdrawal:us", TTL)).toBe(true);

    const skipped = await ctx.services.jobs.runOnce();
    const job = skipped.jobs.find((j) => j.job === "withdrawal" && j.region === "us");
    expect(job).toMatchObject({ status: "skipped", result: null });
    expect(job?.reason).toContain("lease withdrawal:us is held by other-process");
    expect(skipped.jobs.filter((j) => j !== job).every((j) => j.status === "done")).toBe(true);

    await other.release("withdrawal:us");
    const ran = await ctx.services.jobs.runOnce();
    const done = ran.jobs.find((j) => j.job === "withdrawal" && j.region === "us");
    expect(done?.status).toBe("done");
    expect(done?.result).toMatchObject({ deleted: { interactions: 2, dataKeys: 1 } });
    // The lease is given back after the run.
    expect(await other.holder("withdrawal:us")).toBeNull();
  });

  it("reports every job of every region, each with nothing left to do", async () => {
    const report = await ctx.services.jobs.runOnce();
    expect(report.holder).toMatch(/:\d+:/);
    expect(report.jobs.map((j) => `${j.job}:${j.region}`)).toEqual([
      "withdrawal:us",
      "retention:us",
      "withdrawal:eu",
      "retention:eu",
      "webhooks:us",
      "webhooks:eu",
      "audit-checkpoint:null",
    ]);
    for (const j of report.jobs.filter((j) => j.job === "withdrawal" || j.job === "retention"))
      expect(j.result).toMatchObject({ receipts: [], unfinished: 0 });
  });

  it("runs the jobs by itself every interval once started, and stops cleanly", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await ingest(ctx, t.key, [item()]);
    await setSharing(ctx, t, false);
    const store = ctx.services.stores.regions.get("us")!;
    const remaining = async () =>
      (await store.db.selectFrom("interactions").select("id").where("tenant_id", "=", t.id).execute()).length;
    expect(await remaining()).toBe(1);

    const lines: string[] = [];
    const log = {
      debug: () => {},
      info: (obj: object, msg: string) => lines.push(`${msg} ${JSON.stringify(obj)}`),
      error: (obj: object, msg: string) => lines.push(`ERROR ${msg} ${JSON.stringify(obj)}`),
    };
    ctx.services.jobs.start(log);
    const deadline = Date.now() + 15_000;
    while ((await remaining()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await ctx.services.jobs.stop();
    expect(await remaining()).toBe(0);
    expect(lines.some((l) => l.startsWith("job ran") && l.includes('"job":"withdrawal"'))).toBe(true);
    expect(lines.filter((l) => l.startsWith("ERROR"))).toEqual([]);
    // Stopped for good: a later run skips every job.
    const after = await ctx.services.jobs.runOnce();
    expect(after.jobs.every((j) => j.status === "skipped" && j.reason === "shutting down")).toBe(true);
  });
});

describe("assent jobs run-once", () => {
  it("runs the purges now and prints what they deleted as JSON", async () => {
    const ctx = await createTestContext("sqlite", { config: { program: { withdrawalDeleteDays: 0 } } });
    try {
      const t = await tenantWithAdmin(ctx);
      await setSharing(ctx, t, true);
      await ingest(ctx, t.key, [item(), item(), item()]);
      await setSharing(ctx, t, false);
      // The command runs on the real clock, as an operator would run it: the deadline has passed.
      const run = await assent(["--data", ctx.dataDir, "jobs", "run-once"], {
        env: { ASSENT_WITHDRAWAL_DELETE_DAYS: "0", ASSENT_LOG_LEVEL: "silent" },
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout);
      const withdrawal = report.jobs.find(
        (j: { job: string; region: string }) => j.job === "withdrawal" && j.region === "us",
      );
      expect(withdrawal.status).toBe("done");
      expect(withdrawal.result.receipts).toHaveLength(1);
      expect(withdrawal.result.receipts[0]).toMatchObject({
        kind: "withdrawal",
        tenantId: t.id,
        deleted: { interactions: 3, labels: 0, datasetItems: 0, dataKeys: 1 },
      });
      expect(await ctx.services.capture.countInteractions({ id: t.id, region: "us" })).toBe(0);
      expect(run.stdout).not.toContain("ACME");
    } finally {
      await ctx.close();
    }
  });
});
