import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSigningKeys, rotateSigningKey } from "../src/crypto/signing-keys.js";
import { verifyChain } from "../src/modules/audit/chain.js";
import { verifyAuditChains } from "../src/modules/audit/verify.js";
import type { AuditCheckpointTable, AuditEventTable } from "../src/stores/audit-schema.js";
import { setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const cliEntry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/**
 * Issue 16, defect 5: cutting the tail of a chain and rewriting `audit_head` to match used to pass
 * `assent audit verify`. Heads are now checkpointed, signed with a key the database does not hold.
 */
describe.each(dialects())("signed audit checkpoints on %s", (dialect) => {
  let ctx: TestContext;
  let configFile: string;
  const db = () => ctx.services.stores.regions.get("us")!.db;
  const checks = () => ({ keys: ctx.services.signingKeys, anchorFile: ctx.services.checkpointFile });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--conditions=@assent/source", "--import", "tsx", cliEntry, ...args], {
      env: { ...process.env, ASSENT_CONFIG: configFile },
      encoding: "utf8",
      timeout: 60_000,
    });

  let events: AuditEventTable[];
  let checkpoints: AuditCheckpointTable[];
  async function snapshot() {
    events = await db().selectFrom("audit_events").selectAll().orderBy("seq").execute();
    checkpoints = await db().selectFrom("audit_checkpoints").selectAll().orderBy("seq").execute();
  }
  /** Puts the chain, its head and its checkpoints back as they were. */
  async function restore() {
    await db().deleteFrom("audit_events").execute();
    for (const r of events) await db().insertInto("audit_events").values(r).execute();
    await db().deleteFrom("audit_checkpoints").execute();
    for (const r of checkpoints) await db().insertInto("audit_checkpoints").values(r).execute();
    const last = events.at(-1)!;
    await db()
      .updateTable("audit_head")
      .set({ seq: last.seq, hash: last.hash })
      .where("id", "=", 1)
      .execute();
    expect((await verifyAuditChains(ctx.services.stores, checks())).ok).toBe(true);
  }

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    const c = ctx.services.config;
    configFile = path.join(ctx.dataDir, "assent.json");
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: c.dataDir, controlStore: c.controlStore, regions: c.regions }),
    );
    const t = await tenantWithAdmin(ctx, "us");
    for (const on of [true, false, true, false]) await setSharing(ctx, t, on);
    const report = await ctx.services.jobs.runOnce();
    expect(report.jobs.find((j) => j.job === "audit-checkpoint")?.status).toBe("done");
    await snapshot();
    expect(checkpoints.at(-1)?.seq).toBe(events.at(-1)?.seq);
  });
  afterAll(async () => ctx?.close());

  it("detects a cut tail with a rewritten head, which the hash chain alone accepts", async () => {
    expect((await verifyAuditChains(ctx.services.stores, checks())).ok).toBe(true);
    const keep = events[events.length - 3]!;
    await db().deleteFrom("audit_events").where("seq", ">", keep.seq).execute();
    await db()
      .updateTable("audit_head")
      .set({ seq: keep.seq, hash: keep.hash })
      .where("id", "=", 1)
      .execute();
    expect((await verifyChain(db())).broken).toBeNull();

    const report = await verifyAuditChains(ctx.services.stores, checks());
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ chain: "region-us" });
    expect(report.firstBroken?.message).toMatch(/log ends at event \d+ \(events removed from the end/);
    const run = cli("audit", "verify");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/audit chain region-us is broken/);
    await restore();
  });

  it("detects the cut when the checkpoint rows are deleted too (the checkpoint file keeps the latest)", async () => {
    const keep = events[events.length - 3]!;
    await db().deleteFrom("audit_events").where("seq", ">", keep.seq).execute();
    await db()
      .updateTable("audit_head")
      .set({ seq: keep.seq, hash: keep.hash })
      .where("id", "=", 1)
      .execute();
    await db().deleteFrom("audit_checkpoints").where("seq", ">", keep.seq).execute();
    const report = await verifyAuditChains(ctx.services.stores, checks());
    if (ctx.services.checkpointFile) {
      expect(report.ok).toBe(false);
      expect(report.firstBroken?.message).toMatch(/checkpoint file/);
    } else {
      // PostgreSQL deployments have no local file: an attacker who can delete checkpoint rows too
      // goes unseen here (docs/threat-model.md says what anchors them then).
      expect(report.ok).toBe(true);
    }
    await restore();
  });

  it("rejects a checkpoint whose signature the attacker made up", async () => {
    const last = checkpoints.at(-1)!;
    await db()
      .updateTable("audit_checkpoints")
      .set({ signature: Buffer.alloc(64, 7).toString("base64url") })
      .where("seq", "=", last.seq)
      .execute();
    expect((await verifyAuditChains(ctx.services.stores, checks())).firstBroken?.message).toMatch(
      /no valid signature/,
    );
    await restore();
  });

  it("keeps verifying old checkpoints after the signing key is rotated", async () => {
    const before = ctx.services.signingKeys.currentKid;
    const kid = rotateSigningKey(ctx.dataDir);
    expect(kid).not.toBe(before);
    const rotated = loadSigningKeys(ctx.services.config.keys, ctx.dataDir);
    expect(rotated.currentKid).toBe(kid);
    expect(rotated.jwks().keys.map((k) => k.kid)).toEqual([kid, before]);
    const report = await verifyAuditChains(ctx.services.stores, {
      keys: rotated,
      anchorFile: ctx.services.checkpointFile,
    });
    expect(report.ok).toBe(true);
    const run = cli("audit", "verify");
    expect(run.status).toBe(0);
  });
});
