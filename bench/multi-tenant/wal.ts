/**
 * Diagnostic for the multi-tenant ingest gap on SQLite: what each region commit writes to the
 * WAL (frames and bytes per batch) and what the checkpoint that follows costs, for batches of 200
 * for ONE tenant next to the same batches over 50 tenants in two regions, on tables grown first.
 * The automatic checkpoint is held off while measuring (one TRUNCATE checkpoint per pass, timed),
 * so the WAL's size tells the frames written; at the default wal_autocheckpoint of 1000 frames a
 * checkpoint follows every 1000 / (frames per batch) batches.
 * `node --import tsx bench/multi-tenant/wal.ts` (GROW=batches of each kind first, N=batches
 * measured, PRAGMA=SQL run on both region stores first).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { parseConfig } from "../../packages/server/src/config.js";
import { createServices } from "../../packages/server/src/wiring.js";
import { mixedTenants } from "./tenants.js";

const dir = mkdtempSync(path.join(tmpdir(), "assent-wal-"));
const services = await createServices(parseConfig({ dataDir: dir, logLevel: "warn" }));
const stores = [...services.stores.regions].map(([name, s]) => ({
  name,
  sqlite: s.sqlite as Database.Database,
  file: s.file as string,
}));
if (process.env.PRAGMA) for (const s of stores) s.sqlite.exec(process.env.PRAGMA);
const { single, key, body, mixed } = await mixedTenants(services);
const run = (m: string) =>
  m === "single"
    ? services.capture.ingestBatch({ id: single.id, region: "us", externalId: null }, body)
    : services.serviceCapture.ingestBatch(key, mixed);
const GROW = Number(process.env.GROW ?? 250);
for (let i = 0; i < GROW; i++) {
  await run("single");
  await run("mixed");
}
const pageSize = Number(stores[0]?.sqlite.pragma("page_size", { simple: true }));
console.log(`page_size ${pageSize}, ${GROW * 400} rows grown, pragma ${process.env.PRAGMA ?? "-"}`);
const N = Number(process.env.N ?? 40);
for (const m of ["single", "mixed", "single", "mixed"]) {
  for (const s of stores) {
    s.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    s.sqlite.pragma("wal_autocheckpoint = 0");
  }
  const t = performance.now();
  for (let i = 0; i < N; i++) await run(m);
  const el = performance.now() - t;
  const walBytes = stores.map((s) => statSync(`${s.file}-wal`).size);
  const frames = walBytes.map((b) => (b > 32 ? (b - 32) / (pageSize + 24) : 0));
  const c = performance.now();
  const ck = stores.map((s) => s.sqlite.pragma("wal_checkpoint(TRUNCATE)"));
  const ckMs = performance.now() - c;
  console.log(
    `${m.padEnd(6)} ${((N * 200 * 1000) / el).toFixed(0).padStart(6)}/s  ` +
      stores
        .map(
          (s, i) =>
            `${s.name}: ${((frames[i] as number) / N).toFixed(1)} frames/batch = ${((walBytes[i] as number) / N / 2 ** 20).toFixed(2)} MiB/batch`,
        )
        .join(", ") +
      `; checkpoint of ${N} batches ${ckMs.toFixed(0)} ms (${JSON.stringify(ck.map((r) => (r as { checkpointed: number }[])[0]))})`,
  );
  for (const s of stores) s.sqlite.pragma("wal_autocheckpoint = 1000");
}
await services.close();
rmSync(dir, { recursive: true, force: true });
