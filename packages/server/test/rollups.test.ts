import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { HOUR_MS } from "../src/clock.js";
import type { TenantRef } from "../src/modules/consent/types.js";
import { rollupRepo } from "../src/modules/insights/rollup-repo.js";
import type { Rollups } from "../src/modules/insights/rollups.js";
import { reviewRepo } from "../src/modules/review/repo.js";
import type { RegionDb } from "../src/stores/region-schema.js";
import type { Store } from "../src/stores/store.js";
import { item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/** Rollups as plain, ordered data, so two sets compare with toEqual. */
const plain = (r: Rollups) =>
  [...r.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([, { key, rollup }]) => ({
      ...key,
      ...rollup,
      latency: [...rollup.latency].sort((a, b) => a[0] - b[0]),
      finishReasons: [...rollup.finishReasons].sort(),
    }));

type Op =
  | {
      kind: "ingest";
      tenant: number;
      n: number;
      feature: number;
      client: number;
      latency: number;
      feedback: number;
    }
  | { kind: "label"; tenant: number; pick: number; rating: number | null }
  | { kind: "deleteNow"; tenant: number }
  | { kind: "sweep" }
  | { kind: "tick"; hours: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("ingest" as const),
    tenant: fc.nat(1),
    n: fc.integer({ min: 1, max: 5 }),
    feature: fc.nat(2),
    client: fc.nat(6),
    latency: fc.integer({ min: 0, max: 30_000 }),
    feedback: fc.integer({ min: -1, max: 1 }),
  }),
  fc.record({
    kind: fc.constant("label" as const),
    tenant: fc.nat(1),
    pick: fc.nat(50),
    rating: fc.option(fc.integer({ min: 1, max: 5 })),
  }),
  fc.record({ kind: fc.constant("deleteNow" as const), tenant: fc.nat(1) }),
  fc.constant({ kind: "sweep" as const }),
  fc.record({ kind: fc.constant("tick" as const), hours: fc.integer({ min: 1, max: 30 }) }),
);

describe.each(dialects())("feature rollups on %s", (dialect) => {
  let ctx: TestContext;
  let store: Store<RegionDb>;
  const tenants: TenantRef[] = [];
  let sequence = 0;

  beforeAll(async () => {
    // Retention of one day: a few ticks expire what earlier steps stored.
    ctx = await createTestContext(dialect, { regions: ["us"], config: { program: { retentionDays: 1 } } });
    store = ctx.services.stores.regions.get("us")!;
    for (let i = 0; i < 2; i++) {
      const t = await ctx.services.tenants.createTenant(
        { name: `Rollup tenant ${i}`, region: "us" },
        CLI_ACTOR,
      );
      tenants.push({ id: t.id, region: "us" });
    }
  });
  afterAll(async () => ctx?.close());

  const seen = { stored: 0, labelled: 0, purged: 0, swept: 0 };
  const held = async () => (await store.db.selectFrom("interactions").select("id").execute()).length;

  async function run(o: Op) {
    const s = ctx.services;
    if (o.kind === "tick") {
      ctx.clock.advance(o.hours * HOUR_MS);
    } else if (o.kind === "sweep") {
      const before = await held();
      await s.retention.sweepRetention("us");
      seen.swept += before - (await held());
    } else if (o.kind === "deleteNow") {
      const t = tenants[o.tenant]!;
      await s.consent.setSharing(t, false, CLI_ACTOR);
      const before = await held();
      await s.retention.deleteNow(t, CLI_ACTOR);
      seen.purged += before - (await held());
    } else if (o.kind === "ingest") {
      const t = tenants[o.tenant]!;
      if ((await s.consent.getState(t)).sharing === "off") {
        await s.consent.setSharing(t, true, CLI_ACTOR);
        ctx.clock.advance(1000);
      }
      const at = ctx.clock.now();
      sequence += 1;
      const items = Array.from({ length: o.n }, (_, i) =>
        item({
          feature: `feature.${o.feature}`,
          occurredAt: new Date(at - i).toISOString(),
          // A small pool of client ids: some items are duplicates, which must count once.
          id: `c-${o.tenant}-${o.client + i}`,
          telemetry: {
            latencyMs: o.latency + i * 37,
            tokensIn: 10 + i,
            tokensOut: 5,
            finishReason: i % 2 ? "stop" : "length",
            ...(o.feedback === 0 ? {} : { feedback: o.feedback }),
          },
        }),
      );
      const res = await s.capture.ingestBatch(t, { interactions: items });
      expect(res.rejected, JSON.stringify(res.rejected)).toEqual([]);
      seen.stored += res.accepted;
    } else {
      const t = tenants[o.tenant]!;
      const ids = await store.db
        .selectFrom("interactions")
        .select(["id", "period_id"])
        .where("tenant_id", "=", t.id)
        .orderBy("id")
        .execute();
      const target = ids[o.pick % Math.max(1, ids.length)];
      if (!target) return;
      await store.db.transaction().execute((trx) =>
        reviewRepo.insertLabel(trx, {
          tenant_id: t.id,
          id: `label-${sequence++}-${Math.random().toString(36).slice(2)}`,
          interaction_id: target.id,
          period_id: target.period_id,
          reviewer_id: "reviewer",
          grant_id: "grant",
          rating: o.rating,
          tags: "[]",
          note: null,
          created_at: ctx.clock.now(),
        }),
      );
      seen.labelled += 1;
    }
  }

  it("equal a recount from the rows after any sequence of ingest, label, delete-now and retention sweep", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        for (const o of ops) await run(o);
        expect(plain(await rollupRepo.readAll(store.db))).toEqual(plain(await rollupRepo.recount(store.db)));
        for (const t of tenants) {
          const rows = await store.db
            .selectFrom("interactions")
            .select("id")
            .where("tenant_id", "=", t.id)
            .execute();
          expect(await ctx.services.capture.countInteractions(t)).toBe(rows.length);
        }
      }),
      {
        numRuns: 12,
        // Always also this one: store, label, expire and sweep some; store and delete-now more.
        examples: [
          [
            [
              { kind: "ingest", tenant: 0, n: 4, feature: 0, client: 0, latency: 120, feedback: 1 },
              { kind: "label", tenant: 0, pick: 1, rating: 4 },
              { kind: "tick", hours: 30 },
              { kind: "ingest", tenant: 1, n: 3, feature: 1, client: 0, latency: 900, feedback: -1 },
              { kind: "label", tenant: 1, pick: 0, rating: null },
              { kind: "sweep" },
              { kind: "ingest", tenant: 0, n: 2, feature: 2, client: 5, latency: 40, feedback: 0 },
              { kind: "deleteNow", tenant: 1 },
            ],
          ],
        ],
      },
    );
    // Not vacuous: the runs stored, labelled and purged rows that the rollups counted.
    expect(Math.min(seen.stored, seen.labelled, seen.purged, seen.swept)).toBeGreaterThan(0);
  });

  it("folds rows stored before the rollups existed, once, at start", async () => {
    const before = plain(await rollupRepo.readAll(store.db));
    await store.db.deleteFrom("feature_rollups").execute();
    await store.db.insertInto("rollups_pending").values({ id: 1 }).execute();
    expect(await rollupRepo.foldPending(store.db, store.dialect)).toBe(true);
    expect(plain(await rollupRepo.readAll(store.db))).toEqual(before);
    expect(await rollupRepo.foldPending(store.db, store.dialect)).toBe(false);
  });
});
