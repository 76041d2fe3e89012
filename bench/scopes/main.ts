/**
 * Consent scopes: (1) ingest with scopes in use (20 features chosen, 1,000 excluded subjects,
 * every item carrying a subject) as a ratio to ingest without them, measured in alternating
 * rounds in one run, in process (validate + hash subjects + gate + encrypt + insert: no HTTP to
 * blur the gate's share); (2) erasure of one subject's data among BENCH_ROWS interactions
 * (default 1,000,000; 100 per subject, 1% labelled, 1% in a dataset), through the service's own
 * erase (exclude, batched deletes, receipt, audit).
 *
 * BENCH_SECONDS (per round, default 5), BENCH_ROUNDS (default 3), BENCH_ROWS, BENCH_DIALECTS
 * (sqlite,postgres; default sqlite), ASSENT_BENCH_PG_URL (or BENCH_PG_URL). The rows are seeded in bulk
 * SQL (seed.ts). BENCH_PARTS=ingest or erase runs one part only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI_ACTOR } from "../../packages/server/src/actor.js";
import { parseConfig } from "../../packages/server/src/config.js";
import type { TenantRef } from "../../packages/server/src/modules/consent/types.js";
import type { Dialect } from "../../packages/server/src/stores/store.js";
import { createServices, type Services } from "../../packages/server/src/wiring.js";
import { fmt, interaction, machine, median, table } from "../common.js";
import { seedSubjects } from "./seed.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PER_SUBJECT = 100;
const BATCH = 200;
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite").split(",") as Dialect[];
const PG_URL =
  process.env.ASSENT_BENCH_PG_URL ?? process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const FEATURES = Array.from({ length: 25 }, (_, i) => ({
  id: `feature.${i}`,
  name: `Feature ${i}`,
  description: "",
}));
const log = (msg: string) => process.stderr.write(`[scopes] ${msg}\n`);

function configFor(dialect: Dialect, dir: string) {
  const schema = `bench_scopes_${process.pid}_${Date.now().toString(36)}`;
  const url = (name: string) => `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}_${name}`;
  return parseConfig({
    dataDir: dir,
    logLevel: "warn",
    ...(dialect === "postgres"
      ? { controlStore: url("control"), regions: { us: url("us") } }
      : { regions: { us: "sqlite:region-us.db" } }),
    program: { features: FEATURES },
  });
}

async function sharingTenant(services: Services, name: string, features?: string[]): Promise<TenantRef> {
  const t = await services.tenants.createTenant({ name, region: "us" }, CLI_ACTOR);
  await services.consent.setSharing(t, true, CLI_ACTOR, features);
  return { id: t.id, region: t.region };
}

async function ingestRound(services: Services, tenant: TenantRef, body: () => unknown): Promise<number> {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000)
    n += (await services.capture.ingestBatch(tenant, body())).accepted;
  return n / ((performance.now() - started) / 1000);
}

async function ingestRatio(services: Services) {
  const plain = await sharingTenant(services, "no scopes");
  const chosen = FEATURES.slice(0, 20).map((f) => f.id);
  const scoped = await sharingTenant(services, "scopes", chosen);
  for (let i = 0; i < 1000; i++) await services.scopes.exclude(scoped, `excluded-${i}`, CLI_ACTOR, "admin");
  const items = Array.from({ length: BATCH }, (_, i) => interaction(i));
  let seq = 0;
  // The same items and features both ways: only the scopes (and the subjects) differ.
  const plainBody = () => ({ interactions: items.map((x, i) => ({ ...x, feature: chosen[i % 20] })) });
  const scopedBody = () => ({
    interactions: items.map((x, i) => ({
      ...x,
      feature: chosen[i % 20],
      subject: `user-${(seq++ % 5000) + 1}`,
    })),
  });
  await ingestRound(services, plain, plainBody);
  const plains: number[] = [];
  const scopeds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    plains.push(await ingestRound(services, plain, plainBody));
    scopeds.push(await ingestRound(services, scoped, scopedBody));
  }
  return { plain: median(plains), scoped: median(scopeds), plains, scopeds };
}

const PARTS = new Set((process.env.BENCH_PARTS ?? "ingest,erase").split(","));

const rows: (string | number)[][] = [];
for (const dialect of DIALECTS) {
  const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-scopes-"));
  const services = await createServices(configFor(dialect, dir));
  try {
    const row: (string | number)[] = [dialect, "-", "-", "-", "-", "-", "-", "-"];
    if (PARTS.has("ingest")) {
      log(`${dialect}: ingest rounds`);
      const r = await ingestRatio(services);
      row.splice(1, 3, fmt(r.plain), fmt(r.scoped), (r.scoped / r.plain).toFixed(2));
      log(
        `${dialect}: rounds without scopes ${r.plains.map((x) => fmt(x)).join(", ")}; with ${r.scopeds.map((x) => fmt(x)).join(", ")}`,
      );
    }
    if (PARTS.has("erase")) {
      const tenant = await sharingTenant(services, "erasure");
      log(`${dialect}: seeding ${fmt(ROWS)} interactions`);
      const { names, seconds } = await seedSubjects(services, tenant, ROWS, PER_SUBJECT, log);
      log(`${dialect}: seeded in ${fmt(seconds)} s`);
      const started = performance.now();
      const receipt = await services.scopes.erase(tenant, names[0] as string, CLI_ACTOR);
      const eraseMs = performance.now() - started;
      const again = performance.now();
      await services.scopes.erase(tenant, names[0] as string, CLI_ACTOR);
      const rerunMs = performance.now() - again;
      const d = receipt.deleted;
      // Counted in the table (the seeded rows bypass the rollups countInteractions reads).
      const store = services.stores.regions.get(tenant.region);
      const { n } = await store!.db
        .selectFrom("interactions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenant_id", "=", tenant.id)
        .executeTakeFirstOrThrow();
      const left = Number(n);
      row.splice(
        4,
        4,
        fmt(ROWS),
        `${fmt(eraseMs)} ms (${d.interactions} interactions, ${d.labels} labels, ${d.datasetItems} dataset items)`,
        `${fmt(rerunMs)} ms`,
        fmt(left),
      );
    }
    rows.push(row);
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(
  `${table(
    [
      "store",
      "ingest without scopes (interactions/s)",
      "with 20 features chosen, 1,000 excluded, subjects on every item",
      "ratio (target ≥ 0.9)",
      "interactions held",
      "erase one subject",
      "erase again",
      "interactions left",
    ],
    rows,
  )}\n\nIn process, batches of ${BATCH} × ~2 KB, ${ROUNDS} alternating rounds of ${SECONDS} s (medians); ${machine()}\n`,
);
