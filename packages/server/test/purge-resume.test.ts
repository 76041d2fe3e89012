import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { purgePeriod } from "../src/modules/retention/purge.js";
import { ingest, item, setSharing, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/**
 * Issue 16, defect 2: a purge stopped after its keys were destroyed (crash, lost lease) was left
 * half-done until its deadline or a second "delete now"; a dead runner's lease blocked the jobs
 * for five minutes; and `jobs run-once` reported a skipped run as a success.
 */
describe.each(dialects())("interrupted purges and dead runners on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  const store = () => ctx.services.stores.regions.get("us")!;
  const left = async (t: TenantFixture) => ctx.services.capture.countInteractions({ id: t.id, region: "us" });
  const periodOf = async (t: TenantFixture) =>
    store()
      .db.selectFrom("sharing_periods")
      .selectAll()
      .where("tenant_id", "=", t.id)
      .executeTakeFirstOrThrow();

  /** A delete-now stopped after its first batch, as a killed process leaves it. */
  async function interruptedDeleteNow(): Promise<TenantFixture> {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    expect(
      (
        await ingest(
          ctx,
          t.key,
          Array.from({ length: 20 }, () => item()),
        )
      ).json().accepted,
    ).toBe(20);
    await setSharing(ctx, t, false);
    const period = await periodOf(t);
    const deps = {
      clock: ctx.clock,
      keys: { forget() {} },
      metrics: { purged() {} },
      batchSize: 5,
      signer: ctx.services.signingKeys,
    };
    await expect(
      purgePeriod(deps, { region: "us", store: store() }, period.id, "delete-now", CLI_ACTOR, {
        afterBatch: async () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(await left(t)).toBe(15);
    expect((await periodOf(t)).deleted_at).toBeNull();
    return t;
  }

  it("the next job run finishes an interrupted delete-now long before its deadline", async () => {
    const t = await interruptedDeleteNow();
    const report = await ctx.services.jobs.runOnce();
    const job = report.jobs.find((j) => j.job === "withdrawal" && j.region === "us");
    expect(job?.status).toBe("done");
    expect(await left(t)).toBe(0);
    const period = await periodOf(t);
    expect(period.deleted_at).not.toBeNull();
    const receipts = await store()
      .db.selectFrom("deletion_receipts")
      .selectAll()
      .where("tenant_id", "=", t.id)
      .execute();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ kind: "delete-now", interactions: 20 });
    expect(receipts[0]!.completed_at).not.toBeNull();
  });

  it("takes over at once the lease of a runner on this machine that died", async () => {
    const t = await interruptedDeleteNow();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    const deadHolder = `${hostname()}:${dead.stdout}:deadbeef`;
    await ctx.services.stores.control.db
      .insertInto("job_leases")
      .values({ name: "withdrawal:us", holder: deadHolder, expires_at: ctx.clock.now() + 3_600_000 })
      .execute();
    const report = await ctx.services.jobs.runOnce();
    expect(report.jobs.find((j) => j.job === "withdrawal" && j.region === "us")?.status).toBe("done");
    expect(await left(t)).toBe(0);
  });

  it("`jobs run-once` says skipped, names the holder and exits non-zero while another holds a lease", async () => {
    const holder = "another-machine:4242:cafe";
    await ctx.services.stores.control.db
      .insertInto("job_leases")
      .values({ name: "retention:eu", holder, expires_at: Date.now() + 3_600_000 })
      .onConflict((oc) => oc.column("name").doUpdateSet({ holder, expires_at: Date.now() + 3_600_000 }))
      .execute();
    const cfg = ctx.services.config;
    const run = spawnSync(
      process.execPath,
      ["--conditions=@assent/source", "--import", "tsx", cliEntry, "jobs", "run-once"],
      {
        env: {
          ...process.env,
          ASSENT_DATA_DIR: cfg.dataDir,
          ASSENT_CONTROL_STORE: cfg.controlStore,
          ASSENT_REGIONS: JSON.stringify(cfg.regions),
          ASSENT_LOG_LEVEL: "silent",
        },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout);
    const job = report.jobs.find(
      (j: { job: string; region: string }) => j.job === "retention" && j.region === "eu",
    );
    expect(job.status).toBe("skipped");
    expect(job.reason).toContain(holder);
    expect(run.stderr).toContain(holder);
  });
});
