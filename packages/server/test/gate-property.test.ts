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

const FEATURES = ["f.one", "f.two", "f.three"];
const SUBJECTS = ["s-a", "s-b", "s-c"];

describe.each(dialects())("consent gate under concurrency on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: {
        program: { features: FEATURES.map((id) => ({ id, name: id, description: "" })) },
      },
    });
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

  it("with feature choices and exclusions changing concurrently: nothing stored outside what was shared", async () => {
    type ScopeStep =
      | { kind: "features"; features: string[] | null }
      | { kind: "exclude"; subject: string }
      | { kind: "lift"; subject: string }
      | { kind: "batch"; items: { feature: string; subject: string | null }[] };
    const scopeStep: fc.Arbitrary<ScopeStep> = fc.oneof(
      fc.record({
        kind: fc.constant("features" as const),
        features: fc.option(fc.subarray(FEATURES, { minLength: 1 }), { nil: null }),
      }),
      fc.record({ kind: fc.constant("exclude" as const), subject: fc.constantFrom(...SUBJECTS) }),
      fc.record({ kind: fc.constant("lift" as const), subject: fc.constantFrom(...SUBJECTS) }),
      fc.record({
        kind: fc.constant("batch" as const),
        items: fc.array(
          fc.record({
            feature: fc.constantFrom(...FEATURES),
            subject: fc.option(fc.constantFrom(...SUBJECTS), { nil: null }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
      }),
    );
    /** A scope change as it ran: which items it allows or disallows, and when the call ran. */
    interface Op {
      readonly start: number;
      readonly end: number;
      allows(it: { feature: string; subject: string | null }): boolean | null;
    }
    let run = 0;
    let checkedItems = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(scopeStep, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 6 }),
        async (rounds) => {
          run += 1;
          const tenant = await ctx.services.tenants.createTenant(
            { name: `scopes ${run}`, region: "us" },
            CLI_ACTOR,
          );
          const ref: TenantRef = { id: tenant.id, region: "us" };
          const { key } = await ctx.services.tenants.createKey(tenant.id, CLI_ACTOR);
          await ctx.services.consent.setSharing(ref, true, CLI_ACTOR);
          ctx.clock.advance(1000);
          const ops: Op[] = [];
          const sent: {
            clientId: string;
            feature: string;
            subject: string | null;
            start: number;
            end: number;
          }[] = [];
          let accepted = 0;
          let seq = 0;
          for (const round of rounds) {
            await Promise.all(
              round.map(async (s) => {
                const start = performance.now();
                if (s.kind === "features") {
                  await ctx.services.consent.setSharing(ref, true, CLI_ACTOR, s.features);
                  const chosen = s.features;
                  ops.push({
                    start,
                    end: performance.now(),
                    // Only the feature dimension: says nothing about subjects.
                    allows: (it) => chosen === null || chosen.includes(it.feature),
                  });
                } else if (s.kind === "exclude" || s.kind === "lift") {
                  if (s.kind === "exclude")
                    await ctx.services.scopes.exclude(ref, s.subject, CLI_ACTOR, "admin");
                  else await ctx.services.scopes.lift(ref, { subject: s.subject }, CLI_ACTOR);
                  const subject = s.subject;
                  const lifted = s.kind === "lift";
                  ops.push({
                    start,
                    end: performance.now(),
                    allows: (it) => (it.subject === subject ? lifted : null),
                  });
                } else {
                  const items = s.items.map((x) => ({ ...x, clientId: `q${run}-${++seq}` }));
                  const res = await ingest(
                    ctx,
                    key,
                    items.map((x) =>
                      item({
                        id: x.clientId,
                        feature: x.feature,
                        ...(x.subject ? { subject: x.subject } : {}),
                      }),
                    ),
                  );
                  expect(res.statusCode).toBe(200);
                  expect(res.json().accepted + res.json().dropped).toBe(items.length);
                  accepted += res.json().accepted;
                  const end = performance.now();
                  for (const x of items) sent.push({ ...x, start, end });
                }
              }),
            );
          }
          const rows = await ctx.services.stores.regions
            .get("us")!
            .db.selectFrom("interactions")
            .select(["client_id", "subject_hash"])
            .where("tenant_id", "=", tenant.id)
            .execute();
          expect(rows.length).toBe(accepted);
          const stored = new Set(rows.map((r) => r.client_id));
          // An item must not be stored when a change disallowing it returned before its batch began
          // and no change allowing it could have committed after that change and before the batch ended.
          for (const x of sent) {
            const mustNotStore = ops.some(
              (d) =>
                d.allows(x) === false &&
                d.end <= x.start &&
                !ops.some((a) => a.allows(x) === true && a.end >= d.start && a.start <= x.end),
            );
            if (mustNotStore) {
              checkedItems += 1;
              expect(stored.has(x.clientId), `${x.feature}/${x.subject}`).toBe(false);
            }
          }
          // What is stored carries only a hash of the subject.
          for (const r of rows) if (r.subject_hash) expect(SUBJECTS).not.toContain(r.subject_hash);
          // At the end, with no change in flight, the state is exact: check it item by item.
          const state = await ctx.services.consent.getState(ref);
          const excluded = new Set((await ctx.services.scopes.exclusions(ref)).map((e) => e.ref));
          const refs = new Map<string, string>();
          for (const subj of SUBJECTS)
            refs.set(subj, (await ctx.services.scopes.exclude(ref, subj, CLI_ACTOR, "admin")).ref);
          const finalBatch = FEATURES.flatMap((feature) =>
            [...SUBJECTS, null].map((subject) => ({ feature, subject, clientId: `z${run}-${++seq}` })),
          );
          // (Those exclusions were just added for the refs; lift the ones that were not there.)
          for (const subj of SUBJECTS)
            if (!excluded.has(refs.get(subj)!))
              await ctx.services.scopes.lift(ref, { subject: subj }, CLI_ACTOR);
          const res = await ingest(
            ctx,
            key,
            finalBatch.map((x) =>
              item({ id: x.clientId, feature: x.feature, ...(x.subject ? { subject: x.subject } : {}) }),
            ),
          );
          const expected = finalBatch.filter(
            (x) =>
              (state.features === null || state.features.includes(x.feature)) &&
              (x.subject === null || !excluded.has(refs.get(x.subject)!)),
          ).length;
          expect(res.json().accepted).toBe(expected);
        },
      ),
      { numRuns: 15 },
    );
    expect(checkedItems).toBeGreaterThan(0);
  });
});
