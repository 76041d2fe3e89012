/**
 * Mixed-tenant ingest: batches of 200 interactions over 50 tenants in two regions, sent with a
 * service key (validate, resolve tenants, group by region and tenant, one gated transaction per
 * region, encrypt, insert), next to the same batches for ONE tenant through its tenant key, in
 * process, in alternating rounds (medians compared, so a noisy neighbour hits both alike). A
 * third row measures the alternative of one transaction per tenant instead of per region.
 * SQLite always; PostgreSQL too when BENCH_PG_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { parseConfig } from "../../packages/server/src/config.js";
import type { InteractionInput } from "../../packages/server/src/modules/capture/types.js";
import { validateItem, validationContext } from "../../packages/server/src/modules/capture/validate.js";
import type { ServiceKeyIdentity } from "../../packages/server/src/modules/service-keys/service.js";
import { createServices, type Services } from "../../packages/server/src/wiring.js";
import { batch, fmt, machine, median, table } from "../common.js";

const BATCH = 200;
const TENANTS = 50;
/** Diagnostics only: SQL run on each SQLite region store before measuring (e.g. "pragma wal_autocheckpoint=4000"). */
const PRAGMA = process.env.PRAGMA;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Setup {
  readonly services: Services;
  readonly single: { id: string; region: string; externalId: null };
  readonly key: ServiceKeyIdentity;
  readonly tenants: { id: string; region: string }[];
  close(): Promise<void>;
}

async function setup(dialect: "sqlite" | "postgres"): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-mt-"));
  const pgUrl = process.env.BENCH_PG_URL;
  const prefix = `bench_mt_${process.pid}`;
  const url = (name: string) => `${pgUrl}${pgUrl?.includes("?") ? "&" : "?"}schema=${prefix}_${name}`;
  const config = parseConfig({
    dataDir: dir,
    logLevel: "warn",
    ...(dialect === "postgres"
      ? { controlStore: url("control"), regions: { us: url("us"), eu: url("eu") } }
      : {}),
  });
  const services = await createServices(config);
  if (PRAGMA) for (const store of services.stores.regions.values()) store.sqlite?.exec(PRAGMA);
  const single = await services.tenants.createTenant({ name: "single", region: "us" }, CLI_ACTOR);
  await services.consent.setSharing(single, true, CLI_ACTOR);
  const tenants: { id: string; region: string }[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const t = await services.tenants.createTenant(
      { name: `t${i}`, region: i % 2 ? "eu" : "us", externalId: `cust-${i}` },
      CLI_ACTOR,
    );
    await services.consent.setSharing(t, true, CLI_ACTOR);
    tenants.push({ id: t.id, region: t.region });
    // The same number of tenants all in one region: the cost of grouping and gating alone,
    // without a second store's commit.
    const local = await services.tenants.createTenant(
      { name: `l${i}`, region: "us", externalId: `local-${i}` },
      CLI_ACTOR,
    );
    await services.consent.setSharing(local, true, CLI_ACTOR);
  }
  const { key: secret } = await services.serviceKeys.create({ name: "bench" }, CLI_ACTOR);
  const key = (await services.serviceKeys.authenticate(secret)) as ServiceKeyIdentity;
  return {
    services,
    single: { id: single.id, region: "us", externalId: null },
    key,
    tenants,
    async close() {
      await services.close();
      rmSync(dir, { recursive: true, force: true });
      if (dialect === "postgres") {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        for (const n of ["control", "us", "eu"])
          await client.query(`drop schema if exists "${prefix}_${n}" cascade`);
        await client.end();
      }
    },
  };
}

async function rate(run: () => Promise<number>): Promise<number> {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) n += await run();
  return n / ((performance.now() - started) / 1000);
}

async function measure(dialect: "sqlite" | "postgres") {
  const s = await setup(dialect);
  try {
    const singleBody = batch(BATCH);
    const mixedBody = {
      interactions: singleBody.interactions.map((it, i) => ({ ...it, tenant: `cust-${i % TENANTS}` })),
    };
    const oneRegionBody = {
      interactions: singleBody.interactions.map((it, i) => ({ ...it, tenant: `local-${i % TENANTS}` })),
    };
    // The per-tenant alternative: the same items, one gated transaction per tenant.
    const perTenant = async () => {
      const ctx = validationContext({
        clock: s.services.clock,
        program: s.services.config.program,
        ingest: s.services.config.ingest,
      });
      const groups = new Map<string, { region: string; items: InteractionInput[] }>();
      singleBody.interactions.forEach((it, i) => {
        const t = s.tenants[i % TENANTS] as { id: string; region: string };
        const r = validateItem(it, ctx);
        if (!r.ok) throw new Error(r.error);
        const g = groups.get(t.id) ?? { region: t.region, items: [] };
        g.items.push(r.value);
        groups.set(t.id, g);
      });
      let n = 0;
      await Promise.all(
        [...groups].map(async ([id, g]) => {
          const res = await s.services.capture.ingestTenants(g.region, new Map([[id, g.items]]));
          n += res.get(id)?.accepted ?? 0;
        }),
      );
      return n;
    };
    const single = async () => (await s.services.capture.ingestBatch(s.single, singleBody)).accepted;
    const mixed = async () => (await s.services.serviceCapture.ingestBatch(s.key, mixedBody)).accepted;
    const oneRegion = async () =>
      (await s.services.serviceCapture.ingestBatch(s.key, oneRegionBody)).accepted;
    for (let i = 0; i < 5; i++) await Promise.all([single(), mixed(), oneRegion(), perTenant()]);
    const singles: number[] = [];
    const mixeds: number[] = [];
    const oneRegions: number[] = [];
    const perTenants: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      singles.push(await rate(single));
      mixeds.push(await rate(mixed));
      oneRegions.push(await rate(oneRegion));
      perTenants.push(await rate(perTenant));
    }
    return {
      single: median(singles),
      mixed: median(mixeds),
      oneRegion: median(oneRegions),
      perTenant: median(perTenants),
    };
  } finally {
    await s.close();
  }
}

const rows: string[][] = [];
for (const dialect of process.env.BENCH_PG_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)) {
  const r = await measure(dialect);
  rows.push(
    [`${dialect}: one tenant, tenant key`, fmt(r.single), "1.00"],
    [
      `${dialect}: 50 tenants × 2 regions, service key (a transaction per region)`,
      fmt(r.mixed),
      (r.mixed / r.single).toFixed(2),
    ],
    [`${dialect}: the same, a transaction per tenant`, fmt(r.perTenant), (r.perTenant / r.single).toFixed(2)],
    [
      `${dialect}: 50 tenants in one region, service key`,
      fmt(r.oneRegion),
      (r.oneRegion / r.single).toFixed(2),
    ],
  );
}
process.stdout.write(
  `${table(["in-process ingest, batches of 200 × ~2 KB", "interactions/s (median)", "vs one tenant"], rows)}\n\n` +
    `${ROUNDS} alternating rounds of ${SECONDS} s each; target: mixed ≥ 0.8 × one tenant; ${machine()}\n` +
    (PRAGMA ? `SQLite region stores ran with: ${PRAGMA}\n` : ""),
);
