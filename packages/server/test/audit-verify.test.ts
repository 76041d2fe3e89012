import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChains } from "../src/modules/audit/verify.js";
import type { AuditEventTable } from "../src/stores/audit-schema.js";
import { assent } from "./cli-run.js";
import { grantAccess, sharedInteractions, staffMember, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("assent audit verify on %s", (dialect) => {
  let ctx: TestContext;
  let configFile: string;

  const regionDb = () => ctx.services.stores.regions.get("us")!.db;
  const rows = () => regionDb().selectFrom("audit_events").selectAll().orderBy("seq").execute();

  /** Puts the chain back exactly as it was, so each tampering is checked on its own. */
  async function restore(snapshot: AuditEventTable[]) {
    await regionDb().deleteFrom("audit_events").execute();
    for (const r of snapshot) await regionDb().insertInto("audit_events").values(r).execute();
  }

  const cli = () => assent(["audit", "verify"], { env: { ASSENT_CONFIG: configFile } });

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    const c = ctx.services.config;
    configFile = path.join(ctx.dataDir, "assent.json");
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: c.dataDir, controlStore: c.controlStore, regions: c.regions }),
    );
    // A real history in the us chain: opt-in, reads under a grant, a label.
    const t = await tenantWithAdmin(ctx, "us");
    const ids = await sharedInteractions(ctx, t, 2);
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: t.id });
    for (const id of [...ids, ...ids]) {
      const res = await ctx.app.inject({
        method: "GET",
        url: `/api/review/interactions/${id}`,
        headers: { cookie: reviewer.cookie },
      });
      expect(res.statusCode).toBe(200);
    }
  });
  afterAll(async () => ctx?.close());

  it("verifies an untouched log, through the function and through the command", async () => {
    const report = await verifyAuditChains(ctx.services.stores);
    expect(report.ok).toBe(true);
    expect(report.firstBroken).toBeNull();
    expect(Object.keys(report.chains).sort()).toEqual(["control", "region-eu", "region-us"]);
    expect(report.chains["region-us"]?.events).toBeGreaterThanOrEqual(5);
    const run = await cli();
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, firstBroken: null });
  });

  it("names an edited event", async () => {
    const snapshot = await rows();
    const victim = snapshot.find((r) => r.action === "interaction.read")!;
    await regionDb()
      .updateTable("audit_events")
      .set({ actor_id: "someone-else" })
      .where("seq", "=", victim.seq)
      .execute();
    const report = await verifyAuditChains(ctx.services.stores);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({
      chain: "region-us",
      seq: Number(victim.seq),
      id: victim.id,
      action: "interaction.read",
    });
    expect(report.firstBroken?.message).toMatch(
      new RegExp(
        `region-us is broken at event ${victim.seq} \\(id ${victim.id}, action interaction.read\\).*edited`,
      ),
    );
    const run = await cli();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`event ${victim.seq} (id ${victim.id}, action interaction.read)`);
    expect(JSON.parse(run.stdout).firstBroken.id).toBe(victim.id);
    await restore(snapshot);
    expect((await verifyAuditChains(ctx.services.stores)).ok).toBe(true);
  });

  it("names a deleted event", async () => {
    const snapshot = await rows();
    const victim = snapshot[2]!;
    await regionDb().deleteFrom("audit_events").where("seq", "=", victim.seq).execute();
    const report = await verifyAuditChains(ctx.services.stores);
    expect(report.firstBroken).toMatchObject({ chain: "region-us", seq: Number(victim.seq) });
    expect(report.firstBroken?.message).toMatch(new RegExp(`event ${victim.seq} is missing`));
    await restore(snapshot);

    // Removing the newest event is caught by the chain head.
    const last = snapshot[snapshot.length - 1]!;
    await regionDb().deleteFrom("audit_events").where("seq", "=", last.seq).execute();
    const tail = await verifyAuditChains(ctx.services.stores);
    expect(tail.firstBroken?.message).toMatch(/events removed from the end/);
    await restore(snapshot);
    expect((await verifyAuditChains(ctx.services.stores)).ok).toBe(true);
  });

  it("names the first of two reordered events", async () => {
    const snapshot = await rows();
    const [a, b] = [snapshot[1]!, snapshot[2]!];
    const db = regionDb();
    await db.updateTable("audit_events").set({ seq: -1 }).where("seq", "=", a.seq).execute();
    await db.updateTable("audit_events").set({ seq: a.seq }).where("seq", "=", b.seq).execute();
    await db.updateTable("audit_events").set({ seq: b.seq }).where("seq", "=", -1).execute();
    const report = await verifyAuditChains(ctx.services.stores);
    expect(report.firstBroken).toMatchObject({
      chain: "region-us",
      seq: Number(a.seq),
      id: b.id,
      action: b.action,
    });
    expect(report.firstBroken?.message).toMatch(/previous-hash does not match/);
    const run = await cli();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`id ${b.id}`);
    await restore(snapshot);
    expect((await verifyAuditChains(ctx.services.stores)).ok).toBe(true);
  });

  it("catches tampering in the control chain too", async () => {
    const control = ctx.services.stores.control.db;
    const victim = await control
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "access-request.approve")
      .executeTakeFirstOrThrow();
    await control.updateTable("audit_events").set({ grant_id: null }).where("seq", "=", victim.seq).execute();
    const report = await verifyAuditChains(ctx.services.stores);
    expect(report.firstBroken).toMatchObject({
      chain: "control",
      id: victim.id,
      action: "access-request.approve",
    });
    await control
      .updateTable("audit_events")
      .set({ grant_id: victim.grant_id })
      .where("seq", "=", victim.seq)
      .execute();
    expect((await verifyAuditChains(ctx.services.stores)).ok).toBe(true);
  });
});
