import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import type { TenantRef } from "../src/modules/consent/types.js";
import { ingest, item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { serviceKey, serviceTenants } from "./service-fixtures.js";

/**
 * Random interleavings of toggles and concurrent capture batches. Two properties:
 * 1. every stored interaction was captured inside one of the tenant's sharing periods;
 * 2. a batch that began after an opt-out had returned, with no opt-in since, stored nothing.
 */
type Step =
  | { kind: "toggle"; enabled: boolean }
  | { kind: "batch"; size: number }
  | { kind: "tick"; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("toggle" as const), enabled: fc.boolean() }),
  fc.record({ kind: fc.constant("batch" as const), size: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 5000 }) }),
);

describe.each(dialects())("consent gate under concurrency on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
  });
  afterAll(async () => ctx?.close());

  it("never stores outside a sharing period, and never after an opt-out returned", async () => {
    let run = 0;
    let checkedBatches = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 8 }),
        async (rounds) => {
          run += 1;
          const tenant = await ctx.services.tenants.createTenant(
            { name: `prop ${run}`, region: "us" },
            CLI_ACTOR,
          );
          const ref: TenantRef = { id: tenant.id, region: "us" };
          const { key } = await ctx.services.tenants.createKey(tenant.id, CLI_ACTOR);
          const offReturnedAt: number[] = [];
          const onToggles: { start: number; end: number }[] = [];
          const batches: { start: number; end: number; clientIds: string[]; accepted: number }[] = [];
          let seq = 0;
          for (const round of rounds) {
            // The steps of one round run concurrently.
            await Promise.all(
              round.map(async (s) => {
                if (s.kind === "tick") {
                  ctx.clock.advance(s.ms);
                } else if (s.kind === "toggle") {
                  const start = performance.now();
                  await ctx.services.consent.setSharing(ref, s.enabled, CLI_ACTOR);
                  if (s.enabled) onToggles.push({ start, end: performance.now() });
                  else offReturnedAt.push(performance.now());
                } else {
                  const clientIds = Array.from({ length: s.size }, () => `p${run}-${++seq}`);
                  const start = performance.now();
                  const res = await ingest(
                    ctx,
                    key,
                    clientIds.map((id) => item({ id })),
                  );
                  batches.push({ start, end: performance.now(), clientIds, accepted: res.json().accepted });
                }
              }),
            );
          }
          const store = ctx.services.stores.regions.get("us")!;
          const rows = await store.db
            .selectFrom("interactions")
            .select(["client_id", "captured_at", "period_id"])
            .where("tenant_id", "=", tenant.id)
            .execute();
          const periods = await ctx.services.consent.periods(ref);
          for (const row of rows) {
            const p = periods.find((x) => x.id === row.period_id);
            expect(p, "stored under a known period").toBeDefined();
            const at = Number(row.captured_at);
            expect(at).toBeGreaterThanOrEqual(p!.optedInAt);
            if (p!.optedOutAt !== null) expect(at).toBeLessThanOrEqual(p!.optedOutAt);
          }
          // A batch that began after an opt-out returned stores nothing, unless an opt-in that could
          // have taken effect after that opt-out (ended after it, began before the batch ended) ran.
          const stored = new Set(rows.map((r) => r.client_id));
          let checked = 0;
          for (const b of batches) {
            const mustStoreNothing = offReturnedAt.some(
              (off) => off <= b.start && !onToggles.some((on) => on.end >= off && on.start <= b.end),
            );
            if (mustStoreNothing) {
              checked += 1;
              expect(b.accepted).toBe(0);
              for (const id of b.clientIds) expect(stored.has(id)).toBe(false);
            }
          }
          checkedBatches += checked;
          expect(rows.length).toBe(batches.reduce((n, b) => n + b.accepted, 0));
        },
      ),
      { numRuns: 25 },
    );
    // The second property was exercised, not vacuously true.
    expect(checkedBatches).toBeGreaterThan(0);
  });

  it("with a service key: many tenants' toggles and mixed batches never store an item outside its own tenant's period or region", async () => {
    const TENANTS = 4;
    type ServiceStep =
      | { kind: "toggle"; tenant: number; enabled: boolean }
      | { kind: "batch"; tenants: number[] }
      | { kind: "tick"; ms: number };
    const serviceStep: fc.Arbitrary<ServiceStep> = fc.oneof(
      fc.record({
        kind: fc.constant("toggle" as const),
        tenant: fc.integer({ min: 0, max: TENANTS - 1 }),
        enabled: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant("batch" as const),
        tenants: fc.array(fc.integer({ min: 0, max: TENANTS - 1 }), { minLength: 1, maxLength: 8 }),
      }),
      fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 5000 }) }),
    );
    let run = 0;
    let checkedItems = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(serviceStep, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 6 }),
        async (rounds) => {
          run += 1;
          const tenants = await serviceTenants(ctx, { us: TENANTS / 2, eu: TENANTS / 2 });
          const { key } = await serviceKey(ctx);
          const offReturnedAt = tenants.map(() => [] as number[]);
          const onToggles = tenants.map(() => [] as { start: number; end: number }[]);
          const sent: { tenant: number; clientId: string; start: number; end: number }[] = [];
          let accepted = 0;
          let seq = 0;
          for (const round of rounds) {
            await Promise.all(
              round.map(async (s) => {
                if (s.kind === "tick") {
                  ctx.clock.advance(s.ms);
                } else if (s.kind === "toggle") {
                  const t = tenants[s.tenant]!;
                  const start = performance.now();
                  await ctx.services.consent.setSharing(t, s.enabled, CLI_ACTOR);
                  if (s.enabled) onToggles[s.tenant]!.push({ start, end: performance.now() });
                  else offReturnedAt[s.tenant]!.push(performance.now());
                } else {
                  const items = s.tenants.map((i) => ({ tenant: i, clientId: `s${run}-${++seq}` }));
                  const start = performance.now();
                  const res = await ingest(
                    ctx,
                    key,
                    items.map((it) => item({ id: it.clientId, tenant: tenants[it.tenant]!.externalId })),
                  );
                  const end = performance.now();
                  expect(res.statusCode).toBe(200);
                  accepted += res.json().accepted;
                  for (const it of items) sent.push({ ...it, start, end });
                }
              }),
            );
          }
          let stored = 0;
          const storedIds = new Set<string>();
          for (const [index, t] of tenants.entries()) {
            const periods = await ctx.services.consent.periods(t);
            for (const [region, store] of ctx.services.stores.regions) {
              const rows = await store.db
                .selectFrom("interactions")
                .select(["client_id", "captured_at", "period_id"])
                .where("tenant_id", "=", t.id)
                .execute();
              // Only in the tenant's own region.
              if (region !== t.region) expect(rows).toEqual([]);
              for (const row of rows) {
                // Under one of ITS periods, captured inside it, and sent for it.
                const p = periods.find((x) => x.id === row.period_id);
                expect(p, "stored under one of the tenant's own periods").toBeDefined();
                const at = Number(row.captured_at);
                expect(at).toBeGreaterThanOrEqual(p!.optedInAt);
                if (p!.optedOutAt !== null) expect(at).toBeLessThanOrEqual(p!.optedOutAt);
                expect(sent.find((x) => x.clientId === row.client_id)?.tenant).toBe(index);
                storedIds.add(row.client_id as string);
                stored += 1;
              }
            }
          }
          // An item sent after its tenant's opt-out returned, with no opt-in of it since, is not stored.
          for (const x of sent) {
            const mustNotStore = offReturnedAt[x.tenant]!.some(
              (off) =>
                off <= x.start && !onToggles[x.tenant]!.some((on) => on.end >= off && on.start <= x.end),
            );
            if (mustNotStore) {
              checkedItems += 1;
              expect(storedIds.has(x.clientId)).toBe(false);
            }
          }
          expect(stored).toBe(accepted);
        },
      ),
      { numRuns: 15 },
    );
    expect(checkedItems).toBeGreaterThan(0);
  });
});
