import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { verifyAuditChains } from "../src/modules/audit/verify.js";
import { subjectCheck } from "../src/modules/scopes/subject-keys.js";
import type { AuditTables } from "../src/stores/audit-schema.js";
import { createServices } from "../src/wiring.js";
import {
  grantAccess,
  ingest,
  item,
  setSharing,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { serviceKey, serviceTenants } from "./service-fixtures.js";
import { openEventStream } from "./sse.js";

const FEATURES = [
  { id: "sales.email-draft", name: "Sales email drafts", description: "Drafts follow-up emails" },
  { id: "hr.summary", name: "HR case summaries", description: "Summarises HR cases" },
  { id: "support.reply", name: "Support replies", description: "Suggests replies to tickets" },
];

describe.each(dialects())("consent scopes on %s", (dialect) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { program: { features: FEATURES, allowedPurposes: ["debugging"] } },
    });
  });
  afterAll(async () => ctx?.close());

  const put = (t: TenantFixture, payload: Record<string, unknown>) =>
    ctx.app.inject({
      method: "PUT",
      url: "/api/tenant/sharing",
      headers: { cookie: t.adminCookie },
      payload,
    });
  const adminCall = (t: TenantFixture, method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
    ctx.app.inject({
      method,
      url,
      headers: { cookie: t.adminCookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });
  const stored = async (tenantId: string) =>
    ctx.services.stores.regions
      .get("us")!
      .db.selectFrom("interactions")
      .select(["id", "feature", "subject_hash"])
      .where("tenant_id", "=", tenantId)
      .execute();
  /** Items occur after the opt-in: move the clock past it first. */
  const later = () => {
    ctx.clock.advance(1000);
    return new Date(ctx.clock.now()).toISOString();
  };

  it("shares only the chosen features: the others are dropped and counted, in the same batch", async () => {
    const t = await tenantWithAdmin(ctx);
    const bad = await put(t, { enabled: true, features: ["sales.email-draft", "no.such-feature"] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "unknown_feature" });
    expect(bad.json().message).toMatch(/no\.such-feature/);

    const on = await put(t, { enabled: true, features: ["sales.email-draft"] });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ sharing: "on", features: ["sales.email-draft"] });
    expect(on.json().program.features.map((f: { id: string }) => f.id)).toEqual(FEATURES.map((f) => f.id));
    expect(on.json().scopeChanges[0]).toMatchObject({
      kind: "features",
      before: null,
      after: ["sales.email-draft"],
    });

    const at = later();
    const res = await ingest(ctx, t.key, [
      item({ occurredAt: at }),
      item({ occurredAt: at, feature: "hr.summary" }),
      item({ occurredAt: at, feature: "support.reply" }),
    ]);
    expect(res.json()).toMatchObject({ sharing: "on", accepted: 1, dropped: 2 });
    expect((await stored(t.id)).map((r) => r.feature)).toEqual(["sales.email-draft"]);

    const machine = await ctx.app.inject({
      method: "GET",
      url: "/v1/sharing",
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(machine.json()).toMatchObject({ sharing: "on", features: ["sales.email-draft"] });
  });

  it("takes a change of features while on from the next write on, recorded in history and audit", async () => {
    const t = await tenantWithAdmin(ctx);
    await put(t, { enabled: true, features: ["sales.email-draft"] });
    let at = later();
    expect(
      (await ingest(ctx, t.key, [item({ occurredAt: at, feature: "hr.summary" })])).json(),
    ).toMatchObject({
      accepted: 0,
      dropped: 1,
    });
    const changed = await put(t, { enabled: true, features: ["hr.summary"] });
    expect(changed.json().features).toEqual(["hr.summary"]);
    expect(changed.json().periods).toHaveLength(1);
    at = later();
    const next = await ingest(ctx, t.key, [
      item({ occurredAt: at, feature: "hr.summary" }),
      item({ occurredAt: at }),
    ]);
    expect(next.json()).toMatchObject({ accepted: 1, dropped: 1 });
    // Without features: every feature again.
    await put(t, { enabled: true });
    at = later();
    expect((await ingest(ctx, t.key, [item({ occurredAt: at })])).json()).toMatchObject({ accepted: 1 });

    const view = (await adminCall(t, "GET", "/api/tenant/sharing")).json();
    expect(view.features).toBeNull();
    expect(view.scopeChanges.map((c: { kind: string; after: unknown }) => c.after)).toEqual([
      null,
      ["hr.summary"],
      ["sales.email-draft"],
    ]);
    expect(view.scopeChanges[0]).toMatchObject({
      by: t.adminEmail,
      role: "tenant-admin",
      before: ["hr.summary"],
    });
    const audit = await ctx.services.stores.regions
      .get("us")!
      .db.selectFrom("audit_events")
      .select(["action", "details"])
      .where("tenant_id", "=", t.id)
      .where("action", "=", "scope.features")
      .execute();
    expect(audit).toHaveLength(3);
  });

  it("with a service key: the snapshot shows each tenant's features and its batch is gated per tenant", async () => {
    const [a, b] = await serviceTenants(ctx, { us: 2 });
    await ctx.services.consent.setSharing(a!, true, CLI_ACTOR, ["hr.summary"]);
    await ctx.services.consent.setSharing(b!, true, CLI_ACTOR);
    const { key } = await serviceKey(ctx, ["us"]);
    const snap = await ctx.app.inject({
      method: "GET",
      url: "/v1/sharing",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(snap.json().tenants[a!.id]).toMatchObject({ sharing: "on", features: ["hr.summary"] });
    expect(snap.json().tenants[b!.id].features).toBeUndefined();
    const at = later();
    const res = await ingest(ctx, key, [
      item({ occurredAt: at, tenant: a!.externalId }),
      item({ occurredAt: at, tenant: a!.externalId, feature: "hr.summary" }),
      item({ occurredAt: at, tenant: b!.externalId }),
    ]);
    expect(res.json().tenants[a!.id]).toMatchObject({ accepted: 1, dropped: 1 });
    expect(res.json().tenants[b!.id]).toMatchObject({ accepted: 1, dropped: 0 });
  });

  it("with a service key: GET /v1/sharing and the stream carry each excluding tenant's check values", async () => {
    const [a, b] = await serviceTenants(ctx, { us: 2 });
    for (const t of [a!, b!]) await ctx.services.consent.setSharing(t, true, CLI_ACTOR);
    await ctx.services.scopes.exclude(a!, "user-42", CLI_ACTOR, "admin");
    const { key } = await serviceKey(ctx, ["us"]);
    const snap = (
      await ctx.app.inject({ method: "GET", url: "/v1/sharing", headers: { authorization: `Bearer ${key}` } })
    ).json();
    const mine = snap.tenants[a!.id];
    const check = (k: string, subject: string) => subjectCheck(Buffer.from(k, "base64url"), subject);
    expect(mine.excluded).toEqual([check(mine.subjectKey, "user-42")]);
    // A tenant without exclusions carries neither (the snapshot stays small at many tenants).
    expect(snap.tenants[b!.id].subjectKey).toBeUndefined();
    expect(snap.tenants[b!.id].excluded).toBeUndefined();
    expect(JSON.stringify(snap)).not.toContain("user-42");

    const base = ctx.app.server.listening
      ? `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`
      : await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const s = openEventStream(`${base}/v1/sharing/stream`, { authorization: `Bearer ${key}` });
    try {
      const [first] = await s.waitFor(1, 10_000);
      expect(JSON.parse(first!.data).tenants[a!.id].excluded).toHaveLength(1);
      const excludedAt = Date.now();
      await ctx.services.scopes.exclude(b!, "user-7", CLI_ACTOR, "objection");
      const events = await s.waitFor(2, 10_000);
      const took = Date.now() - excludedAt;
      expect(took).toBeLessThan(1000);
      const change = JSON.parse(events[1]!.data);
      expect(events[1]!.event).toBe("change");
      expect(change).toMatchObject({ tenant: b!.id, sharing: "on" });
      expect(change.excluded).toEqual([check(change.subjectKey, "user-7")]);
      // Lifted: the next change carries no exclusions for that tenant.
      await ctx.services.scopes.lift(b!, { subject: "user-7" }, CLI_ACTOR);
      const after = await s.waitFor(3, 10_000);
      expect(JSON.parse(after[2]!.data).excluded).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("does not capture a feature added to the program later for a tenant that chose features", async () => {
    const chose = await tenantWithAdmin(ctx);
    const all = await tenantWithAdmin(ctx);
    await put(chose, { enabled: true, features: ["sales.email-draft", "hr.summary"] });
    await put(all, { enabled: true });
    // The same stores, run by a deployment whose program now declares one more feature.
    const added = { id: "legal.review", name: "Contract review", description: "Reviews contracts" };
    const config = ctx.services.config;
    const next = await createServices(
      { ...config, program: { ...config.program, features: [...config.program.features, added] } },
      { clock: ctx.clock },
    );
    try {
      const at = later();
      const batch = {
        interactions: [item({ occurredAt: at, feature: "legal.review" }), item({ occurredAt: at })],
      };
      const r1 = await next.capture.ingestBatch({ id: chose.id, region: "us" }, batch);
      expect(r1).toMatchObject({ accepted: 1, dropped: 1 });
      const r2 = await next.capture.ingestBatch({ id: all.id, region: "us" }, batch);
      expect(r2).toMatchObject({ accepted: 2, dropped: 0 });
    } finally {
      await next.close();
    }
    expect((await stored(chose.id)).map((r) => r.feature)).toEqual(["sales.email-draft"]);
  });

  it("drops an excluded subject's items (admin or objection) until the exclusion is lifted", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    const added = await adminCall(t, "POST", "/api/tenant/exclusions", { subject: "user-carol" });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ reason: "admin", excludedBy: t.adminEmail });
    expect(added.json().ref).toMatch(/^[0-9a-f]{12}$/);
    const objection = await ctx.app.inject({
      method: "POST",
      url: "/v1/subjects/objections",
      headers: { authorization: `Bearer ${t.key}` },
      payload: { subject: "user-dave" },
    });
    expect(objection.json()).toMatchObject({ reason: "objection" });
    const at = later();
    const res = await ingest(ctx, t.key, [
      item({ occurredAt: at, subject: "user-carol" }),
      item({ occurredAt: at, subject: "user-dave" }),
      item({ occurredAt: at, subject: "user-erin" }),
      item({ occurredAt: at }),
    ]);
    expect(res.json()).toMatchObject({ accepted: 2, dropped: 2 });
    const list = (await adminCall(t, "GET", "/api/tenant/exclusions")).json().items;
    expect(list).toHaveLength(2);
    const lifted = await adminCall(t, "DELETE", "/api/tenant/exclusions", { ref: added.json().ref });
    expect(lifted.json()).toEqual({ lifted: true });
    const again = await ingest(ctx, t.key, [item({ occurredAt: later(), subject: "user-carol" })]);
    expect(again.json()).toMatchObject({ accepted: 1, dropped: 0 });
    const liftedBySubject = await adminCall(t, "DELETE", "/api/tenant/exclusions", { subject: "user-dave" });
    expect(liftedBySubject.json()).toEqual({ lifted: true });
    const kinds = (await adminCall(t, "GET", "/api/tenant/sharing"))
      .json()
      .scopeChanges.map((c: { kind: string }) => c.kind);
    expect(kinds).toEqual(["lift", "lift", "exclude", "exclude"]);
  });

  it("erases exactly one subject's rows (labels, dataset items too), with a receipt; a rerun is harmless", async () => {
    const t = await tenantWithAdmin(ctx);
    const other = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await setSharing(ctx, other, true);
    const at = later();
    const mk = (subject?: string) => item({ occurredAt: at, ...(subject ? { subject } : {}) });
    await ingest(ctx, t.key, [mk("alice"), mk("alice"), mk("alice"), mk("bob"), mk("bob"), mk()]);
    await ingest(ctx, other.key, [mk("alice")]);
    const rows = await stored(t.id);
    const byHash = new Map<string | null | undefined, string[]>();
    for (const r of rows) byHash.set(r.subject_hash, [...(byHash.get(r.subject_hash) ?? []), r.id]);
    const [aliceIds, bobIds] = [...byHash.entries()]
      .filter(([h]) => h)
      .sort((a, b) => b[1].length - a[1].length)
      .map(([, ids]) => ids);
    expect(aliceIds).toHaveLength(3);
    expect(bobIds).toHaveLength(2);

    // A reviewer labels one of each and puts one of each in a dataset.
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: t.id });
    const staff = (method: "POST", url: string, payload: object) =>
      ctx.app.inject({ method, url, headers: { cookie: reviewer.cookie }, payload });
    for (const id of [aliceIds![0]!, bobIds![0]!]) {
      expect((await staff("POST", `/api/review/interactions/${id}/labels`, { rating: 4 })).statusCode).toBe(
        201,
      );
    }
    const dataset = (
      await staff("POST", "/api/datasets", { region: "us", name: "Set", purpose: "debugging" })
    ).json();
    const addItems = await staff("POST", `/api/datasets/${dataset.id}/items`, {
      interactionIds: [aliceIds![1]!, bobIds![1]!],
    });
    expect(addItems.statusCode).toBeLessThan(300);

    const erase = await adminCall(t, "POST", "/api/tenant/subjects/erase", { subject: "alice" });
    expect(erase.statusCode).toBe(200);
    const receipt = erase.json();
    expect(receipt).toMatchObject({
      kind: "subject-erasure",
      tenantId: t.id,
      deleted: { interactions: 3, labels: 1, datasetItems: 1, dataKeys: 0 },
    });
    expect(receipt.subjectRef).toMatch(/^[0-9a-f]{12}$/);
    const left = (await stored(t.id)).map((r) => r.id).sort();
    expect(left).toEqual([...bobIds!, ...(byHash.get(null) ?? [])].sort());
    expect(await stored(other.id)).toHaveLength(1);
    const db = ctx.services.stores.regions.get("us")!.db;
    const labels = await db
      .selectFrom("labels")
      .select("interaction_id")
      .where("tenant_id", "=", t.id)
      .execute();
    expect(labels.map((l) => l.interaction_id)).toEqual([bobIds![0]]);
    const items = await db
      .selectFrom("dataset_items")
      .select("interaction_id")
      .where("tenant_id", "=", t.id)
      .execute();
    expect(items.map((l) => l.interaction_id)).toEqual([bobIds![1]]);

    const receipts = (await adminCall(t, "GET", "/api/tenant/deletion-receipts")).json().items;
    expect(receipts[0]).toEqual(receipt);
    const audit = await db
      .selectFrom("audit_events")
      .select(["action"])
      .where("tenant_id", "=", t.id)
      .where("action", "like", "%erasure%")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["purge.subject-erasure"]);
    // The subject stays excluded; a rerun deletes nothing more and leaves its own receipt.
    expect(
      (await ingest(ctx, t.key, [item({ occurredAt: later(), subject: "alice" })])).json(),
    ).toMatchObject({
      accepted: 0,
      dropped: 1,
    });
    const rerun = await adminCall(t, "POST", "/api/tenant/subjects/erase", { subject: "alice" });
    expect(rerun.json()).toMatchObject({
      kind: "subject-erasure",
      deleted: { interactions: 0, labels: 0, datasetItems: 0 },
    });
    expect(rerun.json().subjectRef).toBe(receipt.subjectRef);
    expect((await stored(t.id)).length).toBe(left.length);
    const kinds = (await adminCall(t, "GET", "/api/tenant/sharing"))
      .json()
      .scopeChanges.map((c: { kind: string }) => c.kind);
    expect(kinds).toEqual(["erase", "erase", "exclude"]);
    expect((await verifyAuditChains(ctx.services.stores)).ok).toBe(true);
  });

  it("finds a subject's rows for erasure through the subject index, not a scan", async () => {
    const store = ctx.services.stores.regions.get("us")!;
    const query = "select id from interactions where tenant_id = 't' and subject_hash = 'abc'";
    const plan = await store.db.transaction().execute(async (trx) => {
      if (store.dialect === "postgres") await sql`set local enable_seqscan = off`.execute(trx);
      const explain = store.dialect === "postgres" ? "explain " : "explain query plan ";
      const rows = await sql.raw(`${explain}${query}`).execute(trx);
      return JSON.stringify(rows.rows);
    });
    expect(plan).toContain("interactions_tenant_subject");
  });

  it("maps OTLP enduser.id / assent.subject to the subject: hashed, and dropped when excluded", async () => {
    const t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
    await adminCall(t, "POST", "/api/tenant/exclusions", { subject: "otel-excluded" });
    const startNs = BigInt(ctx.clock.now() + 1000) * 1_000_000n;
    ctx.clock.advance(5000);
    const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
    const span = (spanId: string, who: [string, string]) => ({
      traceId: "2bb2f1854567d42ae1df231eb8ac7638",
      spanId,
      name: "chat",
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + 1_000_000n),
      attributes: [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.input.messages", JSON.stringify([{ role: "user", content: "hi" }])),
        attr("gen_ai.output.messages", JSON.stringify([{ role: "assistant", content: "hello" }])),
        attr("assent.feature", "sales.email-draft"),
        attr(...who),
      ],
    });
    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/traces",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
      payload: {
        resourceSpans: [
          {
            resource: { attributes: [attr("service.name", "crm")] },
            scopeSpans: [
              {
                spans: [
                  span("9285f6ef7bcedf51", ["enduser.id", "otel-kept"]),
                  span("9285f6ef7bcedf52", ["assent.subject", "otel-excluded"]),
                  span("9285f6ef7bcedf53", ["enduser.id", "otel-excluded"]),
                ],
              },
            ],
          },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const rows = await stored(t.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.subject_hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("keeps the raw subject id out of every store file, log line and audit event", async () => {
    const t = await tenantWithAdmin(ctx);
    await put(t, { enabled: true, features: ["sales.email-draft"] });
    const marker = `SUBJECTRAW${Math.random().toString(36).slice(2)}X`;
    const at = later();
    await ingest(ctx, t.key, [
      item({ occurredAt: at, subject: marker }),
      item({ occurredAt: at, subject: `${marker}-2` }),
    ]);
    await ctx.app.inject({
      method: "POST",
      url: "/v1/subjects/objections",
      headers: { authorization: `Bearer ${t.key}` },
      payload: { subject: `${marker}-3` },
    });
    await adminCall(t, "POST", "/api/tenant/exclusions", { subject: `${marker}-4` });
    await adminCall(t, "DELETE", "/api/tenant/exclusions", { subject: `${marker}-4` });
    await adminCall(t, "POST", "/api/tenant/subjects/erase", { subject: marker });
    // A bad request naming the subject must not echo it either.
    const bad = await adminCall(t, "POST", "/api/tenant/exclusions", {
      subject: `${marker}${"x".repeat(300)}`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain(marker);

    for (const line of ctx.logs) expect(line).not.toContain(marker);
    // The probe finds what is there: the feature id is stored in clear.
    const probe = "sales.email-draft";
    let probeHits = 0;
    const stores = [ctx.services.stores.control, ...ctx.services.stores.regions.values()];
    for (const store of stores) {
      const db = store.db as unknown as Kysely<AuditTables>;
      const events = await db.selectFrom("audit_events").selectAll().execute();
      expect(JSON.stringify(events)).not.toContain(marker);
      if (store.file) {
        const dir = path.dirname(store.file);
        for (const f of readdirSync(dir)
          .map((n) => path.join(dir, n))
          .filter(existsSync)) {
          const bytes = readFileSync(f);
          expect(bytes.includes(Buffer.from(marker)), f).toBe(false);
          if (bytes.includes(Buffer.from(probe))) probeHits += 1;
        }
      } else {
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = current_schema()`.execute(db);
        for (const { table_name } of tables.rows) {
          const count = async (text: string) =>
            Number(
              (
                await sql<{ n: string }>`
            select count(*) as n from ${sql.table(table_name)} t where t::text like ${`%${text}%`}`.execute(
                  db,
                )
              ).rows[0]?.n,
            );
          expect(await count(marker), table_name).toBe(0);
          probeHits += await count(probe);
        }
      }
    }
    expect(probeHits).toBeGreaterThan(0);
  });
});
