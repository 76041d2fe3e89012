import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { createKeyWrapper } from "../src/crypto/data-keys.js";
import { loadMasterKeyring, MASTER_KEY_FILE } from "../src/crypto/master-key.js";
import { rotateMasterKey } from "../src/crypto/rotate-master.js";
import { createServices } from "../src/wiring.js";
import { ingest, item, setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe("files of the embedded default (issue 16, defect 10)", () => {
  it("creates the data directory 0700 and every store and key file 0600, whatever the umask", async () => {
    const parent = mkdtempSync(path.join(tmpdir(), "assent-modes-"));
    const dataDir = path.join(parent, "data");
    const umask = process.umask(0o022);
    try {
      const services = await createServices(parseConfig({ dataDir, regions: { us: "sqlite:region-us.db" } }));
      await services.close();
      expect(modeOf(dataDir)).toBe(0o700);
      const files = ["control.db", "region-us.db", MASTER_KEY_FILE];
      for (const f of ["control.db", "region-us.db"])
        for (const suffix of ["-wal", "-shm"])
          if (existsSync(path.join(dataDir, f + suffix))) files.push(f + suffix);
      for (const f of files) expect([f, modeOf(path.join(dataDir, f))]).toEqual([f, 0o600]);
    } finally {
      process.umask(umask);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe.each(dialects())("master key rotation on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  type KeyRow = { id: string; tenant_id: string; period_id: string; day: number; wrapped: Buffer };
  async function dataKeys(): Promise<KeyRow[]> {
    const rows: KeyRow[] = [];
    for (const store of ctx.services.stores.regions.values()) {
      const r = await store.db
        .selectFrom("data_keys")
        .select(["id", "tenant_id", "period_id", "day", "wrapped"])
        .orderBy("id")
        .execute();
      rows.push(...r.map((x) => ({ ...x, day: Number(x.day), wrapped: Buffer.from(x.wrapped) })));
    }
    return rows;
  }
  /** Every data key opened with the keyring as it is on disk now; throws if any does not open. */
  function openAll(rows: KeyRow[]): string[] {
    const ring = loadMasterKeyring(null, [], ctx.dataDir);
    const wrapper = createKeyWrapper(ring, { cacheSize: 0 });
    return rows.map((r) =>
      wrapper
        .unwrap({ id: r.id, tenantId: r.tenant_id, periodId: r.period_id, day: r.day }, r.wrapped)
        .toString("hex"),
    );
  }
  async function contentDigest(): Promise<string> {
    const h = createHash("sha256");
    for (const store of ctx.services.stores.regions.values()) {
      const rows = await store.db.selectFrom("interactions").selectAll().orderBy("id").execute();
      h.update(
        JSON.stringify(rows, (_k, v) => (v?.type === "Buffer" ? Buffer.from(v.data).toString("hex") : v)),
      );
    }
    return h.digest("hex");
  }

  it("re-wraps every data key of every region under a new master key, resuming after a crash", async () => {
    const tenants = [];
    for (const region of ["us", "eu", "us"]) {
      const t = await tenantWithAdmin(ctx, region);
      await setSharing(ctx, t, true);
      tenants.push(t);
    }
    // A data key per tenant and day: three days of three tenants.
    for (let day = 0; day < 3; day += 1) {
      for (const t of tenants) expect((await ingest(ctx, t.key, [item()])).json().accepted).toBe(1);
      ctx.clock.advance(86_400_000);
    }
    const before = await dataKeys();
    expect(before.length).toBeGreaterThanOrEqual(6);
    const plainKeys = openAll(before);
    const content = await contentDigest();
    const oldId = loadMasterKeyring(null, [], ctx.dataDir).current.id;

    // A rotation killed after its first batch: both master keys are on disk, every key opens.
    const regions = ctx.services.stores.regions;
    await expect(
      rotateMasterKey({
        regions,
        keyring: loadMasterKeyring(null, [], ctx.dataDir),
        batchSize: 2,
        afterBatch: () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    const mid = loadMasterKeyring(null, [], ctx.dataDir);
    expect(mid.previous.map((k) => k.id)).toEqual([oldId]);
    expect(openAll(await dataKeys())).toEqual(plainKeys);

    // The next run resumes with the same new key and finishes.
    const report = await rotateMasterKey({ regions, keyring: mid, batchSize: 2 });
    expect(report.masterKeyId).toBe(mid.current.id);
    expect(report.retired).toEqual([oldId]);
    expect(report.rewrapped.us! + report.rewrapped.eu!).toBe(before.length - 2);
    const after = loadMasterKeyring(null, [], ctx.dataDir);
    expect(after.previous).toEqual([]);
    expect(readFileSync(path.join(ctx.dataDir, MASTER_KEY_FILE), "utf8").trim().split("\n")).toHaveLength(1);
    const rows = await dataKeys();
    expect(rows.every((r, i) => !r.wrapped.equals(before[i]!.wrapped))).toBe(true);
    expect(openAll(rows)).toEqual(plainKeys);
    expect(await contentDigest()).toBe(content);
    for (const store of regions.values()) {
      const ids = await store.db.selectFrom("data_keys").select("master_key_id").distinct().execute();
      expect(ids.map((r) => r.master_key_id)).toEqual([after.current.id]);
    }
    // The running service (started before the rotation) still reads and writes.
    const t = await tenantWithAdmin(ctx, "eu");
    await setSharing(ctx, t, true);
    expect((await ingest(ctx, t.key, [item()])).json().accepted).toBe(1);
  });
});
