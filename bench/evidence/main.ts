/**
 * Evidence: what signing costs per consent record and per deletion receipt, and how long
 * `assent evidence verify` takes over one tenant's year of evidence.
 *
 * - sign only: `signEvidence` of a consent record body (canonical JSON + Ed25519 via jose);
 * - consent record: the whole `recorder.record` in a SQLite transaction (lock, previous record,
 *   chain hash, sign, insert) — what a change of the setting pays on top of itself;
 * - deletion receipt: `buildReceipt` (canonical hash + signature).
 * The year: BENCH_RECORDS consent records (default 100) and BENCH_RECEIPTS receipts (default
 * 8,760: an hourly retention sweep that deletes something every time, the default cadence),
 * written as one bundle file and verified with the same code as the command
 * (`verifyEvidenceFiles`: every signature, the chain, every receipt's hash and deadline).
 * BENCH_REPS (default 2,000) signatures per timing.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConsentRecord } from "@assent/sdk/evidence";
import { loadSigningKeys } from "../../packages/server/src/crypto/signing-keys.js";
import { newId } from "../../packages/server/src/ids.js";
import { createConsentRecorder } from "../../packages/server/src/modules/evidence/records.js";
import { signEvidence } from "../../packages/server/src/modules/evidence/sign.js";
import { verifyEvidenceFiles } from "../../packages/server/src/modules/evidence/verify-files.js";
import { buildReceipt } from "../../packages/server/src/modules/retention/receipt.js";
import type { DeletionReceipt } from "../../packages/server/src/modules/retention/types.js";
import { regionMigrations } from "../../packages/server/src/stores/migrations/region.js";
import { migrate } from "../../packages/server/src/stores/open.js";
import type { DeletionReceiptTable, RegionDb } from "../../packages/server/src/stores/region-schema.js";
import { openSqliteStore } from "../../packages/server/src/stores/sqlite.js";
import { fmt, machine, median, table } from "../common.js";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100);
const RECEIPTS = Number(process.env.BENCH_RECEIPTS ?? 8_760);
const REPS = Number(process.env.BENCH_REPS ?? 2_000);
const HOUR = 3_600_000;

const dir = mkdtempSync(path.join(tmpdir(), "assent-bench-evidence-"));
const keys = loadSigningKeys({ signingKey: null, signingPublicKeys: [] }, dir);
const program = {
  name: "Data sharing for AI features",
  description: "x".repeat(1200),
  allowedPurposes: ["feature-improvement", "quality-evaluation", "safety-evaluation", "debugging"],
  retentionDays: 30,
  withdrawalDeleteDays: 30,
};
const recorder = createConsentRecorder({ signer: keys, program });
const store = openSqliteStore<RegionDb>("bench", path.join(dir, "region.db"));
await migrate(store, regionMigrations);

const start = Date.now() - 365 * 24 * HOUR;
const receiptRow = (i: number): DeletionReceiptTable => ({
  tenant_id: "tenant-a",
  id: newId(),
  kind: "retention",
  period_id: null,
  cutoff: start + i * HOUR - 30 * 24 * HOUR,
  started_at: start + i * HOUR,
  updated_at: start + i * HOUR,
  keys_destroyed_at: start + i * HOUR,
  completed_at: null,
  interactions: 120,
  labels: 3,
  dataset_items: 1,
  keys_destroyed: 1,
  receipt: null,
  hash: null,
});

/** Median µs per call over REPS calls (after 50 warm-up calls). */
async function perCall(run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await run(i);
  const samples: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await run(i);
    samples.push((performance.now() - t) * 1000);
  }
  return median(samples);
}

let n = 0;
const change = (tenant: string, at: number) => {
  n++;
  return {
    kind: n % 2 ? "sharing.enable" : "sharing.disable",
    tenant: { id: tenant, region: "bench" },
    actor: { id: "u1", role: "tenant-admin", label: "admin@example.com" },
    at,
    sharing: (n % 2 ? "on" : "off") as "on" | "off",
    periodId: newId(),
    deleteBy: n % 2 ? null : at + 30 * 24 * HOUR,
    acceptsNotice: n % 2 === 1,
  };
};

const sample = await store.db
  .transaction()
  .execute((trx) => recorder.record(trx, store.dialect, change("sample", start)));
const { jws: _jws, ...body } = sample;
const signOnly = await perCall(() => signEvidence(keys, body));
const recordUs = await perCall((i) =>
  store.db
    .transaction()
    .execute((trx) => recorder.record(trx, store.dialect, change(`t${i % 50}`, start + i))),
);
const receiptUs = await perCall((i) =>
  buildReceipt(receiptRow(i), "bench", start + i * HOUR + 5_000, null, keys),
);

// One tenant's year.
const records: ConsentRecord[] = [];
for (let i = 0; i < RECORDS; i++)
  records.push(
    await store.db
      .transaction()
      .execute((trx) => recorder.record(trx, store.dialect, change("year", start + i * 3 * 24 * HOUR))),
  );
const receipts: DeletionReceipt[] = [];
for (let i = 0; i < RECEIPTS; i++)
  receipts.push(await buildReceipt(receiptRow(i), "bench", start + i * HOUR + 5_000, null, keys));
const file = path.join(dir, "year.json");
writeFileSync(file, JSON.stringify({ records, receipts, accessLog: [], keys: keys.jwks() }));
const jwks = path.join(dir, "jwks.json");
writeFileSync(jwks, JSON.stringify(keys.jwks()));
const t0 = performance.now();
const report = await verifyEvidenceFiles([file], { jwks });
const verifyMs = performance.now() - t0;
if (!report.ok) throw new Error(`the year's evidence did not verify: ${JSON.stringify(report.firstFailure)}`);

process.stdout.write(`${machine()}\n\n`);
process.stdout.write(
  table(
    ["what", "µs per item (median)"],
    [
      ["sign only (canonical JSON + Ed25519 JWS, jose)", fmt(signOnly, 1)],
      ["consent record (SQLite transaction: lock, chain hash, sign, insert)", fmt(recordUs, 1)],
      ["deletion receipt (hash + sign)", fmt(receiptUs, 1)],
    ],
  ),
);
process.stdout.write("\n\n");
process.stdout.write(
  table(
    ["a tenant's year", "records", "receipts", "bundle MB", "verify s", "µs per item"],
    [
      [
        "evidence verify",
        fmt(RECORDS),
        fmt(RECEIPTS),
        fmt(statSync(file).size / 1e6, 1),
        fmt(verifyMs / 1000, 2),
        fmt((verifyMs * 1000) / (RECORDS + RECEIPTS), 1),
      ],
    ],
  ),
);
await store.close();
rmSync(dir, { recursive: true, force: true });
