import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/clock.js";
import { verifyChain } from "../src/modules/audit/chain.js";
import type { RegionPurgeReport } from "../src/modules/retention/service.js";
import type { DeletionReceipt, PurgeCounts } from "../src/modules/retention/types.js";
import { ingest, item, setSharing, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/**
 * Two job runners started at once, each a separate process with its own Services on the same
 * stores (separate processes, as in production: two SQLite connections in one Node process
 * would block each other's event loop on the write lock).
 */
const src = (rel: string) => fileURLToPath(new URL(`../src/${rel}`, import.meta.url));

const RUNNER = `
const env = process.env;
const { createServices } = await import(env.R_WIRING);
const { ManualClock } = await import(env.R_CLOCK);
const { createRetentionService } = await import(env.R_RETENTION);
const { createKeyWrapper } = await import(env.R_KEYS);
const { loadMasterKey } = await import(env.R_MASTER);
const config = JSON.parse(env.R_CONFIG);
const clock = new ManualClock(Number(env.R_NOW));
const services = await createServices(config, { clock });
// Ready: wait for the parent's go, sent to both runners at once.
process.stdout.write("ready\\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
let out;
if (env.R_MODE === "jobs") {
  out = await services.jobs.runOnce();
} else {
  // Straight to the purges, without leases, in small batches: the worst case for double work.
  const retention = createRetentionService({
    regions: services.stores.regions,
    clock,
    keys: createKeyWrapper(loadMasterKey(config.masterKey, config.dataDir)),
    metrics: services.metrics,
    program: config.program,
    consent: services.consent,
    withdrawalLeadMs: 0,
    staleReceiptMs: 600000,
    batchSize: 7,
    signer: services.signingKeys,
  });
  out = [await retention.purgeDueWithdrawals("us"), await retention.sweepRetention("us")];
}
const metrics = (await services.metrics.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith("assent_purged_"));
await services.close();
process.stdout.write(JSON.stringify({ out, metrics }));
process.stdin.destroy();
`;

interface RunnerOutput {
  readonly out: unknown;
  readonly metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[];
}

interface Runner {
  readonly ready: Promise<void>;
  readonly done: Promise<RunnerOutput>;
  go(): void;
}

function runner(ctx: TestContext, mode: "jobs" | "purge"): Runner {
  const child = spawn(
    process.execPath,
    ["--conditions=@assent/source", "--import", "tsx", "--input-type=module", "-e", RUNNER],
    {
      env: {
        ...process.env,
        R_WIRING: src("wiring.ts"),
        R_CLOCK: src("clock.ts"),
        R_RETENTION: src("modules/retention/service.ts"),
        R_KEYS: src("crypto/data-keys.ts"),
        R_MASTER: src("crypto/master-key.ts"),
        R_CONFIG: JSON.stringify(ctx.services.config),
        R_NOW: String(ctx.clock.now()),
        R_MODE: mode,
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout.on("data", (d) => {
    stdout += d;
    if (stdout.startsWith("ready\n")) onReady();
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<RunnerOutput>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      onReady();
      if (code !== 0) reject(new Error(`runner exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.slice("ready\n".length)) as RunnerOutput);
    });
  });
  return { ready, done, go: () => child.stdin.write("go\n") };
}

/** Starts two runners and lets them begin their work at the same moment, once both have loaded. */
async function twoRunners(ctx: TestContext, mode: "jobs" | "purge"): Promise<RunnerOutput[]> {
  const runners = [runner(ctx, mode), runner(ctx, mode)];
  await Promise.all(runners.map((r) => r.ready));
  for (const r of runners) r.go();
  return Promise.all(runners.map((r) => r.done));
}

const sum = (list: readonly Partial<PurgeCounts>[]) =>
  list.reduce<PurgeCounts>(
    (a, c) => ({
      interactions: a.interactions + (c.interactions ?? 0),
      labels: a.labels + (c.labels ?? 0),
      datasetItems: a.datasetItems + (c.datasetItems ?? 0),
      dataKeys: a.dataKeys + (c.dataKeys ?? 0),
    }),
    { interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 },
  );

/** What both processes' Prometheus counters say they purged. */
function countersTotal(outputs: readonly RunnerOutput[]): PurgeCounts {
  const total = { interactions: 0, labels: 0, datasetItems: 0, dataKeys: 0 };
  for (const o of outputs) {
    for (const m of o.metrics) {
      for (const v of m.values) {
        if (m.name === "assent_purged_keys_total") total.dataKeys += v.value;
        else if (v.labels.table === "interactions") total.interactions += v.value;
        else if (v.labels.table === "labels") total.labels += v.value;
        else if (v.labels.table === "dataset_items") total.datasetItems += v.value;
      }
    }
  }
  return total;
}

/** A tenant with two closed sharing periods holding `perPeriod` interactions each, a label on one. */
async function withdrawnTenant(ctx: TestContext, perPeriod: number): Promise<TenantFixture> {
  const t = await tenantWithAdmin(ctx);
  for (let p = 0; p < 2; p++) {
    await setSharing(ctx, t, true);
    const items = Array.from({ length: perPeriod }, () => item());
    expect((await ingest(ctx, t.key, items)).json()).toMatchObject({ accepted: perPeriod });
    await setSharing(ctx, t, false);
  }
  const store = ctx.services.stores.regions.get("us")!;
  const one = await store.db
    .selectFrom("interactions")
    .select(["id", "period_id"])
    .where("tenant_id", "=", t.id)
    .executeTakeFirstOrThrow();
  await store.db
    .insertInto("labels")
    .values({
      tenant_id: t.id,
      id: `label-${t.id}`,
      interaction_id: one.id,
      period_id: one.period_id,
      reviewer_id: "reviewer-1",
      grant_id: "grant-1",
      rating: 5,
      tags: "[]",
      note: null,
      created_at: ctx.clock.now(),
    })
    .execute();
  return t;
}

async function leftInStore(ctx: TestContext): Promise<number> {
  const store = ctx.services.stores.regions.get("us")!;
  let n = 0;
  for (const table of ["interactions", "labels", "dataset_items", "data_keys"] as const) {
    n += (await store.db.selectFrom(table).select("tenant_id").execute()).length;
  }
  return n;
}

async function completedReceipts(ctx: TestContext) {
  const store = ctx.services.stores.regions.get("us")!;
  const rows = await store.db
    .selectFrom("deletion_receipts")
    .select(["receipt", "completed_at", "kind", "period_id"])
    .execute();
  expect(rows.filter((r) => r.completed_at === null)).toEqual([]);
  return rows.map(
    (r) => (typeof r.receipt === "string" ? JSON.parse(r.receipt) : r.receipt) as DeletionReceipt,
  );
}

describe.each(dialects())("two job runners at once on %s", (dialect) => {
  let ctx: TestContext | null = null;
  afterEach(async () => {
    await ctx?.close();
    ctx = null;
  });

  // Two real runner processes: seconds each on a loaded machine, so a bound well above 30 s.
  it("purge each item once under the job leases, and both finish cleanly", { timeout: 180_000 }, async () => {
    ctx = await createTestContext(dialect, { config: { program: { withdrawalDeleteDays: 1 } } });
    for (let i = 0; i < 3; i++) await withdrawnTenant(ctx, 40);
    const data = { interactions: 3 * 2 * 40, labels: 3, datasetItems: 0, dataKeys: 3 * 2 };
    ctx.clock.advance(2 * DAY_MS);

    const outputs = await twoRunners(ctx, "jobs");
    const reports = outputs.map(
      (o) =>
        o.out as {
          jobs: { job: string; status: string; region: string | null; result: RegionPurgeReport | null }[];
        },
    );
    for (const r of reports) {
      for (const j of r.jobs) expect(["done", "skipped"]).toContain(j.status);
    }
    // The purge jobs (the webhook and audit-checkpoint jobs leave no receipts).
    const results = reports.flatMap((r) =>
      r.jobs.flatMap((j) =>
        j.result && (j.job === "withdrawal" || j.job === "retention") ? [j.result] : [],
      ),
    );
    const receipts = results.flatMap((r) => r.receipts);
    expect(receipts.map((r) => r.kind)).toEqual(Array(6).fill("withdrawal"));
    expect(new Set(receipts.map((r) => r.periodId)).size).toBe(6);
    expect(sum(receipts.map((r) => r.deleted))).toEqual(data);
    expect(sum(results.map((r) => r.deleted))).toEqual(data);
    expect(countersTotal(outputs)).toEqual(data);
    expect(await leftInStore(ctx)).toBe(0);
    expect(await completedReceipts(ctx)).toHaveLength(6);
    expect((await verifyChain(ctx.services.stores.regions.get("us")!.db)).broken).toBeNull();
  });

  // Two real runner processes: seconds each on a loaded machine, so a bound well above 30 s.
  it("purge each item once even without leases, in small interleaved batches", {
    timeout: 180_000,
  }, async () => {
    ctx = await createTestContext(dialect, { config: { program: { withdrawalDeleteDays: 1 } } });
    const t0 = ctx.clock.now();
    // Retention: a tenant whose interactions will be past 30 days...
    const aging = await tenantWithAdmin(ctx);
    await setSharing(ctx, aging, true);
    await ingest(
      ctx,
      aging.key,
      Array.from({ length: 90 }, () => item()),
    );
    // ...and withdrawal: tenants that opted out on day 29, due on day 30.
    ctx.clock.set(t0 + 29 * DAY_MS);
    for (let i = 0; i < 3; i++) await withdrawnTenant(ctx, 30);
    ctx.clock.set(t0 + 31 * DAY_MS);
    const withdrawn = { interactions: 3 * 2 * 30, labels: 3, datasetItems: 0, dataKeys: 6 };
    const aged = { interactions: 90, labels: 0, datasetItems: 0, dataKeys: 1 };

    const outputs = await twoRunners(ctx, "purge");
    const reports = outputs.flatMap((o) => o.out as RegionPurgeReport[]);
    // On PostgreSQL both really work on the same data at the same time (row locks). SQLite has one
    // writer and its busy handler is not fair, so there one runner may wait out the other.
    for (const o of dialect === "postgres" ? outputs : []) {
      expect(sum((o.out as RegionPurgeReport[]).map((r) => r.deleted)).interactions).toBeGreaterThan(0);
    }
    const receipts = reports.flatMap((r) => r.receipts);
    const withdrawals = receipts.filter((r) => r.kind === "withdrawal");
    // Exactly one receipt per period, whoever finished it; together they count every row once.
    expect(withdrawals).toHaveLength(6);
    expect(new Set(withdrawals.map((r) => r.periodId)).size).toBe(6);
    expect(sum(withdrawals.map((r) => r.deleted))).toEqual(withdrawn);
    const retention = receipts.filter((r) => r.kind === "retention");
    expect(retention.length).toBeGreaterThanOrEqual(1);
    expect(retention.every((r) => r.tenantId === aging.id)).toBe(true);
    expect(sum(retention.map((r) => r.deleted))).toEqual(aged);

    const all = sum([withdrawn, aged]);
    expect(sum(reports.map((r) => r.deleted))).toEqual(all);
    expect(countersTotal(outputs)).toEqual(all);
    expect(await leftInStore(ctx)).toBe(0);
    expect(await completedReceipts(ctx)).toHaveLength(receipts.length);
    const store = ctx.services.stores.regions.get("us")!;
    expect((await verifyChain(store.db)).broken).toBeNull();
    const events = await store.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "like", "purge.%")
      .execute();
    expect(events.filter((e) => e.action === "purge.withdrawal")).toHaveLength(6);
    expect(events.filter((e) => e.action === "purge.retention")).toHaveLength(retention.length);
  });
});
